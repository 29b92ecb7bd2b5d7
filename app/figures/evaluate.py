"""The Evaluate page's figures: analogy accuracy per section, and human against model similarity.
Section, space and word names are escaped for plotly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app.figures.common import BLUE, escape, escape_all


def section_bars(results: dict[str, pd.DataFrame]) -> go.Figure:
    """Analogy accuracy per section, one bar group per space; Google's 'gram' sections are syntactic."""
    figure = go.Figure()
    for name, sections in results.items():
        kinds = ["syntactic" if str(s).startswith("gram") else "semantic" for s in sections["section"]]
        figure.add_trace(
            go.Bar(
                x=escape_all(sections["section"]),
                y=sections["accuracy"],
                name=escape(name),
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
            marker={"size": 6, "opacity": 0.6, "color": BLUE},
            text=[f"{escape(a)} – {escape(b)}" for a, b in zip(shown["word1"], shown["word2"], strict=True)],
            hovertemplate="%{text}<br>human %{x}<br>model %{y:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=escape(title),
        height=420,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis_title="human score",
        yaxis_title="model cosine similarity",
    )
    return figure
