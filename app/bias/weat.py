"""The Word Embedding Association Test (Caliskan, Bryson & Narayanan 2017) with a permutation test,
the ten tests of the paper run on a space, and what a run costs.

Memory: the permutation test draws its random partitions in blocks of at most ``KEY_FLOATS`` keys
(8 MB), whatever the number of target words, so two own sets of 2,000 words and 100,000
permutations need tens of MB, not gigabytes. The blocks are consecutive draws from one generator,
so the partitions (and the p-value) for a seed do not depend on the block size.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from app.bias.presets import WeatTest, load_weat_tests, weat_test
from app.bias.words import resolve_words, unit_rows
from app.errors import InputError, Progress
from app.runtime import timing
from app.runtime.timing import Estimate
from app.space import EmbeddingSpace

MAX_PERMUTATIONS = 1_000_000
KEY_FLOATS = 2**20  # random keys (or partition indices) per block of the permutation test: 8 MB
ALTERNATIVES = ("greater", "less", "two-sided")
STDS = ("sample", "pooled", "population")
ROLES = ("X", "Y", "A", "B")
# A WEAT job's time on the reference machine, fitted to job runs of 100-4,000 target words and
# 10,000-100,000 permutations: start-up, each random key drawn and partially sorted, each permutation's sum.
START_SECONDS, SECONDS_PER_KEY, SECONDS_PER_PERMUTATION = 0.08, 1.3e-8, 3e-6
INLINE_KEYS = 5_000_000  # above this many keys (permutations x target words) a page runs WEAT as a job


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

    @property
    def strength(self) -> str:
        """Cohen's reading of the effect size: negligible, small, medium or large."""
        size = abs(self.effect_size)
        return "large" if size >= 0.8 else "medium" if size >= 0.5 else "small" if size >= 0.2 else "negligible"


@dataclass(frozen=True)
class SetCheck:
    """One WEAT set looked up in a space: the words found and missing, and whether it can be used."""

    role: str
    name: str
    found: list[str]
    missing: list[str]
    given: int
    space_name: str

    @property
    def usable(self) -> bool:
        return len(self.found) >= 2 and len(self.missing) <= self.given / 2

    @property
    def problem(self) -> str | None:
        """Why the set cannot be used, naming the missing words; None when it can."""
        if len(self.found) < 2:
            problem = f"set {self.role} ({self.name}) has {len(self.found)} word(s) in {self.space_name!r}; "
            problem += "WEAT needs at least 2"
        elif not self.usable:
            problem = f"more than half of set {self.role} ({self.name}) is missing from {self.space_name!r} "
            problem += f"({len(self.missing)}/{self.given})"
        else:
            return None
        return problem + (f"; missing: {', '.join(self.missing)}" if self.missing else "")

    @property
    def short(self) -> str:
        """A few words for a table cell: how much of the set the space has."""
        return f"{self.name} {len(self.found)}/{self.given}"


def check_set(space: EmbeddingSpace, role: str, name: str, words: Iterable[str], fold_case: bool) -> SetCheck:
    """Look one set up; repeats are counted once."""
    given = list(dict.fromkeys(str(w) for w in words))
    found, missing = resolve_words(space, given, fold_case)
    return SetCheck(role=role, name=name, found=found, missing=missing, given=len(given), space_name=space.name)


def check_test(space: EmbeddingSpace, test: WeatTest) -> list[SetCheck]:
    """The four sets of one of the paper's tests looked up as ``run_weat_test`` does (case folded)."""
    return [check_set(space, role, s.name, s.words, fold_case=True) for role, s in test.sets.items()]


def association(space: EmbeddingSpace, words: Sequence[str], a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """s(w, A, B) = mean cos(w, a) - mean cos(w, b) for each (resolved) word; columns: s, cos A, cos B."""
    targets = unit_rows(space, words)
    cos_a = (targets @ unit_rows(space, a).T).mean(axis=1)
    cos_b = (targets @ unit_rows(space, b).T).mean(axis=1)
    return np.column_stack([cos_a - cos_b, cos_a, cos_b])


def partition_blocks(n: int, nx: int, permutations: int, seed: int) -> tuple[Iterator[np.ndarray], int, bool]:
    """Blocks of partitions, each row the indices of the words put on the X side; and (count, exact).

    All C(n, nx) partitions when there are at most ``permutations`` (exact test); otherwise
    ``permutations`` random ones: row i takes the nx words with the smallest of the n uniform keys
    in row i of ``default_rng(seed).random((permutations, n))``, drawn in blocks of at most
    ``KEY_FLOATS`` keys (the same stream, so the same partitions, whatever the block size).
    """
    total = math.comb(n, nx)
    if total <= permutations:
        rows_per_block = max(1, KEY_FLOATS // max(1, nx))

        def exact() -> Iterator[np.ndarray]:
            combos = itertools.combinations(range(n), nx)
            while block := list(itertools.islice(combos, rows_per_block)):
                yield np.array(block, dtype=np.int64).reshape(len(block), nx)

        return exact(), total, True

    rows_per_block = max(1, KEY_FLOATS // n)

    def sampled() -> Iterator[np.ndarray]:
        rng = np.random.default_rng(seed)
        for start in range(0, permutations, rows_per_block):
            keys = rng.random((min(rows_per_block, permutations - start), n))
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


def _null_distribution(s: np.ndarray, nx: int, permutations: int, seed: int, progress: Progress | None):
    """The statistic of every partition (one gather-and-sum per block), with progress reports."""
    blocks, used, exact = partition_blocks(len(s), nx, permutations, seed)
    null = np.empty(used, dtype=np.float64)
    done = 0
    for block in blocks:
        null[done : done + len(block)] = 2 * s[block].sum(axis=1) - s.sum()
        done += len(block)
        if progress is not None:
            progress(done / used, f"{done:,} of {used:,} partitions")
    null.setflags(write=False)
    return null, used, exact


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
    names: Sequence[str] = ROLES,
    fold_case: bool = False,
    progress: Progress | None = None,
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
    2 * (sum of s over its X side) - sum of s, so all statistics are one gather-and-sum per block.

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
    names = tuple(names)
    if len(names) != 4:
        raise InputError("names must give four set names: X, Y, A, B")
    checks = [check_set(space, r, n, ws, fold_case) for r, n, ws in zip(ROLES, names, (x, y, a, b), strict=True)]
    problems = [c.problem for c in checks if c.problem]
    if problems:
        raise InputError("; ".join(problems))
    cx, cy, ca, cb = checks
    scores = association(space, cx.found + cy.found, ca.found, cb.found)
    s = scores[:, 0]
    nx, n = len(cx.found), len(cx.found) + len(cy.found)
    statistic = float(s[:nx].sum() - s[nx:].sum())
    spread = float(s.std(ddof=0 if std == "population" else 1))
    if not spread > 1e-15:
        raise InputError("every target word has the same association with A and B; the effect size is undefined")
    null, used, exact = _null_distribution(s, nx, int(permutations), seed, progress)
    table = pd.DataFrame(
        {
            "role": ["X"] * nx + ["Y"] * (n - nx),
            "set": [names[0]] * nx + [names[1]] * (n - nx),
            "word": cx.found + cy.found,
            "association": s,
            "mean_cos_a": scores[:, 1],
            "mean_cos_b": scores[:, 2],
        }
    )
    return WeatResult(
        effect_size=float((s[:nx].mean() - s[nx:].mean()) / spread),
        statistic=statistic,
        p_value=_p_value(null, statistic, s, nx, alternative),
        scores=table,
        missing={c.role: c.missing for c in checks},
        permutations_used=used,
        exact=exact,
        alternative=alternative,
        std="sample" if std == "pooled" else std,
        names=dict(zip(ROLES, names, strict=True)),
        sizes={c.role: len(c.found) for c in checks},
        null_distribution=null,
    )


def run_weat_test(space: EmbeddingSpace, test: WeatTest | int, **options: Any) -> WeatResult:
    """Run one of the ten tests (a WeatTest or its number, 1-10) with the case rule of this package:
    a word is used as given if present, else lower-cased (GloVe is lower-case; the lists spell names
    with capitals). ``options`` go to ``weat`` (permutations, seed, alternative, std)."""
    if isinstance(test, int):
        test = weat_test(test)
    options.setdefault("fold_case", True)
    names = (test.x.name, test.y.name, test.a.name, test.b.name)
    return weat(space, test.x.words, test.y.words, test.a.words, test.b.words, names=names, **options)


def weat_job(
    space: EmbeddingSpace,
    sets: dict[str, list[str]],
    *,
    progress: Progress,
    **options: Any,
) -> WeatResult:
    """``weat`` on own sets (by role X, Y, A, B; case folded) as a job for the background runner."""
    progress(0.0, "associations of the target words")
    return weat(space, sets["X"], sets["Y"], sets["A"], sets["B"], fold_case=True, progress=progress, **options)


def weat_keys(n_targets: int, permutations: int) -> int:
    """How many random keys a WEAT draws (its cost in time; its memory is bounded by KEY_FLOATS)."""
    return int(n_targets) * int(permutations)


def weat_estimate_seconds(n_targets: int, permutations: int) -> float:
    """Roughly how long a WEAT with this many target words and permutations takes here."""
    keys = weat_keys(n_targets, permutations)
    return START_SECONDS + keys * SECONDS_PER_KEY + int(permutations) * SECONDS_PER_PERMUTATION


def weat_estimate(n_targets: int, permutations: int) -> Estimate:
    """``weat_estimate_seconds`` scaled by this machine's timed WEAT jobs (``app.runtime.timing``)."""
    return timing.estimate("WEAT permutations", weat_estimate_seconds(n_targets, permutations))


def runs_as_job(n_targets: int, permutations: int) -> bool:
    """Whether a page should run this WEAT in the job queue rather than in its own script thread."""
    return weat_keys(n_targets, permutations) > INLINE_KEYS


def all_tests_table(space: EmbeddingSpace, tests: Sequence[WeatTest] | None = None, **options: Any) -> pd.DataFrame:
    """The paper's ten tests on a space, one row each, next to the human (IAT) results.

    ``effect size d`` is NaN for a test the space cannot run (too many words missing); ``note``
    then says in a few whole words which set falls short, otherwise how many words were left out.
    """
    rows = []
    for test in load_weat_tests() if tests is None else tests:
        row: dict[str, Any] = {
            "test": f"{test.number}. {test.name}",
            "people (IAT) d": test.iat_d or "not reported",
            "people (IAT) p": test.iat_p or "not reported",
        }
        short = [check.short for check in check_test(space, test) if not check.usable]
        if short:
            row |= {
                "effect size d": math.nan,
                "p-value": "not run",
                "note": "too few words in the space: " + ", ".join(short),
            }
        else:
            try:
                result = run_weat_test(space, test, **options)
            except InputError as exc:
                row |= {"effect size d": math.nan, "p-value": "not run", "note": str(exc)}
            else:
                left_out = sum(len(w) for w in result.missing.values())
                row |= {"effect size d": round(result.effect_size, 2), "p-value": result.p_value_text}
                row["note"] = f"{left_out} words not in the space" if left_out else ""
        rows.append(row)
    columns = ["test", "effect size d", "p-value", "people (IAT) d", "people (IAT) p", "note"]
    return pd.DataFrame(rows, columns=columns)
