"""serve.py lets Streamlit answer only once the job workers are warm: `wait_until_warm` returns True
after the forkserver's preload, so the first job forks at once (checked in a fresh interpreter, as
serve.py runs it)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
from app.runtime.processes import start_workers, wait_until_warm
print("warm" if wait_until_warm(0.1) else "cold")
start_workers()
print("warm" if wait_until_warm(300) else "cold")
"""


def test_wait_until_warm_returns_once_the_forkserver_answers():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=600, check=True
    )
    assert done.stdout.split() == ["cold", "warm"]
