"""Neighbour overlap: for each shared word, the share of its k nearest neighbours both spaces agree on.

It needs no alignment, so it compares spaces of any dimensions (Embedding Comparator's "local
neighbourhood similarity"). Neighbours are searched among the shared words only, so a word that
one space lacks can never count against the other. Exact: one blocked kNN pass per space, kept in the
process's graph cache (``app.geometry.knn``), so another k or a second look is a slice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.compare.vocabulary import SharedVocabulary
from app.errors import InputError, Progress
from app.geometry.knn import KnnGraph, content_key, neighbour_graph
from app.runtime import timing
from app.runtime.timing import Estimate
from app.space import EmbeddingSpace

DEFAULT_K = 10
MAX_K = 100
OVERLAP_SECONDS_AT_20K = 0.56  # both kNN graphs of 20,000 words (50 dimensions) in a job, fitted to bench/estimates.py


@dataclass(frozen=True)
class Overlap:
    """Per shared word: its k neighbours in each space (rows of ``vocabulary.words``) and the overlap
    (0 = no neighbour in common, 1 = the same k neighbours)."""

    vocabulary: SharedVocabulary
    k: int
    neighbours_a: np.ndarray
    neighbours_b: np.ndarray
    similarities_a: np.ndarray
    similarities_b: np.ndarray
    overlap: np.ndarray

    @property
    def mean(self) -> float:
        return float(self.overlap.mean())

    def row(self, word: str) -> int:
        """The row of ``word`` among the shared words, or InputError naming it."""
        try:
            return self.vocabulary.words.index(word)
        except ValueError:
            raise InputError(f"{word!r} is not among the words the two spaces share") from None

    def table(self) -> pd.DataFrame:
        """word, frequency rank (first space's order), overlap: one row per shared word."""
        return pd.DataFrame(
            {
                "word": list(self.vocabulary.words),
                "rank": self.vocabulary.rows_a + 1,
                "overlap": self.overlap.astype(np.float64),
            }
        )


def overlap_estimate(n_words: int) -> Estimate:
    """How long ``neighbour_overlap`` of ``n_words`` shared words takes here: two exact kNN graphs
    (quadratic in the words), scaled by this machine's timed runs (``app.runtime.timing``)."""
    return timing.estimate("neighbour overlap", 0.3 + OVERLAP_SECONDS_AT_20K * (n_words / 20_000) ** 2)


def neighbour_overlap(
    a: EmbeddingSpace,
    b: EmbeddingSpace,
    vocabulary: SharedVocabulary,
    *,
    k: int = DEFAULT_K,
    progress: Progress | None = None,
) -> Overlap:
    """Each shared word's k nearest shared words (cosine) in ``a`` and in ``b``, and their overlap."""
    if not 1 <= int(k) <= MAX_K:
        raise InputError(f"k must be between 1 and {MAX_K}, not {k}")
    k = min(int(k), len(vocabulary) - 1)
    if k < 1:
        raise InputError("at least two shared words are needed to compare neighbours")

    def half(offset: float) -> Progress | None:
        if progress is None:
            return None
        return lambda fraction, message, /, **_: progress(offset + fraction / 2, message)

    graph_a = _graph(a, vocabulary.rows_a, k, progress=half(0.0))
    graph_b = _graph(b, vocabulary.rows_b, k, progress=half(0.5))
    common = (graph_a.indices[:, :, None] == graph_b.indices[:, None, :]).any(axis=2).sum(axis=1)
    return Overlap(
        vocabulary=vocabulary,
        k=k,
        neighbours_a=graph_a.indices,
        neighbours_b=graph_b.indices,
        similarities_a=graph_a.similarities,
        similarities_b=graph_b.similarities,
        overlap=(common / k).astype(np.float32),
    )


def _graph(space: EmbeddingSpace, rows: np.ndarray, k: int, *, progress: Progress | None) -> KnnGraph:
    """The shared words' graph in one space, from the process's graph cache when it was built before."""
    key = f"{space.fingerprint}/rows {content_key(np.asarray(rows))}"
    return neighbour_graph(space.unit_vectors[rows], k, metric="cosine", key=key, progress=progress)
