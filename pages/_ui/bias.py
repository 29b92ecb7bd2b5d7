"""The Bias page's pieces: choosing a direction, the WEAT section, RIPA/DirectBias, debiasing."""

from __future__ import annotations

import hashlib
from functools import partial

import pandas as pd
import streamlit as st

from app.bias.core import (
    Direction,
    GenderPreset,
    WeatTest,
    debias_with_report,
    direct_bias,
    direction_from_formula,
    direction_from_pair,
    direction_from_pairs,
    direction_from_sets,
    ripa,
    run_weat_test,
)
from app.errors import InputError
from app.figures.plots import variance_bars
from app.io.samples import GLOVE_WORDS
from app.space import EmbeddingSpace
from app.text.inputs import check_word, parse_word_list
from pages._ui import cached, state
from pages._ui.background import background_result
from pages._ui.errors import report_errors

EXPLANATION = """
- A **direction** is a line through the space, for example from *man* to *woman*. Built from several
  pairs, it is the first principal component of the pairs' differences (Bolukbasi et al. 2016); the
  explained-variance chart shows whether one direction really captures them.
- **Projection**: the cosine of a word with the direction. Words in the grey band are near neutral;
  a long red or blue bar means the word sits much closer to one side.
- **WEAT** (Caliskan et al. 2017) compares two target sets (flowers, insects) by how much closer they
  are to one attribute set (pleasant) than to another (unpleasant). The **effect size** is a Cohen's d:
  0.2 small, 0.5 medium, 0.8 and above large. The **p-value** comes from a permutation test: how
  often a random split of the target words gives an association as strong. Next to ours are the
  results of the human Implicit Association Test the paper reproduced.
- **RIPA** (Ethayarajh et al. 2019) is a word's dot product with the relation vector; **DirectBias**
  (Bolukbasi et al.) is the mean |cosine| of neutral words with the direction (c sets how strict).
- **What these numbers do not mean.** They measure association *in this text corpus*, as learned by
  *this model*: not the truth about people, not what any person believes, and not whether a system
  built on these vectors will treat people unfairly. A small number does not prove a space is fair:
  the bias can hide in other directions, which is what the debiasing check below shows
  (Gonen & Goldberg 2019, "Lipstick on a pig").
"""

SET_PRESETS = {
    "rich / poor": ("rich, wealthy, affluent, prosperous, luxury", "poor, impoverished, needy, destitute, poverty"),
    "good / bad": ("good, great, excellent, wonderful, positive", "bad, terrible, awful, horrible, negative"),
    "young / old": ("young, youth, teenager, child, kid", "old, elderly, aged, senior, retired"),
}
SOURCES = {
    "preset": "Bolukbasi's gender pairs (woman/man, she/he, ...)",
    "pair": "One pair of words",
    "sets": "Two word sets",
    "formula": "A formula",
}


def default_professions(preset: GenderPreset, each: int = 15) -> list[str]:
    """The most female- and male-stereotyped professions (by the paper's ratings) and some neutral ones."""
    table = preset.professions.sort_values("stereotype")
    neutral = table.iloc[(table["stereotype"].abs()).argsort()[: each // 2]]
    chosen = pd.concat([table.head(each), neutral, table.tail(each)])
    return list(dict.fromkeys(chosen["word"]))


def direction_controls(space: EmbeddingSpace, preset: GenderPreset) -> Direction | None:
    source = st.radio("Build it from", list(SOURCES), format_func=SOURCES.get, horizontal=True, key="bias_source")
    try:
        if source == "preset":
            method = st.radio(
                "Combine the pairs by",
                ["pca", "mean"],
                format_func={"pca": "first principal component", "mean": "mean of differences"}.get,
                horizontal=True,
                key="pairs_method",
            )
            direction = direction_from_pairs(space, preset.definitional_pairs, method=method)
        elif source == "pair":
            left, right = st.columns(2)
            a = check_word(left.text_input("From (positive side)", "she", key="pair_a"), "the first word")
            b = check_word(right.text_input("to (negative side)", "he", key="pair_b"), "the second word")
            direction = direction_from_pair(space, a, b)
        elif source == "sets":
            choice = st.selectbox("Start from", list(SET_PRESETS), key="set_preset")
            left, right = st.columns(2)
            words_a = left.text_area("Set A (positive side)", SET_PRESETS[choice][0], key=f"set_a_{choice}")
            words_b = right.text_area("Set B (negative side)", SET_PRESETS[choice][1], key=f"set_b_{choice}")
            direction = direction_from_sets(space, parse_word_list(words_a), parse_word_list(words_b), name=choice)
        else:
            direction = direction_from_formula(space, st.text_input("Formula", "woman - man", key="bias_formula"))
    except InputError as exc:
        st.error(f"Could not build the direction: {exc}")
        return None
    st.caption(f"Direction **{direction.name}**: positive = {direction.positive}; negative = {direction.negative}.")
    if direction.missing:
        st.warning("Not in the space, left out: " + ", ".join(direction.missing))
    if direction.explained_variance:
        left, right = st.columns([1, 2])
        left.plotly_chart(variance_bars(direction.explained_variance), width="stretch")
        first = direction.explained_variance[0]
        right.caption(
            f"The first component explains {first:.0%} of the variation among the pairs. Bolukbasi et al. "
            "found one dominant component in word2vec; if the first bar is not much taller than the rest, a "
            "single direction is a simplification."
        )
    return direction


def weat_section(space: EmbeddingSpace, tests: list[WeatTest], weat) -> None:
    mode = st.radio(
        "Word sets", ["builtin", "own"], format_func={"builtin": "Caliskan et al.'s ten tests", "own": "My own"}.get,
        horizontal=True, key="weat_mode",
    )  # fmt: skip
    cols = st.columns(3)
    permutations = cols[0].number_input("Permutations", 100, 100_000, 10_000, step=1_000, key="permutations")
    alternative = cols[1].selectbox("Alternative", ["greater", "two-sided", "less"], key="alternative")
    std = cols[2].selectbox(
        "Standard deviation", ["sample", "population"], key="weat_std", help="Caliskan et al. use the sample one"
    )
    options = {"permutations": int(permutations), "alternative": alternative, "std": std, "seed": 0}
    try:
        if mode == "builtin":
            test = st.selectbox("Test", tests, format_func=lambda t: f"{t.number}. {t.name}", key="weat_test")
            result = run_weat_test(space, test, **options)
            _weat_result(result, test)
        else:
            sets = {}
            cols = st.columns(4)
            defaults = ("math, algebra, geometry, calculus", "poetry, art, dance, literature", "male, man, boy, he",
                        "female, woman, girl, she")  # fmt: skip
            for col, role, default in zip(cols, "XYAB", defaults, strict=True):
                sets[role] = parse_word_list(col.text_area(f"Set {role}", default, key=f"weat_{role}", height=110))
            result = weat(space, sets["X"], sets["Y"], sets["A"], sets["B"], fold_case=True, **options)
            _weat_result(result, None)
    except InputError as exc:
        st.error(f"Could not run WEAT: {exc}")
        _offer_bigger_glove(space)
    if mode == "builtin" and st.button("Run all ten tests", key="weat_all"):
        st.dataframe(_all_tests(space, tests, options), hide_index=True, width="stretch")


def _weat_result(result, test: WeatTest | None) -> None:
    cols = st.columns(4)
    cols[0].metric("Effect size (d)", f"{result.effect_size:.2f}")
    cols[1].metric("p-value", result.p_value_text)
    kind = "exact: every partition" if result.exact else f"{result.permutations_used:,} random partitions"
    cols[2].metric("Permutation test", "exact" if result.exact else "sampled", help=kind)
    if test is not None and test.reported_d is not None:
        cols[3].metric("People (IAT) d", test.iat_d, help=f"p {test.iat_p}, N {test.iat_n}; {test.iat_reference}")
    size = abs(result.effect_size)
    word = "large" if size >= 0.8 else "medium" if size >= 0.5 else "small" if size >= 0.2 else "negligible"
    names = result.names
    st.caption(
        f"A {word} association: {names['X']} sit closer to {names['A']} (and {names['Y']} to {names['B']}) "
        f"than chance splits of the same words would. This is an association in this corpus, not a fact about people."
    )
    missing = {role: words for role, words in result.missing.items() if words}
    if missing:
        st.warning("Left out (not in the space): " + "; ".join(f"{r}: {', '.join(w)}" for r, w in missing.items()))
    with st.expander("Per-word associations"):
        st.dataframe(result.scores, hide_index=True, width="stretch")
        st.download_button("Associations (CSV)", result.scores.to_csv(index=False), "weat.csv", "text/csv")


def _all_tests(space: EmbeddingSpace, tests: list[WeatTest], options: dict) -> pd.DataFrame:
    rows = []
    for test in tests:
        row = {"test": f"{test.number}. {test.name}", "people (IAT) d": test.iat_d, "people (IAT) p": test.iat_p}
        try:
            result = run_weat_test(space, test, **options)
            left_out = sum(len(w) for w in result.missing.values())
            row |= {"effect size d": round(result.effect_size, 2), "p-value": result.p_value_text}
            row["note"] = f"{left_out} words not in the space" if left_out else ""
        except InputError as exc:
            row |= {"effect size d": None, "p-value": "", "note": str(exc)[:160]}
        rows.append(row)
    return pd.DataFrame(rows)


def _offer_bigger_glove(space: EmbeddingSpace) -> None:
    """WEAT uses rarer words (flower and insect names): offer a larger GloVe in one click."""
    small_glove = space.source.get("sample") == "glove" and len(space) < 100_000
    if small_glove and st.button("Load GloVe with its 100,000 most frequent words", key="bigger_glove"):
        state.add_space(cached.sample("glove", min(100_000, GLOVE_WORDS)))
        st.rerun()


def ripa_direct_bias(space: EmbeddingSpace, direction: Direction, words: list[str]) -> None:
    left, right = st.columns([1, 2])
    c = left.slider("Strictness c", 0.0, 2.0, 1.0, 0.1, key="strictness")
    with report_errors("compute DirectBias and RIPA"):
        value = direct_bias(space, direction, words, c=c)
        left.metric("DirectBias", f"{float(value):.3f}", help=f"over {value.n_words} words")
        left.caption("0: the words are all perpendicular to the direction. With c = 0 it counts any non-zero lean.")
        table = ripa(space, direction, words).sort_values("ripa")
        right.dataframe(table, hide_index=True, width="stretch", height=260)


def debias_section(space: EmbeddingSpace, direction: Direction, preset: GenderPreset) -> None:
    st.write(
        "Hard debiasing (Bolukbasi et al. 2016) removes the direction from every word that should be "
        "neutral and makes pairs like he/she symmetric. The check after it asks Gonen & Goldberg's (2019) "
        "question: can the old bias still be read from the new space?"
    )
    gender = direction.name.startswith("woman - man")
    key = ("debias", space.fingerprint, hashlib.blake2b(direction.vector.tobytes(), digest_size=8).hexdigest())

    done = background_result(
        slot="debias",
        key=key,
        shared=space.shared,
        label=f"Hard debiasing of {space.name}",
        work=partial(debias_with_report, space, direction, preset.equalize_pairs if gender else None),
        estimate_seconds=1 + len(space) / 10_000,
        button_label="Hard-debias along this direction",
    )
    if done is None:
        return
    debiased, report = done
    if debiased.name not in state.spaces():
        try:
            state.add_space(debiased, activate=False)
        except InputError as exc:
            st.error(f"Could not keep the debiased space: {exc}")
            return
    st.success(f"Added **{debiased.name}** to this session, next to the original (pick it in the sidebar).")
    st.dataframe(report.summary, hide_index=True, width="stretch")
    st.markdown(
        f"- **DirectBias** falls to ~0: the direction is gone from neutral words.\n"
        f"- But k-means on the {report.n_biased} most female- and {report.n_biased} most male-leaning words "
        f"(by the original projection) still separates them with accuracy **{report.cluster_accuracy_after:.0%}** "
        "(50% would mean the bias is unrecoverable), and a word's neighbours still mostly share its old "
        f"side (**{report.neighbour_same_sign_after:.0%}**). Removing one direction does not remove the bias."
    )
    st.download_button("Before/after (CSV)", report.projections.to_csv(index=False), "debias.csv", "text/csv")
