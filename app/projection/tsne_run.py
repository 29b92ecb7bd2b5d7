"""t-SNE with openTSNE, on our exact neighbour graph, with previews of the layout.

openTSNE builds an approximate neighbour index (Annoy) before its affinities; we hand it the exact
graph instead (``app.geometry.knn``, through ``openTSNE.nearest_neighbors.PrecomputedNeighbors``)
and keep everything else as ``openTSNE.TSNE`` does: the same perplexity-based affinities
(``MultiscaleMixture`` with one perplexity, symmetrised), the PCA start, the same gradient (FFT
from 10,000 points in 2-D, Barnes-Hut otherwise), 250 early-exaggeration iterations and up to 500
main ones. Cosine distances are given as Annoy measures them (the euclidean distance of unit vectors).

Two differences, both in how the run is driven, not in its steps:
- openTSNE computes the KL divergence on every iteration that calls a callback; we hand it its own
  gradient wrapped so that the divergence is computed only where our stop rule reads it, so a
  callback every ``EVERY`` iterations (progress, previews about once a second, Cancel) costs nothing.
- on large selections the main phase stops once the layout has converged (``tsne_stop``); the
  iterations run are returned (``iterations``) with a note saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from app.errors import Progress
from app.geometry.knn import neighbour_graph
from app.projection import tsne_stop
from app.projection.previews import Previews

# One thread per job: the job runner already runs one job per core, and openTSNE with more threads
# than free cores was 10-40x slower on a loaded 2-core server.
THREADS = 1
EARLY, TOTAL = 250, 750  # openTSNE's defaults: 250 early-exaggeration + 500 main iterations
EVERY = 10  # iterations between two callbacks (progress, previews, Cancel, the stop rule)
GRAPH_SHARE = 0.15
FFT_FROM_POINTS = 10_000  # openTSNE's "auto": the FFT gradient from this many points (2-D only)


class ErrorOnDemand:
    """openTSNE's gradient function, computing the KL divergence only when ``wanted`` is set.

    openTSNE asks for the divergence on every callback iteration (and after each phase); it is a
    second pass over the affinities, about a quarter of an iteration at 20,000 points.
    """

    def __init__(self, gradient: Callable[..., tuple[float, np.ndarray]]) -> None:
        self.gradient = gradient
        self.wanted = False
        self.evaluated = 0

    def __call__(self, embedding: np.ndarray, P: Any, **params: Any) -> tuple[float, np.ndarray]:  # noqa: N803
        params["should_eval_error"] = bool(params.get("should_eval_error")) and self.wanted
        self.evaluated += params["should_eval_error"]
        return self.gradient(embedding, P, **params)


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
    from openTSNE.tsne import kl_divergence_bh, kl_divergence_fft

    fft = n_components == 2 and n >= FFT_FROM_POINTS
    objective = ErrorOnDemand(kl_divergence_fft if fft else kl_divergence_bh)
    rule = tsne_stop.StopRule(active=n >= tsne_stop.FROM_POINTS)
    previews = Previews(progress)
    done = [0]

    def callback(iteration: int, error: float, embedding: np.ndarray) -> bool:
        done[0] += EVERY
        main = done[0] - EARLY
        stop = rule.checks_at(main) and rule.should_stop(error)
        objective.wanted = rule.checks_at(main + EVERY)  # the next callback's iteration
        fraction = 0.05 + GRAPH_SHARE + (0.94 - GRAPH_SHARE) * (TOTAL if stop else done[0]) / TOTAL
        state = "converged at" if stop else "optimisation,"
        previews.report(fraction, f"t-SNE {state} iteration {done[0]} of {TOTAL}", embedding)
        return stop

    model = TSNE(
        n_components=n_components,
        perplexity=perplexity,
        metric=metric,
        initialization="pca",
        random_state=seed,
        n_jobs=THREADS,
        early_exaggeration_iter=EARLY,
        n_iter=TOTAL - EARLY,
        negative_gradient_method=objective,
        callbacks=callback,
        callbacks_every_iters=EVERY,
    )
    coords = np.asarray(model.fit(data, affinities=affinities))
    extra: dict[str, Any] = {"previews": previews.sent, "iterations": done[0], "divergences": rule.divergences}
    if done[0] < TOTAL:
        extra["notes"] = [rule.note(done[0], TOTAL)]
    return coords, extra
