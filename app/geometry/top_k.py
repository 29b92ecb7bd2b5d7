"""The k highest scores of every row, by one compiled scan (numba, cached on disk), a tile at a time.

Each row is read once, left to right, against the k-th best score so far: almost every score is
below it, so a chunk of 64 scores is usually dismissed at once (a vectorised "does any reach the
floor?") and only the rare chunk that holds a better score is looked at one by one. A row's best
so far carries over from one tile of columns to the next, so ``knn_graph`` can score and scan
cache-sized tiles; a tile of a symmetric matrix also feeds its columns' lists (``top_k_pairs``).
The kernels release the GIL, so each core's thread scans its own tiles. Ties keep the lower
column first.
"""

from __future__ import annotations

import numpy as np
from numba import njit

CHUNK = 64


@njit(inline="always", nogil=True)
def _insert(values: np.ndarray, columns: np.ndarray, count: int, score: float, column: int) -> int:  # pragma: no cover
    """Put (score, column) into one row's kept list (``count`` of k valid, best first) if it belongs
    there: higher scores first, equal scores by lower column. Returns the new count."""
    k = len(values)
    if count == k:
        if score < values[k - 1] or (score == values[k - 1] and column > columns[k - 1]):
            return count
        p = k - 1
    else:
        p = count
        count += 1
    while p > 0 and (values[p - 1] < score or (values[p - 1] == score and columns[p - 1] > column)):
        values[p] = values[p - 1]
        columns[p] = columns[p - 1]
        p -= 1
    values[p] = score
    columns[p] = column
    return count


@njit(cache=True, nogil=True)
def top_k_block(
    scores: np.ndarray,
    selves: np.ndarray,
    offset: int,
    indices: np.ndarray,
    best: np.ndarray,
    filled: np.ndarray,
) -> None:  # pragma: no cover
    """Merge a tile of scores into each row's k highest columns so far (``indices``/``best``, rows × k,
    highest first; ``filled[r]`` of them valid so far, 0 before a row's first tile).

    Column ``c`` of the tile is column ``offset + c`` of the whole row; row ``r`` is point
    ``selves[r]``, whose own column (the point itself) is skipped. Earlier tiles' columns must be
    lower (then an equal score never reaches the kept list).
    """
    rows, n = scores.shape
    k = indices.shape[1]
    for r in range(rows):
        row = scores[r]
        values = best[r]
        columns = indices[r]
        itself = selves[r] - offset
        count = filled[r]
        # the k-th best once ``count == k``; the row's own type keeps the test below vectorised
        floor = values[k - 1] if count == k else row[0]
        for chunk in range(0, n, CHUNK):
            stop = min(n, chunk + CHUNK)
            if count == k:
                better = False
                for c in range(chunk, stop):  # no early exit: LLVM turns this into a few vector compares
                    better |= row[c] > floor
                if not better:
                    continue
            for c in range(chunk, stop):
                s = row[c]
                if (count == k and not s > floor) or c == itself:
                    continue
                count = _insert(values, columns, count, s, offset + c)
                if count == k:
                    floor = values[k - 1]
        filled[r] = count


@njit(cache=True, nogil=True)
def top_k_pairs(
    scores: np.ndarray, row_start: int, column_start: int, indices: np.ndarray, best: np.ndarray, filled: np.ndarray
) -> None:  # pragma: no cover
    """Merge a tile of a symmetric score matrix into the kept lists of both its rows and its columns.

    Tile entry (i, j) is the score of points ``row_start + i`` and ``column_start + j``; ``indices``/
    ``best``/``filled`` are the kept lists of all points (n × k), in any state. A tile on the
    diagonal (``row_start == column_start``) updates its rows only, a point never its own
    neighbour; any other updates both ends of each pair. Tiles may come in any order: equal scores
    are ordered by column, not by arrival.
    """
    rows, n = scores.shape
    k = indices.shape[1]
    lowest = np.full(1, -np.inf, dtype=scores.dtype)[0]
    mirror = row_start != column_start
    floors = np.full(n, np.inf, dtype=scores.dtype)  # each column's k-th best (+inf: never mirrored)
    if mirror:
        for c in range(n):
            point = column_start + c
            floors[c] = best[point, k - 1] if filled[point] == k else lowest
    for r in range(rows):
        row = scores[r]
        point = row_start + r
        values = best[point]
        columns = indices[point]
        count = filled[point]
        floor = values[k - 1] if count == k else lowest
        for chunk in range(0, n, CHUNK):
            stop = min(n, chunk + CHUNK)
            better = False
            for c in range(chunk, stop):  # vector compares, as in top_k_block (ties may belong: >=)
                better |= (row[c] >= floor) | (row[c] >= floors[c])
            if not better:
                continue
            for c in range(chunk, stop):
                s = row[c]
                other = column_start + c
                if s >= floor and other != point:
                    count = _insert(values, columns, count, s, other)
                    if count == k:
                        floor = values[k - 1]
                if s >= floors[c]:
                    filled[other] = _insert(best[other], indices[other], filled[other], s, point)
                    if filled[other] == k:
                        floors[c] = best[other, k - 1]
        filled[point] = count


@njit(cache=True, nogil=True)
def merge_kept(
    indices: np.ndarray,
    best: np.ndarray,
    filled: np.ndarray,
    more: np.ndarray,
    more_best: np.ndarray,
    more_filled: np.ndarray,
) -> None:  # pragma: no cover
    """Merge a second set of kept lists (another thread's) into the first, row by row."""
    for r in range(indices.shape[0]):
        count = filled[r]
        for j in range(more_filled[r]):
            count = _insert(best[r], indices[r], count, more_best[r, j], more[r, j])
        filled[r] = count


@njit(cache=True, nogil=True)
def exact_distances(
    points: np.ndarray, indices: np.ndarray, cosine: bool, start: int
) -> np.ndarray:  # pragma: no cover
    """Each row's distances to its chosen neighbours, recomputed one pair at a time in float64, and
    the row re-sorted by (distance, column). Row ``r`` of ``indices`` is point ``start + r``.

    A BLAS product is not bitwise the same for identical columns at different positions, so
    duplicate points would tie only roughly; recomputed pair by pair they tie exactly and keep the
    lower row first, and euclidean distances near 0 keep their precision. ``points`` are unit
    vectors for cosine (distance 1 - cos).
    """
    n, k = indices.shape
    dim = points.shape[1]
    out = np.empty((n, k), dtype=np.float64)
    for i in range(n):
        point = points[start + i]
        for j in range(k):
            other = indices[i, j]
            total = 0.0
            for t in range(dim):
                if cosine:
                    total += np.float64(point[t]) * np.float64(points[other, t])
                else:
                    diff = np.float64(point[t]) - np.float64(points[other, t])
                    total += diff * diff
            out[i, j] = max(0.0, 1.0 - total) if cosine else np.sqrt(total)
        for j in range(1, k):
            value = out[i, j]
            column = indices[i, j]
            p = j
            while p > 0 and (out[i, p - 1] > value or (out[i, p - 1] == value and indices[i, p - 1] > column)):
                out[i, p] = out[i, p - 1]
                indices[i, p] = indices[i, p - 1]
                p -= 1
            out[i, p] = value
            indices[i, p] = column
    return out


@njit(cache=True, nogil=True)
def row_hashes(words: np.ndarray) -> np.ndarray:  # pragma: no cover
    """A 64-bit FNV-1a hash of each row's bits (``words``: the points viewed as unsigned integers)."""
    n, width = words.shape
    out = np.empty(n, dtype=np.uint64)
    prime = np.uint64(1099511628211)
    for i in range(n):
        h = np.uint64(14695981039346656037)
        for t in range(width):
            h = (h ^ np.uint64(words[i, t])) * prime
        out[i] = h
    return out


@njit(cache=True, nogil=True)
def prefer_lower_duplicates(
    indices: np.ndarray, group: np.ndarray, starts: np.ndarray, members: np.ndarray
) -> None:  # pragma: no cover
    """Within each row, replace the chosen members of a group of identical points by the group's lowest.

    Identical points tie exactly, but their scores come from different places of different matrix
    products and may differ in the last bit, so the scan may keep a higher one of them. ``group`` is
    each point's group (-1: no identical point), ``members`` every group's points in ascending order,
    group g from ``starts[g]``.
    """
    n, k = indices.shape
    for i in range(n):
        for j in range(k):
            g = group[indices[i, j]]
            if g < 0:
                continue
            handled = False
            for q in range(j):
                if group[indices[i, q]] == g:
                    handled = True
                    break
            if handled:
                continue
            m = starts[g]
            for q in range(j, k):
                if group[indices[i, q]] == g:
                    if members[m] == i:  # a point is never its own neighbour
                        m += 1
                    indices[i, q] = members[m]
                    m += 1
