"""Orthogonal Procrustes between two spaces on anchor words, and how far each word moved.

Two trainings of the same model hold the same geometry in a rotated frame; a rotation fitted on
anchor words lays one onto the other, and what is left (each word's cosine distance after the
rotation) is real change, as in Hamilton et al. (2016) for words across decades.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.compare.vocabulary import SharedVocabulary
from app.errors import InputError
from app.geometry.rotation import best_rotation
from app.space import EmbeddingSpace


@dataclass(frozen=True)
class Alignment:
    """``rotation`` maps the first space's unit vectors onto the second's; ``residual`` is the anchors'
    relative misfit after it (0 = a perfect rotation, about 1.4 = unrelated spaces); ``displacement``
    is each shared word's cosine distance after the rotation (0 = did not move, up to 2)."""

    rotation: np.ndarray
    anchors: int
    residual: float
    displacement: np.ndarray


def align(
    a: EmbeddingSpace,
    b: EmbeddingSpace,
    vocabulary: SharedVocabulary,
    *,
    anchors: int | Sequence[str] | None = None,
) -> Alignment:
    """Fit the rotation on ``anchors`` (None: every shared word; a number: the most frequent N shared
    words; a list: those words) and measure every shared word's displacement.

    Raises InputError when the dimensions differ (neighbour overlap still works; ``reduce_dimensions``
    brings the larger space down with PCA) or when fewer anchors than dimensions remain.
    """
    if a.dim != b.dim:
        raise InputError(
            f"{a.name!r} has {a.dim} dimensions and {b.name!r} has {b.dim}: a rotation needs the same number. "
            "Neighbour overlap still compares them; or reduce the larger one with PCA first."
        )
    unit_a = a.unit_vectors[vocabulary.rows_a].astype(np.float64)
    unit_b = b.unit_vectors[vocabulary.rows_b].astype(np.float64)
    rows = _anchor_rows(vocabulary, anchors)
    if len(rows) < 2:
        raise InputError(f"{len(rows)} anchor word(s) is too few to fit a rotation; give at least 2")
    rotation = best_rotation(unit_a[rows], unit_b[rows])
    moved = unit_a @ rotation
    misfit = float(np.linalg.norm(moved[rows] - unit_b[rows])) / max(float(np.linalg.norm(unit_b[rows])), 1e-12)
    cosine = np.einsum("ij,ij->i", moved, unit_b)
    return Alignment(
        rotation=rotation.astype(np.float32),
        anchors=len(rows),
        residual=float(misfit),
        displacement=(1.0 - np.clip(cosine, -1.0, 1.0)).astype(np.float32),
    )


def _anchor_rows(vocabulary: SharedVocabulary, anchors: int | Sequence[str] | None) -> np.ndarray:
    if anchors is None:
        return np.arange(len(vocabulary))
    if isinstance(anchors, int):
        return np.arange(min(max(anchors, 0), len(vocabulary)))
    position = {word: row for row, word in enumerate(vocabulary.words)}
    unknown = [word for word in anchors if word not in position]
    if unknown:
        shown = ", ".join(repr(word) for word in unknown[:5])
        raise InputError(f"anchor words not shared by both spaces: {shown}" + (" …" if len(unknown) > 5 else ""))
    return np.array([position[word] for word in dict.fromkeys(anchors)], dtype=np.int64)


def reduce_dimensions(space: EmbeddingSpace, dim: int) -> EmbeddingSpace:
    """``space`` brought down to ``dim`` dimensions by PCA (a new space, named so), so it can be aligned
    with a smaller one. Neighbours change a little; the page says so."""
    if not 1 <= dim < space.dim:
        raise InputError(f"cannot reduce {space.dim} dimensions to {dim}")
    from sklearn.decomposition import PCA

    vectors = PCA(n_components=dim, random_state=0).fit_transform(space.vectors.astype(np.float64))
    return type(space)(
        f"{space.name} (PCA {dim}-d)",
        space.words,
        vectors.astype(np.float32),
        metadata=space.metadata,
        source={**space.source, "reduced_from": space.name, "reduced_to": dim},
        copy=False,
    )
