"""Directions in a space: from one pair, several pairs (PCA or mean), two word sets, or a formula.

Sign convention, everywhere: a direction points from the second word of a pair (or set B, or the
negative terms of a formula) towards the first word (set A, the positive terms), so a positive
projection means "closer to the first word". For the gender preset the pairs are (woman, man), ...:
positive = female side.

Every Direction records its ``origin`` (preset, pairs, pair, sets, formula or vector), so what is
done with it later (which pairs debiasing equalises, which words it leaves alone) follows from how it
was made, never from its display name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import numpy as np

from app.bias.words import resolve_word, resolve_words, unit, unit_rows
from app.errors import InputError
from app.space import EmbeddingSpace
from app.text.expressions import expression_vector, parse

OriginKind = Literal["preset", "pairs", "pair", "sets", "formula", "vector"]


@dataclass(frozen=True)
class Origin:
    """Where a direction came from: its kind, the preset's name (kind "preset"), and the word pairs
    it was built from (kinds "preset", "pairs", "pair"; in the space's spelling)."""

    kind: OriginKind
    preset: str = ""
    pairs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, eq=False)
class Direction:
    """A unit-length direction, how it was made, and which words it used or could not find.

    ``explained_variance`` holds the PCA explained-variance ratios of the pair differences (Bolukbasi
    et al.'s check that one component dominates), or None for other methods.
    """

    vector: np.ndarray
    name: str
    words: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    method: str = "vector"
    explained_variance: tuple[float, ...] | None = None
    positive: str = ""
    negative: str = ""
    origin: Origin = field(default_factory=lambda: Origin("vector"))

    def __post_init__(self) -> None:
        vector = unit(self.vector, f"direction {self.name!r}")
        vector.setflags(write=False)
        object.__setattr__(self, "vector", vector)

    @property
    def dim(self) -> int:
        return int(self.vector.shape[0])


DirectionLike: TypeAlias = Direction | np.ndarray | tuple[str, str] | str
"""What the measures accept: a Direction, a vector, a (positive word, negative word) pair or a formula."""


def direction_from_pair(space: EmbeddingSpace, a: str, b: str) -> Direction:
    """The unit difference of two words' unit vectors, pointing from ``b`` towards ``a``."""
    found, missing = resolve_words(space, [a, b])
    if missing:
        raise InputError(f"not in {space.name!r}: {', '.join(map(repr, missing))}")
    if len(found) < 2:
        raise InputError(f"{a!r} and {b!r} are the same word in {space.name!r}; a direction needs two")
    ua, ub = unit_rows(space, found)
    return Direction(
        vector=unit(ua - ub, f"{a!r} - {b!r}"),
        name=f"{a} - {b}",
        words=tuple(found),
        method="pair",
        positive=found[0],
        negative=found[1],
        origin=Origin("pair", pairs=((found[0], found[1]),)),
    )


def pairs_in_space(space: EmbeddingSpace, pairs: Iterable[Sequence[str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """Pairs whose two words are both in the space (space spelling), and the words that were not."""
    kept: dict[tuple[str, str], None] = {}
    missing: dict[str, None] = {}
    for pair in pairs:
        if len(pair) != 2:
            raise InputError(f"a pair needs exactly two words, got {list(pair)!r}")
        a, b = (str(w) for w in pair)
        ra, rb = resolve_word(space, a), resolve_word(space, b)
        for word, resolved in ((a, ra), (b, rb)):
            if resolved is None:
                missing[word] = None
        if ra is not None and rb is not None and ra != rb:
            kept[(ra, rb)] = None
    return list(kept), list(missing)


def direction_from_pairs(
    space: EmbeddingSpace,
    pairs: Iterable[Sequence[str]],
    method: Literal["pca", "mean"] = "pca",
    name: str | None = None,
    *,
    preset: str = "",
) -> Direction:
    """A direction from several word pairs (first word = positive end).

    "pca" (Bolukbasi et al. 2016): centre each pair on its mean, stack the centred unit vectors and
    take the first principal component; ``explained_variance`` lists the ratios of all components, so
    a page can show whether one direction is justified. Its sign is chosen so the pairs' mean
    difference projects positively. "mean": the mean of the normalised differences. Pairs with a
    missing word are skipped and their missing words listed. ``preset`` names the preset the pairs
    come from (the origin then says "preset"), e.g. "gender".
    """
    if method not in ("pca", "mean"):
        raise InputError(f"unknown method {method!r}; choose pca or mean")
    given = [tuple(p) for p in pairs]
    kept, missing = pairs_in_space(space, given)
    if not kept:
        raise InputError(f"none of the {len(given)} pairs is in {space.name!r}; missing: {', '.join(missing)}")
    diffs = unit_rows(space, [a for a, _ in kept]) - unit_rows(space, [b for _, b in kept])
    variance: tuple[float, ...] | None = None
    if method == "pca":
        centred = np.vstack([diffs / 2, -diffs / 2])  # each word minus its pair's mean
        _, singular, components = np.linalg.svd(centred, full_matrices=False)
        power = singular**2
        if power.sum() <= 0:
            raise InputError("every pair has two identical vectors; there is no direction")
        count = min(len(kept), space.dim)
        variance = tuple(float(v) for v in (power / power.sum())[:count])
        vector = components[0]
        if vector @ diffs.mean(axis=0) < 0:
            vector = -vector
    else:
        norms = np.linalg.norm(diffs, axis=1, keepdims=True)
        vector = unit((diffs / np.where(norms > 0, norms, 1.0)).mean(axis=0), "the mean of the pair differences")
    label = name or f"{kept[0][0]} - {kept[0][1]}" + (f" (+{len(kept) - 1} pairs)" if len(kept) > 1 else "")
    return Direction(
        vector=vector,
        name=label,
        words=tuple(w for pair in kept for w in pair),
        missing=tuple(missing),
        method=method,
        explained_variance=variance,
        positive=", ".join(a for a, _ in kept),
        negative=", ".join(b for _, b in kept),
        origin=Origin("preset" if preset else "pairs", preset=preset, pairs=tuple(kept)),
    )


def direction_from_sets(
    space: EmbeddingSpace, words_a: Iterable[str], words_b: Iterable[str], name: str | None = None
) -> Direction:
    """The difference of the centroids of two sets' unit vectors, pointing towards set A."""
    found_a, missing_a = resolve_words(space, words_a)
    found_b, missing_b = resolve_words(space, words_b)
    for label, found, missing in (("A", found_a, missing_a), ("B", found_b, missing_b)):
        if not found:
            raise InputError(f"no word of set {label} is in {space.name!r}; missing: {', '.join(missing) or '-'}")
    centroids = unit_rows(space, found_a).mean(axis=0) - unit_rows(space, found_b).mean(axis=0)
    return Direction(
        vector=unit(centroids, "A - B"),
        name=name or f"{found_a[0]}... - {found_b[0]}...",
        words=tuple(found_a + found_b),
        missing=tuple(missing_a + missing_b),
        method="sets",
        positive=", ".join(found_a),
        negative=", ".join(found_b),
        origin=Origin("sets"),
    )


def direction_from_formula(space: EmbeddingSpace, text: str) -> Direction:
    """A direction from a formula such as ``woman - man`` or ``avg(she, her) - avg(he, his)``."""
    expression = parse(text)
    return Direction(
        vector=unit(expression_vector(space, expression, unit=True), repr(expression.text)),
        name=expression.text,
        words=tuple(expression.words),
        method="formula",
        positive=", ".join(expression.positive),
        negative=", ".join(expression.negative),
        origin=Origin("formula"),
    )


def as_direction(space: EmbeddingSpace, direction: DirectionLike) -> Direction:
    """Accept a Direction, a vector, a (word, word) pair or a formula, and return a Direction."""
    if isinstance(direction, Direction):
        result = direction
    elif isinstance(direction, str):
        result = direction_from_formula(space, direction)
    elif isinstance(direction, (tuple, list)) and len(direction) == 2 and all(isinstance(w, str) for w in direction):
        result = direction_from_pair(space, str(direction[0]), str(direction[1]))
    else:
        result = Direction(vector=np.asarray(direction, dtype=np.float64), name="vector")
    if result.dim != space.dim:
        raise InputError(f"the direction has {result.dim} dimensions; {space.name!r} has {space.dim}")
    return result
