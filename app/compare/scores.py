"""Both spaces on the same word-similarity benchmarks, side by side: "which is better" as a number."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from app.errors import InputError
from app.evaluation import evaluate_benchmark
from app.evaluation.word_pairs import PairResult
from app.space import EmbeddingSpace

PAIR_BENCHMARKS = ("wordsim353", "simlex999", "men")


def benchmark_scores(spaces: Sequence[EmbeddingSpace], keys: Sequence[str] = PAIR_BENCHMARKS) -> pd.DataFrame:
    """One row per benchmark, one Spearman ρ column per space (and the pairs each could score):
    the rank correlation of its cosines with people's judgements, as Evaluate and gensim report it."""
    rows = []
    for key in keys:
        row: dict[str, Any] = {"benchmark": key}
        for column, space in enumerate(spaces, start=1):
            label = f"ρ ({'first' if column == 1 else 'second'})"
            try:
                result = evaluate_benchmark(space, key)
                if not isinstance(result, PairResult):
                    raise InputError(f"{key} is not a word-pair benchmark")
            except InputError:
                row[label], row[f"pairs ({label[3:-1]})"] = None, 0
                continue
            row[label] = round(float(result.spearman), 3)
            row[f"pairs ({label[3:-1]})"] = int(result.evaluated)
        rows.append(row)
    table = pd.DataFrame(rows)
    names = {"wordsim353": "WordSim353", "simlex999": "SimLex-999", "men": "MEN"}
    table["benchmark"] = table["benchmark"].map(lambda key: names.get(key, key))
    return table
