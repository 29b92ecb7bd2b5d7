"""Time a 2D cosine UMAP of the 50,000 most frequent GloVe words: umap-learn alone vs our project().

Ours computes the exact neighbour graph once (app.geometry.knn), umap-learn's fuzzy graph on it, our
spectral start (app.projection.spectral: the same eigenvectors, found as the largest of
D^-1/2 A D^-1/2) and our own layout (app.projection.umap_layout: umap-learn's optimisation, on
every core, the same picture for a seed on every run and any core count); umap-learn alone
searches neighbours with pynndescent and, seeded, lays out on one core. numba is warmed up first
on both paths, so neither side pays for compilation. Same parameters on both sides
(n_neighbors=15, min_dist=0.1, random_state=0, seeded). The neighbours and the layout's random
draws differ, so the pictures differ: quality is compared by scikit-learn's trustworthiness on the
same 2,000-word sample, which must be within 0.01 of umap-learn's. Also printed: our stages (kNN
graph, spectral start, layout, from the progress messages) and our unseeded run. Target: ours <= 0.6x.

    .venv/bin/python bench/umap_50k.py [--points 50000] [--no-unseeded] [--save layouts.npz]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import report_result, trustworthiness_on_sample  # noqa: E402

from app.geometry.knn import GRAPHS, knn_graph  # noqa: E402
from app.io.samples import load_glove  # noqa: E402
from app.projection.methods import project, warm_up_umap  # noqa: E402

TARGET = 0.6
TRUST_TOLERANCE = 0.01


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=50_000, help="most frequent GloVe words to project")
    parser.add_argument("--no-unseeded", action="store_true", help="skip our unseeded (parallel) run")
    parser.add_argument("--save", type=Path, help="save both layouts here (.npz: ours, theirs) to look at")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # umap-learn's n_jobs / random_state notice
    import umap

    space = load_glove(args.points)
    vectors = np.asarray(space.vectors)
    settings = {"n_components": 2, "n_neighbors": 15, "min_dist": 0.1, "metric": "cosine", "random_state": 0}

    start = time.perf_counter()
    warm_up_umap()
    umap.UMAP(**settings).fit_transform(vectors[:5000])  # pynndescent's per-process kernels
    print(f"numba warm-up: {time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    theirs = umap.UMAP(**settings).fit_transform(vectors)
    umap_s = time.perf_counter() - start

    GRAPHS.clear()
    start_of_ours = time.perf_counter()
    calls: list[tuple[float, str, bool, float]] = []
    start = time.perf_counter()
    ours = project(
        space,
        "umap",
        2,
        seed=0,
        metric="cosine",
        progress=lambda f, m, /, **d: calls.append((f, m, "layout" in d, time.perf_counter())),
        record_timing=False,
    )
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    knn_graph(vectors, 14, metric="cosine")
    knn_s = time.perf_counter() - start
    unseeded_s = None
    if not args.no_unseeded:
        start = time.perf_counter()
        project(space, "umap", 2, metric="cosine", reproducible=False, record_timing=False)
        unseeded_s = time.perf_counter() - start

    if args.save:
        np.savez(args.save, ours=ours.coords, theirs=theirs)
    trust_ours, trust_theirs = trustworthiness_on_sample(vectors, [ours.coords, theirs])
    previews = sum(layout for _, _, layout, _ in calls)
    stages = _stage_seconds(calls, start_of_ours)
    print(f"points: {len(space):,} x {space.dim}, cosine, n_neighbors=15, min_dist=0.1, seed 0")
    print(f"umap-learn UMAP.fit_transform: {umap_s:6.1f} s")
    print(f"embedding-lab project('umap'): {ours_s:6.1f} s (of it the exact kNN graph: {knn_s:.1f} s)")
    print("  stages: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in stages.items()))
    if unseeded_s is not None:
        print(f"embedding-lab unseeded (parallel): {unseeded_s:6.1f} s")
    print(f"ratio (ours / umap-learn): {ours_s / umap_s:.2f} (target <= {TARGET})")
    print(f"trustworthiness (2,000-word sample): ours {trust_ours:.4f}, umap-learn {trust_theirs:.4f}")
    print(f"progress callbacks: {len(calls)}, layout previews: {previews}, last {calls[-1][:2] if calls else None}")
    finite = bool(np.isfinite(ours.coords).all()) and ours.coords.shape == (len(space), 2)
    faithful = trust_ours >= trust_theirs - TRUST_TOLERANCE
    complete = bool(finite and faithful and calls and calls[-1][:2] == (1.0, "done"))
    unseeded_note = f"; unseeded (parallel) {unseeded_s:.1f} s" if unseeded_s is not None else ""
    report_result(
        f"UMAP 2D, cosine, seeded, of {len(space):,} GloVe words (numba warmed up)",
        f"{ours_s:.1f} s (kNN graph {knn_s:.1f} s)",
        f"umap-learn fit_transform: {umap_s:.1f} s",
        f"{ours_s / umap_s:.2f} (ours / umap-learn; target <= {TARGET})",
        f"trustworthiness ours {trust_ours:.4f} vs umap-learn {trust_theirs:.4f} (within {TRUST_TOLERANCE}: "
        f"{faithful}); layout previews {previews}{unseeded_note}; stages "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in stages.items()),
        ok=complete,
    )
    if not complete:
        sys.exit("MISMATCH: trustworthiness more than 0.01 below umap-learn's, or progress not reported to the end")


def _stage_seconds(calls: list[tuple[float, str, bool, float]], began: float) -> dict[str, float]:
    """Seconds from the first progress message of each stage to the next stage's (ours)."""
    marks = {"kNN + fuzzy graph": "nearest neighbours", "spectral start": "spectral", "layout": "UMAP layout"}
    starts = {name: next((t for _, m, _, t in calls if words in m), began) for name, words in marks.items()}
    ends = [*list(starts.values())[1:], calls[-1][3] if calls else began]
    return {name: end - first for (name, first), end in zip(starts.items(), ends, strict=True)}


if __name__ == "__main__":
    main()
