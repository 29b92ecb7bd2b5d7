"""Word arithmetic without eval: ``king - man + woman``, ``2 * paris``, ``avg(king, queen)``.

Grammar (whitespace-separated; '-' is a minus only with spaces around it or at the start,
so hyphenated words such as ``well-known`` stay words):

    expr   := term (('+' | '-') term)*
    term   := [number '*'] factor
    factor := word | '(' expr ')' | ('avg' | 'mean') '(' expr (',' expr)* ')'

Each word stands for its unit vector, as in gensim's most_similar (or its raw vector on request).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from app.errors import InputError
from app.formats.checks import is_number
from app.space import EmbeddingSpace

MAX_CHARS = 300
MAX_WORDS = 40
FUNCTIONS = {"avg", "mean"}
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
    if len(text) > MAX_CHARS:
        raise InputError(f"the formula is {len(text)} characters long; the limit is {MAX_CHARS}")
    tokens = _tokenize(text)
    parser = _Parser(tokens, text)
    terms = parser.expression(1.0)
    if parser.position < len(tokens):
        raise InputError(f"unexpected {tokens[parser.position]!r} in {text!r}")
    merged: dict[str, float] = {}
    for term in terms:
        merged[term.word] = merged.get(term.word, 0.0) + term.weight
    kept = tuple(Term(w, v) for w, v in merged.items() if v != 0)
    if not kept:
        raise InputError(f"{text!r} cancels out to nothing")
    if len(kept) > MAX_WORDS:
        raise InputError(f"the formula uses {len(kept)} words; the limit is {MAX_WORDS}")
    return Expression(text, kept)


def _tokenize(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            if text[position:].isspace():
                break
            raise InputError(f"cannot read {text[position:][:20]!r} in the formula")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over tokens, producing flat weighted terms."""

    def __init__(self, tokens: list[str], text: str) -> None:
        self.tokens, self.text, self.position = tokens, text, 0

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
            if not np.isfinite(float(token)):
                raise InputError(f"{token!r} is not a usable weight in {self.text!r}; use an ordinary number")
            weight *= float(token)
        return self.factor(weight)

    def factor(self, weight: float) -> list[Term]:
        token = self.take()
        if token == "(":
            terms = self.expression(weight)
            self.take(")")
            return terms
        if token.lower() in FUNCTIONS and self.peek() == "(":
            self.take("(")
            groups = [self.expression(1.0)]
            while self.peek() == ",":
                self.take(",")
                groups.append(self.expression(1.0))
            self.take(")")
            return [Term(t.word, t.weight * weight / len(groups)) for group in groups for t in group]
        if token in ("+", "-", "*", ")", ","):
            raise InputError(f"expected a word but found {token!r} in {self.text!r}")
        return [Term(token, weight)]


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
