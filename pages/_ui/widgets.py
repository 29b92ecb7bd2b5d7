"""Widgets every page shares: page set-up with the sidebar, error reporting, summaries."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from app.errors import InputError
from app.io.summary import norms_figure, preview_frame, summarize
from app.space import EmbeddingSpace
from pages._ui import cached, state

PAGES = (
    (state.HOME, "Home", ":material/home:"),
    ("pages/1_Explore.py", "Explore", ":material/scatter_plot:"),
    ("pages/2_Train.py", "Train", ":material/model_training:"),
    ("pages/3_Analogies.py", "Analogies", ":material/compare_arrows:"),
    ("pages/4_Evaluate.py", "Evaluate", ":material/leaderboard:"),
    ("pages/5_Bias.py", "Bias", ":material/balance:"),
    ("pages/7_Lessons.py", "Lessons", ":material/school:"),
)

log = logging.getLogger("embedding_lab")
FAVICON = Path(__file__).resolve().parents[2] / "assets" / "favicon.png"


def page_setup(title: str, icon: str) -> None:
    """Page config plus the sidebar: navigation and the active-space picker."""
    from pages._ui import workspace  # it uses report_errors from this module

    # The browser-tab icon is a file we ship: a ":material/...:" page icon makes the browser fetch
    # the favicon from a font service on the internet (icons inside the page come with Streamlit).
    st.set_page_config(page_title=f"{title} · Embedding Lab", page_icon=str(FAVICON), layout="wide")
    cached.umap_warm_up()
    workspace.token()  # keeps ?ws=<this browser's workspace> in the address on every page
    state.load_sample_from_url()
    with st.sidebar:
        st.markdown("### Embedding Lab")
        for path, label, page_icon in PAGES:
            st.page_link(path, label=label, icon=page_icon)
        st.divider()
        space_picker()


def space_picker() -> None:
    """Choose the active space among those loaded in this session."""
    names = list(state.spaces())
    if not names:
        st.caption("No space loaded yet.")
        return
    active = st.session_state.get(state.ACTIVE)
    index = names.index(active) if active in names else len(names) - 1
    chosen = st.selectbox("Active space", names, index=index, help="Every page works on this space.")
    st.session_state[state.ACTIVE] = chosen
    space = state.spaces()[chosen]
    st.caption(f"{len(space):,} vectors × {space.dim} dimensions")


@contextmanager
def report_errors(what: str) -> Iterator[None]:
    """Show an InputError as a plain message; anything else as a short error, logged in full."""
    try:
        yield
    except InputError as exc:
        st.error(f"Could not {what}: {exc}")
    except Exception as exc:  # a bug of ours: the user sees one line, the log the traceback
        log.exception("unexpected failure while trying to %s", what)
        st.error(f"Could not {what} because of an unexpected problem ({type(exc).__name__}: {exc}).")


def space_summary(space: EmbeddingSpace) -> None:
    """Counts, warnings, the norms histogram and a preview table of a space."""
    facts = summarize(space)
    st.subheader(f"Active space: {space.name}")
    cols = st.columns(4)
    cols[0].metric("Vectors", f"{facts['count']:,}")
    cols[1].metric("Dimensions", facts["dim"])
    cols[2].metric("Format", facts["format"])
    cols[3].metric("Memory", f"{facts['megabytes']:.1f} MB")
    details = [f"Source: `{facts['file']}`", f"mean length {facts['mean_norm']:.3f}"]
    if facts["metadata_columns"]:
        details.append("metadata: " + ", ".join(facts["metadata_columns"]))
    if facts["subwords"]:
        details.append("answers unseen words through fastText subwords")
    st.caption(" · ".join(details))
    for warning in facts["warnings"]:
        st.warning(warning)
    if facts["zero_vectors"]:
        st.warning(f"{facts['zero_vectors']:,} vectors are all zeros; they have no direction, so no neighbours.")
    left, right = st.columns([2, 3])
    with left:
        st.plotly_chart(norms_figure(space), width="stretch")
    with right:
        shown = min(space.dim, 6)
        st.markdown(f"**Preview**: the first rows in file order, {shown} of {space.dim} dimensions")
        st.dataframe(preview_frame(space), hide_index=True, width="stretch", height=300)
