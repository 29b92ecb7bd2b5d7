"""Caps on free text typed into the pages, in one place.

Thirty students share one server: a pasted novel, a formula nested a thousand deep or a search
that backtracks for minutes must be answered with a message, never with a frozen or crashed
page. The parsers here (``parse_word_list``), ``app.text.expressions.parse`` and
``app.geometry.selection.matching_rows`` enforce these caps and raise InputError saying the limit.
``is_number`` is the one rule for "this field is a number", shared by the file readers and the formula parser.
"""

from __future__ import annotations

import math

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
MAX_NAME_CHARS = 100  # one node, user or item name in an edge list or interactions table


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


def is_number(field: str) -> bool:
    """Whether Python reads ``field`` as a float (so 'nan' and '1e5' count)."""
    try:
        float(field)
    except ValueError:
        return False
    return True


def parse_word_list(text: str) -> list[str]:
    """Words separated by newlines or commas (spaces inside a word are kept), de-duplicated.

    Capped (see app.text.inputs): the text's length, the number of different words and each word's length.
    """
    text = text or ""
    check_length(text, MAX_WORD_LIST_CHARS, "the word list")
    items = [item.strip() for line in text.splitlines() for item in line.split(",")]
    words = list(dict.fromkeys(item for item in items if item))
    if len(words) > MAX_WORD_LIST:
        raise InputError(f"the word list has {len(words):,} different words; the limit is {MAX_WORD_LIST:,}")
    for word in words:
        check_word(word, "the word")
    return words


def two_names_and_a_number(fields: list[str], where: str, *, names: str, number: str) -> tuple[str, str, float]:
    """A row of two names (``names`` says what they are, e.g. "node") and an optional positive-or-not
    finite number (``number``, e.g. "weight"; 1.0 when absent), or InputError naming ``where``."""
    first, second = fields[0], fields[1]
    for name in (first, second):
        if not name:
            raise InputError(f"{where}: a {names} name is empty")
        if len(name) > MAX_NAME_CHARS:
            raise InputError(f"{where}: the {names} name {preview(name)} is longer than {MAX_NAME_CHARS} characters")
    value = 1.0
    if len(fields) == 3:
        if not is_number(fields[2]) or not math.isfinite(float(fields[2])):
            raise InputError(f"{where}: the {number} {preview(fields[2])} is not a number")
        value = float(fields[2])
    return first, second, value
