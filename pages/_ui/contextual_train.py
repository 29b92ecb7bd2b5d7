"""Train's "Words in context" section: the built-in sense sentences or the user's own, a word, the
encoding job with progress and Cancel, then the sense-recovery numbers and a link to Explore. The
work is app.contextual's; this only draws it."""

from __future__ import annotations

from functools import partial

import streamlit as st

from app.contextual.encode import ContextualResult, encode_estimate, encode_job, sentences_fingerprint
from app.contextual.model import MODEL_NAME, missing_reason
from app.contextual.occurrences import (
    MAX_SENTENCE_CHARS,
    MAX_SENTENCES,
    Sentence,
    decode_upload,
    find_occurrences,
    parse_sentences,
    read_sense_set,
    sense_words,
)
from app.store.budgets import Budget, check_upload
from pages._ui.background import background_result
from pages._ui.errors import report_errors
from pages._ui.train import keep_space


@st.cache_resource(show_spinner=False)
def _sense_set() -> list[Sentence]:
    return read_sense_set()


def sentence_source() -> tuple[list[Sentence], bool] | None:
    """The sentences and whether they are shared (the built-in set) or private (the user's)."""
    source = st.segmented_control(
        "Sentences",
        ["builtin", "mine"],
        format_func=lambda s: "Built-in: two senses of a few words" if s == "builtin" else "My own sentences",
        default="builtin",
        key="ctx_source",
    )
    with report_errors("read the sentences"):
        if source == "mine":
            st.caption(f"One sentence per line; up to {MAX_SENTENCES} sentences of {MAX_SENTENCE_CHARS} characters.")
            upload = st.file_uploader("Upload a .txt file", type=["txt"], key="ctx_upload")
            if upload is not None:
                check_upload(Budget.from_env(), upload.name, upload.size)
                return parse_sentences(decode_upload(upload.getvalue(), upload.name)), False
            text = st.text_area("…or type them here", key="ctx_text", height=160)
            if not text.strip():
                st.info("Write a few sentences that use one word in different senses, or upload a file.")
                return None
            return parse_sentences(text), False
        return _sense_set(), True
    return None


def contextual_section() -> None:
    """The whole Words-in-context flow on Train."""
    st.subheader("1. Sentences")
    reason = missing_reason()
    if reason is not None:
        st.warning(f"Words in context needs {MODEL_NAME}: {reason}.")
        return
    chosen = sentence_source()
    if chosen is None:
        return
    sentences, shared = chosen
    st.subheader("2. A word")
    choices = sense_words(sentences)
    if choices:
        word = st.selectbox("Word", choices, key="ctx_word_builtin")
    else:
        word = st.text_input("Word", key="ctx_word", placeholder="bank")
    if not word:
        return
    with report_errors("find the word"):
        count = len(find_occurrences(sentences, word))
        st.caption(f"{count} occurrence{'s' if count != 1 else ''} of “{word}” in {len(sentences)} sentences.")
        _encode(sentences, word.strip().lower(), shared=shared)


def _encode(sentences: list[Sentence], word: str, *, shared: bool) -> None:
    st.subheader("3. Encoding")
    name = f"“{word}” in context ({MODEL_NAME}{', built-in sentences' if shared else ''})"
    result = background_result(
        slot="contextual",
        key=("contextual", sentences_fingerprint(sentences), word),
        shared=shared,
        label=f"{MODEL_NAME} on “{word}”",
        work=partial(encode_job, sentences, word, name=name, shared=shared),
        estimate=encode_estimate(len(sentences)),
        button_label="Encode",
    )
    if result is not None:
        _result_view(result, keep_space(result.space, result.report), word)


def _result_view(result: ContextualResult, name: str, word: str) -> None:
    st.success(f"Encoded **{name}**: {len(result.space):,} occurrences × {result.space.dim} dimensions.")
    st.page_link("pages/1_Explore.py", label="Open it in Explore (colour by sense)", icon=":material/scatter_plot:")
    measure = result.measure
    if word in measure:
        cols = st.columns(3)
        cols[0].metric(f"Senses of “{word}” recovered (ARI, contextual)", f"{measure[word]['contextual']:.2f}")
        cols[1].metric("Static GloVe (ARI)", f"{measure[word]['static']:.2f}")
        mean = sum(m["contextual"] for m in measure.values()) / len(measure)
        cols[2].metric(f"Mean over all {len(measure)} words (contextual)", f"{mean:.2f}")
        st.caption(
            "k-means splits the occurrences into as many groups as the word has senses; the adjusted Rand index "
            "compares those groups with the true senses (1: the same split, 0: chance). GloVe gives every "
            "occurrence of a word the same vector, so it cannot tell the senses apart: 0."
        )
        with st.expander("Every word of the built-in set"):
            st.dataframe(
                [{"word": w, **{k: round(v, 3) for k, v in m.items()}} for w, m in measure.items()],
                hide_index=True,
            )
    with st.expander("Reproducibility record"):
        st.json(result.report, expanded=False)
