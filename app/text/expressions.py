"""Word arithmetic without eval: ``king - man + woman``, ``2 * paris``, ``avg(king, queen)``.

Grammar (whitespace-separated; '-' is a minus only with spaces around it or at the start,
so hyphenated words such as ``well-known`` stay words):

    expr   := term (('+' | '-') term)*
    term   := [number '*'] factor
    factor := word | '(' expr ')' | ('avg' | 'mean') '(' expr (',' expr)* ')'

Each word stands for its unit vector, as in gensim's most_similar (or its raw vector on request).
The caps on length, words, nesting and weights are in ``app.text.inputs``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from app.errors import InputError
from app.space import EmbeddingSpace
from app.text.inputs import (
    MAX_FORMULA_CHARS,
    MAX_FORMULA_DEPTH,
    MAX_FORMULA_TERMS,
    MAX_FORMULA_WEIGHT,
    check_length,
    check_word,
    is_number,
    preview,
)

CANCELLED = 1e-9  # a merged weight this small is a rounding residue (0.1 * a + 0.2 * a - 0.3 * a)
FUNCTIONS = {"avg", "mean"}
_OPERATORS = ("+", "-", "*", "(", ")", ",")
_TOKEN = re.compile(r"\s*(\(|\)|,|\*|\+|(?<![^\s(,*+])-(?=\s|\(|$)|[^\s(),*+]+)")


@dataclass(frozen=True)
class Term:
    """One word with its signed weight in a flattened expression."""

    word: str
    weight: float


@dataclass(frozen=True)
class Expression:
    """A parsed formula: the text, its weighted words (flattened), and whether it is one bare word."""

    text: str
    terms: tuple[Term, ...]

    @property
    def words(self) -> list[str]:
        return list(dict.fromkeys(t.word for t in self.terms))

    @property
    def positive(self) -> list[str]:
        return [t.word for t in self.terms if t.weight > 0]

    @property
    def negative(self) -> list[str]:
        return [t.word for t in self.terms if t.weight < 0]

    @property
    def is_single_word(self) -> bool:
        return len(self.terms) == 1 and self.terms[0].weight == 1.0


def parse(text: str) -> Expression:
    """Parse a formula into weighted words, or raise InputError saying where it went wrong."""
    text = (text or "").strip()
    if not text:
        raise InputError("the formula is empty; type a word, or e.g. king - man + woman")
    check_length(text, MAX_FORMULA_CHARS, "the formula")
    tokens = _tokenize(text)
    parser = _Parser(tokens, text)
    terms = parser.expression(1.0)
    if parser.position < len(tokens):
        raise InputError(f"unexpected {preview(tokens[parser.position])} in {text!r}")
    if len(terms) > MAX_FORMULA_TERMS:
        raise InputError(f"the formula has {len(terms):,} words (counting repeats); the limit is {MAX_FORMULA_TERMS}")
    merged: dict[str, float] = {}
    for term in terms:
        merged[term.word] = merged.get(term.word, 0.0) + term.weight
    kept = tuple(Term(w, v) for w, v in merged.items() if abs(v) > CANCELLED)
    if not kept:
        raise InputError(f"{text!r} cancels out to nothing")
    heaviest = max(kept, key=lambda t: abs(t.weight))
    if abs(heaviest.weight) > MAX_FORMULA_WEIGHT:
        raise InputError(
            f"in {text!r} the weights multiply up to {heaviest.weight:g} for {heaviest.word!r}; "
            f"the limit is {MAX_FORMULA_WEIGHT:,}"
        )
    return Expression(text, kept)


def _tokenize(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            if text[position:].isspace():
                break
            raise InputError(f"cannot read {preview(text[position:], 20)} in the formula")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over tokens, producing flat weighted terms."""

    def __init__(self, tokens: list[str], text: str) -> None:
        self.tokens, self.text, self.position, self.depth = tokens, text, 0, 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise InputError(f"{self.text!r} ends too early; something is missing after the last operator")
        if expected is not None and token != expected:
            raise InputError(f"expected {expected!r} but found {token!r} in {self.text!r}")
        self.position += 1
        return token

    def expression(self, weight: float) -> list[Term]:
        sign = 1.0
        if self.peek() == "-":
            self.take()
            sign = -1.0
        terms = self.term(weight * sign)
        while self.peek() in ("+", "-"):
            sign = 1.0 if self.take() == "+" else -1.0
            terms += self.term(weight * sign)
        return terms

    def term(self, weight: float) -> list[Term]:
        token = self.peek()
        following = self.tokens[self.position + 1] if self.position + 1 < len(self.tokens) else None
        if token is not None and following == "*" and is_number(token):
            self.take()
            self.take("*")
            number = float(token)
            if not np.isfinite(number):
                raise InputError(f"{preview(token)} is not a usable weight in {self.text!r}; use an ordinary number")
            if abs(number) > MAX_FORMULA_WEIGHT:
                raise InputError(
                    f"the weight {preview(token)} in {self.text!r} is too large; "
                    f"use a number between -{MAX_FORMULA_WEIGHT:,} and {MAX_FORMULA_WEIGHT:,}"
                )
            weight *= number
        return self.factor(weight)

    def factor(self, weight: float) -> list[Term]:
        token = self.take()
        if token == "(":
            with self.nested():
                terms = self.expression(weight)
                self.take(")")
            return terms
        if token.lower() in FUNCTIONS and self.peek() == "(":
            self.take("(")
            with self.nested():
                groups = [self.expression(1.0)]
                while self.peek() == ",":
                    self.take(",")
                    groups.append(self.expression(1.0))
                self.take(")")
            return [Term(t.word, t.weight * weight / len(groups)) for group in groups for t in group]
        if token in _OPERATORS:
            raise InputError(f"expected a word but found {token!r} in {self.text!r}")
        return [Term(check_word(token, "the word"), weight)]

    @contextmanager
    def nested(self) -> Iterator[None]:
        """One level deeper in brackets; refused past the cap (deep nesting would exhaust the stack)."""
        self.depth += 1
        if self.depth > MAX_FORMULA_DEPTH:
            raise InputError(
                f"the formula nests brackets more than {MAX_FORMULA_DEPTH} deep; the limit is {MAX_FORMULA_DEPTH}"
            )
        yield
        self.depth -= 1


def expression_vector(space: EmbeddingSpace, expression: Expression, *, unit: bool = True) -> np.ndarray:
    """The weighted sum of the words' vectors, unit-length by default (fastText spaces may answer
    unseen words through subwords)."""
    missing = [w for w in expression.words if w not in space and space.subwords is None]
    if missing:
        raise InputError(_missing_message(space, expression.text, missing))
    total = np.zeros(space.dim, dtype=np.float32)
    for term in expression.terms:
        vector = space.vector(term.word)
        total += np.float32(term.weight) * (_unit(vector) if unit else vector)
    return total


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _missing_message(space: EmbeddingSpace, text: str, missing: list[str]) -> str:
    hints = []
    for word in missing:
        if word.lower() in space:
            hints.append(f"{word!r} (try {word.lower()!r})")
        elif "-" in word and all(part in space for part in word.split("-") if part):
            hints.append(f"{word!r} (put spaces around the minus: {' - '.join(word.split('-'))!r})")
        else:
            hints.append(repr(word))
    return f"not in {space.name!r}: {', '.join(hints)}"
