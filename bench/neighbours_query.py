"""Time one top-10 neighbour query over all 400,000 GloVe words: ours vs gensim's most_similar.

Both sides hold the same words and vectors (gensim's KeyedVectors is filled from our space).
About 50 single words and a few formulas (king - man + woman, given to gensim as positive and
negative lists) are asked of both, after one warm-up call each, alternating which side goes first;
the top-10 words must be identical for every query. Target: ours no slower than gensim.

    .venv/bin/python bench/neighbours_query.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import report_result  # noqa: E402

from app.geometry.neighbours import nearest  # noqa: E402
from app.io.samples import GLOVE_WORDS, load_glove  # noqa: E402
from app.text.expressions import parse  # noqa: E402

WORDS = (  # 54 everyday words, all in the vocabulary
    *("the", "of", "and", "red", "blue", "happy", "sad", "run"),
    *("frog", "king", "queen", "apple", "coffee", "bread", "wine"),
    *("paris", "france", "london", "city", "river", "mountain", "forest", "ocean", "airport"),
    *("music", "guitar", "piano", "book", "novel", "poet"),
    *("computer", "software", "internet", "science", "physics", "biology"),
    *("doctor", "nurse", "hospital", "school", "teacher", "student"),
    *("war", "peace", "army", "soldier", "money", "bank", "market"),
    *("football", "tennis", "olympic", "car", "train"),
)
FORMULAS = (
    "king - man + woman",
    "paris - france + italy",
    "walking - walk + swim",
    "bigger - big + small",
    "tokyo - japan + germany",
)


def millis(function: Callable[[], list[str]]) -> tuple[float, list[str]]:
    start = time.perf_counter()
    result = function()
    return (time.perf_counter() - start) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each query on each side")
    args = parser.parse_args()
    from gensim.models import KeyedVectors

    space = load_glove(GLOVE_WORDS)
    kv = KeyedVectors(space.dim)
    kv.add_vectors(list(space.words), space.vectors)
    kv.fill_norms()

    ours_ms: list[float] = []
    gensim_ms: list[float] = []
    mismatches: list[str] = []
    for query in (*WORDS, *FORMULAS):
        expression = parse(query)
        positive, negative = expression.positive, expression.negative

        def ours(query: str = query) -> list[str]:
            return nearest(space, query, k=10).words

        def theirs(positive: list[str] = positive, negative: list[str] = negative) -> list[str]:
            return [word for word, _ in kv.most_similar(positive=positive, negative=negative, topn=10)]

        sides = [(ours, ours_ms), (theirs, gensim_ms)]
        answers = [ours(), theirs()]  # warm-up
        for run in range(args.repeat):
            for side in (0, 1) if run % 2 == 0 else (1, 0):  # alternate which side goes first
                function, times = sides[side]
                ms, answers[side] = millis(function)
                times.append(ms)
        our_words, their_words = answers
        if our_words != their_words:
            mismatches.append(f"  {query!r}: ours {our_words} gensim {their_words}")

    queries = len(WORDS) + len(FORMULAS)
    print(f"space: {len(space):,} x {space.dim}; {queries} queries ({len(FORMULAS)} formulas) x {args.repeat} runs")
    for name, times in (("embedding-lab nearest", ours_ms), ("gensim most_similar", gensim_ms)):
        print(f"{name:22}: median {np.median(times):6.2f} ms, p95 {np.percentile(times, 95):6.2f} ms")
    ratio = np.median(ours_ms) / np.median(gensim_ms)
    print(f"ratio (ours / gensim, median): {ratio:.2f} ({'no slower' if ratio <= 1 else 'SLOWER'} than gensim)")
    print(f"identical top-10 words: {queries - len(mismatches)} of {queries} queries")
    report_result(
        f"top-10 neighbours among {len(space):,} words ({queries} queries x {args.repeat})",
        f"median {np.median(ours_ms):.2f} ms, p95 {np.percentile(ours_ms, 95):.2f} ms",
        f"gensim most_similar: median {np.median(gensim_ms):.2f} ms, p95 {np.percentile(gensim_ms, 95):.2f} ms",
        f"{ratio:.2f} (ours / gensim)",
        f"identical top-10 words for {queries - len(mismatches)} of {queries} queries",
        ok=not mismatches,
    )
    if mismatches:
        print("\n".join(mismatches))
        sys.exit("MISMATCH between our neighbours and gensim's")


if __name__ == "__main__":
    main()
