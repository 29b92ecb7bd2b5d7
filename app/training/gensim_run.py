"""Driving one gensim run (word2vec, fastText, doc2vec) with progress, cancel and the time cap.

The vocabulary is scanned in the calling thread (token cap, corpus fingerprint, progress); then
``model.train`` runs once, exactly as bare gensim would, in a helper thread, while the calling
thread waits on a queue of epoch reports and, between them, reports progress every quarter second.
A cancel or the time cap sets a stop flag: the corpus feed ends the epoch early and the epoch-end
callback stops gensim, so a cancel takes effect within one batch of documents, and
``progress``/``on_epoch`` are only ever called from the calling thread.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from app.errors import InputError, Progress
from app.training.config import POLL_SECONDS, TrainConfig, TrainLimits
from app.training.models import gensim_model, snapshot_reader, word_counts
from app.training.playback import Snapshots
from app.training.reading import CorpusFacts, Reading, vocabulary_check
from app.training.record import EpochReport, Trained, time_left

THREAD_NAME = "embedding-lab-training"


class _Stop(Exception):
    """Raised inside gensim's training loop (from the epoch-end callback) to end a run early."""


class RunState:
    """State shared between the calling thread and the training thread."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.events: queue.Queue[tuple[int, float | None] | None] = queue.Queue()  # None: finished
        self.epoch = 0  # epochs finished
        self.fed = 0  # documents handed to gensim in the current epoch (approximate, read racily)
        self.frames: list[np.ndarray] = []
        self.epoch_seconds: list[float] = []
        self.error: BaseException | None = None


class Feed:
    """The corpus as gensim's job producer reads it: it counts documents for progress and ends the
    epoch early once the run is told to stop (raising there would hang gensim's worker queue)."""

    def __init__(self, corpus: Iterable[Sequence[str]], run: RunState, tagged: bool) -> None:
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

    def __init__(self, run: RunState, read_frame: Callable[[], np.ndarray] | None, has_loss: bool) -> None:
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


def snapshot_rows(rows: int, dim: int, epochs: int, limits: TrainLimits) -> int:
    """How many of the most frequent rows fit in the snapshot budget over all epochs."""
    return max(0, min(rows, limits.max_snapshot_bytes // max(1, dim * 4 * epochs)))


def train_gensim(
    corpus: Iterable[Sequence[str]],
    config: TrainConfig,
    *,
    facts: CorpusFacts,
    report: Progress,
    limits: TrainLimits,
    on_epoch: Callable[[EpochReport], None] | None,
    started: float,
) -> Trained:
    """Train a word2vec, fastText or doc2vec model as described at the top of this module."""
    is_doc2vec = config.model == "doc2vec"
    model = gensim_model(config, config.effective_workers)

    report(0.0, "reading the corpus")
    reading = Reading(corpus, facts, limits, report, tagged=is_doc2vec, keep_first_words=is_doc2vec)
    total_words, corpus_count = model.scan_vocab(corpus_iterable=reading, progress_per=10**9)
    raw = model.raw_vocab
    vocabulary = vocabulary_check(np.fromiter(raw.values(), dtype=np.int64, count=len(raw)), config, limits)
    report(0.05, f"{vocabulary:,} words appear at least {config.min_count} times; preparing the model")
    model.corpus_count, model.corpus_total_words = corpus_count, total_words
    model.prepare_vocab()
    model.prepare_weights()
    vocabulary_seconds = time.perf_counter() - started

    rows = corpus_count if is_doc2vec else len(model.wv)
    n_snap = snapshot_rows(rows, config.vector_size, config.epochs, limits) if config.snapshots else 0
    read_frame = snapshot_reader(model, config.model, n_snap) if n_snap else None
    run = RunState()
    callback = _EpochCallback(run, read_frame, has_loss=config.model == "word2vec")
    train_kwargs: dict[str, Any] = {"compute_loss": True} if config.model == "word2vec" else {}

    def work() -> None:
        try:
            model.train(
                corpus_iterable=Feed(corpus, run, is_doc2vec),
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
    thread = threading.Thread(target=work, name=THREAD_NAME, daemon=True)
    thread.start()
    try:
        epochs = _supervise(
            run,
            config,
            words_per_epoch=total_words,
            documents=corpus_count,
            report=report,
            on_epoch=on_epoch,
            limits=limits,
            started=started,
        )
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
    return Trained(
        labels=labels,
        vectors=vectors,
        metadata=meta,
        epochs=tuple(epochs),
        timings={
            "vocabulary_seconds": vocabulary_seconds,
            "epoch_seconds": run.epoch_seconds,
            "training_seconds": time.perf_counter() - training_started,
        },
        notes=[loss_note(config.effective_workers)] if config.model == "word2vec" else [],
        subwords=subwords,
        model=model,
        snapshots=Snapshots(tuple(labels[:n_snap]), run.frames) if n_snap else None,
        vocabulary_size=int(len(model.wv)) if is_doc2vec else None,
        extra={"loss_exact": config.model == "word2vec" and config.effective_workers == 1},
    )


def loss_note(workers: int) -> str:
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
    run: RunState,
    config: TrainConfig,
    *,
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
            event: tuple[int, float | None] | tuple[()] | None = run.events.get(timeout=POLL_SECONDS)
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
            report(shown, message + (f" · {time_left(elapsed / done - elapsed)}" if done > 0 else ""))
        if run.epoch < config.epochs and time.perf_counter() - started > limits.max_seconds:
            raise InputError(
                f"training took longer than {limits.max_seconds:g} s, the limit here; "
                "use fewer epochs, a smaller corpus or fewer dimensions"
            )
