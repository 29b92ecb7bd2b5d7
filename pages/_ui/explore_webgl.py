"""Explore's big pictures: which pictures go to the WebGL scatter, and its parts, cached.

The binary parts (app.figures.scatter_data) are kept in the same result caches as projections,
keyed on fingerprints and settings, so a rerun that changes only highlights, labels or the find
box re-packs nothing and the browser fetches nothing (it holds the parts by content hash).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from app.figures.explore import Colouring
from app.figures.scatter_data import WebglPicture, marks_for, pack_colours, pack_labels, pack_points
from app.space import EmbeddingSpace
from pages._ui import cached
from pages._ui.explore_plotly import BUILDS

WEBGL_FROM = 20_000  # 2D pictures with more points than this are drawn with WebGL (see bench/render_1m.py)


def wants_webgl(points: int, dims: int) -> bool:
    """3D always Plotly; 2D with many points WebGL, when this server and browser can serve it."""
    from pages.components import scatter

    return dims == 2 and points > WEBGL_FROM and scatter.available()


def webgl_picture(
    shown_space: EmbeddingSpace,
    key: tuple,
    *,
    coords: np.ndarray,
    names: Sequence[str],
    colouring: Colouring | None,
    colour_key: tuple,
    placed: int,
    rows: dict[str, Sequence[int]],
    mark_names: dict[str, str],
    labels: int,
) -> WebglPicture:
    """The WebGL picture of ``coords``; ``key`` names the points and their names, ``colour_key``
    the colouring, so each part is packed once per setting."""
    results = cached.results(shared=shown_space.shared)

    def packed(part: str, pack: Callable[[], Any]) -> Callable[[], Any]:
        def counted() -> Any:
            BUILDS[f"webgl {part}"] += 1
            return pack()

        return counted

    points = results.get_or_compute(("webgl_points", *key), packed("points", lambda: pack_points(coords)))
    label_part = results.get_or_compute(("webgl_labels", *key), packed("labels", lambda: pack_labels(names)))
    colours = results.get_or_compute(
        ("webgl_colours", *key, *colour_key),
        packed("colours", lambda: pack_colours(colouring, len(coords), projected=len(coords) - placed)),
    )
    return WebglPicture(
        n=len(coords),
        points=points,
        labels=label_part,
        colours=colours,
        marks=marks_for(rows, mark_names),
        labelled=list(range(min(labels, len(coords) - placed))),
        zoom_to=[int(r) for r in rows.get("found", [])],
    )
