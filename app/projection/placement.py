"""Where a word that was not projected belongs in a picture that was.

The page marks words it talks about (a query's answers, found words) even when they are not
among the chosen points. PCA is linear, so such a word is mapped exactly by the same linear map
(recovered from the projected points by least squares). t-SNE and UMAP have no such map; a word
goes to the average position of its nearest projected points in the full space, as their own
``transform`` methods start out, so it is near the words it is near.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.projection.methods import Projection
from app.space import EmbeddingSpace

MAX_ADDED = 50  # marked words added to one picture; more would hide the chosen points
LINEAR_FIT_ROWS = 2_000  # a linear map is fixed by a few more rows than dimensions
NEIGHBOURS = 5


def place(
    shown: np.ndarray,
    coords: np.ndarray,
    extra: np.ndarray,
    *,
    method: str,
    metric: str = "cosine",
    neighbours: int = NEIGHBOURS,
) -> np.ndarray:
    """Coordinates for the rows of ``extra`` in the picture ``coords`` of the rows of ``shown``."""
    extra = np.asarray(extra, dtype=np.float64)
    coords = np.asarray(coords, dtype=np.float64)
    if not len(extra):
        return np.empty((0, coords.shape[1]), dtype=np.float32)
    shown = _prepare(np.asarray(shown, dtype=np.float64), metric)
    extra = _prepare(extra, metric)
    if method == "pca":
        rows = min(len(shown), max(LINEAR_FIT_ROWS, 2 * shown.shape[1] + 2))
        design = np.hstack([shown[:rows], np.ones((rows, 1))])
        linear_map, *_ = np.linalg.lstsq(design, coords[:rows], rcond=None)
        return (np.hstack([extra, np.ones((len(extra), 1))]) @ linear_map).astype(np.float32)
    if metric == "cosine":
        nearness = extra @ shown.T
    else:
        nearness = -(np.sum(extra**2, axis=1)[:, None] - 2 * extra @ shown.T + np.sum(shown**2, axis=1)[None, :])
    k = min(neighbours, len(shown))
    nearest = np.argpartition(-nearness, k - 1, axis=1)[:, :k]
    return coords[nearest].mean(axis=1).astype(np.float32)


def _prepare(matrix: np.ndarray, metric: str) -> np.ndarray:
    """Unit rows for cosine (as the projection itself prepares them), raw rows otherwise."""
    if metric != "cosine":
        return matrix
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


@dataclass(frozen=True)
class Marked:
    """A picture's points with the words a page marks: the projected rows first, then the marked
    words that were not projected (``added``), placed by ``place``; ``rows`` per kind of mark."""

    coords: np.ndarray
    words: list[str]
    rows: dict[str, list[int]]
    added: tuple[str, ...]
    left_out: int = 0


def mark_words(
    space: EmbeddingSpace,
    shown: EmbeddingSpace,
    projection: Projection,
    groups: dict[str, Sequence[str]],
    *,
    max_added: int = MAX_ADDED,
) -> Marked:
    """Rows for each group of words (e.g. {"neighbours": [...], "found": [...]}) in the picture of
    ``shown``; words of ``space`` outside it are added (at most ``max_added``, the rest counted)."""
    words = list(shown.words)
    added: list[str] = []
    left_out = 0
    rows: dict[str, list[int]] = {}
    for kind, group in groups.items():
        rows[kind] = []
        for word in dict.fromkeys(group):
            if word in shown:
                rows[kind].append(shown.index(word))
            elif word in added:
                rows[kind].append(len(words) + added.index(word))
            elif word in space and len(added) < max_added:
                rows[kind].append(len(words) + len(added))
                added.append(word)
            elif word in space:
                left_out += 1
    coords = projection.coords
    if added:
        extra = np.vstack([space.vectors[space.index(w)] for w in added])
        metric = str(projection.params.get("metric", "cosine"))
        placed = place(shown.vectors, coords, extra, method=projection.method, metric=metric)
        coords = np.vstack([coords, placed.astype(coords.dtype)])
    return Marked(coords, words + added, rows, tuple(added), left_out)
