"""The words two spaces share: what can be compared, and what only one side has."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.errors import InputError
from app.space import EmbeddingSpace

MIN_SHARED = 3  # fewer shared words than this leaves nothing to compare


@dataclass(frozen=True)
class SharedVocabulary:
    """Shared words in the first space's order (its frequency order for GloVe and word2vec), their
    rows in each space, how many words only one side has, and asked-for words neither side has."""

    words: tuple[str, ...]
    rows_a: np.ndarray
    rows_b: np.ndarray
    only_a: int
    only_b: int
    missing: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.words)


def shared_vocabulary(
    a: EmbeddingSpace,
    b: EmbeddingSpace,
    *,
    top_n: int | None = None,
    words: Sequence[str] | None = None,
) -> SharedVocabulary:
    """The words both spaces have: all of them, the ``top_n`` most frequent (first space's order), or
    those of ``words`` (the ones missing from either side are listed in ``missing``).

    Raises InputError when fewer than three words are shared, saying how many each side has.
    """
    shared = [word for word in a.words if word in b]
    only_a = len(a) - len(shared)
    only_b = len(b) - len(shared)
    missing: tuple[str, ...] = ()
    if words is not None:
        asked = list(dict.fromkeys(words))
        keep = set(shared)
        missing = tuple(word for word in asked if word not in keep)
        shared = [word for word in asked if word in keep]
    if top_n is not None:
        shared = shared[: max(0, int(top_n))]
    if len(shared) < MIN_SHARED:
        raise InputError(
            f"{a.name!r} and {b.name!r} share {len(shared)} word(s) here ({len(a):,} and {len(b):,} words in all); "
            f"a comparison needs at least {MIN_SHARED}"
        )
    rows_a = np.fromiter((a.index(word) for word in shared), dtype=np.int64, count=len(shared))
    rows_b = np.fromiter((b.index(word) for word in shared), dtype=np.int64, count=len(shared))
    return SharedVocabulary(tuple(shared), rows_a, rows_b, only_a, only_b, missing)
