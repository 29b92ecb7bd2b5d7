"""WEAT permutation test, 10,000 permutations on GloVe 6B 50d: app.bias.weat.weat against a naive loop.

The naive reference is written here, the straightforward way (as WEFE does): for every permutation
it recomputes s(w, A, B) for every target word from the raw vectors and sums the statistic in Python.
WEFE itself cannot be installed next to numpy 2. Both use the same partitions (row i of
default_rng(seed).random((permutations, n)) puts the |X| words with the smallest keys on the X side,
the scheme app.bias.weat documents, in blocks of bounded size), so the p-values should match exactly.

    .venv/bin/python bench/weat_permutations.py [--test 1] [--permutations 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import report_result  # noqa: E402

from app.bias.presets import load_weat_tests  # noqa: E402
from app.bias.weat import run_weat_test  # noqa: E402
from app.bias.words import resolve_words  # noqa: E402
from app.io.samples import load_glove  # noqa: E402


def naive_weat(vectors: dict[str, np.ndarray], x, y, a, b, permutations: int, seed: int) -> tuple[float, float]:
    """(effect size, p-value) with one Python loop over permutations, nothing cached between them."""

    def cosines(word: str, others: list[str]) -> np.ndarray:
        w = vectors[word]
        matrix = np.array([vectors[o] for o in others])
        return matrix @ w / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(w))

    def s(word: str) -> float:
        return float(np.mean(cosines(word, a)) - np.mean(cosines(word, b)))

    def statistic(side_x: list[str], side_y: list[str]) -> float:
        return sum(s(w) for w in side_x) - sum(s(w) for w in side_y)

    observed = statistic(x, y)
    associations = [s(w) for w in x + y]
    effect = (np.mean(associations[: len(x)]) - np.mean(associations[len(x) :])) / np.std(associations, ddof=1)
    targets = x + y
    keys = np.random.default_rng(seed).random((permutations, len(targets)))
    hits = 0
    for row in keys:
        order = np.argsort(row)
        side_x = [targets[i] for i in order[: len(x)]]
        side_y = [targets[i] for i in order[len(x) :]]
        hits += statistic(side_x, side_y) >= observed
    return float(effect), hits / permutations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test", type=int, default=1, help="Caliskan et al.'s test number, 1-10")
    parser.add_argument("--permutations", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=100_000, help="most frequent GloVe words to load")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs of app.bias.weat.weat; the median is reported")
    args = parser.parse_args()
    space = load_glove(args.words)
    test = load_weat_tests()[args.test - 1]

    def ours():
        return run_weat_test(space, test, permutations=args.permutations, seed=args.seed)

    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = ours()
        times.append(time.perf_counter() - start)
    ours_s = statistics.median(times)
    if result.exact:
        sys.exit(f"{test.name} has only {result.permutations_used} partitions: exact test, nothing to sample")

    x, y = (result.scores.loc[result.scores["role"] == r, "word"].tolist() for r in ("X", "Y"))
    a, b = (resolve_words(space, ws)[0] for ws in (test.a.words, test.b.words))
    vectors = {w: space.vectors[space.index(w)].astype(np.float64) for w in x + y + a + b}
    start = time.perf_counter()
    naive_effect, naive_p = naive_weat(vectors, x, y, a, b, args.permutations, args.seed)
    naive_s = time.perf_counter() - start

    print(f"space: {space.name}; {test.name}; |X|={len(x)} |Y|={len(y)} |A|={len(a)} |B|={len(b)}")
    print(f"missing words: {', '.join(w for ws in result.missing.values() for w in ws) or 'none'}")
    print(f"permutations: {args.permutations:,} (sampled, seed {args.seed})")
    print(f"app.bias.weat.weat:     {ours_s:8.3f} s (median of {args.repeat})")
    print(f"naive Python loop:      {naive_s:8.3f} s")
    print(f"ratio (naive / ours):   {naive_s / ours_s:8.0f}x faster")
    print(f"effect size: ours {result.effect_size:.6f}, naive {naive_effect:.6f}")
    print(f"p-value ({result.alternative}): ours {result.p_value:.6f}, naive {naive_p:.6f}")
    same = abs(result.p_value - naive_p) <= 1e-12 and abs(result.effect_size - naive_effect) <= 1e-5
    report_result(
        f"{test.name}, {args.permutations:,} permutations",
        f"{ours_s:.3f} s",
        f"naive Python loop (as WEFE): {naive_s:.3f} s",
        f"{naive_s / ours_s:.0f}x faster",
        f"effect size {result.effect_size:.4f}, p {result.p_value:.4f}; same as the naive loop: {same}",
        ok=same,
    )
    if not same:
        sys.exit("MISMATCH between app.bias.weat.weat and the naive reference")


if __name__ == "__main__":
    main()
