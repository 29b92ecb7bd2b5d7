"""Checks every parser shares: sizes against caps, finite numbers, line positions."""

from __future__ import annotations

import numpy as np

from app.errors import InputError
from app.io.formats import Limits
from app.text.inputs import is_number


def check_shape(filename: str, n_words: int, dim: int, limits: Limits, *, what: str = "words") -> None:
    """Refuse a claimed shape beyond the caps, before anything is allocated."""
    if dim <= 0:
        raise InputError(f"{filename}: vectors have zero dimensions; expected at least one number per row")
    if dim > limits.max_dim:
        raise InputError(f"{filename}: vectors have {dim:,} dimensions; the limit is {limits.max_dim:,}")
    if n_words > limits.max_words:
        raise InputError(
            f"{filename}: {n_words:,} {what} is more than the limit of {limits.max_words:,}; "
            "load the most frequent ones with a row limit"
        )


def trailing_numbers(fields: list[str]) -> int:
    """How many fields after the first one, counted from the end, are numbers (a vector's dimension)."""
    count = 0
    for field in reversed(fields[1:]):
        if not is_number(field):
            break
        count += 1
    return count


def line_of_offset(data: bytes, offset: int) -> int:
    """1-based line number of a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def decode_utf8(data: bytes, filename: str, *, first_line: int = 1) -> str:
    """Decode strictly, naming the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = line_of_offset(data, exc.start) + first_line - 1
        raise InputError(f"{filename}, line {line}: bytes that are not UTF-8 text; save the file as UTF-8") from None


def newline_positions(data: bytes) -> np.ndarray:
    """Offsets of every b'\\n', found with one vectorised scan."""
    return np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)


def check_line_lengths(data: bytes, newlines: np.ndarray, filename: str, limits: Limits) -> None:
    """Refuse a line longer than the cap (a binary blob or a broken file)."""
    ends = np.append(newlines, len(data))
    lengths = np.diff(ends, prepend=-1) - 1
    if len(lengths) and lengths.max() > limits.max_line_chars:
        row = int(np.argmax(lengths))
        raise InputError(
            f"{filename}, line {row + 1}: {int(lengths[row]):,} characters on one line; "
            f"the limit is {limits.max_line_chars:,}"
        )
