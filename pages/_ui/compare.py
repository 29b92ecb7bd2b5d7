"""The Compare page's pieces: choosing the pair, the options, cached computations, the sections."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from app.compare.alignment import Alignment, align, reduce_dimensions
from app.compare.movers import MARK_LOST, MARK_NEW, formula_side_by_side, side_by_side, word_table
from app.compare.overlap import DEFAULT_K, MAX_K, Overlap, neighbour_overlap, overlap_estimate
from app.compare.pairs import gender_debiased, parse_token, share_token, suggested_pairs
from app.compare.pictures import linked_coordinates, neighbourhood_rows
from app.compare.scores import benchmark_scores
from app.compare.vocabulary import SharedVocabulary, shared_vocabulary
from app.errors import InputError
from app.figures.compare import linked_pictures
from app.space import EmbeddingSpace
from app.text.inputs import check_word, parse_word_list
from pages._ui import cached, state
from pages._ui.background import background_result
from pages._ui.text import plain

BACKGROUND_WORDS = 20_000  # more shared words than this: the overlap runs as a job with progress
PICTURE_WORDS = 300  # the most frequent shared words drawn in the linked pictures
EXPLANATION = """
- **Neighbour overlap** of a word: of its k nearest neighbours (cosine, among the words both spaces
  know) in the first space, the share that are also among its k nearest in the second. 1 = the same
  neighbours, 0 = none in common. It needs no alignment, so it compares spaces of any dimensions
  (MIT's Embedding Comparator calls it local neighbourhood similarity).
- **Alignment**: two trainings of the same model are the same map turned around. A rotation
  (orthogonal Procrustes) fitted on the *anchor* words lays the first space onto the second; the
  **residual** says how well (0 = a perfect rotation, about 1.4 = unrelated spaces). A word's
  **displacement** is its cosine distance to itself after the rotation (0 = did not move).
- **Movers** are the words whose neighbours changed most; **stayers**, least. Next to a word,
  *lost* marks a neighbour only the first space has and *new* one only the second has.
- **Linked pictures**: the same words drawn from each space with one PCA after the alignment, so
  the two pictures face the same way; a word in a different place really moved. Select words
  in either picture (box or lasso) to ring them in both.
- **Benchmarks**: how well each space's cosines rank word pairs the way people do (Spearman ρ);
  higher is better, and a difference of a few hundredths is within noise.
"""


def cache(a: EmbeddingSpace, b: EmbeddingSpace):
    """Results of this pair go server-wide only when both spaces are shared data."""
    return cached.results(shared=a.shared and b.shared)


# --- the pair -----------------------------------------------------------------------------------


def load_pair_from_url() -> None:
    """``?a=glove-20000&b=glove-20000-debiased`` loads both built-in spaces and picks them."""
    tokens = [st.query_params.get("a"), st.query_params.get("b")]
    if not all(tokens) or "cmp_a" in st.session_state:
        return
    names = []
    try:
        for token in tokens:
            key, n_words, debiased = parse_token(str(token))
            space = cached.sample(key, n_words)
            if debiased:
                space = debiased_copy(space)
            names.append(_add_quietly(space))
    except InputError as exc:
        st.error(plain(f"Could not open the compared pair from the link: {exc}"))
        return
    st.session_state["cmp_a"], st.session_state["cmp_b"] = names


def _add_quietly(space: EmbeddingSpace) -> str:
    for name, loaded in state.spaces().items():
        if loaded.fingerprint == space.fingerprint:
            return name
    return state.add_space(space, activate=False)


def debiased_copy(space: EmbeddingSpace) -> EmbeddingSpace:
    """The Bias page's default hard debiasing of ``space``, computed once per server (or session)."""
    return cached.results(shared=space.shared).get_or_compute(
        ("compare-debiased", space.fingerprint), lambda: gender_debiased(space)
    )


def _add_debiased(name: str) -> None:
    try:
        copy = debiased_copy(state.spaces()[name])
        st.session_state["cmp_a"], st.session_state["cmp_b"] = name, _add_quietly(copy)
    except InputError as exc:
        st.session_state["cmp_pair_error"] = str(exc)


def _pick(first: str, second: str) -> None:
    st.session_state["cmp_a"], st.session_state["cmp_b"] = first, second


def offer_debiased_copy(space: EmbeddingSpace) -> None:
    """A button that adds ``space``'s hard-debiased copy (gender, as on Bias) and compares the two."""
    if space.source.get("debiased_from"):
        return
    st.button(
        "Add its hard-debiased copy and compare the two",
        key="cmp_add_debiased",
        on_click=_add_debiased,
        args=(space.name,),
        help="The Bias page's default hard debiasing (Bolukbasi's gender pairs).",
    )


def how_to_get_a_second(loaded: dict[str, EmbeddingSpace]) -> None:
    """With fewer than two spaces, say how to get a second one (and offer the debiased copy)."""
    st.info(
        "A comparison needs two spaces, and this session has "
        + ("none" if not loaded else "one")
        + ". To get a second: **Bias** → *Hard-debias along this direction* adds a debiased copy; "
        "**Train** the same corpus twice with two seeds; or **Home** → load another sample or upload vectors."
    )
    if loaded:
        offer_debiased_copy(next(iter(loaded.values())))
    else:
        st.page_link(state.HOME, label="Go to Home", icon=":material/home:")
    _pair_error()


def _pair_error() -> None:
    message = st.session_state.pop("cmp_pair_error", None)
    if message:
        st.error(plain(f"Could not make the debiased copy: {message}"))


def pick_pair(loaded: dict[str, EmbeddingSpace]) -> tuple[EmbeddingSpace, EmbeddingSpace]:
    """The one-click pairs, then two pickers; returns the two spaces."""
    names = list(loaded)
    active = state.active_space()
    pairs = suggested_pairs(loaded)
    if pairs:
        st.caption("One click:")
        columns = st.columns(min(len(pairs), 3))
        for i, pair in enumerate(pairs[:6]):
            columns[i % len(columns)].button(
                pair.label, key=f"cmp_pair_{i}", on_click=_pick, args=(pair.first, pair.second)
            )
    if active is not None and not any(s.source.get("debiased_from") == active.name for s in loaded.values()):
        offer_debiased_copy(active)
    _pair_error()
    for key, fallback in (
        ("cmp_a", pairs[0].first if pairs else names[0]),
        ("cmp_b", pairs[0].second if pairs else names[1]),
    ):
        if st.session_state.get(key) not in names:
            st.session_state[key] = fallback
    left, right = st.columns(2)
    first = left.selectbox("First space", names, key="cmp_a")
    second = right.selectbox("Second space", names, key="cmp_b")
    return loaded[first], loaded[second]


# --- options ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    k: int
    top_n: int | None
    words: tuple[str, ...] | None
    anchors: int | tuple[str, ...] | None

    @property
    def vocabulary_key(self) -> Hashable:
        return (self.top_n, self.words)


WORD_MODES = {"all": "All shared words", "top": "The N most frequent", "list": "A word list"}
ANCHOR_MODES = {"all": "All compared words", "top": "The N most frequent", "list": "A word list"}


def options() -> Options:
    """k, which words, which anchors (the lists parsed; a bad list raises InputError)."""
    st.session_state.setdefault("cmp_k", DEFAULT_K)
    columns = st.columns(3)
    k = columns[0].number_input("Neighbours k", 1, MAX_K, key="cmp_k")
    mode = columns[1].radio("Words", list(WORD_MODES), format_func=WORD_MODES.get, key="cmp_words_mode")
    anchor_mode = columns[2].radio(
        "Alignment anchors", list(ANCHOR_MODES), format_func=ANCHOR_MODES.get, key="cmp_anchor_mode"
    )
    top_n: int | None = None
    words: tuple[str, ...] | None = None
    anchors: int | tuple[str, ...] | None = None
    if mode == "top":
        top_n = int(columns[1].number_input("N", 3, 400_000, 5_000, step=1_000, key="cmp_top_n"))
    elif mode == "list":
        text = columns[1].text_area("Words (one a line or comma-separated)", "", key="cmp_word_list", height=100)
        words = tuple(parse_word_list(text))
    if anchor_mode == "top":
        anchors = int(columns[2].number_input("N anchors", 2, 400_000, 5_000, step=1_000, key="cmp_anchor_n"))
    elif anchor_mode == "list":
        text = columns[2].text_area("Anchor words", "", key="cmp_anchor_list", height=100)
        anchors = tuple(parse_word_list(text))
    return Options(int(k), top_n, words, anchors)


# --- computations, cached on (fingerprints, options) ------------------------------------------------


def vocabulary_for(a: EmbeddingSpace, b: EmbeddingSpace, opts: Options) -> SharedVocabulary:
    return cache(a, b).get_or_compute(
        ("compare-vocabulary", a.fingerprint, b.fingerprint, opts.vocabulary_key),
        lambda: shared_vocabulary(a, b, top_n=opts.top_n, words=opts.words),
    )


def overlap_for(a: EmbeddingSpace, b: EmbeddingSpace, vocabulary: SharedVocabulary, opts: Options) -> Overlap | None:
    """The overlap now (cached), or, for a large vocabulary, a Run button and a job with progress."""
    key = ("compare-overlap", a.fingerprint, b.fingerprint, opts.vocabulary_key, opts.k)
    if len(vocabulary) <= BACKGROUND_WORDS:
        return cache(a, b).get_or_compute(key, lambda: neighbour_overlap(a, b, vocabulary, k=opts.k))
    return background_result(
        slot="compare",
        key=key,
        shared=a.shared and b.shared,
        label=f"Neighbour overlap of {len(vocabulary):,} words",
        work=partial(neighbour_overlap, a, b, vocabulary, k=opts.k),
        estimate=overlap_estimate(len(vocabulary)),
        button_label="Compute the neighbour overlap",
    )


def reduced(a: EmbeddingSpace, b: EmbeddingSpace) -> tuple[EmbeddingSpace, EmbeddingSpace]:
    """The pair with the larger space brought down to the smaller's dimensions by PCA (cached)."""

    def down(space: EmbeddingSpace, dim: int) -> EmbeddingSpace:
        return cached.results(shared=space.shared).get_or_compute(
            ("compare-reduced", space.fingerprint, dim), lambda: reduce_dimensions(space, dim)
        )

    if a.dim > b.dim:
        return down(a, b.dim), b
    return a, down(b, a.dim)


def alignment_for(
    a: EmbeddingSpace, b: EmbeddingSpace, vocabulary: SharedVocabulary, opts: Options
) -> tuple[Alignment | None, EmbeddingSpace, EmbeddingSpace]:
    """The alignment (None when the dimensions differ and no reduction was asked for, or the anchors
    are wrong, with a message) and the two spaces it was fitted on."""
    if a.dim != b.dim:
        pair = (a.fingerprint, b.fingerprint)
        asked: set = st.session_state.setdefault("cmp_reduce", set())
        larger, smaller = (a, b) if a.dim > b.dim else (b, a)
        if pair not in asked:
            st.warning(
                plain(
                    f"{a.name} has {a.dim} dimensions and {b.name} has {b.dim}. Alignment (the rotation, "
                    "displacement and facing pictures) needs the same number of dimensions; neighbour overlap "
                    "below still compares them."
                )
            )
            if st.button(
                plain(f"Reduce {larger.name} to {smaller.dim} dimensions with PCA for the alignment"),
                key="cmp_reduce_button",
            ):
                asked.add(pair)
                st.rerun()
            return None, a, b
        a, b = reduced(a, b)
        st.caption(plain(f"Aligned after reducing {larger.name} to {smaller.dim} dimensions with PCA."))
    try:
        anchors = list(opts.anchors) if isinstance(opts.anchors, tuple) else opts.anchors
        alignment = cache(a, b).get_or_compute(
            ("compare-alignment", a.fingerprint, b.fingerprint, opts.vocabulary_key, opts.anchors),
            lambda: align(a, b, vocabulary, anchors=anchors),
        )
    except InputError as exc:
        st.error(plain(f"Could not align the two spaces: {exc}"))
        return None, a, b
    return alignment, a, b


def scores_for(a: EmbeddingSpace, b: EmbeddingSpace) -> pd.DataFrame:
    return cache(a, b).get_or_compute(
        ("compare-scores", a.fingerprint, b.fingerprint), lambda: benchmark_scores([a, b])
    )


# --- sections -----------------------------------------------------------------------------------


def _pick_from_table(words: Sequence[str]) -> None:
    """The word table's row selection becomes the picked word."""
    rows = st.session_state["cmp_table"].selection.rows
    if rows:
        st.session_state["cmp_word"] = words[rows[0]]


def word_table_section(table: pd.DataFrame) -> None:
    """The sortable per-word table; selecting a row picks its word."""
    config = {
        "overlap": st.column_config.ProgressColumn("overlap", min_value=0.0, max_value=1.0, format="%.2f"),
        "rank": st.column_config.NumberColumn("frequency rank"),
    }
    if "displacement" in table:
        config["displacement"] = st.column_config.NumberColumn("displacement", format="%.3f")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=320,
        column_config=config,
        key="cmp_table",
        on_select=partial(_pick_from_table, list(table["word"])),
        selection_mode="single-row",
    )


def marked(table: pd.DataFrame) -> Any:
    """A side-by-side table with lost neighbours in red and new ones in green."""
    colours = {MARK_LOST: "color: #c0392b; font-weight: 600", MARK_NEW: "color: #1e8449; font-weight: 600"}
    return table.style.map(lambda mark: colours.get(mark, ""), subset=["mark (first)", "mark (second)"]).format(
        precision=3, subset=["similarity (first)", "similarity (second)"]
    )


def default_word(overlap: Overlap, alignment: Alignment | None) -> str:
    """The biggest mover among the 1,000 most frequent compared words: something worth a look."""
    frequent = word_table(overlap, alignment).head(1_000)
    keys = ["overlap"] + (["displacement"] if "displacement" in frequent else [])
    order = frequent.sort_values(keys, ascending=[True] + [False] * (len(keys) - 1), kind="stable")
    return str(order["word"].iloc[0])


def picked_word(overlap: Overlap, alignment: Alignment | None) -> str | None:
    """The word box (filled by the table or by typing); None with a message when it is not shared."""
    current = st.session_state.get("cmp_word")
    new_words = st.session_state.get("cmp_word_for") != id(overlap.vocabulary)
    if not current or (new_words and current not in overlap.vocabulary.words):
        st.session_state["cmp_word"] = default_word(overlap, alignment)
    st.session_state["cmp_word_for"] = id(overlap.vocabulary)
    typed = st.text_input("Word to look at (or select a row in the table)", key="cmp_word")
    try:
        word = check_word(typed)
        overlap.row(word)
    except InputError as exc:
        st.error(plain(f"Could not show its neighbours: {exc}"))
        return None
    return word


def neighbours_section(overlap: Overlap, word: str, names: tuple[str, str]) -> None:
    row = overlap.row(word)
    kept = round(float(overlap.overlap[row]) * overlap.k)
    st.markdown(
        f"**{plain(word)}** keeps {kept} of its {overlap.k} nearest neighbours. "
        f"Left: in {plain(names[0])}; right: in {plain(names[1])}; "
        "*lost* = only on the left, *new* = only on the right."
    )
    st.dataframe(marked(side_by_side(overlap, word)), hide_index=True, width="stretch")


def formula_section(a: EmbeddingSpace, b: EmbeddingSpace, word: str | None, k: int) -> None:
    default = "king - man + woman" if all(w in a and w in b for w in ("king", "man", "woman")) else (word or "")
    st.session_state.setdefault("cmp_formula", default)
    formula = st.text_input("A word or formula, e.g. king - man + woman", key="cmp_formula")
    if not formula.strip():
        return
    try:
        table = formula_side_by_side(a, b, formula, k=k)
    except InputError as exc:
        st.error(plain(f"Could not search both spaces: {exc}"))
        return
    st.dataframe(marked(table), hide_index=True, width="stretch")


def selected_rows(selection: Any, marker_curves: Sequence[int]) -> list[int]:
    """Picture rows selected (box or lasso) in either panel's points."""
    if not selection:
        return []
    points = (selection.get("selection") or {}).get("points") or []
    rows = set()
    for point in points:
        if point.get("curve_number") not in marker_curves:
            continue
        custom = point.get("customdata")
        rows.add(int(custom[0]) if isinstance(custom, list) and custom else int(point.get("point_index", -1)))
    return sorted(r for r in rows if r >= 0)


def picture_rows(overlap: Overlap, word: str | None) -> list[int]:
    """The most frequent compared words plus the picked word's neighbourhood (rows of the shared words)."""
    rows = list(range(min(PICTURE_WORDS, len(overlap.vocabulary))))
    if word is not None:
        rows += [r for r in neighbourhood_rows(overlap, word) if r >= PICTURE_WORDS]
    return rows


def linked_section(
    overlap: Overlap,
    alignment: Alignment | None,
    spaces: tuple[EmbeddingSpace, EmbeddingSpace],
    word: str | None,
    names: tuple[str, str],
) -> None:
    """The two pictures, linked: a selection in either rings the same words in both."""
    vocabulary = overlap.vocabulary
    colours = {"overlap": "neighbour overlap"} | ({"displacement": "displacement"} if alignment else {})
    colour_by = st.radio("Colour by", list(colours), format_func=colours.get, horizontal=True, key="cmp_colour")
    rows = picture_rows(overlap, word)
    unit_a = spaces[0].unit_vectors[vocabulary.rows_a]
    unit_b = spaces[1].unit_vectors[vocabulary.rows_b]
    xy_a, xy_b = linked_coordinates(overlap, unit_a, unit_b, rows, alignment=alignment)
    values = overlap.overlap if colour_by == "overlap" or alignment is None else alignment.displacement
    words = [vocabulary.words[r] for r in rows]
    previous = st.session_state.get("cmp_pictures")
    chosen = selected_rows(previous, (0, 3)) or selected_rows(previous, (0, 2))
    highlight = sorted(set(chosen) | ({rows.index(overlap.row(word))} if word is not None else set()))
    figure = linked_pictures(
        xy_a, xy_b, words, titles=names, colour=np.asarray(values)[rows], colour_title=colours[colour_by],
        highlight=highlight, labels=15,
    )  # fmt: skip
    st.plotly_chart(figure, width="stretch", key="cmp_pictures", on_select="rerun", selection_mode=("box", "lasso"))
    if chosen:
        st.caption("Selected, ringed in both pictures: " + plain(", ".join(words[i] for i in chosen[:40])))
    else:
        st.caption("Drag a box or lasso in either picture to ring the same words in both; the picked word is ringed.")


def small_multiples(
    overlap: Overlap,
    alignment: Alignment | None,
    spaces: tuple[EmbeddingSpace, EmbeddingSpace],
    word: str,
    names: tuple[str, str],
) -> None:
    """Embedding Comparator's small multiples: the word's neighbourhood drawn in each space."""
    vocabulary = overlap.vocabulary
    rows = neighbourhood_rows(overlap, word)
    unit_a = spaces[0].unit_vectors[vocabulary.rows_a]
    unit_b = spaces[1].unit_vectors[vocabulary.rows_b]
    xy_a, xy_b = linked_coordinates(overlap, unit_a, unit_b, rows, alignment=alignment)
    in_a = set(overlap.neighbours_a[rows[0]].tolist())
    in_b = set(overlap.neighbours_b[rows[0]].tolist())
    side = np.array([2.0 if r == rows[0] else 1.0 if (r in in_a and r in in_b) else 0.0 for r in rows])
    figure = linked_pictures(
        xy_a, xy_b, [vocabulary.words[r] for r in rows], titles=names, colour=side,
        colour_title="2 the word, 1 in both, 0 in one", highlight=[0], labels=len(rows),
    )  # fmt: skip
    figure.update_layout(height=380, dragmode="pan")
    st.plotly_chart(figure, width="stretch", key="cmp_small_multiples")


def share_link(a: EmbeddingSpace, b: EmbeddingSpace) -> None:
    """Put the pair in the URL when both are built-in; otherwise say a link would not open it."""
    tokens = share_token(a), share_token(b)
    if all(tokens):
        st.query_params["a"], st.query_params["b"] = str(tokens[0]), str(tokens[1])
        st.query_params["k"] = str(st.session_state.get("cmp_k", DEFAULT_K))
        st.caption("The address bar now holds this comparison: copy it to share the view.")
    else:
        for key in ("a", "b"):
            st.query_params.pop(key, None)
        st.caption(
            "One of these spaces exists only in this browser session (an upload, a training or your own "
            "debiasing), so a link to this comparison would not open it elsewhere."
        )
