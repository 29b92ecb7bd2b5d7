"""Tables of numbers: Projector vectors.tsv, .npy, CSV/TSV and Parquet, plus metadata files.

These formats have no word column of their own (or a label column among numbers);
rows without labels are numbered and a metadata file can name them.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from app.errors import InputError
from app.formats import Limits, Parsed
from app.formats.checks import check_line_lengths, check_shape, decode_utf8, is_number, newline_positions


def parse_projector_tsv(data: bytes, filename: str, limits: Limits, limit: int | None) -> Parsed:
    """TensorFlow Embedding Projector vectors.tsv: tab-separated numbers, one row a point."""
    newlines = newline_positions(data)
    check_line_lengths(data, newlines, filename, limits)
    text = decode_utf8(data, filename)
    lines = text.split("\n")
    dim = len(lines[0].rstrip("\r").split("\t"))
    check_shape(filename, len(lines) if limit is None else min(len(lines), limit), dim, limits, what="rows")
    rows = []
    for lineno, line in enumerate(lines, start=1):
        if limit is not None and len(rows) >= limit:
            break
        line = line.rstrip("\r")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != dim:
            raise InputError(f"{filename}, line {lineno}: expected {dim} tab-separated numbers, found {len(fields)}")
        rows.append(_finite_row(fields, filename, f"line {lineno}"))
    if not rows:
        raise InputError(f"{filename}: no vectors found")
    vectors = np.vstack(rows)
    return Parsed(words=[str(i) for i in range(len(vectors))], vectors=vectors, labelled=False)


def parse_npy(data: bytes, filename: str, limits: Limits, limit: int | None) -> Parsed:
    """A numeric 2-D NumPy array; object arrays (pickles inside) are refused."""
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _fortran, dtype = read_header(stream)
    except (ValueError, OSError, EOFError, SyntaxError) as exc:
        raise InputError(f"{filename}: not a readable .npy file ({exc})") from None
    if dtype.hasobject:
        raise InputError(
            f"{filename}: holds Python objects, which would have to be unpickled; refused. "
            "Save a numeric array instead: np.save('vectors.npy', vectors.astype('float32'))"
        )
    if dtype.kind not in "fiu":
        raise InputError(f"{filename}: holds {dtype} values; expected numbers")
    if len(shape) != 2:
        raise InputError(f"{filename}: expected a 2-D array (rows x dimensions), found shape {shape}")
    check_shape(filename, shape[0] if limit is None else min(shape[0], limit), shape[1], limits, what="rows")
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise InputError(f"{filename}: the array data is unreadable ({exc}); is the file truncated?") from None
    vectors = np.asarray(array[:limit] if limit is not None else array, dtype=np.float32)
    _check_finite_rows(vectors, filename)
    return Parsed(words=[str(i) for i in range(len(vectors))], vectors=vectors, labelled=False)


def parse_csv(data: bytes, filename: str, limits: Limits, limit: int | None) -> Parsed:
    """CSV or TSV: numeric columns are dimensions, the first text column labels the rows."""
    text = decode_utf8(data, filename)
    first_lines = text.split("\n", 2)[:2]
    sep = "\t" if "\t" in first_lines[0] else ","
    has_header = _has_header(first_lines, sep)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=0 if has_header else None,
            nrows=limit,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
        )
    except (ValueError, pd.errors.ParserError, csv.Error) as exc:
        raise InputError(f"{filename}: not a readable table ({exc})") from None
    if not has_header:
        frame.columns = [f"column_{i}" for i in frame.columns]
    return _table_to_parsed(frame, filename, limits, first_data_line=2 if has_header else 1)


def parse_parquet(data: bytes, filename: str, limits: Limits, limit: int | None) -> Parsed:
    """Parquet: numeric columns (or one list-of-numbers column) and text label columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        rows = parquet.metadata.num_rows
        check_shape(filename, rows if limit is None else min(rows, limit), 1, limits, what="rows")
        frame = parquet.read().to_pandas()
    except InputError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(f"{filename}: not a readable Parquet file ({exc})") from None
    if limit is not None:
        frame = frame.iloc[:limit]
    list_columns = [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, np.ndarray | list)).all()]
    if list_columns and len(frame):
        column = list_columns[0]
        lengths = frame[column].map(len)
        if lengths.nunique() != 1:
            row = int(np.argmax(lengths.to_numpy() != lengths.iloc[0]))
            raise InputError(
                f"{filename}, row {row + 1}: column {column!r} has {lengths.iloc[row]} numbers, "
                f"expected {lengths.iloc[0]}"
            )
        check_shape(filename, len(frame), int(lengths.iloc[0]), limits, what="rows")
        vectors = np.stack(frame[column].to_numpy()).astype(np.float32)
        frame = frame.drop(columns=list_columns)
        _check_finite_rows(vectors, filename, what="row")
        return _labelled(frame, vectors)
    return _table_to_parsed(frame, filename, limits, first_data_line=1, what="row")


def read_metadata(data: bytes, filename: str, n_rows: int | None = None) -> pd.DataFrame:
    """Projector metadata.tsv: one column without header, or several with a header row.

    Fields are read literally (no quoting), so quote characters in labels survive.
    ``n_rows`` (when given) is the number of vectors the rows must match.
    """
    text = decode_utf8(data, filename)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line.rstrip("\r") for line in lines]
    if not lines:
        raise InputError(f"{filename}: the metadata file is empty")
    if "\t" in lines[0]:
        columns = lines[0].split("\t")
        records = []
        for lineno, line in enumerate(lines[1:], start=2):
            fields = line.split("\t")
            if len(fields) != len(columns):
                raise InputError(
                    f"{filename}, line {lineno}: expected {len(columns)} tab-separated fields, found {len(fields)}"
                )
            records.append(fields)
        frame = pd.DataFrame(records, columns=_unique_names(columns), dtype=object)
    else:
        frame = pd.DataFrame({"label": lines}, dtype=object)
    if n_rows is not None and len(frame) != n_rows:
        raise InputError(f"{filename}: {len(frame):,} metadata rows for {n_rows:,} vectors; they must match one to one")
    return _with_numeric_columns(frame)


def _labelled(frame: pd.DataFrame, vectors: np.ndarray) -> Parsed:
    """Words from the first text column (or row numbers); the remaining columns are metadata."""
    metadata = frame.reset_index(drop=True) if len(frame.columns) else None
    text_columns = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if text_columns:
        words = frame[text_columns[0]].astype(str).tolist()
        return Parsed(words=words, vectors=vectors, metadata=metadata)
    numbered = [str(i) for i in range(len(vectors))]
    return Parsed(words=numbered, vectors=vectors, metadata=metadata, labelled=False)


def _table_to_parsed(
    frame: pd.DataFrame, filename: str, limits: Limits, *, first_data_line: int, what: str = "line"
) -> Parsed:
    numeric = [
        c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]
    if not numeric:
        raise InputError(f"{filename}: no numeric columns found; expected one column per dimension")
    check_shape(filename, len(frame), len(numeric), limits, what="rows")
    if frame.empty:
        raise InputError(f"{filename}: no vectors found")
    with np.errstate(over="ignore"):  # values beyond float32 become inf, reported just below
        vectors = frame[numeric].to_numpy(dtype=np.float32)
    _check_finite_rows(vectors, filename, first=first_data_line, what=what)
    return _labelled(frame.drop(columns=numeric), vectors)


def _has_header(first_lines: list[str], sep: str) -> bool:
    """A header row is one whose fields are not numbers where the next row's are."""
    rows = [[f.strip().strip('"') for f in line.replace("\r", "").split(sep)] for line in first_lines if line.strip()]
    if len(rows) < 2:
        return not all(is_number(f) for f in rows[0][1:]) if rows else False
    return any(is_number(b) and not is_number(a) for a, b in zip(rows[0], rows[1], strict=False))


def _finite_row(fields: list[str], filename: str, where: str) -> np.ndarray:
    try:
        row = np.array(fields, dtype=np.float32)
    except ValueError:
        bad = next(f for f in fields if not is_number(f))
        raise InputError(f"{filename}, {where}: {bad[:40]!r} is not a number") from None
    if not np.isfinite(row).all():
        raise InputError(f"{filename}, {where}: contains NaN or infinity")
    return row


def _check_finite_rows(vectors: np.ndarray, filename: str, *, first: int = 1, what: str = "row") -> None:
    finite = np.isfinite(vectors).all(axis=1)
    if not finite.all():
        row = int(np.argmin(finite))
        raise InputError(f"{filename}, {what} {row + first}: contains NaN, infinity or an empty field")


def _unique_names(columns: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for column in columns:
        name = column or "column"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names


def _with_numeric_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns whose every value is a number become numeric (so they can colour a plot)."""
    for column in frame.columns:
        converted = pd.to_numeric(frame[column], errors="coerce")
        if converted.notna().all():
            frame[column] = converted
    return frame
