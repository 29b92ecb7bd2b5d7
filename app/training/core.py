"""Train a small embedding model on a corpus: word2vec, fastText, doc2vec (gensim) or PPMI + SVD.

``train`` takes any restartable iterable of token lists (a list of lists, or an ``app.training.corpus.Corpus``)
and returns an EmbeddingSpace together with a JSON-able reproducibility record, a report per epoch
and bounded per-epoch snapshots (for an animation of the space settling).

How a gensim run is driven: the vocabulary is scanned in the calling thread (token cap, corpus
fingerprint, progress); then ``model.train`` runs once, exactly as bare gensim would, in a helper
thread, while the calling thread waits on a queue of epoch reports and, between them, reports
progress every quarter second. A cancel or the time cap sets a stop flag: the corpus feed ends
the epoch early and the epoch-end callback stops gensim, so a cancel takes effect within one
batch of documents, and ``progress``/``on_epoch`` are only ever called from the calling thread.
"""

from __future__ import annotations

import hashlib
import os
import platform
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata as package_metadata
from typing import Any

import numpy as np
import pandas as pd

from app.errors import Cancelled, InputError, Progress
from app.space import EmbeddingSpace
from app.training.models import (
    CONTEXT_SMOOTHING,
    count_cooccurrences,
    gensim_model,
    positive_pmi,
    snapshot_reader,
    svd_vectors,
    word_counts,
)
from app.training.playback import Snapshots, aligned_frames, frame_movement, procrustes_align

__all__ = [
    "ARCHITECTURES",
    "MODELS",
    "Cancelled",
    "EpochReport",
    "Snapshots",
    "TrainConfig",
    "TrainLimits",
    "TrainResult",
    "aligned_frames",
    "frame_movement",
    "infer_documents",
    "nearest_documents",
    "playback_coordinates",
    "procrustes_align",
    "train",
    "train_job",
]

MODELS = ("word2vec", "fasttext", "doc2vec", "ppmi_svd")
ARCHITECTURES = {
    "word2vec": ("cbow", "skipgram"),
    "fasttext": ("cbow", "skipgram"),
    "doc2vec": ("pv-dm", "pv-dbow"),
}
# doc2vec also accepts cbow/skipgram as the analogous PV-DM/PV-DBOW, so TrainConfig's defaults work
DOC2VEC_ALIASES = {"cbow": "pv-dm", "skipgram": "pv-dbow"}
POLL_SECONDS = 0.25  # how often the calling thread reports progress and checks the time cap
FIRST_WORDS = 8  # words kept per document for a doc2vec point's label


@dataclass(frozen=True)
class TrainConfig:
    """What to train and how; every field goes into the reproducibility record."""

    model: str = "word2vec"
    vector_size: int = 100
    window: int = 5
    min_count: int = 5
    epochs: int = 5
    workers: int = os.cpu_count() or 1
    seed: int = 1
    architecture: str = "cbow"
    loss: str = "negative"
    negative: int = 5
    sample: float = 1e-3
    alpha: float = 0.025
    min_n: int = 3
    max_n: int = 6
    bucket: int = 200_000
    """fastText hash buckets for character n-grams. fastText's own default is 2,000,000 (800 MB of
    n-gram vectors at 100 dimensions); 200,000 keeps a classroom server's memory for many students."""
    deterministic: bool = False
    snapshots: bool = True

    def validate(self) -> None:
        """Raise InputError naming the first setting that makes no sense."""
        if self.model not in MODELS:
            raise InputError(f"unknown model {self.model!r}; choose one of: {', '.join(MODELS)}")
        _check_int("vector_size", self.vector_size, 1, 1000, "numbers per vector")
        _check_int("window", self.window, 1, 100, "words on each side")
        _check_int("min_count", self.min_count, 1, 1_000_000, "occurrences")
        _check_int("epochs", self.epochs, 1, 1000, "passes over the corpus")
        _check_int("workers", self.workers, 1, 256, "threads")
        _check_int("seed", self.seed, 0, 2**32 - 1, "")
        if not isinstance(self.deterministic, bool) or not isinstance(self.snapshots, bool):
            raise InputError("deterministic and snapshots must be True or False")
        if self.model == "ppmi_svd":
            return
        if self.effective_architecture not in ARCHITECTURES[self.model]:
            raise InputError(
                f"{self.model} has no architecture {self.architecture!r}; "
                f"choose one of: {', '.join(ARCHITECTURES[self.model])}"
            )
        if self.loss not in ("negative", "hierarchical"):
            raise InputError(f"unknown loss {self.loss!r}; choose negative (sampling) or hierarchical (softmax)")
        if self.loss == "negative":
            _check_int("negative", self.negative, 1, 100, "noise words per real one")
        if not _is_number(self.sample) or not 0 <= self.sample < 1:
            raise InputError(f"sample must be between 0 (off) and 1, got {self.sample!r}")
        if not _is_number(self.alpha) or not 0 < self.alpha <= 1:
            raise InputError(f"alpha (the learning rate) must be above 0 and at most 1, got {self.alpha!r}")
        if self.model == "fasttext":
            _check_int("min_n", self.min_n, 1, 20, "characters")
            _check_int("max_n", self.max_n, 1, 20, "characters")
            if self.min_n > self.max_n:
                raise InputError(f"min_n ({self.min_n}) must not be larger than max_n ({self.max_n})")
            _check_int("bucket", self.bucket, 1000, 10_000_000, "hash buckets")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def effective_workers(self) -> int:
        """Threads actually used: one in deterministic mode (thread scheduling reorders updates)."""
        return 1 if self.deterministic else self.workers

    @property
    def effective_architecture(self) -> str | None:
        if self.model == "ppmi_svd":
            return None
        if self.model == "doc2vec":
            return DOC2VEC_ALIASES.get(self.architecture, self.architecture)
        return self.architecture


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)


def _check_int(name: str, value: Any, low: int, high: int, unit: str) -> None:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or not low <= value <= high:
        raise InputError(f"{name} must be a whole number from {low:,} to {high:,} {unit}".rstrip() + f", got {value!r}")


@dataclass(frozen=True)
class TrainLimits:
    """What one training run may cost on a shared server."""

    max_tokens: int = 20_000_000
    max_vocabulary: int = 200_000
    max_seconds: float = 600
    max_snapshot_bytes: int = 200 * 2**20


@dataclass
class EpochReport:
    """One finished epoch: ``words`` is the running total of corpus words trained on so far."""

    epoch: int
    epochs: int
    loss: float | None
    words: int
    elapsed: float
    eta: float

    @property
    def message(self) -> str:
        parts = [f"epoch {self.epoch}/{self.epochs}", f"{self.words:,} words"]
        if self.loss is not None:
            parts.append(f"loss {self.loss:.3g}")
        parts.append(_time_left(self.eta))
        return " · ".join(parts)


@dataclass
class TrainResult:
    """The trained space plus everything needed to explain and reproduce it."""

    space: EmbeddingSpace
    report: dict[str, Any]
    epochs: list[EpochReport]
    snapshots: Snapshots | None
    model: object | None = None
    config: TrainConfig | None = None
    preprocessing: Any = None
    """The corpus's Preprocessing (when it had one), so new text is tokenised the same way."""


def _time_left(seconds: float) -> str:
    if seconds <= 0:
        return "almost done"
    if seconds < 90:
        return f"about {max(1, round(seconds))} s left"
    return f"about {seconds / 60:.0f} min left"


def _silent(fraction: float, message: str) -> None:
    pass


# --- the corpus --------------------------------------------------------------------------------
@dataclass
class _CorpusFacts:
    """What one reading pass learnt about the corpus."""

    name: str
    source: dict[str, Any]
    preprocessing: dict[str, Any] | None
    fingerprint: str | None
    documents: int = 0
    tokens: int = 0
    first_words: list[str] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)


def _describe(corpus: Iterable[Sequence[str]]) -> _CorpusFacts:
    """Name, provenance and fingerprint from a Corpus; plain lists get a fingerprint while read."""
    if iter(corpus) is corpus:
        raise InputError(
            "the corpus must be restartable (a list of token lists or a Corpus): "
            "training reads it once per epoch, and a generator is used up after one pass"
        )
    preprocessing = getattr(corpus, "preprocessing", None)
    source = getattr(corpus, "source", None)
    return _CorpusFacts(
        name=str(getattr(corpus, "name", None) or "corpus"),
        source=dict(source) if isinstance(source, dict) else {},
        preprocessing=preprocessing.to_dict() if hasattr(preprocessing, "to_dict") else None,
        fingerprint=getattr(corpus, "fingerprint", None) or None,
    )


class _Reading:
    """One pass over the corpus in the calling thread: caps tokens, hashes the text (when the
    corpus has no fingerprint), remembers each document's first words (doc2vec) and reports."""

    def __init__(
        self,
        corpus: Iterable[Sequence[str]],
        facts: _CorpusFacts,
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
        size = len(self.corpus) if hasattr(self.corpus, "__len__") else 0  # type: ignore[arg-type]
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


def _vocabulary_check(counts: np.ndarray, config: TrainConfig, limits: TrainLimits) -> int:
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


# --- gensim runs -------------------------------------------------------------------------------
class _Stop(Exception):
    """Raised inside gensim's training loop (from the epoch-end callback) to end a run early."""


class _Run:
    """State shared between the calling thread and the training thread."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.events: queue.Queue[tuple[int, float | None] | None] = queue.Queue()  # None: finished
        self.epoch = 0  # epochs finished
        self.fed = 0  # documents handed to gensim in the current epoch (approximate, read racily)
        self.frames: list[np.ndarray] = []
        self.epoch_seconds: list[float] = []
        self.error: BaseException | None = None


class _Feed:
    """The corpus as gensim's job producer reads it: it counts documents for progress and ends the
    epoch early once the run is told to stop (raising there would hang gensim's worker queue)."""

    def __init__(self, corpus: Iterable[Sequence[str]], run: _Run, tagged: bool) -> None:
        self.corpus, self.run, self.tagged = corpus, run, tagged

    def __iter__(self) -> Iterator[Any]:
        run, stop = self.run, self.run.stop
        run.fed = 0
        if self.tagged:
            from gensim.models.doc2vec import TaggedDocument

            for number, document in enumerate(self.corpus):
                if not number & 255:
                    run.fed = number
                    if stop.is_set():
                        return
                yield TaggedDocument(document, [number])
        else:
            for number, document in enumerate(self.corpus):
                if not number & 255:
                    run.fed = number
                    if stop.is_set():
                        return
                yield document


class _EpochCallback:
    """gensim callback (the CallbackAny2Vec protocol): per-epoch loss, snapshot and stop check.

    gensim's running loss is a float32 total that it keeps across epochs, so it is reset at
    every epoch start (the per-epoch loss is then read directly rather than as a difference of
    two large, rounded totals).
    """

    def __init__(self, run: _Run, read_frame: Callable[[], np.ndarray] | None, has_loss: bool) -> None:
        self.run, self.read_frame, self.has_loss = run, read_frame, has_loss
        self.started = 0.0

    def on_train_begin(self, model: Any) -> None:
        pass

    def on_train_end(self, model: Any) -> None:
        pass

    def on_epoch_begin(self, model: Any) -> None:
        if self.has_loss:
            model.running_training_loss = 0.0
        self.started = time.perf_counter()

    def on_epoch_end(self, model: Any) -> None:
        loss = float(model.get_latest_training_loss()) if self.has_loss else None
        if self.read_frame is not None:
            self.run.frames.append(self.read_frame())
        self.run.epoch_seconds.append(time.perf_counter() - self.started)
        self.run.fed = 0
        self.run.epoch += 1
        self.run.events.put((self.run.epoch, loss))
        if self.run.stop.is_set():
            raise _Stop


def _snapshot_rows(rows: int, dim: int, epochs: int, limits: TrainLimits) -> int:
    """How many of the most frequent rows fit in the snapshot budget over all epochs."""
    return max(0, min(rows, limits.max_snapshot_bytes // max(1, dim * 4 * epochs)))


def _train_gensim(
    corpus: Iterable[Sequence[str]],
    config: TrainConfig,
    report: Progress,
    limits: TrainLimits,
    on_epoch: Callable[[EpochReport], None] | None,
    facts: _CorpusFacts,
    started: float,
) -> TrainResult:
    is_doc2vec = config.model == "doc2vec"
    model = gensim_model(config, config.effective_workers)

    report(0.0, "reading the corpus")
    reading = _Reading(corpus, facts, limits, report, tagged=is_doc2vec, keep_first_words=is_doc2vec)
    total_words, corpus_count = model.scan_vocab(corpus_iterable=reading, progress_per=10**9)
    raw = model.raw_vocab
    vocabulary = _vocabulary_check(np.fromiter(raw.values(), dtype=np.int64, count=len(raw)), config, limits)
    report(0.05, f"{vocabulary:,} words appear at least {config.min_count} times; preparing the model")
    model.corpus_count, model.corpus_total_words = corpus_count, total_words
    model.prepare_vocab()
    model.prepare_weights()
    vocabulary_seconds = time.perf_counter() - started

    rows = corpus_count if is_doc2vec else len(model.wv)
    n_snap = _snapshot_rows(rows, config.vector_size, config.epochs, limits) if config.snapshots else 0
    read_frame = snapshot_reader(model, config.model, n_snap) if n_snap else None
    run = _Run()
    callback = _EpochCallback(run, read_frame, has_loss=config.model == "word2vec")
    train_kwargs: dict[str, Any] = {"compute_loss": True} if config.model == "word2vec" else {}

    def work() -> None:
        try:
            model.train(
                corpus_iterable=_Feed(corpus, run, is_doc2vec),
                total_examples=corpus_count,
                epochs=config.epochs,
                callbacks=[callback],
                **train_kwargs,
            )
        except _Stop:
            pass
        except BaseException as error:  # handed to the calling thread
            run.error = error
        finally:
            run.events.put(None)

    training_started = time.perf_counter()
    thread = threading.Thread(target=work, name="embedding-lab-training", daemon=True)
    thread.start()
    try:
        epochs = _supervise(run, config, total_words, corpus_count, report, on_epoch, limits, started)
    except BaseException:
        run.stop.set()  # Cancelled, the time cap, or an error in on_epoch: stop gensim, then re-raise
        thread.join()
        raise
    thread.join()
    if run.error is not None:
        raise run.error

    report(0.98, "building the space")
    if is_doc2vec:
        labels = [f"doc_{i}" for i in range(corpus_count)]
        meta = pd.DataFrame(
            {"document": np.arange(corpus_count), "first_words": facts.first_words, "length": facts.lengths}
        )
        vectors, subwords = model.dv.vectors, None
    else:
        labels = list(model.wv.index_to_key)
        meta = pd.DataFrame({"count": word_counts(model.wv)})
        vectors = model.wv.vectors
        subwords = model.wv if config.model == "fasttext" else None
    snapshots = Snapshots(tuple(labels[:n_snap]), run.frames) if n_snap else None
    timings = {
        "vocabulary_seconds": vocabulary_seconds,
        "epoch_seconds": run.epoch_seconds,
        "training_seconds": time.perf_counter() - training_started,
    }
    notes = [] if config.model != "word2vec" else [_loss_note(config.effective_workers)]
    losses = [entry.loss for entry in epochs]
    result = _finish(config, facts, labels, vectors, meta, subwords, model, epochs, snapshots, timings, losses, notes)
    result.report["loss_exact"] = config.model == "word2vec" and config.effective_workers == 1
    return result


def _loss_note(workers: int) -> str:
    """What gensim's word2vec loss is, honestly (checked against gensim 4.4's word2vec_inner.pyx)."""
    note = (
        "loss: gensim's training loss (negative log-likelihood of the predictions), summed over one epoch; "
        "gensim keeps a float32 running total across epochs, so it is reset at each epoch start, but on "
        "a very large corpus even one epoch's total rounds off"
    )
    if workers > 1:
        note += (
            f". With {workers} workers the threads overwrite each other's running total (gensim reads it "
            "at the start of a batch and writes it back at the end, without a lock), so the loss undercounts, "
            "roughly by the number of workers: compare epochs of one run, not runs with different worker counts"
        )
    return note


def _supervise(
    run: _Run,
    config: TrainConfig,
    words_per_epoch: int,
    documents: int,
    report: Progress,
    on_epoch: Callable[[EpochReport], None] | None,
    limits: TrainLimits,
    started: float,
) -> list[EpochReport]:
    """The calling thread's side of a run: epoch reports as they come, progress in between, the
    time cap. Returns when the training thread has finished; raises to have it stopped."""
    training_started = time.perf_counter()
    epochs: list[EpochReport] = []
    shown = 0.05  # the bar never goes backwards, though the two threads' counters are read racily
    while True:
        try:
            event = run.events.get(timeout=POLL_SECONDS)
        except queue.Empty:
            event = ()
        if event is None:
            return epochs
        elapsed = time.perf_counter() - training_started
        if event:
            finished, loss = event
            done = finished / config.epochs
            eta = elapsed / done - elapsed
            entry = EpochReport(finished, config.epochs, loss, finished * words_per_epoch, elapsed, eta)
            epochs.append(entry)
            if on_epoch is not None:
                on_epoch(entry)
            shown = max(shown, round(0.05 + 0.93 * done, 4))
            report(shown, entry.message)
        elif run.epoch >= config.epochs:
            report(0.98, "finishing the last epoch")
        else:
            done = (run.epoch + min(1.0, run.fed / max(1, documents))) / config.epochs
            message = f"epoch {run.epoch + 1}/{config.epochs} · {int(done * config.epochs * words_per_epoch):,} words"
            shown = max(shown, round(0.05 + 0.93 * done, 4))
            report(shown, message + (f" · {_time_left(elapsed / done - elapsed)}" if done > 0 else ""))
        if run.epoch < config.epochs and time.perf_counter() - started > limits.max_seconds:
            raise InputError(
                f"training took longer than {limits.max_seconds:g} s, the limit here; "
                "use fewer epochs, a smaller corpus or fewer dimensions"
            )


# --- PPMI + SVD --------------------------------------------------------------------------------
def _train_ppmi(
    corpus: Iterable[Sequence[str]],
    config: TrainConfig,
    report: Progress,
    limits: TrainLimits,
    on_epoch: Callable[[EpochReport], None] | None,
    facts: _CorpusFacts,
    started: float,
) -> TrainResult:
    report(0.0, "counting words")
    counter: Counter[str] = Counter()
    for document in _Reading(corpus, facts, limits, report, share=0.2):
        counter.update(document)
    counts = np.fromiter(counter.values(), dtype=np.int64, count=len(counter))
    _vocabulary_check(counts, config, limits)
    # most frequent first; ties keep first-appearance order (Counter keeps insertion order)
    words = [w for w, c in sorted(counter.items(), key=lambda item: -item[1]) if c >= config.min_count]
    if len(words) < 2:
        raise InputError(
            f"PPMI + SVD needs at least 2 words that appear min_count={config.min_count} times; "
            "lower min_count or use a larger corpus"
        )
    vocabulary_seconds = time.perf_counter() - started

    def on_chunk(tokens: int) -> None:
        if time.perf_counter() - started > limits.max_seconds:
            raise InputError(
                f"training took longer than {limits.max_seconds:g} s, the limit here; use a smaller corpus"
            )
        report(0.2 + 0.5 * tokens / max(1, facts.tokens), f"counting co-occurrences · {tokens:,} words")

    report(0.2, "counting co-occurrences")
    cooccurrences = count_cooccurrences(corpus, {w: i for i, w in enumerate(words)}, config.window, on_chunk)
    report(0.7, f"positive PMI of {cooccurrences.nnz:,} word pairs")
    ppmi = positive_pmi(cooccurrences)
    dimensions = min(config.vector_size, len(words) - 1)
    report(0.8, f"truncated SVD to {dimensions} dimensions")
    vectors, singular_values = svd_vectors(ppmi, dimensions, config.seed)
    elapsed = time.perf_counter() - started
    entry = EpochReport(1, 1, None, facts.tokens, elapsed, 0.0)
    if on_epoch is not None:
        on_epoch(entry)
    notes = [
        f"PPMI with context-distribution smoothing {CONTEXT_SMOOTHING} (Levy, Goldberg & Dagan 2015); "
        "vectors = U * sqrt(S) of a randomized truncated SVD; every pair within the window counts 1"
    ]
    if dimensions < config.vector_size:
        notes.append(f"vector_size lowered from {config.vector_size} to {dimensions}: only {len(words)} words")
    timings = {"vocabulary_seconds": vocabulary_seconds, "epoch_seconds": [elapsed - vocabulary_seconds]}
    meta = pd.DataFrame({"count": [counter[w] for w in words]})
    result = _finish(config, facts, words, vectors, meta, None, None, [entry], None, timings, [None], notes)
    result.report["singular_values"] = [float(v) for v in singular_values[:10]]
    result.report["dimensions"] = dimensions
    return result


# --- the result --------------------------------------------------------------------------------
def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("gensim", "numpy", "scipy", "scikit-learn", "pandas"):
        try:
            versions[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _finish(
    config: TrainConfig,
    facts: _CorpusFacts,
    labels: list[str],
    vectors: np.ndarray,
    meta: pd.DataFrame,
    subwords: Any,
    model: Any,
    epochs: list[EpochReport],
    snapshots: Snapshots | None,
    timings: dict[str, Any],
    losses: list[float | None],
    notes: list[str],
) -> TrainResult:
    """The space and the reproducibility record shared by every model."""
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    record: dict[str, Any] = {
        "model": config.model,
        "config": config.to_dict(),
        "seed": config.seed,
        "deterministic": config.deterministic,
        "workers": config.effective_workers,
        "architecture": config.effective_architecture,
        "corpus": {
            "name": facts.name,
            "fingerprint": facts.fingerprint,
            "source": _jsonable(facts.source),
            "documents": facts.documents,
            "tokens": facts.tokens,
        },
        "preprocessing": _jsonable(facts.preprocessing),
        "versions": _versions(),
        "vocabulary_size": len(labels) if config.model != "doc2vec" else int(len(model.wv)),
        "points": len(labels),
        "tokens": facts.tokens,
        "losses": losses,
        "timings": timings,
        "snapshots": None if snapshots is None else {"words": len(snapshots.words), "bytes": snapshots.nbytes},
        "notes": notes,
        "created_at": created_at,
    }
    source = {
        "format": "trained",
        "model": config.model,
        "corpus": facts.name,
        "corpus_fingerprint": facts.fingerprint,
        "config": config.to_dict(),
        "loaded_at": created_at,
        "shared": facts.source.get("shared") is True,  # trained on a built-in corpus: the class may share it
    }
    name = f"{config.model} · {facts.name}"
    space = EmbeddingSpace(name, labels, vectors, metadata=meta, source=source, subwords=subwords)
    record["space_fingerprint"] = space.fingerprint
    return TrainResult(space=space, report=record, epochs=epochs, snapshots=snapshots, model=model)


def _jsonable(value: Any) -> Any:
    """A copy of ``value`` that json.dumps accepts (unknown objects become their str)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# --- the public entry points -------------------------------------------------------------------
def train(
    corpus: Iterable[Sequence[str]],
    config: TrainConfig,
    progress: Progress | None = None,
    *,
    limits: TrainLimits = TrainLimits(),  # noqa: B008  (frozen, so one shared default is safe)
    on_epoch: Callable[[EpochReport], None] | None = None,
) -> TrainResult:
    """Train ``config.model`` on ``corpus`` (a restartable iterable of token lists).

    ``progress(fraction, message)`` is called from this thread after every epoch and about every
    quarter second in between; raising Cancelled from it stops training within one batch.
    Bad settings, caps exceeded or an empty vocabulary raise InputError.
    """
    config.validate()
    started = time.perf_counter()
    facts = _describe(corpus)
    report = progress or _silent
    run = _train_ppmi if config.model == "ppmi_svd" else _train_gensim
    result = run(corpus, config, report, limits, on_epoch, facts, started)
    result.config, result.preprocessing = config, getattr(corpus, "preprocessing", None)
    result.report["timings"]["total_seconds"] = time.perf_counter() - started
    report(1.0, f"done · {len(result.space):,} points × {result.space.dim}")
    return result


def infer_documents(result_or_model: TrainResult | Any, texts: list[list[str]]) -> np.ndarray:
    """Vectors (float32, one row per text) for new documents in a doc2vec space.

    As in gensim, inference is a short stochastic training run, so the same text gives slightly
    different vectors on each call (and gensim seeds it with Python's per-process salted hash):
    compare inferred vectors by cosine similarity, not for equality.
    """
    model = result_or_model.model if isinstance(result_or_model, TrainResult) else result_or_model
    if model is None or not hasattr(model, "infer_vector") or not hasattr(model, "dv"):
        raise InputError("only a doc2vec model can place new documents in its space")
    if isinstance(texts, str) or any(isinstance(text, str) for text in texts):
        raise InputError("give each new document as a list of tokens")
    rows = [model.infer_vector(list(text), epochs=model.epochs) for text in texts]
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), model.dv.vector_size)


# --- conveniences for the Train page -------------------------------------------------------------
def train_job(
    corpus: Iterable[Sequence[str]],
    config: TrainConfig,
    *,
    progress: Progress,
    limits: TrainLimits = TrainLimits(),  # noqa: B008
) -> TrainResult:
    """``train`` shaped for ``app.runtime.jobs``: module-level (so it pickles for a worker process), and each
    finished epoch also goes to ``progress`` as keyword details (epoch, loss, words, ...), which the
    job runner keeps for the page's live loss curve."""

    def on_epoch(entry: EpochReport) -> None:
        progress(entry.epoch / entry.epochs, f"epoch {entry.epoch}/{entry.epochs} done", **asdict(entry))

    return train(corpus, config, progress, limits=limits, on_epoch=on_epoch)


def playback_coordinates(snapshots: Snapshots) -> list[np.ndarray]:
    """2-D coordinates of the snapshot words for every epoch, for an animation of the space forming.

    Every epoch is first aligned to the last in full dimension (Procrustes), then all are drawn on
    the last epoch's two principal axes, so a point moves only as much as its vector really moved.
    """
    frames = aligned_frames(snapshots)
    if not frames:
        return []
    final = frames[-1].astype(np.float64)
    centre = final.mean(axis=0)
    _, _, axes = np.linalg.svd(final - centre, full_matrices=False)
    plane = axes[:2].T
    if plane.shape[1] < 2:  # one-dimensional vectors: a line at height zero
        plane = np.pad(plane, ((0, 0), (0, 2 - plane.shape[1])))
    return [((frame - centre) @ plane).astype(np.float32) for frame in frames]


def nearest_documents(result: TrainResult, text: str, k: int = 5) -> list[dict[str, Any]]:
    """The training documents closest (cosine) to new ``text`` placed by doc2vec inference.

    The text is tokenised with the corpus's own preprocessing (except learned phrases).
    """
    if result.model is None or not hasattr(result.model, "dv"):
        raise InputError("only a doc2vec model can place new text among its documents")
    tokenize = getattr(result.preprocessing, "tokenize", None)
    tokens = tokenize(text) if tokenize is not None else re.findall(r"\w+", text.lower())
    known = [t for t in tokens if t in result.model.wv.key_to_index]
    if not known:
        raise InputError("none of these words is in the model's vocabulary; try words from the corpus")
    vector = infer_documents(result, [tokens])[0]
    length = float(np.linalg.norm(vector))
    similarities = result.space.unit_vectors @ (vector / length if length else vector)
    top = np.argsort(-similarities, kind="stable")[: max(1, int(k))]
    meta = result.space.metadata
    return [
        {
            "document": result.space.words[i],
            "similarity": round(float(similarities[i]), 3),
            "first_words": None if meta is None or "first_words" not in meta else meta["first_words"].iloc[i],
        }
        for i in top
    ]
