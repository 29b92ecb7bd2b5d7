"""Time a 2D cosine t-SNE of the 20,000 most frequent GloVe words: openTSNE alone vs our project().

Ours computes the exact neighbour graph once (app.geometry.knn) and gives it to openTSNE's own
affinities (app.projection.tsne_run); openTSNE alone searches neighbours with Annoy. Same settings
on both sides (perplexity 30, PCA start, random_state=0, one thread, openTSNE's gradient and its
schedule of 250 early-exaggeration + 500 main iterations). Ours drives openTSNE differently in two
ways: the KL divergence is computed only where our stop rule reads it (openTSNE computes it on
every callback iteration), and the main phase stops once the KL divergence improves by less than
1.5% over 50 iterations (app.projection.tsne_stop); the iterations run are printed. The neighbours
differ (exact against approximate) and ours may stop early, so the pictures differ: quality is
compared by scikit-learn's trustworthiness on the same 2,000-word sample, which must be within 0.01
of openTSNE's. The kNN graph's own time and our stages' times are printed too. Target: ours <= 0.7x.

    .venv/bin/python bench/tsne_20k.py [--points 20000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import report_result, trustworthiness_on_sample  # noqa: E402

from app.geometry.knn import GRAPHS, knn_graph  # noqa: E402
from app.io.samples import load_glove  # noqa: E402
from app.projection.methods import project  # noqa: E402
from app.projection.tsne_run import EARLY, THREADS, TOTAL  # noqa: E402

TARGET = 0.7
TRUST_TOLERANCE = 0.01


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20_000, help="most frequent GloVe words to project")
    args = parser.parse_args()
    from openTSNE import TSNE

    space = load_glove(args.points)
    vectors = np.asarray(space.vectors)
    knn_graph(vectors[:500], 5)  # compile (or load) our kernels

    start = time.perf_counter()
    theirs = TSNE(
        n_components=2, perplexity=30, metric="cosine", initialization="pca", random_state=0, n_jobs=THREADS
    ).fit(vectors.astype(np.float64))
    opentsne_s = time.perf_counter() - start

    GRAPHS.clear()
    calls: list[tuple[float, str, bool]] = []
    stamps: list[tuple[float, str]] = []

    def progress(fraction: float, message: str, /, **detail: object) -> None:
        calls.append((fraction, message, "layout" in detail))
        stamps.append((time.perf_counter() - start, message))

    start = time.perf_counter()
    ours = project(
        space,
        "tsne",
        2,
        seed=0,
        metric="cosine",
        progress=progress,
        record_timing=False,
        perplexity=30,
    )
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    knn_graph(vectors, 90, metric="cosine")
    knn_s = time.perf_counter() - start

    trust_ours, trust_theirs = trustworthiness_on_sample(vectors, [ours.coords, np.asarray(theirs)])
    previews = sum(layout for _, _, layout in calls)
    print(f"points: {len(space):,} x {space.dim}, cosine, perplexity 30, seed 0, {THREADS} thread")
    print(f"openTSNE TSNE.fit: {opentsne_s:6.1f} s")
    print(f"embedding-lab project('tsne'): {ours_s:6.1f} s (of it the exact kNN graph, k = 90: {knn_s:.1f} s)")
    print(f"  of it: {stage_times(stamps, ours_s)}")
    print(f"  iterations run: {ours.iterations} of {TOTAL}" + (f" ({ours.notes[-1]})" if ours.notes else ""))
    print(f"ratio (ours / openTSNE): {ours_s / opentsne_s:.2f} (target <= {TARGET})")
    print(f"trustworthiness (2,000-word sample): ours {trust_ours:.4f}, openTSNE {trust_theirs:.4f}")
    print(f"progress callbacks: {len(calls)}, layout previews: {previews}")
    finite = bool(np.isfinite(ours.coords).all()) and ours.coords.shape == (len(space), 2)
    faithful = trust_ours >= trust_theirs - TRUST_TOLERANCE
    complete = bool(finite and faithful and calls and calls[-1][:2] == (1.0, "done"))
    report_result(
        f"t-SNE 2D, cosine, seeded, of {len(space):,} GloVe words",
        f"{ours_s:.1f} s (kNN graph {knn_s:.1f} s; {ours.iterations} of {TOTAL} iterations)",
        f"openTSNE fit: {opentsne_s:.1f} s",
        f"{ours_s / opentsne_s:.2f} (ours / openTSNE; target <= {TARGET})",
        f"trustworthiness ours {trust_ours:.4f} vs openTSNE {trust_theirs:.4f} (within {TRUST_TOLERANCE}: "
        f"{faithful}); layout previews {previews}",
        ok=complete,
    )
    if not complete:
        sys.exit("MISMATCH: trustworthiness more than 0.01 below openTSNE's, or progress not reported to the end")


def stage_times(stamps: list[tuple[float, str]], total: float) -> str:
    """Seconds from the start to the affinities, to the first iteration, through early exaggeration, to the end."""

    def first(test: Callable[[str], bool]) -> float:
        return next((at for at, message in stamps if test(message)), total)

    affinities = first(lambda m: "affinities" in m)
    optimisation = first(lambda m: "iteration" in m)
    main = first(lambda m: "iteration" in m and int(m.split("iteration ")[1].split()[0]) > EARLY)
    return (
        f"neighbours {affinities:.1f} s, affinities + PCA start {optimisation - affinities:.1f} s, "
        f"early exaggeration ~{main - optimisation:.1f} s, main phase ~{total - main:.1f} s"
    )


if __name__ == "__main__":
    main()
