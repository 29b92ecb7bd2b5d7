"""Explore: project the active space to 2D/3D, colour, search, select, and look up neighbours."""

import streamlit as st

from app.errors import InputError
from app.geometry.selection import MAX_POINTS, MODES, select
from app.projection.methods import METHODS
from app.text.inputs import MAX_FORMULA_CHARS, MAX_PATTERN_CHARS, MAX_WORD_CHARS
from pages._ui import explore, explore_webgl, url
from pages._ui.errors import report_errors
from pages._ui.state import require_space
from pages._ui.text import plain
from pages._ui.widgets import page_setup

page_setup("Explore", ":material/scatter_plot:")
st.title("Explore")
st.write(
    "Squeeze the space down to 2 or 3 dimensions to look at it. Nearby points are words the "
    "model considers similar. Every projection distorts; the distortion measure shows how much."
)
with st.expander("What am I looking at?"):
    st.markdown(explore.EXPLANATION)

space = require_space()
explore.bind_url_defaults(space)

# --- 1. which points ---------------------------------------------------------------
st.subheader("1. Which points")
left, right = st.columns(2)  # the Show options are long sentences: the box is as wide as they are
mode = left.selectbox("Show", list(MODES), format_func=MODES.get, key="mode")
with right:
    if mode in ("top", "random", "search"):
        st.number_input("How many points (at most)", 10, MAX_POINTS, step=500, key="n")
    if mode == "random":
        st.number_input("Random seed", 0, 10_000, key="sample_seed")
    if mode == "search":
        st.text_input(
            "Search (a word part or a regular expression)",
            key="pattern",
            max_chars=MAX_PATTERN_CHARS,
            placeholder="e.g. ^king or ing$",
        )
    if mode == "list":
        st.text_area("Words, one per line or separated by commas", key="words", height=110)
    if mode == "neighbours":
        st.text_input("Word", key="word", max_chars=MAX_WORD_CHARS)
        st.slider("How many neighbours", 5, 500, key="k_around")

selection = None
with report_errors("choose the points"):
    try:
        selection = select(
            space,
            mode,
            n=st.session_state.get("n", 2000),
            seed=st.session_state.get("sample_seed", 0),
            pattern=st.session_state.get("pattern", ""),
            words=st.session_state.get("words", ""),
            word=st.session_state.get("word", ""),
            k=st.session_state.get("k_around", 50),
        )
    except InputError as exc:
        st.error(f"Could not choose the points: {plain(exc)}")
if selection is not None:
    st.caption(f"Showing {plain(selection.description)}.")
    if selection.missing:
        missing = ", ".join(selection.missing[:30]) + (" …" if len(selection.missing) > 30 else "")
        st.warning(f"Not in {plain(space.name)}: {plain(missing)}")

# --- 2. projection ------------------------------------------------------------------
projection = None
if selection is not None:
    st.subheader("2. Projection")
    cols = st.columns([1.2, 1, 1, 2])
    method = cols[0].radio(
        "Method", list(METHODS), format_func=lambda m: METHODS[m].label, key="method", horizontal=True
    )
    cols[1].radio("Dimensions", [2, 3], format_func=lambda d: f"{d}D", key="dims", horizontal=True)
    cols[2].selectbox("Distance", ["cosine", "euclidean"], key="metric", help="Cosine compares directions only.")
    with cols[3]:
        if method == "tsne":
            st.slider("Perplexity", 5, 100, key="perplexity", help=METHODS["tsne"].param_help["perplexity"])
        if method == "umap":
            a, b = st.columns(2)
            a.slider("Neighbours", 2, 100, key="n_neighbors", help=METHODS["umap"].param_help["n_neighbors"])
            b.slider(
                "Minimum distance", 0.0, 1.0, step=0.05, key="min_dist", help=METHODS["umap"].param_help["min_dist"]
            )
            seeded = st.checkbox(
                "Same picture every time (seeded)", key="seeded", help=METHODS["umap"].param_help["reproducible"]
            )
            if not seeded:
                st.caption("Unseeded: a new random layout each run (as fast: both run on every core).")
    st.caption(METHODS[method].about)
    projection = explore.projection_for(explore.ProjectionRequest.from_state(selection.space))

# --- 3 and 4: the picture and the neighbours, each a fragment -----------------------------
# A neighbour query reruns sections 3 and 4 only; a colour, label or find change, or a selection,
# reruns section 3 only. The coloured points are cached (pages/_ui/explore_plotly.py,
# explore_webgl.py), so neither rerun rebuilds them. Each fragment keeps the settings and the
# address bar up to date itself, since the end of the page does not run with it.
latest: dict[str, explore.Picture] = st.session_state.setdefault("explore_latest_picture", {})  # for the download


@st.fragment
def picture_section() -> explore.Picture | None:
    """Section 3: the view settings, the picture with the query's marks, and what it shows."""
    explore.keep_settings()
    st.subheader("3. The picture")
    view = explore.view_controls(space)
    neighbours, _ = explore.neighbours_for(space)
    figure, shown = None, None
    if selection is not None and projection is not None:
        with report_errors("draw the picture"):
            webgl = explore_webgl.wants_webgl(len(selection.space), projection.n_components)
            figure, shown = explore.figure_for(space, selection.space, projection, view, neighbours, webgl=webgl)
    else:
        st.caption("The picture appears here once the points are chosen and projected; these settings will apply.")
    if figure is not None and shown is not None and projection is not None and selection is not None:
        if len(selection.space) <= explore.HTML_FIGURE_MAX_POINTS:  # only the HTML download reads it
            latest["picture"] = figure
        if projection.n_components == 3:
            st.caption(
                f"Drawing {len(shown.words):,} points in 3D takes a few seconds in the browser, "
                "longer than the projection itself."
            )
        chosen = explore.draw_picture(figure)
        explore.describe(projection, view, shown, space)
        if chosen:
            before = st.session_state.get("selected_words")
            explore.selection_panel(space, shown.words, chosen)
            if st.session_state.get("selected_words") != before:
                st.rerun(scope="app")  # the downloads offer the new selection
    url.publish(explore.URL_KEYS)
    return figure


@st.fragment
def picture_and_neighbours() -> explore.Picture | None:
    """Sections 3 and 4: the query's widgets rerun both (the marks and the table), nothing else."""
    explore.keep_settings()
    figure = picture_section()
    st.subheader("4. Nearest neighbours")
    st.caption("Computed in the original space with all its dimensions, never in the picture.")
    q_left, q_mid, q_right = st.columns([3, 1, 1])
    q_left.text_input(
        "A word or a formula", key="query", max_chars=MAX_FORMULA_CHARS, placeholder="e.g. frog, or king - man + woman"
    )
    q_mid.slider("How many", 1, 50, key="k", help="k nearest words")
    q_right.selectbox("Distance ", ["cosine", "euclidean"], key="query_metric")
    neighbours, neighbours_error = explore.neighbours_for(space)
    if neighbours_error:
        st.error(f"Could not look up neighbours: {neighbours_error}")
    elif neighbours is not None:
        explore.neighbours_panel(neighbours, selection.space if figure is not None and selection is not None else None)
    url.publish(explore.URL_KEYS)
    return figure


figure = picture_and_neighbours()

# --- 5. downloads -------------------------------------------------------------------
if figure is not None and selection is not None and projection is not None:
    st.subheader("5. Downloads")
    # the figure as the picture shows it now (a fragment may have redrawn it since this ran)
    explore.downloads(space, selection.space, projection, lambda: latest["picture"].figure())
url.publish(explore.URL_KEYS)
