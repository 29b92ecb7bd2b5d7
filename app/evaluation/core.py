"""Intrinsic evaluation on standard benchmarks: word analogies (Google, MSR) and word-pair similarity
(WordSim353, SimLex-999, MEN, RG-65, MTurk-771, Rare Words).

The numbers are gensim 4's (``KeyedVectors.evaluate_word_analogies`` and ``evaluate_word_pairs``):
same vocabulary restriction, same case folding, same skipping of out-of-vocabulary questions. The
analogies are answered in batches (one matrix product per chunk of questions and block of words)
instead of one ``most_similar`` call per question, which is what makes them fast.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from app.errors import InputError, Progress
from app.geometry.analogies import COSMUL_EPSILON  # one value for the workbench and the benchmark (gensim's)
from app.io.formats import Limits
from app.io.loaders import Source
from app.io.loaders import read_source as read_vector_source
from app.resources import SAMPLE_BENCHMARKS, gensim_file
from app.space import EmbeddingSpace

METHODS = {
    "3cosadd": "3CosAdd: the word closest to b − a + c (Mikolov et al. 2013; gensim's evaluator)",
    "3cosmul": "3CosMul: similar to b and c, unlike a, multiplied (Levy & Goldberg 2014)",
}
CHUNK_QUESTIONS = 1000  # questions per task (and progress step)
BLOCK_WORDS = 2048  # vocabulary rows per matrix product: a block of scores is 8 MB for 1,000 questions
GENSIM_TOPN = 5  # gensim's evaluator looks at the 5 best answers for one that is not a question word
MAX_BYTES = 200 * 1024**2  # benchmark files are a few hundred KB; this refuses a mistaken upload
MAX_THREADS = 8  # worker threads for the analogy chunks (at most one per core)


# --- the built-in benchmarks --------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    """One built-in test set: where it is, what kind it is, and whom to cite."""

    key: str
    name: str
    kind: str  # "analogy" or "pairs"
    file: str  # a file name in gensim's test data ("gensim:") or in sample_data/reference/benchmarks/
    citation: str
    about: str = ""

    @property
    def path(self) -> Path:
        if self.file.startswith("gensim:"):
            return gensim_file(self.file.removeprefix("gensim:"))
        return SAMPLE_BENCHMARKS / self.file


BENCHMARKS: dict[str, Benchmark] = {
    b.key: b
    for b in (
        Benchmark(
            "google",
            "Google analogies",
            "analogy",
            "gensim:questions-words.txt",
            'Mikolov, Chen, Corrado & Dean, "Efficient estimation of word representations in vector space", '
            "ICLR workshop 2013",
            "19,544 questions in 14 sections: 5 semantic (capitals, currencies, family) and 9 syntactic.",
        ),
        Benchmark(
            "msr",
            "MSR syntactic analogies",
            "analogy",
            "MSR-syntax.txt",
            'Mikolov, Yih & Zweig, "Linguistic regularities in continuous space word representations", NAACL 2013',
            "8,000 syntactic questions (plurals, possessives, comparatives, verb forms) in one section.",
        ),
        Benchmark(
            "wordsim353",
            "WordSim353",
            "pairs",
            "gensim:wordsim353.tsv",
            'Finkelstein et al., "Placing search in context: the concept revisited", ACM TOIS 2002',
            "353 pairs, relatedness 0-10.",
        ),
        Benchmark(
            "simlex999",
            "SimLex-999",
            "pairs",
            "gensim:simlex999.txt",
            'Hill, Reichart & Korhonen, "SimLex-999: evaluating semantic models with (genuine) similarity '
            'estimation", Computational Linguistics 2015',
            "999 pairs, similarity (not relatedness) 0-10.",
        ),
        Benchmark(
            "men",
            "MEN",
            "pairs",
            "MEN_dataset_natural_form_full.tsv",
            'Bruni, Tran & Baroni, "Multimodal distributional semantics", JAIR 2014',
            "3,000 pairs, relatedness 0-50.",
        ),
        Benchmark(
            "rg65",
            "RG-65",
            "pairs",
            "RG_word.tsv",
            'Rubenstein & Goodenough, "Contextual correlates of synonymy", CACM 1965',
            "65 noun pairs, similarity 0-4.",
        ),
        Benchmark(
            "mturk771",
            "MTurk-771",
            "pairs",
            "MTURK-771.tsv",
            'Halawi, Dror, Gabrilovich & Koren, "Large-scale learning of word relatedness with constraints", KDD 2012',
            "771 pairs, relatedness 1-5.",
        ),
        Benchmark(
            "rw",
            "Rare Words",
            "pairs",
            "rw.tsv",
            'Luong, Socher & Manning, "Better word representations with recursive neural networks for '
            'morphology", CoNLL 2013',
            "2,034 pairs of rare words, similarity 0-10.",
        ),
    )
}


def benchmark(key: str) -> Benchmark:
    """A built-in benchmark by key (see BENCHMARKS)."""
    if key not in BENCHMARKS:
        raise InputError(f"unknown benchmark {key!r}; choose one of: {', '.join(BENCHMARKS)}")
    return BENCHMARKS[key]


def evaluate_benchmark(space: EmbeddingSpace, key: str, **options: Any) -> AnalogyResult | PairResult:
    """Run a built-in benchmark; options go to evaluate_analogies or evaluate_word_pairs."""
    bench = benchmark(key)
    run = evaluate_analogies if bench.kind == "analogy" else evaluate_word_pairs
    return run(space, bench.path, **options)


# --- reading files ------------------------------------------------------------------------------
def read_source(source: Source) -> tuple[bytes, str]:
    """The bytes and a display name of a benchmark file (a path, ``(bytes, name)`` or an upload)."""
    return read_vector_source(source, Limits(max_bytes=MAX_BYTES))


def _text_lines(data: bytes, name: str) -> list[str]:
    """The file's lines as text; refuses empty, binary and non-UTF-8 files, naming the line."""
    if not data.strip():
        raise InputError(f"{name}: the file is empty")
    if b"\x00" in data:
        line = _line_at(data, data.index(b"\x00"))
        raise InputError(f"{name}, line {line}: a NUL byte; this looks like a binary file, not a text benchmark")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_at(data, exc.start)
        raise InputError(f"{name}, line {line}: not UTF-8 text (byte {data[exc.start]:#04x})") from None
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _line_at(data: bytes, position: int) -> int:
    """The 1-based line of a byte offset, counting \\n, \\r\\n and \\r line ends as the reader does."""
    head = data[:position]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


@dataclass(frozen=True)
class AnalogyQuestions:
    """A parsed analogy file: section names and, per question, its section, line and four words."""

    name: str
    sections: tuple[str, ...]
    section: np.ndarray  # section number of each question
    line: np.ndarray  # 1-based line number of each question
    words: list[tuple[str, str, str, str]]

    def __len__(self) -> int:
        return len(self.words)


def read_analogies(source: Source) -> AnalogyQuestions:
    """Parse a ``questions-words.txt``-style file: ``: section`` lines, then ``a b c d`` lines.

    Blank lines are skipped. A question line without exactly four words, or before the first
    section, is an InputError naming the line (gensim skips the first silently).
    """
    data, name = read_source(source)
    sections: list[str] = []
    section, line_no, words = [], [], []
    for number, line in enumerate(_text_lines(data, name), start=1):
        if line.startswith(": "):
            sections.append(line.lstrip(": ").strip())  # gensim's section name
            continue
        fields = line.split()
        if not fields:
            continue
        if not sections:
            raise InputError(f"{name}, line {number}: a question before the first ': section' line")
        if len(fields) != 4:
            raise InputError(
                f"{name}, line {number}: expected 4 words (a b c expected), got {len(fields)}: {_clip(line)}"
            )
        section.append(len(sections) - 1)
        line_no.append(number)
        words.append(tuple(fields))
    if not words:
        raise InputError(f"{name}: no analogy questions found (expected ': section' lines, then 'a b c d' lines)")
    return AnalogyQuestions(name, tuple(sections), np.array(section), np.array(line_no), words)


@dataclass(frozen=True)
class WordPairs:
    """A parsed word-pair file: line numbers, both words and the human score of each pair."""

    name: str
    line: np.ndarray
    word1: list[str]
    word2: list[str]
    human: np.ndarray
    header: str | None = None

    def __len__(self) -> int:
        return len(self.word1)


def read_pairs(source: Source, delimiter: str | None = "\t") -> WordPairs:
    """Parse ``word1 <delimiter> word2 <delimiter> score`` lines.

    As gensim: lines starting with ``#`` are comments. Also: blank lines are skipped, repeated
    delimiters count as one (RG-65 uses two tabs), a first line whose score is not a number is
    taken as a header and skipped, and ``delimiter=None`` guesses tab, comma or spaces from the
    first line. Any other line that is not two words and a number is an InputError naming it.
    """
    data, name = read_source(source)
    lines = _text_lines(data, name)
    if delimiter is None:
        delimiter = _guess_delimiter(lines)
    numbers, word1, word2, human = [], [], [], []
    header = None
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = _split(line, delimiter)
        if len(fields) != 3:
            raise InputError(
                f"{name}, line {number}: expected word1, word2 and a score separated by "
                f"{_describe(delimiter)}, got {len(fields)} field{'s' if len(fields) != 1 else ''}: {_clip(line)}"
            )
        score = _number(fields[2])
        if score is None:
            if not numbers and header is None:
                header = line.strip()
                continue
            raise InputError(f"{name}, line {number}: the score {_clip(fields[2])!r} is not a number")
        numbers.append(number)
        word1.append(fields[0])
        word2.append(fields[1])
        human.append(score)
    if not numbers:
        raise InputError(f"{name}: no word pairs found (expected lines of word1, word2, score)")
    return WordPairs(name, np.array(numbers), word1, word2, np.array(human, dtype=np.float64), header)


def _guess_delimiter(lines: Sequence[str]) -> str:
    """Tab if the first data line has one, else comma if it splits in three, else whitespace (" ")."""
    first = next((x for x in lines if x.strip() and not x.startswith("#")), "")
    if "\t" in first:
        return "\t"
    if len(_split(first, ",")) == 3:
        return ","
    return " "


def _split(line: str, delimiter: str) -> list[str]:
    """Fields split by the delimiter (a run of them counts as one; spaces mean any whitespace)."""
    if delimiter.isspace() and delimiter != "\t":
        return line.split()
    return [f.strip() for f in line.split(delimiter) if f.strip()]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _describe(delimiter: str) -> str:
    return {"\t": "tabs", ",": "commas", " ": "spaces"}.get(delimiter, repr(delimiter))


def _clip(text: str, limit: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the restricted vocabulary ----------------------------------------------------------------
def _restricted(space: EmbeddingSpace, restrict_vocab: int | None) -> int:
    """How many of the first words are searched (gensim's ``index_to_key[:restrict_vocab]``)."""
    if restrict_vocab is None:
        return len(space)
    if int(restrict_vocab) < 1:
        raise InputError(f"restrict_vocab must be at least 1, got {restrict_vocab}")
    return min(int(restrict_vocab), len(space))


def _vocabulary(space: EmbeddingSpace, n: int, case_insensitive: bool) -> dict[str, int]:
    """Word -> row among the first n words; upper-cased, first occurrence wins (as gensim)."""
    words = space.words[:n]
    if not case_insensitive:
        return dict(zip(words, range(n), strict=True))
    vocab: dict[str, int] = {}
    for i, word in enumerate(words):
        vocab.setdefault(word.upper(), i)
    return vocab


def _fold(word: str, case_insensitive: bool) -> str:
    return word.upper() if case_insensitive else word


# --- analogies ----------------------------------------------------------------------------------
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


def evaluate_analogies(
    space: EmbeddingSpace,
    path: Source,
    restrict_vocab: int | None = 300_000,
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
    n = _restricted(space, restrict_vocab)
    vocab = _vocabulary(space, n, case_insensitive)
    folded = [tuple(_fold(w, case_insensitive) for w in q) for q in questions.words]
    rows = np.array([[vocab.get(w, -1) for w in q] for q in folded], dtype=np.int64).reshape(-1, 4)
    known = (rows >= 0).all(axis=1)
    asked = np.flatnonzero(known)
    unit = space.unit_vectors[:n]
    best = np.full(len(questions), -1, dtype=np.int64)
    score = np.full(len(questions), np.nan)
    searched = unit if method == "3cosadd" else _with_ones(unit)
    for chunk, answers in _answer_chunks(searched, rows, asked, method):
        best[chunk], score[chunk] = answers
        if progress is not None:
            done = int(np.searchsorted(asked, chunk[-1])) + 1
            progress(done / len(asked), f"{done:,} of {len(asked):,} questions answered")
    predicted = _resolve(space, unit, rows, folded, best, score, asked, method, case_insensitive)
    return _analogy_result(space, questions, n, case_insensitive, method, known, predicted, score)


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


def _brute_scores(unit: np.ndarray, abc: Sequence[int], method: str) -> np.ndarray:
    """All restricted words' scores for one question (for the rare answers needing gensim's top-5 walk)."""
    if method == "3cosadd":
        query = unit[abc[1]] + unit[abc[2]] - unit[abc[0]]
        norm = np.linalg.norm(query)
        return unit @ (query / norm if norm > 0 else query)
    shifted = [(unit @ unit[i] + 1.0) / 2.0 for i in abc]
    return shifted[1] * shifted[2] / (shifted[0] + COSMUL_EPSILON)


def _resolve(
    space: EmbeddingSpace,
    unit: np.ndarray,
    rows: np.ndarray,
    folded: list[tuple[str, ...]],
    best: np.ndarray,
    score: np.ndarray,
    asked: np.ndarray,
    method: str,
    case_insensitive: bool,
) -> list[str | None]:
    """Each question's predicted word, as gensim decides it.

    gensim takes the best word whose folded form is not a question word; with case folding the
    best row can be another casing of a question word ("Paris" for "paris"). Then, as gensim,
    the next of the 5 best answers is taken, so only those rare questions are redone one by one.
    """
    predicted: list[str | None] = [None] * len(rows)
    words = space.words
    for q in asked:
        row = int(best[q])
        if row < 0:
            continue
        word = words[row]
        ignore = set(folded[q][:3])
        if _fold(word, case_insensitive) in ignore:
            word, score[q] = _gensim_walk(unit, words, rows[q, :3], ignore, method, case_insensitive)
        predicted[q] = word
    return predicted


def _gensim_walk(
    unit: np.ndarray,
    words: Sequence[str],
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
        if _fold(word, case_insensitive) not in ignore:
            break
    return word, value


def _analogy_result(
    space: EmbeddingSpace,
    questions: AnalogyQuestions,
    n: int,
    case_insensitive: bool,
    method: str,
    known: np.ndarray,
    predicted: list[str | None],
    score: np.ndarray,
) -> AnalogyResult:
    """The per-question table and the per-section tallies."""
    expected = [q[3] for q in questions.words]
    correct = np.array(
        [
            ok and p is not None and _fold(p, case_insensitive) == _fold(e, case_insensitive)
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
    return AnalogyResult(questions.name, method, n, case_insensitive, sections, table)


# --- word pairs ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PairResult:
    """Pearson and Spearman correlation (with two-sided p-values) between human and model scores.

    ``pairs`` has one row per pair: line, word1, word2, human, model (cosine; NaN when a word is
    out of vocabulary, 0.0 then with ``dummy4unknown``) and oov.
    """

    name: str
    pearson: float
    pearson_p: float
    spearman: float
    spearman_p: float
    oov: int
    oov_ratio: float  # percent, as gensim
    restrict_vocab: int
    case_insensitive: bool
    pairs: pd.DataFrame = field(repr=False)

    @property
    def evaluated(self) -> int:
        """Pairs that went into the correlations."""
        return int(self.pairs["model"].notna().sum())

    def worst(self, n: int = 20) -> pd.DataFrame:
        """The n in-vocabulary pairs where the model's rank and the humans' rank disagree most."""
        known = self.pairs[~self.pairs["oov"]].copy()
        if known.empty:
            return known.assign(human_rank=[], model_rank=[], disagreement=[])
        known["human_rank"] = known["human"].rank(pct=True)
        known["model_rank"] = known["model"].rank(pct=True)
        known["disagreement"] = (known["human_rank"] - known["model_rank"]).abs()
        return known.nlargest(n, "disagreement").reset_index(drop=True)


def evaluate_word_pairs(
    space: EmbeddingSpace,
    path: Source,
    delimiter: str | None = "\t",
    restrict_vocab: int | None = 300_000,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
) -> PairResult:
    """Correlate cosine similarity with human judgements; gensim's evaluate_word_pairs.

    Pairs with a word outside the first ``restrict_vocab`` words are skipped, or scored 0.0 with
    ``dummy4unknown``. See read_pairs for the file format (``delimiter=None`` guesses it).
    """
    pairs = read_pairs(path, delimiter)
    n = _restricted(space, restrict_vocab)
    vocab = _vocabulary(space, n, case_insensitive)
    left = np.array([vocab.get(_fold(w, case_insensitive), -1) for w in pairs.word1], dtype=np.int64)
    right = np.array([vocab.get(_fold(w, case_insensitive), -1) for w in pairs.word2], dtype=np.int64)
    known = (left >= 0) & (right >= 0)
    unit = space.unit_vectors
    model = np.full(len(pairs), 0.0 if dummy4unknown else np.nan)
    model[known] = np.einsum("ij,ij->i", unit[left[known]], unit[right[known]], dtype=np.float64)
    used = np.ones(len(pairs), dtype=bool) if dummy4unknown else known
    if used.sum() < 2:
        raise InputError(
            f"{pairs.name}: {int(used.sum())} of {len(pairs):,} pairs have both words among the first {n:,} words "
            f"of {space.name!r}; at least 2 are needed for a correlation"
        )
    pearson, pearson_p, spearman, spearman_p = _correlations(pairs.human[used], model[used])
    oov = int((~known).sum())
    oov_ratio = 100.0 * oov / (int(used.sum()) if dummy4unknown else len(pairs))
    table = pd.DataFrame(
        {
            "line": pairs.line,
            "word1": pairs.word1,
            "word2": pairs.word2,
            "human": pairs.human,
            "model": model,
            "oov": ~known,
        }
    )
    return PairResult(pairs.name, pearson, pearson_p, spearman, spearman_p, oov, oov_ratio, n, case_insensitive, table)


def _correlations(human: np.ndarray, model: np.ndarray) -> tuple[float, float, float, float]:
    """scipy's pearsonr and spearmanr (NaN, not a warning, when one side is constant)."""
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pearson = stats.pearsonr(human, model)
        spearman = stats.spearmanr(human, model)
    return float(pearson[0]), float(pearson[1]), float(spearman[0]), float(spearman[1])


def iter_benchmarks(kind: str | None = None) -> Iterator[Benchmark]:
    """The built-in benchmarks, optionally only one kind ("analogy" or "pairs")."""
    return (b for b in BENCHMARKS.values() if kind is None or b.kind == kind)


def evaluate_analogies_on(
    spaces: Sequence[EmbeddingSpace],
    path: Source,
    restrict_vocab: int | None = 300_000,
    case_insensitive: bool = True,
    method: str = "3cosadd",
    *,
    progress: Progress,
) -> dict[str, AnalogyResult]:
    """``evaluate_analogies`` for several spaces in turn, by space name, as one background job."""
    results = {}
    for i, space in enumerate(spaces):

        def step(fraction: float, message: str, i: int = i, name: str = space.name) -> None:
            progress((i + fraction) / len(spaces), f"{name}: {message}")

        results[space.name] = evaluate_analogies(space, path, restrict_vocab, case_insensitive, method, step)
    return results
