"""How much a projection distorts: which of each point's k nearest neighbours in the original
space are still among its k nearest in 2D/3D, and scikit-learn's trustworthiness."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.errors import InputError
from app.geometry.knn import neighbour_graph

TRUSTWORTHINESS_SAMPLE = 3_000


@dataclass(frozen=True)
class Distortion:
    """Per point: the share of original neighbours kept (0..1); overall: mean and trustworthiness."""

    kept: np.ndarray
    k: int
    mean_kept: float
    trustworthiness: float
    trust_sample: int


def knn_indices(data: np.ndarray, k: int, *, cosine: bool) -> np.ndarray:
    """Exact k nearest neighbours of every row (itself excluded): the shared graph (``app.geometry.knn``)."""
    return neighbour_graph(data, k, metric="cosine" if cosine else "euclidean").indices.astype(np.int64)


def distortion(
    original: np.ndarray, coords: np.ndarray, k: int = 10, *, metric: str = "cosine", seed: int = 0
) -> Distortion:
    """Neighbour preservation per point, and trustworthiness on a sample of at most 3,000 points."""
    n = len(original)
    if n != len(coords):
        raise InputError("the projection and the space have different numbers of points")
    if not 1 <= k < n:
        raise InputError(f"k must be between 1 and {n - 1} for {n} points")
    before = knn_indices(original, k, cosine=metric == "cosine")
    after = knn_indices(coords, k, cosine=False)
    kept = np.array([len(np.intersect1d(a, b, assume_unique=True)) / k for a, b in zip(before, after, strict=True)])
    from sklearn.manifold import trustworthiness

    rows = np.arange(n)
    if n > TRUSTWORTHINESS_SAMPLE:
        rows = np.sort(np.random.default_rng(seed).choice(n, TRUSTWORTHINESS_SAMPLE, replace=False))
    k_trust = min(k, max(1, len(rows) // 2 - 1))
    trust = trustworthiness(np.asarray(original)[rows], np.asarray(coords)[rows], n_neighbors=k_trust, metric=metric)
    return Distortion(kept.astype(np.float32), k, float(kept.mean()), float(trust), len(rows))
