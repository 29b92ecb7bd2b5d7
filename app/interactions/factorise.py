"""Users and items in one space: the interactions matrix factorised, by truncated SVD (scikit-learn)
of the optionally normalised matrix or by implicit's ALS (when the optional `implicit` package is
installed), each user and each item a point (metadata ``kind = user|item``), so a user's nearest
items are its recommendations; and recall@10 on held-out interactions next to a most-popular baseline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from app.errors import InputError, Progress
from app.interactions.table import Interactions
from app.runtime import timing
from app.runtime.timing import Estimate
from app.space import EmbeddingSpace

METHODS = {"svd": "Truncated SVD", "als": "ALS (implicit)"}
NORMALISATIONS = {
    "none": "none: the numbers as they are",
    "log": "log(1 + value): damp heavy users and counts",
    "rows": "log, then each user's row scaled to length 1",
}
TOP_K = 10


def als_available() -> bool:
    try:
        import implicit  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class FactorConfig:
    method: str = "svd"
    factors: int = 16
    normalise: str = "log"
    iterations: int = 15  # ALS only
    regularization: float = 0.05  # ALS only
    seed: int = 1
    evaluate: bool = True

    def validate(self, data: Interactions) -> None:
        if self.method not in METHODS:
            raise InputError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}")
        if self.method == "als" and not als_available():
            raise InputError("ALS needs the optional `implicit` package: pip install 'embedding-lab[recommend]'")
        if self.normalise not in NORMALISATIONS:
            raise InputError(f"unknown normalisation {self.normalise!r}; choose one of {', '.join(NORMALISATIONS)}")
        largest = min(data.matrix.shape) - 1
        if not 1 <= self.factors <= max(1, largest) or self.factors > 300:
            raise InputError(
                f"{self.factors} factors: choose between 1 and {min(300, max(1, largest))} "
                f"(fewer than the {min(data.matrix.shape)} users or items)"
            )
        if not 1 <= self.iterations <= 100:
            raise InputError(f"iterations must be between 1 and 100, got {self.iterations}")


@dataclass(frozen=True)
class FactorResult:
    space: EmbeddingSpace
    report: dict[str, Any]
    evaluation: dict[str, Any]


def _normalised(matrix: sp.csr_matrix, how: str) -> sp.csr_matrix:
    out = matrix.astype(np.float64)
    if how in ("log", "rows"):
        out = out.copy()
        out.data = np.sign(out.data) * np.log1p(np.abs(out.data))
    if how == "rows":
        norms = np.sqrt(np.asarray(out.multiply(out).sum(axis=1)).ravel())
        out = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ out
    return sp.csr_matrix(out)


def factorise(matrix: sp.csr_matrix, config: FactorConfig, progress: Progress) -> tuple[np.ndarray, np.ndarray]:
    """User and item vectors whose dot products approximate the (normalised) matrix."""
    if config.method == "svd":
        from sklearn.decomposition import TruncatedSVD

        progress(0.1, f"truncated SVD: {config.factors} factors")
        svd = TruncatedSVD(n_components=config.factors, algorithm="arpack", random_state=config.seed)
        left = svd.fit_transform(_normalised(matrix, config.normalise))  # U * S
        scale = np.sqrt(np.maximum(svd.singular_values_, 1e-12))
        return left / scale, svd.components_.T * scale  # U sqrt(S), V sqrt(S): the same dot products
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    def callback(iteration: int, elapsed: float, loss: float) -> None:
        progress(iteration / config.iterations, f"ALS: iteration {iteration}/{config.iterations}")  # may cancel

    with threadpool_limits(1, "blas"):  # implicit's advice: its own loop, not BLAS threads
        model = AlternatingLeastSquares(
            factors=config.factors,
            regularization=config.regularization,
            iterations=config.iterations,
            random_state=config.seed,
            num_threads=1,
        )
        model.fit(_normalised(matrix, config.normalise).astype(np.float32), show_progress=False, callback=callback)
    return np.asarray(model.user_factors), np.asarray(model.item_factors)


def hold_out(matrix: sp.csr_matrix, *, fraction: float = 0.2, seed: int = 1) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Move about ``fraction`` of each user's interactions (never the last one) to a test matrix."""
    rng = np.random.default_rng(seed)
    coo = matrix.tocoo()
    test = np.zeros(coo.nnz, dtype=bool)
    order = np.argsort(coo.row, kind="stable")
    starts = np.searchsorted(coo.row[order], np.arange(matrix.shape[0] + 1))
    for user in range(matrix.shape[0]):
        mine = order[starts[user] : starts[user + 1]]
        take = int(round(fraction * mine.size)) if mine.size >= 2 else 0
        if take:
            test[rng.choice(mine, size=min(take, mine.size - 1), replace=False)] = True
    shape = matrix.shape

    def pick(mask: np.ndarray) -> sp.csr_matrix:
        return sp.csr_matrix((coo.data[mask], (coo.row[mask], coo.col[mask])), shape=shape)

    return pick(~test), pick(test)


def recall_at_k(scores: np.ndarray, train: sp.csr_matrix, test: sp.csr_matrix, k: int = TOP_K) -> float:
    """Mean over users with held-out items of (held-out items in the top k) / min(k, held-out items);
    items the user already has are never recommended."""
    scores = np.array(scores, dtype=np.float64)
    scores[train.nonzero()] = -np.inf
    k = min(k, scores.shape[1])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    recalls = []
    for user in np.flatnonzero(np.diff(test.indptr)):
        held = test.indices[test.indptr[user] : test.indptr[user + 1]]
        recalls.append(np.isin(held, top[user]).sum() / min(k, held.size))
    return float(np.mean(recalls)) if recalls else float("nan")


def evaluate(data: Interactions, config: FactorConfig, progress: Progress) -> dict[str, Any]:
    train, test = hold_out(data.matrix, seed=config.seed)
    users, items = factorise(train, replace(config, evaluate=False), progress)
    popularity = np.asarray((train > 0).sum(axis=0)).ravel().astype(np.float64)
    return {
        "recall_at_10": recall_at_k(users @ items.T, train, test),
        "most_popular_recall_at_10": recall_at_k(np.tile(popularity, (train.shape[0], 1)), train, test),
        "held_out": int(test.nnz),
    }


MAX_DENSE_CELLS = 50_000_000  # users x items scored at once for recall@10
SECONDS_PER_SCORED_CELL = 1.8e-7  # recall@10's dense scores and top-10, measured with bench/estimates.py
SVD_SECONDS_PER_CELL = 1.6e-7  # SVD's time grows with users x items too (fitted: 0.66M cells 0.6 s, 4.6M 3.2 s)


def factorise_interactions(data: Interactions, config: FactorConfig, progress: Progress | None = None) -> FactorResult:
    """The space of users and items, and (``config.evaluate``) recall@10 against most-popular."""
    config.validate(data)
    report: Progress = progress or (lambda fraction, message, /, **_: None)
    report(0.0, f"{len(data.users):,} users x {len(data.items):,} items, {data.matrix.nnz:,} interactions")
    users, items = factorise(data.matrix, config, lambda f, m, /, **_: report(0.05 + 0.45 * f, m))
    evaluation: dict[str, Any] = {}
    if config.evaluate and len(data.users) * len(data.items) <= MAX_DENSE_CELLS:
        report(0.5, "recall@10: factorising again without the held-out interactions")
        evaluation = evaluate(data, config, lambda f, m, /, **_: report(0.5 + 0.45 * f, m))
    counts_user = np.diff(data.matrix.indptr)
    counts_item = np.bincount(data.matrix.indices, minlength=len(data.items))
    meta = pd.DataFrame(
        {
            "kind": ["user"] * len(data.users) + ["item"] * len(data.items),
            "name": list(data.users) + list(data.items),
            "interactions": np.concatenate([counts_user, counts_item]),
        }
    )
    labels = [f"user:{u}" for u in data.users] + [f"item:{i}" for i in data.items]
    source = {
        "format": "interactions",
        "method": config.method,
        "data": data.name,
        "config": asdict(config),
        "shared": data.shared,
    }
    space = EmbeddingSpace(
        f"{METHODS[config.method]} · {data.name}",
        labels,
        np.vstack([users, items]),
        metadata=meta,
        source=source,
    )
    record = {
        "data": {
            "name": data.name,
            "users": len(data.users),
            "items": len(data.items),
            "interactions": int(data.matrix.nnz),
            "notes": list(data.notes),
        },
        "config": asdict(config),
        "evaluation": evaluation,
        "space_fingerprint": space.fingerprint,
    }
    report(1.0, f"done · {len(space):,} users and items × {space.dim}")
    return FactorResult(space, record, evaluation)


def factorise_estimate(data: Interactions, config: FactorConfig) -> Estimate:
    """How long ``factorise_job`` takes here: a factorisation linear in the interactions (ALS: a
    factors x factors solve per user and item and iteration), and with ``evaluate``
    a second one plus recall@10, which scores every user x item cell; scaled by this machine's
    timed runs of the same method (``app.runtime.timing``)."""
    nnz, cells = data.matrix.nnz, len(data.users) * len(data.items)
    rows = len(data.users) + len(data.items)
    if config.method == "svd":
        once = nnz / 200_000 + cells * SVD_SECONDS_PER_CELL
    else:
        once = 0.05 + rows * config.factors**2 * config.iterations * 2.5e-8
    evaluated = config.evaluate and cells <= MAX_DENSE_CELLS
    modelled = 0.2 + once * (2 if evaluated else 1) + (cells * SECONDS_PER_SCORED_CELL if evaluated else 0)
    return timing.estimate(f"factorisation {config.method}", modelled)


def factorise_job(data: Interactions, config: FactorConfig, *, progress: Any) -> FactorResult:
    """``factorise_interactions`` shaped for ``app.runtime.jobs`` (module level, so it pickles)."""
    return factorise_interactions(data, config, progress)
