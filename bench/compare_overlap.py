"""Neighbour overlap of 20,000 shared words at k = 10: ours vs a per-word loop over gensim's most_similar.

The two spaces are GloVe's 20,000 most frequent words and a second "training" of them (the same
vectors rotated, plus noise, as a second seed would give). Ours: one blocked exact kNN pass per
space (app.compare.overlap; the process's graph cache is emptied before each timed run, and a
second overlap with another k, answered from the cached graphs, is timed apart). Reference: for
every word, gensim's ``most_similar(word, topn=10)`` in each space (KeyedVectors holding just the
shared words), then the set intersection. A per-word
loop over all 20,000 words takes minutes, so gensim answers a seeded sample of ``--sample`` words
and its time is scaled to 20,000; the sample's overlaps must equal ours exactly. Also times
100,000 words against one side's own top-k pass (the issue's "a few times one pass" target).

    .venv/bin/python bench/compare_overlap.py [--words 20000] [--sample 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
from common import report_result, timed

from app.compare.overlap import neighbour_overlap
from app.compare.vocabulary import shared_vocabulary
from app.geometry.knn import GRAPHS, knn_graph
from app.io.samples import load_glove
from app.space import EmbeddingSpace

T = TypeVar("T")


def second_seed(space: EmbeddingSpace, *, seed: int = 1, noise: float = 0.15) -> EmbeddingSpace:
    """``space`` rotated at random, with Gaussian noise of ``noise`` times the typical coordinate."""
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(space.dim, space.dim)))
    vectors = space.vectors @ rotation.astype(np.float32)
    vectors += rng.normal(scale=noise * float(vectors.std()), size=vectors.shape).astype(np.float32)
    return EmbeddingSpace(f"{space.name} (second seed)", space.words, vectors)


def gensim_overlaps(a: EmbeddingSpace, b: EmbeddingSpace, words: list[str], k: int) -> tuple[float, np.ndarray]:
    from gensim.models import KeyedVectors

    sides = []
    for space in (a, b):
        kv = KeyedVectors(space.dim)
        kv.add_vectors(list(space.words), space.vectors)
        kv.fill_norms()
        sides.append(kv)
    start = time.perf_counter()
    overlaps = []
    for word in words:
        first = {w for w, _ in sides[0].most_similar(word, topn=k)}
        second = {w for w, _ in sides[1].most_similar(word, topn=k)}
        overlaps.append(len(first & second) / k)
    return time.perf_counter() - start, np.array(overlaps)


def cold(work: Callable[[], T]) -> T:
    """``work()`` with the process's kNN graph cache emptied first, so it pays for both graphs."""
    GRAPHS.clear()
    return work()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=1_000, help="words gensim answers (its time is scaled)")
    parser.add_argument("--big", type=int, default=100_000, help="words for the one-pass comparison (0: skip)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    k = 10
    a = load_glove(args.words)
    b = second_seed(a)
    vocabulary = shared_vocabulary(a, b)
    ours_s, result = timed(lambda: cold(lambda: neighbour_overlap(a, b, vocabulary, k=k)), args.repeat)
    slice_s, _ = timed(lambda: neighbour_overlap(a, b, vocabulary, k=5), args.repeat)  # the cached graphs, sliced
    sample = sorted(
        np.random.default_rng(0).choice(len(vocabulary), size=min(args.sample, len(vocabulary)), replace=False)
    )
    gensim_s, theirs = gensim_overlaps(a, b, [vocabulary.words[i] for i in sample], k)
    gensim_scaled = gensim_s * len(vocabulary) / len(sample)
    same = int(np.sum(np.isclose(result.overlap[sample], theirs)))
    print(f"{len(vocabulary):,} shared words, k = {k}, mean overlap {result.mean:.3f}")
    print(f"embedding-lab neighbour_overlap: {ours_s:.2f} s (median of {args.repeat}, graph cache emptied each time)")
    print(f"then another k (5) from the cached graphs: {slice_s:.3f} s")
    print(f"gensim most_similar loop: {gensim_s:.2f} s for {len(sample):,} words -> {gensim_scaled:.1f} s for all")
    print(f"same overlap for {same} of {len(sample)} sampled words")
    big_note = ""
    if args.big:
        big = load_glove(args.big)
        big_b = second_seed(big)
        big_vocabulary = shared_vocabulary(big, big_b)
        pass_s, _ = timed(lambda: knn_graph(big.unit_vectors, k), 1)
        big_s, _ = timed(lambda: cold(lambda: neighbour_overlap(big, big_b, big_vocabulary, k=k)), 1)
        print(
            f"{args.big:,} words: overlap {big_s:.1f} s, one side's top-k pass {pass_s:.1f} s ({big_s / pass_s:.2f}x)"
        )
        big_note = f"; {args.big:,} words: {big_s:.1f} s = {big_s / pass_s:.2f}x one side's top-k pass ({pass_s:.1f} s)"
    report_result(
        f"neighbour overlap, {len(vocabulary):,} shared GloVe words, k = {k}",
        f"{ours_s:.2f} s",
        f"gensim most_similar loop: {gensim_scaled:.1f} s (measured on {len(sample):,} words, scaled)",
        f"{gensim_scaled / ours_s:.0f}x faster",
        f"same overlap for {same} of {len(sample)} sampled words; another k from the cached graphs "
        f"{slice_s:.3f} s{big_note}",
        ok=same == len(sample),
    )
    if same != len(sample):
        sys.exit("MISMATCH between our overlaps and gensim's")


if __name__ == "__main__":
    main()
