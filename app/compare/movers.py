"""The words whose neighbourhoods changed most and least, and one word's neighbours side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.compare.alignment import Alignment
from app.compare.overlap import Overlap
from app.geometry.neighbours import nearest
from app.space import EmbeddingSpace

MARK_BOTH, MARK_LOST, MARK_NEW = "in both", "lost", "new"


def word_table(overlap: Overlap, alignment: Alignment | None = None) -> pd.DataFrame:
    """One row per shared word: word, frequency rank, overlap, and displacement when aligned."""
    table = overlap.table()
    if alignment is not None:
        table["displacement"] = alignment.displacement.astype(np.float64)
    return table


def movers(overlap: Overlap, alignment: Alignment | None = None, *, n: int = 20) -> pd.DataFrame:
    """The ``n`` words whose neighbours changed most: lowest overlap first, then largest displacement,
    then the more frequent word."""
    return _ranked(word_table(overlap, alignment), n=n, most_changed=True)


def stayers(overlap: Overlap, alignment: Alignment | None = None, *, n: int = 20) -> pd.DataFrame:
    """The ``n`` words whose neighbours stayed: highest overlap first, then smallest displacement."""
    return _ranked(word_table(overlap, alignment), n=n, most_changed=False)


def _ranked(table: pd.DataFrame, *, n: int, most_changed: bool) -> pd.DataFrame:
    keys = ["overlap"] + (["displacement"] if "displacement" in table else []) + ["rank"]
    ascending = [most_changed] + ([not most_changed] if "displacement" in table else []) + [True]
    return table.sort_values(keys, ascending=ascending, kind="stable").head(n).reset_index(drop=True)


def side_by_side(overlap: Overlap, word: str) -> pd.DataFrame:
    """``word``'s neighbours in each space, rank by rank, each marked "in both", "lost" (only in the
    first space) or "new" (only in the second)."""
    row = overlap.row(word)
    words = overlap.vocabulary.words
    in_a = [words[i] for i in overlap.neighbours_a[row]]
    in_b = [words[i] for i in overlap.neighbours_b[row]]
    return _pair_table(in_a, in_b, overlap.similarities_a[row], overlap.similarities_b[row])


def formula_side_by_side(a: EmbeddingSpace, b: EmbeddingSpace, formula: str, *, k: int = 10) -> pd.DataFrame:
    """The neighbours of a word or formula (``king - man + woman``) in each whole space, side by side."""
    first, second = nearest(a, formula, k), nearest(b, formula, k)
    return _pair_table(first.words, second.words, first.values, second.values)


def _pair_table(in_a: list[str], in_b: list[str], sims_a: np.ndarray, sims_b: np.ndarray) -> pd.DataFrame:
    set_a, set_b = set(in_a), set(in_b)
    rows = max(len(in_a), len(in_b))

    def cell(items: list, i: int) -> object:
        return items[i] if i < len(items) else None

    return pd.DataFrame(
        {
            "rank": np.arange(1, rows + 1),
            "first space": [cell(in_a, i) for i in range(rows)],
            "similarity (first)": [cell(list(map(float, sims_a)), i) for i in range(rows)],
            "mark (first)": [cell([MARK_BOTH if w in set_b else MARK_LOST for w in in_a], i) for i in range(rows)],
            "second space": [cell(in_b, i) for i in range(rows)],
            "similarity (second)": [cell(list(map(float, sims_b)), i) for i in range(rows)],
            "mark (second)": [cell([MARK_BOTH if w in set_a else MARK_NEW for w in in_b], i) for i in range(rows)],
        }
    )
