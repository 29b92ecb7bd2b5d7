import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.errors import Cancelled, InputError
from app.runtime.cache import ResultCache
from app.runtime.jobs import Job, JobRunner

WAIT = 10  # seconds; only a safety net so a broken runner fails instead of hanging


@pytest.fixture
def runner():
    runner = JobRunner(max_workers=1, isolation="thread")
    yield runner
    runner.executor.shutdown(wait=True, cancel_futures=True)


class Gate:
    """Work that says when it has started and waits until it is let go, reporting progress."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, value, *, progress):
        self.calls += 1
        progress(0.5, "half way")
        self.started.set()
        assert self.release.wait(WAIT)
        progress(0.9, "almost")
        return value


def test_submit_runs_the_work_with_args_kwargs_and_progress(runner):
    seen = {}

    def work(a, b, *, scale, progress):
        progress(0.25, "a quarter")
        reporter = progress.__self__  # the Job itself: progress is its bound report method
        seen.update(job=reporter, fraction=reporter.fraction, message=reporter.message)
        return (a + b) * scale

    job = runner.submit("sum", work, 2, 3, scale=10, estimate_seconds=4.0)
    assert isinstance(job, Job)
    assert job.label == "sum"
    assert job.estimate_seconds == 4.0
    assert job.result() == 50
    assert seen == {"job": job, "fraction": 0.25, "message": "a quarter"}
    assert job.done
    assert not job.cancelled
    assert job.started_at is not None
    assert runner.queue_position(job) == 0


def test_progress_is_clamped():
    job = Job("clamp")
    job.report(1.7, "over")
    assert job.fraction == 1.0
    job.report(-3, "under")
    assert (job.fraction, job.message) == (0.0, "under")


def test_errors_from_the_work_are_re_raised(runner):
    def fails(*, progress):
        raise InputError("perplexity must be between 1 and 200")

    job = runner.submit("bad", fails)
    with pytest.raises(InputError, match="perplexity must be between 1 and 200"):
        job.result()
    assert job.done


def test_max_workers_1_queues_jobs_in_order_with_positions(runner):
    first, second, third = Gate(), Gate(), Gate()
    jobs = [runner.submit(f"job {i}", gate, i) for i, gate in enumerate((first, second, third))]
    assert first.started.wait(WAIT)
    assert [runner.queue_position(job) for job in jobs] == [0, 1, 2]
    assert jobs[0].fraction == 0.5
    assert jobs[0].message == "half way"
    assert jobs[1].message == "waiting for a free worker"
    assert jobs[1].started_at is None
    assert not second.started.is_set()

    first.release.set()
    assert jobs[0].result() == 0
    assert second.started.wait(WAIT)
    assert [runner.queue_position(job) for job in jobs] == [0, 0, 1]

    second.release.set()
    third.release.set()
    assert [job.result() for job in jobs] == [0, 1, 2]
    assert [runner.queue_position(job) for job in jobs] == [0, 0, 0]


def test_cancel_before_start_never_runs_the_work_and_leaves_the_queue(runner):
    first, second, third = Gate(), Gate(), Gate()
    running = runner.submit("running", first, "a")
    waiting = runner.submit("waiting", second, "b")
    behind = runner.submit("behind", third, "c")
    assert first.started.wait(WAIT)
    assert runner.queue_position(behind) == 2

    waiting.cancel()
    assert waiting.cancelled
    assert waiting.done
    assert runner.queue_position(waiting) == 0
    assert runner.queue_position(behind) == 1

    first.release.set()
    third.release.set()
    assert running.result() == "a"
    assert behind.result() == "c"
    with pytest.raises(Cancelled):
        waiting.result()
    assert second.calls == 0


def test_cancel_while_running_stops_at_the_next_progress_report(runner):
    started = threading.Event()
    reports = []

    def loop(*, progress):
        for i in range(10_000):
            progress(i / 10_000, f"step {i}")
            reports.append(i)
            started.set()
            threading.Event().wait(0.001)
        return "finished"

    job = runner.submit("loop", loop)
    assert started.wait(WAIT)
    job.cancel()
    with pytest.raises(Cancelled):
        job.result()
    assert job.cancelled
    assert len(reports) < 10_000


def test_cancelled_job_raises_at_its_first_report():
    job = Job("x")
    job.cancel()
    with pytest.raises(Cancelled):
        job.report(0.1, "anything")


def test_a_cancelled_running_job_frees_the_worker_for_the_next(runner):
    started = threading.Event()

    def forever(*, progress):
        for _ in range(WAIT * 1000):  # "forever", but bounded so a broken cancel cannot hang the suite
            progress(0.1, "spinning")
            started.set()
            threading.Event().wait(0.001)
        return "not cancelled"

    stuck = runner.submit("forever", forever)
    after = runner.submit("after", lambda *, progress: "next")
    assert started.wait(WAIT)
    assert runner.queue_position(after) == 1
    stuck.cancel()
    assert after.result() == "next"
    with pytest.raises(Cancelled):
        stuck.result()


def test_runner_accepts_an_executor():
    with ThreadPoolExecutor(2) as executor:
        runner = JobRunner(executor)
        assert runner.executor is executor
        assert runner.submit("x", lambda x, *, progress: x * 2, 21).result() == 42


def test_default_workers():
    runner = JobRunner()
    try:
        assert runner.max_workers >= 1
    finally:
        runner.executor.shutdown()


# --- ResultCache --------------------------------------------------------------------------
def test_result_cache_get_and_put():
    cache = ResultCache()
    assert cache.get(("projection", "abc")) is None
    cache.put(("projection", "abc"), [1, 2])
    assert cache.get(("projection", "abc")) == [1, 2]
    cache.put(("projection", "abc"), [3])
    assert cache.get(("projection", "abc")) == [3]


def test_result_cache_evicts_the_least_recently_used():
    cache = ResultCache(max_entries=3)
    for key in "abc":
        cache.put(key, key.upper())
    assert cache.get("a") == "A"  # a is now the most recent
    cache.put("d", "D")
    assert cache.get("b") is None
    assert [cache.get(k) for k in "acd"] == ["A", "C", "D"]
    cache.put("c", "C2")  # updating refreshes too
    cache.put("e", "E")
    assert cache.get("a") is None
    assert [cache.get(k) for k in "cde"] == ["C2", "D", "E"]


def test_result_cache_is_thread_safe():
    cache = ResultCache(max_entries=50)

    def hammer(offset: int) -> None:
        for i in range(2_000):
            cache.put((offset, i % 80), i)
            cache.get((offset, (i * 7) % 80))

    threads = [threading.Thread(target=hammer, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert len(cache._items) == 50


def test_result_cache_computes_once():
    cache, calls = ResultCache(max_entries=2), []
    assert cache.get_or_compute("k", lambda: calls.append(1) or "value") == "value"
    assert cache.get_or_compute("k", lambda: calls.append(1) or "other") == "value"
    assert calls == [1]


# --- limits, details and owners (thread isolation) ----------------------------------------
def test_progress_details_are_kept_in_order():
    job = Job("train")
    job.report(0.1, "epoch 1", epoch=1, loss=2.0)
    job.report(0.15, "still epoch 1")
    job.report(0.2, "epoch 2", epoch=2, loss=1.5)
    assert job.details == [{"epoch": 1, "loss": 2.0}, {"epoch": 2, "loss": 1.5}]
    assert (job.fraction, job.message) == (0.2, "epoch 2")


def test_too_many_details_are_thinned_not_grown_without_end(monkeypatch):
    monkeypatch.setattr("app.runtime.jobs.MAX_DETAILS", 10)
    job = Job("long")
    for epoch in range(25):
        job.report(epoch / 25, "training", epoch=epoch)
    epochs = [d["epoch"] for d in job.details]
    assert len(epochs) <= 10
    assert epochs[-1] == 24 and epochs == sorted(epochs)


def test_a_thread_job_over_its_time_limit_stops_at_its_next_report():
    runner = JobRunner(max_workers=1, isolation="thread")
    try:

        def slow(*, progress):
            for _ in range(WAIT * 100):
                progress(0.5, "working")
                threading.Event().wait(0.01)

        job = runner.submit("Slow job", slow, max_seconds=0.2)
        with pytest.raises(InputError, match="Slow job took longer than the 0.2 s limit for one job"):
            job.result(WAIT)
    finally:
        runner.shutdown()


def test_owners_live_jobs_and_estimated_wait(runner):
    first, second, third = Gate(), Gate(), Gate()
    running = runner.submit("running", first, 1, owner="a", estimate_seconds=30)
    queued = runner.submit("queued", second, 2, owner="b", estimate_seconds=10)
    behind = runner.submit("behind", third, 3, owner="a", estimate_seconds=5)
    assert first.started.wait(WAIT)
    assert runner.jobs() == [running, queued, behind]
    assert runner.estimated_wait(running) == 0
    assert 25 < runner.estimated_wait(queued) <= 30
    assert runner.estimated_wait(behind) == pytest.approx(runner.estimated_wait(queued) + 10, abs=0.5)

    assert runner.cancel_owned_by("a") == 2
    first.release.set()  # the running job stops at its next report
    second.release.set()
    with pytest.raises(Cancelled):
        running.result(WAIT)
    with pytest.raises(Cancelled):
        behind.result(WAIT)
    assert queued.result(WAIT) == 2
    assert third.calls == 0
    assert runner.jobs() == []


def test_shutdown_cancels_what_is_left():
    runner = JobRunner(max_workers=1, isolation="thread")
    gate = Gate()
    running = runner.submit("running", gate, 1)
    waiting = runner.submit("waiting", Gate(), 2)
    assert gate.started.wait(WAIT)
    runner.shutdown(wait=False)
    gate.release.set()  # the running job stops at its next report
    with pytest.raises(Cancelled):
        running.result(WAIT)
    with pytest.raises(Cancelled):
        waiting.result(WAIT)


def test_owner_watch_stops_jobs_of_owners_gone_past_the_grace_period(runner):
    from app.runtime.owners import OwnerWatch

    gate = Gate()
    job = runner.submit("mine", gate, 1, owner="tab-1")
    assert gate.started.wait(WAIT)
    watch = OwnerWatch(runner, grace=20)
    connected = {"tab-1": True}
    assert watch.check(connected.get, now=0) == []
    connected["tab-1"] = False  # the tab closed (or a blip)
    assert watch.check(connected.get, now=100) == []
    assert watch.check(connected.get, now=110) == [] and not job.cancelled  # within the grace period
    connected["tab-1"] = True  # it reconnected: the clock starts again next time
    assert watch.check(connected.get, now=115) == []
    connected["tab-1"] = False
    assert watch.check(connected.get, now=200) == []
    assert watch.check(connected.get, now=221) == ["tab-1"]
    assert job.cancelled
    gate.release.set()
    with pytest.raises(Cancelled):
        job.result()


# --- fairness and the per-browser cap (thread isolation) ----------------------------------
def test_waiting_jobs_take_turns_between_browsers(runner):
    gate = Gate()
    running = runner.submit("running", gate, 0, owner="a")
    assert gate.started.wait(WAIT)
    hog = [runner.submit(f"a{i}", Gate(), i, owner="a", browser="A") for i in range(1)]
    runner.max_jobs_per_owner = 10
    hog += [runner.submit(f"a{i}", Gate(), i, owner="a", browser="A") for i in range(1, 3)]
    other = runner.submit("b0", Gate(), "b", owner="b", browser="B")
    third = runner.submit("c0", Gate(), "c", owner="c", browser="C")
    # submitted last, but B and C have not been served yet: they go before A's second and third job
    assert [job.label for job in runner.jobs()] == ["running", "a0", "b0", "c0", "a1", "a2"]
    assert [runner.queue_position(job) for job in (hog[0], other, third, hog[1], hog[2])] == [1, 2, 3, 4, 5]
    for job in (*hog, other, third):
        job.cancel()
    gate.release.set()
    assert running.result(WAIT) == 0


def test_starts_follow_the_turns():
    runner = JobRunner(max_workers=1, isolation="thread", max_jobs_per_owner=5)
    started: list[str] = []
    first = Gate()
    try:
        runner.submit("first", first, "x", browser="A")
        assert first.started.wait(WAIT)

        def note(name, *, progress):
            started.append(name)
            return name

        jobs = [runner.submit(name, note, name, browser=name[0]) for name in ("A1", "A2", "B1", "A3", "B2", "C1")]
        first.release.set()
        assert [job.result(WAIT) for job in jobs] == ["A1", "A2", "B1", "A3", "B2", "C1"]
        assert started == ["B1", "C1", "A1", "B2", "A2", "A3"]  # A just had its turn when they queued
    finally:
        runner.shutdown()


def test_one_browser_may_have_two_jobs_across_its_tabs(runner, monkeypatch):
    from app.runtime.limits import TooManyJobs

    gate = Gate()
    first = runner.submit("first", gate, 1, owner="tab-1", browser="browser-A")
    second = runner.submit("second", Gate(), 2, owner="tab-2", browser="browser-A")
    with pytest.raises(TooManyJobs, match=r"third was not started: this browser already has 2 jobs queued or running"):
        runner.submit("third", Gate(), 3, owner="tab-3", browser="browser-A")
    assert runner.jobs() == [first, second]
    other = runner.submit("someone else", Gate(), 4, owner="tab-9", browser="browser-B")  # not counted against A
    second.cancel()
    assert gate.started.wait(WAIT)
    again = runner.submit("third again", Gate(), 3, owner="tab-3", browser="browser-A")  # a slot came free
    for job in (first, other, again):
        job.cancel()
    gate.release.set()


def test_the_cap_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("EMBEDDING_LAB_MAX_JOBS_PER_BROWSER", "5")
    runner = JobRunner(max_workers=1, isolation="thread")
    try:
        assert runner.max_jobs_per_owner == 5
    finally:
        runner.shutdown()
    monkeypatch.setenv("EMBEDDING_LAB_MAX_JOBS_PER_BROWSER", "zero")
    with pytest.raises(ValueError, match="EMBEDDING_LAB_MAX_JOBS_PER_BROWSER"):
        JobRunner(max_workers=1, isolation="thread")
