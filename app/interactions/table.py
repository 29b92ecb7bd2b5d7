"""Interactions as a sparse users x items matrix: read from a CSV (user, item, optional rating or
count; a header or not) with caps and line-numbered errors, or the built-in Davis southern women
(women x the events they attended)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from app.errors import InputError
from app.graphs.edges import guess_delimiter, split_rows
from app.text.inputs import is_number, preview, two_names_and_a_number

MAX_USERS = 100_000
MAX_ITEMS = 100_000
MAX_INTERACTIONS = 2_000_000
HEADER_WORDS = {"user", "item", "rating", "count", "user_id", "item_id", "score", "weight"}


@dataclass(frozen=True)
class Interactions:
    name: str
    users: tuple[str, ...]
    items: tuple[str, ...]
    matrix: sp.csr_matrix  # users x items, the rating or count (1 when there is none)
    shared: bool = False
    notes: tuple[str, ...] = ()


def read_interactions(
    data: bytes,
    *,
    filename: str = "interactions.csv",
    max_users: int = MAX_USERS,
    max_items: int = MAX_ITEMS,
    max_interactions: int = MAX_INTERACTIONS,
) -> Interactions:
    """A CSV/TSV of ``user, item[, rating]``; repeated pairs are summed (counts) and reported."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{filename} is not UTF-8 text (byte {error.start}); save it as UTF-8 CSV") from None
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise InputError(f"{filename} is empty: expected lines 'user,item' or 'user,item,rating'")
    delimiter = guess_delimiter(first)
    users: dict[str, int] = {}
    items: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    header_done = False
    for number, row in enumerate(split_rows(text, delimiter), start=1):
        fields = [f.strip() for f in row]
        if not any(fields) or fields[0].startswith("#"):
            continue
        where = f"{filename}, line {number}"
        if not header_done:
            header_done = True
            if {f.lower() for f in fields} & HEADER_WORDS or (len(fields) == 3 and not is_number(fields[2])):
                continue
        if len(fields) < 2 or not fields[1]:
            raise InputError(f"{where}: expected 'user{delimiter}item', found only one column ({preview(row[0])})")
        if len(fields) > 3:
            raise InputError(f"{where}: expected at most 3 columns (user, item, rating), found {len(fields)}")
        user, item, value = two_names_and_a_number(fields, where, names="user or item", number="rating")
        if len(values) >= max_interactions:
            raise InputError(f"{filename} has more than {max_interactions:,} interactions (line {number}), the limit")
        if user not in users:
            if len(users) >= max_users:
                raise InputError(f"{where}: more than {max_users:,} users, the limit here")
            users[user] = len(users)
        if item not in items:
            if len(items) >= max_items:
                raise InputError(f"{where}: more than {max_items:,} items, the limit here")
            items[item] = len(items)
        rows.append(users[user])
        cols.append(items[item])
        values.append(value)
    if not values:
        raise InputError(f"{filename} has no interactions: expected lines 'user,item' or 'user,item,rating'")
    coo = sp.coo_matrix((values, (rows, cols)), shape=(len(users), len(items)))
    matrix = coo.tocsr()  # repeated (user, item) pairs are summed here
    repeats = len(values) - matrix.nnz
    notes = (f"{repeats:,} repeated user-item pairs summed",) if repeats else ()
    stem = filename.rsplit("/", 1)[-1]
    return Interactions(stem, tuple(users), tuple(items), matrix, shared=False, notes=notes)


def davis_interactions() -> Interactions:
    """Davis's southern women as an interactions table: 18 women x 14 events, 1 where she attended."""
    import networkx as nx

    graph = nx.davis_southern_women_graph()
    women = [node for node, side in graph.nodes(data="bipartite") if side == 0]
    events = [node for node, side in graph.nodes(data="bipartite") if side == 1]
    matrix = nx.bipartite.biadjacency_matrix(graph, row_order=women, column_order=events).astype(np.float64)
    return Interactions("Davis's southern women", tuple(women), tuple(events), sp.csr_matrix(matrix), shared=True)
