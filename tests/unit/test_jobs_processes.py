"""The job runner with process isolation: every job in its own forked process, with caps and cancel.

The work functions are module-level so they pickle by reference; the job processes import this
module. Parent and child meet through files in ``tmp_path`` (a started marker, a release file).
"""

import os
import resource
import signal
import sys
import time
import types
from pathlib import Path

import numpy as np
import pytest

from app.errors import Cancelled, InputError
from app.projection.methods import project
from app.runtime.jobs import Job, JobLimitExceeded, JobLimits, JobRunner, RemoteTraceback, WorkerCrashed
from app.space import EmbeddingSpace

WAIT = 20  # seconds; only a safety net so a broken runner fails instead of hanging
MB = 2**20


@pytest.fixture(scope="module", autouse=True)
def forkserver_started():
    """Start the worker forkserver once, before the tests' own safety-net timeouts start counting:
    its preload imports every heavy library, which takes long on a loaded machine."""
    runner = JobRunner(max_workers=1)
    try:
        runner.submit("ping", identify, 0, 0, scale=1).result(300)
    finally:
        runner.shutdown()


@pytest.fixture
def runner():
    runner = JobRunner(max_workers=1)
    yield runner
    runner.shutdown()


@pytest.fixture
def runner2():
    runner = JobRunner(max_workers=2)
    yield runner
    runner.shutdown()


def until(condition, timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# --- work that runs in the job process ------------------------------------------------------
def identify(a, b, *, scale, progress):
    progress(0.5, "half way")
    return os.getpid(), (a + b) * scale


def gated(folder: str, name: str, value, *, progress):
    """Say it started (a file), report progress with details, wait for its release file."""
    folder = Path(folder)
    for epoch in range(3):
        progress(0.1 * (epoch + 1), f"epoch {epoch + 1}", epoch=epoch + 1, loss=1.0 / (epoch + 1))
    (folder / f"{name}.started").write_text(str(os.getpid()))
    deadline = time.monotonic() + WAIT
    while not (folder / f"{name}.release").exists():
        assert time.monotonic() < deadline, "never released"
        time.sleep(0.01)
    return value


def timed(folder: str, name: str, *, progress):
    start = time.monotonic()
    (Path(folder) / f"{name}.started").write_text("")
    time.sleep(0.3)
    return start, time.monotonic()


def sleep_for(seconds: float, *, progress):
    time.sleep(seconds)
    return "woke up"


def allocate(n_bytes: int, *, progress):
    block = np.ones(n_bytes // 8)
    return float(block.sum())


def refuse(*, progress):
    raise InputError("perplexity must be between 1 and 200")


def die(signum: int, *, progress):
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file from the deliberate crash
    os.kill(os.getpid(), signum)
    time.sleep(WAIT)


def big_space(n: int, dim: int, *, progress):
    vectors = np.arange(n * dim, dtype=np.float32).reshape(n, dim)
    return EmbeddingSpace("big", [f"w{i}" for i in range(n)], vectors, copy=False)


def inspect_space(space: EmbeddingSpace, *, progress):
    renamed = space.renamed("renamed in the worker")
    return space.vectors.flags.writeable, space._compute_fingerprint() == space.fingerprint, renamed


def tsne_and_word2vec(*, progress):
    from gensim.models import Word2Vec

    rng = np.random.default_rng(0)
    space = EmbeddingSpace("blobs", [f"w{i}" for i in range(150)], rng.normal(size=(150, 10)))
    tsne = project(space, "tsne", seed=0, progress=progress)
    model = Word2Vec([["king", "queen", "man", "woman"]] * 50, vector_size=8, min_count=1, workers=1, seed=1)
    return tsne.coords.shape, model.wv.vector_size


def umap_small(*, progress):
    rng = np.random.default_rng(0)
    space = EmbeddingSpace("blobs", [f"w{i}" for i in range(200)], rng.normal(size=(200, 10)))
    return project(space, "umap", seed=0, progress=progress).coords.shape


def openmp_wait_policy(*, progress):
    return os.environ.get("OMP_WAIT_POLICY")


# --- tests -----------------------------------------------------------------------------------
def test_work_runs_in_another_process_with_args_and_kwargs(runner):
    job = runner.submit("who", identify, 2, 3, scale=10, estimate_seconds=1.0)
    pid, value = job.result(WAIT)
    assert pid != os.getpid()
    assert value == 50
    assert (job.fraction, job.message) == (1.0, "done")
    assert job.done and not job.cancelled
    assert runner.jobs() == []


def test_progress_and_details_stream_while_the_job_runs(runner, tmp_path):
    job = runner.submit("train", gated, str(tmp_path), "a", "trained")
    assert until(lambda: (tmp_path / "a.started").exists() and len(job.details) == 3)
    assert not job.done
    assert job.fraction == pytest.approx(0.3)
    assert job.message == "epoch 3"
    assert job.details == [{"epoch": e, "loss": 1.0 / e} for e in (1, 2, 3)]
    (tmp_path / "a.release").touch()
    assert job.result(WAIT) == "trained"


def test_cancel_kills_the_running_process_quickly(runner, tmp_path):
    job = runner.submit("stuck", gated, str(tmp_path), "a", "never")
    assert until(lambda: (tmp_path / "a.started").exists())
    pid = int((tmp_path / "a.started").read_text())
    began = time.monotonic()
    job.cancel()
    with pytest.raises(Cancelled):
        job.result(WAIT)
    assert time.monotonic() - began < 5
    assert job.cancelled
    assert until(lambda: not _alive(pid), timeout=5)


def test_cancel_a_queued_job_never_starts_it(runner, tmp_path):
    first = runner.submit("first", gated, str(tmp_path), "first", 1)
    queued = runner.submit("queued", gated, str(tmp_path), "queued", 2)
    assert until(lambda: (tmp_path / "first.started").exists())
    assert runner.queue_position(queued) == 1
    queued.cancel()
    assert queued.done
    assert runner.queue_position(queued) == 0
    assert runner.jobs() == [first]
    (tmp_path / "first.release").touch()
    (tmp_path / "queued.release").touch()
    assert first.result(WAIT) == 1
    with pytest.raises(Cancelled):
        queued.result()
    assert not (tmp_path / "queued.started").exists()


def test_one_worker_runs_jobs_one_at_a_time_in_order(runner, tmp_path):
    gate = runner.submit("gate", gated, str(tmp_path), "gate", "g", estimate_seconds=10)
    jobs = [runner.submit(f"job {i}", timed, str(tmp_path), f"job{i}", estimate_seconds=5) for i in range(2)]
    assert until(lambda: (tmp_path / "gate.started").exists())
    assert [runner.queue_position(job) for job in (gate, *jobs)] == [0, 1, 2]
    assert jobs[0].message == "waiting for a free worker" and jobs[0].started_at is None
    first_wait, second_wait = runner.estimated_wait(jobs[0]), runner.estimated_wait(jobs[1])
    assert 5 < first_wait <= 10  # what is left of the running job's 10 s estimate
    assert second_wait == pytest.approx(first_wait + 5, abs=0.5)
    assert runner.estimated_wait(gate) == 0
    (tmp_path / "gate.release").touch()
    (first_start, first_end), (second_start, second_end) = (job.result(WAIT) for job in jobs)
    assert first_end <= second_start  # never two at once
    assert [runner.queue_position(job) for job in (gate, *jobs)] == [0, 0, 0]


def test_two_workers_run_two_jobs_at_once(runner2, tmp_path):
    jobs = [runner2.submit(f"job {i}", gated, str(tmp_path), f"j{i}", i) for i in range(2)]
    assert until(lambda: all((tmp_path / f"j{i}.started").exists() for i in range(2)))
    for i in range(2):
        (tmp_path / f"j{i}.release").touch()
    assert [job.result(WAIT) for job in jobs] == [0, 1]


def test_wall_time_cap_stops_the_job(runner):
    began = time.monotonic()
    job = runner.submit("Slow t-SNE", sleep_for, 30, max_seconds=1)
    with pytest.raises(JobLimitExceeded, match=r"Slow t-SNE took longer than the 1 s limit for one job"):
        job.result(WAIT)
    assert time.monotonic() - began < 10


def test_memory_cap_turns_into_a_message(runner):
    job = runner.submit("Huge UMAP", allocate, 2 * 2**30, max_memory_bytes=500 * MB)
    with pytest.raises(InputError, match=r"Huge UMAP needed more than the 500 MB memory limit for one job") as caught:
        job.result(WAIT)
    assert isinstance(caught.value.__cause__, RemoteTraceback)
    assert "MemoryError" in str(caught.value.__cause__)
    assert runner.submit("small", allocate, 100 * MB, max_memory_bytes=500 * MB).result(WAIT) == 100 * MB / 8


def test_errors_from_the_work_keep_their_type_and_message(runner):
    job = runner.submit("bad", refuse)
    with pytest.raises(InputError, match="perplexity must be between 1 and 200") as caught:
        job.result(WAIT)
    assert "in refuse" in str(caught.value.__cause__)  # the worker's traceback, for the server log


@pytest.mark.parametrize(
    ("signum", "error", "expected"),
    [
        (signal.SIGSEGV, WorkerCrashed, "its worker process was killed by SIGSEGV"),
        (signal.SIGKILL, WorkerCrashed, "killed by SIGKILL from outside the app .* so not for going over its memory"),
    ],
)
def test_a_process_killed_by_a_signal_gives_a_clear_error(runner, signum, error, expected):
    job = runner.submit("Crashy", die, int(signum))
    with pytest.raises(error, match=expected) as caught:
        job.result(WAIT)
    assert isinstance(caught.value, InputError)
    assert str(caught.value).startswith("Crashy ")


def die_near_the_cap(n_bytes: int, *, progress):
    """Allocate (and touch) ``n_bytes``, say so, then be SIGKILLed as the kernel's OOM killer would."""
    block = np.ones(n_bytes // 8)
    progress(0.5, "allocated", total=float(block[:10].sum()))
    die(int(signal.SIGKILL), progress=progress)


def test_a_sigkill_near_the_memory_cap_is_reported_as_memory(runner):
    job = runner.submit("Greedy UMAP", die_near_the_cap, 450 * MB, max_memory_bytes=500 * MB)
    expected = r"stopped by the system \(SIGKILL\), most likely for using too much memory"
    with pytest.raises(JobLimitExceeded, match=expected):
        job.result(WAIT)
    assert "of its 500 MB memory limit" in str(job.future.exception())


def test_cancel_owned_by_stops_one_sessions_jobs(runner, tmp_path):
    mine = runner.submit("mine", gated, str(tmp_path), "mine", 1, owner="session-a")
    theirs = runner.submit("theirs", identify, 1, 1, scale=1, owner="session-b")
    mine_too = runner.submit("mine too", identify, 1, 1, scale=1, owner="session-a")
    assert until(lambda: (tmp_path / "mine.started").exists())
    assert runner.jobs() == [mine, theirs, mine_too]
    assert [job.owner for job in runner.jobs()] == ["session-a", "session-b", "session-a"]
    assert runner.cancel_owned_by("session-a") == 2
    for job in (mine, mine_too):
        with pytest.raises(Cancelled):
            job.result(WAIT)
    assert theirs.result(WAIT)[1] == 2
    assert runner.cancel_owned_by("session-a") == 0


def test_a_large_result_comes_back_read_only(runner):
    n, dim = 100_000, 256  # 100 MB of float32
    job = runner.submit("big", big_space, n, dim)
    space = job.result(WAIT)
    assert space.vectors.shape == (n, dim)
    assert space.vectors[-1, -1] == n * dim - 1
    assert not space.vectors.flags.writeable
    assert space.fingerprint == space._compute_fingerprint()


def test_an_embedding_space_travels_whole(runner):
    rng = np.random.default_rng(0)
    space = EmbeddingSpace("toy", ["a", "b", "c"], rng.normal(size=(3, 4)), source={"file": "toy.txt"})
    writeable, fingerprint_ok, renamed = runner.submit("inspect", inspect_space, space).result(WAIT)
    assert not writeable and fingerprint_ok
    assert renamed.name == "renamed in the worker" and renamed.fingerprint == space.fingerprint
    assert renamed.source == {"file": "toy.txt"}
    assert not renamed.vectors.flags.writeable
    np.testing.assert_array_equal(renamed.vectors, space.vectors)


def test_work_must_be_picklable_and_says_so_at_submit(runner):
    with pytest.raises(TypeError, match="must be picklable"):
        runner.submit("lambda", lambda *, progress: 1)
    assert runner.jobs() == []


def test_the_job_process_does_not_run_the_parents_main_script(runner, tmp_path):
    """Under Streamlit, __main__ is the page script: a job process must never execute it."""
    marker = tmp_path / "main-ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(script)
    real_main = sys.modules["__main__"]
    sys.modules["__main__"] = fake_main
    try:
        assert runner.submit("who", identify, 1, 2, scale=1).result(WAIT)[1] == 3
    finally:
        sys.modules["__main__"] = real_main
    assert not marker.exists()


def test_tsne_and_gensim_work_in_a_job_process(runner):
    job = runner.submit("t-SNE + word2vec", tsne_and_word2vec)
    assert job.result(60) == ((150, 2), 8)
    assert job.fraction == 1.0


@pytest.mark.slow
def test_umap_works_in_a_job_process(runner):
    """Without the warm-up (tests skip it) the job process compiles UMAP itself: slow but correct."""
    job = runner.submit("UMAP", umap_small)
    assert job.result(120) == (200, 2)


def test_runner_rejects_unknown_isolation():
    with pytest.raises(ValueError, match="isolation"):
        JobRunner(isolation="fibers")


def test_default_limits_and_their_checks():
    assert (JobLimits().max_seconds, JobLimits().max_memory_bytes) == (900, 3 * 2**30)
    assert Job("x").limits == JobLimits()
    with pytest.raises(ValueError, match="max_seconds"):
        JobLimits(max_seconds=0)
    with pytest.raises(ValueError, match="max_memory_bytes"):
        JobLimits(max_memory_bytes=-1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for the forkserver to reap it counts as gone
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


ORPHAN_SCRIPT = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", '''
import sys, time
from app.runtime.worker import {how}
{how}()
print("watching", flush=True)
time.sleep(60)
'''], stdout=subprocess.PIPE, text=True)
assert child.stdout.readline().strip() == "watching"
print(child.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("how", ["die_with_parent", "exit_when_orphaned"])
def test_a_worker_side_process_dies_with_its_parent(how):
    """After a server SIGKILL, its forkserver (still preloading) and job processes go too."""
    import subprocess

    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_SCRIPT.format(how=how)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    child_pid = int(parent.stdout.readline())
    assert _alive(child_pid)
    parent.kill()
    parent.wait()
    assert until(lambda: not _alive(child_pid))


def test_the_forkserver_preload_leaves_one_thread_and_one_blas_thread():
    """The preload pins thread pools before anything imports numpy (our own modules do): a forkserver
    that forks with OpenBLAS's pool alive hands every job a broken pool of two threads."""
    import subprocess

    probe = (
        "import os, app.runtime.preload, threadpoolctl\n"
        "blas = {i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'}\n"
        "print(len(os.listdir('/proc/self/task')), sorted(blas))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.endswith("_NUM_THREADS")}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(maxsplit=1) == ["1", "[1]\n"], (done.stdout, done.stderr)


def test_job_processes_let_waiting_openmp_threads_sleep(runner):
    """Spinning OpenMP threads took the core from the thread they waited for whenever two jobs ran:
    a 2,000-point UMAP next to another job took 15 s instead of 2.4 s."""
    assert runner.submit("env", openmp_wait_policy).result(60) == "PASSIVE"
