"""UMAP's spectral starting layout, computed the fast way round.

umap-learn starts its layout from the eigenvectors of the graph's normalised Laplacian
``L = I - D^-1/2 A D^-1/2`` with the smallest eigenvalues (after the trivial one), asking ARPACK for
them with ``which="SM"`` after a truncated SVD for a first guess: seconds on 50,000 points. The same
vectors are the eigenvectors of ``M = D^-1/2 A D^-1/2`` with the *largest* eigenvalues (``1 - λ``),
which Lanczos finds in a few hundred milliseconds (``which="LA"``, same tolerance). A graph in
several pieces, or a solver that does not converge, goes to umap-learn's own function, which lays
the pieces out apart (or falls back to a random start) as UMAP does.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
import scipy.sparse.csgraph
import scipy.sparse.linalg

TOLERANCE = 1e-4  # umap-learn's for its eigensolver
DENSE_BELOW = 200  # points: a dense eigendecomposition is quicker and always converges
MAX_COORD, NOISE = 10.0, 1e-4  # umap-learn's scaling of the start, and its jitter


def spectral_start(
    graph: scipy.sparse.spmatrix,
    n_components: int,
    *,
    data: np.ndarray,
    metric: str,
    seed: int,
) -> np.ndarray:
    """Starting coordinates (points x n_components, float32, each axis spanning 0..10) for UMAP's layout.

    ``data`` and ``metric`` are only used when the graph falls apart into several pieces.
    """
    rng = np.random.default_rng(seed)
    vectors = _leading_eigenvectors(graph, n_components, rng)
    if vectors is None:
        from umap.spectral import spectral_layout

        vectors = spectral_layout(
            data, graph, n_components, np.random.RandomState(seed % 2**32), metric=metric, metric_kwds={}
        )
    scaled = vectors * (MAX_COORD / np.abs(vectors).max()) + rng.normal(scale=NOISE, size=vectors.shape)
    low, high = scaled.min(axis=0), scaled.max(axis=0)
    return np.ascontiguousarray(MAX_COORD * (scaled - low) / (high - low), dtype=np.float32)


def _leading_eigenvectors(
    graph: scipy.sparse.spmatrix, n_components: int, rng: np.random.Generator
) -> np.ndarray | None:
    """The ``n_components`` eigenvectors of D^-1/2 A D^-1/2 after the trivial one, largest first;
    None for a graph in several pieces or when the solver does not converge.

    Lanczos starts from a random vector: umap-learn's all-ones start cannot see eigenvectors that
    change sign under a symmetry of the graph (a grid's), as it is symmetric itself."""
    n = graph.shape[0]
    pieces, _ = scipy.sparse.csgraph.connected_components(graph)
    if pieces > 1 or n <= n_components + 1:
        return None
    degree = np.asarray(graph.sum(axis=0), dtype=np.float64).ravel()
    scale = scipy.sparse.diags(1.0 / np.sqrt(degree))
    normalised = (scale @ scipy.sparse.csr_matrix(graph, dtype=np.float64) @ scale).tocsr()
    wanted = n_components + 1
    if n < DENSE_BELOW:
        values, vectors = np.linalg.eigh(normalised.toarray())
    else:
        try:
            values, vectors = scipy.sparse.linalg.eigsh(
                normalised, wanted, which="LA", tol=TOLERANCE, v0=rng.normal(size=n), maxiter=5 * n
            )
        except scipy.sparse.linalg.ArpackError:
            return None
    order = np.argsort(values)[::-1][1:wanted]
    return np.asarray(vectors[:, order])
