"""Which points to show: the first N, a seeded random sample, a search, a pasted list, or a
word and its neighbours. Every selection says in words what it took and what it missed."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from app.errors import InputError
from app.neighbours import nearest
from app.space import EmbeddingSpace

MODES = {
    "top": "The first N (most frequent, for GloVe and word2vec)",
    "random": "A random sample",
    "search": "Words matching a search or regular expression",
    "list": "A list of words I paste",
    "neighbours": "A word and its nearest neighbours",
}
MAX_POINTS = 100_000
MAX_LIST_WORDS = 5_000
MAX_PATTERN = 200


@dataclass(frozen=True)
class Selection:
    """The chosen subset, a sentence saying how it was chosen, and the words not found."""

    space: EmbeddingSpace
    description: str
    missing: tuple[str, ...] = ()


def select(
    space: EmbeddingSpace,
    mode: str = "top",
    *,
    n: int = 2_000,
    seed: int = 0,
    pattern: str = "",
    words: str = "",
    word: str = "",
    k: int = 50,
) -> Selection:
    """The points to project, by one of ``MODES``."""
    n = int(n)
    if not 1 <= n <= MAX_POINTS:
        raise InputError(f"choose between 1 and {MAX_POINTS:,} points")
    if mode == "top":
        subset = space.head(n)
        return Selection(subset, f"the first {len(subset):,} of {len(space):,} points, in file order")
    if mode == "random":
        take = min(n, len(space))
        rows = np.sort(np.random.default_rng(seed).choice(len(space), size=take, replace=False))
        subset = space.subset(indices=rows, name=f"{space.name} (random {take:,})")
        return Selection(subset, f"{take:,} of {len(space):,} points chosen at random (seed {seed})")
    if mode == "search":
        return _search(space, pattern, n)
    if mode == "list":
        return _word_list(space, words)
    if mode == "neighbours":
        found = nearest(space, word.strip(), k=max(1, min(int(k), len(space) - 1)))
        centre = [w for w in (word.strip(),) if w in space]
        subset = space.subset(words=centre + found.words, name=f"{space.name} (around {word.strip()})")
        return Selection(subset, f"{word.strip()!r} and its {len(found.words)} nearest neighbours (cosine)")
    raise InputError(f"unknown selection {mode!r}; choose one of: {', '.join(MODES)}")


def matching_rows(space: EmbeddingSpace, pattern: str) -> list[int]:
    """Rows whose word matches ``pattern`` (a substring or regular expression, any case)."""
    pattern = pattern.strip()
    if not pattern:
        raise InputError("type something to search for, e.g. 'ing$' or 'king'")
    if len(pattern) > MAX_PATTERN:
        raise InputError(f"the search is {len(pattern)} characters long; the limit is {MAX_PATTERN}")
    try:
        regex = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise InputError(f"{pattern!r} is not a valid regular expression ({exc})") from None
    return [i for i, w in enumerate(space.words) if regex.search(w)]


def _search(space: EmbeddingSpace, pattern: str, n: int) -> Selection:
    pattern = pattern.strip()
    rows = matching_rows(space, pattern)
    if not rows:
        raise InputError(f"no word in {space.name!r} matches {pattern!r}")
    shown = rows[:n]
    subset = space.subset(indices=shown, name=f"{space.name} (/{pattern}/)")
    more = f", the first {len(shown):,} shown" if len(rows) > len(shown) else ""
    return Selection(subset, f"{len(rows):,} points match /{pattern}/ (case-insensitive){more}")


def parse_word_list(text: str) -> list[str]:
    """Words separated by newlines or commas (spaces inside a word are kept), de-duplicated."""
    items = [item.strip() for line in text.splitlines() for item in line.split(",")]
    return list(dict.fromkeys(item for item in items if item))


def _word_list(space: EmbeddingSpace, text: str) -> Selection:
    wanted = parse_word_list(text)
    if not wanted:
        raise InputError("paste some words, one per line or separated by commas")
    if len(wanted) > MAX_LIST_WORDS:
        raise InputError(f"{len(wanted):,} words pasted; the limit is {MAX_LIST_WORDS:,}")
    found = [w for w in wanted if w in space]
    missing = tuple(w for w in wanted if w not in space)
    if not found:
        raise InputError(f"none of the pasted words is in {space.name!r}: {', '.join(missing[:10])}")
    subset = space.subset(words=found, name=f"{space.name} (list of {len(found)})")
    note = f"; {len(missing)} not in the space" if missing else ""
    return Selection(subset, f"{len(found)} pasted words{note}", missing)
