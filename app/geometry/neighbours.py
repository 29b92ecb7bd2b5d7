"""Exact nearest neighbours in the original space: one matrix product, then argpartition."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from app.errors import InputError
from app.space import EmbeddingSpace
from app.text.expressions import expression_vector, parse

METRICS = ("cosine", "euclidean")
MAX_K = 1000


@dataclass(frozen=True)
class Neighbours:
    """The top-k answer: words with their similarity (cosine) or distance (euclidean), best first."""

    query: str
    metric: str
    words: list[str]
    values: np.ndarray
    excluded: tuple[str, ...]
    subword_words: tuple[str, ...] = ()

    @cached_property
    def table(self) -> pd.DataFrame:
        """rank, word, similarity (or distance), built only when a page or notebook asks for it."""
        column = "similarity" if self.metric == "cosine" else "distance"
        return pd.DataFrame(
            {"rank": np.arange(1, len(self.words) + 1), "word": self.words, column: self.values.astype(np.float64)}
        )


def nearest(
    space: EmbeddingSpace,
    query: str | np.ndarray,
    k: int = 10,
    metric: str = "cosine",
    *,
    exclude_query_words: bool = True,
) -> Neighbours:
    """The k nearest words to a word, a vector, or a formula such as ``king - man + woman``.

    Cosine ranks by similarity of unit vectors (as gensim's most_similar); euclidean by distance.
    The words of the query are left out of the answer unless ``exclude_query_words`` is False.
    """
    if metric not in METRICS:
        raise InputError(f"unknown metric {metric!r}; choose cosine or euclidean")
    if not 1 <= int(k) <= MAX_K:
        raise InputError(f"k must be between 1 and {MAX_K}")
    k = min(int(k), len(space))
    excluded: list[int] = []
    subword_words: tuple[str, ...] = ()
    if isinstance(query, str):
        expression = parse(query)
        # cosine works on unit vectors (as gensim); euclidean on the raw vectors (as whatlies)
        vector = expression_vector(space, expression, unit=metric == "cosine")
        excluded = [space.index(w) for w in expression.words if w in space] if exclude_query_words else []
        subword_words = tuple(w for w in expression.words if w not in space)
        label = expression.text
    else:
        vector = np.asarray(query, dtype=np.float32).reshape(-1)
        if vector.shape[0] != space.dim:
            raise InputError(f"the query vector has {vector.shape[0]} numbers; the space has {space.dim} dimensions")
        label = "vector"
    scores = _scores(space, vector, metric)
    if excluded:
        scores[excluded] = -np.inf
    top = top_k(scores, k)
    top = top[np.isfinite(scores[top])]
    if metric == "cosine":
        values = scores[top]
    else:  # the float32 expansion loses precision near 0: the reported distances are recomputed exactly
        values = np.linalg.norm(space.vectors[top].astype(np.float64) - vector.astype(np.float64), axis=1)
        order = np.argsort(values, kind="stable")
        top, values = top[order], values[order]
    words = [space.words[i] for i in top]
    return Neighbours(label, metric, words, values, tuple(space.words[i] for i in excluded), subword_words)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores, best first (argpartition, then a sort of just k)."""
    n = len(scores)
    k = min(k, n)
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    part = np.argpartition(scores, n - k)[n - k :] if k < n else np.arange(n)
    return part[np.argsort(-scores[part], kind="stable")]


def _scores(space: EmbeddingSpace, vector: np.ndarray, metric: str) -> np.ndarray:
    """Higher is nearer: cosine similarity, or minus the euclidean distance."""
    if metric == "cosine":
        norm = float(np.linalg.norm(vector))
        if norm == 0:
            raise InputError("the query vector is all zeros, so it has no direction to compare")
        return space.unit_vectors @ (vector / norm)
    squared = space.norms.astype(np.float32) ** 2 - 2 * (space.vectors @ vector) + float(vector @ vector)
    return -np.sqrt(np.maximum(squared, 0))
