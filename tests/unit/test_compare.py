"""Compare core: shared vocabulary, neighbour overlap, Procrustes alignment, movers, the kNN graph."""

import numpy as np
import pytest

from app.compare.alignment import align, reduce_dimensions
from app.compare.movers import MARK_BOTH, MARK_LOST, MARK_NEW, formula_side_by_side, movers, side_by_side, stayers
from app.compare.overlap import neighbour_overlap
from app.compare.vocabulary import shared_vocabulary
from app.errors import InputError
from app.geometry.knn import knn_graph
from app.space import EmbeddingSpace


def random_space(n: int, dim: int, *, seed: int, name: str = "space", prefix: str = "w") -> EmbeddingSpace:
    rng = np.random.default_rng(seed)
    return EmbeddingSpace(name, [f"{prefix}{i}" for i in range(n)], rng.normal(size=(n, dim)).astype(np.float32))


def brute_knn(vectors: np.ndarray, k: int) -> np.ndarray:
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = unit @ unit.T
    np.fill_diagonal(scores, -np.inf)
    return np.stack([np.lexsort((np.arange(len(row)), -row))[:k] for row in scores])


def test_knn_graph_equals_brute_force_whatever_the_tile(monkeypatch):
    space = random_space(700, 16, seed=1)
    expected = brute_knn(space.vectors.astype(np.float64), 7)
    for rows, columns in ((512, 2048), (13, 100)):  # one tile per thread, then tiles of 13 rows × 100 columns
        monkeypatch.setattr("app.geometry.knn.TILE_ROWS", rows)
        monkeypatch.setattr("app.geometry.knn.TILE_COLUMNS", columns)
        monkeypatch.setattr("app.geometry.knn.PAIR_TILE", rows)
        graph = knn_graph(space.unit_vectors, 7)
        assert np.array_equal(graph.indices, expected)
        assert graph.similarities.shape == (700, 7)
        assert np.all(np.diff(graph.similarities, axis=1) <= 1e-6)  # best first


def test_knn_graph_refuses_bad_k():
    space = random_space(5, 3, seed=0)
    with pytest.raises(InputError, match="k must be"):
        knn_graph(space.unit_vectors, 5)


def test_shared_vocabulary_counts_and_limits():
    a = EmbeddingSpace("a", ["x", "y", "z", "only_a"], np.eye(4, dtype=np.float32))
    b = EmbeddingSpace("b", ["z", "y", "x", "b1", "b2"], np.eye(5, dtype=np.float32)[:, :4])
    shared = shared_vocabulary(a, b)
    assert shared.words == ("x", "y", "z")  # the first space's order
    assert (shared.only_a, shared.only_b) == (1, 2)
    assert list(shared.rows_b) == [2, 1, 0]
    listed = shared_vocabulary(a, b, words=["z", "nope", "x", "y"])
    assert listed.words == ("z", "x", "y") and listed.missing == ("nope",)
    with pytest.raises(InputError, match="share 2 word"):
        shared_vocabulary(a, b, top_n=2)


def test_no_shared_words_is_a_clear_message():
    a = random_space(10, 4, seed=0, prefix="a")
    b = random_space(10, 4, seed=1, prefix="b")
    with pytest.raises(InputError, match="share 0 word"):
        shared_vocabulary(a, b)


def test_overlap_matches_a_brute_force_reference_and_works_across_dimensions():
    a = random_space(300, 8, seed=2, name="a")
    b = random_space(300, 20, seed=3, name="b")  # different dimensions: overlap needs no alignment
    vocabulary = shared_vocabulary(a, b)
    result = neighbour_overlap(a, b, vocabulary, k=5)
    knn_a, knn_b = brute_knn(a.vectors.astype(np.float64), 5), brute_knn(b.vectors.astype(np.float64), 5)
    expected = np.array([len(set(x) & set(y)) / 5 for x, y in zip(knn_a, knn_b, strict=True)])
    assert np.allclose(result.overlap, expected)
    identical = neighbour_overlap(a, a, shared_vocabulary(a, a), k=5)
    assert np.all(identical.overlap == 1.0)


def test_procrustes_recovers_a_known_rotation():
    a = random_space(200, 10, seed=4, name="a")
    rotation, _ = np.linalg.qr(np.random.default_rng(5).normal(size=(10, 10)))
    b = EmbeddingSpace("b", a.words, a.vectors @ rotation.astype(np.float32))
    alignment = align(a, b, shared_vocabulary(a, b))
    assert np.allclose(alignment.rotation, rotation, atol=1e-4)
    assert alignment.residual < 1e-5
    assert float(alignment.displacement.max()) < 1e-5
    assert alignment.anchors == 200


def test_movers_find_the_planted_change():
    """Two spaces identical but for three words moved far away: those are the movers."""
    a = random_space(400, 12, seed=6, name="a")
    moved = a.vectors.copy()
    planted = [17, 150, 333]
    moved[planted] = np.random.default_rng(7).normal(size=(3, 12)) * 3
    b = EmbeddingSpace("b", a.words, moved)
    vocabulary = shared_vocabulary(a, b)
    overlap = neighbour_overlap(a, b, vocabulary, k=10)
    alignment = align(a, b, vocabulary, anchors=100)
    top = movers(overlap, alignment, n=3)
    assert set(top["word"]) == {a.words[i] for i in planted}
    assert set(stayers(overlap, alignment, n=3)["word"]).isdisjoint(top["word"])
    assert np.argsort(-alignment.displacement)[:3].tolist() == sorted(planted, key=lambda i: -alignment.displacement[i])


def test_side_by_side_marks_lost_and_new_neighbours():
    words = ["king", "queen", "prince", "apple", "pear"]
    a = EmbeddingSpace(
        "a", words, np.array([[1, 0, 0], [0.9, 0.1, 0], [0.8, 0.2, 0], [0, 0, 1], [0, 0.1, 0.9]], np.float32)
    )
    b = EmbeddingSpace(
        "b", words, np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 0, 1], [0.8, 0.2, 0], [0, 0.1, 0.9]], np.float32)
    )
    overlap = neighbour_overlap(a, b, shared_vocabulary(a, b), k=2)
    table = side_by_side(overlap, "king")
    assert list(table["first space"]) == ["queen", "prince"]
    assert list(table["mark (first)"]) == [MARK_BOTH, MARK_LOST]
    assert list(table["second space"]) == ["queen", "apple"]
    assert list(table["mark (second)"]) == [MARK_BOTH, MARK_NEW]
    with pytest.raises(InputError, match="'nope'"):
        side_by_side(overlap, "nope")
    formula = formula_side_by_side(a, b, "king", k=2)
    assert list(formula["first space"]) == ["queen", "prince"]


def test_alignment_refuses_different_dimensions_and_pca_brings_them_together():
    a = random_space(100, 8, seed=8, name="a")
    b = random_space(100, 20, seed=9, name="b")
    with pytest.raises(InputError, match="8 dimensions .* 20"):
        align(a, b, shared_vocabulary(a, b))
    smaller = reduce_dimensions(b, 8)
    assert smaller.dim == 8 and smaller.words == b.words
    assert align(a, smaller, shared_vocabulary(a, smaller)).anchors == 100


def test_linked_pictures_face_the_same_way():
    """A rotated copy draws as the same picture: aligned, or turned by the 2-D Procrustes."""
    from app.compare.pictures import linked_coordinates, neighbourhood_rows

    a = random_space(120, 6, seed=10, name="a")
    rotation, _ = np.linalg.qr(np.random.default_rng(11).normal(size=(6, 6)))
    b = EmbeddingSpace("b", a.words, a.vectors @ rotation.astype(np.float32))
    vocabulary = shared_vocabulary(a, b)
    overlap = neighbour_overlap(a, b, vocabulary, k=5)
    unit_a, unit_b = a.unit_vectors[vocabulary.rows_a], b.unit_vectors[vocabulary.rows_b]
    rows = list(range(50))
    for alignment in (align(a, b, vocabulary), None):
        xy_a, xy_b = linked_coordinates(overlap, unit_a, unit_b, rows, alignment=alignment)
        assert xy_a.shape == (50, 2)
        assert np.allclose(xy_a, xy_b, atol=1e-4)
    around = neighbourhood_rows(overlap, "w3")
    assert around[0] == 3 and len(around) == len(set(around)) >= 6
