"""Lessons saved as plain .md files: round trip, atomic replace, listing past damage, safe names."""

import os

import pytest

from app.errors import InputError
from app.lessons import store
from app.lessons.format import Lesson, Show, Step, parse_lesson


def _lesson(title: str = "Near means similar", steps: int = 2) -> Lesson:
    return Lesson(
        title=title,
        level="beginner",
        summary="Cosine, then neighbours.",
        steps=tuple(
            Step(
                title=f"Step {i}",
                text=f"Text of step {i}.",
                show=Show("view", f"Explore?sample=glove&query=w{i}"),
                question="Which?",
                guesses=("a", "b"),
                answer="a",
            )
            for i in range(1, steps + 1)
        ),
    )


def test_save_then_read_gives_the_same_lesson(tmp_path):
    shelf = store.workspace_lessons(tmp_path / "ws")
    name = shelf.save(_lesson())
    assert name == "near-means-similar"
    assert shelf.read(name).to_markdown() == _lesson().to_markdown()  # Step.line differs: where it was read
    assert (tmp_path / "ws" / "lessons" / "near-means-similar.md").read_text() == _lesson().to_markdown()
    assert [stored.lesson.title for stored in shelf.list()] == ["Near means similar"]


def test_saving_the_same_title_replaces_and_leaves_no_temp_files(tmp_path):
    shelf = store.LessonShelf(tmp_path)
    shelf.save(_lesson(steps=1))
    shelf.save(_lesson(steps=3))
    assert len(shelf.read("near-means-similar").steps) == 3
    assert sorted(os.listdir(tmp_path)) == ["near-means-similar.md"]


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    shelf = store.LessonShelf(tmp_path)
    shelf.save(_lesson(steps=1))

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "replace", crash)
    with pytest.raises(InputError, match="No space left"):
        shelf.save(_lesson(steps=3))
    assert len(shelf.read("near-means-similar").steps) == 1
    assert sorted(os.listdir(tmp_path)) == ["near-means-similar.md"]


def test_a_damaged_file_is_skipped_in_the_listing(tmp_path):
    shelf = store.LessonShelf(tmp_path)
    shelf.save(_lesson("Good one"))
    (tmp_path / "broken.md").write_text("no header here\n")
    (tmp_path / "notes.txt").write_text("not a lesson")
    assert [stored.slug for stored in shelf.list()] == ["good-one"]
    with pytest.raises(InputError, match="line 1"):
        shelf.read("broken")


def test_delete_and_missing_lessons(tmp_path):
    shelf = store.LessonShelf(tmp_path)
    name = shelf.save(_lesson())
    shelf.delete(name)
    assert shelf.list() == []
    with pytest.raises(InputError, match="no lesson"):
        shelf.delete(name)
    with pytest.raises(InputError, match="no lesson"):
        shelf.read(name)


@pytest.mark.parametrize("name", ["../escape", "a/b", ".hidden", "", "UPPER", "x" * 80])
def test_names_that_are_not_slugs_are_refused(tmp_path, name):
    with pytest.raises(InputError, match="not a lesson name"):
        store.LessonShelf(tmp_path).read(name)


def test_slugs_are_readable_and_safe():
    assert store.slug("Analogies, honestly!") == "analogies-honestly"
    assert store.slug("Café ≠ tea") == "cafe-tea"
    assert store.slug("../../etc/passwd") == "etc-passwd"
    assert store.slug("★★★") == "lesson"
    assert all(store.is_valid_slug(store.slug(t)) for t in ["a" * 200, "-x-", "Ünïcode"])


def test_published_lessons_live_on_the_class_shelf(tmp_path):
    shelf = store.published_lessons(tmp_path / "_published")
    shelf.save(_lesson())
    assert (tmp_path / "_published" / "lessons" / "near-means-similar.md").exists()
    assert parse_lesson(shelf.path.joinpath("near-means-similar.md").read_text()).title == _lesson().title


def test_the_draft_round_trips_and_a_damaged_draft_reads_as_none(tmp_path):
    assert store.read_draft(tmp_path) is None
    store.save_draft(tmp_path, _lesson())
    assert store.read_draft(tmp_path).to_markdown() == _lesson().to_markdown()
    (tmp_path / store.DRAFT).write_text("---\ntitle: x\n")
    assert store.read_draft(tmp_path) is None
