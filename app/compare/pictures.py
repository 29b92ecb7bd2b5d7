"""Coordinates for Compare's linked pictures: the same words drawn from each space, facing the same way.

With an alignment, the second space is rotated into the first's frame and one PCA (fitted on the
first) draws both, so a word that sits elsewhere really moved. Without one (different dimensions),
each space gets its own PCA and the second picture is turned onto the first by a 2-D Procrustes,
which removes only the arbitrary rotation or mirror of the picture.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.compare.alignment import Alignment
from app.compare.overlap import Overlap
from app.training.playback import procrustes_align

MAX_PICTURE_WORDS = 3_000  # two Scattergl pictures of this many points stay quick to draw and hover


def linked_coordinates(
    overlap: Overlap,
    unit_a: np.ndarray,
    unit_b: np.ndarray,
    rows: Sequence[int],
    *,
    alignment: Alignment | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """2-D coordinates of the shared words at ``rows`` in each space. ``unit_a``/``unit_b`` are the
    shared words' unit vectors in each space (row i = ``overlap.vocabulary.words[i]``)."""
    from sklearn.decomposition import PCA

    picked = np.asarray(rows, dtype=np.int64)
    first = unit_a[picked].astype(np.float64)
    second = unit_b[picked].astype(np.float64)
    if alignment is not None:
        pca = PCA(n_components=2, random_state=0).fit(first)
        return pca.transform(first), pca.transform(second @ alignment.rotation.T.astype(np.float64))
    xy_a = PCA(n_components=2, random_state=0).fit_transform(first)
    xy_b = PCA(n_components=2, random_state=0).fit_transform(second)
    return xy_a, procrustes_align(xy_b, xy_a)


def neighbourhood_rows(overlap: Overlap, word: str) -> list[int]:
    """A word and its neighbours in either space (rows of the shared words): Embedding Comparator's
    small multiples draw these in each space."""
    row = overlap.row(word)
    return list(dict.fromkeys([row, *overlap.neighbours_a[row].tolist(), *overlap.neighbours_b[row].tolist()]))
