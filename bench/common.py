"""What every benchmark script shares: the repository on the import path, a median timer, and the
one machine-readable result line that bench/run_all.py collects into its table."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def report_result(
    what: str, ours: object, reference: object, ratio: object, note: str = "", *, ok: bool = True
) -> None:
    """Print ``RESULT {json}``: our figure, the reference tool's figure from the same run, their ratio,
    and a note; ``ok`` is False when our answers differ from the reference's (the script then exits 1)."""
    record = {"what": what, "ours": ours, "reference": reference, "ratio": ratio, "note": note, "ok": ok}
    print("RESULT " + json.dumps(record), flush=True)


def trustworthiness_on_sample(vectors: Any, layouts: list[Any], *, sample: int = 2_000, seed: int = 0) -> list[float]:
    """scikit-learn's trustworthiness (cosine, 10 neighbours) of each layout on the same seeded sample of rows."""
    import numpy as np
    from sklearn.manifold import trustworthiness

    rows = np.sort(np.random.default_rng(seed).choice(len(vectors), min(sample, len(vectors)), replace=False))
    data = np.asarray(vectors)[rows]
    return [
        float(trustworthiness(data, np.asarray(layout)[rows], n_neighbors=10, metric="cosine")) for layout in layouts
    ]
