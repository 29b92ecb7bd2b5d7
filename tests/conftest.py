"""Shared fixtures: paths to the toy files and a builder for small hand-made spaces."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

from app.space import EmbeddingSpace

ROOT = Path(__file__).resolve().parent.parent
# AppTest runs pages inside the pytest process: no background UMAP compilation there.
os.environ.setdefault("EMBEDDING_LAB_NO_WARMUP", "1")
# AppTest pages run their jobs on threads of the test process; the browser tests' server uses processes.
os.environ.setdefault("EMBEDDING_LAB_JOB_ISOLATION", "thread")
# Workspaces written by tests go to a throw-away folder, never the repository's.
os.environ.setdefault("EMBEDDING_LAB_WORKSPACES", tempfile.mkdtemp(prefix="embedding-lab-test-workspaces-"))
# Estimates' first guesses use the reference machine's speed, not a measurement of this one's.
os.environ.setdefault("EMBEDDING_LAB_MACHINE_SPEED", "1")
SAMPLE_DATA = ROOT / "sample_data"


@pytest.fixture
def sample_data() -> Path:
    return SAMPLE_DATA


def make_space(words: list[str], vectors: list[list[float]] | np.ndarray, **kwargs) -> EmbeddingSpace:
    return EmbeddingSpace("test", words, np.asarray(vectors, dtype=np.float32), **kwargs)


def open_page(page: str, *, timeout: int = 90, **query: str):
    """An AppTest of ``page`` (e.g. "pages/5_Bias.py") reached from Home with ``query`` in the URL,
    as a student following a shared link; fails on any exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
    at.query_params.update(query)
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at
