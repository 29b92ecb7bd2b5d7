"""What the Home page says about a loaded space: counts and a preview (the norms histogram is in
app.figures.home)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

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
        "images": len(source.get("images") or {}),
    }


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
