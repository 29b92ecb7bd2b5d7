"""Explore's WebGL scatter as a Streamlit component (regl-scatterplot, bundled in frontend/dist).

``webgl_scatter`` stores the picture's binary parts for this browser (app.runtime.picture_store)
and sends the component only their tokens and hashes; the component fetches each part from the
app's /_lab/scatter route (route.py) unless it already holds that hash. It returns the rows the
user selected with the box or lasso. ``available()`` says whether this run can use it: the route
is mounted (the app runs through lab_server.py) and the browser sent its XSRF cookie.

Rebuild the bundle after changing frontend/src: ``make component`` (needs npm; the app does not).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit.components.v1 as components

from app.figures.scatter_data import WebglPicture
from app.runtime.picture_store import STORE
from pages._ui import cached

DIST = Path(__file__).parent / "frontend" / "dist"
ENDPOINT = "../../_lab/scatter"  # relative to the component's page, /component/<name>/index.html
_mounted = False


def _component() -> Any:
    """The declared component. Declared on first use, inside a page run: lab_server.py imports this
    module before Streamlit's runtime (and its component registry) exists."""
    return components.declare_component("webgl_scatter", path=str(DIST))


def mount() -> None:
    """Called by lab_server.py when it adds the route: pictures can be served."""
    global _mounted
    _mounted = True


def available() -> bool:
    return _mounted and cached.browser_id() is not None and (DIST / "scatter.js").exists()


def webgl_scatter(picture: WebglPicture, *, key: str, height: int = 640) -> list[int]:
    """Draw ``picture``; the selected rows (box, lasso, shift+drag), or [] when none."""
    owner = cached.browser_id()
    if owner is None:
        raise RuntimeError("the WebGL scatter needs the browser's cookie (see available())")
    parts = {
        name: {"token": STORE.put(owner, part.data, part.hash), "hash": part.hash, "bytes": len(part.data)}
        for name, part in picture.parts.items()
    }
    value: Any = _component()(
        **picture.description(), parts=parts, endpoint=ENDPOINT, height=height, key=key, default=None
    )
    if not isinstance(value, dict) or value.get("hash") != picture.points.hash:
        return []  # nothing chosen yet, or chosen in an earlier picture
    rows = value.get("rows") or []
    return [int(r) for r in rows if isinstance(r, int) and 0 <= r < picture.n]
