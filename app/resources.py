"""Where bundled data lives: our own ``sample_data/`` and gensim's bundled test data.

One place to find files the app ships with, so no module works out a path on its own.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"
REFERENCE = SAMPLE_DATA / "reference"
SAMPLE_BENCHMARKS = REFERENCE / "benchmarks"


def gensim_test_data() -> Path | None:
    """gensim's bundled ``test/test_data`` folder, found without importing gensim (which takes a second).

    None when gensim is not installed.
    """
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "test" / "test_data"


def gensim_file(name: str) -> Path:
    """One of gensim's bundled test files (``gensim.test.utils.datapath(name)``, without importing gensim).

    When gensim is missing the path does not exist, and the reader that opens it says so.
    """
    folder = gensim_test_data()
    return (folder if folder is not None else Path("gensim-is-not-installed")) / name
