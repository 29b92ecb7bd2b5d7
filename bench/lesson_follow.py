"""Load test of a live lesson: 30 followers, the teacher moves 10 steps; how long until each
follower's page shows the new step (target: within 2 s at p95).

Starts the app on a free loopback port (bench/loadtest/server.py; workspaces in a temporary folder,
a teacher code set), writes an 11-step text lesson to the class shelf, and drives every browser
through Streamlit's own websocket protocol (bench/loadtest/client.py), all in one asyncio process:

- the teacher unlocks the teacher code on Home, opens the published lesson on the Lessons page,
  presses "Lead this lesson live", then presses Next ten times (each after every follower has
  arrived, or after ``--timeout`` s);
- each follower opens the live lesson's link (``?lesson=live:<id>``) on the Lessons page and, as
  the browser does, reruns the page's ``run_every=1`` fragment every second (at its own phase).

A follower's time is from the moment the teacher's Next is sent to the first answer whose page
shows "Step k of 11". Steps are text only, so this measures following, not drawing a widget.
Prints p50/p95/max and a ``RESULT {json}`` line (reference: the 2 s target); exits 1 on errors.

    .venv/bin/python bench/lesson_follow.py [--followers 30] [--moves 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.lessons import store  # noqa: E402
from app.lessons.format import Lesson, Step  # noqa: E402
from app.store.workspace import published  # noqa: E402
from bench.common import report_result  # noqa: E402
from bench.loadtest.client import Session, SessionError  # noqa: E402
from bench.loadtest.server import ROOT, Server, free_port  # noqa: E402

TARGET_SECONDS = 2.0
TEACHER_CODE = "bench-teacher-code"
SLUG = "following-the-teacher"


def bench_lesson(steps: int) -> Lesson:
    return Lesson(
        title="Following the teacher",
        level="beginner",
        summary="A text-only lesson for the follow benchmark.",
        steps=tuple(Step(title=f"Idea {i + 1}", text=f"The text of step {i + 1}.") for i in range(steps)),
    )


def shows_step(session: Session, step: int, total: int) -> bool:
    result = session.last
    return result is not None and any(f"Step {step} of {total}" in text for text in result.texts())


class Follower:
    """One student tab following the live lesson: reruns its fragment every second."""

    def __init__(self, name: str, url: str, timeout: float) -> None:
        self.name = name
        self.session = Session(url, timeout=timeout)
        self.fragment = ""
        self.interval = 1.0
        self.errors: list[str] = []
        self.run_seconds: list[float] = []  # the rerun that brought each new step: its own duration

    async def join(self, query: str, total: int) -> None:
        await self.session.connect()
        result = await self.session.open("Lessons", query)
        self.errors += result.errors
        if not shows_step(self.session, 1, total):
            raise SessionError(f"{self.name}: the live lesson did not open at step 1")
        self._remember_fragment()

    def _remember_fragment(self) -> None:
        last = self.session.last
        if last is not None and last.auto_reruns:
            self.fragment, self.interval = next(iter(last.auto_reruns.items()))

    async def follow(
        self, stop: asyncio.Event, moves: dict[int, float], arrived: dict[int, dict[str, float]], total: int
    ):
        """Tick every ``interval`` s; record when each moved-to step first shows on this page."""
        await asyncio.sleep(random.random() * self.interval)  # tabs do not tick in step
        while not stop.is_set():
            tick = time.perf_counter()
            try:
                result = await self.session.rerun(fragment_id=self.fragment)
            except SessionError as exc:
                self.errors.append(f"{self.name}: {exc}")
                return
            self.errors += result.errors
            if result.full_run:
                self._remember_fragment()
            for step, sent in moves.items():
                if self.name not in arrived[step] and shows_step(self.session, step, total):
                    arrived[step][self.name] = time.perf_counter() - sent
                    self.run_seconds.append(result.seconds)
            await asyncio.sleep(max(0.0, self.interval - (time.perf_counter() - tick)))


async def teacher_session(url: str, timeout: float, total: int) -> tuple[Session, str]:
    """Unlock the teacher code, open the published lesson, lead it live; returns the live link's query."""
    teacher = Session(url, timeout=timeout)
    await teacher.connect()
    await teacher.open("")
    teacher.set("teacher_code", TEACHER_CODE)
    await teacher.rerun()
    result = await teacher.open("Lessons", f"lesson=published:{SLUG}&step=1")
    if result.widget("live_start") is None:
        raise SessionError(f"no 'Lead this lesson live' button for the teacher: {result.errors or result.texts()[:5]}")
    teacher.click("live_start")
    result = await teacher.rerun()
    if "lesson=live" not in teacher.query_string or not shows_step(teacher, 1, total):
        raise SessionError(f"the teacher is not leading live: {teacher.query_string!r} {result.errors}")
    return teacher, teacher.query_string


async def run(args: argparse.Namespace, url: str) -> tuple[dict[int, dict[str, float]], list[str], list[float]]:
    total = args.moves + 1
    teacher, query = await teacher_session(url, args.timeout, total)
    followers = [Follower(f"follower-{i:02d}", url, args.timeout) for i in range(args.followers)]
    await asyncio.gather(*(f.join(query, total) for f in followers))
    stop = asyncio.Event()
    moves: dict[int, float] = {}
    arrived: dict[int, dict[str, float]] = {step: {} for step in range(2, total + 1)}
    tasks = [asyncio.create_task(f.follow(stop, moves, arrived, total)) for f in followers]
    errors: list[str] = []
    try:
        await asyncio.sleep(2.0)
        for step in range(2, total + 1):
            teacher.click("lesson_next")
            moves[step] = time.perf_counter()
            result = await teacher.rerun()
            errors += result.errors
            if not shows_step(teacher, step, total):
                errors.append(f"teacher: Next did not reach step {step}")
            deadline = time.perf_counter() + args.timeout
            while len(arrived[step]) < len(followers) and time.perf_counter() < deadline:
                await asyncio.sleep(0.1)
            late = len(followers) - len(arrived[step])
            print(
                f"  step {step}: {len(arrived[step])} of {len(followers)} followers arrived"
                + (f", {late} late" if late else "")
            )
            await asyncio.sleep(args.pause * (1 + random.random()))  # moves fall at any phase of the ticks
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await asyncio.gather(teacher.close(), *(f.session.close() for f in followers))
    for follower in followers:
        errors += follower.errors
    runs = [seconds for f in followers for seconds in f.run_seconds]
    return arrived, errors, runs


def _machine_busy() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=30)
    parser.add_argument("--moves", type=int, default=10, help="steps the teacher moves (the lesson has one more)")
    parser.add_argument("--pause", type=float, default=1.0, help="s between the class arriving and the next move")
    parser.add_argument("--timeout", type=float, default=30.0, help="s a follower may take before it counts as lost")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    os.environ["EMBEDDING_LAB_TEACHER_CODE"] = TEACHER_CODE
    os.environ["EMBEDDING_LAB_NO_WARMUP"] = "1"
    with tempfile.TemporaryDirectory(prefix="embedding-lab-follow-") as tmp:
        store.published_lessons(published(tmp).path).save(bench_lesson(args.moves + 1))
        log = ROOT / "test-artifacts" / "lesson-follow-server.log"
        log.parent.mkdir(exist_ok=True)
        server = Server(free_port(), Path(tmp), log, launcher="streamlit")
        server.start()
        try:
            started, cpu_before = time.perf_counter(), server.cpu_seconds()
            machine_before = _machine_busy()
            arrived, errors, runs = asyncio.run(run(args, server.url))
            wall = time.perf_counter() - started
            server_cores = (server.cpu_seconds() - cpu_before) / wall
            machine_cores = (_machine_busy() - machine_before) / wall
        finally:
            server.stop()
    times = [seconds for per_step in arrived.values() for seconds in per_step.values()]
    expected = args.followers * args.moves
    lost = expected - len(times)
    p50, p95, top = (float(np.percentile(times, q)) for q in (50, 95, 100)) if times else (float("nan"),) * 3
    print(
        f"\n{args.followers} followers, {args.moves} moves, {wall:.0f} s: follower on the new step after "
        f"p50 {p50:.2f} s, p95 {p95:.2f} s, max {top:.2f} s; {len(times)} of {expected} arrivals, lost {lost}"
    )
    if runs:
        print(
            f"  of which the rerun that brought the step: p50 {np.percentile(runs, 50):.2f} s, p95 "
            f"{np.percentile(runs, 95):.2f} s (the rest is waiting for the next 1 s tick)"
        )
    print(
        f"  CPU: the server used {server_cores:.2f} cores, the whole machine {machine_cores:.2f} of "
        f"{psutil.cpu_count()} (other programs inflate the figures)"
    )
    for error in errors[:20]:
        print(f"  ERROR {error}")
    met = p95 < TARGET_SECONDS and not lost
    report_result(
        f"p95 s from the teacher's move until a follower's page shows the step ({args.followers} followers, "
        f"{args.moves} moves)",
        round(p95, 3),
        TARGET_SECONDS,
        round(p95 / TARGET_SECONDS, 2),
        f"target < {TARGET_SECONDS:g} s {'met' if met else 'MISSED'}; p50 {p50:.2f} s, max {top:.2f} s; "
        f"lost {lost}; errors {len(errors)}; fragment polls every 1 s; server {server_cores:.2f} cores, "
        f"machine {machine_cores:.2f} of {psutil.cpu_count()} busy",
        ok=not errors and not lost,
    )
    if errors or lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
