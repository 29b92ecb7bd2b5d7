"""The "neighbours share the label" measure: how often a point's nearest neighbours carry its own label.

A number for how well a space groups what belongs together (digits with the same digit, words
with the same part of speech), measured in the full space, never in a picture. Raw pixels of
handwritten digits score well already; a representation learned for the task scores higher.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from app.errors import InputError
from app.geometry.knn import neighbour_graph
from app.space import EmbeddingSpace

MAX_POINTS = 30_000  # the exact kNN graph costs n² products; beyond this the page does not offer it
MAX_LABELS = 50  # more distinct values than this is not a grouping (a name, an id, a number)


@dataclass(frozen=True)
class LabelShare:
    """``mean``: the average share; ``per_point``: each point's share of its ``k`` neighbours."""

    column: str
    k: int
    per_point: np.ndarray

    @property
    def mean(self) -> float:
        return float(self.per_point.mean()) if len(self.per_point) else 0.0

    def mean_over(self, rows: np.ndarray) -> float:
        """The average share over some points only (e.g. those a model was not trained on)."""
        return float(self.per_point[rows].mean()) if len(rows) else 0.0


def neighbours_share(labels: np.ndarray | pd.Series | list[Any], unit: np.ndarray, *, k: int = 10) -> np.ndarray:
    """Each point's share of its ``k`` nearest neighbours (cosine, itself left out) with its label."""
    values = np.asarray(pd.Series(labels).astype(str))
    if len(values) != len(unit):
        raise InputError(f"{len(values)} labels for {len(unit)} points")
    graph = neighbour_graph(unit, k)
    return (values[graph.indices] == values[:, None]).mean(axis=1)


def label_share(space: EmbeddingSpace, column: str, *, k: int = 10) -> LabelShare:
    """``neighbours_share`` of a metadata column of ``space``, with its caps checked."""
    metadata = space.metadata
    if metadata is None or column not in metadata.columns:
        raise InputError(f"{space.name!r} has no metadata column {column!r}")
    if len(space) > MAX_POINTS:
        raise InputError(f"{space.name!r} has {len(space):,} points; the share is measured up to {MAX_POINTS:,}")
    if not 1 < metadata[column].nunique() <= MAX_LABELS:
        raise InputError(f"{column!r} has {metadata[column].nunique():,} values; a grouping has 2 to {MAX_LABELS}")
    k = min(k, len(space) - 1)
    return LabelShare(column, k, neighbours_share(metadata[column], space.unit_vectors, k=k))


def groupable_columns(space: EmbeddingSpace) -> list[str]:
    """Metadata columns the share can be measured for (2 to MAX_LABELS values, few enough points)."""
    metadata = space.metadata
    if metadata is None or len(space) > MAX_POINTS or len(space) < 3:
        return []
    return [str(c) for c in metadata.columns if 1 < metadata[c].nunique() <= MAX_LABELS]
