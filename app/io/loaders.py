"""Bytes or a path in, an EmbeddingSpace out: format detection, caps, safe parsing only.

The parsers form a registry keyed by format name (as gensim's KeyedVectors has one
reader per format); adding a format is one function and one entry in ``PARSERS``.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from app.errors import InputError
from app.io.estimate import HEAD_BYTES, BudgetWatch, check_fits, estimate_shape
from app.io.formats import DEFAULT_LIMITS, Limits, Parsed
from app.io.formats.binary import parse_fasttext_binary, parse_word2vec_binary
from app.io.formats.detect import detect_format, read_lone_cr, refuse_unsafe
from app.io.formats.projector import parse_projector_folder
from app.io.formats.tabular import parse_csv, parse_npy, parse_parquet, parse_projector_tsv, read_metadata
from app.io.formats.text import parse_glove_text, parse_word2vec_text
from app.io.formats.uploaded_folder import check_count, parse_projector_files
from app.space import EmbeddingSpace

Parser = Callable[[bytes, str, Limits, int | None], Parsed]

PARSERS: dict[str, Parser] = {
    "word2vec": parse_word2vec_text,
    "glove": parse_glove_text,
    "word2vec-binary": parse_word2vec_binary,
    "fasttext-bin": parse_fasttext_binary,
    "projector-tsv": parse_projector_tsv,
    "npy": parse_npy,
    "csv": parse_csv,
    "parquet": parse_parquet,
    "projector-folder": parse_projector_folder,
}

FORMATS: dict[str, str] = {
    "word2vec": "word2vec / fastText .vec text (first line: count and dimension)",
    "glove": "GloVe text (no header; words may contain spaces)",
    "word2vec-binary": "word2vec binary .bin",
    "fasttext-bin": "fastText native .bin model (answers unseen words via subwords)",
    "projector-tsv": "TensorFlow Projector vectors.tsv (+ metadata.tsv)",
    "npy": "NumPy .npy array (+ labels file)",
    "csv": "CSV / TSV table (numeric columns + label column)",
    "parquet": "Parquet table (numeric or list column + label column)",
    "projector-folder": "TensorFlow Projector folder as a .zip (projector_config.json + the files it names)",
}

ALIASES = {"fasttext-vec": "word2vec", "vec": "word2vec", "tsv": "projector-tsv", "bin": "word2vec-binary"}

GZIP_CHUNK = 1 << 20

# Formats whose rows are words from the file itself: duplicates there are dropped (as gensim does);
# elsewhere rows are points (images, documents) and a repeated label gets a suffix instead.
WORD_FORMATS = {"word2vec", "glove", "word2vec-binary", "fasttext-bin"}


class Uploaded(Protocol):
    """What Streamlit's UploadedFile offers."""

    name: str

    def getvalue(self) -> bytes: ...


Source = str | os.PathLike[str] | tuple[bytes, str] | Uploaded


def load_vectors(
    source: Source,
    *,
    fmt: str | None = None,
    metadata: Source | None = None,
    limit: int | None = None,
    name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> EmbeddingSpace:
    """Load vectors from a path, ``(bytes, filename)`` or an uploaded file.

    ``fmt=None`` detects the format from the content; ``limit`` keeps the first N rows;
    ``metadata`` is a Projector-style metadata.tsv (or a one-label-per-line file).
    Every problem raises InputError naming the file, line and what was expected.
    """
    _check_limit(limit)
    data, filename = read_source(source, limits)
    refuse_unsafe(data, filename)
    given = _format_name(fmt) if fmt else None
    inner = filename[:-3] if filename.lower().endswith(".gz") else filename
    watch = BudgetWatch(inner, limits, fmt=given, limit=limit, size_hint=gzip_size_hint(data))
    data, filename, compressed = gunzip_if_needed(data, filename, limits, watch=watch)
    refuse_unsafe(data, filename)
    data = data.removeprefix(codecs.BOM_UTF8)
    data, line_ends = read_lone_cr(data)
    detected = detect_format(data, filename)
    chosen = given or detected
    if not compressed:
        check_fits(filename, estimate_shape(data[:HEAD_BYTES], chosen, total_bytes=len(data), limit=limit), limits)
    parsed = PARSERS[chosen](data, filename, limits, limit)
    if not parsed.words:
        raise InputError(f"{filename}: no vectors found")
    warnings = line_ends + list(parsed.warnings)
    meta_name = None
    if metadata is not None:
        meta_bytes, meta_name = read_source(metadata, limits)
        meta_bytes, meta_name, _ = gunzip_if_needed(meta_bytes, meta_name, limits)
        _attach_metadata(parsed, meta_bytes, meta_name, truncated=limit is not None)
    source_record: dict[str, Any] = {
        "file": filename + (".gz" if compressed else ""),
        "format": chosen,
        "format_detected": fmt is None,
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "options": {"limit": limit, "metadata": meta_name, "gzip": compressed},
    }
    path = str(Path(source).resolve()) if isinstance(source, str | os.PathLike) else None
    return _space_from(
        parsed, name=name or filename, record=source_record, warnings=warnings, drop=chosen in WORD_FORMATS, path=path
    )


def load_projector_files(
    files: Sequence[Source], *, limit: int | None = None, name: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> EmbeddingSpace:
    """Load a TensorFlow Projector folder uploaded as its files together (projector_config.json and
    the files it names), exactly as its zip would load; see app.io.formats.uploaded_folder."""
    _check_limit(limit)
    check_count(len(files))  # before reading any of them
    pairs = [read_source(file, limits) for file in files]
    parsed = parse_projector_files(pairs, limits, limit)
    if not parsed.words:
        raise InputError("the uploaded Projector folder: no vectors found")
    projector = parsed.extra["projector"]
    source_record: dict[str, Any] = {
        "file": projector["config"],
        "format": "projector-folder",
        "format_detected": False,
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "options": {"limit": limit, "metadata": None, "gzip": False, "files": [n for _, n in pairs]},
    }
    return _space_from(
        parsed,
        name=name or projector["tensorName"] or "Projector folder",
        record=source_record,
        warnings=list(parsed.warnings),
        drop=False,
    )


def _check_limit(limit: int | None) -> None:
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise InputError(f"the row limit must be a positive whole number, got {limit!r}")


def _space_from(
    parsed: Parsed, *, name: str, record: dict[str, Any], warnings: list[str], drop: bool, path: str | None = None
) -> EmbeddingSpace:
    """The space a parsed file becomes: labels made unique, provenance (with warnings, images) attached."""
    if not parsed.labelled:
        warnings.append("the file has no labels, so rows are named by their number; add a metadata file to name them")
    warnings += _make_words_unique(parsed, drop=drop)
    source_record = {**record, "warnings": warnings} | parsed.extra
    if parsed.images is not None:  # keyed by word, after the words are made unique (see app.io.images)
        source_record["images"] = {w: uri for w, uri in zip(parsed.words, parsed.images, strict=True) if uri}
    if path is not None:
        source_record["path"] = path
    return EmbeddingSpace(
        name,
        parsed.words,
        parsed.vectors,
        metadata=parsed.metadata,
        source=source_record,
        subwords=parsed.subwords,
        copy=False,
    )


def read_source(source: Source, limits: Limits = DEFAULT_LIMITS) -> tuple[bytes, str]:
    """The bytes and a display name of a path, an ``(bytes, name)`` pair or an uploaded file."""
    if isinstance(source, tuple):
        data, filename = source
        if not isinstance(data, bytes | bytearray | memoryview):
            raise InputError(f"expected the file's bytes, got {type(data).__name__}")
        data, filename = bytes(data), str(filename)
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        filename = path.name
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        if path.stat().st_size > limits.max_bytes:
            raise InputError(
                f"{filename}: {path.stat().st_size:,} bytes is more than the limit of {limits.max_bytes:,}"
            )
        data = path.read_bytes()
    elif hasattr(source, "getvalue"):
        data, filename = source.getvalue(), str(source.name)
    else:
        raise InputError(f"cannot read a file from a {type(source).__name__}; give a path or (bytes, filename)")
    if len(data) > limits.max_bytes:
        raise InputError(f"{filename}: {len(data):,} bytes is more than the limit of {limits.max_bytes:,}")
    return data, filename


def gunzip_if_needed(
    data: bytes, filename: str, limits: Limits, *, watch: Callable[..., None] | None = None
) -> tuple[bytes, str, bool]:
    """Decompress gzip content chunk by chunk, stopping at the byte cap so a gzip bomb cannot fill memory.

    ``watch(chunk, done=...)`` sees every decompressed chunk and may raise to stop early (see
    app.io.estimate.BudgetWatch: a file too big for the session is refused after its first lines).
    """
    if data[:2] != b"\x1f\x8b":
        return data, filename, False
    inner = filename[:-3] if filename.lower().endswith(".gz") else filename
    out = io.BytesIO()  # grown chunk by chunk: read(max_bytes) would reserve the whole cap at once
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while out.tell() <= limits.max_bytes and (chunk := stream.read(GZIP_CHUNK)):
                out.write(chunk)
                if watch is not None:
                    watch(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{filename}: a broken gzip file ({exc})") from None
    if out.tell() > limits.max_bytes:
        raise InputError(
            f"{filename}: expands to more than {limits.max_bytes:,} bytes; "
            "refused (the limit guards against gzip bombs)"
        )
    if watch is not None:
        watch(b"", done=True)
    return out.getvalue(), inner, True


def gzip_size_hint(data: bytes) -> int:
    """The decompressed length the gzip trailer states (modulo 4 GiB, and a file can lie: a hint only)."""
    return int.from_bytes(data[-4:], "little") if len(data) >= 18 else 0


def _format_name(fmt: str) -> str:
    key = ALIASES.get(fmt.lower(), fmt.lower())
    if key not in PARSERS:
        raise InputError(f"unknown format {fmt!r}; choose one of: {', '.join(PARSERS)}")
    return key


def _attach_metadata(parsed: Parsed, data: bytes, filename: str, *, truncated: bool) -> None:
    """Row-aligned metadata; for unlabelled rows its first column becomes the labels."""
    n_rows = len(parsed.words)
    frame = read_metadata(data, filename, n_rows=None if truncated else n_rows)
    if truncated:
        if len(frame) < n_rows:
            raise InputError(f"{filename}: {len(frame):,} metadata rows for {n_rows:,} vectors")
        frame = frame.iloc[:n_rows].reset_index(drop=True)
    if not parsed.labelled:
        parsed.words = frame.iloc[:, 0].astype(str).tolist()
        parsed.labelled = True
    parsed.metadata = frame if parsed.metadata is None else pd.concat([parsed.metadata, frame], axis=1)


def _make_words_unique(parsed: Parsed, *, drop: bool) -> list[str]:
    """Drop repeated words (keeping the first) or number repeated labels; say what happened."""
    if pd.Index(parsed.words, dtype=object).is_unique:
        return []
    words = pd.Series(parsed.words, dtype=object)
    repeated = words.duplicated(keep="first").to_numpy()
    count = int(repeated.sum())
    examples = ", ".join(repr(w) for w in list(dict.fromkeys(words[repeated]))[:5])
    if drop:
        keep = ~repeated
        parsed.words = words[keep].tolist()
        parsed.vectors = parsed.vectors[keep]
        if parsed.metadata is not None:
            parsed.metadata = parsed.metadata[keep].reset_index(drop=True)
        return [f"{count:,} duplicate words dropped (the first occurrence is kept), e.g. {examples}"]
    parsed.words = _numbered_labels(parsed.words)
    return [f"{count:,} rows repeat an earlier label and were numbered 'label (2)', ..., e.g. {examples}"]


def _numbered_labels(labels: list[str]) -> list[str]:
    """Labels made unique by numbering repeats: a, a (2), a (3)."""
    taken = set(labels)
    last_number: dict[str, int] = {}
    seen: set[str] = set()
    unique = []
    for label in labels:
        if label in seen:
            number = last_number.get(label, 1)
            while f"{label} ({number})" in taken or number == 1:
                number += 1
            last_number[label] = number
            label = f"{label} ({number})"
            taken.add(label)
        seen.add(label)
        unique.append(label)
    return unique
