"""The vocabulary a benchmark searches, as gensim's evaluators define it: only the first
``restrict_vocab`` words of the space, matched upper-cased when case is ignored (first occurrence
wins). Shared by the analogy and the word-pair scores so both count out-of-vocabulary alike."""

from __future__ import annotations

from app.errors import InputError
from app.space import EmbeddingSpace

GENSIM_RESTRICT_VOCAB = 300_000  # gensim's default for both evaluators


def restricted_size(space: EmbeddingSpace, restrict_vocab: int | None) -> int:
    """How many of the first words are searched (gensim's ``index_to_key[:restrict_vocab]``)."""
    if restrict_vocab is None:
        return len(space)
    if int(restrict_vocab) < 1:
        raise InputError(f"restrict_vocab must be at least 1, got {restrict_vocab}")
    return min(int(restrict_vocab), len(space))


def vocabulary(space: EmbeddingSpace, n: int, *, case_insensitive: bool) -> dict[str, int]:
    """Word -> row among the first n words; upper-cased, first occurrence wins (as gensim)."""
    words = space.words[:n]
    if not case_insensitive:
        return dict(zip(words, range(n), strict=True))
    vocab: dict[str, int] = {}
    for i, word in enumerate(words):
        vocab.setdefault(word.upper(), i)
    return vocab


def fold(word: str, case_insensitive: bool) -> str:
    """The form a word is matched in: upper-cased when case is ignored."""
    return word.upper() if case_insensitive else word
