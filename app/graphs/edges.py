"""A graph as the rest of the package sees it (``Graph``: node names, undirected weighted edges,
known communities), read from an edge list (CSV/TSV: source, target, optional weight, a header or
not) with caps on nodes and edges, and its CSR adjacency for the walks."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.errors import InputError
from app.text.inputs import is_number, preview, two_names_and_a_number

MAX_NODES = 100_000
MAX_EDGES = 1_000_000


@dataclass(frozen=True)
class Graph:
    """An undirected graph: ``source[i]``–``target[i]`` with ``weight[i]`` (indices into ``nodes``),
    each edge once, no self-loops. ``communities`` is the known split (None when there is none)."""

    name: str
    nodes: tuple[str, ...]
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    shared: bool = False
    communities: tuple[str, ...] | None = None
    community_name: str = "community"
    node_metadata: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    """Extra per-node columns (e.g. Davis's woman/event side), kept as metadata."""
    notes: tuple[str, ...] = ()
    """What reading changed: self-loops dropped, duplicates merged."""

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_edges(self) -> int:
        return int(self.source.size)

    @property
    def weighted(self) -> bool:
        return bool(self.weight.size) and not np.all(self.weight == 1.0)

    def degrees(self) -> np.ndarray:
        """Number of neighbours of each node."""
        return np.bincount(np.concatenate([self.source, self.target]), minlength=self.n_nodes)


@dataclass(frozen=True)
class Adjacency:
    """CSR adjacency of an undirected graph: row ``u``'s neighbours are ``indices[indptr[u]:indptr[u+1]]``
    (sorted), with weights; ``keys`` (u * n + v, sorted) answers "is v a neighbour of u" for many pairs at once."""

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    keys: np.ndarray

    @property
    def n_nodes(self) -> int:
        return int(self.indptr.size - 1)

    def has_edge(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Vectorised: whether each ``u[i]``–``v[i]`` is an edge."""
        wanted = u.astype(np.int64) * self.n_nodes + v
        at = np.minimum(np.searchsorted(self.keys, wanted), self.keys.size - 1)
        return self.keys[at] == wanted if self.keys.size else np.zeros(wanted.shape, dtype=bool)


def adjacency(graph: Graph) -> Adjacency:
    """The symmetric CSR adjacency of ``graph``."""
    n = graph.n_nodes
    rows = np.concatenate([graph.source, graph.target]).astype(np.int64)
    cols = np.concatenate([graph.target, graph.source]).astype(np.int64)
    weights = np.concatenate([graph.weight, graph.weight]).astype(np.float64)
    order = np.lexsort((cols, rows))
    rows, cols, weights = rows[order], cols[order], weights[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return Adjacency(indptr=indptr, indices=cols, weights=weights, keys=rows * n + cols)


def from_pairs(
    name: str,
    pairs: list[tuple[str, str, float]],
    *,
    shared: bool = False,
    what: str = "the edge list",
    max_nodes: int = MAX_NODES,
    line_of: list[int] | None = None,
) -> Graph:
    """A Graph from (source, target, weight) triples: self-loops dropped, duplicate edges (either
    direction) merged keeping the first weight, each reported in ``notes``; caps on nodes."""
    index: dict[str, int] = {}
    seen: set[tuple[int, int]] = set()
    source: list[int] = []
    target: list[int] = []
    weight: list[float] = []
    loops, duplicates = [], 0
    for number, (a, b, w) in enumerate(pairs):
        for node in (a, b):
            if node not in index:
                if len(index) >= max_nodes:
                    line = f" (line {line_of[number]})" if line_of else ""
                    raise InputError(f"{what} has more than {max_nodes:,} nodes{line}, the limit here")
                index[node] = len(index)
        if a == b:
            loops.append(a)
            continue
        u, v = index[a], index[b]
        pair = (min(u, v), max(u, v))
        if pair in seen:
            duplicates += 1
            continue
        seen.add(pair)
        source.append(u)
        target.append(v)
        weight.append(w)
    if not source:
        raise InputError(f"{what} has no edges between two different nodes")
    notes = []
    if loops:
        notes.append(f"{len(loops):,} self-loops dropped (e.g. {preview(loops[0])})")
    if duplicates:
        notes.append(f"{duplicates:,} duplicate edges merged (the first weight kept)")
    return Graph(
        name=name,
        nodes=tuple(index),
        source=np.asarray(source, dtype=np.int64),
        target=np.asarray(target, dtype=np.int64),
        weight=np.asarray(weight, dtype=np.float64),
        shared=shared,
        notes=tuple(notes),
    )


def read_edge_list(
    data: bytes,
    *,
    filename: str = "edges.csv",
    max_nodes: int = MAX_NODES,
    max_edges: int = MAX_EDGES,
) -> Graph:
    """An uploaded edge list: CSV, TSV or whitespace separated; ``source, target[, weight]`` per line;
    a first line whose third field is not a number (or that names source/target) is a header.
    Bad lines raise InputError naming the file and the line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{filename} is not UTF-8 text (byte {error.start}); save it as UTF-8 CSV") from None
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InputError(f"{filename} is empty: expected lines 'source,target' or 'source,target,weight'")
    delimiter = guess_delimiter(next(line for line in lines if line.strip()))
    pairs: list[tuple[str, str, float]] = []
    numbers: list[int] = []
    columns: int | None = None
    for number, row in enumerate(split_rows(text, delimiter), start=1):
        fields = [f.strip() for f in row]
        if not fields or not any(fields) or fields[0].startswith("#"):
            continue
        where = f"{filename}, line {number}"
        if columns is None and _is_header(fields):
            columns = len(fields)
            continue
        if len(fields) < 2 or not fields[1]:
            raise InputError(f"{where}: expected 'source{delimiter}target', found only one column ({preview(row[0])})")
        if len(fields) > 3:
            raise InputError(f"{where}: expected at most 3 columns (source, target, weight), found {len(fields)}")
        if columns is not None and len(fields) != columns and not (columns == 2 and len(fields) == 2):
            raise InputError(f"{where}: {len(fields)} columns where the first line has {columns}")
        columns = columns or len(fields)
        a, b, w = two_names_and_a_number(fields, where, names="node", number="weight")
        if len(fields) == 3 and w <= 0:
            raise InputError(f"{where}: the weight {preview(fields[2])} must be positive")
        if len(pairs) >= max_edges:
            raise InputError(f"{filename} has more than {max_edges:,} edges (line {number}), the limit here")
        pairs.append((a, b, w))
        numbers.append(number)
    if not pairs:
        raise InputError(f"{filename} has no edges: expected lines 'source,target' or 'source,target,weight'")
    stem = filename.rsplit("/", 1)[-1]
    return from_pairs(stem, pairs, shared=False, what=filename, max_nodes=max_nodes, line_of=numbers)


def guess_delimiter(first: str) -> str:
    for candidate in ("\t", ",", ";"):
        if candidate in first:
            return candidate
    return " "


def split_rows(text: str, delimiter: str) -> Any:
    if delimiter == " ":
        return (line.split() for line in text.splitlines())
    return csv.reader(io.StringIO(text), delimiter=delimiter)


def _is_header(fields: list[str]) -> bool:
    """A header names its columns: no weight-shaped third field, or the usual words."""
    lowered = {f.lower() for f in fields}
    if lowered & {"source", "target", "from", "to", "src", "dst", "weight", "node1", "node2", "u", "v"}:
        return True
    return len(fields) == 3 and not is_number(fields[2])
