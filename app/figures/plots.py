"""Plotly figures for projections: Scattergl in 2D, Scatter3d in 3D. Pure functions, so tests
can read the figure spec. customdata[0] of every point is its row in the projected space."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app.geometry.analogies import AnalogyAnswer
from app.space import EmbeddingSpace

MAX_CATEGORIES = 20
PALETTE = [
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#e45756",
    "#72b7b2",
    "#eeca3b",
    "#b279a2",
    "#ff9da6",
    "#9d755d",
    "#bab0ac",
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#333333",
]


@dataclass
class Colouring:
    """What colours the points: categories (a legend) or numbers (a colour bar)."""

    title: str
    values: Sequence
    numeric: bool = False
    colorscale: str = "Viridis"
    range: tuple[float, float] | None = None


@dataclass
class ScatterOptions:
    """Everything about the picture except the coordinates."""

    labels: int = 100
    colouring: Colouring | None = None
    hover: pd.DataFrame | None = None
    highlight: Sequence[int] = field(default_factory=list)
    highlight_name: str = "search matches"
    neighbours: Sequence[int] = field(default_factory=list)
    zoom_to_highlight: bool = True
    title: str = ""
    height: int = 640


def scatter_figure(coords: np.ndarray, words: Sequence[str], options: ScatterOptions | None = None) -> go.Figure:
    """A 2D or 3D scatter of ``coords`` with hover text, colours, labels and highlights."""
    options = options or ScatterOptions()
    coords = np.asarray(coords)
    three_d = coords.shape[1] == 3
    words = list(words)
    hover = _hover_text(words, options.hover)
    figure = go.Figure()
    for name, rows, marker in _colour_groups(options.colouring, len(words)):
        figure.add_trace(_points(coords, rows, hover, name, marker, three_d))
    if options.labels:
        rows = np.arange(min(options.labels, len(words)))
        figure.add_trace(_labels(coords, rows, words, three_d, "labels", "#444", 10))
    for rows, name, colour, symbol in (
        (options.neighbours, "neighbours", "#e45756", "diamond"),
        (options.highlight, options.highlight_name, "#000000", "circle-open"),
    ):
        rows = np.asarray(list(rows), dtype=int)
        if len(rows):
            marker = {"size": 12, "color": colour, "symbol": symbol, "line": {"width": 2, "color": colour}}
            figure.add_trace(_points(coords, rows, hover, name, marker, three_d, text=[words[i] for i in rows]))
    _layout(figure, coords, options, three_d)
    return figure


def _hover_text(words: list[str], metadata: pd.DataFrame | None) -> list[str]:
    if metadata is None or metadata.empty:
        return [f"<b>{w}</b>" for w in words]
    columns = [c for c in metadata.columns if str(c) != "word"][:6]
    values = metadata[columns].astype(str).to_numpy()
    return [
        f"<b>{w}</b><br>" + "<br>".join(f"{c}: {v}" for c, v in zip(columns, row, strict=True))
        for w, row in zip(words, values, strict=True)
    ]


def _colour_groups(colouring: Colouring | None, n: int):
    """(trace name, row indices, marker) per colour group."""
    base = {"size": 5, "opacity": 0.75}
    if colouring is None:
        yield "points", np.arange(n), {**base, "color": PALETTE[0]}
        return
    values = np.asarray(colouring.values)
    if colouring.numeric:
        marker = {
            **base,
            "color": values.astype(float),
            "colorscale": colouring.colorscale,
            "showscale": True,
            "colorbar": {"title": {"text": colouring.title}, "thickness": 12},
        }
        if colouring.range:
            marker["cmin"], marker["cmax"] = colouring.range
        yield colouring.title, np.arange(n), marker
        return
    series = pd.Series(values.astype(str))
    top = series.value_counts().index[:MAX_CATEGORIES].tolist()
    grouped = series.where(series.isin(top), "other")
    for i, category in enumerate(sorted(grouped.unique(), key=lambda c: (c == "other", _natural(c)))):
        colour = PALETTE[-1] if category == "other" else PALETTE[i % (len(PALETTE) - 1)]
        yield category, np.flatnonzero(grouped.to_numpy() == category), {**base, "color": colour}


def _natural(text: str) -> tuple:
    head = text.split(":", 1)[0].strip()
    number = head.removeprefix("-").replace(".", "", 1)
    return (0, float(head), text) if number.isascii() and number.isdigit() else (1, 0.0, text)


def _points(
    coords: np.ndarray,
    rows: Sequence[int],
    hover: list[str],
    name: str,
    marker: dict,
    three_d: bool,
    text: list[str] | None = None,
) -> go.Scattergl | go.Scatter3d:
    rows = np.asarray(rows, dtype=int)
    common = {
        "name": name,
        "mode": "markers+text" if text is not None else "markers",
        "marker": marker,
        "hovertext": [hover[i] for i in rows],
        "hoverinfo": "text",
        "customdata": rows.reshape(-1, 1),
    }
    if text is not None:
        common |= {"text": text, "textposition": "top center"}
    if three_d:
        marker3d = {k: v for k, v in marker.items() if k != "symbol" or v in ("circle", "diamond", "circle-open")}
        return go.Scatter3d(x=coords[rows, 0], y=coords[rows, 1], z=coords[rows, 2], **{**common, "marker": marker3d})
    return go.Scattergl(x=coords[rows, 0], y=coords[rows, 1], **common)


def _labels(
    coords: np.ndarray, rows: np.ndarray, words: list[str], three_d: bool, name: str, colour: str, size: int
) -> go.Scattergl | go.Scatter3d:
    text = [words[i] for i in rows]
    style = {"name": name, "mode": "text", "text": text, "hoverinfo": "skip", "showlegend": False}
    style["textfont"] = {"size": size, "color": colour}
    if three_d:
        return go.Scatter3d(x=coords[rows, 0], y=coords[rows, 1], z=coords[rows, 2], **style)
    return go.Scattergl(x=coords[rows, 0], y=coords[rows, 1], **style)


def _layout(figure: go.Figure, coords: np.ndarray, options: ScatterOptions, three_d: bool) -> None:
    figure.update_layout(
        title=options.title,
        height=options.height,
        margin={"l": 10, "r": 10, "t": 40 if options.title else 10, "b": 10},
        legend={"itemsizing": "constant", "orientation": "v"},
        dragmode="lasso" if not three_d else "orbit",
        hovermode="closest",
        uirevision="keep",
    )
    if three_d:
        figure.update_scenes(xaxis_title="", yaxis_title="", zaxis_title="")
        return
    figure.update_xaxes(showticklabels=False, title="", zeroline=False)
    figure.update_yaxes(showticklabels=False, title="", zeroline=False, scaleanchor="x", scaleratio=1)
    rows = np.asarray(list(options.highlight), dtype=int)
    if options.zoom_to_highlight and len(rows):
        low, high = coords[rows].min(axis=0), coords[rows].max(axis=0)
        pad = np.maximum((high - low) * 0.3, np.ptp(coords, axis=0) * 0.03)
        figure.update_xaxes(range=[float(low[0] - pad[0]), float(high[0] + pad[0])])
        figure.update_yaxes(range=[float(low[1] - pad[1]), float(high[1] + pad[1])])


def analogy_figure(space: EmbeddingSpace, answer: AnalogyAnswer, answers_shown: int = 3) -> go.Figure:
    """a, b, c, the top answers (and the expected word) in a PCA of just those words, with the
    offsets b − a and ? − c drawn as arrows and the ideal point c + (b − a) marked, so the
    parallelogram is visible, or visibly missing."""
    top = [w for w in answer.table["word"].tolist()[:answers_shown] if w not in (answer.a, answer.b, answer.c)]
    words = list(dict.fromkeys([answer.a, answer.b, answer.c, *top, *([answer.expected] if answer.expected else [])]))
    unit = np.vstack([space.unit_vectors[space.index(w)] for w in words])
    ideal = unit[1] - unit[0] + unit[2]
    centred = np.vstack([unit, ideal]) - unit.mean(axis=0)
    _, _, axes = np.linalg.svd(centred[:-1], full_matrices=False)
    xy = centred @ axes[:2].T
    position = {w: xy[i] for i, w in enumerate(words)}
    roles = {answer.a: "a", answer.b: "b", answer.c: "c"}
    colours = {"a": "#4c78a8", "b": "#4c78a8", "c": "#f58518"}
    figure = go.Figure()
    for word in words:
        role = roles.get(word, "expected" if word == answer.expected else "answer")
        figure.add_trace(
            go.Scatter(
                x=[position[word][0]],
                y=[position[word][1]],
                mode="markers+text",
                text=[f"{word} ({role})" if role in roles.values() else word],
                textposition="top center",
                marker={"size": 12, "color": colours.get(role, "#e45756" if role == "answer" else "#54a24b")},
                name=role,
                showlegend=False,
                hovertext=f"{word}: {role}",
                hoverinfo="text",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=[xy[-1][0]],
            y=[xy[-1][1]],
            mode="markers+text",
            text=["c + (b − a)"],
            textposition="bottom center",
            marker={"size": 14, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": "#333"}, "symbol": "x-open"},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    arrows = [(answer.a, answer.b, "#4c78a8", "b − a"), (answer.c, answer.best, "#e45756", "? − c")]
    for start, end, colour, label in arrows:
        figure.add_annotation(
            x=position[end][0],
            y=position[end][1],
            ax=position[start][0],
            ay=position[start][1],
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=3,
            arrowwidth=2,
            arrowcolor=colour,
            standoff=8,
            startstandoff=8,
            text="",
        )
        middle = (position[start] + position[end]) / 2
        figure.add_annotation(
            x=middle[0], y=middle[1], text=label, showarrow=False, font={"color": colour}, bgcolor="white"
        )
    figure.add_shape(
        type="line",
        x0=position[answer.c][0],
        y0=position[answer.c][1],
        x1=xy[-1][0],
        y1=xy[-1][1],
        line={"dash": "dot", "color": "#999"},
    )
    figure.update_layout(height=460, margin={"l": 10, "r": 10, "t": 30, "b": 10}, title="The analogy in 2D (PCA)")
    figure.update_xaxes(showticklabels=False, zeroline=False)
    figure.update_yaxes(showticklabels=False, zeroline=False, scaleanchor="x", scaleratio=1)
    return figure


def projection_bars(table: pd.DataFrame, *, band: float, title: str, positive: str, negative: str) -> go.Figure:
    """Words sorted by their projection on a direction, as horizontal bars, with a grey neutral band."""
    ordered = table.sort_values("projection")
    colours = ["#e45756" if v > band else "#4c78a8" if v < -band else "#bab0ac" for v in ordered["projection"]]
    figure = go.Figure(
        go.Bar(
            x=ordered["projection"],
            y=ordered["word"],
            orientation="h",
            marker_color=colours,
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    figure.add_vrect(x0=-band, x1=band, fillcolor="#999", opacity=0.15, line_width=0, layer="below")
    figure.update_layout(
        title=title,
        height=max(320, 16 * len(ordered) + 80),
        margin={"l": 10, "r": 10, "t": 40, "b": 30},
        xaxis_title=f"← {negative}   ·   cosine with the direction   ·   {positive} →",
        yaxis={"automargin": True, "tickfont": {"size": 10}},
    )
    return figure


def two_axis_figure(table: pd.DataFrame, *, x_name: str, y_name: str) -> go.Figure:
    """Words placed by their cosine with two directions (as whatlies and Parallax do)."""
    figure = go.Figure(
        go.Scatter(
            x=table["x"],
            y=table["y"],
            mode="markers+text",
            text=table["word"],
            textposition="top center",
            marker={"size": 7, "color": "#4c78a8"},
            hovertemplate="%{text}: (%{x:.3f}, %{y:.3f})<extra></extra>",
        )
    )
    figure.add_hline(y=0, line_color="#ccc")
    figure.add_vline(x=0, line_color="#ccc")
    figure.update_layout(
        height=520, margin={"l": 10, "r": 10, "t": 30, "b": 40}, xaxis_title=x_name, yaxis_title=y_name
    )
    return figure


def variance_bars(ratios: Sequence[float]) -> go.Figure:
    """Share of the pairs' variance per principal component: is one direction justified?"""
    figure = go.Figure(go.Bar(x=[f"PC{i + 1}" for i in range(len(ratios))], y=list(ratios), marker_color="#4c78a8"))
    figure.update_layout(
        height=220, margin={"l": 10, "r": 10, "t": 10, "b": 10}, yaxis={"tickformat": ".0%", "title": "variance"}
    )
    return figure


def section_bars(results: dict[str, pd.DataFrame]) -> go.Figure:
    """Analogy accuracy per section, one bar group per space; Google's 'gram' sections are syntactic."""
    figure = go.Figure()
    for name, sections in results.items():
        kinds = ["syntactic" if str(s).startswith("gram") else "semantic" for s in sections["section"]]
        figure.add_trace(
            go.Bar(
                x=sections["section"],
                y=sections["accuracy"],
                name=name,
                customdata=np.column_stack([sections["correct"], sections["total"], kinds]),
                hovertemplate="%{x}: %{y:.1%} (%{customdata[0]} of %{customdata[1]}, %{customdata[2]})<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="group",
        height=420,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"tickformat": ".0%", "title": "accuracy", "range": [0, 1]},
        legend={"orientation": "h", "y": 1.1},
    )
    return figure


def pairs_scatter(pairs: pd.DataFrame, *, title: str) -> go.Figure:
    """Human judgement against model cosine, one point per word pair (out-of-vocabulary pairs left out)."""
    shown = pairs[~pairs["oov"]] if "oov" in pairs else pairs
    figure = go.Figure(
        go.Scattergl(
            x=shown["human"],
            y=shown["model"],
            mode="markers",
            marker={"size": 6, "opacity": 0.6, "color": "#4c78a8"},
            text=shown["word1"] + " – " + shown["word2"],
            hovertemplate="%{text}<br>human %{x}<br>model %{y:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=title,
        height=420,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis_title="human score",
        yaxis_title="model cosine similarity",
    )
    return figure
