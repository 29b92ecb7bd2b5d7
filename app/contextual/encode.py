"""The background job: the occurrences of one word in some sentences encoded by the contextual
model into an EmbeddingSpace (metadata: sentence, position, sense), and, for the built-in sense set,
the sense-recovery measure for every word of the set next to static GloVe."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from app.contextual.model import MODEL_NAME, MODEL_PACKAGE, encode_spans
from app.contextual.occurrences import Occurrence, Sentence, find_occurrences, occurrence_label, sense_words
from app.contextual.senses import sense_recovery, static_vectors
from app.errors import Progress
from app.runtime import timing
from app.runtime.timing import Estimate
from app.space import EmbeddingSpace

STATIC_WORDS = 50_000  # GloVe words read for the static baseline (every word of the built-in set is among them)


@dataclass(frozen=True)
class ContextualResult:
    space: EmbeddingSpace
    report: dict[str, Any]
    measure: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per word of the sense set: {"contextual": ARI, "static": ARI, "occurrences": n}."""


def sentences_fingerprint(sentences: list[Sentence]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for s in sentences:
        digest.update(f"{s.text}\t{s.word}\t{s.sense}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def occurrence_space(
    occurrences: list[Occurrence], vectors: np.ndarray, *, word: str, name: str, shared: bool
) -> EmbeddingSpace:
    """The occurrences as points: labels show the word in its context; metadata carries the rest."""
    columns: dict[str, list] = {}
    if any(o.sense for o in occurrences):  # first, so Explore colours by sense by default
        columns["sense"] = [o.sense for o in occurrences]
    columns["sentence"] = [o.text for o in occurrences]
    columns["sentence_number"] = [o.sentence + 1 for o in occurrences]
    columns["position"] = [o.position for o in occurrences]
    metadata = pd.DataFrame(columns)
    labels = [f"{occurrence_label(o)} @{o.position}" for o in occurrences]
    return EmbeddingSpace(
        name,
        labels,
        vectors,
        metadata=metadata,
        source={"format": "contextual", "model": MODEL_NAME, "package": MODEL_PACKAGE, "word": word, "shared": shared},
    )


def measure_sense_set(sentences: list[Sentence], progress: Progress) -> dict[str, dict[str, float]]:
    """For each word of a sense set: ARI of k-means on its contextual occurrence vectors, and on
    the static GloVe vectors of the same occurrences (identical, so 0)."""
    from app.io.samples import load_glove

    glove = load_glove(STATIC_WORDS)
    words = sense_words(sentences)
    found = {word: find_occurrences(sentences, word) for word in words}
    everything = [o for word in words for o in found[word]]
    vectors = encode_spans([s.text for s in sentences], [(o.sentence, o.start, o.end) for o in everything], progress)
    measure: dict[str, dict[str, float]] = {}
    row = 0
    for word in words:
        occurrences = found[word]
        senses = [o.sense for o in occurrences]
        block = vectors[row : row + len(occurrences)]
        row += len(occurrences)
        static = static_vectors(glove.vector(word), len(occurrences))
        measure[word] = {
            "contextual": sense_recovery(block, senses),
            "static": sense_recovery(static, senses),
            "occurrences": float(len(occurrences)),
        }
    return measure


def encode_estimate(n_sentences: int) -> Estimate:
    """How long ``encode_job`` takes here: loading the model, then a batch of sentences at a time,
    scaled by this machine's timed runs (``app.runtime.timing``)."""
    return timing.estimate("contextual encoding", 4 + 0.06 * n_sentences)  # fitted to bench/estimates.py


def encode_job(
    sentences: list[Sentence],
    word: str,
    *,
    name: str,
    shared: bool,
    progress: Progress,
) -> ContextualResult:
    """The job the Train page runs: encode every occurrence of ``word``; with senses, measure too."""
    occurrences = find_occurrences(sentences, word)
    texts = [s.text for s in sentences]
    spans = [(o.sentence, o.start, o.end) for o in occurrences]
    labelled = any(s.sense for s in sentences)
    vectors = encode_spans(texts, spans, _part(progress, 0.0, 0.5 if labelled else 1.0))
    space = occurrence_space(occurrences, vectors, word=word, name=name, shared=shared)
    measure = measure_sense_set(sentences, _part(progress, 0.5, 1.0)) if labelled else {}
    report = {
        "model": MODEL_NAME,
        "package": MODEL_PACKAGE,
        "word": word,
        "sentences": len(sentences),
        "occurrences": len(occurrences),
        "sentences_fingerprint": sentences_fingerprint(sentences),
        "vector": "mean of the last layer over the word's pieces",
    }
    return ContextualResult(space, report, measure)


def _part(progress: Progress, low: float, high: float) -> Progress:
    def report(fraction: float, message: str, /, **_: Any) -> None:
        progress(low + (high - low) * min(1.0, max(0.0, fraction)), message)

    return report
