"""Did debiasing work? DirectBias before and after, and Gonen & Goldberg's (2019, "Lipstick on a
Pig") tests of whether the old bias can still be read from the debiased space."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.bias.debias import DebiasPlan, hard_debias
from app.bias.directions import Direction, DirectionLike, as_direction
from app.bias.measures import direct_bias
from app.bias.words import resolve_words, rows
from app.errors import InputError, Progress
from app.geometry.knn import nearest_rows
from app.space import EmbeddingSpace

CLEAR_SEPARATION = 0.55  # k-means accuracy above which the old sides are clearly recoverable


@dataclass(frozen=True)
class Measure:
    """One measure of a space before and after debiasing."""

    before: float
    after: float


@dataclass(frozen=True, eq=False)
class DebiasReport:
    """Before/after measures of a debiasing, and what Gonen & Goldberg (2019) show it leaves behind.

    ``projections``: each neutral word's projection on g before and after. ``biased``: the
    ``n_biased`` most positive and most negative neutral words by their ORIGINAL projection, with
    their label, k-means cluster before/after and neighbour share before/after. Cluster accuracy:
    k-means (k=2) agreement with the labels (0.5 = bias gone, 1.0 = fully recoverable). Neighbour
    same-sign: the mean share of a biased word's k nearest neutral neighbours on its original side.
    Neighbour correlation: Pearson's r between a word's share of positive-side neighbours and its
    original projection.
    """

    direction: str
    n_neutral: int
    missing: tuple[str, ...]
    direct_bias: Measure
    projections: pd.DataFrame
    n_biased: int
    k: int
    biased: pd.DataFrame
    cluster_accuracy: Measure
    neighbour_same_sign: Measure
    neighbour_correlation: Measure

    @property
    def measures(self) -> dict[str, Measure]:
        """Each measure by the label a table shows."""
        return {
            f"DirectBias (mean |cos|, c = 1) over all {self.n_neutral:,} neutral words": self.direct_bias,
            "k-means cluster accuracy": self.cluster_accuracy,
            f"same-side share of {self.k} neighbours": self.neighbour_same_sign,
            "neighbour share vs projection (r)": self.neighbour_correlation,
        }

    @property
    def clusters_still_separate(self) -> bool:
        """Whether k-means still splits the biased words clearly better than chance (50%) after."""
        return self.cluster_accuracy.after > CLEAR_SEPARATION

    @property
    def summary(self) -> pd.DataFrame:
        """One row per measure: before, after."""
        return summary_table(self.measures)


def summary_table(measures: Mapping[str, Measure]) -> pd.DataFrame:
    """A table (measure, before, after) of labelled measures."""
    rows_ = [(label, m.before, m.after) for label, m in measures.items()]
    return pd.DataFrame(rows_, columns=["measure", "before", "after"])


def words_direct_bias(
    original: EmbeddingSpace, debiased: EmbeddingSpace, direction: Direction, words: Iterable[str], c: float
) -> tuple[str, Measure]:
    """DirectBias_c over chosen words (e.g. the ones a page placed on the direction), before and
    after, with a label saying over which words; words missing from either space are left out."""
    found, _ = resolve_words(original, words)
    kept = [w for w in found if w in debiased]
    before = direct_bias(original, direction, kept, c=c)
    after = direct_bias(debiased, direction, kept, c=c)
    label = f"DirectBias (mean |cos|^c, c = {c:g}) over the {before.n_words} words placed on the direction"
    return label, Measure(before=before.value, after=after.value)


def _cluster_accuracy(unit: np.ndarray, labels: np.ndarray, seed: int) -> tuple[float, np.ndarray]:
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    # 1,000 points: one OpenMP thread is fastest, and immune to spin-waiting on a busy machine (40x here)
    with threadpool_limits(limits=1, user_api="openmp"):
        clusters = KMeans(n_clusters=2, n_init=10, random_state=seed).fit_predict(unit)
    agreement = float(np.mean(clusters == labels))
    return max(agreement, 1.0 - agreement), clusters


def _neighbour_share(pool: np.ndarray, queries: np.ndarray, positive: np.ndarray, k: int) -> np.ndarray:
    """For each query row (an index into ``pool``, unit rows), the share of its k nearest other pool
    rows (cosine) that are ``positive``."""
    return positive[nearest_rows(pool, queries, k)].mean(axis=1)


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if np.std(a) == 0 or np.std(b) == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def debias_report(
    original: EmbeddingSpace,
    debiased: EmbeddingSpace,
    direction: DirectionLike,
    neutral_words: Iterable[str],
    n_biased: int = 500,
    k: int = 100,
    seed: int = 0,
) -> DebiasReport:
    """Compare a space with its debiased version on the neutral words (words in both spaces).

    DirectBias (c = 1) and projections before/after, then Gonen & Goldberg's tests on the n_biased
    most positive and n_biased most negative neutral words by projection on g in the ORIGINAL space:
    k-means (k=2) cluster accuracy and neighbour-based bias, each in both spaces. Uses unit vectors
    and blocked float32 products, so 50,000 words take a few seconds.
    """
    g = as_direction(original, direction)
    found, missing = resolve_words(original, neutral_words)
    in_both = [w for w in found if w in debiased]
    missing = missing + [w for w in found if w not in debiased]
    if len(in_both) < 4:
        raise InputError(f"the report needs at least 4 neutral words in both spaces; found {len(in_both)}")
    before_unit = original.unit_vectors[rows(original, in_both)]
    after_unit = debiased.unit_vectors[rows(debiased, in_both)]
    before = before_unit.astype(np.float64) @ g.vector
    after = after_unit.astype(np.float64) @ g.vector
    projections = pd.DataFrame({"word": in_both, "before": before, "after": after})
    projections = projections.sort_values("before", ascending=False, kind="stable").reset_index(drop=True)

    n_side = max(1, min(int(n_biased), len(in_both) // 2))
    k = max(1, min(int(k), len(in_both) - 1))
    order = np.argsort(before, kind="stable")
    chosen = np.concatenate([order[-n_side:][::-1], order[:n_side]])  # most positive, then most negative
    labels = np.concatenate([np.ones(n_side, dtype=int), np.zeros(n_side, dtype=int)])
    positive = before > 0
    acc_before, clusters_before = _cluster_accuracy(before_unit[chosen], labels, seed)
    acc_after, clusters_after = _cluster_accuracy(after_unit[chosen], labels, seed)
    share_before = _neighbour_share(before_unit, chosen, positive, k)
    share_after = _neighbour_share(after_unit, chosen, positive, k)
    same_before = np.where(labels == 1, share_before, 1 - share_before)
    same_after = np.where(labels == 1, share_after, 1 - share_after)
    biased = pd.DataFrame(
        {
            "word": [in_both[i] for i in chosen],
            "projection_before": before[chosen],
            "projection_after": after[chosen],
            "label": np.where(labels == 1, "positive", "negative"),
            "cluster_before": clusters_before,
            "cluster_after": clusters_after,
            "positive_neighbours_before": share_before,
            "positive_neighbours_after": share_after,
        }
    )
    return DebiasReport(
        direction=g.name,
        n_neutral=len(in_both),
        missing=tuple(missing),
        direct_bias=Measure(before=float(np.mean(np.abs(before))), after=float(np.mean(np.abs(after)))),
        projections=projections,
        n_biased=n_side,
        k=k,
        biased=biased,
        cluster_accuracy=Measure(before=acc_before, after=acc_after),
        neighbour_same_sign=Measure(before=float(same_before.mean()), after=float(same_after.mean())),
        neighbour_correlation=Measure(
            before=_pearson(share_before, before[chosen]), after=_pearson(share_after, before[chosen])
        ),
    )


def debias_with_report(
    space: EmbeddingSpace, direction: Direction, plan: DebiasPlan, *, progress: Progress
) -> tuple[EmbeddingSpace, DebiasReport]:
    """Hard debiasing by ``plan`` plus the Gonen & Goldberg check on the plan's neutral words, as one
    job for the background runner."""
    progress(0.1, "neutralising and equalising")
    debiased = hard_debias(space, direction, neutral_words=plan.neutral_words, equalize_pairs=plan.equalize_pairs)
    progress(0.5, "checking what is left (Gonen & Goldberg)")
    return debiased, debias_report(space, debiased, direction, plan.neutral_words)
