"""Lessons kept on disk: a teacher's drafts in their workspace, and the lessons published to the class.

Each lesson is one plain ``.md`` file (the lesson file format of app/lessons/format.py), named by a
slug of its title, so a folder of lessons can be read, copied and edited by hand; nothing is ever
unpickled. A write goes to a temp file in the same folder, is fsync'ed and then ``os.replace``d
into place: a crash leaves the old file or the new one, never half of one.

    <workspace>/lessons/<slug>.md       a teacher's saved lessons (private, like their spaces)
    <root>/_published/lessons/<slug>.md  the class shelf: every student may list and read
    <workspace>/lesson-draft.md          the lesson being written ("Add this view to a lesson" appends here)
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from app.errors import InputError
from app.lessons.format import Lesson, parse_lesson

logger = logging.getLogger(__name__)

LESSONS_DIR = "lessons"
SUFFIX = ".md"
DRAFT = "lesson-draft.md"
MAX_LESSONS = 200
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


def slug(title: str) -> str:
    """A file-name-safe, readable name for a title ("Near means similar!" -> "near-means-similar")."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:60].strip("-")
    return words or "lesson"


def is_valid_slug(name: str) -> bool:
    """True only for names ``slug()`` makes: no dots, slashes or other path tricks."""
    return isinstance(name, str) and _SLUG.fullmatch(name) is not None


@dataclass(frozen=True)
class StoredLesson:
    """One lesson on a shelf: its file name (``slug``) and the parsed lesson."""

    slug: str
    lesson: Lesson


class LessonShelf:
    """A folder of lesson files: save (atomic), list, read, delete."""

    def __init__(self, path: os.PathLike | str) -> None:
        self.path = Path(path)

    def save(self, lesson: Lesson) -> str:
        """Write ``lesson`` (replacing one with the same title) and return its slug."""
        name = slug(lesson.title)
        text = lesson.to_markdown()
        parse_lesson(text, name=f"{name}{SUFFIX}")  # never store what cannot be read back
        if not (self.path / f"{name}{SUFFIX}").exists() and len(self._files()) >= MAX_LESSONS:
            raise InputError(f"There are already {MAX_LESSONS} lessons here; delete one first.")
        try:
            _write_atomically(self.path, f"{name}{SUFFIX}", text)
        except OSError as exc:
            raise InputError(f"Could not save the lesson {lesson.title!r} ({exc.strerror or exc}).") from exc
        return name

    def list(self) -> list[StoredLesson]:
        """Every readable lesson, by title; a damaged file is logged and skipped."""
        found = []
        for path in self._files():
            try:
                found.append(StoredLesson(path.stem, parse_lesson(path.read_text(encoding="utf-8"), name=path.name)))
            except (InputError, OSError, UnicodeDecodeError) as exc:
                logger.warning("skipping unreadable lesson %s: %s", path, exc)
        return sorted(found, key=lambda stored: (stored.lesson.title.lower(), stored.slug))

    def read(self, name: str) -> Lesson:
        """The lesson saved as ``name``; an InputError when there is none or it cannot be read."""
        path = self._path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"There is no lesson {name!r} here; it may have been deleted.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"The lesson {name!r} cannot be read ({exc}).") from exc
        return parse_lesson(text, name=path.name)

    def delete(self, name: str) -> None:
        """Remove the lesson ``name``; an InputError when there is none."""
        path = self._path(name)
        try:
            path.unlink()
        except FileNotFoundError:
            raise InputError(f"There is no lesson {name!r} here; it may have been deleted.") from None

    def _path(self, name: str) -> Path:
        if not is_valid_slug(name):
            raise InputError(f"{name!r} is not a lesson name")
        return self.path / f"{name}{SUFFIX}"

    def _files(self) -> tuple[Path, ...]:
        return _lesson_files(self.path)


def workspace_lessons(workspace_path: os.PathLike | str) -> LessonShelf:
    """A teacher's saved lessons inside their workspace folder."""
    return LessonShelf(Path(workspace_path) / LESSONS_DIR)


def published_lessons(published_path: os.PathLike | str) -> LessonShelf:
    """The lessons on the class shelf (``published_path`` is the PublishedShelf's folder)."""
    return LessonShelf(Path(published_path) / LESSONS_DIR)


def save_draft(workspace_path: os.PathLike | str, lesson: Lesson) -> None:
    """Keep the lesson being written (the editor's working copy) in the workspace, atomically."""
    parse_lesson(lesson.to_markdown(), name=DRAFT)
    try:
        _write_atomically(Path(workspace_path), DRAFT, lesson.to_markdown())
    except OSError as exc:
        raise InputError(f"Could not keep the draft lesson ({exc.strerror or exc}).") from exc


def read_draft(workspace_path: os.PathLike | str) -> Lesson | None:
    """The draft lesson in the workspace, or None when there is none (or it cannot be read)."""
    path = Path(workspace_path) / DRAFT
    try:
        return parse_lesson(path.read_text(encoding="utf-8"), name=DRAFT)
    except FileNotFoundError:
        return None
    except (InputError, OSError, UnicodeDecodeError) as exc:
        logger.warning("ignoring an unreadable draft lesson %s: %s", path, exc)
        return None


def _lesson_files(folder: Path) -> tuple[Path, ...]:
    if not folder.is_dir():
        return ()
    return tuple(sorted(p for p in folder.iterdir() if p.suffix == SUFFIX and is_valid_slug(p.stem) and p.is_file()))


def _write_atomically(folder: Path, file_name: str, text: str) -> None:
    """Temp file in the same folder, fsync, ``os.replace``, fsync the folder."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, folder / file_name)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
