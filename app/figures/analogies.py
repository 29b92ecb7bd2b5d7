"""The Analogies page's figure: an analogy's parallelogram in a PCA of just its words."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.figures.common import BLUE, GREEN, ORANGE, RED, escape
from app.geometry.analogies import AnalogyAnswer
from app.space import EmbeddingSpace


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
    colours = {"a": BLUE, "b": BLUE, "c": ORANGE}
    figure = go.Figure()
    for word in words:
        role = roles.get(word, "expected" if word == answer.expected else "answer")
        shown = escape(word)
        figure.add_trace(
            go.Scatter(
                x=[position[word][0]],
                y=[position[word][1]],
                mode="markers+text",
                text=[f"{shown} ({role})" if role in roles.values() else shown],
                textposition="top center",
                marker={"size": 12, "color": colours.get(role, RED if role == "answer" else GREEN)},
                name=role,
                showlegend=False,
                hovertext=f"{shown}: {role}",
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
    arrows = [(answer.a, answer.b, BLUE, "b − a"), (answer.c, answer.best, RED, "? − c")]
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
