"""A graph's nodes as vectors: random walks (DeepWalk or node2vec), then gensim's word2vec on the
walks through the same training run as text (``app.training.run.train``: progress, cancel, time
cap, reproducibility record), then an EmbeddingSpace of the nodes with degree and communities as
metadata, and the evaluation numbers (link prediction, community recovery)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from app.errors import InputError, Progress
from app.graphs.edges import Graph, adjacency
from app.graphs.evaluate import community_recovery, link_prediction, modularity_communities, split_edges
from app.graphs.walks import WalkSettings, random_walks
from app.runtime import timing
from app.runtime.timing import Estimate
from app.space import EmbeddingSpace
from app.training.config import TrainConfig, TrainLimits
from app.training.run import train

METHODS = {"deepwalk": "DeepWalk", "node2vec": "node2vec"}
GRAPH_STARTUP_SECONDS = 0.4
GRAPH_STEPS_PER_SECOND = 175_000  # walk steps x epochs walked and trained per second, measured with bench/estimates.py
MAX_MODULARITY_NODES = 20_000  # greedy modularity is quadratic-ish: beyond this the column is left out


@dataclass(frozen=True)
class GraphConfig:
    """Walks and word2vec settings. DeepWalk is node2vec with p = q = 1 (uniform walks)."""

    method: str = "deepwalk"
    p: float = 1.0
    q: float = 1.0
    walks_per_node: int = 10
    walk_length: int = 40
    vector_size: int = 32
    window: int = 5
    epochs: int = 5
    seed: int = 1
    evaluate: bool = True
    """Also hold out edges, train again without them, and score link prediction (twice the time)."""

    def walks(self) -> WalkSettings:
        p, q = (self.p, self.q) if self.method == "node2vec" else (1.0, 1.0)
        return WalkSettings(self.walks_per_node, self.walk_length, p, q, self.seed)

    def word2vec(self) -> TrainConfig:
        return TrainConfig(
            model="word2vec",
            vector_size=self.vector_size,
            window=self.window,
            min_count=1,
            epochs=self.epochs,
            seed=self.seed,
            architecture="skipgram",
            sample=0.0,
            deterministic=True,
            snapshots=False,
        )

    def validate(self, n_nodes: int) -> None:
        if self.method not in METHODS:
            raise InputError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}")
        self.walks().validate(n_nodes)
        self.word2vec().validate()

    @property
    def display_name(self) -> str:
        name = METHODS.get(self.method, self.method)
        return f"{name} (p={self.p:g}, q={self.q:g})" if self.method == "node2vec" else name


@dataclass(frozen=True)
class GraphResult:
    space: EmbeddingSpace
    report: dict[str, Any]
    evaluation: dict[str, Any] = field(default_factory=dict)
    """link_auc: {cosine, common_neighbours, adamic_adar}; ari (k-means vs known), modularity_ari."""


class WalkCorpus(list):
    """The walks as word2vec's corpus (node numbers as tokens), with the name, provenance and
    fingerprint the training record reads."""

    def __init__(self, walks: np.ndarray, *, name: str, shared: bool, fingerprint: str) -> None:
        tokens = np.array([str(i) for i in range(int(walks.max()) + 1)], dtype=object)
        super().__init__(tokens[walks].tolist())
        self.name, self.fingerprint = name, fingerprint
        self.source = {"format": "graph walks", "shared": shared}


def graph_estimate(graph: Graph, config: GraphConfig) -> Estimate:
    """How long ``embed_graph_job`` takes here: walk steps times word2vec epochs (twice with the
    link-prediction check), scaled by this machine's timed runs (``app.runtime.timing``)."""
    steps = graph.n_nodes * config.walks_per_node * config.walk_length * config.epochs * (2 if config.evaluate else 1)
    return timing.estimate(f"graph {config.method}", GRAPH_STARTUP_SECONDS + steps / GRAPH_STEPS_PER_SECOND)


def graph_fingerprint(graph: Graph) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\n".join(graph.nodes).encode("utf-8", "surrogatepass"))
    for array in (graph.source, graph.target, graph.weight):
        digest.update(np.ascontiguousarray(array).data)
    return digest.hexdigest()


def _scaled(progress: Progress, low: float, high: float) -> Progress:
    def report(fraction: float, message: str, /, **_: Any) -> None:
        progress(low + (high - low) * min(1.0, max(0.0, fraction)), message)

    return report


def node_vectors(
    graph: Graph,
    config: GraphConfig,
    progress: Progress,
    *,
    limits: TrainLimits,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Walks, then word2vec on them: a vector per node (in ``graph.nodes`` order) and the training record."""
    walks = random_walks(adjacency(graph), config.walks(), _scaled(progress, 0.0, 0.3))
    key = json.dumps({"graph": graph_fingerprint(graph), "walks": asdict(config.walks())}, sort_keys=True)
    corpus = WalkCorpus(
        walks,
        name=f"walks on {graph.name}",
        shared=graph.shared,
        fingerprint=hashlib.blake2b(key.encode(), digest_size=16).hexdigest(),
    )
    del walks
    trained = train(corpus, config.word2vec(), _scaled(progress, 0.3, 1.0), limits=limits)
    space = trained.space
    rows = [space.index(str(i)) for i in range(graph.n_nodes)]
    return np.asarray(space.vectors[rows]), trained.report


def node_metadata(graph: Graph) -> pd.DataFrame:
    """Degree, the known community (when the graph has one) and networkx's modularity communities."""
    meta = pd.DataFrame({"node": list(graph.nodes), "degree": graph.degrees()})
    if graph.weighted:
        strength = np.bincount(
            np.concatenate([graph.source, graph.target]),
            weights=np.concatenate([graph.weight, graph.weight]),
            minlength=graph.n_nodes,
        )
        meta["weighted_degree"] = strength
    if graph.communities is not None:
        meta[graph.community_name] = list(graph.communities)
    if graph.n_nodes <= MAX_MODULARITY_NODES:
        meta["modularity_community"] = [f"group {c + 1}" for c in modularity_communities(graph)]
    for column, values in graph.node_metadata.items():
        meta[column] = list(values)
    return meta


def embed_graph(
    graph: Graph,
    config: GraphConfig,
    progress: Progress | None = None,
    *,
    limits: TrainLimits = TrainLimits(),  # noqa: B008  (frozen)
) -> GraphResult:
    """Vectors for the nodes of ``graph`` as a space, plus the evaluation numbers (see the module)."""
    config.validate(graph.n_nodes)
    report_progress: Progress = progress or (lambda fraction, message, /, **_: None)
    full_share = 0.5 if config.evaluate else 0.95
    vectors, record = node_vectors(graph, config, _scaled(report_progress, 0.0, full_share), limits=limits)
    meta = node_metadata(graph)
    evaluation: dict[str, Any] = {}
    if graph.communities is not None and len(set(graph.communities)) > 1:
        evaluation["ari"] = community_recovery(vectors, graph.communities, seed=config.seed)
        evaluation["known"] = graph.community_name
        if "modularity_community" in meta:
            from sklearn.metrics import adjusted_rand_score

            evaluation["modularity_ari"] = float(adjusted_rand_score(graph.communities, meta["modularity_community"]))
    if config.evaluate:
        split = split_edges(graph, seed=config.seed)
        report_progress(0.5, f"link prediction: training again without {len(split.positives):,} held-out edges")
        held_vectors, _ = node_vectors(split.remaining, config, _scaled(report_progress, 0.5, 0.95), limits=limits)
        evaluation["link_auc"] = link_prediction(held_vectors, split)
        evaluation["held_out_edges"] = int(len(split.positives))
    source = {
        "format": "graph",
        "method": config.method,
        "graph": graph.name,
        "graph_fingerprint": graph_fingerprint(graph),
        "config": asdict(config),
        "shared": graph.shared,
    }
    space = EmbeddingSpace(
        f"{config.display_name} · {graph.name}", list(graph.nodes), vectors, metadata=meta, source=source
    )
    report = {
        "graph": {"name": graph.name, "nodes": graph.n_nodes, "edges": graph.n_edges, "notes": list(graph.notes)},
        "config": asdict(config),
        "word2vec": record,
        "evaluation": evaluation,
        "space_fingerprint": space.fingerprint,
    }
    report_progress(1.0, f"done · {len(space):,} nodes × {space.dim}")
    return GraphResult(space, report, evaluation)


def embed_graph_job(graph: Graph, config: GraphConfig, *, progress: Callable[..., None]) -> GraphResult:
    """``embed_graph`` shaped for ``app.runtime.jobs`` (module level, so it pickles)."""
    return embed_graph(graph, config, progress)
