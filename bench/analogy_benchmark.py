"""Google analogies on GloVe 6B 50d: gensim's evaluate_word_analogies against ours; print the ratio.

Both evaluators answer questions-words.txt (gensim's copy) in the same run, over the same
vectors (load_glove(400000)) with the same restrict_vocab (300,000). Ours starts from a fresh
space each run, so computing the unit vectors is timed too (as gensim's fill_norms is). Exits
non-zero when the accuracies differ by more than 1e-4. Our 3CosMul, which gensim's evaluator
does not offer, is timed as well. gensim takes about 100 s here.

    .venv/bin/python bench/analogy_benchmark.py [--repeat 1] [--restrict-vocab 300000]
"""

from __future__ import annotations

import argparse
import sys

from common import report_result, timed  # noqa: E402  (also puts the repository on the import path)

from app.evaluation.analogy_bench import evaluate_analogies  # noqa: E402
from app.io.samples import GLOVE_WORDS, load_glove  # noqa: E402

TOLERANCE = 1e-4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each evaluator; the median is reported")
    parser.add_argument("--restrict-vocab", type=int, default=300_000, help="search the first N words only")
    args = parser.parse_args()
    from gensim.models import KeyedVectors
    from gensim.test.utils import datapath

    questions = datapath("questions-words.txt")
    space = load_glove(GLOVE_WORDS)
    kv = KeyedVectors(space.dim)
    kv.add_vectors(list(space.words), space.vectors)
    restrict = args.restrict_vocab

    def ours(method: str = "3cosadd"):
        fresh = space.with_source()  # no cached unit vectors
        return evaluate_analogies(fresh, questions, restrict_vocab=restrict, method=method)

    ours_s, result = timed(ours, args.repeat)
    print(f"space: {space.name}, {len(space):,} x {space.dim}; restrict_vocab={restrict:,}", flush=True)
    print(f"embedding-lab evaluate_analogies: {ours_s:7.2f} s (median of {args.repeat})", flush=True)
    gensim_s, (gensim_accuracy, sections) = timed(
        lambda: kv.evaluate_word_analogies(questions, restrict_vocab=restrict), args.repeat
    )
    total = sections[-1]
    gensim_correct, gensim_total = len(total["correct"]), len(total["correct"]) + len(total["incorrect"])
    print(f"gensim evaluate_word_analogies:   {gensim_s:7.2f} s (median of {args.repeat})")
    print(f"ratio (gensim / ours): {gensim_s / ours_s:.1f}x faster")
    print(
        f"accuracy, ours:   {result.accuracy:.6f} ({result.correct:,} / {result.total:,}; {result.oov:,} OOV skipped)"
    )
    print(f"accuracy, gensim: {gensim_accuracy:.6f} ({gensim_correct:,} / {gensim_total:,})")
    cosmul_s, cosmul = timed(lambda: ours("3cosmul"), args.repeat)
    print(f"embedding-lab 3CosMul: {cosmul_s:7.2f} s (median of {args.repeat})")
    print(f"accuracy, 3CosMul: {cosmul.accuracy:.6f} ({cosmul.correct:,} / {cosmul.total:,})")
    difference = abs(result.accuracy - gensim_accuracy)
    print(f"accuracy difference: {difference:.2e} (tolerance {TOLERANCE:g})")
    report_result(
        f"Google analogies, 3CosAdd ({result.total:,} questions, restrict_vocab {restrict:,})",
        f"{ours_s:.1f} s, accuracy {result.accuracy:.4f}",
        f"gensim evaluate_word_analogies: {gensim_s:.1f} s, accuracy {gensim_accuracy:.4f}",
        f"{gensim_s / ours_s:.1f}x faster",
        f"accuracy difference {difference:.1e}; our 3CosMul {cosmul_s:.1f} s, accuracy {cosmul.accuracy:.4f}",
        ok=difference <= TOLERANCE,
    )
    if difference > TOLERANCE:
        sys.exit("MISMATCH between our accuracy and gensim's")


if __name__ == "__main__":
    main()
