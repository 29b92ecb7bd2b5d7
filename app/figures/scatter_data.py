"""Explore's big picture as binary parts for the WebGL scatter (never JSON): coordinates, colour
codes and labels, each with a content hash so the browser fetches a part only when it changed.

Layouts (little-endian), read by pages/components/scatter/frontend/src/parts.js:
- ``points``: float32 x[n] then float32 y[n], scaled into [-1, 1] with the aspect ratio kept;
- ``colours``: uint16 category code per point (``kind == "category"``), or float32 in [0, 1]
  (``kind == "value"``), or empty (``kind == "none"``);
- ``labels``: uint32 n, uint32 offsets[n + 1] into the UTF-8 bytes that follow.

The colours and legend follow the Plotly picture (app.figures.explore.colour_groups), so both
pictures of the same points look alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from plotly.colors import sample_colorscale

from app.figures.common import GREY
from app.figures.explore import Colouring, colour_groups

SCALE_STOPS = 32  # colours sampled from a numeric colour scale
DENSITY_FROM = 50_000  # more points than this: opacity follows the local density (a density view)
MARKS = (  # (group, colour, symbol): as the Plotly picture marks them
    ("neighbours", "#e45756", "diamond"),
    ("query", "#f58518", "square"),
    ("found", "#000000", "circle"),
)


@dataclass(frozen=True)
class Part:
    """One binary part and the hash of its bytes (what the browser caches it under)."""

    data: bytes
    hash: str

    @classmethod
    def of(cls, data: bytes) -> Part:
        return cls(data, hashlib.blake2b(data, digest_size=16).hexdigest())


@dataclass(frozen=True)
class ColourParts:
    """The colour part and its legend: ``names`` and ``colours`` per category, or a scale."""

    part: Part
    legend: dict[str, Any]


@dataclass(frozen=True)
class WebglPicture:
    """Everything the WebGL scatter needs: binary parts plus a small JSON description."""

    n: int
    points: Part
    labels: Part
    colours: ColourParts
    marks: list[dict[str, Any]] = field(default_factory=list)
    labelled: list[int] = field(default_factory=list)
    zoom_to: list[int] = field(default_factory=list)

    @property
    def parts(self) -> dict[str, Part]:
        return {"points": self.points, "colours": self.colours.part, "labels": self.labels}

    @property
    def nbytes(self) -> int:
        return sum(len(part.data) for part in self.parts.values())

    def description(self) -> dict[str, Any]:
        """The JSON-sized arguments (no per-point data except the few marked and labelled rows)."""
        return {
            "n": self.n,
            "colour": self.colours.legend,
            "marks": self.marks,
            "labelled": self.labelled,
            "zoom_to": self.zoom_to,
            "density": self.n > DENSITY_FROM,
        }


# --- packing --------------------------------------------------------------------------------
def pack_points(coords: np.ndarray) -> Part:
    """x then y as float32, centred and scaled so the longer side spans [-1, 1]."""
    xy = np.asarray(coords, dtype=np.float64)[:, :2]
    if len(xy) == 0:
        return Part.of(b"")
    low, high = np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)
    half = float(np.max(high - low)) / 2 or 1.0
    scaled = (xy - (low + high) / 2) / half
    scaled = np.nan_to_num(scaled, nan=0.0).astype("<f4")
    return Part.of(np.ascontiguousarray(scaled.T).tobytes())


def pack_labels(names: Sequence[str]) -> Part:
    """uint32 count, uint32 offsets[n + 1], then the UTF-8 bytes of every name."""
    encoded = [str(name).encode("utf-8") for name in names]
    offsets = np.zeros(len(encoded) + 1, dtype="<u4")
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    header = np.array([len(encoded)], dtype="<u4").tobytes()
    return Part.of(header + offsets.tobytes() + b"".join(encoded))


def pack_colours(colouring: Colouring | None, n: int, *, projected: int | None = None) -> ColourParts:
    """Category codes (uint16) with a legend, or values in [0, 1] (float32) with a colour scale.
    Rows past ``projected`` (points placed afterwards) get a grey "placed" category."""
    projected = n if projected is None else projected
    if colouring is None:
        return ColourParts(Part.of(b""), {"kind": "none", "title": "", "colours": [_PLAIN]})
    if colouring.numeric:
        values = np.asarray(colouring.values, dtype=np.float64)[:projected]
        low, high = colouring.range or (float(np.nanmin(values)), float(np.nanmax(values)))
        scaled = np.clip((values - low) / ((high - low) or 1.0), 0.0, 1.0)
        full = np.zeros(n, dtype="<f4")
        full[:projected] = np.nan_to_num(scaled, nan=0.0)
        stops = sample_colorscale(colouring.colorscale, list(np.linspace(0, 1, SCALE_STOPS)))
        legend = {"kind": "value", "title": colouring.title, "colours": [_hex(c) for c in stops]}
        legend |= {"low": f"{low:.3g}", "high": f"{high:.3g}"}
        return ColourParts(Part.of(full.tobytes()), legend)
    codes = np.zeros(n, dtype="<u2")
    names, colours = [], []
    for code, (name, rows, marker) in enumerate(colour_groups(colouring, projected)):
        codes[rows] = code
        names.append(name)
        colours.append(str(marker["color"]))
    if projected < n:
        codes[projected:] = len(names)
        names.append("placed")
        colours.append(GREY)
    legend = {"kind": "category", "title": colouring.title, "names": names, "colours": colours}
    return ColourParts(Part.of(codes.tobytes()), legend)


_PLAIN = "#4c78a8"


def _hex(colour: str) -> str:
    """'rgb(12, 34, 56)' (what plotly's scales give) as '#0c2238'; hex stays as it is."""
    if colour.startswith("#"):
        return colour
    parts = [int(round(float(v))) for v in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3]]
    return "#" + "".join(f"{min(max(v, 0), 255):02x}" for v in parts)


def marks_for(rows: dict[str, Sequence[int]], names: dict[str, str]) -> list[dict[str, Any]]:
    """The marked groups (neighbours, query words, search matches) drawn over the points."""
    return [
        {"name": names.get(group, group), "rows": [int(r) for r in rows[group]], "colour": colour, "symbol": symbol}
        for group, colour, symbol in MARKS
        if len(rows.get(group, ()))
    ]


# --- reading back (tests, the benchmark) ------------------------------------------------------
def unpack_points(data: bytes) -> np.ndarray:
    flat = np.frombuffer(data, dtype="<f4")
    return flat.reshape(2, -1).T


def unpack_labels(data: bytes) -> list[str]:
    count = int(np.frombuffer(data, dtype="<u4", count=1)[0])
    offsets = np.frombuffer(data, dtype="<u4", count=count + 1, offset=4)
    body = data[4 * (count + 2) :]
    return [body[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
