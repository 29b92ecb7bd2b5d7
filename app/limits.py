"""Caps on free text typed into the pages, in one place.

Thirty students share one server: a pasted novel, a formula nested a thousand deep or a search
that backtracks for minutes must be answered with a message, never with a frozen or crashed
page. The parsers (``app.expressions.parse``, ``app.sampling.parse_word_list`` and
``app.sampling.matching_rows``) enforce these caps and raise InputError saying the limit.
"""

from __future__ import annotations

from app.errors import InputError

MAX_WORD_CHARS = 100  # one word (a, b, c of an analogy, a word in a list or a formula)
MAX_WORD_LIST = 2_000  # words in one pasted list (after removing repeats)
MAX_WORD_LIST_CHARS = 200_000  # characters in one pasted list, checked before it is split
MAX_FORMULA_CHARS = 500  # characters in one formula such as king - man + woman
MAX_FORMULA_TERMS = 50  # words in one formula, counting repeats
MAX_FORMULA_DEPTH = 20  # brackets and avg( ) nested inside each other
MAX_FORMULA_WEIGHT = 1_000  # largest number (and resulting weight) in front of a word
MAX_PATTERN_CHARS = 200  # a search or regular expression
MAX_PATTERN_REPEATS = 2  # repetitions (*, +, {n,m}) in one search: each multiplies its cost
MAX_SEARCHED_CHARS = 100  # a search looks at the first this many characters of each word
MAX_TEXT_CHARS = 10_000  # a free text to place among documents (Train: doc2vec inference)


def check_length(text: str, limit: int, what: str) -> None:
    """Raise InputError when ``text`` is longer than ``limit`` characters, saying both numbers."""
    if len(text) > limit:
        raise InputError(f"{what} is {len(text):,} characters long; the limit is {limit:,}")


def check_word(word: str, what: str = "the word") -> str:
    """``word`` without surrounding spaces, or InputError when it is longer than a word can be."""
    word = (word or "").strip()
    if len(word) > MAX_WORD_CHARS:
        raise InputError(
            f"{what} {preview(word)} is {len(word):,} characters long; the limit for one word is {MAX_WORD_CHARS:,}"
        )
    return word


def preview(text: str, chars: int = 30) -> str:
    """A short quoted start of ``text`` for messages, so a huge input never fills the page."""
    return repr(text) if len(text) <= chars else repr(text[:chars]) + "…"
