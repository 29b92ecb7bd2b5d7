"""gensim's models: how word2vec, fastText and doc2vec are built from a TrainConfig, and how their
vectors and counts are read (``app.training.gensim_run`` drives a run). gensim and scipy are
imported inside the functions that need them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import numpy as np

from app.training.config import TrainConfig


def stable_hash(text: str) -> int:
    """A 64-bit hash that is the same in every process (Python's ``hash`` of a str is salted)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


# --- gensim ------------------------------------------------------------------------------------
def gensim_model(config: TrainConfig, workers: int) -> Any:
    """An untrained gensim model for ``config``; the vocabulary is built later."""
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
