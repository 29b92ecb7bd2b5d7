"""Load test: 30 students on one server, each a real Streamlit session, while others run heavy jobs.

Starts the app on a free port as `make run` does (serve.py, then `streamlit run`; workspaces in a
temporary folder; no file watcher, so sources edited meanwhile do not disturb it). A first visit
runs one small UMAP, so the lazily started job workers are warm, and the script waits until the
server is idle: the state of a server started before class. Each session is a client of Streamlit's
own websocket protocol (bench/loadtest/client.py), all in one asyncio process: 30 Chromium tabs on
2 cores would measure the browser, not the server.

1. Reference: one session alone loads the GloVe sample, opens Explore (PCA of 2,000 points) and
   asks a sample of the neighbour queries, one after the other.
2. Load: ``--sessions`` light sessions start within ``--ramp`` seconds; each loads the sample, opens
   Explore and asks ``--queries`` neighbour queries of its own (words no other session asks, every
   fifth a formula), thinking ``--think`` seconds on average before each. Meanwhile ``--train``
   further sessions train word2vec on the classroom corpus and ``--umap`` further sessions run UMAP
   on Explore, each repeating its job with new settings until the light sessions are done.

Every answer is checked against the neighbours computed in this process for that session's own
query, and every sidebar against the spaces that session loaded: no session may see another's data.
Latency is from sending the rerun to ``script_finished``. Errors (an exception or error box on a
page, a closed socket, a timeout, a wrong answer) must be 0. Memory is the server process and its
job workers; CPU is split between the server, its workers, this client and other programs (which
inflate the latencies: the script warns). Prints tables and a final ``RESULT {json}`` line (ours:
p95 of a neighbour query under load; reference: the same with one session alone); exits 1 on
errors, leaks or heavy jobs that did not finish, not on missing the speed target.

    .venv/bin/python bench/load_test.py [--sessions 30] [--queries 20] [--think 5] [--port 0]

Experiments (not what the app does; the RESULT line names them): ``--streamlit-option
runner.postScriptGC=false`` (any Streamlit setting), ``--nice-workers 10`` (job workers at a lower
CPU priority).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.geometry.neighbours import nearest  # noqa: E402
from app.io.samples import GLOVE_DEFAULT, load_sample  # noqa: E402
from bench.common import report_result  # noqa: E402
from bench.loadtest.client import Session, SessionError  # noqa: E402
from bench.loadtest.scenario import (  # noqa: E402
    SHOW_POINTS,
    Expected,
    Recorder,
    home_and_sample,
    light_session,
    train_session,
    umap_session,
    wait_for_job,
)
from bench.loadtest.server import ROOT, MemorySampler, Renicer, Server, free_port  # noqa: E402

TARGET_P95_SECONDS = 1.0
QUERY = "neighbour query"
LIGHT_OPS = ("open Home", "load sample", "open Explore (PCA)", SHOW_POINTS, QUERY)


def build_queries(sessions: int, per_session: int, reference: int, seed: int) -> Expected:
    """Distinct everyday words for every session (every fifth query a formula of its own words), a
    round-robin sample of them for the reference session, and the true answer to each."""
    space = load_sample("glove", GLOVE_DEFAULT)
    pool = [w for w in space.words[200:8000] if w.isascii() and w.isalpha() and len(w) >= 3]
    random.Random(seed).shuffle(pool)
    if len(pool) < sessions * per_session:
        sys.exit(f"not enough distinct words for {sessions} sessions x {per_session} queries")
    queries: dict[str, list[str]] = {}
    for s in range(sessions):
        words = pool[s * per_session : (s + 1) * per_session]
        mine = []
        for j, word in enumerate(words):
            mine.append(f"{words[j - 3]} - {words[j - 2]} + {words[j - 1]}" if j % 5 == 4 else word)
        queries[f"light-{s:02d}"] = mine
    names = list(queries)
    sampled = [queries[names[i % sessions]][(i // sessions) % per_session] for i in range(reference)]
    queries["reference"] = list(dict.fromkeys(sampled))
    answers = {q: nearest(space, q, k=10).words for qs in queries.values() for q in qs}
    owner = {tuple(words): q for q, words in answers.items()}
    return Expected(queries, answers, owner)


async def first_visit(url: str, timeout: float) -> float:
    """Start what the app starts lazily (warm-ups, the job runner and its worker processes) before
    measuring, as a server started before class would have: a page view and one small UMAP (100
    points). Returns how long that first job took from its button to its picture."""
    session = Session(url, timeout=timeout)
    recorder = Recorder()
    try:
        await home_and_sample(recorder, session)
        await session.open("Explore", session.query_string)
        session.set("n", 100)
        session.set("method", "UMAP")
        await session.rerun()
        session.click("run_projection")
        start = time.perf_counter()
        result = await session.rerun()
        _, finished = await wait_for_job(
            recorder, session, result, lambda r: r.widget("explore_chart") is not None, timeout=timeout
        )
        if not finished:
            raise SessionError("the first UMAP job did not finish")
        return time.perf_counter() - start
    finally:
        await session.close()


async def reference_phase(url: str, expected: Expected, server: Server, points: int) -> Recorder:
    recorder = Recorder(server_cpu=server.cpu_seconds)
    await light_session(recorder, "reference", url, expected, delay=0, think=0, seed=0, points=points)
    return recorder


async def load_phase(url: str, expected: Expected, args: argparse.Namespace) -> Recorder:
    recorder = Recorder()
    heavy = [
        train_session(
            recorder,
            f"train-{i}",
            url,
            delay=i,
            corpus=args.corpus,
            epochs=args.epochs,
            first_seed=100 * i + 1,
            timeout=args.timeout,
        )
        for i in range(args.train)
    ]
    heavy += [
        umap_session(recorder, f"umap-{i}", url, delay=i, index=i, sessions=args.umap, timeout=args.timeout)
        for i in range(args.umap)
    ]
    heavy_tasks = [asyncio.create_task(job) for job in heavy]
    names = [n for n in expected.queries if n != "reference"]
    light = [
        light_session(
            recorder,
            name,
            url,
            expected,
            delay=args.ramp * i / len(names),
            think=args.think,
            seed=i,
            points=args.points,
        )
        for i, name in enumerate(names)
    ]
    monitor = asyncio.create_task(progress(recorder, args.sessions * args.queries))
    await asyncio.sleep(args.heavy_head_start)
    await asyncio.gather(*light)
    recorder.light_done.set()
    await asyncio.gather(*heavy_tasks)
    monitor.cancel()
    return recorder


async def progress(recorder: Recorder, total: int, every: float = 20.0) -> None:
    """A status line on stderr every ``every`` seconds, so a long run shows it is alive."""
    while True:
        await asyncio.sleep(every)
        since = recorder.now() - every
        recent = [s.seconds for s in recorder.samples if s.op == QUERY and s.started + s.seconds > since]
        median = f"{np.median(recent):.2f} s" if recent else "-"
        jobs = sum(j.finished for j in recorder.heavy_jobs)
        print(
            f"  [{recorder.now():4.0f} s] queries {len(recorder.times(QUERY))}/{total}, median of the last "
            f"{every:.0f} s {median}; heavy jobs running {recorder.heavy_running}, finished {jobs}; "
            f"errors {len(recorder.errors)}",
            file=sys.stderr,
            flush=True,
        )


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return float("nan"), float("nan"), float("nan")
    return float(np.percentile(values, 50)), float(np.percentile(values, 95)), max(values)


def table(title: str, recorder: Recorder, ops: tuple[str, ...]) -> None:
    print(f"\n{title}")
    print(
        f"  {'operation':38} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'KB/answer':>9} {'server CPU ms':>13}"
    )
    rows = [(op, recorder.times(op), op) for op in ops]
    if any(s.op == QUERY and s.heavy_running for s in recorder.samples) and title.startswith("Load"):
        rows.append((f"{QUERY} (a heavy job running)", recorder.times(QUERY, heavy=True), QUERY))
    for label, values, op in rows:
        if not values:
            continue
        p50, p95, top = percentiles(values)
        sizes = [s.received_bytes for s in recorder.samples if s.op == op]
        cpu = [s.server_cpu for s in recorder.samples if s.op == op and s.server_cpu is not None]
        cpu_text = f"{np.median(cpu) * 1e3:13.0f}" if cpu else ""
        print(
            f"  {label:38} {len(values):5d} {p50 * 1e3:8.0f} {p95 * 1e3:8.0f} {top * 1e3:8.0f} "
            f"{np.mean(sizes) / 1024:9.0f} {cpu_text}"
        )


def heavy_table(recorder: Recorder) -> None:
    if not recorder.heavy_jobs:
        return
    print("\nHeavy jobs (from pressing the button to the result on the page)")
    for kind in ("train", "umap"):
        jobs = [j for j in recorder.heavy_jobs if j.kind == kind]
        if not jobs:
            continue
        done = [j.seconds for j in jobs if j.finished]
        p50, _, top = percentiles(done)
        sessions = len({j.session for j in jobs})
        print(
            f"  {kind:6} {len(done)} of {len(jobs)} finished in {sessions} session(s): median {p50:.1f} s, "
            f"max {top:.1f} s  ({jobs[0].note}, ...)"
        )


def main_hwm_mb(server: Server) -> float:
    """The server process's own peak RSS (VmHWM) so far, in MB."""
    try:
        status = Path(f"/proc/{server.process.pid}/status").read_text()
    except OSError:
        return float("nan")
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


class CpuMeter:
    """Cores used, on average over a phase, by the server (and its workers), this client, and the rest
    of the machine (other programs compete for the same cores and inflate the latencies)."""

    def __init__(self, server: Server) -> None:
        self._server = server
        self._start = (time.monotonic(), server.cpu_split(), self._client_seconds(), self._machine_seconds())
        self.wall = self.server = self.workers = self.client = self.other = 0.0

    @staticmethod
    def _client_seconds() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    @staticmethod
    def _machine_seconds() -> float:
        times = psutil.cpu_times()
        return sum(times) - times.idle - getattr(times, "iowait", 0.0)

    def stop(self) -> None:
        wall, (main, workers), client, machine = self._start
        self.wall = time.monotonic() - wall
        main_now, workers_now = self._server.cpu_split()
        self.server = (main_now - main) / self.wall
        self.workers = (workers_now - workers) / self.wall
        self.client = (self._client_seconds() - client) / self.wall
        used = (self._machine_seconds() - machine) / self.wall
        self.other = max(0.0, used - self.server - self.workers - self.client)

    def __str__(self) -> str:
        return (
            f"{self.wall:.0f} s on {psutil.cpu_count()} cores; server process {self.server:.2f} cores, its job "
            f"workers {self.workers:.2f}, this client {self.client:.2f}, other programs on the machine {self.other:.2f}"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30, help="light sessions (students asking neighbours)")
    parser.add_argument("--queries", type=int, default=20, help="neighbour queries per light session")
    parser.add_argument(
        "--points", type=int, default=0, help="points in Explore's picture while querying (0: the page's 2,000)"
    )
    parser.add_argument("--think", type=float, default=5.0, help="mean think time between queries, s (0: none)")
    parser.add_argument("--ramp", type=float, default=5.0, help="the light sessions start within this many s")
    parser.add_argument("--train", type=int, default=2, help="sessions training word2vec meanwhile")
    parser.add_argument("--umap", type=int, default=2, help="sessions running UMAP meanwhile")
    parser.add_argument("--corpus", default="classroom", help="built-in corpus to train on (part of its title)")
    parser.add_argument("--epochs", type=int, default=5, help="training epochs")
    parser.add_argument("--heavy-head-start", type=float, default=3.0, help="s the heavy sessions start earlier")
    parser.add_argument("--reference-queries", type=int, default=60, help="queries in the single-session run")
    parser.add_argument("--timeout", type=float, default=600.0, help="s before a run or a job counts as failed")
    parser.add_argument("--port", type=int, default=0, help="server port (0: a free one)")
    parser.add_argument(
        "--launcher",
        choices=["serve", "streamlit"],
        default="serve",
        help="serve.py as `make run` (UMAP warm-up at start) or plain `streamlit run`",
    )
    parser.add_argument(
        "--nice-workers",
        type=int,
        default=0,
        help="experiment: run the job worker processes at this niceness (the app does not; 0: as the app does)",
    )
    parser.add_argument(
        "--streamlit-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="experiment: one more Streamlit setting for the server, e.g. runner.postScriptGC=false (repeatable)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the word choice")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    expected = build_queries(args.sessions, args.queries, args.reference_queries, args.seed)
    with tempfile.TemporaryDirectory(prefix="embedding-lab-load-") as tmp:
        log = ROOT / "test-artifacts" / "load-test-server.log"
        log.parent.mkdir(exist_ok=True)
        server = Server(
            args.port or free_port(), Path(tmp), log, launcher=args.launcher, options=tuple(args.streamlit_option)
        )
        server.start()
        sampler = MemorySampler(server)
        try:
            sampler.start()
            first_job = asyncio.run(first_visit(server.url, args.timeout))
            waited = server.wait_until_idle()
            print(
                f"server {server.url} ({args.launcher}), log {log}\nfirst heavy job after the server started "
                f"(UMAP of 100 points): {first_job:.1f} s; the server was idle {waited:.0f} s later"
            )
            cpu_reference = CpuMeter(server)
            reference = asyncio.run(reference_phase(server.url, expected, server, args.points))
            cpu_reference.stop()
            table("Reference: one session alone, no heavy jobs", reference, LIGHT_OPS)
            print(f"  CPU: {cpu_reference}")
            server.wait_until_idle()
            if args.nice_workers:
                Renicer(server, args.nice_workers).start()
            main_before = sampler.main_rss
            cpu = CpuMeter(server)
            load = asyncio.run(load_phase(server.url, expected, args))
            cpu.stop()
            time.sleep(2 * sampler.interval)
            memory = Memory(sampler, main_before, sampler.main_rss, main_hwm_mb(server))
        finally:
            sampler.stop()
            server.stop()
    report(args, reference, load, memory, cpu_reference, cpu)


@dataclass(frozen=True)
class Memory:
    """The server's memory: the whole tree's peaks, and the server process before and after the load."""

    sampler: MemorySampler
    main_before: int
    main_after: int
    main_hwm_mb: float

    def __str__(self) -> str:
        mb = 1024 * 1024
        return (
            f"server process and job workers: peak RSS {self.sampler.peak_rss / mb:.0f} MB, peak PSS "
            f"{self.sampler.peak_pss / mb:.0f} MB, up to {self.sampler.peak_processes} processes; server process "
            f"alone: {self.main_before / mb:.0f} MB before the load, {self.main_after / mb:.0f} MB after it, "
            f"peak (VmHWM) {self.main_hwm_mb:.0f} MB"
        )


def report(args, reference, load, memory: Memory, cpu_reference, cpu) -> None:
    heavy_desc = f"{args.train} training + {args.umap} UMAP sessions"
    experiments = [f"job workers at nice {args.nice_workers}"] if args.nice_workers else []
    experiments += args.streamlit_option
    if experiments:
        heavy_desc += f" (experiment: {'; '.join(experiments)})"
    table(
        f"Load: {args.sessions} sessions x {args.queries} queries (think {args.think:g} s) + {heavy_desc}",
        load,
        (*LIGHT_OPS, "open Train", "set up training", "switch to UMAP", "set UMAP settings", "progress poll"),
    )
    heavy_table(load)
    print(f"\nMemory: {memory}")
    print(f"CPU during the load phase: {cpu}")
    queries = [x for x in load.samples if x.op == QUERY]
    if len(queries) > 1:
        span = max(x.started + x.seconds for x in queries) - min(x.started for x in queries)
        print(f"Throughput: {len(queries) / span:.1f} neighbour queries per second over {span:.0f} s")
    if max(cpu.other, cpu_reference.other) > 0.2:
        print("WARNING: other programs used the same cores during the test; the latencies above are inflated")
    errors = reference.errors + load.errors
    leaks = reference.leaks + load.leaks
    checks = {k: reference.checks[k] + load.checks[k] for k in set(reference.checks) | set(load.checks)}
    print(f"Isolation checks: {dict(sorted(checks.items()))}; leaks: {len(leaks)}")
    for leak in leaks[:20]:
        print(f"  LEAK {leak}")
    print(f"Errors: {len(errors)}")
    for error in errors[:20]:
        print(f"  ERROR {error}")
    wanted = {"train": args.train, "umap": args.umap}
    unfinished = [j for j in load.heavy_jobs if not j.finished]
    sessions_done = {k: len({j.session for j in load.heavy_jobs if j.kind == k and j.finished}) for k in wanted}
    heavy_ok = not unfinished and all(sessions_done[k] >= n for k, n in wanted.items())
    ours = percentiles(load.times(QUERY))[1]
    ref = percentiles(reference.times(QUERY))[1]
    under_heavy = percentiles(load.times(QUERY, heavy=True))[1]
    met = ours < TARGET_P95_SECONDS and (np.isnan(under_heavy) or under_heavy < TARGET_P95_SECONDS)
    during = f"{under_heavy:.2f} s with a heavy job running" if load.heavy_jobs else "no heavy jobs ran"
    print(
        f"\nTarget p95 of a neighbour query under {TARGET_P95_SECONDS:.0f} s while the heavy jobs run: "
        f"{'MET' if met else 'MISSED'} (p95 {ours:.2f} s; {during})"
    )
    finished = sum(j.finished for j in load.heavy_jobs)
    note = [
        f"target < {TARGET_P95_SECONDS:g} s {'met' if met else 'MISSED'}",
        f"p95 {during}",
        f"errors {len(errors)}",
        f"leaks {len(leaks)}",
        f"peak server RSS {memory.sampler.peak_rss / 2**20:.0f} MB (process and job workers)",
        f"heavy jobs {'all' if heavy_ok else 'NOT all'} finished ({finished} jobs)",
        f"other programs used {cpu.other:.2f} cores",
    ]
    report_result(
        f"p95 neighbour query latency, s: {args.sessions} sessions x {args.queries} queries "
        f"on a picture of {args.points or 2000:,} points "
        f"(think {args.think:g} s) + {heavy_desc}, vs one session alone",
        round(ours, 3),
        round(ref, 3),
        round(ours / ref, 2) if ref else None,
        "; ".join(note),
        ok=not (errors or leaks or not heavy_ok),  # correctness, not speed: the target is in the note
    )
    if errors or leaks or not heavy_ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
