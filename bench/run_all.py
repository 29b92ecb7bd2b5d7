"""Run every benchmark under bench/ and print one markdown table: each figure next to its reference
tool's, measured in the same run.

Each script runs in its own process (one at a time, so they do not compete for the two cores), with
its output shown as it comes and kept in bench/.cache/logs/NAME.log. A script reports through its
last ``RESULT {json}`` line (bench/common.py: report_result): what was measured, our figure, the
reference tool's, their ratio and a note. A script that fails, times out or prints no RESULT line
gets a row saying so. bench/warm_start.py starts four fresh servers (warm and cold numba cache) and
takes a few minutes. bench/load_test.py (30 simulated students, several minutes) runs only with
``--with-load-test``. Exits 1 when any script failed or a result differs from its reference.

    .venv/bin/python bench/run_all.py [--with-load-test] [--only NAME ...] [--timeout 1800]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"common.py", "run_all.py"}
LOAD_TEST = "load_test.py"
LOGS = BENCH / ".cache" / "logs"
COLUMNS = ("benchmark", "what", "ours", "reference, same run", "ratio", "check", "time")


@dataclass
class Outcome:
    """What one script did: its RESULT record (if any), exit code, time and the tail of its output."""

    name: str
    about: str = ""
    result: dict | None = None
    returncode: int | None = None
    seconds: float = 0.0
    timed_out: bool = False
    tail: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Exited 0 and, when it reported, its answers matched the reference (a missing RESULT line is
        shown in the table, not counted as a failure: the script's own exit code says whether it passed)."""
        return self.returncode == 0 and (self.result or {}).get("ok", True) is not False

    def check(self) -> str:
        if self.timed_out:
            return "TIMEOUT"
        if self.returncode != 0:
            return f"FAILED (exit {self.returncode})"
        if self.result is None:
            return "no RESULT line"
        return "ok" if self.ok else "MISMATCH"


def scripts(with_load_test: bool, only: list[str]) -> list[Path]:
    """The benchmark scripts to run, in name order."""
    found = [p for p in sorted(BENCH.glob("*.py")) if p.name not in NOT_BENCHMARKS]
    if not with_load_test:
        found = [p for p in found if p.name != LOAD_TEST]
    if only:
        wanted = {name.removesuffix(".py") for name in only}
        found = [p for p in found if p.stem in wanted]
    return found


def run(script: Path, timeout: float) -> Outcome:
    """Run one script with the same Python, echoing its output; stop its process group at the timeout."""
    outcome = Outcome(script.stem, about=first_docstring_line(script))
    LOGS.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with (LOGS / f"{script.stem}.log").open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-u", str(script)],
            cwd=BENCH.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,  # its own process group, so a timeout also stops its children
        )

        def stop() -> None:
            outcome.timed_out = True
            try:
                os.killpg(process.pid, signal.SIGTERM)
                time.sleep(5)
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, stop)
        timer.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                print(f"  {script.stem} | {line}", end="", flush=True)
                log.write(line)
                outcome.tail = (outcome.tail + [line.rstrip()])[-5:]
                if line.startswith("RESULT "):
                    outcome.result = parse_result(line)
            outcome.returncode = process.wait()
        finally:
            timer.cancel()
    outcome.seconds = time.perf_counter() - start
    return outcome


def first_docstring_line(script: Path) -> str:
    """What a script measures, in its own words (for a row without a RESULT line)."""
    try:
        doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
    except (SyntaxError, UnicodeDecodeError):
        return ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def parse_result(line: str) -> dict | None:
    """The JSON object of a ``RESULT {...}`` line, or None when it is not one."""
    try:
        record = json.loads(line.removeprefix("RESULT "))
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def cell(value: object) -> str:
    """A table cell: numbers shortened, pipes escaped, nothing empty."""
    if value is None or value == "":
        return "-"
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def table(outcomes: list[Outcome]) -> str:
    """One markdown table, a row per script, and the notes under it."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    notes = []
    for outcome in outcomes:
        result = outcome.result or {
            "what": outcome.about,
            "note": "no RESULT line; its last output: " + " / ".join(line.strip() for line in outcome.tail[-2:])[:300],
        }
        row = [
            outcome.name,
            result.get("what"),
            result.get("ours"),
            result.get("reference"),
            result.get("ratio"),
            outcome.check(),
            f"{outcome.seconds:.0f} s",
        ]
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
        if result.get("note"):
            notes.append(f"- **{outcome.name}**: {cell(result['note'])}")
    return "\n".join(lines + ([""] + notes if notes else []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-load-test", action="store_true", help=f"also run {LOAD_TEST} (several minutes)")
    parser.add_argument("--only", nargs="+", default=[], metavar="NAME", help="run only these scripts")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds one script may take")
    args = parser.parse_args()
    chosen = scripts(args.with_load_test, args.only)
    if not chosen:
        sys.exit("no benchmark script matches")
    outcomes = []
    for number, script in enumerate(chosen, start=1):
        print(f"\n=== [{number}/{len(chosen)}] {script.name}", flush=True)
        outcomes.append(run(script, args.timeout))
    report = table(outcomes)
    (BENCH / ".cache" / "results.md").write_text(report + "\n", encoding="utf-8")
    print(f"\n## Benchmarks ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores)\n\n{report}")
    print(f"\n(also in bench/.cache/results.md; full output in {LOGS.relative_to(BENCH.parent)}/)")
    if not all(outcome.ok for outcome in outcomes):
        sys.exit(1)


if __name__ == "__main__":
    main()
