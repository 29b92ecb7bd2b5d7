"""node2vec walks + word2vec on a 10,000-node graph (networkx's powerlaw_cluster_graph, seeded): ours
(vectorised walks over CSR, app.graphs) against the `node2vec` package from PyPI, same p, q, walk
length, walks per node and word2vec settings. Target: ours takes at most the same time.

`node2vec` pins numpy<2, so it is not in the `test` extra (it would downgrade the project's numpy);
install it by hand (`pip install node2vec --no-deps`) to run this bench, which otherwise says it is skipped."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import report_result  # noqa: E402

NODES, P, Q, LENGTH, WALKS, DIM, WINDOW, EPOCHS = 10_000, 0.5, 2.0, 40, 10, 32, 5, 1


def main() -> None:
    import networkx as nx

    from app.graphs.edges import from_pairs
    from app.graphs.embed import GraphConfig, node_vectors
    from app.training.config import TrainLimits

    nx_graph = nx.powerlaw_cluster_graph(NODES, 3, 0.1, seed=1)
    graph = from_pairs("powerlaw", [(str(a), str(b), 1.0) for a, b in nx_graph.edges()])
    config = GraphConfig(
        method="node2vec", p=P, q=Q, walks_per_node=WALKS, walk_length=LENGTH, vector_size=DIM, window=WINDOW,
        epochs=EPOCHS, evaluate=False,
    )  # fmt: skip
    start = time.perf_counter()
    node_vectors(graph, config, lambda f, m: None, limits=TrainLimits())
    ours = time.perf_counter() - start
    try:
        from node2vec import Node2Vec
    except ImportError:
        report_result("node2vec walks + word2vec, 10k nodes (s)", round(ours, 2), None, None, "node2vec not installed")
        return
    start = time.perf_counter()
    model = Node2Vec(
        nx_graph, dimensions=DIM, walk_length=LENGTH, num_walks=WALKS, p=P, q=Q, workers=1, quiet=True, seed=1
    )
    model.fit(window=WINDOW, min_count=1, epochs=EPOCHS, sg=1, workers=1, seed=1)
    theirs = time.perf_counter() - start
    report_result(
        "node2vec walks + word2vec, 10k nodes (s)",
        round(ours, 2),
        round(theirs, 2),
        round(ours / theirs, 3),
        f"p={P}, q={Q}, {WALKS} walks x {LENGTH}, {DIM} dims, {EPOCHS} epoch, one worker each; ref: node2vec (PyPI)",
        ok=ours <= theirs,
    )


if __name__ == "__main__":
    main()
