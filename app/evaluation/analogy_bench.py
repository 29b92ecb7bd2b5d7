"""Analogy benchmarks (Google, MSR, or an uploaded file): accuracy per section, as gensim 4's
``KeyedVectors.evaluate_word_analogies`` reports it, answered in batches.

Same vocabulary restriction, same case folding, same skipping of out-of-vocabulary questions as
gensim. The questions are answered one matrix product per chunk of questions and block of words
instead of one ``most_similar`` call per question, which is what makes them fast.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from app.errors import InputError, Progress
from app.evaluation.benchmarks import AnalogyQuestions, read_analogies, read_source
from app.evaluation.vocabulary import GENSIM_RESTRICT_VOCAB, fold, restricted_size, vocabulary
from app.geometry.analogies import COSMUL_EPSILON  # one value for the workbench and the benchmark (gensim's)
from app.io.loaders import Source
from app.runtime import timing
from app.runtime.timing import Estimate
from app.space import EmbeddingSpace

METHODS = {
    "3cosadd": "3CosAdd: the word closest to b − a + c (Mikolov et al. 2013; gensim's evaluator)",
    "3cosmul": "3CosMul: similar to b and c, unlike a, multiplied (Levy & Goldberg 2014)",
}
CHUNK_QUESTIONS = 1000  # questions per task (and progress step)
BLOCK_WORDS = 2048  # vocabulary rows per matrix product: a block of scores is 8 MB for 1,000 questions
GENSIM_TOPN = 5  # gensim's evaluator looks at the 5 best answers for one that is not a question word
MAX_THREADS = 8  # worker threads for the analogy chunks (at most one per core)
TYPICAL_QUESTIONS = 20_000  # about the Google set's size, for an estimate made before the file is read
MULTIPLY_ADDS_PER_SECOND = 6e10  # fitted to bench/estimates.py on the 2-core machine (both cores, a job)
STARTUP_SECONDS = 0.5  # a job's start: questions read, unit vectors (first guesses were 0.5-0.6x at 0.25)
SCAN_COST = 30  # the masked row-wise argmax over a scored word, in multiply-adds


# --- results ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SectionScore:
    """One section's tally: correct answers among the questions whose four words are in the vocabulary."""

    name: str
    correct: int
    total: int
    oov: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class AnalogyResult:
    """Accuracy overall and per section, and every question with the expected and predicted answer.

    ``questions`` has one row per question line: section, line, a, b, c, expected, predicted, score,
    correct and oov (True when a word is outside the restricted vocabulary; such questions are
    skipped, not counted wrong, as gensim).
    """

    name: str
    method: str
    restrict_vocab: int
    case_insensitive: bool
    sections: list[SectionScore]
    questions: pd.DataFrame = field(repr=False)

    @property
    def correct(self) -> int:
        return sum(s.correct for s in self.sections)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def oov(self) -> int:
        """Questions skipped because a word is outside the restricted vocabulary."""
        return sum(s.oov for s in self.sections)

    @property
    def oov_ratio(self) -> float:
        """Percent of questions skipped, as gensim logs it."""
        return 100.0 * self.oov / len(self.questions) if len(self.questions) else 0.0

    @property
    def summary(self) -> pd.DataFrame:
        """One row per section and gensim's final "Total accuracy" row."""
        rows = [(s.name, s.correct, s.total, s.accuracy, s.oov) for s in self.sections]
        rows.append(("Total accuracy", self.correct, self.total, self.accuracy, self.oov))
        return pd.DataFrame(rows, columns=["section", "correct", "total", "accuracy", "oov"])

    @property
    def wrong(self) -> pd.DataFrame:
        """The questions answered wrongly (in-vocabulary ones only)."""
        q = self.questions
        return q[~q["oov"] & ~q["correct"]].reset_index(drop=True)

    def meaning(self, space_name: str) -> str:
        """One plain sentence saying what the numbers mean for this space."""
        asked = len(self.questions)
        sentence = (
            f"{space_name}: the best answer was exactly the expected word for {self.correct:,} of the "
            f"{self.total:,} questions it could answer ({self.accuracy:.1%})"
        )
        if not self.oov:
            return sentence + f"; all {asked:,} questions had their four words among its first {self.restrict_vocab:,}."
        return (
            sentence + f"; {self.oov:,} of {asked:,} ({self.oov_ratio:.1f}%) were skipped because a word is not "
            f"among its first {self.restrict_vocab:,} words."
        )


# --- what a run costs ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchRange:
    """Bounds for "search the first N words": gensim's 300,000 by default, never more than the
    largest space holds."""

    minimum: int
    default: int
    maximum: int
    step: int


def search_range(sizes: Sequence[int]) -> SearchRange:
    """The range of ``restrict_vocab`` worth offering for spaces of these sizes."""
    largest = max(1, *sizes) if sizes else 1
    return SearchRange(
        minimum=min(1_000, largest),
        default=min(GENSIM_RESTRICT_VOCAB, largest),
        maximum=largest,
        step=10_000 if largest > 100_000 else 1_000,
    )


def estimate_seconds(
    spaces: Sequence[EmbeddingSpace], *, restrict_vocab: int, method: str, questions: int = TYPICAL_QUESTIONS
) -> float:
    """About how long a run takes: per question and searched word, one product over the dimensions
    (three for 3CosMul, which also multiplies and divides the scores) and the argmax's scan."""

    def per_pair(dim: int) -> int:
        return 3 * dim + 2 * SCAN_COST if method == "3cosmul" else dim + SCAN_COST

    work = sum(questions * min(len(s), restrict_vocab) * per_pair(s.dim) for s in spaces)
    return STARTUP_SECONDS + work / MULTIPLY_ADDS_PER_SECOND


def analogy_estimate(
    spaces: Sequence[EmbeddingSpace], *, restrict_vocab: int, method: str, source: Source | None = None
) -> Estimate:
    """``estimate_seconds`` for the questions of ``source`` (a typical set's size without it), scaled
    by this machine's timed benchmark runs (``app.runtime.timing``)."""
    questions = TYPICAL_QUESTIONS if source is None else count_questions(source)
    modelled = estimate_seconds(spaces, restrict_vocab=restrict_vocab, method=method, questions=questions)
    return timing.estimate(f"analogy benchmark {method}", modelled)


def count_questions(source: Source) -> int:
    """Roughly how many questions a benchmark file holds: its lines that are not section headers."""
    try:
        data, _ = read_source(source)
    except InputError:
        return TYPICAL_QUESTIONS  # the run itself will say what is wrong with the file
    return max(1, data.count(b"\n") + (not data.endswith(b"\n")) - data.count(b":"))


# --- answering the questions ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Asked:
    """The questions as rows of the restricted vocabulary (-1 for a word outside it)."""

    questions: AnalogyQuestions
    folded: list[tuple[str, ...]]  # the four words as matched (upper-cased when case is ignored)
    rows: np.ndarray  # (questions, 4) int64
    restrict_vocab: int
    case_insensitive: bool

    @property
    def known(self) -> np.ndarray:
        """True for questions whose four words are all in the restricted vocabulary."""
        return np.asarray((self.rows >= 0).all(axis=1), dtype=bool)


def evaluate_analogies(
    space: EmbeddingSpace,
    path: Source,
    *,
    restrict_vocab: int | None = GENSIM_RESTRICT_VOCAB,
    case_insensitive: bool = True,
    method: str = "3cosadd",
    progress: Progress | None = None,
) -> AnalogyResult:
    """Answer every question of an analogy file; gensim's evaluate_word_analogies, batched.

    Only the first ``restrict_vocab`` words are searched and questions using any other word are
    skipped (``oov``). The answer is the best-scoring restricted word other than the three
    question words; with ``case_insensitive`` words match upper-cased, first occurrence first.
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")
    questions = read_analogies(path)
    n = restricted_size(space, restrict_vocab)
    vocab = vocabulary(space, n, case_insensitive=case_insensitive)
    folded = [tuple(fold(w, case_insensitive) for w in q) for q in questions.words]
    rows = np.array([[vocab.get(w, -1) for w in q] for q in folded], dtype=np.int64).reshape(-1, 4)
    asked = _Asked(questions, folded, rows, n, case_insensitive)
    order = np.flatnonzero(asked.known)
    unit = space.unit_vectors[:n]
    best = np.full(len(questions), -1, dtype=np.int64)
    score = np.full(len(questions), np.nan)
    searched = unit if method == "3cosadd" else _with_ones(unit)
    for chunk, answers in _answer_chunks(searched, rows, order, method):
        best[chunk], score[chunk] = answers
        if progress is not None:
            done = int(np.searchsorted(order, chunk[-1])) + 1
            progress(done / len(order), f"{done:,} of {len(order):,} questions answered")
    predicted = _resolve(space.words, unit, asked, best=best, score=score, method=method)
    return _analogy_result(asked, method=method, predicted=predicted, score=score)


def evaluate_analogies_on(
    spaces: Sequence[EmbeddingSpace],
    path: Source,
    *,
    restrict_vocab: int | None = GENSIM_RESTRICT_VOCAB,
    case_insensitive: bool = True,
    method: str = "3cosadd",
    progress: Progress,
) -> dict[str, AnalogyResult]:
    """``evaluate_analogies`` for several spaces in turn, by space name, as one background job."""
    results = {}
    for i, space in enumerate(spaces):

        def step(fraction: float, message: str, /, i: int = i, name: str = space.name, **_: Any) -> None:
            progress((i + fraction) / len(spaces), f"{name}: {message}")

        results[space.name] = evaluate_analogies(
            space, path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive, method=method, progress=step
        )
    return results


def _with_ones(unit: np.ndarray) -> np.ndarray:
    """Unit vectors with a column of ones, so one product gives 1 + cosine (for 3CosMul)."""
    return np.hstack([unit, np.ones((len(unit), 1), dtype=unit.dtype)])


def _answer_chunks(
    searched: np.ndarray, rows: np.ndarray, asked: np.ndarray, method: str
) -> Iterator[tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]]:
    """Answers chunk by chunk, in order, computed on one thread per core.

    BLAS is held to one thread meanwhile: with a product this thin (50 columns) its own
    threads gain little and, on a busy machine, spin-wait for each other; chunks on separate
    threads keep every core busy instead. Results come back in order on the calling thread,
    so a progress callback may draw.
    """
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    chunks = [asked[i : i + CHUNK_QUESTIONS] for i in range(0, len(asked), CHUNK_QUESTIONS)]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    workers = max(1, min(len(chunks), cores, MAX_THREADS))
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        answers = pool.map(lambda chunk: _answer_chunk(searched, rows[chunk, :3], method), chunks)
        yield from zip(chunks, answers, strict=True)


def _answer_chunk(searched: np.ndarray, abc: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Best row and score for each question (a, b, c rows), the question words masked out.

    The vocabulary is scanned in blocks so the score matrix stays small (near the cache); each
    block is one matrix product, then a masked row-wise argmax.
    """
    m = len(abc)
    query = _queries(searched, abc, method)
    best = np.full(m, -1, dtype=np.int64)
    best_score = np.full(m, -np.inf, dtype=np.float32)
    arange = np.arange(m)
    mask_rows, mask_cols = np.repeat(arange, 3), abc.reshape(-1)
    order = np.argsort(mask_cols, kind="stable")
    mask_rows, mask_cols = mask_rows[order], mask_cols[order]
    for lo in range(0, len(searched), BLOCK_WORDS):
        hi = min(lo + BLOCK_WORDS, len(searched))
        block = _block_scores(query, searched[lo:hi], method, m)
        a, b = np.searchsorted(mask_cols, [lo, hi])
        block[mask_rows[a:b], mask_cols[a:b] - lo] = -np.inf
        arg = block.argmax(axis=1)
        top = block[arange, arg]
        better = top > best_score
        best[better], best_score[better] = arg[better] + lo, top[better]
    best[~np.isfinite(best_score)] = -1
    if method == "3cosmul":
        best_score /= 2  # (1 + cos b)(1 + cos c) / (1 + cos a + 2 eps) is twice Levy & Goldberg's score
    return best, best_score.astype(np.float64)


def _queries(searched: np.ndarray, abc: np.ndarray, method: str) -> np.ndarray:
    """3CosAdd: the unit offset b - a + c per question. 3CosMul: a, b and c stacked, each with a
    last coordinate that turns the product into 1 + cosine (plus 2 eps for a)."""
    a, b, c = searched[abc[:, 0]], searched[abc[:, 1]], searched[abc[:, 2]]
    if method == "3cosadd":
        query = b + c - a
        norms = np.linalg.norm(query, axis=1, keepdims=True)
        return np.divide(query, norms, out=np.zeros_like(query), where=norms > 0)
    a[:, -1] += 2 * COSMUL_EPSILON
    return np.concatenate([a, b, c])


def _block_scores(query: np.ndarray, block: np.ndarray, method: str, m: int) -> np.ndarray:
    """Scores of a block of words for m questions: cosine to the offset, or twice 3CosMul.

    3CosMul shifts cosines to [0, 1] (Levy & Goldberg, footnote 7): (1 + cos b)/2 * (1 + cos c)/2
    / ((1 + cos a)/2 + eps), which is (1 + cos b)(1 + cos c) / (1 + cos a + 2 eps) / 2.
    """
    sims = query @ block.T
    if method == "3cosadd":
        return sims
    shifted_a, shifted_b, shifted_c = sims[:m], sims[m : 2 * m], sims[2 * m :]
    shifted_b *= shifted_c
    shifted_b /= shifted_a
    return shifted_b


def _brute_scores(unit: np.ndarray, abc: np.ndarray, method: str) -> np.ndarray:
    """All restricted words' scores for one question (for the rare answers needing gensim's top-5 walk)."""
    if method == "3cosadd":
        query = unit[abc[1]] + unit[abc[2]] - unit[abc[0]]
        norm = np.linalg.norm(query)
        return unit @ (query / norm if norm > 0 else query)
    shifted = [(unit @ unit[i] + 1.0) / 2.0 for i in abc]
    return shifted[1] * shifted[2] / (shifted[0] + COSMUL_EPSILON)


def _resolve(
    words: Sequence[str],
    unit: np.ndarray,
    asked: _Asked,
    *,
    best: np.ndarray,
    score: np.ndarray,
    method: str,
) -> list[str | None]:
    """Each question's predicted word, as gensim decides it (``score`` is corrected in place).

    gensim takes the best word whose folded form is not a question word; with case folding the
    best row can be another casing of a question word ("Paris" for "paris"). Then, as gensim,
    the next of the 5 best answers is taken, so only those rare questions are redone one by one.
    """
    predicted: list[str | None] = [None] * len(asked.rows)
    for q in np.flatnonzero(asked.known):
        row = int(best[q])
        if row < 0:
            continue
        ignore = set(asked.folded[q][:3])
        word: str | None = words[row]
        if fold(words[row], asked.case_insensitive) in ignore:
            word, score[q] = _gensim_walk(
                unit,
                words,
                abc=asked.rows[q, :3],
                ignore=ignore,
                method=method,
                case_insensitive=asked.case_insensitive,
            )
        predicted[q] = word
    return predicted


def _gensim_walk(
    unit: np.ndarray,
    words: Sequence[str],
    *,
    abc: np.ndarray,
    ignore: set[str],
    method: str,
    case_insensitive: bool,
) -> tuple[str | None, float]:
    """gensim's loop over most_similar(topn=5): the first answer that is not a question word,
    else the last one looked at (which then counts as wrong unless it is the expected word)."""
    scores = _brute_scores(unit, abc, method)
    scores[np.unique(abc)] = -np.inf
    order = np.argsort(-scores, kind="stable")[:GENSIM_TOPN]
    word, value = None, math.nan
    for row in order:
        if not np.isfinite(scores[row]):
            break
        word, value = words[row], float(scores[row])
        if fold(word, case_insensitive) not in ignore:
            break
    return word, value


def _analogy_result(asked: _Asked, *, method: str, predicted: list[str | None], score: np.ndarray) -> AnalogyResult:
    """The per-question table and the per-section tallies."""
    questions, known, folding = asked.questions, asked.known, asked.case_insensitive
    expected = [q[3] for q in questions.words]
    correct = np.array(
        [
            ok and p is not None and fold(p, folding) == fold(e, folding)
            for ok, p, e in zip(known, predicted, expected, strict=True)
        ],
        dtype=bool,
    )
    table = pd.DataFrame(
        {
            "section": [questions.sections[s] for s in questions.section],
            "line": questions.line,
            "a": [q[0] for q in questions.words],
            "b": [q[1] for q in questions.words],
            "c": [q[2] for q in questions.words],
            "expected": expected,
            "predicted": predicted,
            "score": score,
            "correct": correct,
            "oov": ~known,
        }
    )
    k = len(questions.sections)
    totals = np.bincount(questions.section[known], minlength=k)
    rights = np.bincount(questions.section[correct], minlength=k)
    skipped = np.bincount(questions.section[~known], minlength=k)
    sections = [
        SectionScore(name, int(rights[i]), int(totals[i]), int(skipped[i])) for i, name in enumerate(questions.sections)
    ]
    return AnalogyResult(questions.name, method, asked.restrict_vocab, folding, sections, table)
