"""2D/3D projections of a space: PCA, t-SNE (openTSNE) and UMAP (umap-learn), one registry.

Each method is a function ``(matrix, n_components, seed, metric, progress, **params) -> coords``
plus its defaults and a time model; adding a method is one function and one registry entry.
Heavy libraries are imported inside the function that needs them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.errors import InputError, Progress
from app.geometry import knn
from app.projection.tsne_run import run_tsne
from app.projection.umap_run import run_umap
from app.runtime import timing
from app.runtime.timing import Estimate
from app.space import EmbeddingSpace


@dataclass(frozen=True)
class Projection:
    """Coordinates (n x k float32) for the rows of a space, and how they were made."""

    coords: np.ndarray
    method: str
    n_components: int
    params: dict[str, Any]
    seconds: float
    explained_variance: tuple[float, ...] | None = None
    notes: tuple[str, ...] = ()
    iterations: int | None = None
    """Optimisation iterations run (t-SNE: fewer than 750 when its stop rule ended the run early)."""


@dataclass(frozen=True)
class Method:
    """A projection method: its function, default parameters and a rough time model."""

    label: str
    run: Callable[..., tuple[np.ndarray, dict[str, Any]]]
    defaults: dict[str, Any]
    seconds_per_point: float
    overhead_seconds: float
    min_points: int = 3
    max_points: int = 100_000
    about: str = ""
    param_help: dict[str, str] = field(default_factory=dict)
    switches: dict[str, bool] = field(default_factory=dict)
    """On/off options the method accepts (their defaults); recorded in the params only when given."""
    cheaper_past: tuple[int, float] | None = None
    """(points, seconds per point): each point past ``points`` costs that instead of ``seconds_per_point``."""

    def modelled_seconds(self, n_points: int, dim: int) -> float:
        """The method's own time model (measured on a 2-core machine), before this machine's timings."""
        if self.cheaper_past is None:
            seconds = self.seconds_per_point * n_points
        else:
            past, rate = self.cheaper_past
            seconds = self.seconds_per_point * min(n_points, past) + rate * max(0, n_points - past)
        return self.overhead_seconds + seconds * max(1.0, dim / 50) ** 0.5

    @property
    def timing_kind(self) -> str:
        """What this machine's timings of it are filed under (``app.runtime.timing``)."""
        return f"projection {self.label}"

    def estimate(self, n_points: int, dim: int) -> Estimate:
        """Wall time on this machine: the model scaled by the runs timed here (see ``app.runtime.timing``)."""
        return timing.estimate(self.timing_kind, self.modelled_seconds(n_points, dim))

    def estimate_seconds(self, n_points: int, dim: int) -> float:
        """``estimate(...).seconds``: the figure shown before a run."""
        return self.estimate(n_points, dim).seconds


def _prepare(matrix: np.ndarray, metric: str) -> np.ndarray:
    if metric == "cosine":
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return matrix


def _pca(matrix: np.ndarray, k: int, seed: int, metric: str, progress: Progress, **_: Any):
    from sklearn.decomposition import PCA

    progress(0.1, "computing principal components")
    model = PCA(n_components=k, random_state=seed, svd_solver="full" if matrix.shape[1] <= 1000 else "randomized")
    coords = model.fit_transform(_prepare(matrix, metric))
    return coords, {"explained_variance": tuple(float(v) for v in model.explained_variance_ratio_)}


METHODS: dict[str, Method] = {
    "pca": Method(
        "PCA",
        _pca,
        {},
        seconds_per_point=2e-6,
        overhead_seconds=0.05,
        min_points=2,
        max_points=1_000_000,  # Explore draws up to a million points (the WebGL scatter)
        about="Linear: the directions of greatest spread. Fast, faithful to large distances, crowds clusters.",
    ),
    "tsne": Method(
        "t-SNE",
        run_tsne,
        {"perplexity": 30.0},
        seconds_per_point=3e-3,
        overhead_seconds=1.0,
        # from 5,000 points the main phase stops once converged (app.projection.tsne_stop), and from
        # 10,000 (2-D) the FFT gradient's cost grows with the picture's span rather than its points
        cheaper_past=(5_000, 1e-3),
        min_points=5,
        max_points=30_000,
        about="Keeps local neighbourhoods; distances between clusters and cluster sizes mean little.",
        param_help={"perplexity": "roughly how many neighbours each point pays attention to (5-50)"},
    ),
    "umap": Method(
        "UMAP",
        run_umap,
        {"n_neighbors": 15, "min_dist": 0.1},
        seconds_per_point=5e-4,
        overhead_seconds=2.0,
        min_points=5,
        max_points=1_000_000,  # past app.projection.large.FIT_POINTS: fitted on a sample, the rest placed
        about="Keeps local neighbourhoods and more of the global layout than t-SNE; faster on large sets.",
        param_help={
            "n_neighbors": "how local the picture is: small values show fine detail, large ones the big shape",
            "min_dist": "how tightly points may pack (0 = clumps, 1 = evenly spread)",
            "reproducible": "seeded: the same picture every time; off: a new random layout each run (as fast)",
        },
        switches={"reproducible": True},
    ),
}


def project(
    space: EmbeddingSpace,
    method: str = "pca",
    n_components: int = 2,
    *,
    seed: int = 0,
    metric: str = "cosine",
    progress: Progress | None = None,
    record_timing: bool = True,
    **params: Any,
) -> Projection:
    """Project every row of ``space`` to 2 or 3 dimensions; same seed, same coordinates.

    ``record_timing``: add this run's time to this machine's timings (``app.runtime.timing``).
    """
    if method not in METHODS:
        raise InputError(f"unknown projection method {method!r}; choose one of: {', '.join(METHODS)}")
    if n_components not in (2, 3):
        raise InputError("a projection has 2 or 3 components")
    if metric not in ("cosine", "euclidean"):
        raise InputError(f"unknown metric {metric!r}; choose cosine or euclidean")
    spec = METHODS[method]
    unknown = set(params) - set(spec.defaults) - set(spec.switches)
    if unknown:
        raise InputError(f"{spec.label} has no parameter {', '.join(sorted(unknown))}")
    for name in set(params) & set(spec.switches):
        if not isinstance(params[name], bool | np.bool_):
            raise InputError(f"{spec.label}'s {name} is on or off (True or False), not {params[name]!r}")
    if len(space) > spec.max_points:
        raise InputError(
            f"{spec.label} is limited to {spec.max_points:,} points here ({len(space):,} chosen); "
            "choose fewer points or another method"
        )
    if len(space) < spec.min_points:
        raise InputError(f"{spec.label} needs at least {spec.min_points} points; this selection has {len(space)}")
    if method == "pca" and space.dim < n_components:
        raise InputError(f"PCA to {n_components} dimensions needs vectors with at least {n_components} numbers")
    if method == "pca" and len(space) < n_components:
        raise InputError(
            f"PCA to {n_components} dimensions needs at least {n_components} points; this selection has {len(space)}"
        )
    used = {**spec.defaults, **params}
    notes = _fit_params_to_size(method, used, len(space))
    from app.projection import large  # imports this module: a lazy import breaks the cycle

    if large.needs_sample(method, len(space), fit_points=large.FIT_POINTS):
        return large.project_large(
            space,
            method,
            n_components,
            seed=seed,
            metric=metric,
            progress=progress,
            fit_points=large.FIT_POINTS,
            fitter=large.umap_fitter,
            **used,
        )
    report: Progress = progress or (lambda fraction, message, /, **_: None)
    start = time.perf_counter()
    coords, extra = spec.run(np.asarray(space.vectors), n_components, seed, metric, report, **used)
    if used.get("reproducible") is False:
        notes.append(f"unseeded: a new random layout (ran on {extra.get('threads', 1)} thread(s)); it changes each run")
    notes.extend(extra.get("notes", ()))
    coords = np.asarray(coords, dtype=np.float32)
    if not np.isfinite(coords).all():
        raise InputError(f"{spec.label} produced invalid coordinates; try another method or fewer duplicate points")
    report(1.0, "done")
    seconds = time.perf_counter() - start
    if record_timing:
        timing.record(spec.timing_kind, spec.modelled_seconds(len(space), space.dim), seconds)
    return Projection(
        coords=coords,
        method=method,
        n_components=n_components,
        params={**used, "metric": metric, "seed": seed},
        seconds=seconds,
        explained_variance=extra.get("explained_variance"),
        notes=tuple(notes),
        iterations=extra.get("iterations"),
    )


def _fit_params_to_size(method: str, params: dict[str, Any], n: int) -> list[str]:
    """Lower neighbourhood sizes that small selections cannot support, and say so."""
    notes = []
    try:
        for name, cast in (("perplexity", float), ("n_neighbors", int), ("min_dist", float)):
            if name in params:
                params[name] = cast(params[name])
    except (TypeError, ValueError):
        raise InputError(f"projection parameters must be numbers, got {params}") from None
    if method == "tsne":
        if not 1 <= params["perplexity"] <= 200:
            raise InputError("perplexity must be between 1 and 200")
        largest = max(1.0, (n - 1) / 3)
        if params["perplexity"] > largest:
            notes.append(f"perplexity lowered from {params['perplexity']:g} to {largest:.1f} for {n} points")
            params["perplexity"] = largest
    if method == "umap":
        if not 2 <= params["n_neighbors"] <= 200:
            raise InputError("n_neighbors must be between 2 and 200")
        if not 0 <= params["min_dist"] <= 1:
            raise InputError("min_dist must be between 0 and 1")
        if params["n_neighbors"] >= n:
            notes.append(f"n_neighbors lowered from {params['n_neighbors']} to {n - 1} for {n} points")
            params["n_neighbors"] = n - 1
    return notes


_warm_up_lock = threading.Lock()
_warm_up_thread: threading.Thread | None = None


def warm_up_umap_in_background() -> threading.Thread:
    """Start the UMAP warm-up once per process (later calls return the same thread)."""
    global _warm_up_thread
    with _warm_up_lock:
        if _warm_up_thread is None:
            _warm_up_thread = threading.Thread(target=_warm_up_quietly, name="umap-warm-up", daemon=True)
            _warm_up_thread.start()
        return _warm_up_thread


def _warm_up_quietly() -> None:
    from app.runtime.kernels import enable_disk_cache

    log = logging.getLogger("embedding_lab")
    try:
        enable_disk_cache()  # a server that runs UMAP in its own process loads the kernels from disk, too
        log.info("UMAP warm-up finished in %.1f s", warm_up_umap())
    except Exception:  # a failed warm-up only means a slower first run
        log.exception("UMAP warm-up failed")


def warm_up_umap(*, large: bool = True, say: Callable[[str], None] = lambda _: None) -> float:
    """Run small UMAPs so numba compiles (or loads from its disk cache) its kernels now, not during
    a student's first run; returns the seconds it took.

    Every size takes the same path (our exact neighbour graph, umap-learn's fuzzy graph, our
    spectral start and parallel layout, ``app.projection.umap_layout``), so a few hundred points
    compile it all: both metrics, 2-D and 3-D; ``large`` also runs the unseeded switch.
    """
    start = time.perf_counter()
    knn.warm_up()  # the graph's kernels, identical points included (UMAP's toy data has none)
    rng = np.random.default_rng(0)
    runs = [(300, "cosine", 2, True), (300, "euclidean", 3, True)]
    if large:
        runs += [(300, "cosine", 2, False)]
    for n, metric, components, reproducible in runs:
        began = time.perf_counter()
        data = rng.normal(size=(n, 16)).astype(np.float32)
        switch: dict[str, Any] = {} if reproducible else {"reproducible": False}
        project(_toy_space(data), "umap", components, metric=metric, n_neighbors=10, record_timing=False, **switch)
        kind = "seeded" if reproducible else "unseeded"
        say(f"UMAP of {n:,} points ({metric}, {components}D, {kind}) compiled in {time.perf_counter() - began:.1f} s")
    return time.perf_counter() - start


def _toy_space(data: np.ndarray) -> EmbeddingSpace:
    return EmbeddingSpace("warm-up", [f"w{i}" for i in range(len(data))], data)
