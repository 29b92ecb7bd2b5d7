"""Train: a corpus in, a small embedding model out, with live progress, epoch playback and a record."""

import streamlit as st

from pages._ui import train as ui
from pages._ui.contextual_train import contextual_section
from pages._ui.graph_train import graph_section
from pages._ui.interactions_train import interactions_section
from pages._ui.widgets import page_setup

page_setup("Train", ":material/model_training:")
st.title("Train")
st.write(
    "Train your own small embedding model on a corpus, right here in the browser, then explore it on "
    "the other pages. Small corpora give rough spaces: that is part of the lesson."
)
with st.expander("What am I looking at?"):
    st.markdown(ui.EXPLANATION)

kinds = list(ui.DATA_KINDS)
kind = st.radio(
    "Data",
    kinds,
    index=ui.option_index(kinds, "train_data", "text"),
    format_func=ui.DATA_KINDS.get,
    horizontal=True,
    **ui.kept("train_data"),
)
if kind == "graph":
    graph_section()
    st.stop()
if kind == "interactions":
    interactions_section()
    st.stop()
if kind == "contextual":
    contextual_section()
    st.stop()

st.subheader("1. A corpus")
corpus = ui.corpus_controls()
if corpus is None:
    st.stop()

st.subheader("2. What the corpus looks like")
stats = ui.corpus_statistics(corpus)
if stats is None:
    st.stop()

st.subheader("3. The model")
config = ui.model_controls(documents=stats.documents, tokens=stats.tokens)
if config is None:
    st.stop()

st.subheader("4. Training")
result = ui.training(corpus, config, stats=stats)
if result is not None:
    name = ui.keep_space(result.space, result.report)
    ui.result_view(result, name)
