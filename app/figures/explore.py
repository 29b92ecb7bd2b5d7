"""Explore's picture: Scattergl in 2D, Scatter3d in 3D, and what colours it.

Pure functions, so tests can read the figure spec. customdata[0] of every point is its row in
``words`` (the projected points first, then any points placed afterwards). Every text that comes
from data (words, metadata, category names) is escaped for plotly (see app.figures.common).
Points that are images (``images``: a PNG data URI per row) show their picture in the hover text
and, in 2D, as thumbnails drawn at up to ``MAX_THUMBNAILS`` points (plotly layout images).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app.figures.common import PALETTE, escape, escape_all
from app.figures.labels import readable_labels
from app.geometry.clusters import Clustering
from app.io.images import hover_picture
from app.projection.methods import METHODS, Projection
from app.space import EmbeddingSpace

__all__ = [
    "MAX_CATEGORIES",
    "PALETTE",
    "Colouring",
    "ScatterOptions",
    "add_overlays",
    "base_traces",
    "colour_groups",
    "scatter_figure",
]

MAX_CATEGORIES = 20
MAX_THUMBNAILS = 300  # layout images in one picture: each is an SVG element the browser redraws on zoom
THUMBNAILS_ACROSS = 25  # a thumbnail is this fraction of the picture's width: small, and few overlap
CLUSTER_CHOICES = ("kmeans", "hdbscan")
SYMBOLS_3D = ("circle", "circle-open", "diamond", "square")


@dataclass(frozen=True)
class Colouring:
    """What colours the points: categories (a legend) or numbers (a colour bar)."""

    title: str
    values: Sequence[Any] | np.ndarray
    numeric: bool = False
    colorscale: str = "Viridis"
    range: tuple[float, float] | None = None


@dataclass
class ScatterOptions:
    """Everything about the picture except the coordinates.

    The last ``placed`` rows were not projected but placed afterwards (a word the page talks
    about that is not among the chosen points): they are drawn only where they are marked.
    """

    labels: int = 100
    colouring: Colouring | None = None
    hover: pd.DataFrame | None = None
    highlight: Sequence[int] = field(default_factory=list)
    highlight_name: str = "search matches"
    neighbours: Sequence[int] = field(default_factory=list)
    query_words: Sequence[int] = field(default_factory=list)
    placed: int = 0
    placed_note: str = "not among the chosen points: placed near its nearest neighbours"
    axis_titles: Sequence[str] = ()
    zoom_to_highlight: bool = True
    title: str = ""
    height: int = 640


# --- what colours the points --------------------------------------------------------------
def colour_options(space: EmbeddingSpace) -> dict[str, str]:
    """The ways to colour ``space``'s points, as {choice: label}."""
    options = {"none": "one colour", "kmeans": "clusters (k-means)", "hdbscan": "clusters (HDBSCAN, density)"}
    options["rank"] = "position in the file (frequency rank)"
    if space.metadata is not None:
        options |= {f"meta:{c}": f"metadata: {c}" for c in space.metadata.columns if str(c) != "frequency_rank"}
    options["distortion"] = "distortion: neighbours kept"
    return options


def default_colour(space: EmbeddingSpace) -> str:
    """A metadata column with 2 to 20 values when there is one (digits: the digit), else k-means."""
    options = colour_options(space)
    if space.metadata is not None:
        for column in space.metadata.columns:
            if f"meta:{column}" in options and 1 < space.metadata[column].nunique() <= MAX_CATEGORIES:
                return f"meta:{column}"
    return "kmeans"


def colouring_for(
    space: EmbeddingSpace,
    choice: str,
    *,
    clustering: Clustering | None = None,
    kept: np.ndarray | None = None,
) -> Colouring | None:
    """The colouring for one of ``colour_options``; None (one colour) when its data is missing."""
    if choice in CLUSTER_CHOICES:
        return Colouring("cluster", clustering.label_names()) if clustering is not None else None
    if choice == "rank":
        ranks = space.metadata.get("frequency_rank") if space.metadata is not None else None
        values = ranks.to_numpy() if ranks is not None else np.arange(1, len(space) + 1)
        return Colouring("log10 rank", np.log10(values.astype(float)), numeric=True, colorscale="Plasma_r")
    if choice.startswith("meta:") and space.metadata is not None and choice[5:] in space.metadata:
        column = space.metadata[choice[5:]]
        numeric = pd.api.types.is_numeric_dtype(column) and column.nunique() > MAX_CATEGORIES
        return Colouring(choice[5:], column.to_numpy(), numeric=numeric)
    if choice == "distortion" and kept is not None:
        return Colouring("neighbours kept", kept, numeric=True, colorscale="RdYlGn", range=(0, 1))
    return None


def point_names(space: EmbeddingSpace, words: list[str], column: str) -> list[str]:
    """What each point is called in the picture: its name, or its value in a metadata column."""
    if not column or space.metadata is None or column not in space.metadata.columns:
        return words
    values = space.metadata[column].astype(str).to_numpy()
    return [str(values[space.index(w)]) if w in space else w for w in words]


def axis_titles(projection: Projection) -> tuple[str, ...]:
    """What each axis is: 'PC 1 (12% of variance)'; t-SNE and UMAP axes have no unit."""
    if projection.method == "pca" and projection.explained_variance:
        return tuple(f"PC {i + 1} ({v:.0%} of variance)" for i, v in enumerate(projection.explained_variance))
    label = METHODS[projection.method].label if projection.method in METHODS else projection.method
    return tuple(f"{label} {i + 1}, no unit" for i in range(projection.n_components))


# --- the figure -----------------------------------------------------------------------------
def scatter_figure(
    coords: np.ndarray,
    words: Sequence[str],
    options: ScatterOptions | None = None,
    *,
    images: Sequence[str | None] | None = None,
) -> go.Figure:
    """A 2D or 3D scatter of ``coords`` with hover text, colours, readable labels and marked points;
    with ``images`` (a data URI or None per row), pictures in the hover text and thumbnails."""
    options = options or ScatterOptions()
    base = go.Figure(data=base_traces(coords, words, options, images=images), skip_invalid=False)
    return add_overlays(base, coords, words, options, images=images)


def base_traces(
    coords: np.ndarray,
    words: Sequence[str],
    options: ScatterOptions,
    *,
    images: Sequence[str | None] | None = None,
) -> list[go.Scattergl | go.Scatter3d]:
    """The projected points, one trace per colour group: the bulk of the figure. It depends on the
    points, their names, hover and colours only (not on labels, marks or zoom), so a page can build
    it once and add the small overlays per run."""
    coords = np.asarray(coords)
    three_d = coords.shape[1] == 3
    projected = len(words) - options.placed
    rows = np.arange(projected)
    hover = _hover_rows(words, rows, options, images)
    by_row = dict(zip(rows.tolist(), hover, strict=True))
    return [
        _points(coords, group, by_row, escape(name), marker, three_d)
        for name, group, marker in colour_groups(options.colouring, projected)
    ]


def add_overlays(
    figure: go.Figure,
    coords: np.ndarray,
    words: Sequence[str],
    options: ScatterOptions,
    *,
    images: Sequence[str | None] | None = None,
) -> go.Figure:
    """Readable labels, the marked points (neighbours, query words, matches), the layout with its
    zoom and the thumbnails, added to ``figure`` (the base traces): a few hundred points at most."""
    coords = np.asarray(coords)
    three_d = coords.shape[1] == 3
    words = list(words)
    projected = len(words) - options.placed
    marked = [
        (options.neighbours, "neighbours", "#e45756", "diamond"),
        (options.query_words, "query words", "#f58518", "square"),
        (options.highlight, options.highlight_name, "#000000", "circle-open"),
    ]
    marked_rows = [int(r) for rows, *_ in marked for r in rows]
    view = _zoom(coords, options) if not three_d else None
    candidates = list(range(min(options.labels, projected)))
    shown_words = {i: escape(words[i]) for i in candidates + marked_rows}  # escaped, only where shown
    if options.labels:
        if three_d:  # the camera is the user's: no way to know what covers what
            labelled = [r for r in candidates if r not in set(marked_rows)]
        else:
            labelled = readable_labels(coords, words, candidates, reserved=marked_rows, view=view)
        if labelled:
            figure.add_trace(_labels(coords, np.asarray(labelled, dtype=int), shown_words, three_d))
    hover = dict(zip(marked_rows, _hover_rows(words, np.asarray(marked_rows, dtype=int), options, images), strict=True))
    for group, name, colour, symbol in marked:
        rows = np.asarray(list(group), dtype=int)
        if len(rows):
            marker = {"size": 12, "color": colour, "symbol": symbol, "line": {"width": 2, "color": colour}}
            text = [shown_words[i] for i in rows]
            figure.add_trace(_points(coords, rows, hover, escape(name), marker, three_d, text=text))
    _layout(figure, options, three_d, view)
    if images is not None:
        figure.update_traces(hoverlabel={"font": {"family": "monospace"}})  # the picture's shades line up
        if not three_d:  # a 3D scene has no layout images
            figure.update_layout(images=_thumbnails(coords, images[:projected], view))
    return figure


def _hover_rows(
    words: Sequence[str], rows: np.ndarray, options: ScatterOptions, images: Sequence[str | None] | None
) -> list[str]:
    """The hover text of ``rows`` (projected rows first in ``words``, then placed ones)."""
    projected = len(words) - options.placed
    mine = [int(r) for r in rows if r < projected]
    placed = [int(r) for r in rows if r >= projected]
    metadata = options.hover
    if metadata is not None and not metadata.empty and len(mine) < projected:
        metadata = metadata.iloc[mine]
    texts = _hover_text([words[r] for r in mine + placed], metadata, len(mine), options.placed_note)
    by_row = dict(zip(mine + placed, texts, strict=True))
    hover = [by_row[int(r)] for r in rows]
    if images is not None:
        hover = [
            f"{text}<br>{hover_picture(images[r])}" if images[r] else text for text, r in zip(hover, rows, strict=True)
        ]
    return hover


def _thumbnails(
    coords: np.ndarray, images: Sequence[str | None], view: tuple[tuple[float, float], tuple[float, float]] | None
) -> list[dict[str, Any]]:
    """Layout images for up to MAX_THUMBNAILS points in view, first rows first, one per grid cell
    and none closer than most of a thumbnail to another, so they rarely cover each other."""
    rows = [i for i, uri in enumerate(images) if uri]
    if not rows:
        return []
    low = coords[rows, :2].min(axis=0) if view is None else np.array([view[0][0], view[1][0]])
    high = coords[rows, :2].max(axis=0) if view is None else np.array([view[0][1], view[1][1]])
    size = float(max(high - low) or 1.0) / THUMBNAILS_ACROSS
    taken: dict[tuple[int, int], np.ndarray] = {}
    chosen = []
    for row in rows:
        point = coords[row, :2]
        if np.any(point < low) or np.any(point > high):
            continue
        cell = (int((point[0] - low[0]) // size), int((point[1] - low[1]) // size))
        near = (taken.get((cell[0] + dx, cell[1] + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
        if any(other is not None and np.max(np.abs(other - point)) < 0.8 * size for other in near):
            continue
        taken[cell] = point
        chosen.append(row)
        if len(chosen) >= MAX_THUMBNAILS:
            break
    return [
        {
            "source": images[row],
            "xref": "x",
            "yref": "y",
            "x": float(coords[row, 0]),
            "y": float(coords[row, 1]),
            "sizex": size,
            "sizey": size,
            "xanchor": "center",
            "yanchor": "middle",
            "layer": "above",
        }
        for row in chosen
    ]


def _hover_text(words: list[str], metadata: pd.DataFrame | None, projected: int, placed_note: str) -> list[str]:
    """'<b>word</b>' and up to six metadata fields per point, every value escaped."""
    names = escape_all(words)
    if metadata is None or metadata.empty:
        lines = [f"<b>{w}</b>" for w in names[:projected]]
    else:
        columns = [c for c in metadata.columns if str(c) != "word"][:6]
        values = metadata[columns].astype(str).to_numpy()[:projected]
        shown = escape_all(columns)
        lines = [
            f"<b>{w}</b><br>" + "<br>".join(f"{c}: {escape(v)}" for c, v in zip(shown, row, strict=True))
            for w, row in zip(names[:projected], values, strict=True)
        ]
    return lines + [f"<b>{w}</b><br><i>{escape(placed_note)}</i>" for w in names[projected:]]


def colour_groups(colouring: Colouring | None, n: int) -> Iterator[tuple[str, np.ndarray, dict[str, Any]]]:
    """(trace name, row indices, marker) per colour group; names are escaped by the caller."""
    base = {"size": 5, "opacity": 0.75}
    if colouring is None:
        yield "points", np.arange(n), {**base, "color": PALETTE[0]}
        return
    values = np.asarray(colouring.values)[:n]
    if colouring.numeric:
        marker = {
            **base,
            "color": values.astype(float),
            "colorscale": colouring.colorscale,
            "showscale": True,
            "colorbar": {"title": {"text": escape(colouring.title)}, "thickness": 12},
        }
        if colouring.range:
            marker["cmin"], marker["cmax"] = colouring.range
        yield colouring.title, np.arange(n), marker
        return
    grouped, legend = categories(values)
    codes = pd.Categorical(grouped, categories=list(legend)).codes  # small integers: a million rows split fast
    for i, (category, colour) in enumerate(legend.items()):
        yield category, np.flatnonzero(codes == i), {**base, "color": colour}


def categories(values: Sequence[Any] | np.ndarray) -> tuple[np.ndarray, dict[str, str]]:
    """Each value's category (the ``MAX_CATEGORIES`` most common values; the rest "other") and the
    legend: every category's colour, in legend order (natural order, "other" last and grey)."""
    series = pd.Series(np.asarray(values).astype(str))
    top = series.value_counts().index[:MAX_CATEGORIES].tolist()
    grouped = series.where(series.isin(top), "other").to_numpy()
    ordered = sorted(set(grouped), key=lambda c: (c == "other", _natural(c)))
    legend = {c: PALETTE[-1] if c == "other" else PALETTE[i % (len(PALETTE) - 1)] for i, c in enumerate(ordered)}
    return grouped, legend


def _natural(text: str) -> tuple[int, float, str]:
    head = text.split(":", 1)[0].strip()
    number = head.removeprefix("-").replace(".", "", 1)
    return (0, float(head), text) if number.isascii() and number.isdigit() else (1, 0.0, text)


def _points(
    coords: np.ndarray,
    rows: np.ndarray,
    hover: dict[int, str],
    name: str,
    marker: dict[str, Any],
    three_d: bool,
    text: list[str] | None = None,
) -> go.Scattergl | go.Scatter3d:
    rows = np.asarray(rows, dtype=int)
    common: dict[str, Any] = {
        "name": name,
        "mode": "markers+text" if text is not None else "markers",
        "marker": marker,
        "hovertext": [hover[int(i)] for i in rows],
        "hoverinfo": "text",
        "customdata": rows.reshape(-1, 1),
    }
    if text is not None:
        common |= {"text": text, "textposition": "top center"}
    if three_d:
        marker3d = {k: v for k, v in marker.items() if k != "symbol" or v in SYMBOLS_3D}
        return go.Scatter3d(x=coords[rows, 0], y=coords[rows, 1], z=coords[rows, 2], **{**common, "marker": marker3d})
    return go.Scattergl(x=coords[rows, 0], y=coords[rows, 1], **common)


def _labels(coords: np.ndarray, rows: np.ndarray, words: dict[int, str], three_d: bool) -> go.Scattergl | go.Scatter3d:
    style: dict[str, Any] = {
        "name": "labels",
        "mode": "text",
        "text": [words[int(i)] for i in rows],
        "textposition": "top center",  # above its point, not on it
        "hoverinfo": "skip",
        "showlegend": False,
        "textfont": {"size": 10, "color": "#444"},
    }
    if three_d:
        return go.Scatter3d(x=coords[rows, 0], y=coords[rows, 1], z=coords[rows, 2], **style)
    return go.Scattergl(x=coords[rows, 0], y=coords[rows, 1], **style)


def _zoom(coords: np.ndarray, options: ScatterOptions) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The visible ranges around the highlighted points, or None for the whole picture."""
    rows = np.asarray(list(options.highlight), dtype=int)
    if not (options.zoom_to_highlight and len(rows)):
        return None
    low, high = coords[rows].min(axis=0), coords[rows].max(axis=0)
    pad = np.maximum((high - low) * 0.3, np.ptp(coords, axis=0) * 0.03)
    return (float(low[0] - pad[0]), float(high[0] + pad[0])), (float(low[1] - pad[1]), float(high[1] + pad[1]))


def _layout(
    figure: go.Figure,
    options: ScatterOptions,
    three_d: bool,
    view: tuple[tuple[float, float], tuple[float, float]] | None,
) -> None:
    titles = [escape(t) for t in options.axis_titles] + [""] * 3
    figure.update_layout(
        title=escape(options.title),
        height=options.height,
        # the top margin holds plotly's toolbar, so it never covers the legend below it
        margin={"l": 10, "r": 10, "t": 60 if options.title else 40, "b": 10},
        legend={"itemsizing": "constant", "orientation": "v", "y": 1, "yanchor": "top"},
        dragmode="lasso" if not three_d else "orbit",
        hovermode="closest",
        uirevision="keep",
    )
    if three_d:
        figure.update_scenes(xaxis_title=titles[0], yaxis_title=titles[1], zaxis_title=titles[2])
        return
    figure.update_xaxes(showticklabels=False, title=titles[0], zeroline=False)
    figure.update_yaxes(showticklabels=False, title=titles[1], zeroline=False, scaleanchor="x", scaleratio=1)
    if view is not None:
        figure.update_xaxes(range=list(view[0]))
        figure.update_yaxes(range=list(view[1]))
