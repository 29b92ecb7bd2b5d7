"""A Projector folder's bookmarks file: read field by field, and every odd input a warning that names
the file and the bookmark, never a traceback and never the end of the load."""

from __future__ import annotations

import json
import re

import pytest

from app.errors import InputError
from app.io.formats.bookmarks import (
    MAX_BOOKMARKS,
    MAX_BOOKMARKS_BYTES,
    MAX_DESCRIPTION_CHARS,
    MAX_SELECTED,
    MAX_TITLE_CHARS,
    Bookmark,
    bookmarks_of,
    describe,
    parse_bookmarks,
)
from app.io.loaders import load_vectors
from tests.unit.test_projector_folder import config, folder_zip

NAME = "oss_data/bookmarks.json"
PROJECTOR_STATE = {  # the fields the Projector's State class writes
    "label": "Tight clusters",
    "isSelected": False,
    "selectedProjection": "tsne",
    "dataSetDimensions": [5, 3],
    "tSNEIteration": 412,
    "tSNEPerplexity": 12,
    "tSNELearningRate": 10,
    "tSNEis3d": False,
    "umapIs3d": True,
    "umapNeighbors": 15,
    "umapMinDist": 0.1,
    "pcaComponentDimensions": [0, 1, 2],
    "projections": [{"tsne-0": 0.1, "tsne-1": 0.2}],
    "selectedPoints": [3, 1],
    "shuffledDataIndices": [0, 1, 2, 3, 4],
    "cameraDef": {"orthographic": True, "position": [0, 0, 5], "target": [0, 0, 0], "zoom": 1.5},
    "selectedColorOptionName": "kind",
    "forceCategoricalColoring": False,
    "selectedLabelOption": "name",
}


def parse(states: object, n_rows: int = 5) -> tuple[list[Bookmark], list[str]]:
    return parse_bookmarks(json.dumps(states).encode(), NAME, n_rows=n_rows)


def test_a_projector_state_is_read_field_by_field():
    (bookmark,), warnings = parse([PROJECTOR_STATE])
    assert warnings == []
    assert bookmark.number == 1 and bookmark.title == "Tight clusters" and bookmark.description == ""
    assert bookmark.projection == "tsne" and bookmark.dims == 2
    assert bookmark.perplexity == 12 and bookmark.tsne_iteration == 412
    assert bookmark.umap_neighbors == 15 and bookmark.umap_min_dist == 0.1
    assert bookmark.pca_components == [0, 1, 2]
    assert bookmark.selected_points == [3, 1] and bookmark.selected_total == 2
    assert bookmark.colour_by == "kind" and bookmark.label_by == "name"
    assert bookmark.camera and bookmark.coordinates


def test_pca_dims_come_from_its_components_and_umap_from_its_flag():
    (pca, umap, bare), _ = parse(
        [
            {"selectedProjection": "pca", "pcaComponentDimensions": [0, 1, 2], "tSNEis3d": False},
            {"selectedProjection": "UMAP", "umapIs3d": False},
            {"label": "  just   a   title  "},
        ]
    )
    assert (pca.projection, pca.dims) == ("pca", 3)
    assert (umap.projection, umap.dims) == ("umap", 2)
    assert (bare.projection, bare.dims, bare.title) == ("", None, "just a title")
    assert pca.title == "Bookmark 1"  # no label: named by its number


def test_a_record_survives_the_trip_through_the_saved_provenance():
    (bookmark,), _ = parse([PROJECTOR_STATE | {"description": "Look **here**"}])
    record = json.loads(json.dumps(bookmark.to_record()))  # as a saved space's manifest keeps it
    assert Bookmark.from_record(record, 9) == bookmark
    assert bookmarks_of({"bookmarks": [record, "junk", {"title": 5, "dims": 7, "selected_points": "x"}]})[1:] == [
        Bookmark(number=2, title="Bookmark 2"),
        Bookmark(number=3, title="5"),
    ]
    assert bookmarks_of({"bookmarks": "not a list"}) == []
    older = {"title": "t", "description": "", "projection": "", "selected_points": [0, 2]}  # an earlier loader's
    assert bookmarks_of({"bookmarks": [older]})[0].selected_total == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'[{"label": "a"},\n {"label": ', rf"{NAME}, line 2: not valid JSON .*loaded without its bookmarks"),
        (b"\xff\xfe not text", rf"{NAME}: not UTF-8 text"),
        (b"[" * 100_000, rf"{NAME}: not a bookmarks file \(RecursionError\)"),
        (b"[" + b"9" * 5_000 + b"]", rf"{NAME}: not a bookmarks file \(ValueError\)"),
        (b'{"label": "one"}', rf"{NAME}: expected a JSON list of bookmarks, found an object"),
    ],
    ids=["bad json", "not utf-8", "too deep", "huge integer", "not a list"],
)
def test_an_unreadable_file_is_one_warning_and_no_bookmarks(data, message):
    bookmarks, warnings = parse_bookmarks(data, NAME, n_rows=5)
    assert bookmarks == [] and len(warnings) == 1
    assert re.match(message, warnings[0]), warnings


def test_odd_fields_are_noted_with_the_bookmark_number_and_the_rest_is_kept():
    states = [
        {"label": "fine"},
        7,
        {
            "label": ["x"],
            "selectedProjection": "warp",
            "tSNEPerplexity": -3,
            "umapNeighbors": "many",
            "pcaComponentDimensions": [0],
            "selectedPoints": "all",
        },
        {"label": "far", "selectedPoints": [1, 1, 500, True, -2, 2.5, "3"]},
    ]
    bookmarks, warnings = parse(states)
    assert [b.number for b in bookmarks] == [1, 3, 4]
    assert warnings[0] == f"{NAME}: bookmark 2 is a number, not an object; it was skipped"
    third = warnings[1]
    assert third.startswith(f"{NAME}: bookmark 3 (Bookmark 3): label should be text, got a list of 1 item")
    for expected in ("'warp' is not one of", "tSNEPerplexity", "umapNeighbors", "pcaComponentDimensions", "'all'"):
        assert expected in third
    assert bookmarks[1].projection == "" and bookmarks[1].perplexity is None and bookmarks[1].selected_points == []
    assert bookmarks[2].selected_points == [1]
    assert "3 values left out (not row numbers)" in warnings[2] and "2 rows left out (past the 5 rows" in warnings[2]


def test_huge_files_counts_and_texts_are_capped():
    bookmarks, warnings = parse_bookmarks(b" " * (MAX_BOOKMARKS_BYTES + 1), NAME, n_rows=5)
    assert bookmarks == [] and "bytes is more than the" in warnings[0]
    many = [{"label": f"b{i}"} for i in range(MAX_BOOKMARKS + 5)]
    bookmarks, warnings = parse(many)
    assert len(bookmarks) == MAX_BOOKMARKS and f"the first {MAX_BOOKMARKS} were kept" in warnings[0]
    long_state = {"label": "t" * 10_000, "description": "d " * 10_000, "selectedPoints": list(range(5_000))}
    (bookmark,), _ = parse([long_state], n_rows=10_000)
    assert len(bookmark.title) == MAX_TITLE_CHARS and len(bookmark.description) == MAX_DESCRIPTION_CHARS
    assert len(bookmark.selected_points) == MAX_SELECTED and bookmark.selected_total == 5_000


def test_describe_says_what_a_bookmark_shows():
    (bookmark,), _ = parse([PROJECTOR_STATE])
    words = [f"w{i}" for i in range(5)]
    assert describe(bookmark, words) == (
        "t-SNE in 2D · 2 selected points (w3, w1) · coloured by kind · labelled by name · a camera position"
    )
    assert describe(Bookmark(number=1, title="x"), words) == "no projection, selection or colouring saved"


def test_the_loader_keeps_the_bookmarks_and_warns_instead_of_failing():
    space = load_vectors(folder_zip(bookmarks__json=b"[{oops"))
    assert "bookmarks" in space.source and space.source["bookmarks"] == []
    assert any("bookmarks.json, line 1: not valid JSON" in w for w in space.source["warnings"])
    space = load_vectors(folder_zip(bookmarks__json=json.dumps([PROJECTOR_STATE]).encode()), limit=2)
    (bookmark,) = bookmarks_of(space.source)
    assert bookmark.selected_points == [1]  # row 3 is past the 2 rows kept
    assert any("bookmark 1 (Tight clusters): selectedPoints: 1 row left out" in w for w in space.source["warnings"])


def test_a_bookmarks_path_outside_the_folder_is_still_refused():
    with pytest.raises(InputError, match="bookmarksPath '../b.json' points outside the folder"):
        load_vectors(folder_zip(config(bookmarksPath="../b.json")))
