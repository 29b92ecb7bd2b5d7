"""The lesson file parser: good files round-trip, bad ones name the line and what was expected."""

import pytest

from app.errors import InputError
from app.lessons.format import Show, parse_lesson

GOOD = """---
title: Near means similar
level: beginner
summary: Cosine by hand, then neighbours.
---

## Cosine by hand
Two words are close when their vectors point the same way.

Even *far* apart in the file.
show: widget cosine king queen
ask: Which pair is closer?
guess: king and queen | king and apple
answer: king and queen.

## Neighbours
show: view Explore?sample=glove&query=hot
"""


def test_a_good_lesson_parses_and_round_trips():
    lesson = parse_lesson(GOOD, "near.md")
    assert (lesson.title, lesson.level, lesson.summary) == (
        "Near means similar",
        "beginner",
        "Cosine by hand, then neighbours.",
    )
    first, second = lesson.steps
    assert first.title == "Cosine by hand" and first.line == 7
    assert first.text.startswith("Two words") and "*far*" in first.text
    assert first.show == Show("widget", "cosine", ("king", "queen"))
    assert first.guesses == ("king and queen", "king and apple")
    assert first.question == "Which pair is closer?" and first.answer == "king and queen."
    assert second.show == Show("view", "Explore?sample=glove&query=hot")
    assert parse_lesson(lesson.to_markdown()) == lesson


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("title: x\n", "line 1: a lesson starts with a header"),
        ("---\ntitle: x\nlevel: beginner\n", "line 1: the header has no closing"),
        ("---\ntitle x\n---\n", "line 2: expected 'key: value'"),
        ("---\nlevel: beginner\n---\n## a\n", "needs 'title"),
        ("---\ntitle: x\nlevel: expert\n---\n## a\n", "one of beginner"),
        ("---\ntitle: x\nlevel: beginner\n---\n", "no steps"),
        ("---\ntitle: x\nlevel: beginner\n---\nhello\n## a\n", "line 5: text before the first step"),
        ("---\ntitle: x\nlevel: beginner\n---\n## a\nshow: picture\n", "line 6: expected 'show: view"),
        ("---\ntitle: x\nlevel: beginner\n---\n## a\nguess: only one\n", "line 6: 'guess:' needs 2"),
        ("---\ntitle: x\nlevel: beginner\n---\n## a\nask: one\nask: two\n", "line 7: a second 'ask:'"),
        ("---\ntitle: x\nlevel: beginner\n---\n## \n", "line 5: a step heading needs a title"),
        ("---\ntitle: x\nlevel: beginner\n---\n## a\nanswer:\n", "line 6: 'answer:' needs something"),
    ],
)
def test_bad_lessons_name_the_line_and_what_was_expected(text, message):
    with pytest.raises(InputError, match=message) as error:
        parse_lesson(text, "bad.md")
    assert str(error.value).startswith("bad.md")


def test_a_huge_file_is_refused_before_parsing():
    with pytest.raises(InputError, match="limit"):
        parse_lesson("x" * 300_000)
