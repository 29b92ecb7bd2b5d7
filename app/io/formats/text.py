"""word2vec / fastText .vec text (with an "N D" header) and GloVe text (no header).

A fast path hands the whole body to pyarrow's multi-threaded CSV reader. Anything unusual (ragged rows,
words containing spaces as in GloVe 840B, non-numbers, NaN) falls back to a line-by-line
reader that takes the last ``d`` fields as the vector and names the offending line.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from app.errors import InputError
from app.io.formats import Limits, Parsed
from app.io.formats.checks import (
    check_shape,
    decode_utf8,
    trailing_numbers,
)


def parse_word2vec_text(data: bytes, filename: str, limits: Limits, limit: int | None) -> Parsed:
    """Text vectors whose first line is "<count> <dimension>" (word2vec, fastText .vec)."""
    header_end = _first_line_end(data, filename, limits)
    header = decode_utf8(data[:header_end], filename).split()
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
    parsed = _parse_rows(body, filename, first_line=2, dim=dim, limit=limit, limits=limits)
    if limit is None and len(parsed.words) != n_claimed:
        parsed.warnings.append(
            f"the header says {n_claimed:,} words but the file has {len(parsed.words):,}; all rows were read"
        )
    return parsed


def parse_glove_text(data: bytes, filename: str, limits: Limits, limit: int | None) -> Parsed:
    """Text vectors with no header: each line is a word followed by its numbers (GloVe)."""
    first_end = _first_line_end(data, filename, limits)
    first = decode_utf8(data[:first_end], filename).rstrip()
    dim = trailing_numbers(first.split())
    if dim == 0:
        raise InputError(f"{filename}, line 1: expected a word followed by numbers, found {first[:60]!r}")
    check_shape(filename, 0, dim, limits)
    if limit is None and len(data) // (2 * dim + 1) > limits.max_words:  # only count lines when it could matter
        check_shape(filename, data.count(b"\n") + (0 if data.endswith(b"\n") else 1), dim, limits)
    return _parse_rows(data, filename, first_line=1, dim=dim, limit=limit, limits=limits)


def _first_line_end(data: bytes, filename: str, limits: Limits) -> int:
    """Where line 1 ends; a first line over the length cap is refused before any parsing."""
    end = data.find(b"\n", 0, limits.max_line_chars + 1)
    if end < 0:
        if len(data) > limits.max_line_chars:
            raise InputError(f"{filename}, line 1: longer than the limit of {limits.max_line_chars:,} characters")
        end = len(data)
    return end


def _parse_rows(body: bytes, filename: str, *, first_line: int, dim: int, limit: int | None, limits: Limits) -> Parsed:
    """Words and vectors from "word v1 ... vd" lines: pyarrow's threaded CSV reader first,
    the exact line-by-line reader when anything is unusual."""
    try:
        parsed = _parse_rows_fast(body, dim, limit, limits)
    except (pa.ArrowException, ValueError):
        parsed = None
    return parsed or _parse_rows_slowly(body, filename, first_line=first_line, dim=dim, limit=limit, limits=limits)


def _parse_rows_fast(body: bytes, dim: int, limit: int | None, limits: Limits) -> Parsed | None:
    """One space between fields, no quoting, every value a finite float32; else None."""
    first = body[: body.find(b"\n")].rstrip(b"\r").split(b" ")
    trailing_space = len(first) == dim + 2 and first[-1] == b""
    if len(first) != dim + 1 and not trailing_space:
        return None
    names = [f"f{i}" for i in range(len(first))]
    table = pacsv.read_csv(
        pa.py_buffer(body),
        read_options=pacsv.ReadOptions(column_names=names, use_threads=True, block_size=2 << 20),
        parse_options=pacsv.ParseOptions(
            delimiter=" ", quote_char=False, escape_char=False, double_quote=False, ignore_empty_lines=True
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={"f0": pa.string(), **{f"f{i}": pa.float32() for i in range(1, dim + 1)}},
            null_values=[],
            strings_can_be_null=False,
            check_utf8=True,
        ),
    )
    if limit is not None:
        table = table.slice(0, limit)
    if trailing_space and pc.max(pc.utf8_length(table.column(names[-1]).cast(pa.string()))).as_py():
        return None  # a row with one number too many, hidden behind the trailing space
    vectors = np.empty((table.num_rows, dim), dtype=np.float32)
    for i in range(dim):
        vectors[:, i] = table.column(i + 1).to_numpy()
    if not table.num_rows or not np.isfinite(vectors).all():
        return None
    if pc.max(pc.utf8_length(table.column(0))).as_py() > limits.max_line_chars:
        return None
    return Parsed(words=table.column(0).to_pylist(), vectors=vectors)


def _parse_rows_slowly(
    body: bytes, filename: str, *, first_line: int, dim: int, limit: int | None, limits: Limits
) -> Parsed:
    """The exact reader: words may contain spaces (the last ``dim`` fields are the vector).

    A "word" ending in a number is a row with too many numbers, not a GloVe 840B phrase.
    """
    text = decode_utf8(body, filename, first_line=first_line)
    words: list[str] = []
    rows: list[np.ndarray] = []
    for offset, line in enumerate(text.split("\n")):
        if limit is not None and len(words) >= limit:
            break
        lineno = first_line + offset
        if len(line) > limits.max_line_chars:
            raise InputError(
                f"{filename}, line {lineno}: {len(line):,} characters on one line; "
                f"the limit is {limits.max_line_chars:,}"
            )
        line = line.rstrip()
        if not line:
            continue
        parts = line.rsplit(None, dim)
        if len(parts) != dim + 1 or not parts[0].strip() or trailing_numbers(["", *parts[0].split()]):
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
    with np.errstate(over="ignore"):  # values beyond float32 become inf, reported just below
        vector = np.array(fields, dtype=np.float32)
    if not np.isfinite(vector).all():
        raise InputError(f"{filename}, line {lineno}: the vector of {word!r} contains NaN or infinity")
    return vector
