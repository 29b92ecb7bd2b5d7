"""A layout still forming (a running t-SNE or UMAP) as a Vega-Lite chart a page redraws every second.

Why not Explore's plotly figure: Streamlit gives a plotly chart a new identity whenever its figure
changes, so the browser discards it and draws it anew; redrawn every second on a loaded machine,
the picture vanished for half a second each time. A Vega-Lite chart whose spec stays the same takes
new data in place, without a blink. So the spec depends only on the number of points, what colours
them and the axis titles, never on the coordinates, and the coordinates travel as data.

Colours match Explore's picture (same palette, same categories in the same order, "other" grey);
labels are the first points' names where they do not overlap, as in the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from app.figures.explore import Colouring, categories
from app.figures.labels import readable_labels

HEIGHT = 560
SCHEMES = {"Viridis": "viridis", "Plasma": "plasma", "RdYlGn": "redyellowgreen"}  # plotly's names -> Vega's


def preview_chart(
    coords: np.ndarray,
    names: Sequence[str],
    *,
    colouring: Colouring | None = None,
    labels: int = 0,
    axis_titles: Sequence[str] = ("", ""),
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(data, Vega-Lite spec) for a 2D picture of ``coords`` (a 3D layout shows its first two axes).

    ``labels``: label up to this many of the first points, those whose labels overlap no earlier one.
    """
    xy = np.asarray(coords, dtype=np.float32)[:, :2]
    names = [str(name) for name in names]
    labelled = readable_labels(xy, names, range(min(labels, len(names))))
    label = np.full(len(names), "", dtype=object)
    label[labelled] = [names[row] for row in labelled]
    data = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "name": names, "label": pd.Categorical(label)})
    colour: dict[str, Any] = {"value": "#4c78a8"}
    tooltip: list[dict[str, Any]] = [{"field": "name", "type": "nominal", "title": "point"}]
    if colouring is not None:
        colour, data["colour"] = _colour(colouring, len(names))
        tooltip.append({"field": "colour", "type": colour["type"], "title": colouring.title})
    axes = {
        axis: {"field": axis, "type": "quantitative", "title": title, "scale": {"zero": False}}
        for axis, title in zip(("x", "y"), [*axis_titles, "", ""][:2], strict=True)
    }
    spec = {
        "height": HEIGHT,
        "layer": [
            {
                "mark": {"type": "circle", "size": _point_size(len(names)), "opacity": 0.75},
                "encoding": {**axes, "color": colour, "tooltip": tooltip},
            },
            {
                "transform": [{"filter": "datum.label != ''"}],
                "mark": {"type": "text", "dy": -8, "fontSize": 10, "color": "#333333"},
                "encoding": {**axes, "text": {"field": "label", "type": "nominal"}},
            },
        ],
    }
    return data, spec


def _colour(colouring: Colouring, n: int) -> tuple[dict[str, Any], np.ndarray | pd.Categorical]:
    """The colour encoding and each point's value for it (categories as a pandas Categorical: the
    chart's data goes to the browser as Arrow, where that is a small dictionary-encoded column)."""
    values = np.asarray(colouring.values)[:n]
    encoding: dict[str, Any] = {"field": "colour", "title": colouring.title}
    if colouring.numeric:
        name = colouring.colorscale.removesuffix("_r")
        scale: dict[str, Any] = {"scheme": SCHEMES.get(name, "viridis"), "reverse": colouring.colorscale.endswith("_r")}
        if colouring.range:
            scale["domain"] = list(colouring.range)
        return {**encoding, "type": "quantitative", "scale": scale}, values.astype(float)
    grouped, legend = categories(values)
    scale = {"domain": list(legend), "range": list(legend.values())}
    return {**encoding, "type": "nominal", "scale": scale, "sort": None}, pd.Categorical(grouped)


def _point_size(n: int) -> int:
    """Circle area in square pixels: smaller points for bigger layouts, so clusters stay visible."""
    return 30 if n <= 1_000 else 14 if n <= 10_000 else 6
