"""The models behind ``app.training.core``: gensim's word2vec/fastText/doc2vec, and a count-based PPMI + SVD.

``app.training.core`` drives a run (caps, progress, cancel, the record); this module only knows how
each model is built and how its numbers are made. gensim, scipy and scikit-learn are imported
inside the functions that need them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

CONTEXT_SMOOTHING = 0.75
"""Context-distribution smoothing for PPMI: context counts are raised to this power before they
become probabilities (Levy, Goldberg & Dagan 2015), which tames PMI's bias towards rare contexts;
0.75 is the value word2vec uses for its negative-sampling table and the one they recommend."""


def stable_hash(text: str) -> int:
    """A 64-bit hash that is the same in every process (Python's ``hash`` of a str is salted)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


# --- gensim ------------------------------------------------------------------------------------
def gensim_model(config: Any, workers: int) -> Any:
    """An untrained gensim model for ``config`` (a TrainConfig); the vocabulary is built later."""
    common = {
        "vector_size": config.vector_size,
        "window": config.window,
        "min_count": config.min_count,
        "epochs": config.epochs,
        "workers": workers,
        "seed": config.seed,
        "alpha": config.alpha,
        "sample": config.sample,
        "hs": 1 if config.loss == "hierarchical" else 0,
        "negative": config.negative if config.loss == "negative" else 0,
        # gensim 4.4 seeds initial vectors from `seed` alone; hashfxn is kept for any code path
        # that still hashes words (Python's salted hash() would differ between processes).
        "hashfxn": stable_hash,
    }
    if config.model == "word2vec":
        from gensim.models import Word2Vec

        return Word2Vec(sg=int(config.architecture == "skipgram"), compute_loss=True, **common)
    if config.model == "fasttext":
        from gensim.models import FastText

        return FastText(
            sg=int(config.architecture == "skipgram"),
            min_n=config.min_n,
            max_n=config.max_n,
            bucket=config.bucket,
            **common,
        )
    from gensim.models import Doc2Vec

    return Doc2Vec(dm=int(config.effective_architecture == "pv-dm"), **common)


def word_counts(keyed_vectors: Any) -> np.ndarray:
    """Corpus frequency of each word of a gensim KeyedVectors, in its row order."""
    expandos = getattr(keyed_vectors, "expandos", {})
    if "count" in expandos:
        return np.asarray(expandos["count"], dtype=np.int64)
    return np.array([keyed_vectors.get_vecattr(w, "count") for w in keyed_vectors.index_to_key], dtype=np.int64)


def snapshot_reader(model: Any, kind: str, rows: int) -> Callable[[], np.ndarray]:
    """A function returning a float32 copy of the first ``rows`` vectors as they are right now.

    fastText keeps a word's own vector and its character n-gram vectors apart during training and
    only averages them when training ends; the reader averages them for the snapshot rows with one
    sparse product (fast), so every frame is what the final vectors would be at that point.
    """
    if kind == "doc2vec":
        return lambda: model.dv.vectors[:rows].copy()
    if kind == "word2vec":
        return lambda: model.wv.vectors[:rows].copy()
    from scipy.sparse import csr_matrix

    wv = model.wv
    if not wv.bucket:
        return lambda: wv.vectors_vocab[:rows].copy()
    buckets = [np.asarray(wv.buckets_word[i], dtype=np.int64) for i in range(rows)]
    lengths = np.array([len(b) for b in buckets], dtype=np.int64)
    share = (1.0 / (lengths + 1)).astype(np.float32)
    indices = np.concatenate(buckets) if buckets else np.zeros(0, dtype=np.int64)
    mix = csr_matrix(
        (np.repeat(share, lengths), indices, np.concatenate([[0], np.cumsum(lengths)])),
        shape=(rows, wv.vectors_ngrams.shape[0]),
    )
    return lambda: (wv.vectors_vocab[:rows] * share[:, None] + mix @ wv.vectors_ngrams).astype(np.float32)


# --- PPMI + SVD ----------------------------------------------------------------------------------
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
