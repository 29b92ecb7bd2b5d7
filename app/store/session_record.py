"""What a browser had loaded, kept in its private workspace so a reload brings it back.

``root/<token>/session.json`` lists the loaded spaces in order, each by reference: a built-in
sample by key and size, a published space by its shelf id, anything private by the name it is
saved under in the same workspace. It also names the active space. It is small, replaced
atomically, and read defensively (a damaged record is an empty one).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

FILE = "session.json"
FORMAT = "embedding-lab-session"
MAX_BYTES = 64 * 1024
MAX_SPACES = 64
KINDS = ("sample", "published", "saved")


@dataclass(frozen=True)
class Loaded:
    """One loaded space by reference: ``kind`` says where to find it again."""

    name: str
    kind: str
    sample: str = ""
    n_words: int = 0
    id: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "sample": self.sample, "n_words": self.n_words, "id": self.id}


@dataclass(frozen=True)
class SessionRecord:
    """The loaded spaces, in load order, and the active one's name."""

    spaces: tuple[Loaded, ...] = ()
    active: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": 1, "active": self.active, "spaces": [s.as_json() for s in self.spaces]}


def write(folder: Path, record: SessionRecord) -> None:
    """Replace the record in ``folder`` atomically (temp file + fsync + rename)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = folder / f"{FILE}.{secrets.token_hex(4)}.part"
    data = json.dumps(record.as_json(), ensure_ascii=True).encode("ascii")
    try:
        with open(tmp, "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, folder / FILE)
    finally:
        tmp.unlink(missing_ok=True)


def read(folder: Path) -> SessionRecord:
    """The record in ``folder``; an empty one when there is none or it is damaged (logged)."""
    path = folder / FILE
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValueError(f"{path.stat().st_size:,} bytes is too large for a session record")
        return _parse(json.loads(path.read_text(encoding="ascii")))
    except FileNotFoundError:
        return SessionRecord()
    except (OSError, ValueError, TypeError, KeyError) as exc:
        logger.warning("ignoring the damaged session record %s: %s", path, exc)
        return SessionRecord()


def _parse(data: Any) -> SessionRecord:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a session record")
    spaces = []
    for item in data["spaces"][:MAX_SPACES]:
        loaded = Loaded(
            name=str(item["name"]),
            kind=str(item["kind"]),
            sample=str(item.get("sample") or ""),
            n_words=int(item.get("n_words") or 0),
            id=str(item.get("id") or ""),
        )
        if loaded.kind in KINDS:
            spaces.append(loaded)
    active = data.get("active")
    return SessionRecord(tuple(spaces), active if isinstance(active, str) else None)
