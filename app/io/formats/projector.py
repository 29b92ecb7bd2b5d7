"""A TensorFlow Embedding Projector folder: ``projector_config.json`` and the files it names, zipped
(a ``SafeZip``) or uploaded together (``app.io.formats.uploaded_folder``); both are read here.

The config's first embedding gives ``tensorPath`` (a ``.tsv``, or raw little-endian float32
``.bytes`` with ``tensorShape``), and optionally ``metadataPath``, ``sprite`` (``imagePath``,
``singleImageDim``) and ``bookmarksPath``. Every path must stay inside the folder (no URL, no
'..'), every size is checked before anything is allocated, and every problem names the config
field or the file.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any, Protocol

import numpy as np

from app.errors import InputError
from app.io.estimate import HEAD_BYTES, Shape, check_fits, estimate_shape
from app.io.formats import Limits, Parsed
from app.io.formats.bookmarks import oversize, parse_bookmarks
from app.io.formats.checks import check_shape
from app.io.formats.tabular import parse_projector_tsv, read_metadata
from app.io.formats.zipped import SafeZip, folder_config
from app.io.images import cut_sprite, read_sprite, small_thumbnails

MAX_CONFIG_BYTES = 1024**2


class Entries(Protocol):
    """A folder's files by name, read one at a time within the caps (a SafeZip, or uploaded files)."""

    def names(self) -> list[str]: ...

    def size(self, name: str) -> int: ...

    def read(self, name: str) -> bytes: ...

    def not_found(self, config_name: str, field: str, raw: str) -> str: ...


def parse_projector_folder(data: bytes, filename: str, limits: Limits, limit: int | None) -> Parsed:
    """The first embedding of a zipped Projector folder, with its labels, thumbnails and bookmarks."""
    archive = SafeZip(data, filename, max_bytes=limits.max_bytes)
    config_name = folder_config(archive.names())
    if config_name is None:
        raise InputError(f"{filename}: no projector_config.json in the archive; zip the Projector folder itself")
    return read_projector_folder(archive, config_name, limits, limit)


def read_projector_folder(archive: Entries, config_name: str, limits: Limits, limit: int | None) -> Parsed:
    """The first embedding the folder's config names, with its labels, thumbnails and bookmarks."""
    folder = Folder(archive, config_name)
    embedding = folder.first_embedding()
    warnings = list(folder.warnings)
    vectors, n_total = folder.tensor(embedding, limits, limit)
    parsed = Parsed(words=[str(i) for i in range(len(vectors))], vectors=vectors, labelled=False, warnings=warnings)
    if embedding.get("metadataPath"):
        metadata_name = folder.path(embedding, "metadataPath")
        frame = read_metadata(archive.read(metadata_name), metadata_name, n_rows=n_total)
        frame = frame.iloc[: len(vectors)].reset_index(drop=True)
        parsed.words, parsed.labelled = frame.iloc[:, 0].astype(str).tolist(), True
        parsed.metadata = frame
    if embedding.get("sprite") is not None:
        parsed.images, sprite_warnings = folder.thumbnails(embedding, n_total=n_total, n_rows=len(vectors))
        parsed.warnings += sprite_warnings
    parsed.extra = {"projector": {"config": config_name, "tensorName": str(embedding.get("tensorName", ""))[:200]}}
    if embedding.get("bookmarksPath"):
        parsed.extra["bookmarks"], bookmark_warnings = folder.bookmarks(embedding, n_rows=len(vectors))
        parsed.warnings += bookmark_warnings
    return parsed


class Folder:
    """The config and the entries it may name (those under the config's own directory)."""

    def __init__(self, archive: Entries, config_name: str) -> None:
        self.archive = archive
        self.config_name = config_name
        self.root = posixpath.dirname(config_name)
        self.warnings: list[str] = []
        if archive.size(config_name) > MAX_CONFIG_BYTES:
            raise InputError(f"{config_name}: {archive.size(config_name):,} bytes is too large for a config")
        self.config = _json(archive.read(config_name), config_name)
        if not isinstance(self.config, dict):
            raise InputError(f"{config_name}: expected a JSON object with an 'embeddings' list")

    def first_embedding(self) -> dict[str, Any]:
        embeddings = self.config.get("embeddings")
        if not isinstance(embeddings, list) or not embeddings or not isinstance(embeddings[0], dict):
            raise InputError(f"{self.config_name}: no 'embeddings' list with at least one embedding in it")
        if len(embeddings) > 1:
            self.warnings.append(
                f"{self.config_name} lists {len(embeddings)} embeddings; the first "
                f"({embeddings[0].get('tensorName', 'unnamed')!r}) was loaded"
            )
        if not embeddings[0].get("tensorPath"):
            raise InputError(f"{self.config_name}: embeddings[0] has no 'tensorPath' (the vectors file)")
        return embeddings[0]

    def path(self, embedding: dict[str, Any], field: str, value: Any = None) -> str:
        """The entry a config field names, refused when it is a URL or points outside the folder."""
        raw = embedding.get(field) if value is None else value
        where = f"{self.config_name}: {field}"
        if raw is None:
            raise InputError(f"{where} is missing; it should name a file in the folder")
        if not isinstance(raw, str) or not raw.strip():
            raise InputError(f"{where} should be a file name, got {raw!r}")
        if "://" in raw or raw.startswith("data:"):
            raise InputError(f"{where} is a web address ({raw[:80]!r}); nothing is fetched, put the file in the folder")
        if raw.startswith(("/", "\\")) or (len(raw) > 1 and raw[1] == ":"):
            raise InputError(f"{where} {raw!r} is an absolute path, pointing outside the folder; refused")
        joined = posixpath.normpath(posixpath.join(self.root, raw.replace("\\", "/")))
        if joined.startswith("../") or joined == ".." or (self.root and not joined.startswith(self.root + "/")):
            raise InputError(f"{where} {raw!r} points outside the folder; refused")
        if joined not in self.archive.names():
            raise InputError(self.archive.not_found(self.config_name, field, raw))
        return joined

    def tensor(self, embedding: dict[str, Any], limits: Limits, limit: int | None) -> tuple[np.ndarray, int]:
        """The vectors (the first ``limit`` rows) and the number of rows in the file."""
        name = self.path(embedding, "tensorPath")
        shape = embedding.get("tensorShape")
        if name.lower().endswith(".tsv"):
            data = self.archive.read(name)
            check_fits(name, estimate_shape(data[:HEAD_BYTES], "projector-tsv", total_bytes=len(data)), limits)
            rows = parse_projector_tsv(data, name, limits, None).vectors
            if shape is not None and list(rows.shape) != _shape(shape, self.config_name):
                raise InputError(
                    f"{self.config_name}: tensorShape {shape} does not match {name}, "
                    f"which holds {rows.shape[0]:,} rows of {rows.shape[1]:,} numbers"
                )
            return (rows if limit is None else rows[:limit]), len(rows)
        if shape is None:
            raise InputError(f"{self.config_name}: {name} is raw float32, so 'tensorShape' [rows, dims] is needed")
        n, dim = _shape(shape, self.config_name)
        kept = n if limit is None else min(n, limit)
        check_shape(name, kept, dim, limits, what="rows")
        check_fits(name, Shape(kept, dim), limits)
        if self.archive.size(name) != n * dim * 4:  # from the zip directory: nothing read or allocated yet
            raise InputError(
                f"{self.config_name}: tensorShape {shape} means {n * dim * 4:,} bytes of float32, "
                f"but {name} holds {self.archive.size(name):,} bytes"
            )
        vectors = np.frombuffer(self.archive.read(name), dtype="<f4", count=kept * dim).reshape(kept, dim)
        finite = np.isfinite(vectors).all(axis=1)
        if not finite.all():
            raise InputError(f"{name}: row {int(np.argmin(finite)) + 1:,} contains NaN or infinity")
        return vectors.astype(np.float32), n

    def thumbnails(self, embedding: dict[str, Any], *, n_total: int, n_rows: int) -> tuple[list[str | None], list[str]]:
        sprite = embedding["sprite"]
        if not isinstance(sprite, dict):
            raise InputError(f"{self.config_name}: sprite should be an object with imagePath and singleImageDim")
        name = self.path(sprite, "sprite.imagePath", sprite.get("imagePath"))
        single = _shape(sprite.get("singleImageDim"), self.config_name, field="sprite.singleImageDim")
        sheet = read_sprite(self.archive.read(name), name)
        images = cut_sprite(sheet, name, single=(single[0], single[1]), count=n_total)
        return small_thumbnails(images[:n_rows])

    def bookmarks(self, embedding: dict[str, Any], *, n_rows: int) -> tuple[list[dict[str, Any]], list[str]]:
        """Each saved view (app.io.formats.bookmarks), as records kept in the space's provenance; a
        bookmarks file that cannot be read is a warning, and the vectors load without it."""
        name = self.path(embedding, "bookmarksPath")
        too_large = oversize(name, self.archive.size(name))  # before reading: the zip's directory says
        if too_large:
            return [], [too_large]
        found, warnings = parse_bookmarks(self.archive.read(name), name, n_rows=n_rows)
        return [bookmark.to_record() for bookmark in found], warnings


def _json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except (RecursionError, ValueError) as exc:  # nesting past Python's limit; an integer of thousands of digits
        raise InputError(f"{name}: not readable as JSON ({type(exc).__name__})") from None


def _shape(value: Any, config: str, *, field: str = "tensorShape") -> list[int]:
    """Two positive whole numbers, as the config gives ``tensorShape`` and ``singleImageDim``."""
    ok = isinstance(value, list) and len(value) == 2 and all(type(v) is int and v > 0 for v in value)
    if not ok:
        raise InputError(f"{config}: {field} should be two positive whole numbers like [1000, 64], got {value!r}")
    return [int(v) for v in value]
