"""How long a projection takes on this machine: each method's time model, scaled by runs it has timed.

Every finished ``project`` call appends (method, points, dimensions, seconds) to
``<cache root>/projection-timings.jsonl`` (the server's cache folder, see
``app.runtime.kernels.cache_root``), from whichever process ran it. An estimate is the method's own
model times the median ratio of measured to modelled time over its last runs on this machine;
with fewer than ``MIN_RUNS`` timed runs, or runs that disagree by more than a factor of two, the
estimate says it is uncertain.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

MIN_RUNS = 2
KEEP_RUNS = 20  # per method
MAX_LINES = 400  # the file is rewritten with the last KEEP_RUNS per method beyond this
MIN_SECONDS = 0.5  # runs shorter than this are not recorded: their time is mostly noise


@dataclass(frozen=True)
class Estimate:
    """Seconds a run is expected to take, and whether this machine's timings back the figure."""

    seconds: float
    certain: bool

    def text(self) -> str:
        """ "about 7 s", or "about 7 s (a rough guess: ...)" when uncertain."""
        figure = f"about {max(1, round(self.seconds))} s"
        return figure if self.certain else f"{figure} (a rough guess: few runs timed on this server yet)"


def _file() -> Path:
    from app.runtime.kernels import cache_root

    return cache_root() / "projection-timings.jsonl"


def record(method: str, modelled: float, seconds: float) -> None:
    """Remember that a run the model put at ``modelled`` seconds took ``seconds``; never raises."""
    if modelled <= 0 or seconds < MIN_SECONDS:
        return  # too short to say anything about this machine (or a stand-in in a test)
    try:
        path = _file()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"method": method, "ratio": seconds / modelled}) + "\n")
        if path.stat().st_size > MAX_LINES * 40:
            _compact(path)
    except OSError:
        pass


def _ratios() -> dict[str, list[float]]:
    ratios: dict[str, list[float]] = {}
    try:
        lines = _file().read_text(encoding="utf-8").splitlines()
    except OSError:
        return ratios
    for line in lines:
        try:
            entry = json.loads(line)
            ratios.setdefault(str(entry["method"]), []).append(float(entry["ratio"]))
        except (ValueError, KeyError, TypeError):
            continue  # a line cut by a concurrent write
    return {method: values[-KEEP_RUNS:] for method, values in ratios.items()}


def _compact(path: Path) -> None:
    kept = [json.dumps({"method": m, "ratio": r}) for m, values in _ratios().items() for r in values]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(kept) + "\n", encoding="utf-8")
    tmp.replace(path)


def estimate(method: str, modelled: float) -> Estimate:
    """The model's ``modelled`` seconds scaled by this machine's timed runs of ``method``."""
    ratios = [r for r in _ratios().get(method, []) if r > 0]
    if not ratios:
        return Estimate(modelled, certain=False)
    scale = statistics.median(ratios)
    recent = ratios[-5:]
    agree = max(recent) / min(recent) <= 2.0
    return Estimate(modelled * scale, certain=len(ratios) >= MIN_RUNS and agree)
