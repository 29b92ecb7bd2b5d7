"""Tables of numbers: Projector vectors.tsv, .npy, CSV/TSV and Parquet, plus metadata files.

These formats have no word column of their own (or a label column among numbers);
rows without labels are numbered and a metadata file can name them.
"""

from __future__ import annotations

import csv
import io
from tokenize import TokenError

import numpy as np
import pandas as pd
import pyarrow as pa  # already loaded by the text readers (app.io.formats.text), so not worth deferring

from app.errors import InputError
from app.io.formats import Limits, Parsed
from app.io.formats.checks import check_line_lengths, check_shape, decode_utf8, newline_positions
from app.text.inputs import is_number


def parse_projector_tsv(data: bytes, filename: str, limits: Limits, limit: int | None) -> Parsed:
    """TensorFlow Embedding Projector vectors.tsv: tab-separated numbers, one row a point."""
    newlines = newline_positions(data)
    check_line_lengths(data, newlines, filename, limits)
    text = decode_utf8(data, filename)
    lines = text.split("\n")
    dim = len(lines[0].rstrip("\r").split("\t"))
    check_shape(filename, len(lines) if limit is None else min(len(lines), limit), dim, limits, what="rows")
    rows: list[np.ndarray] = []
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
    except (ValueError, OSError, EOFError, SyntaxError, TokenError, RecursionError) as exc:
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
    promised, held = shape[0] * shape[1] * dtype.itemsize, len(data) - stream.tell()
    if promised > held:  # refused before numpy allocates what the header promises
        raise InputError(
            f"{filename}: the header promises {shape[0]:,} x {shape[1]:,} numbers ({promised:,} bytes), "
            f"but the file holds {held:,} bytes of data; is the file truncated?"
        )
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
    first_data_line = 2 if has_header else 1
    warnings = _check_mixed_columns(frame, filename, first_data_line=first_data_line)
    parsed = _table_to_parsed(frame, filename, limits, first_data_line=first_data_line)
    parsed.warnings += warnings
    return parsed


def parse_parquet(data: bytes, filename: str, limits: Limits, limit: int | None) -> Parsed:
    """Parquet: numeric columns (or one list-of-numbers column) and text label columns."""
    import pyarrow.parquet as pq  # the Parquet reader is loaded only when a Parquet file comes

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        meta = parquet.metadata
        rows = meta.num_rows
        check_shape(filename, rows if limit is None else min(rows, limit), 1, limits, what="rows")
        # Parquet compresses: a small file can decode to gigabytes. Only file and row-group totals are
        # read here: a column chunk's own metadata (.column(c)) can abort the whole process on a broken
        # file (pyarrow 26 throws a C++ exception there that nothing catches).
        stored = sum(meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
        if max(rows * meta.num_columns * 8, stored) > limits.max_bytes:
            raise InputError(
                f"{filename}: {rows:,} rows x {meta.num_columns:,} columns, more than {limits.max_bytes:,} bytes "
                "once decompressed; refused (the limit guards against compression bombs)"
            )
        table = parquet.read()
        table.validate(full=True)  # e.g. text that is not UTF-8, which would fail later, outside this try
        frame = table.to_pandas()
    except InputError:
        raise
    except Exception as exc:  # pyarrow and pandas' metadata handling: any failure means a broken file
        raise InputError(f"{filename}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None
    if limit is not None:
        frame = frame.iloc[:limit]
    if len(set(table.column_names)) != len(table.column_names):
        raise InputError(f"{filename}: two columns have the same name; every column needs its own")
    list_columns = [field.name for field in table.schema if _numbers_list(field.type)]  # from the schema:
    unusable = [  # lists, records and raw bytes are neither numbers nor labels
        f.name
        for f in table.schema
        if (pa.types.is_nested(f.type) or _raw_bytes(f.type)) and f.name not in list_columns[:1]
    ]
    frame = frame.drop(columns=unusable)
    warnings = [f"columns left out (lists, records or bytes: not numbers, not labels): {', '.join(unusable)}"]
    warnings = warnings if unusable else []
    if list_columns and len(frame):  # testing each cell in Python took minutes for a large table
        column = list_columns[0]
        if frame[column].isna().any():
            row = int(np.argmax(frame[column].isna().to_numpy()))
            raise InputError(f"{filename}, row {row + 1}: column {column!r} has no vector")
        lengths = frame[column].map(len)
        if lengths.nunique() != 1:
            row = int(np.argmax(lengths.to_numpy() != lengths.iloc[0]))
            raise InputError(
                f"{filename}, row {row + 1}: column {column!r} has {lengths.iloc[row]} numbers, "
                f"expected {lengths.iloc[0]}"
            )
        check_shape(filename, len(frame), int(lengths.iloc[0]), limits, what="rows")
        vectors = np.stack(frame[column].to_numpy()).astype(np.float32)
        frame = frame.drop(columns=column)
        _check_finite_rows(vectors, filename, what="row")
        parsed = _labelled(frame, vectors)
    else:
        parsed = _table_to_parsed(frame, filename, limits, first_data_line=1, what="row")
    parsed.warnings += warnings
    return parsed


def _raw_bytes(kind: pa.DataType) -> bool:
    """Whether a Parquet column holds raw bytes (which need not be text)."""
    return pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind)


def _numbers_list(kind: pa.DataType) -> bool:
    """Whether a Parquet column type is a list of numbers (one vector per row)."""
    lists = pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind)
    return lists and (pa.types.is_integer(kind.value_type) or pa.types.is_floating(kind.value_type))


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


def _check_mixed_columns(frame: pd.DataFrame, filename: str, *, first_data_line: int) -> list[str]:
    """Text columns that also hold numbers: refused when mostly numbers, else kept as metadata and said so.

    A column of numbers with one word in it is a typo in a dimension (read as text, it would silently
    drop that dimension from every row), so it is refused naming the line, the column and the cell.
    A column that is mostly text is metadata; its numbers are said in a warning. The first column is
    the usual place for labels, so it is only ever warned about.
    """
    warnings = []
    for position, column in enumerate(frame.columns):
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values):
            continue
        present = values.notna().to_numpy()
        numbers = pd.to_numeric(values, errors="coerce").notna().to_numpy() & present
        text = present & ~numbers
        n_numbers, n_text = int(numbers.sum()), int(text.sum())
        if not n_numbers:
            continue
        first_text = int(np.argmax(text))
        if n_numbers > n_text and position > 0:
            raise InputError(
                f"{filename}, line {first_text + first_data_line}: column {column!r} holds numbers except "
                f"{str(values.iloc[first_text])[:40]!r} here ({n_text:,} of {n_numbers + n_text:,} cells are not "
                "numbers); every cell of a dimension must be a number. Fix the cell and load the file again."
            )
        first_number = int(np.argmax(numbers))
        warnings.append(
            f"column {column!r} mixes text and numbers ({n_numbers:,} of {n_numbers + n_text:,} cells are numbers, "
            f"the first on line {first_number + first_data_line}); it was kept as metadata, not as a dimension"
        )
    return warnings


def _has_header(first_lines: list[str], sep: str) -> bool:
    """A header row is one whose fields are not numbers where the next row's are."""
    rows = [[f.strip().strip('"') for f in line.replace("\r", "").split(sep)] for line in first_lines if line.strip()]
    if len(rows) < 2:
        return not all(is_number(f) for f in rows[0][1:]) if rows else False
    return any(is_number(b) and not is_number(a) for a, b in zip(rows[0], rows[1], strict=False))


def _finite_row(fields: list[str], filename: str, where: str) -> np.ndarray:
    try:
        with np.errstate(over="ignore"):  # values beyond float32 become inf, reported just below
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
