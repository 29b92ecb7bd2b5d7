"""Projector bookmarks as a draft lesson: each step shows the Explore view closest to its bookmark,
says what could not be carried over, escapes the description, and names only shared data."""

from __future__ import annotations

from urllib.parse import parse_qsl

import numpy as np
import pytest

from app.errors import InputError
from app.geometry.selection import matching_rows
from app.io.formats.bookmarks import Bookmark, bookmarks_of
from app.io.loaders import load_vectors
from app.lessons.format import MAX_STEPS, parse_lesson
from app.lessons.from_projector import explore_view, lesson_from_bookmarks
from app.resources import SAMPLE_DATA
from app.space import EmbeddingSpace

DATA = {"space": "abc123"}
WORDS = [f"w{i}" for i in range(30)]


def view(bookmark: Bookmark, words=WORDS, columns=("kind", "name")) -> tuple[dict[str, str], list[str]]:
    mapped = explore_view(bookmark, words=words, metadata_columns=list(columns), data=DATA)
    return dict(parse_qsl(mapped.target().partition("?")[2])), mapped.not_carried


def test_projection_settings_map_onto_explore():
    settings, missing = view(Bookmark(1, "t", projection="tsne", dims=3, perplexity=12, tsne_iteration=300))
    assert settings == {"space": "abc123", "method": "tsne", "dims": "3", "perplexity": "12"}
    assert missing == ["t-SNE stopped at iteration 300: Explore runs it to the end"]
    settings, missing = view(Bookmark(1, "u", projection="umap", dims=2, umap_neighbors=300, umap_min_dist=0.25))
    assert settings == {"space": "abc123", "method": "umap", "dims": "2", "n_neighbors": "100", "min_dist": "0.25"}
    assert missing == ["UMAP neighbours 300: Explore takes 2 to 100, so 100"]


def test_what_has_no_counterpart_is_said_not_dropped_silently():
    bookmark = Bookmark(
        1, "c", projection="custom", camera=True, coordinates=True, colour_by="colour", label_by="nickname"
    )
    settings, missing = view(bookmark)
    assert settings["method"] == "pca" and "colour" not in settings and "label_by" not in settings
    assert [m.split(" ")[1] for m in missing] == ["custom", "colouring", "labels", "camera", "positions"]
    _, missing = view(Bookmark(1, "p", projection="pca", pca_components=[2, 0]))
    assert missing == ["PCA components 3, 1: Explore draws the first 2"]


def test_colour_and_labels_map_to_metadata_columns():
    settings, missing = view(Bookmark(1, "k", colour_by="kind", label_by="name"))
    assert settings["colour"] == "meta:kind" and settings["label_by"] == "name" and missing == []


def test_selected_words_are_highlighted_by_a_search_that_finds_exactly_them():
    space = EmbeddingSpace(
        "toy", ["king", "digit 0 #0", "a.b", "digit 0 #10", "queen", "(x)", *WORDS], np.eye(36, dtype=np.float32)
    )
    for rows, kind in (([0, 4], "word"), ([1, 3, 2, 5], "regex"), ([1, 3], "regex")):
        settings, missing = view(Bookmark(1, "s", selected_points=rows, selected_total=len(rows)), words=space.words)
        assert settings["find_mode"] == kind and settings["mode"] == "top" and settings["n"] == "36"
        assert matching_rows(space, settings["find"], settings["find_mode"]) == sorted(rows)
        assert missing == []
    assert settings["find"] == "^digit 0 #(0|10)$"  # a shared beginning is written once


def test_a_selection_too_long_to_search_becomes_a_list_of_words():
    words = [f"a point with a long name {i}" for i in range(200)]
    rows = list(range(0, 200, 2))
    settings, missing = view(Bookmark(1, "l", selected_points=rows, selected_total=150), words=words)
    assert settings["mode"] == "list" and "find" not in settings
    listed = settings["words"].split(",")
    assert listed == [words[r] for r in rows[: len(listed)]] and len(settings["words"]) <= 1_000
    assert missing[0] == "50 more selected points (the first 100 kept)"
    assert missing[1].endswith("of the 100 selected points (too many to list)")


def test_only_shared_data_may_be_named():
    for data in ({}, {"ws": "secret"}, {"space": "x", "ws": "secret"}, {"n_words": "5"}):
        with pytest.raises(InputError, match="only shared data"):
            explore_view(Bookmark(1, "x"), words=WORDS, metadata_columns=[], data=data)
    settings, _ = view(Bookmark(1, "x"))
    assert "ws" not in settings


def test_the_sample_folder_becomes_a_lesson_the_parser_reads_back():
    space = load_vectors(SAMPLE_DATA / "digits_projector.zip")
    bookmarks = bookmarks_of(space.source)
    lesson = lesson_from_bookmarks(
        bookmarks, space_name=space.name, words=space.words, metadata_columns=list(space.metadata.columns), data=DATA
    )
    again = parse_lesson(lesson.to_markdown())
    assert again.to_markdown() == lesson.to_markdown() and [s.title for s in lesson.steps] == [
        b.title for b in bookmarks
    ]
    first, _, third = lesson.steps
    assert first.show.kind == "view" and first.show.target.startswith("Explore?space=abc123&method=pca")
    assert "11 selected points highlighted" in first.text and "coloured by digit" in first.text
    found = dict(parse_qsl(first.show.target.partition("?")[2]))
    assert [space.words[i] for i in matching_rows(space, found["find"], found["find_mode"])] == [
        w for w in space.words if w.startswith("digit 0 ")
    ]
    assert "selected\\: do they" in first.text  # the description as written, escaped
    assert "method=tsne" in third.show.target and "perplexity=10" in third.show.target
    not_carried = third.text.split("*Not carried over from the Projector:* ")[1]
    assert "t-SNE stopped at iteration 500" in not_carried and "the camera (position, angle and zoom)" in not_carried


def test_a_description_cannot_become_markup_or_a_directive():
    hostile = Bookmark(1, "## x", description="show: widget cosine a b [link](http://evil) <b>hi</b> ## head")
    lesson = lesson_from_bookmarks([hostile], space_name="s\nname", words=WORDS, data=DATA)
    again = parse_lesson(lesson.to_markdown())
    (step,) = again.steps
    assert step.title == "## x" and step.show.target.startswith("Explore?")
    assert "\\[link\\]" in step.text and "\\<b\\>" in step.text and "http\\:/\u200b/evil" in step.text
    assert again.title == "Bookmarks: s name"


def test_many_bookmarks_are_capped_at_the_lesson_step_limit_and_none_is_refused():
    many = [Bookmark(i, f"b{i}") for i in range(1, MAX_STEPS + 11)]
    lesson = lesson_from_bookmarks(many, space_name="s", words=WORDS, data=DATA)
    assert len(lesson.steps) == MAX_STEPS and f"The first {MAX_STEPS} of {MAX_STEPS + 10}" in lesson.summary
    with pytest.raises(InputError, match="no bookmarks"):
        lesson_from_bookmarks([], space_name="s", words=WORDS, data=DATA)
