"""The Train page's pieces: the corpus, its preprocessing and statistics, the model settings,
the training job with a live loss curve, and the result. Computation stays in app/."""

from __future__ import annotations

import json
from collections.abc import Hashable
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from app.figures.train import loss_figure, playback_figure, zipf_figure
from app.io.export import to_word2vec_text
from app.store.budgets import Budget, check_upload
from app.text.inputs import MAX_TEXT_CHARS, check_length, check_word
from app.training.config import (
    ARCHITECTURE_LABELS,
    ARCHITECTURES,
    LOSS_LABELS,
    MODEL_LABELS,
    TrainConfig,
    suggested_deterministic,
    suggested_epochs,
    training_estimate,
)
from app.training.corpus import (
    BUILTIN_CORPORA,
    Corpus,
    CorpusStats,
    Preprocessing,
    builtin_corpus,
    corpus_stats,
    open_corpus,
    stopwords,
)
from app.training.documents import nearest_documents
from app.training.playback import playback_coordinates
from app.training.record import TrainResult
from app.training.run import train_job
from pages._ui import cached, state, workspace
from pages._ui.background import background_result
from pages._ui.errors import report_errors

EXPLANATION = """
- A **corpus** is the text the model learns from. Each line (or sentence) is a **document**; the
  words in it are **tokens**; the distinct words are the **vocabulary**.
- **Preprocessing** decides what counts as a word: lower-casing merges *King* and *king*, stop-word
  removal drops *the, of, and*, phrase detection glues *new york* into one token `new_york`.
- The **Zipf plot** shows rank against frequency on log-log axes. Natural language falls close to a
  straight line: a few words are everywhere, most words are rare. Rare words get poor vectors, which is
  why **min count** drops words seen fewer times than that.
- **word2vec** learns by predicting words from their neighbours (CBOW) or neighbours from a word
  (skip-gram); **fastText** does the same with pieces of words, so it can guess vectors for words it
  never saw; **doc2vec** learns a vector for every document too; **PPMI + SVD** counts which words
  occur near each other and compresses the counts: the count-based way, like GloVe.
- The **loss** is how wrong the model's predictions still are; it should fall epoch by epoch.
- **Epoch playback** shows the space forming. Each epoch is aligned to the last one (a rotation that
  moves the points as little as possible), so what moves is real change, not an arbitrary spin.
"""

DATA_KINDS = {
    "text": "Text corpus",
    "graph": "Graph",
    "interactions": "Users and items",
    "contextual": "Words in context",
}

KINDS = {
    "auto": "Detect",
    "lines": "One document per line",
    "sentences": "Free text: split into sentences",
}


REMEMBERED = "train_remembered"
"""Session key of the settings the user chose here: Streamlit forgets the state of widgets on a page
that is not shown, so the choices are kept here and fed back as the widgets' defaults."""
ASKED = "train_asked"
"""Session key of the runs this session asked for (pressed Train): only those are shown and kept."""


def remembered(key: str, default: Any) -> Any:
    """What the user last chose in widget ``key`` on this page, else ``default``."""
    return st.session_state.get(REMEMBERED, {}).get(key, default)


def _remember(key: str) -> None:
    st.session_state.setdefault(REMEMBERED, {})[key] = st.session_state[key]


def kept(key: str) -> dict[str, Any]:
    """Widget keyword arguments that remember the user's choice under ``key``."""
    return {"key": key, "on_change": _remember, "args": (key,)}


def option_index(options: list, key: str, default: Any) -> int:
    """The position of the remembered (else the default) option, for a selectbox or radio."""
    value = remembered(key, default)
    return options.index(value) if value in options else options.index(default)


# --- the corpus --------------------------------------------------------------------------
def corpus_controls() -> Corpus | None:
    """A built-in corpus or an upload, with each preprocessing step visible and optional."""
    source = st.segmented_control(
        "Train on",
        ["builtin", "upload"],
        format_func=lambda s: "A built-in corpus" if s == "builtin" else "My own text (upload)",
        default=remembered("corpus_source", "builtin"),
        **kept("corpus_source"),
    )
    if source == "upload":
        upload = st.file_uploader(
            "Text (.txt), CSV/TSV with a text column, or a .zip of .txt files (.gz accepted)",
            key="upload_corpus",
        )
        left, right = st.columns(2)
        kind = left.selectbox(
            "Documents are",
            list(KINDS),
            index=option_index(list(KINDS), "corpus_kind", "auto"),
            format_func=KINDS.get,
            **kept("corpus_kind"),
        )
        column = right.text_input(
            "CSV/TSV text column (blank: the only text column)",
            remembered("corpus_column", ""),
            **kept("corpus_column"),
        )
    else:
        keys = list(BUILTIN_CORPORA)
        key = st.radio(
            "Corpus",
            keys,
            format_func=lambda k: BUILTIN_CORPORA[k].title,
            captions=[BUILTIN_CORPORA[k].description for k in keys],
            index=option_index(keys, "corpus_choice", "classroom" if "classroom" in keys else keys[0]),
            **kept("corpus_choice"),
        )
    preprocessing = preprocessing_controls()
    with report_errors("read the corpus"):
        if source == "upload":
            if upload is None:
                st.info("Choose a file above, or switch to a built-in corpus.")
                return None
            return _uploaded_corpus(upload, kind, check_word(column.strip(), "the column name") or None, preprocessing)
        return _builtin(key, preprocessing)
    return None


@st.cache_resource(max_entries=16, show_spinner=False)
def _builtin(key: str, preprocessing: Preprocessing) -> Corpus:
    """Built-in corpora hold no user data, so one server-wide copy serves every session."""
    return builtin_corpus(key, preprocessing)


def _uploaded_corpus(upload, kind: str, column: str | None, preprocessing: Preprocessing) -> Corpus:
    """The upload written once to this session's workspace folder (re-read lazily when training)."""
    corpora: dict = st.session_state.setdefault("uploaded_corpora", {})
    key = (upload.file_id, kind, column)
    if key not in corpora:
        check_upload(Budget.from_env(), upload.name, upload.size)
        corpora.clear()  # one uploaded corpus per session on disk
        corpora[key] = open_corpus(
            upload.getvalue(),
            filename=upload.name,
            kind=kind,
            text_column=column,
            workdir=workspace.upload_folder(incoming=upload.size),
        )
    return corpora[key].with_preprocessing(preprocessing)


def preprocessing_controls() -> Preprocessing:
    st.markdown("**Preprocessing** (applied in this order)")
    cols = st.columns(4)
    lowercase = cols[0].checkbox("Lower-case", remembered("pre_lower", True), **kept("pre_lower"))
    strip_accents = cols[0].checkbox(
        "Strip accents (café → cafe)", remembered("pre_accents", False), **kept("pre_accents")
    )
    tokenizers = ["regex", "simple_preprocess"]
    tokenizer = cols[1].radio(
        "Tokens",
        tokenizers,
        index=option_index(tokenizers, "pre_tokenizer", "regex"),
        format_func=lambda t: "Words and numbers (regex)" if t == "regex" else "gensim simple_preprocess",
        **kept("pre_tokenizer"),
    )
    remove_stopwords = cols[2].checkbox(
        "Remove stop words (gensim's list)", remembered("pre_stop", False), **kept("pre_stop")
    )
    min_length = cols[2].number_input(
        "Minimum token length", 1, 20, remembered("pre_min_len", 1), **kept("pre_min_len")
    )
    phrases = cols[3].checkbox(
        "Detect phrases (new_york)",
        remembered("pre_phrases", False),
        help="Word pairs that occur together far more often than chance become one token: "
        "new york → new_york (gensim's Phrases).",
        **kept("pre_phrases"),
    )
    return Preprocessing(
        lowercase=lowercase,
        tokenizer=tokenizer,
        strip_accents=strip_accents,
        remove_stopwords=remove_stopwords,
        min_token_length=int(min_length),
        phrases=phrases,
    )


def corpus_statistics(corpus: Corpus) -> CorpusStats | None:
    """Documents, tokens, vocabulary, the Zipf plot and the most frequent words, before training."""
    stats = None
    with report_errors("count the corpus"), st.spinner("Counting words…"):
        stats = cached.results(shared=corpus.shared).get_or_compute(
            ("corpus_stats", corpus.fingerprint), lambda: corpus_stats(corpus)
        )
    if stats is None:
        return None
    if stats.tokens == 0:
        st.error(f"No tokens are left in {corpus.name} after preprocessing; switch some steps off.")
        return None
    st.caption("Steps: " + " → ".join(corpus.preprocessing.steps()))
    cols = st.columns(3)
    cols[0].metric("Documents", f"{stats.documents:,}")
    cols[1].metric("Tokens", f"{stats.tokens:,}")
    cols[2].metric("Vocabulary", f"{stats.vocabulary:,}")
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(zipf_figure(stats.frequencies), width="stretch", key="zipf")
    with right:
        st.markdown("**Most frequent words**")
        st.dataframe(stats.top(20), hide_index=True, width="stretch", height=300)
    return stats


# --- the model ---------------------------------------------------------------------------
def model_controls(*, documents: int, tokens: int) -> TrainConfig | None:
    """The model and its settings; None (with a message) when they make no sense. Every choice is
    remembered for this session, so coming back to the page shows it again."""
    models = list(MODEL_LABELS)
    model = st.selectbox(
        "Model",
        models,
        index=option_index(models, "train_model", "word2vec"),
        format_func=MODEL_LABELS.get,
        **kept("train_model"),
    )
    cols = st.columns(4)
    vector_size = cols[0].number_input(
        "Dimensions", 2, 600, remembered("train_dims", 50), step=10, **kept("train_dims")
    )
    window = cols[1].number_input(
        "Window (words each side)", 1, 50, remembered("train_window", 5), **kept("train_window")
    )
    min_count = cols[2].number_input("Min count", 1, 1_000, remembered("train_min_count", 2), **kept("train_min_count"))
    epochs = cols[3].number_input(
        "Epochs", 1, 200, remembered("train_epochs", suggested_epochs(documents)), **kept("train_epochs")
    )
    settings: dict[str, Any] = {}
    if model in ARCHITECTURES:
        architectures = list(ARCHITECTURES[model])
        cols = st.columns(4)
        settings["architecture"] = cols[0].selectbox(
            "Architecture",
            architectures,
            # skip-gram: clearer analogies on small corpora
            index=option_index(architectures, f"train_arch_{model}", architectures[1 if model != "doc2vec" else 0]),
            format_func=ARCHITECTURE_LABELS.get,
            **kept(f"train_arch_{model}"),
        )
        losses = list(LOSS_LABELS)
        settings["loss"] = cols[1].selectbox(
            "Output layer",
            losses,
            index=option_index(losses, "train_loss", "negative"),
            format_func=LOSS_LABELS.get,
            **kept("train_loss"),
        )
        settings["sample"] = cols[2].number_input(
            "Down-sample frequent words",
            0.0,
            0.1,
            remembered("train_sample", 1e-3),
            step=1e-4,
            format="%.4f",
            **kept("train_sample"),
        )
        settings["alpha"] = cols[3].number_input(
            "Learning rate",
            0.0001,
            1.0,
            remembered("train_alpha", 0.025),
            step=0.005,
            format="%.4f",
            **kept("train_alpha"),
        )
    if model == "fasttext":
        low, high = st.slider("Character n-grams", 1, 8, remembered("train_ngrams", (3, 6)), **kept("train_ngrams"))
        settings.update(min_n=low, max_n=high)
    cols = st.columns(3)
    seed = cols[0].number_input("Seed", 0, 2**31 - 1, remembered("train_seed", 1), **kept("train_seed"))
    deterministic = cols[1].checkbox(
        "Deterministic (one worker)",
        remembered("train_deterministic", suggested_deterministic(tokens)),
        help="One worker thread: identical vectors on a rerun and an exact loss curve; slower on a large corpus.",
        **kept("train_deterministic"),
    )
    config = TrainConfig(
        model=model,
        vector_size=int(vector_size),
        window=int(window),
        min_count=int(min_count),
        epochs=int(epochs),
        seed=int(seed),
        deterministic=deterministic,
        **settings,
    )
    with report_errors("use these settings"):
        config.validate()
        return config
    return None


# --- training ----------------------------------------------------------------------------
def training(corpus: Corpus, config: TrainConfig, *, stats: CorpusStats) -> TrainResult | None:
    """The Train button, live progress with the loss curve, Cancel; the result when done.

    A run this session did not ask for (another session trained the same settings on the same
    shared corpus) is only offered: it is used when Train is pressed, never taken on its own.
    """
    key = ("train", corpus.fingerprint, json.dumps(config.to_dict(), sort_keys=True))
    label = f"Training {config.display_name} on {corpus.name}"
    asked: set[Hashable] = st.session_state.setdefault(ASKED, set())
    running_here = key in st.session_state.get("jobs_train", {})
    if key not in asked and not running_here and cached.results(shared=corpus.shared).get(key) is not None:
        st.info(
            f"This exact run ({config.display_name} on {corpus.name} with these settings) is already trained "
            "on the server. Press Train to use it at once; nothing changes until you do."
        )
        if st.button("Train", type="primary", key="run_train"):
            asked.add(key)
            st.rerun()
        return None
    result = background_result(
        slot="train",
        key=key,
        shared=corpus.shared,
        label=label,
        work=partial(train_job, corpus, config),
        estimate=training_estimate(config, tokens=stats.tokens, counts=stats.frequencies["count"].to_numpy()),
        button_label="Train",
        show_details=_live_loss,
    )
    if result is not None:
        asked.add(key)
    return result


def _live_loss(details: list[dict]) -> None:
    epochs = [d for d in details if d.get("epoch")]
    if any(d.get("loss") is not None for d in epochs):
        st.plotly_chart(
            loss_figure([d["epoch"] for d in epochs], [d.get("loss") for d in epochs]),
            width="stretch",
            key="live_loss",
        )


def keep_space(space: Any, record: dict) -> str:
    """Add a trained space to this session (once) and save it to the private workspace, with its record.

    Every kind of training (text, graph, users and items, contextual) keeps its result this way.
    """
    kept: dict = st.session_state.setdefault("trained", {})
    if space.fingerprint not in kept:
        with report_errors("keep the trained space"):
            kept[space.fingerprint] = state.add_space(space)
            workspace.save(state.spaces()[kept[space.fingerprint]], extra={"training": record})
            st.rerun()  # the sidebar, drawn before training finished, now lists the new space
    return kept.get(space.fingerprint, space.name)


def result_view(result: TrainResult, name: str) -> None:
    """What was trained, the loss per epoch, the epoch playback and the reproducibility record."""
    space = result.space
    report = result.report
    active = st.session_state.get(state.ACTIVE) == name
    st.success(
        f"Trained **{name}**: {len(space):,} {'documents' if result.config.model == 'doc2vec' else 'words'} × "
        f"{space.dim} dimensions in {report['timings']['total_seconds']:.1f} s. "
        + (
            "It is now the active space and saved in your workspace."
            if active
            else "It is saved in your workspace; choose it as the active space in the sidebar to explore it."
        )
    )
    st.page_link("pages/1_Explore.py", label="Explore it", icon=":material/scatter_plot:")
    epochs = result.epochs
    if any(e.loss is not None for e in epochs):
        st.markdown("**Loss per epoch**")
        st.plotly_chart(loss_figure([e.epoch for e in epochs], [e.loss for e in epochs]), width="stretch")
        if not report.get("loss_exact", True):
            st.caption(
                "With several workers gensim's loss counter misses some updates, so the curve is noisy; "
                "tick Deterministic (one worker) for an exact loss."
            )
    if result.snapshots is not None and len(result.snapshots.frames) > 1:
        st.markdown(f"**The space forming**: the {len(result.snapshots.words):,} most frequent words, epoch by epoch")
        frames = result.playback or cached.results(shared=space.shared).get_or_compute(
            ("playback", space.fingerprint), lambda: playback_coordinates(result.snapshots)
        )
        figure = playback_figure(frames, result.snapshots.words, skip=stopwords())
        st.plotly_chart(figure, width="stretch", key="playback")
        st.caption(
            "Press ▶ Play, or drag the slider. Each epoch is rotated onto the last one before the picture, "
            "so what moves is real change. Colour: frequency rank (dark = frequent); the 40 most frequent "
            "words that are not stop words are labelled."
        )
    if result.config.model == "doc2vec" and result.model is not None:
        _infer_documents(result)
    with st.expander("Reproducibility record"):
        st.json(report, expanded=False)
    left, right = st.columns(2)
    left.download_button(
        "Download the reproducibility record (JSON)",
        json.dumps(report, indent=2),
        file_name=f"{name}.training.json",
        mime="application/json",
    )
    right.download_button(
        "Download the vectors (word2vec text)",
        lambda: to_word2vec_text(space),
        file_name=f"{name}.txt",
        mime="text/plain",
        on_click="ignore",
    )


def _infer_documents(result: TrainResult) -> None:
    st.markdown("**New text into the space**: doc2vec infers a vector for text it never saw")
    text = st.text_area("Some text", "the king and the queen", key="infer_text", height=70)
    with report_errors("infer the text"):
        check_length(text, MAX_TEXT_CHARS, "the text")
        table = nearest_documents(result, text, k=5)
        st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
