"""t-SNE's early stop: it ends the main phase once the KL divergence stops improving, says so, and
keeps the picture's quality; the divergence is computed only where the rule reads it."""

import numpy as np
import pytest
from sklearn.manifold import trustworthiness

from app.projection import previews as previews_module
from app.projection import tsne_run, tsne_stop
from app.projection.methods import project
from app.projection.tsne_run import ErrorOnDemand, run_tsne
from app.projection.tsne_stop import StopRule, has_converged
from tests.conftest import make_space


def silent(fraction: float, message: str, /, **detail: object) -> None:
    pass


@pytest.fixture(scope="module")
def clusters() -> np.ndarray:
    """600 points in 6 well-separated groups in 20 dimensions."""
    rng = np.random.default_rng(1)
    centres = rng.normal(scale=4.0, size=(6, 20))
    return np.vstack([centre + rng.normal(size=(100, 20)) for centre in centres]).astype(np.float32)


@pytest.fixture
def stop_on_small_sets(monkeypatch):
    """The rule applies from FROM_POINTS points; the toy sets here are smaller."""
    monkeypatch.setattr(tsne_stop, "FROM_POINTS", 0)
    monkeypatch.setattr(tsne_run, "THREADS", 1)


def test_converged_only_when_the_improvement_is_below_the_tolerance():
    assert has_converged(2.80, 2.79, tolerance=0.015)  # 0.4 %
    assert not has_converged(2.93, 2.86, tolerance=0.015)  # 2.4 %
    assert has_converged(2.80, 2.81, tolerance=0.015)  # worse: nothing left to gain


def test_the_rule_needs_two_checks_and_an_inactive_rule_never_checks():
    rule = StopRule(active=True, check_every=50, tolerance=0.015)
    assert [rule.checks_at(i) for i in (0, 10, 50, 60, 100)] == [False, False, True, False, True]
    assert not rule.should_stop(3.0)  # nothing to compare with yet
    assert not rule.should_stop(2.8)
    assert rule.should_stop(2.79)
    assert rule.divergences == [3.0, 2.8, 2.79]
    assert not any(StopRule(active=False).checks_at(i) for i in range(0, 800, 10))


def test_the_divergence_is_computed_only_when_wanted():
    asked: list[bool] = []

    def gradient(embedding, P, **params):  # noqa: N803
        asked.append(params["should_eval_error"])
        return 0.0, np.zeros_like(embedding)

    objective = ErrorOnDemand(gradient)
    objective(np.zeros((3, 2)), None, should_eval_error=True)
    objective.wanted = True
    objective(np.zeros((3, 2)), None, should_eval_error=False)
    objective(np.zeros((3, 2)), None, should_eval_error=True)
    assert asked == [False, False, True]
    assert objective.evaluated == 1


def test_a_converged_layout_stops_early_and_says_so(clusters, stop_on_small_sets):
    space = make_space([f"w{i}" for i in range(len(clusters))], clusters)
    result = project(space, "tsne", 2, metric="euclidean", perplexity=20, record_timing=False)
    assert result.iterations is not None and tsne_run.EARLY < result.iterations < tsne_run.TOTAL
    assert result.iterations % tsne_stop.CHECK_EVERY == 0
    assert f"t-SNE stopped after {result.iterations} of 750 iterations" in result.notes[-1]


def test_a_layout_still_improving_runs_every_iteration(clusters, stop_on_small_sets, monkeypatch):
    monkeypatch.setattr(tsne_stop, "TOLERANCE", 1e-9)  # any improvement counts: never converged
    coords, extra = run_tsne(clusters, 2, 0, "euclidean", silent, perplexity=20)
    assert extra["iterations"] == tsne_run.TOTAL and "notes" not in extra
    divergences = extra["divergences"]
    assert len(divergences) == (tsne_run.TOTAL - tsne_run.EARLY) // tsne_stop.CHECK_EVERY
    assert all(later < earlier for earlier, later in zip(divergences, divergences[1:], strict=False))


def test_small_selections_keep_the_full_schedule_and_compute_no_divergence(clusters, monkeypatch):
    from openTSNE import tsne as opentsne

    monkeypatch.setattr(tsne_run, "THREADS", 1)
    evaluated = []
    original = opentsne.kl_divergence_bh

    def counting(*args, **params):
        evaluated.append(params.get("should_eval_error", False))
        return original(*args, **params)

    monkeypatch.setattr(opentsne, "kl_divergence_bh", counting)
    _, extra = run_tsne(clusters[:200], 2, 0, "euclidean", silent, perplexity=10)
    assert extra["iterations"] == tsne_run.TOTAL and extra["divergences"] == []
    assert len(evaluated) == tsne_run.TOTAL + 2  # every iteration, and once after each phase
    assert not any(evaluated)  # openTSNE alone evaluates it on every callback iteration


def test_stopping_early_keeps_the_quality_of_the_full_run(clusters, stop_on_small_sets):
    from openTSNE import TSNE

    ours, extra = run_tsne(clusters, 2, 0, "euclidean", silent, perplexity=20)
    theirs = TSNE(perplexity=20, metric="euclidean", initialization="pca", random_state=0, n_jobs=1).fit(
        clusters.astype(np.float64)
    )
    assert extra["iterations"] < tsne_run.TOTAL
    trust_ours, trust_theirs = (trustworthiness(clusters, layout, n_neighbors=10) for layout in (ours, theirs))
    assert trust_ours >= trust_theirs - 0.01


def test_previews_do_not_change_where_it_stops(clusters, stop_on_small_sets, monkeypatch):
    plain, plain_extra = run_tsne(clusters, 2, 3, "euclidean", silent, perplexity=20)
    monkeypatch.setattr(previews_module, "PERIOD", 0.0)
    layouts: list[np.ndarray] = []
    streamed, extra = run_tsne(
        clusters,
        2,
        3,
        "euclidean",
        lambda f, m, /, **d: layouts.append(d["layout"]) if "layout" in d else None,
        perplexity=20,
    )
    np.testing.assert_array_equal(plain, streamed)
    assert extra["iterations"] == plain_extra["iterations"] < tsne_run.TOTAL
    assert len(layouts) == extra["iterations"] // tsne_run.EVERY
    np.testing.assert_array_equal(layouts[-1], streamed.astype(np.float32))


def test_the_time_model_charges_less_per_point_where_the_stop_rule_applies():
    from app.projection.methods import METHODS

    spec = METHODS["tsne"]
    sizes = [100, 2_000, tsne_stop.FROM_POINTS, 10_000, 20_000, 30_000]
    seconds = [spec.modelled_seconds(n, 50) for n in sizes]
    assert seconds == sorted(seconds)
    small_rate = (seconds[2] - seconds[1]) / (sizes[2] - sizes[1])
    large_rate = (seconds[4] - seconds[3]) / (sizes[4] - sizes[3])
    assert large_rate < small_rate
