"""How much memory a vector file will take once parsed, judged from its first bytes.

A 1 MB gzip can hold 800 MB of text that parses into 1.6 GB of float32. The loader asks here before
it decompresses or parses the rest: the header says the shape (word2vec's "<count> <dimension>", a
.npy header), or the first lines do (their dimension, and their average length against the file's
size). While a gzip file streams in, ``BudgetWatch`` also counts the lines seen so far, so a size
hint that lies (the gzip trailer can) still stops the stream once the rows read are over the cap.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np

from app.errors import InputError
from app.io.formats import Limits
from app.io.formats.checks import trailing_numbers
from app.io.formats.detect import detect_format

HEAD_BYTES = 1 << 20  # enough for the first lines of any file within the line-length cap's usual range
FLOAT32 = 4
COUNTED = {"word2vec", "word2vec-binary"}  # "<count> <dimension>" on line 1
ONE_ROW_PER_LINE = {"word2vec", "glove", "projector-tsv", "csv"}


@dataclass(frozen=True)
class Shape:
    """Rows x dimensions of the float32 matrix a file becomes."""

    rows: int
    dim: int

    @property
    def nbytes(self) -> int:
        return self.rows * self.dim * FLOAT32


def estimate_shape(head: bytes, fmt: str, *, total_bytes: int, limit: int | None = None) -> Shape | None:
    """The shape the parser will allocate, from the file's first bytes and its (expected) size.

    None when the head does not tell (binary models, Parquet, no complete line yet): those formats
    check their sizes themselves, and the line count while streaming catches the rest.
    """
    if fmt in COUNTED:
        shape = _counted(head)
    elif fmt == "npy":
        shape = _npy(head)
    elif fmt in ONE_ROW_PER_LINE:
        shape = _from_lines(head, fmt, total_bytes)
    else:
        shape = None
    if shape is None:
        return None
    return Shape(shape.rows if limit is None else min(shape.rows, limit), shape.dim)


def check_fits(filename: str, shape: Shape | None, limits: Limits, *, at_least: bool = False) -> None:
    """An InputError, saying how many rows would fit, when ``shape`` is over ``limits.max_vectors_bytes``."""
    cap = limits.max_vectors_bytes
    if shape is None or cap is None or shape.nbytes <= cap:
        return
    fit = cap // (shape.dim * FLOAT32)
    advice = (
        f"Keep only the first {fit:,} rows (the row limit), or upload a smaller file."
        if fit
        else "Remove a space first, or upload a smaller file."
    )
    amount = "at least" if at_least else "about"
    raise InputError(
        f"{filename}: {amount} {shape.rows:,} rows of {shape.dim:,} numbers would take {_mb(shape.nbytes)} "
        f"of memory; {limits.vectors_cap} leaves room for {_mb(cap)}. {advice}"
    )


class BudgetWatch:
    """Fed each decompressed chunk of a gzip file; raises as soon as the file cannot fit.

    The first ``HEAD_BYTES`` give the format and an estimate against ``size_hint`` (the gzip
    trailer's length); after that, the lines seen so far are a lower bound on the rows.
    """

    def __init__(self, filename: str, limits: Limits, *, fmt: str | None, limit: int | None, size_hint: int) -> None:
        self.filename, self.limits, self.fmt, self.limit, self.size_hint = filename, limits, fmt, limit, size_hint
        self.head = bytearray()
        self.seen = 0
        self.newlines = 0
        self.row_dim: int | None = None
        self.estimated = False

    def __call__(self, chunk: bytes, *, done: bool = False) -> None:
        self.seen += len(chunk)
        if self.limits.max_vectors_bytes is None:
            return
        self.newlines += chunk.count(b"\n")
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        if not self.estimated and (len(self.head) >= HEAD_BYTES or done):
            self.estimated = True
            self._estimate()
        if self.row_dim:
            rows = self.newlines if self.limit is None else min(self.newlines, self.limit)
            check_fits(self.filename, Shape(rows, self.row_dim), self.limits, at_least=True)

    def _estimate(self) -> None:
        head = bytes(self.head)
        try:
            fmt = self.fmt or detect_format(head, self.filename)
        except InputError:
            return  # the parser will say what is wrong, with the whole file in hand
        shape = estimate_shape(head, fmt, total_bytes=max(self.size_hint, self.seen), limit=self.limit)
        check_fits(self.filename, shape, self.limits)
        if shape is not None and fmt in ONE_ROW_PER_LINE:
            self.row_dim = shape.dim


def _counted(head: bytes) -> Shape | None:
    fields = head[: head.find(b"\n", 0, 100)].split()
    if len(fields) != 2 or not all(f.isdigit() for f in fields):
        return None
    return Shape(int(fields[0]), int(fields[1]))


def _npy(head: bytes) -> Shape | None:
    stream = io.BytesIO(head)
    try:
        version = np.lib.format.read_magic(stream)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _fortran, _dtype = read(stream)
    except Exception:  # a broken header: parse_npy names the problem
        return None
    return Shape(int(shape[0]), int(shape[1])) if len(shape) == 2 else None


def _from_lines(head: bytes, fmt: str, total_bytes: int) -> Shape | None:
    """Dimension from the first data line, rows from the average line length."""
    complete = head[: head.rfind(b"\n") + 1]
    lines = [line for line in complete.split(b"\n") if line.strip()]
    if not lines:
        return None
    sample = lines[1] if fmt == "csv" and len(lines) > 1 else lines[0]  # a CSV's line 1 may be its header
    text = sample.decode("utf-8", "replace").rstrip("\r")
    if fmt == "projector-tsv":
        dim = len(text.split("\t"))
    elif fmt == "csv":
        dim = len(text.split("\t" if "\t" in text else ","))
    else:
        dim = trailing_numbers(text.split())
    if dim <= 0:
        return None
    mean_line = len(complete) / len(lines)
    return Shape(math.ceil(total_bytes / mean_line), dim)


def _mb(size: int) -> str:
    return f"{math.ceil(size / 2**20):,} MB"
