"""Text corpora for training: a file on disk, read lazily, turned into token lists by visible steps.

A ``Corpus`` is a small picklable description (path + options). Iterating it streams one document's
tokens at a time from disk, so a corpus larger than memory still trains, and it can be iterated again
(gensim makes one pass for the vocabulary and one per epoch). ``open_corpus`` checks the file once,
streamed, and every problem is an InputError naming the file, line, column or zip entry.
How the bytes become raw documents (lines, sentences, CSV, zip) lives in ``app.training.corpus_readers``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from app.errors import InputError
from app.resources import SAMPLE_DATA, gensim_file
from app.training.corpus_readers import (
    KINDS,
    CorpusLimits,
    Layout,
    detect_layout,
    file_digest,
    gunzip_to_file,
    iter_lines,
    read_documents,
    safe_file_name,
)

__all__ = [
    "BUILTIN_CORPORA",
    "BuiltinCorpus",
    "Corpus",
    "CorpusLimits",
    "CorpusStats",
    "Preprocessing",
    "builtin_corpus",
    "corpus_stats",
    "open_corpus",
]

TOKENIZERS = ("regex", "simple_preprocess")
# Words: letters/digits (any script), with apostrophes or hyphens inside ("don't", "well-known").
TOKEN_PATTERN = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")


@cache
def stopwords() -> frozenset[str]:
    """gensim's English stop words (the list the preprocessing step removes)."""
    from gensim.parsing.preprocessing import STOPWORDS

    return frozenset(STOPWORDS)


def strip_accents(text: str) -> str:
    """'Café naïve' -> 'Cafe naive': decompose (NFKD) and drop the combining marks."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


@dataclass(frozen=True)
class Preprocessing:
    """The steps from a raw document to its tokens, each optional; ``steps()`` lists them in order."""

    lowercase: bool = True
    tokenizer: str = "regex"  # "regex" | "simple_preprocess"
    strip_accents: bool = False
    remove_stopwords: bool = False
    min_token_length: int = 1
    phrases: bool = False  # gensim Phrases learned in one extra pass
    phrase_min_count: int = 5
    phrase_threshold: float = 10.0

    def __post_init__(self) -> None:
        if self.tokenizer not in TOKENIZERS:
            raise InputError(f"unknown tokenizer {self.tokenizer!r}; choose one of: {', '.join(TOKENIZERS)}")
        if not isinstance(self.min_token_length, int) or self.min_token_length < 1:
            raise InputError(f"the minimum token length must be a whole number >= 1, got {self.min_token_length!r}")
        if not isinstance(self.phrase_min_count, int) or self.phrase_min_count < 1:
            raise InputError(f"the phrase minimum count must be a whole number >= 1, got {self.phrase_min_count!r}")
        if not self.phrase_threshold > 0:
            raise InputError(f"the phrase threshold must be above 0, got {self.phrase_threshold!r}")

    def to_dict(self) -> dict[str, Any]:
        """The options as JSON-able values, for the reproducibility record."""
        return dataclasses.asdict(self)

    def steps(self) -> list[str]:
        """Human-readable steps in the order they run."""
        steps = ["lower-case"] if self.lowercase else []
        if self.strip_accents:
            steps.append("strip accents")
        if self.tokenizer == "regex":
            steps.append("regex tokens (letters and digits; ' and - inside a word kept)")
        else:
            steps.append("gensim simple_preprocess tokens (letters only, 2-15 characters)")
        if self.min_token_length > 1:
            steps.append(f"drop tokens shorter than {self.min_token_length} characters")
        if self.remove_stopwords:
            steps.append("remove stop-words (gensim's English list)")
        if self.phrases:
            steps.append(
                f"join phrases such as new_york (gensim Phrases, min_count {self.phrase_min_count}, "
                f"threshold {self.phrase_threshold:g})"
            )
        return steps

    def tokenize(self, text: str) -> list[str]:
        """One document's tokens after every step except phrases (which are learned from a corpus)."""
        if self.tokenizer == "simple_preprocess":
            tokens = _gensim_tokens(text, self.lowercase, self.strip_accents)
        else:
            if self.lowercase:
                text = text.lower()
            if not text.isascii():  # one spelling for "café" whether typed composed or decomposed
                text = strip_accents(text) if self.strip_accents else unicodedata.normalize("NFC", text)
            tokens = TOKEN_PATTERN.findall(text)
        if self.min_token_length > 1:
            tokens = [token for token in tokens if len(token) >= self.min_token_length]
        if self.remove_stopwords:
            stop = stopwords()
            tokens = [token for token in tokens if token.lower() not in stop]
        return tokens


def _gensim_tokens(text: str, lowercase: bool, deaccent: bool) -> list[str]:
    """gensim's simple_preprocess; without lower-casing, the same rule through gensim's tokenize."""
    from gensim.utils import simple_preprocess, tokenize

    if lowercase:
        return simple_preprocess(text, deacc=deaccent)
    return [t for t in tokenize(text, lower=False, deacc=deaccent) if 2 <= len(t) <= 15 and not t.startswith("_")]


class Corpus:
    """A corpus file plus how to read and preprocess it; iterate it for token lists, again and again.

    Picklable and small (the learned phrase model is a cache, rebuilt after unpickling). Treat the
    attributes as read-only; ``with_preprocessing`` gives a corpus with other steps.
    """

    def __init__(
        self,
        *,
        name: str,
        path: Path,
        layout: Layout,
        preprocessing: Preprocessing,
        limits: CorpusLimits,
        content_digest: str,
        source: dict[str, Any],
    ) -> None:
        self.name = name
        self.path = Path(path)
        self.kind = layout.kind
        self.text_column = layout.column
        self.preprocessing = preprocessing
        self.limits = limits
        self.source = source
        self._layout = layout
        self._content_digest = content_digest
        self._phraser: Any = None
        record = {
            "content": content_digest,
            "kind": layout.kind,
            "column": layout.column,
            "delimiter": layout.delimiter,
            "preprocessing": preprocessing.to_dict(),
        }
        payload = json.dumps(record, sort_keys=True).encode()
        self.fingerprint = hashlib.blake2b(payload, digest_size=16).hexdigest()

    @property
    def shared(self) -> bool:
        """Whether results from this corpus may be shared server-wide (built-in corpora only)."""
        return self.source.get("shared") is True

    def __repr__(self) -> str:
        return f"Corpus({self.name!r}, {self.kind}, {self.fingerprint[:8]})"

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_phraser"] = None  # a cache: rebuilt on the next iteration
        return state

    def documents(self) -> Iterator[str]:
        """Raw text documents in order, before preprocessing (blank ones are not documents)."""
        return read_documents(self.path, self._layout, self.source["file"], self.limits)

    def _tokens(self) -> Iterator[list[str]]:
        """Non-empty token lists before phrase joining."""
        tokenize = self.preprocessing.tokenize
        for document in self.documents():
            tokens = tokenize(document)
            if tokens:
                yield tokens

    def __iter__(self) -> Iterator[list[str]]:
        """Each document's tokens, streamed from disk; documents left empty are skipped."""
        if not self.preprocessing.phrases:
            yield from self._tokens()
            return
        phraser = self.phrase_model()
        for tokens in self._tokens():
            yield phraser[tokens]

    def phrase_model(self) -> Any:
        """gensim Phrases learned in one pass over this corpus's tokens, frozen, cached on the instance."""
        if self._phraser is None:
            from gensim.models.phrases import Phrases

            options = self.preprocessing
            learned = Phrases(self._tokens(), min_count=options.phrase_min_count, threshold=options.phrase_threshold)
            self._phraser = learned.freeze()
        return self._phraser

    def with_preprocessing(self, preprocessing: Preprocessing) -> Corpus:
        """The same file read with other steps; an InputError if no document keeps a word."""
        corpus = Corpus(
            name=self.name,
            path=self.path,
            layout=self._layout,
            preprocessing=preprocessing,
            limits=self.limits,
            content_digest=self._content_digest,
            source=dict(self.source),
        )
        if next(corpus._tokens(), None) is None:
            raise InputError(_no_words_message(self.source["file"], preprocessing))
        return corpus


def _no_words_message(where: str, preprocessing: Preprocessing) -> str:
    steps = ", ".join(preprocessing.steps())
    return f"{where}: no words left after preprocessing ({steps}); try fewer steps"


def _no_text_message(where: str, layout: Layout) -> str:
    if layout.kind == "csv":
        return f"{where}: the column {layout.column!r} is empty in every row"
    if layout.kind == "zip":
        return f"{where}: the .txt files in the archive hold no text"
    return f"{where}: the file is empty (only blank lines)"


def open_corpus(
    data: bytes | str | os.PathLike[str],
    *,
    filename: str,
    kind: str = "auto",
    text_column: str | None = None,
    preprocessing: Preprocessing = Preprocessing(),  # noqa: B008 (frozen, so sharing the default is safe)
    limits: CorpusLimits = CorpusLimits(),  # noqa: B008
    workdir: os.PathLike[str] | None = None,
    name: str | None = None,
) -> Corpus:
    """Check a corpus file in one streamed pass and describe it as a Corpus.

    ``data`` is the uploaded bytes (written under ``workdir``, default a new temporary folder, after
    the size, binary and UTF-8 checks) or the path of an existing file; gzip is decompressed to
    ``workdir`` up to ``limits.max_bytes``. ``kind="auto"``: a zip archive -> "zip"; a .csv/.tsv name
    or a ``text_column`` -> "csv" (the column may be left out when exactly one column holds text);
    other text -> "sentences" when blank lines separate paragraphs (at least one break per 20 text
    lines among the first 1,000) or the text is one line of several sentences, otherwise "lines"
    (one document per non-blank line). Sentences split after . ! ? and white space before a capital.
    """
    filename = str(filename)
    if kind != "auto" and kind not in KINDS:
        raise InputError(f"unknown corpus kind {kind!r}; choose auto or one of: {', '.join(KINDS)}")
    path, where, digest, details = _materialize(data, filename, limits, workdir)
    created = details["copied"]
    try:
        if path.stat().st_size == 0:
            raise InputError(f"{where}: the file is empty")
        layout = detect_layout(path, where, kind, text_column, limits)
        documents = 0
        has_words = False
        for document in read_documents(path, layout, where, limits):
            documents += 1
            if documents > limits.max_documents:
                raise InputError(f"{where}: more than {limits.max_documents:,} documents (the limit)")
            has_words = has_words or bool(preprocessing.tokenize(document))
        if not documents:
            raise InputError(_no_text_message(where, layout))
        if not has_words:
            raise InputError(_no_words_message(where, preprocessing))
    except InputError:
        if created:
            path.unlink(missing_ok=True)
        raise
    source: dict[str, Any] = {
        "file": where,
        "kind": layout.kind,
        "kind_detected": kind == "auto",
        "text_column": layout.column,
        "bytes": path.stat().st_size,
        "documents": documents,
        "gzip": details["gzip"],
        "zip_entries": [entry[1] for entry in layout.entries],
        "builtin": None,
    }
    if not created:
        source["path"] = str(path.resolve())
    return Corpus(
        name=name or where,
        path=path,
        layout=layout,
        preprocessing=preprocessing,
        limits=limits,
        content_digest=digest,
        source=source,
    )


def _materialize(
    data: object, filename: str, limits: CorpusLimits, workdir: os.PathLike[str] | None
) -> tuple[Path, str, str, dict[str, bool]]:
    """The corpus as a file on disk: (path, display name, content digest, {"gzip", "copied"})."""
    unzipped_name = filename[:-3] if filename.lower().endswith(".gz") else filename
    if isinstance(data, bytes | bytearray | memoryview):
        data = bytes(data)
        if len(data) > limits.max_bytes:
            raise InputError(f"{filename}: {len(data):,} bytes is more than the limit of {limits.max_bytes:,}")
        if data[:2] == b"\x1f\x8b":
            return _unzipped(io.BytesIO(data), filename, unzipped_name, limits, workdir)
        if data[:4] != b"PK\x03\x04":
            _check_text_bytes(data, filename, limits)
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        target = _folder(workdir) / f"{digest[:16]}-{safe_file_name(filename)}"
        partial = target.with_name(target.name + f".{os.getpid()}.part")
        partial.write_bytes(data)
        os.replace(partial, target)
        return target, filename, digest, {"gzip": False, "copied": True}
    if isinstance(data, str | os.PathLike):
        path = Path(data)
        if not path.is_file():
            raise InputError(f"{filename}: no such file ({path})")
        with open(path, "rb") as stream:
            if stream.read(2) == b"\x1f\x8b":
                stream.seek(0)
                return _unzipped(stream, filename, unzipped_name, limits, workdir)
        if path.stat().st_size > limits.max_bytes:
            raise InputError(
                f"{filename}: {path.stat().st_size:,} bytes is more than the limit of {limits.max_bytes:,}"
            )
        return path, filename, file_digest(path), {"gzip": False, "copied": False}
    raise InputError(f"cannot read a corpus from a {type(data).__name__}; give the file's bytes or its path")


def _unzipped(
    stream: Any, filename: str, unzipped_name: str, limits: CorpusLimits, workdir: os.PathLike[str] | None
) -> tuple[Path, str, str, dict[str, bool]]:
    """Decompress gzip to a file named by its content, under the byte cap."""
    folder = _folder(workdir)
    partial = gunzip_to_file(stream, filename, folder, limits.max_bytes)
    digest = file_digest(partial)
    target = folder / f"{digest[:16]}-{safe_file_name(unzipped_name)}"
    os.replace(partial, target)
    return target, unzipped_name, digest, {"gzip": True, "copied": True}


def _folder(workdir: os.PathLike[str] | None) -> Path:
    if workdir is None:
        return Path(tempfile.mkdtemp(prefix="embedding-lab-corpus-"))
    folder = Path(workdir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check_text_bytes(data: bytes, filename: str, limits: CorpusLimits) -> None:
    """Uploaded bytes are UTF-8 text without NUL bytes; when not, name the first bad line."""
    if b"\x00" not in data:
        try:
            data.decode("utf-8")
            return
        except UnicodeDecodeError:
            pass
    for _ in iter_lines(io.BytesIO(data), filename, limits.max_line_chars):
        pass  # raises with the line number


# --- built-in corpora -------------------------------------------------------------------------------
@dataclass(frozen=True)
class BuiltinCorpus:
    """A corpus that ships with the app or with gensim."""

    title: str
    description: str  # one sentence for students, with the source
    path: Path
    kind: str


BUILTIN_CORPORA: dict[str, BuiltinCorpus] = {
    "lee": BuiltinCorpus(
        "Lee news articles (gensim)",
        "300 short Australian news articles, one per line: the background corpus of Lee, Pincombe & Welsh "
        "(2005), as bundled with gensim's tests.",
        gensim_file("lee_background.cor"),
        "lines",
    ),
    "head500": BuiltinCorpus(
        "Wikipedia, stemmed (gensim)",
        "250 English Wikipedia articles (Anarchism, Autism, Albedo, ...), one per line, already stemmed and "
        "stripped of stop-words, as bundled with gensim's tests (Wikipedia text, CC BY-SA).",
        gensim_file("head500.noblanks.cor"),
        "lines",
    ),
    "classroom": BuiltinCorpus(
        "Classroom sentences (ours)",
        "About 5,000 simple sentences about royalty and family, countries and capitals, food, animals and "
        "jobs, generated by our own script (MIT) so that king - man + woman = queen after a short training.",
        SAMPLE_DATA / "classroom_corpus.txt",
        "lines",
    ),
    "tiny": BuiltinCorpus(
        "Tiny corpus (ours)",
        "Fifteen sentences we wrote about kings, queens, fruit and capitals (MIT), for a demo that trains instantly.",
        SAMPLE_DATA / "tiny_corpus.txt",
        "lines",
    ),
}


def builtin_corpus(key: str, preprocessing: Preprocessing = Preprocessing()) -> Corpus:  # noqa: B008
    """A built-in corpus by key (see BUILTIN_CORPORA), checked like any other file."""
    if key not in BUILTIN_CORPORA:
        raise InputError(f"no built-in corpus {key!r}; choose one of: {', '.join(BUILTIN_CORPORA)}")
    entry = BUILTIN_CORPORA[key]
    corpus = open_corpus(entry.path, filename=entry.path.name, kind=entry.kind, preprocessing=preprocessing)
    corpus.name = entry.title
    corpus.source["builtin"] = key
    corpus.source["shared"] = True  # no user data: results from it may be shared by the class
    return corpus


# --- statistics -------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CorpusStats:
    """Counts before training: documents, tokens, vocabulary, and every word's frequency rank."""

    documents: int
    tokens: int
    vocabulary: int
    frequencies: pd.DataFrame  # rank (1..), word, count; most frequent first

    def top(self, n: int = 20) -> pd.DataFrame:
        """The ``n`` most frequent words."""
        return self.frequencies.head(max(0, int(n))).reset_index(drop=True)


def corpus_stats(corpus: Iterable[list[str]]) -> CorpusStats:
    """Count documents, tokens and words in one streaming pass; ties in count are ordered by word."""
    counts: Counter[str] = Counter()
    documents = tokens = 0
    for document in corpus:
        if isinstance(document, str):
            raise InputError("corpus statistics need lists of tokens, got a string; tokenize the text first")
        documents += 1
        tokens += len(document)
        counts.update(document)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    frequencies = pd.DataFrame(
        {
            "rank": np.arange(1, len(ranked) + 1, dtype=np.int64),
            "word": pd.Series([word for word, _ in ranked], dtype=object),
            "count": np.array([count for _, count in ranked], dtype=np.int64),
        }
    )
    return CorpusStats(documents, tokens, len(counts), frequencies)
