import numpy as np

from app.projection.methods import project
from app.projection.placement import mark_words, place
from tests.conftest import make_space


def test_pca_places_a_left_out_word_exactly_where_pca_would():
    vectors = np.random.default_rng(0).normal(size=(200, 10)).astype(np.float32)
    space = make_space([f"w{i}" for i in range(200)], vectors)
    projection = project(space, "pca", 2)
    shown = space.head(150)
    part = project(shown, "pca", 2)
    placed = place(shown.vectors, part.coords, vectors[150:], method="pca", metric="cosine")
    assert placed.shape == (50, 2)
    assert projection.coords.shape == (200, 2)
    # the same linear map: refitting on the shown rows reproduces their own coordinates
    again = place(shown.vectors, part.coords, shown.vectors[:5], method="pca", metric="cosine")
    np.testing.assert_allclose(again, part.coords[:5], atol=1e-3)


def test_mark_words_adds_missing_words_and_finds_shown_ones():
    vectors = np.random.default_rng(1).normal(size=(40, 5)).astype(np.float32)
    space = make_space([f"w{i}" for i in range(40)], vectors)
    shown = space.head(30)
    projection = project(shown, "pca", 2)
    marked = mark_words(space, shown, projection, {"neighbours": ["w3", "w35", "w35"], "found": ["w35", "nope"]})
    assert marked.rows["neighbours"] == [3, 30] and marked.rows["found"] == [30]
    assert marked.added == ("w35",) and marked.words[30] == "w35" and marked.coords.shape == (31, 2)
    capped = mark_words(space, shown, projection, {"found": [f"w{i}" for i in range(30, 40)]}, max_added=4)
    assert len(capped.added) == 4 and capped.left_out == 6
