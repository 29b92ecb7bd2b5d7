"""What the Home page says about a loaded space: counts, a norms histogram, a preview."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app.space import EmbeddingSpace

PREVIEW_DIMS = 6


def summarize(space: EmbeddingSpace) -> dict[str, Any]:
    """Headline facts for the summary cards."""
    norms = space.norms
    source = space.source
    return {
        "count": len(space),
        "dim": space.dim,
        "format": source.get("format", "?"),
        "file": source.get("file", "?"),
        "mean_norm": float(norms.mean()) if len(norms) else 0.0,
        "zero_vectors": int((norms == 0).sum()),
        "metadata_columns": [] if space.metadata is None else [str(c) for c in space.metadata.columns],
        "subwords": space.subwords is not None,
        "warnings": list(source.get("warnings", [])),
        "megabytes": space.vectors.nbytes / 1e6,
    }


def norms_figure(space: EmbeddingSpace) -> go.Figure:
    """Histogram of vector lengths: frequent words often have shorter GloVe/word2vec vectors."""
    figure = go.Figure(go.Histogram(x=space.norms, nbinsx=60, marker_color="#4c78a8", name="vectors"))
    figure.update_layout(
        title="Vector lengths (Euclidean norm)",
        xaxis_title="length",
        yaxis_title="number of vectors",
        height=320,
        margin={"l": 40, "r": 10, "t": 50, "b": 40},
        bargap=0.05,
    )
    return figure


def preview_frame(space: EmbeddingSpace, n: int = 20) -> pd.DataFrame:
    """The first ``n`` rows: word, length, the first few dimensions, metadata."""
    rows = min(n, len(space))
    frame = pd.DataFrame({"word": list(space.words[:rows]), "length": np.round(space.norms[:rows], 3)})
    for i in range(min(PREVIEW_DIMS, space.dim)):
        frame[f"d{i}"] = np.round(space.vectors[:rows, i], 4)
    if space.metadata is not None:
        meta = space.metadata.iloc[:rows].reset_index(drop=True)
        for column in meta.columns:
            if str(column) not in frame.columns:
                frame[str(column)] = meta[column]
    return frame
