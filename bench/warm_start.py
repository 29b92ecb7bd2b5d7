"""Time the first jobs after a server restart: a UMAP of 2,000 GloVe words and a training on the
classroom corpus, each from the moment a fresh server's job runner answers, warm (numba's disk cache
filled by an earlier start) next to cold (an empty cache, as on the first start after an install).

Each figure comes from its own fresh "server": a new Python process that starts the job runner as
the app does (``JobRunner().start()``: the worker forkserver with its preload), then at once submits
one job through the jobs API, as a page's Run button does (the websocket is not driven). The time
counted runs from the runner answering to the job's result, loading the 2,000 GloVe words included.
Targets (issue 11): warm UMAP within 10 s, warm training within 5 s.

``--end-to-end`` measures what a student sees instead: a fresh ``serve.py`` (as ``make run`` starts
it) on a free port, the clock started when its ``/_stcore/health`` first answers, then one session
over Streamlit's websocket (bench/loadtest) that opens the page and presses Run as a student would
(Home -> GloVe -> Explore -> UMAP -> Run; or Train -> Train), until the picture or the trained space
is on the page. It includes the page runs and the progress polls; the forkserver's preload runs
while Streamlit itself starts.

    .venv/bin/python bench/warm_start.py [--points 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from common import ROOT, report_result

UMAP_TARGET, TRAIN_TARGET = 10.0, 5.0


def serve_one(job: str, points: int) -> dict:
    """In a fresh process: start the runner, submit one job, return the seconds it took after answering."""
    from app.runtime.jobs import JobRunner

    runner = JobRunner(isolation="process")
    runner.start()
    answered = time.perf_counter()
    if job == "umap":
        from app.io.samples import load_glove
        from app.projection.methods import METHODS, project

        space = load_glove(points)
        estimate = METHODS["umap"].estimate(len(space), space.dim)
        handle = runner.submit("UMAP", partial(project, space, "umap", 2), estimate_seconds=estimate.seconds)
        projection = handle.result(900)
        extra = {"estimate": estimate.seconds, "certain": estimate.certain, "umap_seconds": projection.seconds}
    else:
        from app.training.config import TrainConfig
        from app.training.corpus import builtin_corpus
        from app.training.run import train_job

        handle = runner.submit("Training", partial(train_job, builtin_corpus("classroom"), TrainConfig()))
        trained = handle.result(900)
        extra = {"words": len(trained.space)}
    seconds = time.perf_counter() - answered
    runner.shutdown()
    return {"seconds": seconds, **extra}


def end_to_end(job: str, cache_dir: Path) -> dict:
    """A fresh `serve.py`; seconds from its first health answer until the job's result is on the page."""
    from bench.loadtest.server import Server, free_port

    with tempfile.TemporaryDirectory(prefix="embedding-lab-warm-") as work:
        server = Server(free_port(), Path(work) / "workspaces", Path(work) / "server.log")
        server.env["EMBEDDING_LAB_CACHE_DIR"] = str(cache_dir)
        server.start(timeout=180)
        answered = time.perf_counter()
        try:
            asyncio.run(_student(job, server.url))
        finally:
            server.stop()
    return {"seconds": time.perf_counter() - answered}


async def _student(job: str, url: str) -> None:
    """Open the page and run the job as a student would, following its progress until it is done."""
    from bench.loadtest.client import Session, SessionError
    from bench.loadtest.scenario import TRAIN, Recorder, home_and_sample, open_explore, trained_space, wait_for_job

    recorder, session = Recorder(), Session(url, timeout=600)
    try:
        if job == "umap":
            await home_and_sample(recorder, session)
            await open_explore(recorder, session)
            session.set("method", "UMAP")
            await session.rerun()
            session.click("run_projection")
            result, finished = await wait_for_job(
                recorder, session, await session.rerun(), lambda r: r.widget("explore_chart") is not None, timeout=600
            )
        else:
            await session.connect()
            await session.open(TRAIN)
            session.click("run_train")
            result, finished = await wait_for_job(recorder, session, await session.rerun(), trained_space, timeout=600)
        if not finished:
            raise SessionError(f"the {job} job did not finish")
    finally:
        await session.close()


def fresh_server(job: str, points: int, cache_dir: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("NUMBA_CACHE_DIR", "EMBEDDING_LAB_NO_WARMUP")}
    env["EMBEDDING_LAB_CACHE_DIR"] = str(cache_dir)
    env["PYTHONPATH"] = str(ROOT)  # the forkserver imports the app from here, whatever the installed copy
    command = [sys.executable, __file__, "--serve", job, "--points", str(points)]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=2_000, help="most frequent GloVe words to project")
    parser.add_argument("--serve", choices=["umap", "train"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--end-to-end", action="store_true", help="time a real server and a student's session (see the doc)"
    )
    args = parser.parse_args()
    if args.serve:
        print(json.dumps(serve_one(args.serve, args.points)), flush=True)
        return

    from app.runtime.kernels import cache_root

    warm_dir = Path(os.environ.get("EMBEDDING_LAB_CACHE_DIR") or cache_root())
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "app.runtime.kernels"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "EMBEDDING_LAB_CACHE_DIR": str(warm_dir)},
    )
    print(f"kernels ready in the warm cache ({time.perf_counter() - began:.0f} s, `make run` does this once)")
    figures: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="embedding-lab-cold-") as cold_dir:
        for start, folder in (("warm", warm_dir), ("cold", Path(cold_dir))):
            for job in ("umap", "train"):
                if args.end_to_end:
                    figures[f"{start} {job}"] = end_to_end(job, folder)
                else:
                    figures[f"{start} {job}"] = fresh_server(job, args.points, folder)
                print(f"{start} start, first {job}: {figures[f'{start} {job}']}", flush=True)
    warm_umap, cold_umap = figures["warm umap"]["seconds"], figures["cold umap"]["seconds"]
    warm_train, cold_train = figures["warm train"]["seconds"], figures["cold train"]["seconds"]
    warm = figures["warm umap"]
    said = (
        f"; UMAP estimate {warm['estimate']:.1f} s ({'certain' if warm['certain'] else 'uncertain'})"
        if "estimate" in warm
        else ""
    )
    how = "a real server, a student's session, from the first health answer" if args.end_to_end else "jobs API"
    ok = warm_umap <= UMAP_TARGET and warm_train <= TRAIN_TARGET
    report_result(
        f"first UMAP of {args.points:,} GloVe words / first classroom training after a restart (s; {how})",
        f"{warm_umap:.1f} / {warm_train:.1f}",
        f"{cold_umap:.1f} / {cold_train:.1f} cold",
        f"{cold_umap / warm_umap:.1f}x",
        f"warm = numba cache filled, cold = empty cache; targets {UMAP_TARGET:g} s / {TRAIN_TARGET:g} s{said}",
        ok=ok,
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
