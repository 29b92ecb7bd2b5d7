"""Home: load a built-in sample or upload vectors, see a summary, pick the active space."""

import streamlit as st

from app.io.loaders import FORMATS, load_projector_files, load_vectors
from app.io.samples import GLOVE_DEFAULT, GLOVE_WORDS, SAMPLES
from app.store.budgets import Budget, check_upload, upload_limits
from app.store.caps import LOADED, ServerCaps
from pages._ui import cached, lesson_shelf, session, state, workspace
from pages._ui.errors import report_errors
from pages._ui.text import plain
from pages._ui.widgets import page_setup, space_summary

page_setup("Home", ":material/home:", workspace_link=True)
st.title("Embedding Lab")
st.write(
    "An embedding gives every word (or image, or document) a list of numbers, a point in a space "
    "where nearby points mean similar things. Load a space here, then explore it on the other pages."
)
with st.expander("What am I looking at?"):
    st.markdown(
        "- **Vectors** is how many points the space has; **dimensions** is how many numbers each has.\n"
        "- The **length histogram** shows how long the vectors are. In GloVe and word2vec, very frequent "
        "words (the, of) tend to be shorter and rare words longer; a spike at zero means empty vectors.\n"
        "- The **preview** shows the first rows in file order: for GloVe and word2vec that is "
        "frequency order, so the top rows are the most common words.\n"
        "- You can load several spaces; the sidebar picks the one every page works on."
    )

sample_tab, upload_tab = st.tabs(["Built-in samples", "Upload vectors"])

with sample_tab:
    keys = [s.key for s in SAMPLES]
    by_key = {s.key: s for s in SAMPLES}
    key = st.radio(
        "Sample",
        keys,
        format_func=lambda k: by_key[k].title,
        captions=[s.about for s in SAMPLES],
        key="sample_choice",
    )
    n_words = st.number_input(
        "How many of the most frequent GloVe words",
        min_value=1_000,
        max_value=GLOVE_WORDS,
        value=GLOVE_DEFAULT,
        step=1_000,
        disabled=key != "glove",
        help="GloVe lists words by frequency; 20,000 covers everyday English and keeps every page fast.",
    )
    if st.button("Load sample", type="primary", key="load_sample"):
        with report_errors("load the sample"), st.spinner("Loading…"):
            space = cached.sample(key, int(n_words) if key == "glove" else 0)
            state.add_space(space, origin=session.sample_origin(space, key))
            st.rerun()

with upload_tab:
    with st.expander("Which files can I upload?"):
        st.markdown("\n".join(f"- {label}" for label in FORMATS.values()))
        st.caption(
            "Any text format may be gzip-compressed (.gz). The format is detected from the content. "
            "Pickled files (gensim .model/.kv, .pkl, .npz) are refused: opening them could run code on the server; "
            "export them first with `model.wv.save_word2vec_format('vectors.txt')`."
        )
    vectors_file = st.file_uploader("Vector file", key="upload_vectors")
    metadata_file = st.file_uploader(
        "Metadata or labels (optional)",
        key="upload_metadata",
        help="Projector metadata.tsv: one label per line, or several tab-separated columns with a header row.",
    )
    left, right = st.columns(2)
    fmt = left.selectbox(
        "Format",
        [None, *FORMATS],
        format_func=lambda f: "Detect from the content" if f is None else FORMATS[f],
        key="upload_format",
    )
    limit = right.number_input(
        "Keep only the first N rows (0 = all)", min_value=0, value=0, step=1_000, key="upload_limit"
    )
    if st.button("Load file", type="primary", disabled=vectors_file is None, key="load_file"):
        with report_errors("load the file"), st.spinner(f"Reading {plain(vectors_file.name)}…"):
            budget = Budget.from_env()
            check_upload(budget, vectors_file.name, vectors_file.size)
            held = list(state.spaces().values())
            limits = upload_limits(budget, held, server_left=LOADED.left(ServerCaps.from_env()))
            space = load_vectors(vectors_file, fmt=fmt, metadata=metadata_file, limit=int(limit) or None, limits=limits)
            state.add_space(space)
            st.rerun()

    folder_files = st.file_uploader(
        "Or a TensorFlow Projector folder's files (projector_config.json and the files it names)",
        accept_multiple_files=True,
        key="upload_projector_files",
        help="Select all of the folder's files at once. A .zip of the folder also works as the vector file above.",
    )
    if st.button("Load folder", type="primary", disabled=not folder_files, key="load_projector_files"):
        with report_errors("load the Projector folder"), st.spinner(f"Reading {len(folder_files):,} files…"):
            budget = Budget.from_env()
            check_upload(budget, "The uploaded folder", sum(file.size for file in folder_files))
            held = list(state.spaces().values())
            limits = upload_limits(budget, held, server_left=LOADED.left(ServerCaps.from_env()))
            state.add_space(load_projector_files(folder_files, limit=int(limit) or None, limits=limits))
            st.rerun()

active = state.active_space()
if active is None:
    st.info("Load a sample or upload a file to begin. GloVe is the classic: king − man + woman ≈ queen.")
else:
    space_summary(active)
    others = [name for name in state.spaces() if name != active.name]
    if others and st.button(f"Remove {plain(active.name)} from this session", key="remove_space"):
        state.remove_space(active.name)
        st.rerun()

st.divider()
workspace.workspace_panel()
workspace.class_shelf_panel()
lesson_shelf.published_lessons_panel()
