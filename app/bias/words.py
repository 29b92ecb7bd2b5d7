"""Looking words up for the bias measures, and the unit-vector arithmetic they share.

Word lookup, everywhere except ``weat`` (which takes words literally unless ``fold_case=True``): a word
is used as given if the space has it, else its lower-case form if that is in the space (GloVe and many
other spaces are lower-case, while published word lists spell names with capitals). Words found
neither way are dropped and listed as missing, never turned into NaN.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from app.errors import InputError
from app.space import EmbeddingSpace

ROW_CHUNK = 65_536  # rows per block when a product runs over a whole vocabulary


def resolve_word(space: EmbeddingSpace, word: str, fold_case: bool = True) -> str | None:
    """The word as the space spells it: as given, else lower-cased (if ``fold_case``), else None."""
    if word in space:
        return word
    if fold_case and word.lower() in space:
        return word.lower()
    return None


def resolve_words(space: EmbeddingSpace, words: Iterable[str], fold_case: bool = True) -> tuple[list[str], list[str]]:
    """(found words in the space's spelling, without repeats, in order; missing words as given)."""
    found: dict[str, None] = {}
    missing: dict[str, None] = {}
    for word in words:
        resolved = resolve_word(space, str(word), fold_case)
        if resolved is None:
            missing[str(word)] = None
        else:
            found[resolved] = None
    return list(found), list(missing)


def words_or_all(space: EmbeddingSpace, words: Iterable[str] | None) -> tuple[list[str], list[str]]:
    """``resolve_words``, or the whole vocabulary (nothing missing) when ``words`` is None."""
    return (list(space.words), []) if words is None else resolve_words(space, words)


def rows(space: EmbeddingSpace, words: Sequence[str]) -> np.ndarray:
    """Row indices of words the space has (already resolved)."""
    return np.fromiter((space.index(w) for w in words), dtype=np.int64, count=len(words))


def unit_rows(space: EmbeddingSpace, words: Sequence[str]) -> np.ndarray:
    """Unit vectors of resolved words as float64 (the statistics are summed in double precision)."""
    return space.unit_vectors[rows(space, words)].astype(np.float64)


def unit(vector: np.ndarray, what: str) -> np.ndarray:
    """``vector`` scaled to length 1, as float64; a zero vector is an InputError naming ``what``."""
    vector = np.asarray(vector, dtype=np.float64).reshape(-1)
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(norm) or norm < 1e-12:
        raise InputError(f"{what} is a zero vector; it has no direction")
    return vector / norm


def cosines(space: EmbeddingSpace, indices: np.ndarray | None, vector: np.ndarray) -> np.ndarray:
    """Cosine of each row (all rows when None) with a unit vector, in float64, in blocks."""
    unit_vectors = space.unit_vectors
    indices = np.arange(len(space)) if indices is None else indices
    out = np.empty(len(indices), dtype=np.float64)
    for start in range(0, len(indices), ROW_CHUNK):
        block = indices[start : start + ROW_CHUNK]
        out[start : start + len(block)] = unit_vectors[block].astype(np.float64) @ vector
    return out
