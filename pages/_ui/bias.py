"""The Bias page's pieces: choosing a direction, the words on it, the WEAT section, RIPA/DirectBias,
debiasing. Widgets and layout only; every word list, estimate and table comes from ``app.bias``.

Every piece of user text echoed here (words, formulas, space names, messages quoting them) goes
through ``plain`` (pages/_ui/text.py); the figure builders escape what plotly shows.
"""

from __future__ import annotations

import hashlib
import logging
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from app.bias.debias import debias_estimate, debias_plan
from app.bias.debias_check import debias_with_report, summary_table, words_direct_bias
from app.bias.directions import Direction, direction_from_formula, direction_from_pair, direction_from_sets
from app.bias.measures import direct_bias, project_words, ripa, two_axis
from app.bias.presets import OWN_WEAT_SETS, PROFESSION_LISTS, SET_PRESETS, WeatTest, gender_direction, professions
from app.bias.weat import (
    WeatResult,
    all_tests_table,
    check_test,
    run_weat_test,
    runs_as_job,
    weat,
    weat_estimate,
    weat_job,
)
from app.errors import InputError
from app.figures.bias import projection_bars, two_axis_figure, variance_bars
from app.io.samples import GLOVE_WORDS
from app.space import EmbeddingSpace
from app.text.inputs import check_word, parse_word_list
from pages._ui import cached, state
from pages._ui.background import background_result
from pages._ui.errors import report_errors
from pages._ui.text import plain

log = logging.getLogger("embedding_lab")

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

SOURCES = {
    "preset": "Bolukbasi's gender pairs (woman/man, she/he, ...)",
    "pair": "One pair of words",
    "sets": "Two word sets",
    "formula": "A formula",
}


# --- 1. the direction ------------------------------------------------------------------------------
def direction_controls(space: EmbeddingSpace) -> Direction | None:
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
            direction = gender_direction(space, method=method)
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
        st.error(f"Could not build the direction: {plain(exc)}")
        return None
    st.caption(
        f"Direction **{plain(direction.name)}**: positive = {plain(direction.positive)}; "
        f"negative = {plain(direction.negative)}."
    )
    if direction.missing:
        st.warning("Not in the space, left out: " + plain(", ".join(direction.missing)))
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


# --- 2. words on the direction ---------------------------------------------------------------------
def words_on_direction(space: EmbeddingSpace, direction: Direction) -> pd.DataFrame | None:
    """The word list, its projections as bars, and the 2-axis view; the projections table."""
    which = st.radio(
        "Start from", list(PROFESSION_LISTS), format_func=PROFESSION_LISTS.get, horizontal=True, key="profession_list"
    )
    default_words = "\n".join(professions(space, which))
    words_text = st.text_area("Words to place", default_words, height=120, key=f"bias_words_{which}")
    band = st.slider("Neutral band (± cosine)", 0.0, 0.3, 0.05, 0.01, key="band")
    table = None
    with report_errors("project the words"):
        words = parse_word_list(words_text)
        table = project_words(space, direction, words)
        if table.attrs.get("missing"):
            st.caption("Not in the space: " + plain(", ".join(table.attrs["missing"][:30])))
        figure = projection_bars(
            table,
            band=band,
            title=direction.name,
            positive=direction.positive,
            negative=direction.negative,
        )
        st.plotly_chart(figure, width="stretch")
        st.download_button("Projections (CSV)", table.to_csv(index=False), "projections.csv", "text/csv")
    with st.expander("Two directions at once (2-axis view)"):
        y_formula = st.text_input("Second direction (a formula)", "rich - poor", key="y_axis")
        with report_errors("draw the 2-axis view"):
            second = direction_from_formula(space, y_formula)
            plane = two_axis(space, direction, second, parse_word_list(words_text))
            names = {"x_name": direction.name, "y_name": second.name}
            st.plotly_chart(two_axis_figure(plane, **names), width="stretch")
    return table


# --- 3. WEAT ---------------------------------------------------------------------------------------
def weat_section(space: EmbeddingSpace, tests: list[WeatTest]) -> None:
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
    options: dict[str, Any] = {"permutations": int(permutations), "alternative": alternative, "std": std, "seed": 0}
    if mode == "builtin":
        test = st.selectbox("Test", tests, format_func=lambda t: f"{t.number}. {t.name}", key="weat_test")
        _builtin_test(space, test, options)
        if st.button("Run all ten tests", key="weat_all"):
            with report_errors("run the ten tests"):
                table = all_tests_table(space, tests, **options)
                shown = table.assign(**{"effect size d": table["effect size d"].map(_effect_text)})
                st.table(shown.set_index("test"))
    else:
        _own_sets(space, options)


def _effect_text(value: float) -> str:
    return "not run" if pd.isna(value) else f"{value:.2f}"


def _builtin_test(space: EmbeddingSpace, test: WeatTest, options: dict[str, Any]) -> None:
    """One of the paper's tests; when the space lacks its words, say why and offer the fix first."""
    short = [check for check in check_test(space, test) if not check.usable]
    if short:
        st.info(
            f"**{test.name} needs rarer words than {plain(space.name)} has.** WEAT compares whole word lists, "
            "and the paper's lists include less common words (flower and insect names, first names). "
            "Too many of them are missing here for a fair test: "
            + "; ".join(plain(check.problem) for check in short)
            + "."
        )
        _offer_bigger_glove(space)
        return
    with report_errors("run WEAT"):
        _weat_result(run_weat_test(space, test, **options), test)


def _own_sets(space: EmbeddingSpace, options: dict[str, Any]) -> None:
    sets: dict[str, list[str]] = {}
    cols = st.columns(4)
    with report_errors("read the word sets"):
        for col, role in zip(cols, "XYAB", strict=True):
            text = col.text_area(f"Set {role}", OWN_WEAT_SETS[role], key=f"weat_{role}", height=110)
            sets[role] = parse_word_list(text)
    if len(sets) < 4:
        return
    n_targets = len(sets["X"]) + len(sets["Y"])
    if not runs_as_job(n_targets, options["permutations"]):
        with report_errors("run WEAT"):
            _weat_result(weat(space, sets["X"], sets["Y"], sets["A"], sets["B"], fold_case=True, **options), None)
        return
    words = "\n".join(f"{role}:{','.join(ws)}" for role, ws in sets.items())
    digest = hashlib.blake2b(words.encode(), digest_size=8).hexdigest()
    result = background_result(
        slot="weat",
        key=("weat", space.fingerprint, digest, tuple(sorted(options.items()))),
        shared=False,  # the sets are the student's own words: their result stays in this session
        label=f"WEAT on your sets ({n_targets:,} target words, {options['permutations']:,} permutations)",
        work=partial(weat_job, space, sets, **options),
        estimate=weat_estimate(n_targets, options["permutations"]),
        button_label="Run WEAT",
    )
    if result is not None:
        _weat_result(result, None)


def _weat_result(result: WeatResult, test: WeatTest | None) -> None:
    cols = st.columns(4)
    cols[0].metric("Effect size (d)", f"{result.effect_size:.2f}")
    cols[1].metric("p-value", result.p_value_text)
    kind = "exact: every partition" if result.exact else f"{result.permutations_used:,} random partitions"
    cols[2].metric("Permutation test", "exact" if result.exact else "sampled", help=kind)
    if test is not None and test.reported_d is not None:
        cols[3].metric("People (IAT) d", test.iat_d, help=f"p {test.iat_p}, N {test.iat_n}; {test.iat_reference}")
    names = {role: plain(name) for role, name in result.names.items()}
    st.caption(
        f"A {result.strength} association: {names['X']} sit closer to {names['A']} (and {names['Y']} to "
        f"{names['B']}) than chance splits of the same words would. This is an association in this corpus, "
        "not a fact about people."
    )
    missing = {role: words for role, words in result.missing.items() if words}
    if missing:
        left_out = "; ".join(f"{r}: {', '.join(w)}" for r, w in missing.items())
        st.warning("Left out (not in the space): " + plain(left_out))
    with st.expander("Per-word associations"):
        st.dataframe(result.scores, hide_index=True, width="stretch")
        st.download_button("Associations (CSV)", result.scores.to_csv(index=False), "weat.csv", "text/csv")


def _offer_bigger_glove(space: EmbeddingSpace) -> None:
    """WEAT uses rarer words (flower and insect names): offer a larger GloVe in one click."""
    small_glove = space.source.get("sample") == "glove" and len(space) < 100_000
    if small_glove and st.button("Load GloVe with its 100,000 most frequent words", key="bigger_glove", type="primary"):
        state.add_space(cached.sample("glove", min(100_000, GLOVE_WORDS)))
        st.rerun()


# --- 4. RIPA and DirectBias ------------------------------------------------------------------------
def ripa_direct_bias(space: EmbeddingSpace, direction: Direction, words: list[str]) -> float:
    """DirectBias and RIPA of the placed words; returns the strictness c chosen."""
    left, right = st.columns([1, 2])
    c = left.slider("Strictness c", 0.0, 2.0, 1.0, 0.1, key="strictness")
    with report_errors("compute DirectBias and RIPA"):
        value = direct_bias(space, direction, words, c=c)
        left.metric("DirectBias", f"{float(value):.3f}", help=f"over {value.n_words} words")
        left.caption(
            f"Over the {value.n_words} words placed above. 0: they are all perpendicular to the direction. "
            "With c = 0 it counts any non-zero lean."
        )
        table = ripa(space, direction, words).sort_values("ripa")
        right.dataframe(table, hide_index=True, width="stretch", height=260)
    return float(c)


# --- 5. debiasing ----------------------------------------------------------------------------------
def debias_section(space: EmbeddingSpace, direction: Direction, words: list[str], c: float) -> None:
    st.write(
        "Hard debiasing (Bolukbasi et al. 2016) removes the direction from every word that should be "
        "neutral and makes word pairs on it symmetric. The check after it asks Gonen & Goldberg's (2019) "
        "question: can the old bias still be read from the new space?"
    )
    plan = debias_plan(space, direction)
    st.caption(plan.explanation)
    vector = hashlib.blake2b(direction.vector.tobytes(), digest_size=8).hexdigest()
    done = background_result(
        slot="debias",
        key=("debias", space.fingerprint, vector, direction.origin),
        shared=space.shared,
        label=f"Hard debiasing of {space.name}",
        work=partial(debias_with_report, space, direction, plan),
        estimate=debias_estimate(space),
        button_label="Hard-debias along this direction",
    )
    if done is None:
        return
    debiased, report = done
    if debiased.name not in state.spaces():
        try:
            state.add_space(debiased, activate=False)
        except InputError as exc:
            st.error(f"Could not keep the debiased space: {plain(exc)}")
            return
    st.success(f"Added **{plain(debiased.name)}** to this session, next to the original (pick it in the sidebar).")
    measures = list(report.measures.items())
    if words:
        with report_errors("measure the placed words"):
            measures.insert(1, words_direct_bias(space, debiased, direction, words, c))
    numbers = {side: st.column_config.NumberColumn(format="%.4f") for side in ("before", "after")}
    st.dataframe(summary_table(dict(measures)), hide_index=True, width="stretch", column_config=numbers)
    st.caption(
        "The first row is Bolukbasi et al.'s DirectBias (c = 1) over every neutral word of the space; the "
        "second is section 4's measure (your strictness c) over the words placed on the direction, so its "
        "'before' matches section 4. Different words give different averages."
    )
    clusters = (
        f"still separates them with accuracy **{report.cluster_accuracy.after:.0%}** (50% would mean chance)"
        if report.clusters_still_separate
        else f"separates them only at chance level here (**{report.cluster_accuracy.after:.0%}**)"
    )
    st.markdown(
        "- **DirectBias** falls to ~0: the direction is gone from neutral words.\n"
        f"- k-means on the {report.n_biased} words leaning most to each side (by the original projection) "
        f"{clusters}, but a word's {report.k} nearest neighbours still mostly share its old side "
        f"(**{report.neighbour_same_sign.after:.0%}**, 50% would mean no trace). "
        "Removing one direction does not remove the bias."
    )
    st.download_button("Before/after (CSV)", report.projections.to_csv(index=False), "debias.csv", "text/csv")
