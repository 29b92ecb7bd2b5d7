"""Which points to show: the first N, a seeded random sample, a search, a pasted list, or a
word and its neighbours. Every selection says in words what it took and what it missed."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from app.errors import InputError
from app.geometry.neighbours import nearest
from app.space import EmbeddingSpace
from app.text.inputs import (
    MAX_PATTERN_CHARS,
    MAX_PATTERN_REPEATS,
    MAX_SEARCHED_CHARS,
    MAX_WORD_LIST,
    check_length,
    parse_word_list,
)

MODES = {
    "top": "The first N (most frequent, for GloVe and word2vec)",
    "random": "A random sample",
    "search": "Words matching a search or regular expression",
    "list": "A list of words I paste",
    "neighbours": "A word and its nearest neighbours",
}
MAX_POINTS = 100_000
MAX_LIST_WORDS = MAX_WORD_LIST  # older names, kept for callers; the caps live in app.text.inputs
MAX_PATTERN = MAX_PATTERN_CHARS


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
    check_length(pattern, MAX_PATTERN_CHARS, "the search")
    try:
        regex = re.compile(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        raise InputError(f"{pattern!r} is not a valid regular expression ({exc})") from None
    _refuse_slow_pattern(pattern)
    return [i for i, w in enumerate(space.words) if regex.search(w[:MAX_SEARCHED_CHARS])]


def _refuse_slow_pattern(pattern: str) -> None:
    """Refuse searches that can backtrack for minutes (``(\\w+)*$``, ``.*.*.*.*.*!``).

    Python's ``re`` cannot be interrupted and holds the GIL, so one such search would freeze
    every student's page. Allowed: a few repetitions, none inside a repeated group, no back-references.
    """
    try:
        from re import _parser  # the standard library's own parser of the pattern syntax
    except ImportError:  # pragma: no cover - a Python without it: only the length cap applies
        return
    repeats = 0

    def walk(items: object, inside_repeat: bool) -> None:
        nonlocal repeats
        for op, argument in items:
            name = str(op)
            if name == "GROUPREF" or name == "GROUPREF_EXISTS":
                raise InputError(f"{pattern!r}: back-references such as \\1 are not allowed in a search")
            if name.endswith("REPEAT"):
                low, high, body = argument
                if inside_repeat:
                    raise InputError(
                        f"{pattern!r} repeats a group that itself repeats, as in (a+)+, which can take minutes "
                        "to search; write it without the outer repetition"
                    )
                repeats += int(high != low and high > 1)  # a? or a{3} cost little; a*, a+, a{2,5} multiply
                walk(body, high > 1)
            elif name == "BRANCH":
                if inside_repeat and len(argument[1]) > 1:
                    raise InputError(
                        f"{pattern!r} repeats a choice, as in (a|b)+, which can take minutes to search; "
                        "use a character class such as [ab]+ instead"
                    )
                for branch in argument[1]:
                    walk(branch, inside_repeat)
            elif name == "SUBPATTERN":
                walk(argument[-1], inside_repeat)
            elif name in ("ASSERT", "ASSERT_NOT"):
                walk(argument[1], inside_repeat)
            elif name == "ATOMIC_GROUP":
                walk(argument, inside_repeat)

    walk(_parser.parse(pattern, re.IGNORECASE), False)
    if repeats > MAX_PATTERN_REPEATS:
        raise InputError(
            f"{pattern!r} has {repeats} repetitions (*, +, {{n,m}}); the limit is {MAX_PATTERN_REPEATS}, because "
            "each one multiplies the time the search takes (a search matches anywhere in a word, so a leading "
            "or trailing .* is never needed)"
        )


def _search(space: EmbeddingSpace, pattern: str, n: int) -> Selection:
    pattern = pattern.strip()
    rows = matching_rows(space, pattern)
    if not rows:
        raise InputError(f"no word in {space.name!r} matches {pattern!r}")
    shown = rows[:n]
    subset = space.subset(indices=shown, name=f"{space.name} (/{pattern}/)")
    more = f", the first {len(shown):,} shown" if len(rows) > len(shown) else ""
    return Selection(subset, f"{len(rows):,} points match /{pattern}/ (case-insensitive){more}")


def _word_list(space: EmbeddingSpace, text: str) -> Selection:
    wanted = parse_word_list(text)
    if not wanted:
        raise InputError("paste some words, one per line or separated by commas")
    found = [w for w in wanted if w in space]
    missing = tuple(w for w in wanted if w not in space)
    if not found:
        raise InputError(f"none of the pasted words is in {space.name!r}: {', '.join(missing[:10])}")
    subset = space.subset(words=found, name=f"{space.name} (list of {len(found)})")
    note = f"; {len(missing)} not in the space" if missing else ""
    return Selection(subset, f"{len(found)} pasted words{note}", missing)
