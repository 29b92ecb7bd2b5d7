"""PPMI + SVD, the count-based model: co-occurrence counts within a window, positive PMI with
context-distribution smoothing, and a truncated SVD; and the run that drives them (progress,
caps) as ``app.training.gensim_run`` does for gensim. scipy and scikit-learn are imported lazily."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from app.errors import InputError, Progress
from app.training.config import TrainConfig, TrainLimits
from app.training.reading import CorpusFacts, Reading, vocabulary_check
from app.training.record import EpochReport, Trained

CONTEXT_SMOOTHING = 0.75
"""Context-distribution smoothing for PPMI: context counts are raised to this power before they
become probabilities (Levy, Goldberg & Dagan 2015), which tames PMI's bias towards rare contexts;
0.75 is the value word2vec uses for its negative-sampling table and the one they recommend."""


def train_ppmi(
    corpus: Iterable[Sequence[str]],
    config: TrainConfig,
    *,
    facts: CorpusFacts,
    report: Progress,
    limits: TrainLimits,
    on_epoch: Callable[[EpochReport], None] | None,
    started: float,
) -> Trained:
    """Count, weight and compress: one pass for the vocabulary, one for the co-occurrences."""
    report(0.0, "counting words")
    counter: Counter[str] = Counter()
    for document in Reading(corpus, facts, limits, report, share=0.2):
        counter.update(document)
    counts = np.fromiter(counter.values(), dtype=np.int64, count=len(counter))
    vocabulary_check(counts, config, limits)
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
    return Trained(
        labels=words,
        vectors=vectors,
        metadata=pd.DataFrame({"count": [counter[w] for w in words]}),
        epochs=(entry,),
        timings={"vocabulary_seconds": vocabulary_seconds, "epoch_seconds": [elapsed - vocabulary_seconds]},
        notes=notes,
        extra={"singular_values": [float(v) for v in singular_values[:10]], "dimensions": dimensions},
    )


def count_cooccurrences(
    documents: Iterable[Sequence[str]],
    index: dict[str, int],
    window: int,
    on_chunk: Callable[[int], None],
    chunk_tokens: int = 500_000,
) -> Any:
    """A symmetric sparse matrix of how often two vocabulary words occur within ``window`` tokens.

    Out-of-vocabulary tokens are dropped before windowing (as word2vec does), every pair inside
    the window counts 1, and documents never share a window. Token ids are gathered into a flat
    buffer with ``window`` gaps between documents, so each chunk is counted with a few vectorised
    numpy passes; ``on_chunk(tokens_so_far)`` is called after every chunk (progress, cancel).
    """
    from scipy.sparse import coo_matrix, csr_matrix

    size = len(index)
    total = csr_matrix((size, size), dtype=np.float64)
    gap = [-1] * window
    buffer: list[int] = []
    tokens = 0

    def flush() -> None:
        nonlocal total
        ids = np.asarray(buffer, dtype=np.int32)
        rows, cols = [], []
        for offset in range(1, window + 1):
            left, right = ids[:-offset], ids[offset:]
            keep = (left >= 0) & (right >= 0)
            rows.append(left[keep])
            cols.append(right[keep])
        row, col = np.concatenate(rows), np.concatenate(cols)
        chunk = coo_matrix((np.ones(len(row)), (row, col)), shape=(size, size)).tocsr()
        total = total + chunk + chunk.T
        buffer.clear()

    lookup = index.get
    for document in documents:
        tokens += len(document)
        buffer.extend(i for i in map(lookup, document) if i is not None)
        buffer.extend(gap)
        if len(buffer) >= chunk_tokens:
            flush()
            on_chunk(tokens)
    if buffer:
        flush()
        on_chunk(tokens)
    return total


def positive_pmi(counts: Any, smoothing: float = CONTEXT_SMOOTHING) -> Any:
    """PPMI(w, c) = max(0, log P(w, c) / (P(w) P_s(c))), with P_s(c) = #c^s / sum #c'^s.

    Only the stored (co-occurring) pairs are computed; the rest of the matrix stays zero.
    """
    counts = counts.tocsr()
    if counts.nnz == 0:
        return counts
    word_totals = np.asarray(counts.sum(axis=1)).ravel()
    context_totals = np.asarray(counts.sum(axis=0)).ravel()
    smoothed = context_totals**smoothing
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    cols = counts.indices
    # P(w, c) / (P(w) P_s(c)) = (#wc / N) / ((#w / N) (#c^s / Z)) = #wc Z / (#w #c^s)
    pmi = np.log(counts.data) + np.log(smoothed.sum()) - np.log(word_totals[rows]) - np.log(smoothed[cols])
    result = counts.copy()
    result.data = np.maximum(pmi, 0.0)
    result.eliminate_zeros()
    return result


def svd_vectors(matrix: Any, dimensions: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Word vectors U * sqrt(S) from a truncated (randomized) SVD, and the singular values.

    Weighting by sqrt(S) splits the singular values evenly between words and contexts; Levy et
    al. found it works better on similarity tasks than the textbook U * S. One BLAS thread, as every
    job here gets one core: on a busy 2-core server OpenBLAS's own threads made this 20x slower
    (4.5 s instead of 0.2 s for 2,859 words), and one thread also gives the same digits every run.
    """
    from sklearn.utils.extmath import randomized_svd
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        u, s, _ = randomized_svd(matrix, n_components=dimensions, n_iter=5, random_state=seed)
    return (u * np.sqrt(s)).astype(np.float32), s
