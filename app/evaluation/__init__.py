"""Intrinsic evaluation on standard benchmarks, with gensim 4's numbers.

benchmarks.py (the built-in registry and the file readers), vocabulary.py (the restricted,
case-folded vocabulary both scores search), analogy_bench.py (batched analogy accuracy),
word_pairs.py (word-pair correlations). ``evaluate_benchmark`` runs a built-in one by key.
"""

from __future__ import annotations

from typing import Any

from app.evaluation.analogy_bench import AnalogyResult, evaluate_analogies
from app.evaluation.benchmarks import benchmark
from app.evaluation.word_pairs import PairResult, evaluate_word_pairs
from app.space import EmbeddingSpace


def evaluate_benchmark(space: EmbeddingSpace, key: str, **options: Any) -> AnalogyResult | PairResult:
    """Run a built-in benchmark; options go to evaluate_analogies or evaluate_word_pairs."""
    bench = benchmark(key)
    if bench.kind == "analogy":
        return evaluate_analogies(space, bench.path, **options)
    return evaluate_word_pairs(space, bench.path, **options)
