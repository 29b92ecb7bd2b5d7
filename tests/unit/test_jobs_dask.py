"""The job runner handing its jobs to a Dask cluster's executor (as a larger deployment would)."""

import os
import time
from functools import partial

import numpy as np
import pytest

from app.errors import Cancelled, InputError
from app.projection.methods import project
from app.runtime.jobs import JobRunner
from app.space import EmbeddingSpace

distributed = pytest.importorskip("distributed")

WAIT = 30


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture
def runner(client):
    runner = JobRunner(client.get_executor(), max_workers=1)
    yield runner
    runner.shutdown()


@pytest.fixture
def space():
    rng = np.random.default_rng(0)
    return EmbeddingSpace("toy", [f"w{i}" for i in range(300)], rng.normal(size=(300, 20)))


def vector_norm_total(space: EmbeddingSpace, *, progress):
    progress(0.5, "this goes nowhere: the work runs on another process")
    return float(space.norms.sum()), space.fingerprint


def nap(seconds: float, *, progress):
    time.sleep(seconds)
    return seconds


def wait_for_file(path: str, *, progress):
    """Run until ``path`` exists (bounded by WAIT): a task that only ends when it is let go."""
    deadline = time.monotonic() + WAIT
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)
    return "released"


def test_a_projection_runs_on_the_cluster(runner, space):
    job = runner.submit("PCA on Dask", partial(project, space, "pca", seed=0), estimate_seconds=1)
    projection = job.result(WAIT)
    np.testing.assert_allclose(projection.coords, project(space, "pca", seed=0).coords, rtol=1e-4, atol=1e-5)
    assert (job.fraction, job.message) == (1.0, "done")  # no streamed progress: 0, then 1


def test_spaces_travel_to_the_cluster_whole(runner, space):
    total, fingerprint = runner.submit("norms", vector_norm_total, space).result(WAIT)
    assert total == pytest.approx(float(space.norms.sum()), rel=1e-6)
    assert fingerprint == space.fingerprint


def test_errors_come_back_from_the_cluster(runner, space):
    job = runner.submit("bad t-SNE", partial(project, space, "tsne", perplexity=500))
    with pytest.raises(InputError, match="perplexity must be between 1 and 200"):
        job.result(WAIT)


def test_queue_and_cancel_with_a_cluster(runner, client, tmp_path):
    running = runner.submit("nap", nap, 1.0)
    queued = runner.submit("queued", nap, 0.1)
    assert runner.queue_position(queued) == 1
    queued.cancel()
    with pytest.raises(Cancelled):
        queued.result()
    assert running.result(WAIT) == 1.0

    never = str(tmp_path / "never-released")  # cancel must end the job without this file ever appearing
    stuck = runner.submit("stuck", wait_for_file, never)
    assert _until(lambda: stuck.started_at is not None)
    stuck.cancel()
    with pytest.raises(Cancelled):
        stuck.result(WAIT)
    assert not os.path.exists(never)
    assert runner.jobs() == []


def _until(condition, timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
