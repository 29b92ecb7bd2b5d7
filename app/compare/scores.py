"""Both spaces on the same word-similarity benchmarks, side by side: "which is better" as a number."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from app.errors import InputError
from app.space import EmbeddingSpace

PAIR_BENCHMARKS = ("wordsim353", "simlex999", "men")


def _evaluate_benchmark() -> Callable[..., Any]:
    """Evaluate's ``evaluate_benchmark``: app.evaluation.core is being split into modules, and the
    function lives in the package (after the split) or in core (before)."""
    for module in ("app.evaluation", "app.evaluation.core"):
        found = getattr(importlib.import_module(module), "evaluate_benchmark", None)
        if found is not None:
            return found
    raise ImportError("evaluate_benchmark not found in app.evaluation")


def benchmark_scores(spaces: Sequence[EmbeddingSpace], keys: Sequence[str] = PAIR_BENCHMARKS) -> pd.DataFrame:
    """One row per benchmark, one Spearman ρ column per space (and the pairs each could score):
    the rank correlation of its cosines with people's judgements, as Evaluate and gensim report it."""
    evaluate = _evaluate_benchmark()
    rows = []
    for key in keys:
        row: dict[str, Any] = {"benchmark": key}
        for column, space in enumerate(spaces, start=1):
            label = f"ρ ({'first' if column == 1 else 'second'})"
            try:
                result = evaluate(space, key)
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
