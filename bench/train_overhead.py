"""Time training through app.training.run.train against bare gensim with the same settings; print the ratio.

Corpus: gensim's bundled lee_background.cor (300 news stories), tokenised with simple_preprocess and
repeated ``--copies`` times so one run takes a few seconds. Settings on both sides: vector_size=100,
window=5, min_count=5, epochs=5, workers=all cores, seed=1 (fastText: min_n=3, max_n=6 and the same
bucket count). Ours includes everything a page gets: corpus fingerprint, caps, progress every quarter
second, per-epoch loss and snapshots, the EmbeddingSpace and its record. Ours and gensim alternate,
round after round, after one warm-up each; medians of wall time and of process CPU time (all
threads) are reported: on a shared machine the CPU time is the steadier of the two.
Target: ours / gensim <= 1.10.

Then our added work is measured piece by piece (best CPU time of 5 runs each), a figure a busy
machine cannot blur: on a shared 2-core server the wall times above swing by 2x from run to run.

A parity check runs first: with one worker, ours (deterministic=True) and bare gensim must give
bit-identical vectors, so the wrapper changes nothing about what is learnt.

    .venv/bin/python bench/train_overhead.py [--rounds 5] [--copies 10] [--models word2vec fasttext]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np
from common import report_result, timed  # noqa: E402  (also puts the repository on the import path)

from app.training.config import TrainConfig  # noqa: E402
from app.training.run import train  # noqa: E402


def lee_corpus(copies: int) -> list[list[str]]:
    from gensim.test.utils import datapath
    from gensim.utils import simple_preprocess

    with open(datapath("lee_background.cor"), encoding="utf-8") as handle:
        documents = [simple_preprocess(line) for line in handle]
    return documents * copies


def bare_gensim(model: str, corpus: list[list[str]], config: TrainConfig):
    """The same training done directly with gensim, as a user would write it."""
    from gensim.models import FastText, Word2Vec

    settings = {
        "vector_size": config.vector_size,
        "window": config.window,
        "min_count": config.min_count,
        "epochs": config.epochs,
        "workers": config.workers,
        "seed": config.seed,
    }
    if model == "word2vec":
        return Word2Vec(corpus, **settings)
    return FastText(corpus, min_n=config.min_n, max_n=config.max_n, bucket=config.bucket, **settings)


def parity(model: str, corpus: list[list[str]]) -> bool:
    """One worker each: our vectors must equal bare gensim's exactly."""
    config = TrainConfig(model=model, vector_size=100, window=5, min_count=5, epochs=2, seed=1, workers=1)
    ours = train(corpus, TrainConfig(**{**config.to_dict(), "deterministic": True})).space
    theirs = bare_gensim(model, corpus, config).wv
    return list(ours.words) == list(theirs.index_to_key) and np.array_equal(ours.vectors, theirs.vectors)


def compare(model: str, corpus: list[list[str]], rounds: int) -> tuple[float, float]:
    """Alternate ours and bare gensim ``rounds`` times; print medians; return the wall and CPU ratios."""
    cores = os.cpu_count() or 1
    config = TrainConfig(model=model, vector_size=100, window=5, min_count=5, epochs=5, workers=cores, seed=1)
    messages: list[str] = []

    def ours():
        messages.clear()
        return train(corpus, config, lambda fraction, message: messages.append(message))

    runs = {"embedding-lab train": ours, "bare gensim": lambda: bare_gensim(model, corpus, config)}
    for run in runs.values():  # warm-up: imports, caches
        run()
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for round_number in range(rounds):
        for name in list(runs) if round_number % 2 == 0 else list(reversed(runs)):
            cpu_start = time.process_time()
            seconds, _ = timed(runs[name], 1)
            wall[name].append(seconds)
            cpu[name].append(time.process_time() - cpu_start)
    for name in runs:
        spread = ", ".join(f"{v:.2f}" for v in wall[name])
        print(
            f"  {name:20s} wall {statistics.median(wall[name]):6.2f} s, CPU {statistics.median(cpu[name]):6.2f} s"
            f"  (medians of {rounds}; wall: {spread})"
        )
    wall_ratio = statistics.median(wall["embedding-lab train"]) / statistics.median(wall["bare gensim"])
    cpu_ratio = statistics.median(cpu["embedding-lab train"]) / statistics.median(cpu["bare gensim"])
    print(f"  ratio ours / gensim: wall {wall_ratio:.3f}, CPU {cpu_ratio:.3f}  (target <= 1.10)")
    print(f"  progress messages in our last run: {len(messages)}, e.g. {messages[-3]!r}")
    report_result(
        f"train {model} (Lee x10, 5 epochs, {cores} workers)",
        f"{statistics.median(wall['embedding-lab train']):.2f} s",
        f"gensim {statistics.median(wall['bare gensim']):.2f} s",
        f"{wall_ratio:.2f} (ours / gensim)",
        f"CPU ratio {cpu_ratio:.2f}; target <= 1.10; one-worker vectors identical",
    )
    return wall_ratio, cpu_ratio


def breakdown(model: str, corpus: list[list[str]]) -> None:
    """Our added work measured piece by piece (best CPU time of 5), which a busy machine cannot blur:
    the checked, fingerprinted vocabulary pass, the corpus feed, a snapshot, building the space."""
    from app.space import EmbeddingSpace
    from app.training.config import TrainLimits
    from app.training.gensim_run import Feed, RunState
    from app.training.models import gensim_model, snapshot_reader
    from app.training.reading import Reading, describe

    def cpu(function) -> float:
        best = float("inf")
        for _ in range(5):
            start = time.process_time()
            function()
            best = min(best, time.process_time() - start)
        return best

    config = TrainConfig(model=model, vector_size=100, window=5, min_count=5, epochs=5, seed=1)
    result = train(corpus, config)
    wv = result.model.wv

    def scan(wrapped: bool) -> None:
        source = Reading(corpus, describe(corpus), TrainLimits(), lambda fraction, message: None)
        gensim_model(config, 1).scan_vocab(corpus_iterable=source if wrapped else corpus, progress_per=10**9)

    pieces = {
        "vocabulary pass": cpu(lambda: scan(True)) - cpu(lambda: scan(False)),
        "corpus feed, 5 epochs": 5 * (cpu(lambda: list(Feed(corpus, RunState(), False))) - cpu(lambda: list(corpus))),
        "snapshots, 5 epochs": 5 * cpu(snapshot_reader(result.model, model, len(result.snapshots.words))),
        "space + fingerprint": cpu(
            lambda: EmbeddingSpace("x", wv.index_to_key, wv.vectors, subwords=wv if model == "fasttext" else None)
        ),
    }
    total = sum(pieces.values())
    print("  our added CPU work: " + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in pieces.items()))
    share = total / sum(result.report["timings"]["epoch_seconds"])
    print(f"  total {total:.3f} s = {100 * share:.1f}% of the training time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each side, alternating")
    parser.add_argument("--copies", type=int, default=10, help="how many times the Lee corpus is repeated")
    parser.add_argument("--models", nargs="+", default=["word2vec", "fasttext"], choices=["word2vec", "fasttext"])
    args = parser.parse_args()
    corpus = lee_corpus(args.copies)
    print(f"corpus: lee_background.cor x {args.copies}: {len(corpus):,} documents, {sum(map(len, corpus)):,} tokens")
    print(f"settings: vector_size=100 window=5 min_count=5 epochs=5 workers={os.cpu_count() or 1} seed=1")
    for model in args.models:
        same = parity(model, corpus[: len(corpus) // args.copies])
        print(f"\n{model}: one-worker vectors identical to bare gensim: {same}")
        if not same:
            sys.exit(f"MISMATCH: {model} vectors differ from bare gensim with one worker")
        compare(model, corpus, args.rounds)
        breakdown(model, corpus)


if __name__ == "__main__":
    main()
