"""How good graph vectors are, in numbers: link prediction on held-out edges (ROC AUC of the cosine,
next to common neighbours and Adamic–Adar on the same remaining graph) and community recovery
(adjusted Rand index of k-means on the vectors against a known split)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from app.graphs.edges import Graph

HELD_OUT_FRACTION = 0.1


@dataclass(frozen=True)
class EdgeSplit:
    """The graph without its held-out edges, the held-out edges, and as many node pairs that are not edges."""

    remaining: Graph
    positives: np.ndarray  # (k, 2) node indices
    negatives: np.ndarray  # (k, 2)


def split_edges(graph: Graph, *, fraction: float = HELD_OUT_FRACTION, seed: int = 1) -> EdgeSplit:
    """Hold out about ``fraction`` of the edges, never a node's last one (every node keeps a neighbour,
    so it still has a walk and a vector), plus the same number of random non-edges."""
    rng = np.random.default_rng(seed)
    degree = graph.degrees().copy()
    wanted = max(1, int(round(fraction * graph.n_edges)))
    held: list[int] = []
    for edge in rng.permutation(graph.n_edges):
        u, v = graph.source[edge], graph.target[edge]
        if degree[u] > 1 and degree[v] > 1:
            degree[u] -= 1
            degree[v] -= 1
            held.append(int(edge))
            if len(held) == wanted:
                break
    keep = np.ones(graph.n_edges, dtype=bool)
    keep[held] = False
    remaining = replace(graph, source=graph.source[keep], target=graph.target[keep], weight=graph.weight[keep])
    positives = np.stack([graph.source[held], graph.target[held]], axis=1)
    return EdgeSplit(remaining, positives, _non_edges(graph, len(held), rng))


def _non_edges(graph: Graph, count: int, rng: np.random.Generator) -> np.ndarray:
    n = graph.n_nodes
    existing = set((np.minimum(graph.source, graph.target) * n + np.maximum(graph.source, graph.target)).tolist())
    found: set[int] = set()
    possible = n * (n - 1) // 2 - len(existing)
    count = min(count, possible)
    while len(found) < count:
        u, v = rng.integers(0, n, size=2)
        key = int(min(u, v) * n + max(u, v))
        if u != v and key not in existing:
            found.add(key)
    keys = np.fromiter(found, dtype=np.int64, count=len(found))
    return np.stack([keys // n, keys % n], axis=1)


def _matrix(graph: Graph) -> sp.csr_matrix:
    n = graph.n_nodes
    ones = np.ones(graph.n_edges)
    a = sp.coo_matrix((ones, (graph.source, graph.target)), shape=(n, n))
    return (a + a.T).tocsr()


def neighbour_scores(graph: Graph, pairs: np.ndarray) -> dict[str, np.ndarray]:
    """Common neighbours and Adamic–Adar (shared neighbours, each weighted 1/log of its degree) per pair."""
    a = _matrix(graph)
    degree = np.asarray(a.sum(axis=1)).ravel()
    inverse_log = np.where(degree > 1, 1.0 / np.log(np.maximum(degree, 2)), 0.0)
    shared = a[pairs[:, 0]].multiply(a[pairs[:, 1]])
    return {
        "common_neighbours": np.asarray(shared.sum(axis=1)).ravel(),
        "adamic_adar": np.asarray(shared @ inverse_log).ravel(),
    }


def cosine_scores(vectors: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return np.einsum("ij,ij->i", unit[pairs[:, 0]], unit[pairs[:, 1]])


def link_prediction(vectors: np.ndarray, split: EdgeSplit) -> dict[str, float]:
    """ROC AUC of telling held-out edges from non-edges: by the cosine of the vectors (trained on
    ``split.remaining``), and by the two neighbourhood baselines on the same remaining graph."""
    from sklearn.metrics import roc_auc_score

    pairs = np.concatenate([split.positives, split.negatives])
    truth = np.concatenate([np.ones(len(split.positives)), np.zeros(len(split.negatives))])
    scores = {"cosine": cosine_scores(vectors, pairs), **neighbour_scores(split.remaining, pairs)}
    return {name: float(roc_auc_score(truth, values)) for name, values in scores.items()}


def community_recovery(vectors: np.ndarray, known: tuple[str, ...], *, seed: int = 1) -> float:
    """Adjusted Rand index of k-means (k = the number of known communities) on the unit vectors."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    k = len(set(known))
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    found = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(unit)
    return float(adjusted_rand_score(known, found))


def modularity_communities(graph: Graph) -> np.ndarray:
    """networkx's greedy modularity communities (Clauset–Newman–Moore), as a community number per node."""
    import networkx as nx

    nx_graph = nx.Graph()
    nx_graph.add_nodes_from(range(graph.n_nodes))
    edges = zip(graph.source.tolist(), graph.target.tolist(), graph.weight.tolist(), strict=True)
    nx_graph.add_weighted_edges_from(edges)
    labels = np.zeros(graph.n_nodes, dtype=np.int64)
    for number, members in enumerate(nx.community.greedy_modularity_communities(nx_graph, weight="weight")):
        labels[list(members)] = number
    return labels
