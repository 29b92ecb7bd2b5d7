"""Server-wide caps: what all sessions together may hold in memory and on disk, and expiry of old files.

Per-session budgets (app.store.budgets) stop one student; these stop the class together from filling
the server. Memory: a process-wide registry of loaded spaces, each counted once by fingerprint (a sample
shared by thirty sessions costs once), held weakly, so a space no session keeps any more drops out on
its own. Disk: the workspaces' bytes and their number, and the upload scratch space (``root/.uploads``).
Over a cap, new work is refused with a message naming the cap and its environment variable; what is
already loaded or saved keeps working. ``expire`` deletes workspaces and upload folders nobody has used
for a while (the teacher's published shelf never expires); the server runs it at start and periodically
through ``start_housekeeping``.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import shutil
import threading
import time
import weakref
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from app.errors import InputError
from app.space import EmbeddingSpace
from app.store.budgets import MB, env_number, space_bytes
from app.store.workspace import Workspace, is_valid_token

logger = logging.getLogger(__name__)

UPLOADS_DIR = ".uploads"
USED_MARKER = ".used"  # touched whenever a workspace or upload folder is used; its mtime is the last use
EXPIRED_PREFIX = ".expired-"
HOUSEKEEPING_SECONDS = 600
DAY = 86_400

SPACES_VAR = "EMBEDDING_LAB_SERVER_SPACES_MB"
WORKSPACES_BYTES_VAR = "EMBEDDING_LAB_WORKSPACES_MB"
WORKSPACES_COUNT_VAR = "EMBEDDING_LAB_MAX_WORKSPACES"
UPLOADS_VAR = "EMBEDDING_LAB_UPLOADS_MB"
WORKSPACE_DAYS_VAR = "EMBEDDING_LAB_WORKSPACE_DAYS"
UPLOAD_HOURS_VAR = "EMBEDDING_LAB_UPLOAD_HOURS"
ASK = "ask the person running the server to raise it"


@dataclass(frozen=True)
class ServerCaps:
    """The whole server's limits; ``from_env`` lets the teacher running it change them."""

    max_spaces_bytes: int = 4_000 * MB  # loaded spaces of all sessions, each distinct space once
    max_workspaces_bytes: int = 10_000 * MB  # every private workspace on disk
    max_workspaces: int = 1_000  # private workspaces on disk
    max_uploads_bytes: int = 2_000 * MB  # uploaded corpora kept for training (root/.uploads)
    workspace_days: float = 30.0  # a workspace unused this long is deleted
    upload_hours: float = 24.0  # an upload folder unused this long is deleted

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerCaps:
        """The defaults, overridden by the EMBEDDING_LAB_* variables above (MB are MiB); a malformed
        value is a ValueError naming the variable."""
        env = os.environ if environ is None else environ
        d = cls()
        return cls(
            max_spaces_bytes=int(env_number(env, SPACES_VAR, d.max_spaces_bytes / MB) * MB),
            max_workspaces_bytes=int(env_number(env, WORKSPACES_BYTES_VAR, d.max_workspaces_bytes / MB) * MB),
            max_workspaces=int(env_number(env, WORKSPACES_COUNT_VAR, d.max_workspaces, integer=True)),
            max_uploads_bytes=int(env_number(env, UPLOADS_VAR, d.max_uploads_bytes / MB) * MB),
            workspace_days=env_number(env, WORKSPACE_DAYS_VAR, d.workspace_days),
            upload_hours=env_number(env, UPLOAD_HOURS_VAR, d.upload_hours),
        )


class LoadedSpaces:
    """Every space some session holds, by fingerprint, held weakly (thread-safe; one per process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spaces: dict[str, tuple[int, list[weakref.ref[EmbeddingSpace]]]] = {}

    def hold(self, space: EmbeddingSpace) -> None:
        """Count ``space`` until Python frees it (its session ended, or it was removed)."""
        with self._lock:
            size, refs = self._spaces.get(space.fingerprint, (space_bytes(space), []))
            refs.append(weakref.ref(space))
            self._spaces[space.fingerprint] = (size, refs)

    def total_bytes(self) -> int:
        """Bytes of the distinct spaces still alive somewhere in this process."""
        with self._lock:
            self._prune()
            return sum(size for size, _ in self._spaces.values())

    def is_held(self, fingerprint: str) -> bool:
        with self._lock:
            self._prune()
            return fingerprint in self._spaces

    def left(self, caps: ServerCaps) -> int:
        """Bytes the server may still load (0 when full)."""
        return max(caps.max_spaces_bytes - self.total_bytes(), 0)

    def check_can_hold(self, caps: ServerCaps, space: EmbeddingSpace) -> None:
        """An InputError naming the cap when ``space`` would take the server over it; a space some
        session already holds (the same sample, a reopened space) costs nothing more."""
        if self.is_held(space.fingerprint):
            return
        needed, used = space_bytes(space), self.total_bytes()
        if used + needed > caps.max_spaces_bytes:
            raise InputError(
                f"The server is full: the spaces loaded by everyone take {_mb(used)} of its "
                f"{_mb(caps.max_spaces_bytes)} limit ({SPACES_VAR}), and {space.name} needs {_mb(needed)}. "
                f"Load fewer words, try again later, or {ASK}."
            )

    def _prune(self) -> None:
        for fingerprint, (size, refs) in list(self._spaces.items()):
            alive = [ref for ref in refs if ref() is not None]
            if alive:
                self._spaces[fingerprint] = (size, alive)
            else:
                del self._spaces[fingerprint]


LOADED = LoadedSpaces()


def workspace_folders(root: os.PathLike[str] | str) -> list[Path]:
    """The private workspaces under ``root`` (not the published shelf, not the upload scratch)."""
    with suppress(FileNotFoundError):
        return sorted(p for p in Path(root).iterdir() if is_valid_token(p.name) and p.is_dir())
    return []


def check_can_save(caps: ServerCaps, root: os.PathLike[str] | str, token: str, *, new_bytes: int) -> None:
    """An InputError naming the cap when saving ``new_bytes`` more in workspace ``token`` would go over
    the server's workspace count or bytes; saved spaces stay readable either way."""
    folders = workspace_folders(root)
    if not (Path(root) / token).is_dir() and len(folders) >= caps.max_workspaces:
        raise InputError(
            f"The server holds {len(folders):,} workspaces, its limit ({WORKSPACES_COUNT_VAR}); "
            f"a new one cannot be started. Old unused workspaces are removed after {caps.workspace_days:g} days; "
            f"try again later, or {ASK}."
        )
    used = sum(Workspace(root, folder.name).total_bytes() for folder in folders)
    if used + new_bytes > caps.max_workspaces_bytes:
        raise InputError(
            f"The workspaces on this server take {_mb(used)} of their {_mb(caps.max_workspaces_bytes)} limit "
            f"({WORKSPACES_BYTES_VAR}), and this save needs {_mb(new_bytes)}. Delete a saved space you no longer "
            f"need, or {ASK}."
        )


def check_upload_space(caps: ServerCaps, root: os.PathLike[str] | str, *, incoming: int) -> None:
    """An InputError naming the cap when an upload of ``incoming`` bytes would overfill the scratch space."""
    used = folder_bytes(Path(root) / UPLOADS_DIR)
    if used + incoming > caps.max_uploads_bytes:
        raise InputError(
            f"The uploads kept on this server take {_mb(used)} of their {_mb(caps.max_uploads_bytes)} limit "
            f"({UPLOADS_VAR}), and this file is {_mb(incoming)}. Uploads unused for {caps.upload_hours:g} hours "
            f"are removed; use a built-in corpus, try again later, or {ASK}."
        )


def note_use(folder: os.PathLike[str] | str) -> None:
    """Mark a workspace or upload folder as used now (so ``expire`` keeps it); nothing when it does not exist."""
    marker = Path(folder) / USED_MARKER
    with suppress(FileNotFoundError, NotADirectoryError):
        marker.touch()


def expire(root: os.PathLike[str] | str, caps: ServerCaps, *, now: float | None = None) -> list[Path]:
    """Delete workspaces and upload folders unused for longer than the caps allow; returns what was removed.

    Last use is the newest modification time inside the folder (a save, an upload, ``note_use``).
    A folder is first renamed out of the way, so no session ever sees a half-deleted workspace.
    """
    root, now = Path(root), time.time() if now is None else now
    uploads = root / UPLOADS_DIR
    _remove_leftovers(root)
    _remove_leftovers(uploads)
    stale = [f for f in workspace_folders(root) if now - last_used(f) > caps.workspace_days * DAY]
    with suppress(FileNotFoundError):
        stale += [
            f
            for f in sorted(uploads.iterdir())
            if is_valid_token(f.name) and f.is_dir() and now - last_used(f) > caps.upload_hours * 3600
        ]
    for folder in stale:
        logger.info("expiring %s (unused since %s)", folder, time.ctime(last_used(folder)))
        _remove(folder)
    return stale


def last_used(folder: Path) -> float:
    """The newest modification time of the folder or anything in it."""
    newest = 0.0
    for current, dirs, files in os.walk(folder):
        for name in [".", *dirs, *files]:
            with suppress(OSError):
                newest = max(newest, os.lstat(os.path.join(current, name)).st_mtime)
    return newest


def folder_bytes(folder: Path) -> int:
    """Bytes of the files under ``folder`` (0 when it does not exist)."""
    total = 0
    for current, _, files in os.walk(folder):
        for name in files:
            with suppress(OSError):
                total += os.lstat(os.path.join(current, name)).st_size
    return total


_started: set[Path] = set()
_started_lock = threading.Lock()


def start_housekeeping(root: os.PathLike[str] | str, *, every: float = HOUSEKEEPING_SECONDS) -> bool:
    """Run ``expire`` on ``root`` now and then every ``every`` seconds in a daemon thread, once per
    process and root (later calls do nothing and return False)."""
    folder = Path(root).resolve()
    with _started_lock:
        if folder in _started:
            return False
        _started.add(folder)
    threading.Thread(target=_housekeep, args=(folder, every), daemon=True, name="embedding-lab-expiry").start()
    return True


def _housekeep(root: Path, every: float) -> None:
    while True:
        try:
            expire(root, ServerCaps.from_env())
        except Exception:  # a bad setting or a disk error: logged, and tried again next time
            logger.exception("expiring old workspaces under %s failed", root)
        time.sleep(every)


def _remove(folder: Path) -> None:
    hidden = folder.with_name(f"{EXPIRED_PREFIX}{folder.name}-{secrets.token_hex(4)}")
    try:
        folder.rename(hidden)
    except OSError:
        return  # removed or renamed by someone else meanwhile
    shutil.rmtree(hidden, ignore_errors=True)


def _remove_leftovers(folder: Path) -> None:
    """Folders a crash left half-deleted."""
    with suppress(FileNotFoundError):
        for path in folder.iterdir():
            if path.name.startswith(EXPIRED_PREFIX):
                shutil.rmtree(path, ignore_errors=True)


def _mb(size: int) -> str:
    return f"{math.ceil(size / MB):,} MB"
