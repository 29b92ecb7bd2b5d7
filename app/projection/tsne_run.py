"""t-SNE with openTSNE, on our exact neighbour graph, with previews of the layout.

openTSNE builds an approximate neighbour index (Annoy) before its affinities; we hand it the exact
graph instead (``app.geometry.knn``, through ``openTSNE.nearest_neighbors.PrecomputedNeighbors``)
and keep everything else as ``openTSNE.TSNE`` does: the same perplexity-based affinities
(``MultiscaleMixture`` with one perplexity, symmetrised), the PCA start, 250 + 500 iterations.
Cosine distances are given as Annoy measures them (the euclidean distance of unit vectors).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.errors import Progress
from app.geometry.knn import neighbour_graph
from app.projection.previews import Previews

# One thread per job: the job runner already runs one job per core, and openTSNE with more threads
# than free cores was 10-40x slower on a loaded 2-core server.
THREADS = 1
EVERY, TOTAL = 50, 750  # openTSNE's defaults: 250 early-exaggeration + 500 main iterations
GRAPH_SHARE = 0.15


def run_tsne(
    matrix: np.ndarray, n_components: int, seed: int, metric: str, progress: Progress, *, perplexity: float, **_: Any
) -> tuple[np.ndarray, dict[str, Any]]:
    """t-SNE coordinates (n x n_components) of the rows of ``matrix``; previews through ``progress``."""
    from openTSNE import TSNE
    from openTSNE.affinity import MultiscaleMixture
    from openTSNE.nearest_neighbors import PrecomputedNeighbors

    data = np.asarray(matrix, dtype=np.float64)
    n = len(data)
    k = min(n - 1, int(3 * perplexity))  # openTSNE's own choice of k
    progress(0.02, "finding each point's nearest neighbours (exact)")
    graph = neighbour_graph(
        matrix,
        k,
        metric=metric,
        progress=lambda fraction, message, /, **_: progress(0.02 + GRAPH_SHARE * fraction, message),
    )
    distances = graph.distances.astype(np.float64)
    if metric == "cosine":  # 1 - cos -> |u - v| of unit vectors, Annoy's "angular" distance
        distances = np.sqrt(2.0 * distances)
    progress(0.02 + GRAPH_SHARE, "t-SNE affinities from the neighbours")
    affinities = MultiscaleMixture(
        perplexities=perplexity,
        knn_index=PrecomputedNeighbors(graph.indices.astype(np.int64), distances),
        symmetrize=True,
        n_jobs=THREADS,
    )
    previews = Previews(progress)
    calls = [0]

    def callback(iteration: int, error: float, embedding: np.ndarray) -> bool:
        calls[0] += 1
        done = min(TOTAL, calls[0] * EVERY)
        fraction = 0.05 + GRAPH_SHARE + (0.94 - GRAPH_SHARE) * done / TOTAL
        previews.report(fraction, f"t-SNE optimisation, iteration {done} of {TOTAL}", embedding)
        return False

    model = TSNE(
        n_components=n_components,
        perplexity=perplexity,
        metric=metric,
        initialization="pca",
        random_state=seed,
        n_jobs=THREADS,
        negative_gradient_method="auto" if n_components <= 2 else "bh",  # auto: BH below 10k points, FFT above
        callbacks=callback,
        callbacks_every_iters=EVERY,
    )
    return np.asarray(model.fit(data, affinities=affinities)), {"previews": previews.sent}
