"""What a training run hands back: a report per epoch, the frozen ``TrainResult`` (space, model,
snapshots) and its JSON-able reproducibility record, built complete in one place for every model."""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata as package_metadata
from typing import Any

import numpy as np
import pandas as pd

from app.space import EmbeddingSpace
from app.training.config import TrainConfig
from app.training.playback import Snapshots
from app.training.reading import CorpusFacts

RECORDED_VERSIONS = ("gensim", "numpy", "scipy", "scikit-learn", "pandas")


def time_left(seconds: float) -> str:
    """'about 12 s left', 'about 3 min left' or 'almost done'."""
    if seconds <= 0:
        return "almost done"
    if seconds < 90:
        return f"about {max(1, round(seconds))} s left"
    return f"about {seconds / 60:.0f} min left"


@dataclass(frozen=True)
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
        parts.append(time_left(self.eta))
        return " · ".join(parts)


@dataclass(frozen=True)
class Trained:
    """What one model's run produced, before it becomes a space and a record."""

    labels: list[str]
    vectors: np.ndarray
    metadata: pd.DataFrame
    epochs: tuple[EpochReport, ...]
    timings: dict[str, Any]
    notes: list[str]
    subwords: Any = None
    model: Any = None
    snapshots: Snapshots | None = None
    vocabulary_size: int | None = None
    """Words in the vocabulary when the points are not words (doc2vec); None: the points are the words."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Model-specific record fields (e.g. whether the loss is exact, PPMI's singular values)."""


@dataclass(frozen=True)
class TrainResult:
    """The trained space plus everything needed to explain and reproduce it."""

    space: EmbeddingSpace
    report: dict[str, Any]
    epochs: tuple[EpochReport, ...]
    snapshots: Snapshots | None
    config: TrainConfig
    model: Any = None
    preprocessing: Any = None
    """The corpus's Preprocessing (when it had one), so new text is tokenised the same way."""
    playback: list[np.ndarray] | None = None
    """The snapshots' 2-D coordinates per epoch (``playback_coordinates``), when the job computed them."""


def build_result(
    *,
    config: TrainConfig,
    facts: CorpusFacts,
    trained: Trained,
    preprocessing: Any,
    total_seconds: float,
) -> TrainResult:
    """The space and its reproducibility record, the same for every model."""
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    source = {
        "format": "trained",
        "model": config.model,
        "corpus": facts.name,
        "corpus_fingerprint": facts.fingerprint,
        "config": config.to_dict(),
        "loaded_at": created_at,
        "shared": facts.source.get("shared") is True,  # trained on a built-in corpus: the class may share it
    }
    space = EmbeddingSpace(
        f"{config.display_name} · {facts.name}",
        trained.labels,
        trained.vectors,
        metadata=trained.metadata,
        source=source,
        subwords=trained.subwords,
    )
    snapshots = trained.snapshots
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
            "source": jsonable(facts.source),
            "documents": facts.documents,
            "tokens": facts.tokens,
        },
        "preprocessing": jsonable(facts.preprocessing),
        "versions": _versions(),
        "vocabulary_size": len(trained.labels) if trained.vocabulary_size is None else trained.vocabulary_size,
        "points": len(trained.labels),
        "tokens": facts.tokens,
        "losses": [entry.loss for entry in trained.epochs],
        "timings": {**trained.timings, "total_seconds": total_seconds},
        "snapshots": None if snapshots is None else {"words": len(snapshots.words), "bytes": snapshots.nbytes},
        "notes": list(trained.notes),
        "created_at": created_at,
        **trained.extra,
        "space_fingerprint": space.fingerprint,
    }
    return TrainResult(
        space=space,
        report=record,
        epochs=trained.epochs,
        snapshots=snapshots,
        config=config,
        model=trained.model,
        preprocessing=preprocessing,
    )


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in RECORDED_VERSIONS:
        try:
            versions[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def jsonable(value: Any) -> Any:
    """A copy of ``value`` that json.dumps accepts (unknown objects become their str)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
