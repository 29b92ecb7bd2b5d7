"""How long a job takes on this machine: the job's own time model, scaled by the runs it has timed.

Every estimator in the app (a projection, a training, a benchmark, WEAT, debiasing, a comparison)
has a *model*: seconds as a function of the job's size, measured once on a 2-core reference machine.
This machine is faster or slower, and each kind of job in its own way, so every finished run
appends (kind, measured / modelled) to ``<cache root>/timings.jsonl`` (the server's cache folder,
see ``app.runtime.kernels.cache_root``), whichever process ran it.

The scale applied to the model:
- no run of the kind yet: this machine's speed (``app.runtime.machine_speed``, a short workload);
- fewer than MIN_RUNS runs: the geometric mean of that speed and the runs' ratios, the speed
  counting as one run, so one run slowed by a busy moment moves the next guess half as far;
- from MIN_RUNS runs: the median of the kind's last RECENT_RUNS ratios.
Below MIN_RUNS runs, or when the recent runs disagree by more than a factor of two, the estimate
says it is uncertain.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from app.runtime.machine_speed import machine_factor

MIN_RUNS = 3  # two runs agreed by chance and mis-scaled a new size (debiasing, bench/estimates.py)
RECENT_RUNS = 5  # an estimate scales by the median of this many last runs of its kind
KEEP_RUNS = 20  # per kind
MAX_LINES = 800  # the file is rewritten with the last KEEP_RUNS per kind beyond this
MIN_SECONDS = 0.25  # runs shorter than this are not recorded: their time is mostly noise
FILE_NAME = "timings.jsonl"


@dataclass(frozen=True)
class Estimate:
    """Seconds a run of ``kind`` is expected to take, and whether this machine's timings back it.

    ``modelled`` is the model's own figure before calibration: ``record_run`` needs it to learn.
    ``runs`` is how many timed runs of the kind the figure rests on.
    """

    seconds: float
    certain: bool
    kind: str = ""
    modelled: float = 0.0
    runs: int = 0

    def text(self) -> str:
        """ "about 7 s on this machine", or the figure and why it is uncertain."""
        figure = seconds_text(self.seconds)
        if self.certain:
            return f"{figure} on this machine"
        if self.runs == 0:
            return f"{figure}, a guess: no run of this kind on this machine yet; the first run measures it"
        return f"{figure}, a rough guess: few runs of this kind timed on this machine yet"


def seconds_text(seconds: float) -> str:
    """ "about 7 s"; "under a second" below 0.75 s."""
    return "under a second" if seconds < 0.75 else f"about {max(1, round(seconds))} s"


def _file() -> Path:
    from app.runtime.kernels import cache_root

    return cache_root() / FILE_NAME


def record(kind: str, modelled: float, seconds: float) -> None:
    """Remember that a run of ``kind`` the model put at ``modelled`` seconds took ``seconds``; never raises."""
    if not kind or modelled <= 0 or seconds < MIN_SECONDS:
        return  # too short to say anything about this machine (or a stand-in in a test)
    try:
        path = _file()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"kind": kind, "ratio": seconds / modelled}) + "\n")
        if path.stat().st_size > MAX_LINES * 50:
            _compact(path)
    except OSError:
        pass


def record_run(estimate: Estimate, seconds: float) -> None:
    """``record`` for a run that was shown ``estimate`` (which carries its kind and modelled time)."""
    record(estimate.kind, estimate.modelled, seconds)


def estimate(kind: str, modelled: float) -> Estimate:
    """The model's ``modelled`` seconds for a run of ``kind``, scaled by this machine (see the module doc)."""
    ratios = [r for r in _ratios().get(kind, []) if r > 0]
    if len(ratios) < MIN_RUNS:
        scale = statistics.geometric_mean([machine_factor(), *ratios])
        return Estimate(modelled * scale, certain=False, kind=kind, modelled=modelled, runs=len(ratios))
    recent = ratios[-RECENT_RUNS:]  # the machine's speed today (it may have changed since older runs)
    agree = max(recent) / min(recent) <= 2.0
    scale = statistics.median(recent)
    return Estimate(modelled * scale, certain=agree, kind=kind, modelled=modelled, runs=len(ratios))


def _ratios() -> dict[str, list[float]]:
    ratios: dict[str, list[float]] = {}
    try:
        lines = _file().read_text(encoding="utf-8").splitlines()
    except OSError:
        return ratios
    for line in lines:
        try:
            entry = json.loads(line)
            ratios.setdefault(str(entry["kind"]), []).append(float(entry["ratio"]))
        except (ValueError, KeyError, TypeError):
            continue  # a line cut by a concurrent write
    return {kind: values[-KEEP_RUNS:] for kind, values in ratios.items()}


def _compact(path: Path) -> None:
    kept = [json.dumps({"kind": k, "ratio": r}) for k, values in _ratios().items() for r in values]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(kept) + "\n", encoding="utf-8")
    tmp.replace(path)
