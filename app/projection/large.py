"""Layouts larger than a neighbour-graph method fits at once: fit on an even random sample, then
place every other point with the fitted model's ``transform`` (UMAP can; t-SNE is capped lower).

The fitting itself goes through a ``Fitter`` (fit a sample, return its coordinates and a
``transform`` for the rest), so whoever owns the UMAP runner (app/projection/methods.py) can hand
its own fitted model in; ``umap_fitter`` is a plain umap-learn one with the same parameters.
Every point's coordinates come back in the space's own row order, with a note the page shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from app.errors import InputError, Progress
from app.projection.methods import METHODS, Projection
from app.space import EmbeddingSpace

FIT_POINTS = 200_000  # UMAP fits at most this many points; the rest are placed by transform
TRANSFORM_CHUNK = 50_000  # points placed per transform call, so progress moves and memory stays flat

Transform = Callable[[np.ndarray], np.ndarray]


class Fitter(Protocol):
    """Fit ``matrix`` (the sample) to ``n_components``; its coordinates and a transform for new rows."""

    def __call__(
        self, matrix: np.ndarray, n_components: int, *, seed: int, metric: str, progress: Progress, **params: Any
    ) -> tuple[np.ndarray, Transform]: ...


def umap_fitter(
    matrix: np.ndarray, n_components: int, *, seed: int, metric: str, progress: Progress, **params: Any
) -> tuple[np.ndarray, Transform]:
    """umap-learn on the sample, its fitted model's ``transform`` for the rest."""
    import warnings

    import umap

    used = {**METHODS["umap"].defaults, **params}
    progress(0.05, f"UMAP on a sample of {len(matrix):,} points")
    model = umap.UMAP(n_components=n_components, metric=metric, random_state=seed, **used)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coords = model.fit_transform(matrix)

    def transform(rows: np.ndarray) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(model.transform(rows))

    return np.asarray(coords), transform


def needs_sample(method: str, n_points: int, *, fit_points: int = FIT_POINTS) -> bool:
    """True when ``method`` on ``n_points`` should fit a sample and place the rest."""
    return method == "umap" and n_points > fit_points


def project_large(
    space: EmbeddingSpace,
    method: str = "umap",
    n_components: int = 2,
    *,
    seed: int = 0,
    metric: str = "cosine",
    progress: Progress | None = None,
    fit_points: int = FIT_POINTS,
    fitter: Fitter = umap_fitter,
    **params: Any,
) -> Projection:
    """Fit ``method`` on ``fit_points`` rows chosen at random (seeded), place the others with the
    fitted model's transform; the coordinates of every row of ``space``, in its order."""
    if method != "umap":
        raise InputError(f"only UMAP can place points it was not fitted on; {method!r} cannot")
    n = len(space)
    if n <= fit_points:
        raise InputError(f"{n:,} points fit at once; a sample is for more than {fit_points:,}")
    report = progress or (lambda fraction, message: None)
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    fitted_rows = np.sort(rng.choice(n, size=fit_points, replace=False))
    rest = np.setdiff1d(np.arange(n), fitted_rows, assume_unique=True)
    matrix = np.asarray(space.vectors)
    sample_coords, transform = fitter(
        matrix[fitted_rows],
        n_components,
        seed=seed,
        metric=metric,
        progress=lambda f, m, /, **_: report(0.6 * f, m),
        **params,
    )
    coords = np.empty((n, n_components), dtype=np.float32)
    coords[fitted_rows] = sample_coords
    for begin in range(0, len(rest), TRANSFORM_CHUNK):
        chunk = rest[begin : begin + TRANSFORM_CHUNK]
        report(0.6 + 0.4 * begin / len(rest), f"placing points {begin:,} to {begin + len(chunk):,} of {len(rest):,}")
        coords[chunk] = transform(matrix[chunk])
    if not np.isfinite(coords).all():
        raise InputError("UMAP placed some points at invalid coordinates; try fewer duplicate points")
    report(1.0, "done")
    note = (
        f"UMAP was fitted on a random {fit_points:,} of the {n:,} points; the other {len(rest):,} were placed "
        "by the fitted model (UMAP's transform), so they follow the sample's layout rather than shape it"
    )
    used = {**METHODS["umap"].defaults, **params}
    return Projection(
        coords=coords,
        method=method,
        n_components=n_components,
        params={**used, "metric": metric, "seed": seed, "fit_points": fit_points},
        seconds=time.perf_counter() - start,
        notes=(note,),
    )
