"""The Home page's figure: a histogram of the vectors' lengths."""

from __future__ import annotations

import plotly.graph_objects as go

from app.figures.common import BLUE
from app.space import EmbeddingSpace


def norms_figure(space: EmbeddingSpace) -> go.Figure:
    """Histogram of vector lengths: frequent words often have shorter GloVe/word2vec vectors."""
    figure = go.Figure(go.Histogram(x=space.norms, nbinsx=60, marker_color=BLUE, name="vectors"))
    figure.update_layout(
        title="Vector lengths (Euclidean norm)",
        xaxis_title="length",
        yaxis_title="number of vectors",
        height=320,
        margin={"l": 40, "r": 10, "t": 50, "b": 40},
        bargap=0.05,
    )
    return figure
