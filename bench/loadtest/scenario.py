"""What the simulated students do, and what is recorded about it.

A *light* session loads the GloVe sample on Home, opens Explore (the PCA of the 2,000 most frequent
words is drawn at page load) and asks its own neighbour queries with a think time between them,
checking every answer against the neighbours computed locally for *its* query. A *UMAP* session
switches Explore to UMAP and runs it; a *train* session trains word2vec on the built-in classroom
corpus. Heavy sessions repeat their job with new parameters (a new cache key) until the light
sessions are done, so the light operations are measured while heavy jobs run; they poll as the
browser does, by rerunning the progress fragment at the interval the server asked for.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from streamlit.proto.Alert_pb2 import Alert

from .client import RunResult, Session, SessionError

HOME, EXPLORE, TRAIN = "", "Explore", "Train"


@dataclass
class Sample:
    """One timed operation: when it started (seconds since the phase began), how long it took,
    and whether a heavy job was running when it was sent."""

    op: str
    started: float
    seconds: float
    heavy_running: bool
    received_bytes: int = 0
    server_cpu: float | None = None  # server CPU seconds spent meanwhile (one session alone: its cost)


@dataclass
class HeavyJob:
    kind: str
    session: str
    seconds: float
    finished: bool
    note: str = ""


@dataclass
class Recorder:
    """Everything one phase measured, shared by all its sessions (one asyncio loop, no locks)."""

    started: float = field(default_factory=time.perf_counter)
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    heavy_jobs: list[HeavyJob] = field(default_factory=list)
    checks: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    leaks: list[str] = field(default_factory=list)
    heavy_running: int = 0
    light_done: asyncio.Event = field(default_factory=asyncio.Event)
    server_cpu: Callable[[], float] | None = None  # set when one session runs alone

    def now(self) -> float:
        return time.perf_counter() - self.started

    def error(self, session: str, what: str) -> None:
        self.errors.append(f"{session}: {what}")

    def times(self, op: str, *, heavy: bool | None = None) -> list[float]:
        return [s.seconds for s in self.samples if s.op == op and (heavy is None or s.heavy_running == heavy)]


@dataclass(frozen=True)
class Expected:
    """The neighbour queries of every session and their true answers (computed in this process)."""

    queries: dict[str, list[str]]  # session name -> its queries
    answers: dict[str, list[str]]  # query -> its 10 nearest words
    owner: dict[tuple[str, ...], str]  # answer -> the query it answers


async def timed(recorder: Recorder, session: Session, op: str, run) -> RunResult:
    """Await ``run`` (a rerun coroutine), record its time, and fail on errors on the page."""
    started, heavy = recorder.now(), recorder.heavy_running > 0
    cpu_before = recorder.server_cpu() if recorder.server_cpu else 0.0
    result = await run
    cpu = recorder.server_cpu() - cpu_before if recorder.server_cpu else None
    recorder.samples.append(Sample(op, started, result.seconds, heavy, result.received_bytes, cpu))
    if result.errors:
        raise SessionError(f"{op}: " + "; ".join(result.errors))
    return result


def check_private(recorder: Recorder, name: str, result: RunResult, allowed: set[str]) -> None:
    """The sidebar's space picker lists only spaces this session loaded or trained itself."""
    picker = next((e for e in result.of_kind("selectbox") if e.proto.label == "Active space"), None)
    if picker is None:
        return
    recorder.checks["space picker"] += 1
    foreign = [o for o in picker.proto.options if not any(o.startswith(a) for a in allowed)]
    if foreign:
        recorder.leaks.append(f"{name}: sidebar lists spaces it never loaded: {foreign}")


async def home_and_sample(recorder: Recorder, session: Session) -> RunResult:
    """Home, then the Load sample button (GloVe, 20,000 words: the defaults)."""
    await session.connect()
    await timed(recorder, session, "open Home", session.open(HOME))
    session.click("load_sample")
    result = await timed(recorder, session, "load sample", session.rerun())
    if not any("Active space: GloVe" in text for text in result.texts()):
        raise SessionError("Home does not show the GloVe sample after Load sample")
    return result


async def open_explore(recorder: Recorder, session: Session) -> RunResult:
    result = await timed(recorder, session, "open Explore (PCA)", session.open(EXPLORE, session.query_string))
    if result.widget("explore_chart") is None or not any("PCA keeps" in t for t in result.texts()):
        raise SessionError("Explore shows no PCA picture")
    return result


async def show_points(recorder: Recorder, session: Session, points: int) -> RunResult:
    """Make Explore's picture show ``points`` points (the PCA of the most frequent words)."""
    session.set("n", points)
    result = await timed(recorder, session, SHOW_POINTS, session.rerun())
    shown = f"Showing the first {points:,} of"
    if not any(shown in t for t in result.texts()):
        raise SessionError(f"Explore does not show {points:,} points: " + " | ".join(result.texts()[:8]))
    return result


SHOW_POINTS = "show the points"


async def light_session(
    recorder: Recorder,
    name: str,
    url: str,
    expected: Expected,
    *,
    delay: float,
    think: float,
    seed: int,
    points: int = 0,
) -> None:
    """Load the sample, open Explore (with ``points`` points in the picture, if given), then ask
    this session's queries with think time between them."""
    await asyncio.sleep(delay)
    rng = random.Random(seed)
    session = Session(url)
    try:
        await home_and_sample(recorder, session)
        result = await open_explore(recorder, session)
        if points:
            result = await show_points(recorder, session, points)
        check_private(recorder, name, result, {"GloVe"})
        for query in expected.queries[name]:
            if think:
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
            session.set("query", query)
            result = await timed(recorder, session, "neighbour query", session.rerun())
            check_answer(recorder, name, query, result, expected)
            check_private(recorder, name, result, {"GloVe"})
            if result.of_kind("progress"):
                recorder.leaks.append(f"{name}: a progress bar appeared on a page that started no job")
    except SessionError as exc:
        recorder.error(name, str(exc))
    except Exception as exc:  # a bug in this script or an unexpected page: counted, never hidden
        recorder.error(name, f"{type(exc).__name__}: {exc}")
    finally:
        await session.close()


def check_answer(recorder: Recorder, name: str, query: str, result: RunResult, expected: Expected) -> None:
    """The table must list the neighbours of this session's own query, nothing else."""
    tables = [t for t in result.dataframes() if "word" in t.columns and "similarity" in t.columns]
    if not tables:
        recorder.error(name, f"no neighbours table for {query!r}")
        return
    got = tuple(tables[0]["word"].tolist())
    recorder.checks["neighbour tables"] += 1
    if list(got) == expected.answers[query]:
        return
    owner = expected.owner.get(got)
    if owner is not None and owner not in expected.queries[name]:
        recorder.leaks.append(f"{name} asked {query!r} and got the answer to another session's query {owner!r}")
    else:
        recorder.error(name, f"wrong neighbours for {query!r}: {list(got)} (expected {expected.answers[query]})")


async def wait_for_job(
    recorder: Recorder, session: Session, result: RunResult, done, *, timeout: float
) -> tuple[RunResult, bool]:
    """Poll like the browser: rerun the progress fragment at the interval the server asked for,
    until ``done(result)`` holds on a full-page run (the fragment reruns the app when the job ends)."""
    deadline = time.monotonic() + timeout
    while not done(result):
        if result.errors:
            raise SessionError("; ".join(result.errors))
        if not result.auto_reruns:
            raise SessionError("the job shows no progress and no result: " + " | ".join(result.texts()[-3:]))
        if time.monotonic() > deadline:
            return result, False
        fragment, interval = next(iter(result.auto_reruns.items()))
        await asyncio.sleep(interval)
        polled = await session.rerun(fragment_id=fragment)
        if polled.errors:
            raise SessionError("; ".join(polled.errors))
        recorder.samples.append(Sample("progress poll", recorder.now(), polled.seconds, True, polled.received_bytes))
        if polled.full_run:
            result = polled
    return result, True


def umap_settings(index: int, sessions: int, job: int) -> tuple[int, float]:
    """(n_neighbors, min_dist) of a session's job-th UMAP: never the same pair twice in the whole
    run, so every job is computed, not found in the server's result cache."""
    number = index + job * sessions
    return 5 + number % 96, round(0.05 * (2 + number // 96), 2)


async def umap_session(
    recorder: Recorder, name: str, url: str, *, delay: float, index: int, sessions: int, timeout: float
) -> None:
    """Explore with UMAP: press Run, follow the progress, see the picture; again with other settings."""
    await asyncio.sleep(delay)
    session = Session(url, timeout=timeout)
    job = 0
    try:
        await home_and_sample(recorder, session)
        await open_explore(recorder, session)
        session.set("method", "UMAP")
        await timed(recorder, session, "switch to UMAP", session.rerun())
        while True:
            neighbours, min_dist = umap_settings(index, sessions, job)
            session.set("n_neighbors", neighbours)
            session.set("min_dist", min_dist)
            result = await timed(recorder, session, "set UMAP settings", session.rerun())
            if result.widget("run_projection") is None:
                raise SessionError("no Run UMAP button: " + " | ".join(result.texts()[-3:]))
            session.click("run_projection")
            recorder.heavy_running += 1
            start = time.perf_counter()
            try:
                result = await session.rerun()
                result, finished = await wait_for_job(
                    recorder, session, result, lambda r: r.widget("explore_chart") is not None, timeout=timeout
                )
            finally:
                recorder.heavy_running -= 1
            note = f"UMAP 2D of 2,000 points, n_neighbors={neighbours}, min_dist={min_dist}"
            recorder.heavy_jobs.append(HeavyJob("umap", name, time.perf_counter() - start, finished, note))
            if not finished:
                raise SessionError(f"{note} did not finish within {timeout:.0f} s")
            if not any("UMAP" in t or "umap" in t for t in result.texts()):
                raise SessionError("the picture after the job is not a UMAP")
            if recorder.light_done.is_set():
                break
            job += 1
    except SessionError as exc:
        recorder.error(name, str(exc))
    except Exception as exc:
        recorder.error(name, f"{type(exc).__name__}: {exc}")
    finally:
        await session.close()


TRAININGS_PER_TAB = 8  # a session keeps every space it trains, up to the app's limit per session


async def train_session(
    recorder: Recorder,
    name: str,
    url: str,
    *,
    delay: float,
    corpus: str,
    epochs: int,
    first_seed: int,
    timeout: float,
) -> None:
    """Train word2vec on a built-in corpus, follow the live progress, see the result; again with
    another seed (a new cache key). Every few trainings the student opens a fresh tab, since a
    session holds a bounded number of spaces."""
    await asyncio.sleep(delay)
    seed = first_seed
    try:
        while not recorder.light_done.is_set():
            await train_in_one_tab(recorder, name, url, corpus=corpus, epochs=epochs, seed=seed, timeout=timeout)
            seed += TRAININGS_PER_TAB
    except SessionError as exc:
        recorder.error(name, str(exc))
    except Exception as exc:
        recorder.error(name, f"{type(exc).__name__}: {exc}")


async def train_in_one_tab(
    recorder: Recorder, name: str, url: str, *, corpus: str, epochs: int, seed: int, timeout: float
) -> None:
    session = Session(url, timeout=timeout)
    trained: set[str] = {"GloVe"}
    try:
        await session.connect()
        result = await timed(recorder, session, "open Train", session.open(TRAIN))
        if result.widget("corpus_choice") is None or result.widget("run_train") is None:
            raise SessionError("the Train page has no corpus choice or no Train button")
        session.set("corpus_choice", corpus)
        session.set("train_epochs", epochs)
        for run in range(TRAININGS_PER_TAB):
            session.set("train_seed", seed + run)
            result = await timed(recorder, session, "set up training", session.rerun())
            check_private(recorder, name, result, trained)  # its own trained spaces, no one else's
            if result.widget("run_train") is None:
                raise SessionError("no Train button: " + " | ".join(result.texts()[-3:]))
            session.click("run_train")
            recorder.heavy_running += 1
            start = time.perf_counter()
            try:
                result = await session.rerun()
                result, finished = await wait_for_job(recorder, session, result, trained_space, timeout=timeout)
            finally:
                recorder.heavy_running -= 1
            note = f"word2vec, {corpus} corpus, {epochs} epochs, seed {seed + run}"
            recorder.heavy_jobs.append(HeavyJob("train", name, time.perf_counter() - start, finished, note))
            if not finished:
                raise SessionError(f"training ({note}) did not finish within {timeout:.0f} s")
            trained.add(trained_space(result) or "")
            if recorder.light_done.is_set():
                break
    finally:
        await session.close()


def trained_space(result: RunResult) -> str | None:
    """The name of the space the Train page says it trained ("Trained **name**: ..."), if any."""
    for body in result.alerts(Alert.SUCCESS):
        if body.startswith("Trained **"):
            return body.split("**")[1]
    return None
