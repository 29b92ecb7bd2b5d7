import numpy as np
import pytest
from gensim.models import KeyedVectors

from app.errors import InputError
from app.geometry.neighbours import MAX_K, Neighbours, nearest, top_k
from app.io.loaders import load_vectors
from app.io.samples import SAMPLE_DATA, load_glove, load_toy
from tests.conftest import make_space


@pytest.fixture(scope="module")
def toy():
    return load_toy()


@pytest.fixture(scope="module")
def glove():
    return load_glove(3000)


@pytest.fixture(scope="module")
def gensim_kv(glove):
    kv = KeyedVectors(glove.dim)
    kv.add_vectors(list(glove.words), glove.vectors)
    return kv


@pytest.fixture(scope="module")
def fasttext():
    return load_vectors(SAMPLE_DATA / "tiny_fasttext.bin")


def brute_force_cosine(space, positive, negative=(), k=10, exclude=True):
    """Reference: unit vectors, weighted sum, cosine with every row, full stable argsort."""
    unit = space.unit_vectors.astype(np.float64)
    rows = [space.index(w) for w in positive], [space.index(w) for w in negative]
    query = unit[rows[0]].sum(axis=0) - unit[rows[1]].sum(axis=0)
    sims = unit @ (query / np.linalg.norm(query))
    if exclude:
        sims[rows[0] + rows[1]] = -np.inf
    order = np.argsort(-sims, kind="stable")[:k]
    return [space.words[i] for i in order], sims[order]


# --- the toy space ------------------------------------------------------------------------
def test_king_minus_man_plus_woman_is_queen(toy):
    found = nearest(toy, "king - man + woman", k=3)
    assert isinstance(found, Neighbours)
    assert found.words[0] == "queen"
    assert found.query == "king - man + woman"
    assert found.metric == "cosine"
    assert found.excluded == ("king", "man", "woman")
    assert found.table.columns.tolist() == ["rank", "word", "similarity"]
    assert found.table["rank"].tolist() == [1, 2, 3]


def test_query_words_are_excluded_by_default_and_included_on_request(toy):
    excluded = nearest(toy, "king", k=11)
    assert "king" not in excluded.words
    assert len(excluded.words) == 11
    included = nearest(toy, "king", k=3, exclude_query_words=False)
    assert included.words[0] == "king"
    assert included.table["similarity"].iloc[0] == pytest.approx(1.0, abs=1e-6)
    assert included.excluded == ()
    formula = nearest(toy, "king - man + woman", k=12, exclude_query_words=False)
    assert {"king", "man", "woman"} <= set(formula.words)


def test_k_larger_than_the_space_returns_every_other_word(toy):
    found = nearest(toy, "king", k=MAX_K)
    assert sorted(found.words) == sorted(w for w in toy.words if w != "king")
    assert len(nearest(toy, "king", k=MAX_K, exclude_query_words=False).words) == len(toy)


def test_similarities_are_sorted_descending(glove):
    found = nearest(glove, "france", k=50)
    assert np.all(np.diff(found.table["similarity"].to_numpy()) <= 0)


# --- against references -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "positive", "negative"),
    [
        ("king", ["king"], []),
        ("france", ["france"], []),
        ("king - man + woman", ["king", "woman"], ["man"]),
        ("paris - france + italy", ["paris", "italy"], ["france"]),
        ("good + bad", ["good", "bad"], []),
    ],
)
def test_cosine_matches_numpy_brute_force(glove, query, positive, negative):
    words, sims = brute_force_cosine(glove, positive, negative, k=20)
    found = nearest(glove, query, k=20)
    assert found.words == words
    np.testing.assert_allclose(found.table["similarity"], sims, atol=1e-5)


@pytest.mark.parametrize(
    ("query", "positive", "negative"),
    [
        ("king", ["king"], []),
        ("computer", ["computer"], []),
        ("king - man + woman", ["king", "woman"], ["man"]),
        ("berlin - germany + france", ["berlin", "france"], ["germany"]),
        ("avg(good, bad)", ["good", "bad"], []),
    ],
)
def test_cosine_matches_gensim_most_similar(glove, gensim_kv, query, positive, negative):
    found = nearest(glove, query, k=10)
    theirs = gensim_kv.most_similar(positive=positive, negative=negative, topn=10)
    assert found.words == [w for w, _ in theirs]
    np.testing.assert_allclose(found.table["similarity"], [s for _, s in theirs], atol=1e-5)


def test_vector_query_excludes_nothing(glove):
    row = glove.index("music")
    found = nearest(glove, glove.vectors[row], k=5)
    assert found.query == "vector"
    assert found.words[0] == "music"
    assert found.table["similarity"].iloc[0] == pytest.approx(1.0, abs=1e-6)
    words, _ = brute_force_cosine(glove, ["music"], k=5, exclude=False)
    assert found.words == words


def test_vector_query_accepts_a_list_and_scales_do_not_matter(glove):
    vector = glove.vectors[glove.index("river")]
    assert nearest(glove, list(vector * 7.5), k=8).words == nearest(glove, vector, k=8).words


# --- euclidean ----------------------------------------------------------------------------
def test_euclidean_matches_brute_force_distances(glove):
    vector = glove.vectors[glove.index("water")]
    reference = np.linalg.norm(glove.vectors.astype(np.float64) - vector.astype(np.float64), axis=1)
    order = np.argsort(reference, kind="stable")
    found = nearest(glove, vector, k=15, metric="euclidean")
    assert found.table.columns.tolist() == ["rank", "word", "distance"]
    assert found.words == [glove.words[i] for i in order[:15]]
    np.testing.assert_allclose(found.table["distance"], reference[order[:15]], atol=1e-5)
    assert found.table["distance"].iloc[0] == pytest.approx(0.0, abs=1e-6)
    by_word = nearest(glove, "water", k=14, metric="euclidean")
    assert by_word.words == [glove.words[i] for i in order[1:15]]
    np.testing.assert_allclose(by_word.table["distance"], reference[order[1:15]], atol=1e-5)


def test_euclidean_uses_raw_vectors(toy):
    found = nearest(toy, "king - man + woman", k=3, metric="euclidean")
    assert found.words[0] == "queen"
    assert found.table["distance"].iloc[0] == pytest.approx(0.0, abs=1e-6)
    assert np.all(np.diff(found.table["distance"].to_numpy()) >= 0)


def test_euclidean_and_cosine_can_disagree():
    space = make_space(["query", "far_same_direction", "near_other_direction"], [[1, 0], [10, 0], [0.8, 0.7]])
    assert nearest(space, "query", k=1).words == ["far_same_direction"]
    assert nearest(space, "query", k=1, metric="euclidean").words == ["near_other_direction"]


# --- fastText subwords --------------------------------------------------------------------
def test_fasttext_unseen_word_gets_subword_neighbours(fasttext):
    assert fasttext.subwords is not None
    assert "kingdoms" not in fasttext
    found = nearest(fasttext, "kingdoms", k=5)
    assert found.subword_words == ("kingdoms",)
    assert found.excluded == ()
    theirs = fasttext.subwords.most_similar("kingdoms", topn=5)
    assert found.words == [w for w, _ in theirs]
    np.testing.assert_allclose(found.table["similarity"], [s for _, s in theirs], atol=1e-5)


def test_fasttext_formula_mixing_seen_and_unseen_words(fasttext):
    found = nearest(fasttext, "kingdoms - queen", k=5)
    assert found.subword_words == ("kingdoms",)
    assert found.excluded == ("queen",)
    assert "queen" not in found.words
    theirs = fasttext.subwords.most_similar(positive=["kingdoms"], negative=["queen"], topn=5)
    assert found.words == [w for w, _ in theirs]
    np.testing.assert_allclose(found.table["similarity"], [s for _, s in theirs], atol=1e-5)


def test_unknown_word_without_subwords_is_an_input_error(toy):
    with pytest.raises(InputError, match="'kingdoms'"):
        nearest(toy, "kingdoms", k=5)


# --- bad input ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"query": "king", "metric": "manhattan"}, "unknown metric 'manhattan'"),
        ({"query": "king", "k": 0}, "k must be between 1 and"),
        ({"query": "king", "k": MAX_K + 1}, "k must be between 1 and"),
        ({"query": "king +"}, "ends too early"),
        ({"query": ""}, "empty"),
        ({"query": "king-man"}, "put spaces around the minus"),
        ({"query": np.ones(3)}, "3 numbers; the space has 4 dimensions"),
        ({"query": np.zeros(4)}, "all zeros"),
    ],
)
def test_bad_queries(toy, kwargs, fragment):
    with pytest.raises(InputError) as caught:
        nearest(toy, **kwargs)
    assert fragment in str(caught.value)


# --- top_k --------------------------------------------------------------------------------
def test_top_k_is_best_first():
    scores = np.array([0.1, 0.9, -0.5, 0.7, 0.3])
    assert top_k(scores, 3).tolist() == [1, 3, 4]
    assert top_k(scores, 5).tolist() == [1, 3, 4, 0, 2]
    assert top_k(scores, 50).tolist() == [1, 3, 4, 0, 2]
    assert top_k(scores, 0).tolist() == []
    assert top_k(np.array([]), 3).tolist() == []


def test_top_k_matches_a_full_sort():
    scores = np.random.default_rng(1).normal(size=10_000)
    for k in (1, 7, 100, 9_999):
        np.testing.assert_array_equal(top_k(scores, k), np.argsort(-scores)[:k])
