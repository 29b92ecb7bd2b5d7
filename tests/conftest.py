"""Shared fixtures: paths to the toy files and a builder for small hand-made spaces."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from app.space import EmbeddingSpace

ROOT = Path(__file__).resolve().parent.parent
# AppTest runs pages inside the pytest process: no background UMAP compilation there.
os.environ.setdefault("EMBEDDING_LAB_NO_WARMUP", "1")
SAMPLE_DATA = ROOT / "sample_data"


@pytest.fixture
def sample_data() -> Path:
    return SAMPLE_DATA


def make_space(words: list[str], vectors: list[list[float]] | np.ndarray, **kwargs) -> EmbeddingSpace:
    return EmbeddingSpace("test", words, np.asarray(vectors, dtype=np.float32), **kwargs)
