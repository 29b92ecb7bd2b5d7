"""The built-in benchmarks (where each file is, what kind it is, whom to cite) and the readers of
benchmark files: analogy questions (``questions-words.txt`` style) and word pairs with human scores.

Readers refuse what they cannot read with an InputError naming the file and line; they never guess
silently past a bad line (gensim skips some without a word).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.errors import InputError
from app.io.formats import Limits
from app.io.loaders import Source
from app.io.loaders import read_source as read_vector_source
from app.resources import SAMPLE_BENCHMARKS, gensim_file

MAX_BYTES = 200 * 1024**2  # benchmark files are a few hundred KB; this refuses a mistaken upload


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


def iter_benchmarks(kind: str | None = None) -> Iterator[Benchmark]:
    """The built-in benchmarks, optionally only one kind ("analogy" or "pairs")."""
    return (b for b in BENCHMARKS.values() if kind is None or b.kind == kind)


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
    section: list[int] = []
    line_no: list[int] = []
    words: list[tuple[str, str, str, str]] = []
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
        a, b, c, expected = fields
        words.append((a, b, c, expected))
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
    numbers: list[int] = []
    word1: list[str] = []
    word2: list[str] = []
    human: list[float] = []
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
