"""The Bias page's figures: words along a direction, words on two directions, and the variance
of the definitional pairs. Words and direction names are escaped for plotly."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from app.figures.common import BLUE, GREY, RED, TEXT, escape, escape_all

BAR_PX = 24  # one word's row: room for a label a class can read from the back
WORD_FONT_PX = 14


def projection_bars(table: pd.DataFrame, *, band: float, title: str, positive: str, negative: str) -> go.Figure:
    """Words sorted by their projection on a direction, as horizontal bars, with a grey neutral band."""
    ordered = table.sort_values("projection")
    colours = [RED if v > band else BLUE if v < -band else GREY for v in ordered["projection"]]
    figure = go.Figure(
        go.Bar(
            x=ordered["projection"],
            y=escape_all(ordered["word"]),
            orientation="h",
            marker_color=colours,
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    figure.add_vrect(x0=-band, x1=band, fillcolor="#999", opacity=0.15, line_width=0, layer="below")
    figure.update_layout(
        title=escape(title),
        height=max(320, BAR_PX * len(ordered) + 100),
        margin={"l": 10, "r": 10, "t": 40, "b": 30},
        xaxis_title=f"← {escape(negative)}   ·   cosine with the direction   ·   {escape(positive)} →",
        yaxis={"automargin": True, "tickfont": {"size": WORD_FONT_PX, "color": TEXT}},
    )
    return figure


def two_axis_figure(table: pd.DataFrame, *, x_name: str, y_name: str) -> go.Figure:
    """Words placed by their cosine with two directions (as whatlies and Parallax do)."""
    figure = go.Figure(
        go.Scatter(
            x=table["x"],
            y=table["y"],
            mode="markers+text",
            text=escape_all(table["word"]),
            textposition="top center",
            marker={"size": 7, "color": BLUE},
            hovertemplate="%{text}: (%{x:.3f}, %{y:.3f})<extra></extra>",
        )
    )
    figure.add_hline(y=0, line_color="#ccc")
    figure.add_vline(x=0, line_color="#ccc")
    figure.update_layout(
        height=520,
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
        xaxis_title=escape(x_name),
        yaxis_title=escape(y_name),
    )
    return figure


def variance_bars(ratios: Sequence[float]) -> go.Figure:
    """Share of the pairs' variance per principal component: is one direction justified?"""
    figure = go.Figure(go.Bar(x=[f"PC{i + 1}" for i in range(len(ratios))], y=list(ratios), marker_color=BLUE))
    figure.update_layout(
        height=220, margin={"l": 10, "r": 10, "t": 10, "b": 10}, yaxis={"tickformat": ".0%", "title": "variance"}
    )
    return figure
