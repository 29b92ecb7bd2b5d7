"""How much a projection distorts: which of each point's k nearest neighbours in the original
space are still among its k nearest in 2D/3D, and scikit-learn's trustworthiness."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.errors import InputError

TRUSTWORTHINESS_SAMPLE = 3_000
_CHUNK = 2_048


@dataclass(frozen=True)
class Distortion:
    """Per point: the share of original neighbours kept (0..1); overall: mean and trustworthiness."""

    kept: np.ndarray
    k: int
    mean_kept: float
    trustworthiness: float
    trust_sample: int


def knn_indices(data: np.ndarray, k: int, *, cosine: bool) -> np.ndarray:
    """Exact k nearest neighbours of every row (itself excluded), by chunks of rows."""
    points = np.asarray(data, dtype=np.float32)
    if cosine:
        norms = np.linalg.norm(points, axis=1, keepdims=True)
        points = np.divide(points, norms, out=np.zeros_like(points), where=norms > 0)
    squared = (points**2).sum(axis=1)
    result = np.empty((len(points), k), dtype=np.int64)
    for start in range(0, len(points), _CHUNK):
        block = points[start : start + _CHUNK]
        distances = squared[start : start + _CHUNK, None] - 2 * block @ points.T + squared[None, :]
        distances[np.arange(len(block)), np.arange(start, start + len(block))] = np.inf
        part = np.argpartition(distances, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(distances, part, axis=1).argsort(axis=1)
        result[start : start + _CHUNK] = np.take_along_axis(part, order, axis=1)
    return result


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
