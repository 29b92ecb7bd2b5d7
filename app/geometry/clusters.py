"""Clusters in the original space (k-means or HDBSCAN on unit vectors), each named by its most
central words, so a picture's colours mean something before anyone reads a single label."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.errors import InputError
from app.space import EmbeddingSpace

METHODS = ("kmeans", "hdbscan")
NOISE = -1
MAX_HDBSCAN_POINTS = 20_000  # its cost grows with the square of the points: ~18 s at 20,000 here


@dataclass(frozen=True)
class Clustering:
    """A label per point (-1: noise, HDBSCAN only) and a name per cluster."""

    labels: np.ndarray
    names: dict[int, str]
    method: str

    def label_names(self) -> list[str]:
        return [self.names[int(label)] for label in self.labels]


def cluster(
    space: EmbeddingSpace,
    method: str = "kmeans",
    *,
    k: int = 8,
    min_cluster_size: int = 10,
    seed: int = 0,
    label_words: int = 3,
) -> Clustering:
    """Cluster the rows of ``space`` by direction (cosine geometry)."""
    data = np.asarray(space.unit_vectors)
    n = len(space)
    if method == "kmeans":
        if not 2 <= k <= min(100, n):
            raise InputError(f"k-means needs between 2 and {min(100, n)} clusters for {n} points")
        from sklearn.cluster import KMeans

        labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(data)
    elif method == "hdbscan":
        if n > MAX_HDBSCAN_POINTS:
            raise InputError(
                f"HDBSCAN is limited to {MAX_HDBSCAN_POINTS:,} points here ({n:,} chosen); use k-means or fewer points"
            )
        if not 2 <= min_cluster_size <= max(2, n // 2):
            raise InputError(f"minimum cluster size must be between 2 and {max(2, n // 2)} for {n} points")
        from sklearn.cluster import HDBSCAN

        labels = HDBSCAN(min_cluster_size=min_cluster_size, copy=True).fit_predict(data)
    else:
        raise InputError(f"unknown clustering {method!r}; choose kmeans or hdbscan")
    return Clustering(np.asarray(labels), _names(space, data, labels, label_words), method)


def _names(space: EmbeddingSpace, data: np.ndarray, labels: np.ndarray, count: int) -> dict[int, str]:
    """Each cluster named by the words nearest its centroid, e.g. '3: france, italy, spain'."""
    names = {}
    for label in np.unique(labels):
        if label == NOISE:
            names[NOISE] = "noise (no cluster)"
            continue
        rows = np.flatnonzero(labels == label)
        centroid = data[rows].mean(axis=0)
        central = rows[np.argsort(-(data[rows] @ centroid))[:count]]
        names[int(label)] = f"{label}: " + ", ".join(space.words[i] for i in central)
    return names
