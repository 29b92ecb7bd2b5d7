"""A zip archive held in memory, opened with the same guards as the corpus reader's.

Refused before anything is extracted: more than ``MAX_ENTRIES`` entries (counted from the end
record, before zipfile builds its directory), entries with absolute or '..' paths, encrypted
entries; reading an entry stops at its claimed size and at the byte cap (a zip bomb).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib

from app.errors import InputError

ZIP_MAGIC = b"PK\x03\x04"
MAX_ENTRIES = 2_000
PROJECTOR_CONFIG = "projector_config.json"
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
    zlib.error,
)


END_RECORD_SPAN = 65_557  # the end record (22 bytes) plus the longest comment


def claimed_entry_count(data: bytes) -> int | None:
    """The entry count the archive's end record states (the zip64 one when it says 0xFFFF); ``data``
    is the archive or at least its last END_RECORD_SPAN bytes."""
    tail = data[-END_RECORD_SPAN:]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    count = int.from_bytes(tail[at + 10 : at + 12], "little")
    if count == 0xFFFF:
        at64 = tail.rfind(b"PK\x06\x06", 0, at)
        return int.from_bytes(tail[at64 + 32 : at64 + 40], "little") if at64 >= 0 else None
    return count


def unsafe_name(name: str) -> bool:
    """An absolute path, a drive letter or a '..' part: a name that could point outside the folder."""
    parts = re.split(r"[\\/]", name)
    return name.startswith(("/", "\\")) or bool(re.match(r"[A-Za-z]:", name)) or ".." in parts


class SafeZip:
    """The archive's entries by name, read one at a time within a shared byte budget."""

    def __init__(self, data: bytes, filename: str, *, max_bytes: int) -> None:
        self.filename = filename
        self.budget = max_bytes
        claimed = claimed_entry_count(data)
        if claimed is not None and claimed > MAX_ENTRIES:
            raise InputError(f"{filename}: {claimed:,} entries, more than the limit of {MAX_ENTRIES:,}")
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            infos = self.archive.infolist()
        except ZIP_ERRORS as exc:
            raise InputError(f"{filename}: not a valid zip archive ({exc})") from None
        if len(infos) > MAX_ENTRIES:
            raise InputError(f"{filename}: {len(infos):,} entries, more than the limit of {MAX_ENTRIES:,}")
        for info in infos:
            if unsafe_name(info.filename):
                raise InputError(f"{filename}: entry {info.filename!r} has an unsafe path (absolute or with '..')")
        self.infos = {info.filename.replace("\\", "/"): info for info in infos if not info.is_dir()}

    def names(self) -> list[str]:
        return list(self.infos)

    def not_found(self, config_name: str, field: str, raw: str) -> str:
        """The message when the config names a file the archive lacks."""
        return f"{config_name}: {field} names {raw!r}, which is not in the zip"

    def size(self, name: str) -> int:
        """The size the archive claims for an entry (checked again while reading)."""
        return int(self.infos[name].file_size)

    def read(self, name: str) -> bytes:
        """An entry's bytes; refused when encrypted, or past the budget all entries share."""
        info = self.infos[name]
        where = f"{self.filename}, entry {name!r}"
        if info.flag_bits & 0x1:
            raise InputError(f"{where}: password-protected; zip the files without a password")
        if info.file_size > self.budget:
            raise InputError(
                f"{where}: expands to {info.file_size:,} bytes, past the limit of the upload; "
                "refused (the limit guards against zip bombs)"
            )
        try:
            with self.archive.open(info) as stream:
                data = stream.read(info.file_size + 1)
        except ZIP_ERRORS as exc:
            raise InputError(f"{where}: unreadable ({exc})") from None
        if len(data) > info.file_size:
            raise InputError(f"{where}: holds more than the archive says; refused")
        self.budget -= len(data)
        return data


def folder_config(names: list[str]) -> str | None:
    """The shallowest ``projector_config.json`` among the entry names (the folder may be zipped
    with or without its enclosing directory), ignoring macOS's __MACOSX copies."""
    found = [n for n in names if posixpath.basename(n) == PROJECTOR_CONFIG and not n.startswith("__MACOSX/")]
    return min(found, key=lambda n: (n.count("/"), n)) if found else None


def is_projector_zip(data: bytes) -> bool:
    """A zip archive with a projector_config.json in it (a TensorFlow Projector folder)."""
    if not data.startswith(ZIP_MAGIC):
        return False
    claimed = claimed_entry_count(data)
    if claimed is not None and claimed > MAX_ENTRIES:
        return True  # it is a zip; the parser refuses it with the reason
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return folder_config([n.replace("\\", "/") for n in archive.namelist()]) is not None
    except ZIP_ERRORS:
        return False
