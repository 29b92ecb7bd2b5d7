"""Figures for the Train page: the Zipf plot of a corpus, the loss curve, and the epoch playback."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

ZIPF_POINTS = 2_000  # a log-spaced subset of ranks draws the same curve as the full vocabulary


def zipf_figure(frequencies: pd.DataFrame) -> go.Figure:
    """Rank against frequency on log-log axes, with Zipf's law (count ∝ 1/rank) for comparison.

    ``frequencies`` has columns rank, word, count, sorted by count (``CorpusStats.frequencies``).
    """
    shown = _log_spaced(frequencies, ZIPF_POINTS)
    figure = go.Figure(
        go.Scatter(
            x=shown["rank"],
            y=shown["count"],
            mode="markers",
            name="words",
            text=shown["word"],
            hovertemplate="%{text}<br>rank %{x:,}<br>%{y:,} times<extra></extra>",
            marker={"size": 5},
        )
    )
    if len(frequencies):
        top = float(frequencies["count"].iloc[0])
        ranks = np.array([1.0, float(frequencies["rank"].iloc[-1])])
        figure.add_scatter(x=ranks, y=top / ranks, mode="lines", name="Zipf: count ∝ 1/rank", line={"dash": "dash"})
    figure.update_layout(
        xaxis={"type": "log", "title": "rank (1 = most frequent word)", "dtick": 1, "tickformat": ","},
        yaxis={"type": "log", "title": "how many times it occurs", "dtick": 1, "tickformat": ","},
        height=340,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.1},
    )
    return figure


def _log_spaced(frequencies: pd.DataFrame, points: int) -> pd.DataFrame:
    if len(frequencies) <= points:
        return frequencies
    rows = np.unique(np.geomspace(1, len(frequencies), points).astype(int) - 1)
    return frequencies.iloc[rows]


def loss_figure(epochs: Sequence[int], losses: Sequence[float | None]) -> go.Figure:
    """The training loss per epoch (gensim computes it for word2vec only); gaps where it is unknown."""
    figure = go.Figure(
        go.Scatter(
            x=list(epochs),
            y=[np.nan if loss is None else loss for loss in losses],
            mode="lines+markers",
            hovertemplate="epoch %{x}<br>loss %{y:,.0f}<extra></extra>",
        )
    )
    figure.update_layout(
        xaxis={"title": "epoch", "dtick": 1},
        yaxis={"title": "training loss (lower is better)"},
        height=260,
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
    )
    return figure


def playback_figure(
    frames: Sequence[np.ndarray], words: Sequence[str], *, labelled: int = 40, skip: frozenset[str] = frozenset()
) -> go.Figure:
    """The space forming, epoch by epoch: one animation frame per epoch, with a play button and a
    slider. ``frames`` are 2-D coordinates already aligned to the last epoch, so a point moves
    only as much as the space itself moved. The first ``labelled`` words not in ``skip`` (e.g.
    stop words) are labelled; colour is the frequency rank (dark: frequent)."""
    if not frames:
        raise ValueError("no frames to play")
    shown = [i for i, word in enumerate(words) if word not in skip][:labelled]
    text = [""] * len(words)
    for i in shown:
        text[i] = words[i]
    everything = np.vstack(frames)
    low, high = everything.min(axis=0), everything.max(axis=0)
    pad = (high - low) * 0.05 + 1e-9

    def scatter(coords: np.ndarray) -> go.Scatter:
        return go.Scatter(
            x=coords[:, 0],
            y=coords[:, 1],
            mode="markers+text",
            text=text,
            hovertext=list(words),
            hovertemplate="%{hovertext}<extra></extra>",
            textposition="top center",
            marker={"size": 6, "color": np.arange(len(words)), "colorscale": "Viridis"},
        )

    names = [str(epoch) for epoch in range(1, len(frames) + 1)]
    figure = go.Figure(
        data=[scatter(frames[-1])],
        frames=[go.Frame(data=[scatter(coords)], name=name) for coords, name in zip(frames, names, strict=True)],
    )
    step_args = {"mode": "immediate", "frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}}
    play_args = {"frame": {"duration": 700, "redraw": False}, "transition": {"duration": 500}, "fromcurrent": True}
    figure.update_layout(
        xaxis={"range": [low[0] - pad[0], high[0] + pad[0]], "showticklabels": False, "title": ""},
        yaxis={"range": [low[1] - pad[1], high[1] + pad[1]], "showticklabels": False, "title": ""},
        height=520,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        showlegend=False,
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "x": 0.0,
                "y": -0.02,
                "xanchor": "left",
                "yanchor": "top",
                "buttons": [
                    {"label": "▶ Play", "method": "animate", "args": [None, play_args]},
                    {"label": "❚❚ Pause", "method": "animate", "args": [[None], step_args]},
                ],
            }
        ],
        sliders=[
            {
                "active": len(frames) - 1,
                "currentvalue": {"prefix": "after epoch "},
                "x": 0.2,
                "len": 0.8,
                "y": -0.02,
                "steps": [{"label": name, "method": "animate", "args": [[name], step_args]} for name in names],
            }
        ],
    )
    return figure
