"""The corpus as a training run reads it: its name, provenance and fingerprint, one checked pass
(token cap, fingerprint of plain lists, progress), and the vocabulary-size check."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.errors import InputError, Progress
from app.training.config import POLL_SECONDS, TrainConfig, TrainLimits

FIRST_WORDS = 8  # words kept per document for a doc2vec point's label


@dataclass
class CorpusFacts:
    """What one reading pass learnt about the corpus (filled in while the pass runs)."""

    name: str
    source: dict[str, Any]
    preprocessing: dict[str, Any] | None
    fingerprint: str | None
    documents: int = 0
    tokens: int = 0
    first_words: list[str] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)


def describe(corpus: Iterable[Sequence[str]]) -> CorpusFacts:
    """Name, provenance and fingerprint from a Corpus; plain lists get a fingerprint while read."""
    if iter(corpus) is corpus:
        raise InputError(
            "the corpus must be restartable (a list of token lists or a Corpus): "
            "training reads it once per epoch, and a generator is used up after one pass"
        )
    preprocessing = getattr(corpus, "preprocessing", None)
    source = getattr(corpus, "source", None)
    return CorpusFacts(
        name=str(getattr(corpus, "name", None) or "corpus"),
        source=dict(source) if isinstance(source, dict) else {},
        preprocessing=preprocessing.to_dict()
        if preprocessing is not None and hasattr(preprocessing, "to_dict")
        else None,
        fingerprint=getattr(corpus, "fingerprint", None) or None,
    )


class Reading:
    """One pass over the corpus in the calling thread: caps tokens, hashes the text (when the
    corpus has no fingerprint), remembers each document's first words (doc2vec) and reports."""

    def __init__(
        self,
        corpus: Iterable[Sequence[str]],
        facts: CorpusFacts,
        limits: TrainLimits,
        report: Progress,
        *,
        tagged: bool = False,
        keep_first_words: bool = False,
        share: float = 0.05,
    ) -> None:
        self.corpus, self.facts, self.limits, self.report = corpus, facts, limits, report
        self.tagged, self.keep_first_words, self.share = tagged, keep_first_words, share

    def __iter__(self) -> Iterator[Any]:
        facts, limits = self.facts, self.limits
        digest = None if facts.fingerprint else hashlib.blake2b(digest_size=16)
        size = len(self.corpus) if isinstance(self.corpus, Sized) else 0
        if self.tagged:
            from gensim.models.doc2vec import TaggedDocument
        tokens, started, next_report = 0, time.perf_counter(), time.perf_counter() + POLL_SECONDS
        number = -1
        for number, document in enumerate(self.corpus):
            if isinstance(document, str) or not isinstance(document, Sequence):
                raise InputError(
                    f"document {number + 1} is a {type(document).__name__}; each document must be a list of tokens"
                )
            tokens += len(document)
            if tokens > limits.max_tokens:
                raise InputError(
                    f"the corpus has more than {limits.max_tokens:,} tokens, the limit for training here; "
                    "use a smaller corpus or a part of it"
                )
            if digest is not None:
                digest.update("\x1f".join(document).encode("utf-8", "surrogatepass") + b"\x1e")
            if self.keep_first_words:
                facts.first_words.append(" ".join(document[:FIRST_WORDS]))
                facts.lengths.append(len(document))
            if not number & 255 and time.perf_counter() >= next_report:
                next_report = time.perf_counter() + POLL_SECONDS
                if time.perf_counter() - started > limits.max_seconds:
                    raise InputError(f"reading the corpus took longer than {limits.max_seconds:g} s; use a smaller one")
                done = number / size if size else 0.0
                self.report(self.share * done, f"reading the corpus · {tokens:,} words")
            yield TaggedDocument(document, [number]) if self.tagged else document
        facts.documents, facts.tokens = number + 1, tokens
        if digest is not None:
            digest.update(str(number + 1).encode())
            facts.fingerprint = digest.hexdigest()


def vocabulary_check(counts: np.ndarray, config: TrainConfig, limits: TrainLimits) -> int:
    """How many words pass min_count; an InputError when none or too many do."""
    kept = int((counts >= config.min_count).sum())
    if kept == 0:
        raise InputError(
            f"no word appears at least min_count={config.min_count} times; lower min_count or use a larger corpus"
        )
    if kept > limits.max_vocabulary:
        # the smallest min_count that keeps the vocabulary within the limit
        needed = int(np.partition(counts, -(limits.max_vocabulary + 1))[-(limits.max_vocabulary + 1)]) + 1
        raise InputError(
            f"{kept:,} words appear at least min_count={config.min_count} times; the limit here is "
            f"{limits.max_vocabulary:,} words. Raise min_count (to {needed} or more) or use a smaller corpus"
        )
    return kept
