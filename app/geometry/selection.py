"""Which points to show: the first N, a seeded random sample, a search, a pasted list, or a
word and its neighbours. Every selection says in words what it took and what it missed.

Searches come in three kinds (``FIND_MODES``): whole words and "contains" are plain string
comparisons; regular expressions run in RE2, whose time grows linearly with the text whatever the
pattern, so no search can hold the server (and every other student's page) for seconds.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import re2

from app.errors import InputError
from app.geometry.neighbours import nearest
from app.space import EmbeddingSpace
from app.text.inputs import (
    MAX_PATTERN_CHARS,
    MAX_PATTERN_REPEATS,
    MAX_SEARCHED_CHARS,
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
FIND_MODES = {"word": "whole word", "contains": "contains", "regex": "regular expression"}
MAX_POINTS = 1_000_000  # Explore's WebGL scatter draws this many
RE2_MEMORY = 8 << 20  # bytes RE2 may use for one pattern; past it RE2 stays linear but uses less cache


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


def matching_rows(space: EmbeddingSpace, pattern: str, mode: str = "regex") -> list[int]:
    """Rows whose word matches ``pattern``, ignoring case, by one of ``FIND_MODES``.

    "word": the word is one of the comma- or space-separated terms; "contains": the text appears
    in the word; "regex": a regular expression (RE2 syntax, checked by ``_refuse_slow_pattern``).
    """
    pattern = pattern.strip()
    if not pattern:
        raise InputError("type something to search for, e.g. 'ing$' or 'king'")
    check_length(pattern, MAX_PATTERN_CHARS, "the search")
    if mode == "word":
        wanted = {term.lower() for term in re.split(r"[,\s]+", pattern) if term}
        return [i for i, w in enumerate(space.words) if w.lower() in wanted]
    if mode == "contains":
        needle = pattern.lower()
        return [i for i, w in enumerate(space.words) if needle in w[:MAX_SEARCHED_CHARS].lower()]
    if mode != "regex":
        raise InputError(f"unknown kind of search {mode!r}; choose one of: {', '.join(FIND_MODES)}")
    regex = compile_search(pattern)
    return [i for i, w in enumerate(space.words) if regex.search(w[:MAX_SEARCHED_CHARS])]


def compile_search(pattern: str) -> Any:
    """``pattern`` compiled by RE2 (linear time, case-insensitive), or InputError saying why not.

    It must also read as a Python regular expression with few repetitions (``_refuse_slow_pattern``),
    so the answer to a pattern is a message a student can act on rather than RE2's terse one.
    """
    try:
        re.compile(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        raise InputError(f"{pattern!r} is not a valid regular expression ({exc})") from None
    _refuse_slow_pattern(pattern)
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    options.max_mem = RE2_MEMORY
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        raise InputError(f"{pattern!r} cannot be searched ({reason})") from None


def _refuse_slow_pattern(pattern: str) -> None:
    """Refuse searches that would backtrack for minutes in a backtracking engine (``(\\w+)*$``,
    ``.?`` 22 times then ``.{22}!``).

    The search itself runs in RE2, which cannot backtrack; this check keeps patterns small and says
    plainly what to change. Allowed: a few repetitions (``?`` and ``{n}`` count too), none inside a
    repeated group, no back-references.
    """
    try:  # the standard library's own parser of the pattern syntax
        parser: Any = importlib.import_module("re._parser")
    except ImportError:  # pragma: no cover - a Python without it: RE2 alone bounds the time
        return
    repeats = 0

    def walk(items: Any, inside_repeat: bool) -> None:
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
                repeats += int((low, high) != (1, 1))  # a?, a{3}, a*, a+, a{2,5}: each multiplies the paths
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

    walk(parser.parse(pattern, re.IGNORECASE), False)
    if repeats > MAX_PATTERN_REPEATS:
        raise InputError(
            f"{pattern!r} has {repeats} repetitions (*, +, {{n,m}}); the limit is {MAX_PATTERN_REPEATS} "
            "(? and {n} count too), because each one multiplies the ways a word can match (a search matches "
            "anywhere in a word, so a leading or trailing .* is never needed)"
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
