"""Compare's figures: the overlap histogram and the two linked pictures. Pure, so tests read the spec.

Every word is escaped for plotly, whose labels accept a subset of HTML.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

HIGHLIGHT = "#e45756"


def overlap_histogram(overlap: np.ndarray, k: int) -> go.Figure:
    """How many words keep 0, 1, ..., k of their k neighbours."""
    kept = np.rint(np.asarray(overlap) * k).astype(int)
    counts = np.bincount(kept, minlength=k + 1)
    figure = go.Figure(
        go.Bar(
            x=list(range(k + 1)),
            y=counts.tolist(),
            marker_color="#4c78a8",
            hovertemplate="%{y:,} words keep %{x} of their neighbours<extra></extra>",
        )
    )
    figure.update_layout(
        height=280,
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis_title=f"neighbours in common (of {k})",
        yaxis_title="words",
        bargap=0.1,
    )
    return figure


def linked_pictures(
    xy_a: np.ndarray,
    xy_b: np.ndarray,
    words: Sequence[str],
    *,
    titles: tuple[str, str],
    colour: np.ndarray,
    colour_title: str,
    highlight: Sequence[int] = (),
    labels: int = 30,
) -> go.Figure:
    """The same words side by side, one panel per space, coloured by ``colour`` (overlap or
    displacement); ``highlight`` rows are ringed and labelled in both panels. customdata[0] is the
    row, so a selection in either panel names the same words."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=[html.escape(t) for t in titles], horizontal_spacing=0.04)
    safe = [html.escape(word, quote=False) for word in words]  # plotly shows &quot; literally
    rows = np.arange(len(words))
    shown = set(highlight)
    labelled = sorted(shown) + [i for i in range(min(labels, len(words))) if i not in shown]
    for column, xy in ((1, xy_a), (2, xy_b)):
        figure.add_trace(
            go.Scattergl(
                x=xy[:, 0],
                y=xy[:, 1],
                mode="markers",
                customdata=np.stack([rows, colour], axis=1),
                text=safe,
                hovertemplate="%{text}<br>" + html.escape(colour_title) + " %{customdata[1]:.2f}<extra></extra>",
                marker=dict(
                    size=6,
                    color=colour,
                    colorscale="Viridis",
                    cmin=float(np.min(colour)) if len(colour) else 0.0,
                    cmax=float(np.max(colour)) if len(colour) else 1.0,
                    showscale=column == 2,
                    colorbar=dict(title=html.escape(colour_title), thickness=12),
                ),
                showlegend=False,
            ),
            row=1,
            col=column,
        )
        figure.add_trace(
            go.Scatter(
                x=xy[labelled, 0],
                y=xy[labelled, 1],
                mode="text",
                text=[safe[i] for i in labelled],
                textposition="top center",
                textfont=dict(size=11),
                hoverinfo="skip",
                showlegend=False,
            ),
            row=1,
            col=column,
        )
        if shown:
            marked = sorted(shown)
            figure.add_trace(
                go.Scatter(
                    x=xy[marked, 0],
                    y=xy[marked, 1],
                    mode="markers",
                    marker=dict(size=14, color="rgba(0,0,0,0)", line=dict(color=HIGHLIGHT, width=2.5)),
                    hoverinfo="skip",
                    showlegend=False,
                ),
                row=1,
                col=column,
            )
    figure.update_layout(height=520, margin=dict(l=10, r=10, t=40, b=10), dragmode="lasso")
    figure.update_xaxes(title_text="PC 1 (of the first space)", showticklabels=False)
    figure.update_yaxes(title_text="PC 2", showticklabels=False)
    return figure
