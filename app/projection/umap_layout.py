"""UMAP's layout optimisation, ours: umap-learn's stochastic gradient descent, run on every core and
the same on every run and any number of cores.

The step is umap-learn's ``optimize_layout_euclidean`` (``move_other=True``): each edge of the fuzzy
graph is sampled every ``epochs_per_sample`` epochs (its largest weight over its own), pulls its two
ends together (``-2ab d^(2b-2) / (1 + a d^2b)``), and each sample pushes the head away from
``negative_sample_rate`` random points (``2 gamma b / ((0.001 + d^2)(1 + a d^2b))``); every
coordinate step is clipped at 4 and scaled by a rate falling linearly from 1 to 0 over the epochs.

What differs is only how the work is shared out, so that no race decides the result:

- the edges are grouped by their head (the rows of the symmetric graph, CSR); numba's ``prange``
  splits the rows across threads, and only the thread that owns a row moves that point;
- the rows are moved in ``BLOCKS`` blocks one after the other: a row reads the points of its own
  block as they were when the epoch began (a snapshot) and the others as they are (no thread
  writes them meanwhile), while its own point moves in place as its edges are processed;
- umap-learn moves both ends of a sampled edge (``move_other``). Here the head moves at once and the
  tail's opposite step is written down, grouped by tail; when the block is done, each point adds the
  steps of its edges in edge order, one thread per point (``_apply_moves``). Without the tail's
  step, each pair was pulled together half as often as umap-learn pulls it while the repulsion
  stayed, and about 110 of 50,000 GloVe words were pushed far out (the picture's range 6x wider);
  doubling the head's step instead cost 0.026 of trustworthiness, and adding the tail's step when
  its own row next runs (an epoch later at most) 0.012;
- the negative samples come from a counter-based generator keyed by (seed, epoch, row), so they do
  not depend on which thread runs a row or in what order; a draw's top 32 bits are scaled to the
  number of points (a multiply, not a 64-bit division).

Epochs run in chunks (``EPOCHS_PER_CHUNK``) from Python, reporting progress and the layout between
chunks, so a preview can be shown and a Cancel (raised by the progress callback) stops the run.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np
import scipy.sparse

BLOCKS = 12
"""Each epoch moves the rows block by block (in parallel within a block): a row reads the points of
its own block as they were when the epoch began, all others as they are now (earlier blocks moved
this epoch, later ones not yet), so only a twelfth of what it reads is stale. Reading everything
from the epoch's start instead lowered trustworthiness by about 0.01 on 50,000 GloVe words. Fewer
blocks are faster (each ends with a pass over its tails' moves). Mean trustworthiness over four
seeds on a saved 50k GloVe graph: 16 blocks 0.868, 12 0.870, 8 0.868, 4 0.865; but seed 0 with 8
gave 0.862 against umap-learn's 0.881 in bench/umap_50k.py, 12 gave 0.871."""
EPOCHS_PER_CHUNK = 5
"""Epochs per compiled call; progress (and a chance to cancel) between calls."""
_CLIP = np.float32(4.0)  # the largest step of one coordinate, as umap-learn's
_REPULSION_EPSILON = np.float32(0.001)  # keeps the repulsive gradient finite at distance 0, as umap-learn's
_ONE = np.float32(1.0)
_ZERO = np.float32(0.0)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_EPOCH_KEY = np.uint64(0xD6E8FEB86659FD93)
_ROW_KEY = np.uint64(0xA0761D6478BD642F)


@numba.njit(cache=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:
    """A 64-bit finaliser (splitmix64's): every input bit changes about half of the output bits."""
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    return z ^ (z >> np.uint64(31))


@numba.njit(cache=True, fastmath=True, inline="always")
def _clip(value: np.float32) -> np.float32:
    return min(_CLIP, max(-_CLIP, value))


@numba.njit(cache=True, fastmath=True, inline="always")
def _squared_distance(point: np.ndarray, other: np.ndarray) -> np.float32:
    total = _ZERO
    for d in range(point.shape[0]):
        diff = point[d] - other[d]
        total += diff * diff
    return total


@numba.njit(cache=True, fastmath=True)
def _move_row(
    row: int,
    embedding: np.ndarray,
    snapshot: np.ndarray,
    block: tuple,
    indptr: np.ndarray,
    tails: np.ndarray,
    schedule: tuple,
    epoch: int,
    constants: tuple,
    stream: np.uint64,
    tail_moves: tuple,
) -> None:
    """One epoch of one point: its due edges' attraction and their negative samples' repulsion.

    The tail's share of each attraction (umap-learn's ``move_other``) is written to
    ``moves[slot[edge]]`` (``tail_moves``: moves, slot), for ``_apply_moves`` to add once the
    block is done: there each tail's steps lie side by side, so the scattered access is this write,
    which holds up no arithmetic, rather than a read there.

    Single precision throughout (the layout's own), as umap-learn's distances are.
    """
    epochs_per_sample, epochs_per_negative, next_sample, next_negative = schedule
    a, b, two_ab, two_gamma_b, alpha = constants
    moves, slot = tail_moves
    n = np.uint64(snapshot.shape[0])
    point = embedding[row]
    state = stream
    for edge in range(indptr[row], indptr[row + 1]):
        if next_sample[edge] > epoch:
            continue
        tail = tails[edge]
        other = snapshot[tail] if block[0] <= tail < block[1] else embedding[tail]
        d2 = _squared_distance(point, other)
        if d2 > _ZERO:
            power = d2**b
            pull = -two_ab * (power / d2) / (a * power + _ONE)
            for d in range(point.shape[0]):
                step = _clip(pull * (point[d] - other[d])) * alpha
                point[d] += step
                moves[slot[edge], d] = -step
        next_sample[edge] += epochs_per_sample[edge]
        negatives = int((epoch - next_negative[edge]) / epochs_per_negative[edge])
        for _ in range(negatives):
            state += _GOLDEN
            k = int(((_mix(state) >> np.uint64(32)) * n) >> np.uint64(32))  # uniform in [0, n)
            if k == row:
                continue
            other = snapshot[k] if block[0] <= k < block[1] else embedding[k]
            d2 = _squared_distance(point, other)
            if d2 <= _ZERO:
                continue
            push = two_gamma_b / ((_REPULSION_EPSILON + d2) * (a * d2**b + _ONE))
            for d in range(point.shape[0]):
                point[d] += _clip(push * (point[d] - other[d])) * alpha
        next_negative[edge] += negatives * epochs_per_negative[edge]


@numba.njit(cache=True, parallel=True)
def _run_epochs(
    embedding: np.ndarray,
    indptr: np.ndarray,
    tails: np.ndarray,
    schedule: tuple,
    first: int,
    last: int,
    n_epochs: int,
    shape: tuple,
    seed: np.uint64,
    incoming: tuple,
) -> None:
    """Epochs ``first`` to ``last - 1`` of ``n_epochs``, in place; rows in parallel (see module doc).

    ``incoming``: (moves, slot, segments, segment_tails, block_segments) from ``_incoming_edges``."""
    a, b, gamma = shape
    two_ab, two_gamma_b = np.float32(2.0 * a * b), np.float32(2.0 * gamma * b)
    moves, slot, segments, segment_tails, block_segments = incoming
    tail_moves = (moves, slot)
    for epoch in range(first, last):
        alpha = np.float32(1.0 - max(0, epoch - 1) / n_epochs)  # umap-learn lowers it after an epoch
        constants = (np.float32(a), np.float32(b), two_ab, two_gamma_b, alpha)
        snapshot = embedding.copy()
        epoch_stream = _mix(seed ^ (np.uint64(epoch) * _EPOCH_KEY))
        n = embedding.shape[0]
        blocks = min(BLOCKS, n)
        for block in range(blocks):
            low, high = block * n // blocks, (block + 1) * n // blocks
            for row in numba.prange(low, high):
                stream = _mix(epoch_stream ^ (np.uint64(row) * _ROW_KEY))
                _move_row(
                    row, embedding, snapshot, (low, high), indptr, tails, schedule, epoch, constants, stream, tail_moves
                )
            _apply_moves(embedding, moves, segments, segment_tails, block_segments[block], block_segments[block + 1])


@numba.njit(cache=True, parallel=True)
def _apply_moves(
    embedding: np.ndarray,
    moves: np.ndarray,
    segments: np.ndarray,
    segment_tails: np.ndarray,
    first: int,
    last: int,
) -> None:
    """Add a block's recorded tail moves to their points, each point's in edge order, and clear them.

    Segment ``s`` (``first`` <= s < ``last``) holds, in ``moves[segments[s]:segments[s + 1]]``, the
    steps of the block's edges whose tail is ``segment_tails[s]``: read in order, one thread per tail,
    so no two threads write one point."""
    for s in numba.prange(first, last):
        point = embedding[segment_tails[s]]
        for i in range(segments[s], segments[s + 1]):
            for d in range(point.shape[0]):
                point[d] += moves[i, d]
                moves[i, d] = _ZERO


def optimize_layout(
    embedding: np.ndarray,
    graph: scipy.sparse.spmatrix,
    *,
    n_epochs: int,
    a: float,
    b: float,
    seed: int,
    repulsion: float = 1.0,
    negative_sample_rate: int = 5,
    after_chunk: Callable[[int, int], None] = lambda done, total: None,
) -> np.ndarray:
    """Run UMAP's layout epochs on ``embedding`` (points x components, float32, C order) in place.

    ``graph``: the symmetric fuzzy graph (points x points, zero weights removed). ``seed`` keys the
    negative samples: the same seed gives the same array on every run and any number of threads.
    ``after_chunk(epochs done, n_epochs)`` is called between chunks of epochs (it may raise to stop).
    """
    if embedding.dtype != np.float32 or not embedding.flags.c_contiguous:
        raise ValueError("the layout must be a C-ordered float32 array")
    if graph.shape != (len(embedding), len(embedding)):
        raise ValueError(f"a graph of {graph.shape} edges cannot lay out {len(embedding)} points")
    csr = scipy.sparse.csr_matrix(graph)
    csr.sort_indices()
    weights = csr.data.astype(np.float64)
    epochs_per_sample = weights.max() / weights if len(weights) else weights
    epochs_per_negative = epochs_per_sample / negative_sample_rate
    schedule = (epochs_per_sample, epochs_per_negative, epochs_per_sample.copy(), epochs_per_negative.copy())
    indptr, tails = csr.indptr.astype(np.int64), csr.indices.astype(np.int64)
    key = np.uint64(seed & 0xFFFF_FFFF_FFFF_FFFF)
    shape = (float(a), float(b), float(repulsion))
    incoming = _incoming_edges(indptr, tails, embedding.shape)
    for first in range(0, n_epochs, EPOCHS_PER_CHUNK):
        last = min(n_epochs, first + EPOCHS_PER_CHUNK)
        _run_epochs(embedding, indptr, tails, schedule, first, last, n_epochs, shape, key, incoming)
        after_chunk(last, n_epochs)
    return embedding


def _incoming_edges(indptr: np.ndarray, tails: np.ndarray, shape: tuple[int, ...]) -> tuple:
    """For each block of rows, its edges grouped by tail (stable: in edge order within a tail).

    Returns (moves: edges x components zeros, in that grouped order; slot: each edge's row in
    ``moves``; segments: where each tail's group starts in ``moves`` (plus the end); segment_tails:
    each group's tail; block_segments: each block's first segment (plus the end)).
    """
    n = shape[0]
    blocks = min(BLOCKS, n)
    order_parts, starts, block_segments = [], [], [0]
    for block in range(blocks):
        low, high = int(indptr[block * n // blocks]), int(indptr[(block + 1) * n // blocks])
        ids = low + np.argsort(tails[low:high], kind="stable")
        grouped = tails[ids]
        new_tail = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if len(ids) else np.empty(0, np.int64)
        starts.append(new_tail + low)
        order_parts.append(ids)
        block_segments.append(block_segments[-1] + len(new_tail))
    order = np.concatenate(order_parts).astype(np.int64) if order_parts else np.empty(0, np.int64)
    slot = np.empty(len(tails), np.int64)
    slot[order] = np.arange(len(tails))
    segments = np.concatenate([*starts, [len(tails)]]).astype(np.int64)
    segment_tails = tails[order[segments[:-1]]]
    moves = np.zeros((len(tails), shape[1]), dtype=np.float32)
    return moves, slot, segments, segment_tails, np.asarray(block_segments, dtype=np.int64)
