"""Private, persistent, crash-safe workspaces on disk, and the teacher's class-wide shelf.

A workspace is ``root/<token>/``; the token is a random secret kept in the browser's URL
(``?ws=...``), so only whoever holds the link can see or change its spaces.

On-disk layout (safe formats only, nothing is ever unpickled)::

    root/<token>/
        index.json              {"entries": {name: id}}: the commit point, replaced atomically
        .lock                   flock'ed while leftovers are cleaned and while a save commits
        <id>/                   one saved space (16 hex digits, a new id for every save)
            vectors.npy         n x d float32
            words.json          the words as one JSON list (ASCII-escaped: any str survives,
                                newlines, tabs and lone surrogates included)
            metadata.parquet    optional
            subwords/           optional, a fastText model's subword table:
                vectors_ngrams.npy
                vocab.json, vectors.npy   only when the model's vocabulary is not the space's own
            manifest.json       written last: name, n, dim, fingerprint, source, extra, ...
        .tmp-<random>/          a save in progress (or a crash's leftover)
    root/_published/            the class-wide shelf, same layout

A save writes and fsyncs everything into ``.tmp-<random>/``, renames it to ``<id>/`` and then
replaces ``index.json`` (temp file + fsync + ``os.replace``); only then is the previous version
with the same name removed. A crash at any moment therefore leaves either the old index (old
version intact) or the new one (new version complete). Leftovers are removed by the next save.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from app.errors import InputError
from app.space import EmbeddingSpace

try:
    import fcntl
except ImportError:  # not POSIX: no cross-process locks (the classroom server is Linux)
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

FORMAT = "embedding-lab-space"
VERSION = 1
PUBLISHED_DIR = "_published"
INDEX = "index.json"
MANIFEST = "manifest.json"
TMP_PREFIX = ".tmp-"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")  # exactly what secrets.token_urlsafe(16) makes
_ENTRY_ID = re.compile(r"[0-9a-f]{16}")
_FASTTEXT_ATTRS = ("min_n", "max_n", "bucket", "vectors_ngrams", "index_to_key", "vectors")


def new_token() -> str:
    """A fresh unguessable workspace token (128 random bits), safe in a URL and as a folder name."""
    return secrets.token_urlsafe(16)


def is_valid_token(token: str) -> bool:
    """True only for tokens shaped like ``new_token()``'s: no dots, slashes or other path tricks."""
    return isinstance(token, str) and _TOKEN.fullmatch(token) is not None


@dataclass(frozen=True)
class SavedSpace:
    """One entry of a workspace listing: enough to show it without loading the vectors."""

    id: str
    name: str
    n: int
    dim: int
    bytes: int
    saved_at: datetime
    source: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""


class _Shelf:
    """A directory of saved spaces with an atomically switched index; the shared machinery."""

    def __init__(self, path: Path) -> None:
        self.path = path

    # --- reading ----------------------------------------------------------------
    def list(self) -> list[SavedSpace]:
        """Every intact saved space, oldest first; damaged or half-written entries are logged and skipped."""
        found = []
        for name, entry_id in self._read_index().items():
            try:
                manifest = _read_manifest(self.path / entry_id)
                _check_files(self.path / entry_id, manifest)
                found.append(_summary(entry_id, manifest))
            except Exception as exc:
                logger.warning("skipping damaged saved space %r (%s) in %s: %s", name, entry_id, self.path, exc)
        return sorted(found, key=lambda entry: (entry.saved_at, entry.id))

    def load(self, entry_id: str) -> EmbeddingSpace:
        """The saved space, with the words, vectors, metadata, source and fingerprint it was saved with."""
        directory = self._live_entry(entry_id)
        label = entry_id
        try:
            manifest = _read_manifest(directory)
            label = f"{manifest['name']!r} ({entry_id})"
            space = _read_space(directory, manifest)
        except MemoryError:
            raise
        except Exception as exc:
            if entry_id not in self._read_index().values():  # replaced or deleted while we read it
                raise InputError(self._missing_message(entry_id)) from exc
            raise InputError(
                f"The saved space {label} is damaged and cannot be opened ({exc}). Delete it and save it again."
            ) from exc
        expected_change = manifest.get("subwords_dropped") or manifest.get("metadata_coerced")
        if space.fingerprint != manifest.get("fingerprint") and not expected_change:
            logger.warning("saved space %s loaded with a different fingerprint than it was saved with", label)
        return space

    def total_bytes(self) -> int:
        """Bytes on disk under this shelf, damaged entries and crash leftovers included."""
        total = 0
        for folder, _, files in os.walk(self.path):
            for name in files:
                with suppress(OSError):  # removed while we walked
                    total += os.lstat(os.path.join(folder, name)).st_size
        return total

    # --- writing (public names differ: Workspace.save, PublishedShelf.publish) ---
    def _save(self, space: EmbeddingSpace, extra: dict[str, Any] | None) -> str:
        try:
            return self._save_atomically(space, extra)
        except OSError as exc:  # a full disk, a read-only folder: the user's message, not a traceback
            raise InputError(
                f"Could not save {space.name!r} ({exc.strerror or exc}); any earlier saved version is unchanged."
            ) from exc

    def _save_atomically(self, space: EmbeddingSpace, extra: dict[str, Any] | None) -> str:
        """Write into a claimed temp dir, rename it into place, switch the index, drop the old version."""
        entry_id = secrets.token_hex(8)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new root is private (0700)
        self.path.mkdir(mode=0o700, exist_ok=True)
        with self._locked():
            self._clean_leftovers(set(self._read_index().values()))
            tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=self.path))
            claim = _claim(tmp)  # held until the save ends, so no other save cleans it up meanwhile
        previous = None
        try:
            _write_entry(tmp, space, entry_id, extra or {})
            with self._locked():
                index = self._read_index()
                previous = index.get(space.name)
                os.rename(tmp, self.path / entry_id)
                _fsync_dir(self.path)
                index[space.name] = entry_id
                self._write_index(index)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            os.close(claim)
        if previous is not None and previous != entry_id:
            shutil.rmtree(self.path / previous, ignore_errors=True)
        return entry_id

    def _delete(self, entry_id: str) -> None:
        self._check_id(entry_id)
        with self._locked():
            index = self._read_index()
            names = [name for name, known in index.items() if known == entry_id]
            if not names:
                raise InputError(self._missing_message(entry_id))
            for name in names:
                del index[name]
            self._write_index(index)
        shutil.rmtree(self.path / entry_id, ignore_errors=True)

    # --- the index ----------------------------------------------------------------
    def _read_index(self) -> dict[str, str]:
        """name -> entry id; a missing or unreadable index is rebuilt from the entries' manifests."""
        try:
            data = json.loads((self.path / INDEX).read_text(encoding="utf-8"))
            entries = data["entries"]
            if isinstance(entries, dict) and all(
                isinstance(k, str) and isinstance(v, str) and _ENTRY_ID.fullmatch(v) for k, v in entries.items()
            ):
                return dict(entries)
            raise ValueError("entries is not a name -> id mapping")
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("index of %s is unreadable (%s); rebuilding it from the saved entries", self.path, exc)
        return self._scan()

    def _scan(self) -> dict[str, str]:
        """The newest intact entry per name, found by reading every manifest."""
        newest: dict[str, tuple[str, str]] = {}
        if not self.path.is_dir():
            return {}
        for child in self.path.iterdir():
            if not _ENTRY_ID.fullmatch(child.name):
                continue
            try:
                manifest = _read_manifest(child)
                _check_files(child, manifest)
            except Exception:
                continue
            name, stamp = manifest["name"], (manifest["saved_at"], child.name)
            if name not in newest or stamp > newest[name]:
                newest[name] = stamp
        return {name: stamp[1] for name, stamp in newest.items()}

    def _write_index(self, index: dict[str, str]) -> None:
        payload = {"format": "embedding-lab-workspace", "version": VERSION, "entries": index}
        tmp = self.path / f"{TMP_PREFIX}index-{secrets.token_hex(4)}"
        _write_file(tmp, lambda out: out.write(_to_json(payload)))
        os.replace(tmp, self.path / INDEX)
        _fsync_dir(self.path)

    # --- helpers --------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One committer at a time across threads and processes (two tabs on one link)."""
        fd = os.open(self.path / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _clean_leftovers(self, live: set[str]) -> None:
        """Remove crash leftovers: unclaimed temp dirs, stray index temps, entries the index dropped."""
        for child in self.path.iterdir():
            if child.name.startswith(TMP_PREFIX):
                if not child.is_dir():
                    child.unlink(missing_ok=True)  # index temps are only written under the lock
                elif _unclaimed(child):
                    shutil.rmtree(child, ignore_errors=True)
            elif _ENTRY_ID.fullmatch(child.name) and child.name not in live:
                shutil.rmtree(child, ignore_errors=True)

    def _check_id(self, entry_id: str) -> None:
        if not isinstance(entry_id, str) or not _ENTRY_ID.fullmatch(entry_id):
            raise InputError(f"{entry_id!r} is not a saved-space id")

    def _live_entry(self, entry_id: str) -> Path:
        self._check_id(entry_id)
        if entry_id not in self._read_index().values():
            raise InputError(self._missing_message(entry_id))
        return self.path / entry_id

    def _missing_message(self, entry_id: str) -> str:
        return f"There is no saved space {entry_id} here; it may have been deleted or replaced by a newer save."


class Workspace(_Shelf):
    """One browser link's private saved spaces: ``root/<token>/``, created on the first save."""

    def __init__(self, root: os.PathLike | str, token: str) -> None:
        if not is_valid_token(token):
            raise InputError("This workspace link is not valid; open the app without '?ws=' to start a new one.")
        super().__init__(Path(root) / token)
        self.token = token

    def save(self, space: EmbeddingSpace, *, extra: dict[str, Any] | None = None) -> str:
        """Save ``space`` (replacing a saved space of the same name) and return its new id.

        ``extra`` (JSON-able, e.g. a training reproducibility record) is kept in the manifest.
        """
        return self._save(space, extra)

    def delete(self, entry_id: str) -> None:
        """Remove a saved space; an InputError when there is no such entry."""
        self._delete(entry_id)


class PublishedShelf(_Shelf):
    """The teacher's class-wide shelf (``root/_published/``): everyone may list and load, and only
    ``publish``/``unpublish`` change it (the page decides who may call those)."""

    READ_ONLY = "published spaces are read-only"

    def __init__(self, root: os.PathLike | str) -> None:
        super().__init__(Path(root) / PUBLISHED_DIR)

    def publish(self, space: EmbeddingSpace, *, by: str = "", extra: dict[str, Any] | None = None) -> str:
        """Put a copy of ``space`` on the shelf (replacing one of the same name); returns its id."""
        return self._save(space, {**(extra or {}), "published_by": by})

    def load(self, entry_id: str) -> EmbeddingSpace:
        """The published space, marked shared: the whole class may see what is computed from it."""
        return super().load(entry_id).with_source(shared=True)

    def unpublish(self, entry_id: str) -> None:
        """Take a space off the shelf."""
        self._delete(entry_id)

    def save(self, space: EmbeddingSpace, *, extra: dict[str, Any] | None = None) -> str:
        """Refused: students cannot write to the shelf (teachers use ``publish``)."""
        raise InputError(self.READ_ONLY)

    def delete(self, entry_id: str) -> None:
        """Refused: students cannot remove from the shelf (teachers use ``unpublish``)."""
        raise InputError(self.READ_ONLY)


def published(root: os.PathLike | str) -> PublishedShelf:
    """The class-wide shelf under ``root``."""
    return PublishedShelf(root)


# --- writing one entry ----------------------------------------------------------------
def _write_entry(directory: Path, space: EmbeddingSpace, entry_id: str, extra: dict[str, Any]) -> None:
    """Every file of one entry, each fsync'ed, the manifest last."""
    try:  # fail before writing megabytes when the provenance cannot be stored
        _to_json({"source": space.source, "extra": extra})
    except (TypeError, ValueError) as exc:
        raise InputError(f"cannot save {space.name!r}: its source or extra record is not JSON data ({exc})") from None
    _write_file(directory / "vectors.npy", lambda out: np.save(out, space.vectors, allow_pickle=False))
    _write_file(directory / "words.json", lambda out: out.write(_to_json(list(space.words))))
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "id": entry_id,
        "name": space.name,
        "n": len(space),
        "dim": space.dim,
        "fingerprint": space.fingerprint,
        "saved_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "source": space.source,
        "extra": extra,
        "metadata": space.metadata is not None,
        "subwords": None,
    }
    if space.metadata is not None:
        coerced = _write_metadata(directory / "metadata.parquet", space.metadata)
        if coerced:
            manifest["metadata_coerced"] = coerced
    if space.subwords is not None:
        if _is_fasttext(space.subwords):
            manifest["subwords"] = _write_subwords(directory / "subwords", space)
        else:
            logger.warning("%r: subword model %s cannot be saved; saving without it", space.name, space.subwords)
            manifest["subwords_dropped"] = True
    manifest["files"] = {p.relative_to(directory).as_posix(): p.stat().st_size for p in _files(directory)}
    manifest["bytes"] = sum(manifest["files"].values())
    _write_file(directory / MANIFEST, lambda out: out.write(_to_json(manifest, indent=1)))
    _fsync_dir(directory)


def _write_metadata(path: Path, metadata: pd.DataFrame) -> list[str]:
    """Parquet keeps the dtypes (so the fingerprint survives); columns parquet refuses (mixed
    types, unencodable text) are stored as text and named in the returned list."""
    try:
        _write_file(path, lambda out: metadata.to_parquet(out, index=False))
        return []
    except (ValueError, TypeError, NotImplementedError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        logger.info("metadata needs coercing to text before saving: %s", exc)
        path.unlink(missing_ok=True)
    frame = metadata.copy()
    coerced = [str(c) for c in frame.columns if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype)]
    for column in frame.columns:
        if str(column) in coerced:
            frame[column] = frame[column].astype(object).map(_as_text)
    _write_file(path, lambda out: frame.to_parquet(out, index=False))
    return coerced


def _as_text(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value).encode("utf-8", "backslashreplace").decode("utf-8")


def _is_fasttext(model: object) -> bool:
    return all(hasattr(model, name) for name in _FASTTEXT_ATTRS)


def _write_subwords(directory: Path, space: EmbeddingSpace) -> dict[str, Any]:
    """The n-gram table plus the hashing parameters; the model's own vocabulary and vectors
    only when they differ from the space's (e.g. a space cut to its first words)."""
    model: Any = space.subwords
    directory.mkdir()
    ngrams = np.ascontiguousarray(model.vectors_ngrams)
    _write_file(directory / "vectors_ngrams.npy", lambda out: np.save(out, ngrams, allow_pickle=False))
    vocab = list(model.index_to_key)
    own = vocab != list(space.words) or not np.array_equal(np.asarray(model.vectors), space.vectors)
    if own:
        vectors = np.ascontiguousarray(model.vectors)
        _write_file(directory / "vectors.npy", lambda out: np.save(out, vectors, allow_pickle=False))
        _write_file(directory / "vocab.json", lambda out: out.write(_to_json(vocab)))
    _fsync_dir(directory)
    return {
        "kind": "fasttext",
        "min_n": int(model.min_n),
        "max_n": int(model.max_n),
        "bucket": int(model.bucket),
        "vector_size": int(ngrams.shape[1]) if ngrams.ndim == 2 else space.dim,
        "vocab": "own" if own else "space",
        "n_vocab": len(vocab),
    }


# --- reading one entry -------------------------------------------------------------------
def _read_manifest(directory: Path) -> dict[str, Any]:
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError("manifest.json is not an Embedding Lab manifest")
    if manifest.get("version") != VERSION:
        raise ValueError(f"saved with format version {manifest.get('version')}, this app reads {VERSION}")
    for key, kind in (("name", str), ("n", int), ("dim", int), ("saved_at", str)):
        if not isinstance(manifest.get(key), kind):
            raise ValueError(f"manifest.json has no valid {key!r}")
    return manifest


def _check_files(directory: Path, manifest: dict[str, Any]) -> None:
    """Cheap checks (a stat per file, nothing read) that every file the manifest lists is there, whole."""
    files = manifest.get("files")
    if not isinstance(files, dict) or not {"vectors.npy", "words.json"} <= files.keys():
        raise ValueError("manifest.json does not list the entry's files")
    for relative, size in files.items():
        try:
            found = (directory / relative).stat().st_size
        except FileNotFoundError:
            raise FileNotFoundError(f"{relative} is missing") from None
        if found != size:
            raise ValueError(f"{relative} has {found:,} bytes instead of {size:,} (truncated or overwritten)")


def _read_space(directory: Path, manifest: dict[str, Any]) -> EmbeddingSpace:
    _check_files(directory, manifest)
    n, dim = manifest["n"], manifest["dim"]
    vectors = _load_npy(directory / "vectors.npy", (n, dim))
    words = _load_strings(directory / "words.json", n)
    metadata = None
    if manifest.get("metadata"):
        metadata = pd.read_parquet(directory / "metadata.parquet")
        if metadata.columns.empty:  # parquet keeps no row count for a table without columns
            metadata = pd.DataFrame(index=pd.RangeIndex(n))
    subwords = None
    if manifest.get("subwords"):
        subwords = _read_subwords(directory / "subwords", manifest["subwords"], words, vectors)
    return EmbeddingSpace(
        manifest["name"],
        words,
        vectors,
        metadata=metadata,
        source=manifest.get("source") or {},
        subwords=subwords,
        copy=False,
    )


def _load_npy(path: Path, shape: tuple[int, ...]) -> np.ndarray:
    array = np.load(path, allow_pickle=False)
    if array.shape != tuple(shape):
        raise ValueError(f"{path.name} holds shape {array.shape}, expected {tuple(shape)}")
    return array


def _load_strings(path: Path, n: int) -> list[str]:
    words = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(words, list) or len(words) != n or not all(isinstance(w, str) for w in words):
        raise ValueError(f"{path.name} is not a list of {n} words")
    return words


def _read_subwords(directory: Path, info: dict[str, Any], words: list[str], vectors: np.ndarray) -> Any:
    """A gensim FastTextKeyedVectors that answers every word exactly as the saved one did.

    It is for lookups (get_vector, most_similar), not for further training: the per-word
    training buffers and frequency counts are not stored.
    """
    from gensim.models.fasttext import FastTextKeyedVectors

    if info.get("kind") != "fasttext":
        raise ValueError(f"unknown subword model kind {info.get('kind')!r}")
    size, bucket = int(info["vector_size"]), int(info["bucket"])
    ngrams = _load_npy(directory / "vectors_ngrams.npy", (bucket, size))
    if info["vocab"] == "own":
        vocab = _load_strings(directory / "vocab.json", int(info["n_vocab"]))
        model_vectors = _load_npy(directory / "vectors.npy", (len(vocab), size))
    else:
        vocab, model_vectors = list(words), vectors
    model = FastTextKeyedVectors(size, int(info["min_n"]), int(info["max_n"]), bucket)
    model.index_to_key = vocab
    model.key_to_index = {word: i for i, word in enumerate(vocab)}
    model.next_index = len(vocab)
    model.vectors = model_vectors
    model.vectors_vocab = None  # training-only buffer, not stored
    model.vectors_ngrams = ngrams
    return model


# --- small file-system helpers ---------------------------------------------------------------
def _write_file(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Create ``path`` (never overwrite), write it and fsync it before returning."""
    with open(path, "xb") as out:
        write(out)
        out.flush()
        os.fsync(out.fileno())


def _files(directory: Path) -> list[Path]:
    return sorted(path for path in directory.rglob("*") if path.is_file())


def _fsync_dir(path: Path) -> None:
    """Make renames and new files inside ``path`` durable (a no-op where directories cannot be opened)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _claim(directory: Path) -> int:
    """Hold an exclusive lock on a temp dir for as long as the returned descriptor stays open."""
    fd = os.open(directory, os.O_RDONLY)
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _unclaimed(directory: Path) -> bool:
    """True when no live save holds the temp dir (its writer crashed or is gone)."""
    if fcntl is None:
        return True
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def _to_json(value: object, indent: int | None = None) -> bytes:
    """ASCII JSON: every str (lone surrogates included) reads back unchanged."""
    return json.dumps(value, ensure_ascii=True, indent=indent, default=_jsonable).encode("ascii")


def _summary(entry_id: str, manifest: dict[str, Any]) -> SavedSpace:
    return SavedSpace(
        id=entry_id,
        name=manifest["name"],
        n=manifest["n"],
        dim=manifest["dim"],
        bytes=int(manifest.get("bytes", 0)),
        saved_at=datetime.fromisoformat(manifest["saved_at"]),
        source=dict(manifest.get("source") or {}),
        extra=dict(manifest.get("extra") or {}),
        fingerprint=str(manifest.get("fingerprint", "")),
    )


def _jsonable(value: object) -> object:
    """What JSON cannot hold natively, in the closest form it can: numbers, lists, text."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)
