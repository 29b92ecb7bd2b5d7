"""Every time estimate the pages show learns from this machine's timed runs (app.runtime.timing).

Each estimator starts uncertain (no run of its kind yet) at the model times this machine's speed
(1 in the tests); the first two runs move it part of the way; after three recorded runs that took three
times the model, it says three times the model, and is certain. Recorded values only: no clocks.
"""

from concurrent.futures import Future

import numpy as np
import pytest

from app.bias.debias import debias_estimate
from app.bias.weat import weat_estimate
from app.compare.overlap import overlap_estimate
from app.contextual.encode import encode_estimate
from app.evaluation.analogy_bench import analogy_estimate
from app.graphs.builtin import builtin_graph
from app.graphs.embed import GraphConfig, graph_estimate
from app.interactions.factorise import FactorConfig, factorise_estimate
from app.interactions.table import davis_interactions
from app.projection.methods import METHODS
from app.runtime import timing
from app.runtime.jobs import Job
from app.space import EmbeddingSpace
from app.training.config import TrainConfig, training_estimate


@pytest.fixture(autouse=True)
def own_timings(tmp_path, monkeypatch):
    """Each test starts on a machine where nothing was timed."""
    monkeypatch.setenv("EMBEDDING_LAB_CACHE_DIR", str(tmp_path))


def _space(n: int = 2_000, dim: int = 50) -> EmbeddingSpace:
    vectors = np.random.default_rng(0).normal(size=(n, dim)).astype(np.float32)
    return EmbeddingSpace("toy", [f"w{i}" for i in range(n)], vectors)


ESTIMATORS = {
    "training word2vec": lambda: training_estimate(TrainConfig(), tokens=200_000),
    "training fastText": lambda: training_estimate(TrainConfig(model="fasttext"), tokens=200_000),
    "training doc2vec": lambda: training_estimate(TrainConfig(model="doc2vec"), tokens=200_000),
    "training PPMI": lambda: training_estimate(TrainConfig(model="ppmi_svd"), tokens=200_000),
    "graph": lambda: graph_estimate(builtin_graph("karate"), GraphConfig()),
    "users and items": lambda: factorise_estimate(davis_interactions(), FactorConfig()),
    "contextual": lambda: encode_estimate(40),
    "analogy benchmark": lambda: analogy_estimate([_space()], restrict_vocab=2_000, method="3cosadd"),
    "WEAT": lambda: weat_estimate(4_000, 10_000),
    "debias": lambda: debias_estimate(_space()),
    "neighbour overlap": lambda: overlap_estimate(30_000),
    "UMAP": lambda: METHODS["umap"].estimate(2_000, 50),
}


@pytest.mark.parametrize("name", ESTIMATORS)
def test_each_estimator_learns_this_machines_speed_from_recorded_runs(name):
    first = ESTIMATORS[name]()
    assert first.kind and first.modelled > 0
    assert (first.certain, first.runs, first.seconds) == (False, 0, first.modelled)
    assert "no run of this kind on this machine yet; the first run measures it" in first.text()
    timing.record_run(first, 3 * first.modelled)
    once = ESTIMATORS[name]()
    assert (once.certain, once.runs) == (False, 1)
    assert once.seconds == pytest.approx(3**0.5 * first.modelled)  # the machine's speed counts as one run
    timing.record_run(first, 3 * first.modelled)
    twice = ESTIMATORS[name]()
    assert (twice.certain, twice.runs) == (False, 2)  # two runs can agree by chance (bench/estimates.py)
    assert twice.seconds == pytest.approx(9 ** (1 / 3) * first.modelled)
    timing.record_run(first, 3 * first.modelled)
    thrice = ESTIMATORS[name]()
    assert (thrice.certain, thrice.runs) == (True, 3)
    assert thrice.seconds == pytest.approx(3 * first.modelled)
    assert thrice.text().endswith("on this machine")


def test_kinds_learn_separately():
    word2vec = training_estimate(TrainConfig(), tokens=200_000)
    for _ in range(3):
        timing.record_run(word2vec, 4 * word2vec.modelled)
    assert training_estimate(TrainConfig(), tokens=200_000).certain
    assert not training_estimate(TrainConfig(model="fasttext"), tokens=200_000).certain
    assert not weat_estimate(4_000, 10_000).certain


def test_recent_runs_that_disagree_make_it_uncertain_again():
    for ratio in (1.0, 1.0, 1.0, 4.0):
        timing.record("kind", 10.0, 10.0 * ratio)
    estimate = timing.estimate("kind", 10.0)
    assert not estimate.certain and estimate.runs == 4
    assert "few runs" in estimate.text()


def test_short_runs_and_unnamed_kinds_are_not_recorded():
    timing.record("kind", 10.0, timing.MIN_SECONDS / 2)
    timing.record("", 10.0, 30.0)
    assert timing.estimate("kind", 10.0).runs == 0
    assert timing._ratios() == {}


def test_a_cut_line_in_the_timings_file_is_skipped():
    timing.record("kind", 2.0, 4.0)
    with timing._file().open("a", encoding="utf-8") as out:
        out.write('{"kind": "kind", "rat')
    timing.record("kind", 2.0, 4.0)
    assert timing.estimate("kind", 2.0).runs == 1  # the first run; the cut line took the next one with it


def test_the_file_is_compacted_to_the_last_runs_of_each_kind(monkeypatch):
    monkeypatch.setattr(timing, "MAX_LINES", 10)
    for i in range(60):
        timing.record("kind", 1.0, 1.0 + i / 100)
    lines = timing._file().read_text().splitlines()
    assert len(lines) <= timing.KEEP_RUNS + 10
    assert timing.estimate("kind", 1.0).seconds == pytest.approx(1.57)


def test_a_finished_page_job_is_recorded_but_not_a_failed_or_cancelled_one(monkeypatch):
    """pages/_ui/background.py hands each finished run's time back to its estimate's kind."""
    from pages._ui.background import _learn_from

    estimate = weat_estimate(4_000, 10_000)
    job = Job("WEAT", estimate.seconds)
    monkeypatch.setattr(Job, "elapsed", property(lambda self: 2 * estimate.modelled))
    done: Future = Future()
    done.set_result("value")
    failed: Future = Future()
    failed.set_exception(ValueError("bad"))
    cancelled: Future = Future()
    cancelled.cancel()
    for future in (failed, cancelled, done):
        _learn_from(job, future, estimate)
    learned = weat_estimate(4_000, 10_000)
    assert learned.runs == 1 and learned.seconds == pytest.approx(2**0.5 * estimate.modelled)


def test_training_is_costed_on_the_tokens_gensim_trains_on():
    """A small repetitive corpus loses most of its tokens to down-sampling; rare words go below min_count."""
    from app.training.config import estimate_seconds, trained_tokens

    repetitive = [10_000] * 10 + [3] * 100  # ten very frequent words, a hundred under min_count
    config = TrainConfig(min_count=5)
    assert trained_tokens(repetitive, config) < 100_000 / 2
    assert trained_tokens(repetitive, TrainConfig(min_count=5, sample=0)) == 100_000
    tokens = sum(repetitive)
    assert estimate_seconds(config, tokens=tokens, counts=repetitive) < estimate_seconds(config, tokens=tokens)
    with_counts = training_estimate(config, tokens=tokens, counts=repetitive)
    timing.record_run(with_counts, 4 * with_counts.modelled)
    assert training_estimate(config, tokens=tokens, counts=repetitive).seconds == pytest.approx(
        2 * with_counts.modelled  # one run of 4x, and the machine's speed (1) as the other
    )


def test_one_slow_run_moves_the_next_guess_half_as_far_and_the_machine_speed_scales_first_guesses(monkeypatch):
    monkeypatch.setenv("EMBEDDING_LAB_MACHINE_SPEED", "2")
    first = timing.estimate("some job", 10.0)
    assert (first.seconds, first.certain, first.runs) == (20.0, False, 0)
    assert "no run of this kind" in first.text()
    timing.record("some job", 10.0, 80.0)  # a run slowed 4x by a busy moment
    assert timing.estimate("some job", 10.0).seconds == pytest.approx(40.0)  # sqrt(2 * 8) * 10


def test_the_machine_speed_is_measured_once_per_process_and_bounded(monkeypatch):
    from app.runtime import machine_speed

    monkeypatch.delenv("EMBEDDING_LAB_MACHINE_SPEED")
    monkeypatch.setattr(machine_speed, "_factor", None)
    calls = []

    def workload() -> float:
        calls.append(1)
        return machine_speed.REFERENCE_SECONDS * 100  # a machine 100x slower is a measuring accident

    monkeypatch.setattr(machine_speed, "workload_seconds", workload)
    assert machine_speed.machine_factor() == machine_speed.HIGHEST
    assert machine_speed.machine_factor() == machine_speed.HIGHEST
    assert len(calls) == 1
    monkeypatch.setenv("EMBEDDING_LAB_MACHINE_SPEED", "0.5")
    assert machine_speed.machine_factor() == 0.5
    monkeypatch.setenv("EMBEDDING_LAB_MACHINE_SPEED", "fast")  # unreadable: the measured factor
    assert machine_speed.machine_factor() == machine_speed.HIGHEST


def test_the_machine_speed_workload_runs_and_takes_milliseconds():
    from app.runtime.machine_speed import REFERENCE_SECONDS, workload_seconds

    assert 0 < workload_seconds() < 100 * REFERENCE_SECONDS
