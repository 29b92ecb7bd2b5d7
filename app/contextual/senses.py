"""How well the occurrence vectors of a word recover its senses: k-means with as many clusters as
senses, scored by the adjusted Rand index against the known senses (1: the same split, 0: chance).
A static space gives every occurrence of a word the same vector, so its ARI is 0 by construction;
it is computed the same way, as the baseline."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def sense_recovery(vectors: np.ndarray, senses: Sequence[str], *, seed: int = 0) -> float:
    """ARI of k-means (k = number of different senses, on unit-length vectors) against ``senses``."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    labels = np.asarray(senses)
    k = len(set(labels.tolist()))
    if k < 2 or len(labels) != len(vectors):
        raise ValueError("need one sense per vector and at least two different senses")
    matrix = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms > 0, norms, 1.0)
    if len(np.unique(matrix.round(6), axis=0)) < k:  # fewer distinct points than clusters: one group
        clusters = np.zeros(len(labels), dtype=int)
    else:
        clusters = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(matrix)
    return float(adjusted_rand_score(labels, clusters))


def static_vectors(word_vector: np.ndarray, count: int) -> np.ndarray:
    """What a static space gives ``count`` occurrences of one word: the same vector each time."""
    return np.repeat(np.asarray(word_vector, dtype=np.float32)[None, :], count, axis=0)
