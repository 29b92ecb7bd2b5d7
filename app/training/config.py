"""What to train and what a run may cost: the models on offer with their labels, ``TrainConfig``,
``TrainLimits``, and the page's defaults and time estimate (domain knowledge, so it lives here)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from app.errors import InputError
from app.runtime import timing
from app.runtime.timing import Estimate

MODELS = ("word2vec", "fasttext", "doc2vec", "ppmi_svd")
MODEL_NAMES = {"word2vec": "word2vec", "fasttext": "fastText", "doc2vec": "doc2vec", "ppmi_svd": "PPMI + SVD"}
"""How each model is written for people (space names, messages, titles)."""
MODEL_LABELS = {
    "word2vec": "word2vec: predicts a word from its neighbours (or the reverse)",
    "fasttext": "fastText: word2vec on pieces of words; answers words it never saw",
    "doc2vec": "doc2vec: a vector for every document as well",
    "ppmi_svd": "PPMI + SVD: count-based (co-occurrence counts, compressed)",
}
"""One line per model for a chooser."""
ARCHITECTURES = {
    "word2vec": ("cbow", "skipgram"),
    "fasttext": ("cbow", "skipgram"),
    "doc2vec": ("pv-dm", "pv-dbow"),
}
ARCHITECTURE_LABELS = {
    "cbow": "CBOW (neighbours predict the word; fast)",
    "skipgram": "skip-gram (the word predicts its neighbours; better for rare words)",
    "pv-dm": "PV-DM (document + neighbours predict the word)",
    "pv-dbow": "PV-DBOW (the document predicts its words)",
}
LOSS_LABELS = {"negative": "negative sampling", "hierarchical": "hierarchical softmax"}
# doc2vec also accepts cbow/skipgram as the analogous PV-DM/PV-DBOW, so TrainConfig's defaults work
DOC2VEC_ALIASES = {"cbow": "pv-dm", "skipgram": "pv-dbow"}

POLL_SECONDS = 0.25  # how often a run reports progress and checks the time cap and cancel
DETERMINISTIC_UP_TO_TOKENS = 1_000_000
"""Corpora up to this size open in deterministic mode: one worker costs little there (the classroom
corpus trains as fast with one worker as with two on a 2-core server) and gives an exact loss curve."""
SECONDS_PER_TOKEN = {"word2vec": 1.5e-6, "fasttext": 2.8e-6, "doc2vec": 1.0e-6, "ppmi_svd": 8.8e-6}
"""Cost of one trained token-epoch (CBOW, 100 dimensions; PPMI: one token's window of 5 counted),
fitted to bench/estimates.py's runs through the job runner on a quiet 2-core machine (classroom,
Lee and head500 corpora, 5-20 epochs)."""
STARTUP_SECONDS = {"word2vec": 0.3, "fasttext": 1.7, "doc2vec": 1.3, "ppmi_svd": 0.05}
"""Building the vocabulary and the model before the first epoch, and bringing the model back to the
page (fastText: its n-gram buckets, 80 MB at 200,000 buckets, most of a small corpus's run)."""
SKIPGRAM_FACTOR = 3.0  # skip-gram predicts every neighbour of a word, CBOW one word per window


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
        if self.loss not in LOSS_LABELS:
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
    def display_name(self) -> str:
        """The model as people write it ("fastText", not "fasttext")."""
        return MODEL_NAMES.get(self.model, self.model)

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
    return isinstance(value, int | float) and not isinstance(value, bool) and bool(np.isfinite(value))


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


# --- what the Train page opens with, and how long a run takes ------------------------------------
def suggested_epochs(documents: int) -> int:
    """Many passes over a small corpus (it needs them, and they are cheap), few over a large one."""
    return 20 if documents < 50_000 else 5


def suggested_deterministic(tokens: int) -> bool:
    """Deterministic (one worker, exact loss curve) when the corpus is small enough for it to cost little."""
    return tokens <= DETERMINISTIC_UP_TO_TOKENS


def estimate_seconds(config: TrainConfig, *, tokens: int, counts: Sequence[int] | np.ndarray | None = None) -> float:
    """A rough wall-clock estimate of a run of ``config`` over a corpus of ``tokens`` tokens.

    With the corpus's word ``counts`` the gensim models are costed on the tokens they actually train
    on (``trained_tokens``): down-sampling drops most of a small repetitive corpus's tokens.
    """
    per_token = SECONDS_PER_TOKEN[config.model]
    if config.model == "ppmi_svd":  # one counting pass; every word's window is counted
        return STARTUP_SECONDS[config.model] + tokens * per_token * config.window / 5
    trained = tokens if counts is None else trained_tokens(counts, config)
    per_token *= config.vector_size / 100 * (2 if config.deterministic else 1)
    if config.effective_architecture == "skipgram":
        per_token *= SKIPGRAM_FACTOR
    return STARTUP_SECONDS[config.model] + trained * config.epochs * per_token


def trained_tokens(counts: Sequence[int] | np.ndarray, config: TrainConfig) -> int:
    """Tokens one epoch trains on: words under ``min_count`` dropped, frequent ones down-sampled by
    gensim's rule (a word of count c is kept with probability (sqrt(c / t) + 1) t / c, t = sample x total)."""
    kept = np.asarray(counts, dtype=np.float64)
    kept = kept[kept >= config.min_count]
    if not config.sample or not len(kept):
        return int(kept.sum())
    threshold = config.sample * kept.sum()
    keep = np.minimum(1.0, (np.sqrt(kept / threshold) + 1) * threshold / kept)
    return int((kept * keep).sum())


def training_estimate(
    config: TrainConfig, *, tokens: int, counts: Sequence[int] | np.ndarray | None = None
) -> Estimate:
    """``estimate_seconds`` scaled by this machine's timed trainings of the same model (``app.runtime.timing``)."""
    return timing.estimate(f"training {config.model}", estimate_seconds(config, tokens=tokens, counts=counts))
