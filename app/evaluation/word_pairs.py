"""Word-pair similarity benchmarks (WordSim353, SimLex-999, MEN, RG-65, MTurk-771, Rare Words, or an
uploaded file): how well cosine similarity ranks pairs as people did, the numbers gensim 4's
``KeyedVectors.evaluate_word_pairs`` reports (same vocabulary restriction, case folding and skipping)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from app.errors import InputError
from app.evaluation.benchmarks import read_pairs
from app.evaluation.vocabulary import GENSIM_RESTRICT_VOCAB, fold, restricted_size, vocabulary
from app.io.loaders import Source
from app.space import EmbeddingSpace


@dataclass(frozen=True)
class PairResult:
    """Pearson and Spearman correlation (with two-sided p-values) between human and model scores.

    ``pairs`` has one row per pair: line, word1, word2, human, model (cosine; NaN when a word is
    out of vocabulary, 0.0 then with ``dummy4unknown``) and oov.
    """

    name: str
    pearson: float
    pearson_p: float
    spearman: float
    spearman_p: float
    oov: int
    oov_ratio: float  # percent, as gensim
    restrict_vocab: int
    case_insensitive: bool
    pairs: pd.DataFrame = field(repr=False)

    @property
    def evaluated(self) -> int:
        """Pairs that went into the correlations."""
        return int(self.pairs["model"].notna().sum())

    def worst(self, n: int = 20) -> pd.DataFrame:
        """The n in-vocabulary pairs where the model's rank and the humans' rank disagree most."""
        known = self.pairs[~self.pairs["oov"]].copy()
        if known.empty:
            return known.assign(human_rank=[], model_rank=[], disagreement=[])
        known["human_rank"] = known["human"].rank(pct=True)
        known["model_rank"] = known["model"].rank(pct=True)
        known["disagreement"] = (known["human_rank"] - known["model_rank"]).abs()
        return known.nlargest(n, "disagreement").reset_index(drop=True)

    def meaning(self, space_name: str, benchmark_name: str) -> str:
        """One plain sentence saying what the correlation means."""
        return (
            f"On {benchmark_name}, {space_name} orders the {self.evaluated:,} pairs it knows "
            f"{_agreement(self.spearman)} people do (Spearman ρ {self.spearman:.2f}: 1 is the same order, "
            f"0 no relation); {self.oov_ratio:.1f}% of the pairs were skipped because a word is not among "
            f"its first {self.restrict_vocab:,} words."
        )


def evaluate_word_pairs(
    space: EmbeddingSpace,
    path: Source,
    *,
    delimiter: str | None = "\t",
    restrict_vocab: int | None = GENSIM_RESTRICT_VOCAB,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
) -> PairResult:
    """Correlate cosine similarity with human judgements; gensim's evaluate_word_pairs.

    Pairs with a word outside the first ``restrict_vocab`` words are skipped, or scored 0.0 with
    ``dummy4unknown``. See read_pairs for the file format (``delimiter=None`` guesses it).
    """
    pairs = read_pairs(path, delimiter)
    n = restricted_size(space, restrict_vocab)
    vocab = vocabulary(space, n, case_insensitive=case_insensitive)
    left = np.array([vocab.get(fold(w, case_insensitive), -1) for w in pairs.word1], dtype=np.int64)
    right = np.array([vocab.get(fold(w, case_insensitive), -1) for w in pairs.word2], dtype=np.int64)
    known = (left >= 0) & (right >= 0)
    unit = space.unit_vectors
    model = np.full(len(pairs), 0.0 if dummy4unknown else np.nan)
    model[known] = np.einsum("ij,ij->i", unit[left[known]], unit[right[known]], dtype=np.float64)
    used = np.ones(len(pairs), dtype=bool) if dummy4unknown else known
    if used.sum() < 2:
        raise InputError(
            f"{pairs.name}: {int(used.sum())} of {len(pairs):,} pairs have both words among the first {n:,} words "
            f"of {space.name!r}; at least 2 are needed for a correlation"
        )
    pearson, pearson_p, spearman, spearman_p = _correlations(pairs.human[used], model[used])
    oov = int((~known).sum())
    oov_ratio = 100.0 * oov / (int(used.sum()) if dummy4unknown else len(pairs))
    table = pd.DataFrame(
        {
            "line": pairs.line,
            "word1": pairs.word1,
            "word2": pairs.word2,
            "human": pairs.human,
            "model": model,
            "oov": ~known,
        }
    )
    return PairResult(
        name=pairs.name,
        pearson=pearson,
        pearson_p=pearson_p,
        spearman=spearman,
        spearman_p=spearman_p,
        oov=oov,
        oov_ratio=oov_ratio,
        restrict_vocab=n,
        case_insensitive=case_insensitive,
        pairs=table,
    )


def _correlations(human: np.ndarray, model: np.ndarray) -> tuple[float, float, float, float]:
    """scipy's pearsonr and spearmanr (NaN, not a warning, when one side is constant)."""
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pearson = stats.pearsonr(human, model)
        spearman = stats.spearmanr(human, model)
    return float(pearson[0]), float(pearson[1]), float(spearman[0]), float(spearman[1])


def _agreement(rho: float) -> str:
    """Words for a rank correlation, as a teacher would say it."""
    if not math.isfinite(rho):
        return "in no measurable relation to how"
    if rho < 0:
        return "against how"
    for threshold, words in ((0.7, "much as"), (0.5, "fairly like"), (0.3, "somewhat like")):
        if rho >= threshold:
            return words
    return "hardly like"
