"""One parser per vector file format; each turns bytes into a ``Parsed`` record.

A parser gets the (already decompressed) bytes, the file name for messages, and the
caps; it returns words, a float32 matrix, optional metadata and warnings, or raises
InputError. ``app.io.loaders`` picks the parser and builds the EmbeddingSpace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Limits:
    """Caps that keep one bad or hostile file from exhausting the server.

    ``max_vectors_bytes`` caps the float32 matrix a file would become (rows x dimensions x 4),
    estimated from its header or first lines before parsing; the Home page sets it to what the
    session's budget and the server's cap leave, and ``vectors_cap`` names that cap in messages.
    """

    max_words: int = 2_000_000
    max_dim: int = 4096
    max_bytes: int = 2 * 1024**3  # file bytes, after decompression
    max_line_chars: int = 1_000_000
    max_vectors_bytes: int | None = None  # None: only the caps above
    vectors_cap: str = "the limit"


DEFAULT_LIMITS = Limits()


@dataclass
class Parsed:
    """What a parser found in a file, before it becomes an EmbeddingSpace."""

    words: list[str]
    vectors: np.ndarray
    metadata: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    subwords: Any = None
    labelled: bool = True  # False when the file had no labels and rows were numbered
    images: list[str | None] | None = None  # a PNG data URI per row (app.io.images), if the points are images
    extra: dict[str, Any] = field(default_factory=dict)  # more provenance (a Projector folder's bookmarks...)
