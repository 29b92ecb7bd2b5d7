"""Random walks over a CSR adjacency, vectorised: every walker takes its step at once (numpy over
all walkers per step, no Python loop per walker or per step of one walk).

DeepWalk walks go to a neighbour with probability proportional to the edge weight. node2vec's walks
are second order (Grover & Leskovec 2016): having come from ``t`` to ``v``, the walk goes to ``x``
with probability proportional to ``w(v, x) * alpha``, where alpha is ``1/p`` when ``x`` is ``t`` (return),
1 when ``x`` is also a neighbour of ``t``, and ``1/q`` otherwise (outward). That bias is drawn by
rejection sampling: propose ``x`` from the first-order step, accept it with ``alpha / max(alpha)``, and
propose again, vectorised over the walkers that were rejected, until every walker has a step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.errors import InputError, Progress
from app.graphs.edges import Adjacency

MAX_WALK_TOKENS = 20_000_000  # walks x length: the word2vec corpus the walks become


@dataclass(frozen=True)
class WalkSettings:
    walks_per_node: int = 10
    walk_length: int = 40
    p: float = 1.0
    q: float = 1.0
    seed: int = 1

    @property
    def second_order(self) -> bool:
        return self.p != 1.0 or self.q != 1.0

    def validate(self, n_nodes: int) -> None:
        if not 1 <= self.walks_per_node <= 100:
            raise InputError(f"walks per node must be between 1 and 100, got {self.walks_per_node}")
        if not 2 <= self.walk_length <= 500:
            raise InputError(f"the walk length must be between 2 and 500, got {self.walk_length}")
        for name, value in (("p", self.p), ("q", self.q)):
            if not (np.isfinite(value) and 0.01 <= value <= 100):
                raise InputError(f"{name} must be between 0.01 and 100, got {value}")
        tokens = n_nodes * self.walks_per_node * self.walk_length
        if tokens > MAX_WALK_TOKENS:
            raise InputError(
                f"{n_nodes:,} nodes x {self.walks_per_node} walks x {self.walk_length} steps is {tokens:,} steps, "
                f"more than {MAX_WALK_TOKENS:,}, the limit here; use fewer or shorter walks"
            )


class _Stepper:
    """The first-order step (a neighbour, by weight) for many walkers at once."""

    def __init__(self, adj: Adjacency, rng: np.random.Generator) -> None:
        self.adj, self.rng = adj, rng
        self.degree = np.diff(adj.indptr)
        self.uniform = bool(np.all(adj.weights == adj.weights[0])) if adj.weights.size else True
        if not self.uniform:
            self.cumulative = np.cumsum(adj.weights)
            before = np.concatenate([[0.0], self.cumulative])
            self.start = before[adj.indptr[:-1]]
            self.total = before[adj.indptr[1:]] - self.start

    def __call__(self, current: np.ndarray) -> np.ndarray:
        degree = self.degree[current]
        first = self.adj.indptr[current]
        if self.uniform:
            at = first + (self.rng.random(current.size) * degree).astype(np.int64)
        else:
            target = self.start[current] + self.rng.random(current.size) * self.total[current]
            at = np.searchsorted(self.cumulative, target, side="right")
            at = np.clip(at, first, first + np.maximum(degree, 1) - 1)  # float rounding at a row's edge
        safe = np.minimum(at, max(0, self.adj.indices.size - 1))
        return np.where(degree > 0, self.adj.indices[safe], current)  # a node with no edges: stay


def random_walks(
    adj: Adjacency,
    settings: WalkSettings,
    progress: Progress | None = None,
) -> np.ndarray:
    """``walks_per_node`` walks from every node, ``walk_length`` nodes each: an int array of shape
    (n * walks_per_node, walk_length). Rounds are reported to ``progress`` (which may raise Cancelled)."""
    n = adj.n_nodes
    settings.validate(n)
    rng = np.random.default_rng(settings.seed)
    step = _Stepper(adj, rng)
    walks = np.empty((n * settings.walks_per_node, settings.walk_length), dtype=np.int32)
    high = max(1.0, 1.0 / settings.p, 1.0 / settings.q)
    for round_ in range(settings.walks_per_node):
        if progress is not None:
            progress(round_ / settings.walks_per_node, f"walks: round {round_ + 1}/{settings.walks_per_node}")
        block = walks[round_ * n : (round_ + 1) * n]
        block[:, 0] = rng.permutation(n)
        block[:, 1] = step(block[:, 0])
        for position in range(2, settings.walk_length):
            current = block[:, position - 1]
            if not settings.second_order:
                block[:, position] = step(current)
                continue
            block[:, position] = _biased_step(adj, step, block[:, position - 2], current, settings, high, rng)
    if progress is not None:
        progress(1.0, f"walks: {walks.shape[0]:,} walks of {settings.walk_length} nodes")
    return walks


def _biased_step(
    adj: Adjacency,
    step: _Stepper,
    previous: np.ndarray,
    current: np.ndarray,
    settings: WalkSettings,
    high: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """node2vec's second-order step by rejection sampling, vectorised over the walkers still waiting."""
    chosen = np.empty_like(current)
    waiting = np.arange(current.size)
    while waiting.size:
        t, v = previous[waiting], current[waiting]
        x = step(v)
        alpha = np.where(x == t, 1.0 / settings.p, np.where(adj.has_edge(t, x), 1.0, 1.0 / settings.q))
        alpha = np.where(step.degree[v] > 0, alpha, high)  # stuck walkers accept at once
        accepted = rng.random(waiting.size) * high < alpha
        chosen[waiting[accepted]] = x[accepted]
        waiting = waiting[~accepted]
    return chosen
