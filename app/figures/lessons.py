"""Plotly figures for the lesson widgets: vectors as strips of colours, heatmaps of counts, the
slow-motion word2vec's vectors before and after a step, and small labelled scatter plots.
Words are HTML-escaped: plotly renders its text as HTML."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go

HEIGHT = 420


def _words(words: Sequence[str]) -> list[str]:
    return [escape(str(w)) for w in words]


def strips_figure(vectors: pd.DataFrame, title: str = "") -> go.Figure:
    """One row of coloured cells per word: similar strips, similar words."""
    figure = go.Figure(
        go.Heatmap(
            z=vectors.to_numpy(),
            y=_words(vectors.index),
            x=[str(i + 1) for i in range(vectors.shape[1])],
            colorscale="RdBu",
            zmid=0,
            colorbar={"title": "value"},
            hovertemplate="%{y}, dimension %{x}: %{z:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=escape(title),
        height=max(160, 40 * len(vectors) + 90),
        margin={"l": 10, "r": 10, "t": 40, "b": 30},
        xaxis_title="dimension",
        yaxis={"autorange": "reversed"},
    )
    return figure


def one_hot_figure(vocabulary: Sequence[str], one_hot: np.ndarray) -> go.Figure:
    """The one-hot vector: a cell per vocabulary word, one of them lit."""
    figure = go.Figure(
        go.Heatmap(
            z=[one_hot],
            x=_words(vocabulary),
            y=["one-hot"],
            colorscale=[[0, "#f3f3f3"], [1, "#d62728"]],
            showscale=False,
            text=[[str(int(v)) for v in one_hot]],
            texttemplate="%{text}",
            hovertemplate="%{x}: %{z}<extra></extra>",
        )
    )
    figure.update_layout(height=140, margin={"l": 10, "r": 10, "t": 10, "b": 30})
    return figure


def matrix_figure(matrix: pd.DataFrame, title: str, *, number_format: str = ".0f") -> go.Figure:
    """A words x words heatmap with the numbers written in the cells."""
    values = matrix.to_numpy()
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=_words(matrix.columns),
            y=_words(matrix.index),
            colorscale="Blues",
            text=[[format(v, number_format) for v in row] for row in values],
            texttemplate="%{text}",
            hovertemplate="%{y} · %{x}: %{z:.2f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=escape(title),
        height=HEIGHT + 60,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        yaxis={"autorange": "reversed"},
    )
    return figure


def scatter_figure(words: Sequence[str], coords: np.ndarray, title: str, *, labels: int = 60) -> go.Figure:
    """Points in 2-D; the first ``labels`` words carry their label."""
    figure = go.Figure(_labelled_points(words, coords, labels=labels, size=6))
    figure.update_layout(
        title=escape(title), height=HEIGHT, margin={"l": 10, "r": 10, "t": 40, "b": 10}, showlegend=False
    )
    return figure


def movement_figure(
    words: Sequence[str], before: np.ndarray, after: np.ndarray, involved: Sequence[str], title: str
) -> go.Figure:
    """Every word's 2-D input vector before (grey) and after (blue); arrows for the words involved."""
    names = _words(words)
    moved = set(involved)
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=before[:, 0], y=before[:, 1], mode="markers", name="before", marker={"color": "#bbbbbb", "size": 7}
        )
    )
    figure.add_trace(
        go.Scatter(
            x=after[:, 0],
            y=after[:, 1],
            mode="markers+text",
            name="after",
            text=[n if w in moved else "" for w, n in zip(words, names, strict=True)],
            hovertext=names,
            hoverinfo="text",
            textposition="top center",
            marker={"color": ["#d62728" if w in moved else "#1f77b4" for w in words], "size": 8},
        )
    )
    for i, word in enumerate(words):
        if word in moved:
            figure.add_annotation(
                x=after[i, 0],
                y=after[i, 1],
                ax=before[i, 0],
                ay=before[i, 1],
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=2,
                arrowcolor="#d62728",
            )
    figure.update_layout(title=escape(title), height=HEIGHT, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return figure


def loss_figure(losses: Sequence[float]) -> go.Figure:
    figure = go.Figure(go.Scatter(y=list(losses), mode="lines", line={"color": "#1f77b4"}))
    figure.update_layout(
        height=220, margin={"l": 10, "r": 10, "t": 30, "b": 30}, title="loss of each step", xaxis_title="step"
    )
    return figure


def bars_figure(values: Sequence[float], title: str, *, labels: Sequence[str] | None = None) -> go.Figure:
    names = _words(labels) if labels is not None else [str(i + 1) for i in range(len(values))]
    figure = go.Figure(go.Bar(x=names, y=list(values), marker_color="#1f77b4"))
    figure.update_layout(title=escape(title), height=260, margin={"l": 10, "r": 10, "t": 40, "b": 30})
    return figure


def pictures_figure(pictures: Sequence[tuple[str, Sequence[str], np.ndarray]], *, labels: int = 40) -> go.Figure:
    """Several 2-D pictures of the same words side by side (one figure, one panel per picture)."""
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=len(pictures), subplot_titles=[escape(title) for title, _, _ in pictures])
    for column, (_, words, coords) in enumerate(pictures, start=1):
        figure.add_trace(_labelled_points(words, coords, labels=labels, size=5, text_size=9), row=1, col=column)
    figure.update_layout(height=HEIGHT + 40, margin={"l": 10, "r": 10, "t": 40, "b": 10}, showlegend=False)
    return figure


def _labelled_points(
    words: Sequence[str], coords: np.ndarray, *, labels: int, size: int, text_size: int | None = None
) -> go.Scatter:
    """2-D points, the first ``labels`` of them labelled above; every word escaped for plotly."""
    names = _words(words)
    return go.Scatter(
        x=coords[:, 0],
        y=coords[:, 1],
        mode="markers+text",
        text=[n if i < labels else "" for i, n in enumerate(names)],
        hovertext=names,
        hoverinfo="text",
        textposition="top center",
        textfont={"size": text_size} if text_size else None,
        marker={"size": size, "color": "#1f77b4", "opacity": 0.7},
    )
