"""Explore's Plotly picture with its base cached: the coloured points are built once per projection
and view setting, and every rerun (a neighbour query, the find box, labels) adds only the small
overlays (labels, marked points, zoom) on top.

``st.plotly_chart`` still sends the whole figure as one JSON spec on every rerun that draws it, so a
Plotly rerun costs the validation and serialisation of all its points (about 0.2 s for 20,000), not
their build (about 2 s). Pictures above ``explore_webgl.WEBGL_FROM`` points go to the WebGL scatter,
whose points are fetched once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from app.figures.explore import ScatterOptions, add_overlays, base_traces
from app.runtime.cache import ResultCache

BUILDS: Counter[str] = Counter()  # what was built or packed (not found in a cache), for tests


def plotly_figure(
    results: ResultCache,
    key: tuple,
    *,
    coords: np.ndarray,
    names: Sequence[str],
    options: ScatterOptions,
    images: Sequence[str | None] | None,
) -> go.Figure:
    """The figure of ``coords``: the base traces from ``results`` (``key`` names the points, their
    names, hover and colours), the overlays of ``options`` built now. ``results`` is passed in, not
    looked up, since the HTML download calls this after the page's run."""

    def build() -> tuple[dict, ...]:
        BUILDS["plotly base"] += 1
        traces = base_traces(coords, names, options, images=images)
        # rows as an array: the figure copies its data on every rerun, and a list of 20,000 lists copies slowly
        return tuple({**t.to_plotly_json(), "customdata": np.asarray(t.customdata)} for t in traces)

    base = results.get_or_compute(("plotly_base", *key), build)
    # The cached traces were validated when built; copying them unvalidated is fast and leaves them intact.
    figure = go.Figure(data=[dict(trace) for trace in base], skip_invalid=False, _validate=False)
    figure._validate = True  # the overlays and the layout are checked, as scatter_figure checks them
    figure.layout = go.Layout()  # a checked layout: the same spec as scatter_figure's
    return add_overlays(figure, coords, names, options, images=images)
