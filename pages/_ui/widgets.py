"""Widgets every page shares: page set-up with the sidebar (navigation, the active space, the
view link), and the space summary."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.figures.home import norms_figure
from app.io.summary import preview_frame, summarize
from app.space import EmbeddingSpace
from pages._ui import add_to_lesson, cached, projector_bookmarks, session, share, state, workspace
from pages._ui.text import plain

PAGES = (
    (state.HOME, "Home", ":material/home:"),
    ("pages/1_Explore.py", "Explore", ":material/scatter_plot:"),
    ("pages/2_Train.py", "Train", ":material/model_training:"),
    ("pages/3_Analogies.py", "Analogies", ":material/compare_arrows:"),
    ("pages/4_Evaluate.py", "Evaluate", ":material/leaderboard:"),
    ("pages/5_Bias.py", "Bias", ":material/balance:"),
    ("pages/6_Compare.py", "Compare", ":material/difference:"),
    ("pages/7_Lessons.py", "Lessons", ":material/school:"),
    ("pages/8_Teach.py", "Teach", ":material/co_present:"),
)

FAVICON = Path(__file__).resolve().parents[2] / "assets" / "favicon.png"


def page_setup(title: str, icon: str, *, workspace_link: bool = False) -> None:
    """Page config plus the sidebar: navigation, the active-space picker and the view link.

    Before anything is drawn, the session comes back after a reload and a view link's data is
    opened (pages/_ui/session.py); ``workspace_link`` (Home only) honours ``?ws=<key>``.
    """
    # The browser-tab icon is a file we ship: a ":material/...:" page icon makes the browser fetch
    # the favicon from a font service on the internet (icons inside the page come with Streamlit).
    st.set_page_config(page_title=f"{title} · Embedding Lab", page_icon=str(FAVICON), layout="wide")
    cached.umap_warm_up()
    session.start(workspace_link=workspace_link)
    with st.sidebar:
        st.markdown("### Embedding Lab")
        for path, label, page_icon in PAGES:
            st.page_link(path, label=label, icon=page_icon)
        st.divider()
        space_picker()
        session.remember()
        session.show_data_in_address()
        st.divider()
        share.view_link_panel()
        add_to_lesson.add_view_button(title)
        workspace.keep_in_browser()


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


def space_summary(space: EmbeddingSpace) -> None:
    """Counts, warnings, the norms histogram and a preview table of a space."""
    facts = summarize(space)
    st.subheader(f"Active space: {plain(space.name)}")
    cols = st.columns([1, 1, 2, 1])  # the format's name ("word2vec-binary") needs the room
    cols[0].metric("Vectors", f"{facts['count']:,}")
    cols[1].metric("Dimensions", facts["dim"])
    cols[2].metric("Format", facts["format"])
    cols[3].metric("Memory", f"{facts['megabytes']:.1f} MB")
    details = [f"Source: {plain(facts['file'])}", f"mean length {facts['mean_norm']:.3f}"]
    if facts["metadata_columns"]:
        details.append("metadata: " + plain(", ".join(map(str, facts["metadata_columns"]))))
    if facts["subwords"]:
        details.append("answers unseen words through fastText subwords")
    if facts["images"]:
        details.append(f"{facts['images']:,} points are images (thumbnails on Explore)")
    st.caption(" · ".join(details))
    projector_bookmarks.bookmarks_panel(space)
    for warning in facts["warnings"]:
        st.warning(plain(warning))
    if facts["zero_vectors"]:
        st.warning(f"{facts['zero_vectors']:,} vectors are all zeros; they have no direction, so no neighbours.")
    left, right = st.columns([2, 3])
    with left:
        st.plotly_chart(norms_figure(space), width="stretch")
    with right:
        shown = min(space.dim, 6)
        st.markdown(f"**Preview**: the first rows in file order, {shown} of {space.dim} dimensions")
        st.dataframe(preview_frame(space), hide_index=True, width="stretch", height=300)


def facts_row(figures: dict[str, str], notes: list[str]) -> None:
    """A row of metrics (what was read: nodes, edges; users, items) and the reader's notes under it."""
    for column, (label, value) in zip(st.columns(len(figures)), figures.items(), strict=True):
        column.metric(label, value)
    for note in notes:
        st.caption(plain(note))
