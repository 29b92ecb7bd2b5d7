"""Time a 2D cosine UMAP of the 50,000 most frequent GloVe words: umap-learn directly vs our project().

numba is warmed up first on both paths (warm_up_umap() and a small direct umap.UMAP fit), so
neither side pays for compilation. Same parameters on both sides (n_neighbors=15, min_dist=0.1,
random_state=0); the ratio ours / umap-learn is the overhead of our wrapper (progress
reporting through tqdm, checks). With a fixed seed umap-learn is deterministic, so both must give
the same coordinates, and our run must report progress and end with "done".

    .venv/bin/python bench/umap_50k.py [--points 50000]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import report_result  # noqa: E402

from app.io.samples import load_glove  # noqa: E402
from app.projection.methods import project, warm_up_umap  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=50_000, help="most frequent GloVe words to project")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # umap-learn's n_jobs / random_state notice
    import umap

    space = load_glove(args.points)
    vectors = np.asarray(space.vectors)
    settings = {"n_components": 2, "n_neighbors": 15, "min_dist": 0.1, "metric": "cosine", "random_state": 0}

    start = time.perf_counter()
    warm_up_umap()
    umap.UMAP(**settings).fit_transform(vectors[:5000])
    print(f"numba warm-up: {time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    theirs = umap.UMAP(**settings).fit_transform(vectors)
    umap_s = time.perf_counter() - start

    calls: list[tuple[float, str]] = []
    start = time.perf_counter()
    ours = project(space, "umap", 2, seed=0, metric="cosine", progress=lambda f, m: calls.append((f, m)))
    ours_s = time.perf_counter() - start

    print(f"points: {len(space):,} x {space.dim}, cosine, n_neighbors=15, min_dist=0.1, seed 0")
    print(f"umap-learn UMAP.fit_transform: {umap_s:6.1f} s")
    print(f"embedding-lab project('umap'): {ours_s:6.1f} s (Projection.seconds {ours.seconds:.1f})")
    print(f"ratio (ours / umap-learn): {ours_s / umap_s:.2f}")
    last = f"{calls[-1][0]:.2f} {calls[-1][1]!r}" if calls else "none"
    print(f"progress callbacks: {len(calls)}, last: {last}")
    epochs = sum("epoch" in message for _, message in calls)
    print(f"progress reported: {bool(calls)} ({epochs} layout-epoch updates)")
    same_shape = ours.coords.shape == theirs.shape == (len(space), 2)
    finite = bool(np.isfinite(ours.coords).all())
    same = same_shape and np.allclose(ours.coords, theirs, atol=1e-4)
    print(f"coords: shape {ours.coords.shape}, finite {finite}, same as umap-learn's: {same}")
    complete = bool(same and finite and calls and calls[-1] == (1.0, "done"))
    report_result(
        f"UMAP 2D, cosine, of {len(space):,} GloVe words (numba warmed up)",
        f"{ours_s:.1f} s",
        f"umap-learn fit_transform: {umap_s:.1f} s",
        f"{ours_s / umap_s:.2f} (ours / umap-learn)",
        f"same coordinates: {same}; progress callbacks {len(calls)}, last {last}",
        ok=complete,
    )
    if not complete:
        sys.exit("MISMATCH: coordinates differ from umap-learn's, or progress was not reported to the end")


if __name__ == "__main__":
    main()
