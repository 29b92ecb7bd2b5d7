"""Streaming layouts through the job runner: a job keeps only its latest ``layout`` (a snapshot),
in thread and process isolation, keeps it after a cancel, and drops it once the result is in.

The work is ``tests.fake_layout.streamed_layout`` (the projection code emits real layouts on branch
h-knn); parent and job meet through a hold file in ``tmp_path``.
"""

import time

import numpy as np
import pytest

from app.errors import Cancelled
from app.runtime.jobs import Job, JobRunner
from app.runtime.snapshots import SnapshotThrottle
from tests.fake_layout import TOTAL_ITERATIONS, frame, streamed_layout

WAIT = 60  # seconds; only a safety net so a broken runner fails instead of hanging
START = np.zeros((50, 2))
END = np.arange(100, dtype=np.float64).reshape(50, 2)


def until(condition, timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def layouts_seen(job: Job) -> int:
    snapshot = job.latest("layout")
    return 0 if snapshot is None else snapshot.number


@pytest.fixture(params=["thread", "process"])
def runner(request):
    runner = JobRunner(max_workers=1, isolation=request.param)
    yield runner
    runner.shutdown()


# --- the job and the throttle, without a runner -------------------------------------------------
def test_a_layout_replaces_the_previous_one_and_stays_out_of_the_history():
    job = Job("t-SNE")
    buffer = np.zeros((4, 2))
    job.report(0.2, "iteration 50 of 750", layout=buffer, loss=2.0)
    buffer[:] = 1.0  # the work changes its own array in place, as openTSNE does
    job.report(0.3, "iteration 100 of 750", loss=1.5)
    first = job.latest("layout")
    assert first is not None and first.number == 1 and first.message == "iteration 50 of 750"
    assert (first.value == 0).all() and first.value.dtype == np.float32 and not first.value.flags.writeable
    job.report(0.4, "iteration 150 of 750", layout=buffer)
    latest = job.latest("layout")
    assert latest is not None and latest.number == 2 and (latest.value == 1).all()
    assert job.details == [{"loss": 2.0}, {"loss": 1.5}]
    assert job.latest("nothing") is None


class Embedding(np.ndarray):
    """Like openTSNE's TSNEEmbedding: an array subclass that carries the whole optimiser with it."""


def test_a_layout_is_kept_as_a_plain_float32_array_not_the_work_s_own_object():
    job = Job("t-SNE")
    job.report(0.5, "iteration 400 of 750", layout=np.ones((3, 2)).view(Embedding))
    latest = job.latest("layout")
    assert latest is not None and type(latest.value) is np.ndarray and latest.value.dtype == np.float32


def test_the_throttle_sends_a_layout_at_most_every_half_second_and_every_other_detail_always():
    now = [0.0]
    throttle = SnapshotThrottle(every=0.5, clock=lambda: now[0])
    sent = []
    for step in range(10):  # a report every 0.2 s
        sent.append(throttle.admit({"layout": np.full((2, 2), float(step)), "loss": step}))
        now[0] += 0.2
    with_layout = [i for i, detail in enumerate(sent) if "layout" in detail]
    assert with_layout == [0, 3, 6, 9]
    assert [detail["loss"] for detail in sent] == list(range(10))
    assert sent[3]["layout"].dtype == np.float32


# --- both isolations ---------------------------------------------------------------------------
def test_the_latest_layout_reaches_the_job_and_the_result_supersedes_it(runner, tmp_path):
    hold = tmp_path / "release"
    job = runner.submit("fake t-SNE", streamed_layout, START, END, steps=3, pause=0.6, hold=str(hold))
    assert until(lambda: layouts_seen(job) == 3), "the third layout never arrived"
    latest = job.latest("layout")
    assert latest is not None
    assert latest.message == f"t-SNE optimisation, iteration {TOTAL_ITERATIONS} of {TOTAL_ITERATIONS}"
    np.testing.assert_array_equal(latest.value, frame(START, END, 3, 3).astype(np.float32))
    assert [detail["loss"] for detail in job.details] == [1.0, 0.5, 1 / 3]
    hold.write_text("")
    np.testing.assert_array_equal(job.result(WAIT), END)
    assert job.latest("layout") is None


def test_a_cancelled_job_keeps_its_last_layout(runner, tmp_path):
    job = runner.submit("fake t-SNE", streamed_layout, START, END, steps=2, pause=0.6, hold=str(tmp_path / "never"))
    assert until(lambda: layouts_seen(job) == 2)
    job.cancel()
    with pytest.raises(Cancelled):
        job.result(WAIT)
    latest = job.latest("layout")
    assert latest is not None and latest.number == 2
    np.testing.assert_array_equal(latest.value, END.astype(np.float32))


def test_a_process_job_reporting_a_layout_at_every_step_sends_few_of_them(tmp_path):
    runner = JobRunner(max_workers=1, isolation="process")
    try:
        hold = tmp_path / "release"
        job = runner.submit("chatty t-SNE", streamed_layout, START, END, steps=40, hold=str(hold))
        assert until(lambda: len(job.details) == 40), "every loss report arrives"
        assert 1 <= layouts_seen(job) < 40
        hold.write_text("")
        job.result(WAIT)
    finally:
        runner.shutdown()
