"""A TensorFlow Projector folder uploaded as its files together, opened exactly like the zipped one.

The files become an in-memory folder with the zip's interface and caps (``MAX_ENTRIES`` files,
``Limits.max_bytes`` in all), checked before any is parsed; names must be plain file names (no
'..', no absolute path), appear once, and exactly one must be ``projector_config.json``. The config,
its paths and the files are then read by ``app.io.formats.projector`` as for a zip.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from app.errors import InputError
from app.io.formats import Limits, Parsed
from app.io.formats.projector import read_projector_folder
from app.io.formats.zipped import MAX_ENTRIES, PROJECTOR_CONFIG, unsafe_name

MAX_LISTED = 6  # file names quoted in a message


class UploadedFolder:
    """Uploaded files by name: the same reading interface as ``SafeZip``, with the same caps."""

    def __init__(self, files: Sequence[tuple[bytes, str]], *, max_bytes: int) -> None:
        check_count(len(files))
        total = sum(len(data) for data, _ in files)
        if total > max_bytes:
            raise InputError(
                f"the uploaded files hold {total:,} bytes together, more than the limit of {max_bytes:,}; "
                "upload a smaller folder"
            )
        self.files: dict[str, bytes] = {}
        for data, raw in files:
            name = str(raw).replace("\\", "/").removeprefix("./")
            if not name or unsafe_name(name):
                raise InputError(f"{raw!r}: an unsafe file name (absolute or with '..'); refused")
            if name in self.files:
                raise InputError(f"{name} was uploaded twice; upload each of the folder's files once")
            self.files[name] = data

    def names(self) -> list[str]:
        return list(self.files)

    def size(self, name: str) -> int:
        return len(self.files[name])

    def read(self, name: str) -> bytes:
        return self.files[name]

    def not_found(self, config_name: str, field: str, raw: str) -> str:
        """The message when the config names a file that was not uploaded."""
        return f"{config_name} names {raw} ({field}), which was not among the uploaded files"


def check_count(count: int) -> None:
    """The zip's cap on entries, applied to files uploaded together (before any is read)."""
    if count > MAX_ENTRIES:
        raise InputError(f"{count:,} files uploaded together, more than the limit of {MAX_ENTRIES:,}")


def parse_projector_files(files: Sequence[tuple[bytes, str]], limits: Limits, limit: int | None) -> Parsed:
    """The first embedding of a Projector folder whose files (``(bytes, name)`` pairs) came together."""
    folder = UploadedFolder(files, max_bytes=limits.max_bytes)
    if not files:
        raise InputError(f"no files were uploaded; upload the folder's {PROJECTOR_CONFIG} with the files it names")
    configs = [name for name in folder.names() if posixpath.basename(name) == PROJECTOR_CONFIG]
    if not configs:
        listed = ", ".join(folder.names()[:MAX_LISTED]) + (", ..." if len(folder.names()) > MAX_LISTED else "")
        raise InputError(
            f"no {PROJECTOR_CONFIG} among the uploaded files ({listed}); "
            f"upload the folder's {PROJECTOR_CONFIG} with the files it names"
        )
    if len(configs) > 1:
        raise InputError(
            f"{len(configs)} files named {PROJECTOR_CONFIG} were uploaded ({', '.join(configs[:MAX_LISTED])}); "
            "upload one Projector folder at a time"
        )
    return read_projector_folder(folder, configs[0], limits, limit)
