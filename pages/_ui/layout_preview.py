"""Explore while a t-SNE or UMAP runs: its latest layout drawn as it forms, and what a cancel leaves.

The projection reports ``progress(..., layout=coords)`` (coordinates in the selection's row order);
``pages._ui.background`` redraws the latest every second and, after a cancel, hands back the last one
as an unfinished ``Projection`` that is drawn like the finished one but never cached as it.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from app.figures.explore import axis_titles, colouring_for, point_names
from app.figures.layout_preview import preview_chart
from app.projection.methods import Projection
from app.runtime.cache import ResultCache
from app.runtime.snapshots import Snapshot
from pages._ui.background import Preview, StoppedEarly

if TYPE_CHECKING:
    from pages._ui.explore import ProjectionRequest


def layout_preview(request: ProjectionRequest) -> Preview:
    """How Explore watches ``request``'s job: draw its layouts, keep the last one on cancel."""
    return Preview("layout", draw=partial(draw_layout, request), stopped=partial(stopped_projection, request))


def layout_projection(
    request: ProjectionRequest, snapshot: Snapshot, *, stopped: StoppedEarly | None = None
) -> Projection | None:
    """An intermediate layout as a Projection of the request's points (None when it does not fit
    them). A ``stopped`` one is marked as unfinished, and its job id in its parameters keeps what is
    cached about it (its distortion) apart from the finished projection's."""
    coords = snapshot.value
    fits = isinstance(coords, np.ndarray) and coords.shape == (len(request.space), request.dims)
    if not fits or not np.isfinite(coords).all():
        return None
    params = {**dict(request.params), "metric": request.metric, "seed": request.seed}
    notes: tuple[str, ...] = ()
    if stopped is not None:
        params["stopped_early"] = stopped.job_id
        notes = (f"stopped at {stopped.stage}: not the finished layout (Run again for it)",)
    return Projection(coords, request.method, request.dims, params, snapshot.elapsed, notes=notes)


def stopped_projection(request: ProjectionRequest, stopped: StoppedEarly) -> Projection | None:
    """What a cancelled t-SNE/UMAP leaves: its last layout, drawn in place of the projection."""
    return layout_projection(request, stopped.snapshot, stopped=stopped)


def draw_layout(request: ProjectionRequest, snapshot: Snapshot) -> None:
    """A running t-SNE/UMAP's latest layout with the picture's colours and labels where they are cheap
    (clusters, distortion and thumbnails wait for the finished picture). A Vega-Lite chart, not the
    picture's plotly figure, so that it updates in place every second (see app.figures.layout_preview)."""
    preview = layout_projection(request, snapshot)
    if preview is None:
        return
    space, state = request.space, st.session_state
    colour, labels = str(state.get("colour", "")), int(state.get("labels", 100))
    label_by = str(state.get("label_by", ""))
    data, spec = _previews(space.shared).get_or_compute(
        (request.key, snapshot.number, snapshot.elapsed, colour, labels, label_by),
        lambda: preview_chart(
            preview.coords,
            point_names(space, space.words, label_by),
            colouring=colouring_for(space, colour),
            labels=labels,
            axis_titles=axis_titles(preview),
        ),
    )
    st.vega_lite_chart(data, spec, key="layout_preview", width="stretch")
    if request.dims == 3:
        st.caption("While it runs, the 3D layout is shown from above: its first two axes.")


@st.cache_resource(show_spinner=False)
def _shared_previews() -> ResultCache:
    return ResultCache(max_entries=4)


def _previews(shared: bool) -> ResultCache:
    """Charts of recent layouts, so the sessions watching one shared job (a class pressing Run
    together) build each chart once, and an unchanged layout is not built again. Kept apart from
    the result caches, whose projections these would push out; an upload's stay in its session."""
    if shared:
        return _shared_previews()
    return st.session_state.setdefault("layout_previews", ResultCache(max_entries=2))
