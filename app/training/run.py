"""Train a small embedding model on a corpus: word2vec, fastText, doc2vec (gensim) or PPMI + SVD.

``train`` takes any restartable iterable of token lists (a list of lists, or an
``app.training.corpus.Corpus``) and returns a frozen ``TrainResult``: the EmbeddingSpace, a
JSON-able reproducibility record, a report per epoch and bounded per-epoch snapshots (for an
animation of the space settling). ``train_job`` is the same run shaped for ``app.runtime.jobs``.
How a gensim run is driven is told in ``app.training.gensim_run``; PPMI + SVD in ``app.training.ppmi``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, replace
from typing import Any

from app.errors import Progress
from app.training.config import TrainConfig, TrainLimits
from app.training.gensim_run import train_gensim
from app.training.playback import playback_coordinates
from app.training.ppmi import train_ppmi
from app.training.reading import describe
from app.training.record import EpochReport, TrainResult, build_result


def _silent(fraction: float, message: str, /, **_: Any) -> None:
    pass


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
    facts = describe(corpus)
    report = progress or _silent
    run = train_ppmi if config.model == "ppmi_svd" else train_gensim
    trained = run(corpus, config, facts=facts, report=report, limits=limits, on_epoch=on_epoch, started=started)
    result = build_result(
        config=config,
        facts=facts,
        trained=trained,
        preprocessing=getattr(corpus, "preprocessing", None),
        total_seconds=time.perf_counter() - started,
    )
    report(1.0, f"done · {len(result.space):,} points × {result.space.dim}")
    return result


def train_job(
    corpus: Iterable[Sequence[str]],
    config: TrainConfig,
    *,
    progress: Callable[..., None],
    limits: TrainLimits = TrainLimits(),  # noqa: B008
) -> TrainResult:
    """``train`` shaped for ``app.runtime.jobs``: module-level (so it pickles for a worker process), and each
    finished epoch also goes to ``progress`` as keyword details (epoch, loss, words, ...), which the
    job runner keeps for the page's live loss curve. The epoch playback's coordinates are computed here too.
    """

    def on_epoch(entry: EpochReport) -> None:
        progress(entry.epoch / entry.epochs, f"epoch {entry.epoch}/{entry.epochs} done", **asdict(entry))

    result = train(corpus, config, progress, limits=limits, on_epoch=on_epoch)
    if result.snapshots is None or len(result.snapshots.frames) < 2:
        return result
    # The playback's Procrustes fits, here in the job's process rather than on the page's thread, where
    # BLAS shares the cores with every other session (20 epochs took 1-4 s there on a busy 2-core server).
    return replace(result, playback=playback_coordinates(result.snapshots))
