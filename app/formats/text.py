"""word2vec / fastText .vec text (with an "N D" header) and GloVe text (no header).

A fast path hands the whole body to pandas' C parser. Anything unusual (ragged rows,
words containing spaces as in GloVe 840B, non-numbers, NaN) falls back to a line-by-line
reader that takes the last ``d`` fields as the vector and names the offending line.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from app.errors import InputError
from app.formats import Limits, Parsed
from app.formats.checks import (
    check_line_lengths,
    check_shape,
    decode_utf8,
    newline_positions,
)


def parse_word2vec_text(data: bytes, filename: str, limits: Limits, limit: int | None) -> Parsed:
    """Text vectors whose first line is "<count> <dimension>" (word2vec, fastText .vec)."""
    newlines = newline_positions(data)
    check_line_lengths(data, newlines, filename, limits)
    decode_utf8(data, filename)
    header_end = int(newlines[0]) if len(newlines) else len(data)
    header = data[:header_end].decode("utf-8").split()
    if len(header) != 2 or not all(h.isdigit() for h in header):
        raise InputError(
            f"{filename}, line 1: expected a header '<word count> <dimension>', found {data[:header_end][:60]!r}"
        )
    n_claimed, dim = int(header[0]), int(header[1])
    n_expected = n_claimed if limit is None else min(n_claimed, limit)
    check_shape(filename, n_expected, dim, limits)
    body = data[header_end + 1 :]
    smallest_row = 2 * dim + 1  # a one-letter word and d one-digit numbers with separators
    if n_expected * smallest_row > len(body) + n_expected:
        raise InputError(
            f"{filename}, line 1: the header claims {n_claimed:,} words of {dim} numbers, "
            f"but the file holds only {len(data):,} bytes; is the header right?"
        )
    parsed = _parse_rows(body, filename, first_line=2, dim=dim, limit=limit)
    if limit is None and len(parsed.words) != n_claimed:
        parsed.warnings.append(
            f"the header says {n_claimed:,} words but the file has {len(parsed.words):,}; all rows were read"
        )
    return parsed


def parse_glove_text(data: bytes, filename: str, limits: Limits, limit: int | None) -> Parsed:
    """Text vectors with no header: each line is a word followed by its numbers (GloVe)."""
    newlines = newline_positions(data)
    check_line_lengths(data, newlines, filename, limits)
    decode_utf8(data, filename)
    first_end = int(newlines[0]) if len(newlines) else len(data)
    first = data[:first_end].decode("utf-8").rstrip()
    dim = _trailing_numbers(first.split())
    if dim == 0:
        raise InputError(f"{filename}, line 1: expected a word followed by numbers, found {first[:60]!r}")
    n_lines = len(newlines) + (0 if data.endswith(b"\n") else 1)
    check_shape(filename, n_lines if limit is None else min(n_lines, limit), dim, limits)
    return _parse_rows(data, filename, first_line=1, dim=dim, limit=limit)


def _trailing_numbers(fields: list[str]) -> int:
    """How many fields at the end of a split line are numbers (the vector's dimension)."""
    count = 0
    for field in reversed(fields[1:]):
        try:
            float(field)
        except ValueError:
            break
        count += 1
    return count


def _parse_rows(body: bytes, filename: str, *, first_line: int, dim: int, limit: int | None) -> Parsed:
    """Words and vectors from "word v1 ... vd" lines: pandas first, line by line if that fails."""
    try:
        frame = pd.read_csv(
            io.BytesIO(body),
            sep=r"\s+",
            header=None,
            names=range(dim + 1),
            index_col=False,
            quoting=csv.QUOTE_NONE,
            na_filter=False,
            dtype={0: object, **{i: np.float32 for i in range(1, dim + 1)}},
            engine="c",
            encoding="utf-8",
            nrows=limit,
        )
        words = frame[0].tolist()
        vectors = frame.iloc[:, 1:].to_numpy(dtype=np.float32)
        if np.isfinite(vectors).all() and all(isinstance(w, str) for w in words):
            return Parsed(words=words, vectors=vectors)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, IndexError):
        pass
    return _parse_rows_slowly(body, filename, first_line=first_line, dim=dim, limit=limit)


def _parse_rows_slowly(body: bytes, filename: str, *, first_line: int, dim: int, limit: int | None) -> Parsed:
    """The exact reader: words may contain spaces (the last ``dim`` fields are the vector).

    A "word" ending in a number is a row with too many numbers, not a GloVe 840B phrase.
    """
    text = decode_utf8(body, filename, first_line=first_line)
    words: list[str] = []
    rows: list[np.ndarray] = []
    for offset, line in enumerate(text.split("\n")):
        if limit is not None and len(words) >= limit:
            break
        line = line.rstrip()
        if not line:
            continue
        lineno = first_line + offset
        parts = line.rsplit(None, dim)
        if len(parts) != dim + 1 or not parts[0].strip() or _trailing_numbers(["", *parts[0].split()]):
            raise InputError(
                f"{filename}, line {lineno}: expected a word followed by {dim} numbers, "
                f"found {len(line.split())} fields"
            )
        word = parts[0].strip()
        rows.append(_numbers(parts[1:], filename, lineno, word))
        words.append(word)
    if not words:
        raise InputError(f"{filename}: no vectors found")
    return Parsed(words=words, vectors=np.vstack(rows))


def _numbers(fields: list[str], filename: str, lineno: int, word: str) -> np.ndarray:
    """One row's numbers, or an InputError naming the field, line and word."""
    for field in fields:
        try:
            float(field)
        except ValueError:
            raise InputError(
                f"{filename}, line {lineno}: {field[:40]!r} in the vector of {word!r} is not a number"
            ) from None
    vector = np.array(fields, dtype=np.float32)
    if not np.isfinite(vector).all():
        raise InputError(f"{filename}, line {lineno}: the vector of {word!r} contains NaN or infinity")
    return vector
