import numpy as np
import pytest
from sklearn.manifold import trustworthiness

from app.errors import InputError
from app.geometry.knn import GRAPHS
from app.projection import distortion as distortion_module
from app.projection.distortion import Distortion, distortion, knn_indices


def gaussian(n: int, d: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


def brute_force_knn(data: np.ndarray, k: int, cosine: bool) -> np.ndarray:
    points = np.asarray(data, dtype=np.float64)
    if cosine:
        points = points / np.linalg.norm(points, axis=1, keepdims=True)
    distances = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    np.fill_diagonal(distances, np.inf)
    return np.argsort(distances, axis=1, kind="stable")[:, :k]


# --- knn_indices --------------------------------------------------------------------------
@pytest.mark.parametrize("cosine", [False, True])
def test_knn_matches_brute_force(cosine):
    data = gaussian(300, 12)
    found = knn_indices(data, 8, cosine=cosine)
    assert found.shape == (300, 8)
    assert found.dtype == np.int64
    np.testing.assert_array_equal(found, brute_force_knn(data, 8, cosine))


def test_knn_never_includes_the_point_itself():
    found = knn_indices(gaussian(100, 3), 10, cosine=False)
    assert not (found == np.arange(100)[:, None]).any()


def test_knn_cosine_ignores_length():
    data = gaussian(80, 5)
    scaled = data * np.random.default_rng(1).uniform(0.1, 10, size=(80, 1)).astype(np.float32)
    np.testing.assert_array_equal(knn_indices(data, 5, cosine=True), knn_indices(scaled, 5, cosine=True))


def test_knn_chunks_give_the_same_answer(monkeypatch):
    data = gaussian(250, 6)
    whole = knn_indices(data, 7, cosine=True)
    monkeypatch.setattr("app.geometry.knn.TILE_ROWS", 17)  # tiles of 17 rows × 40 columns
    monkeypatch.setattr("app.geometry.knn.TILE_COLUMNS", 40)
    monkeypatch.setattr("app.geometry.knn.PAIR_TILE", 17)
    GRAPHS.clear()
    np.testing.assert_array_equal(knn_indices(data, 7, cosine=True), whole)


def test_knn_on_a_line():
    line = np.arange(6, dtype=np.float32)[:, None] ** 2  # 0, 1, 4, 9, 16, 25
    assert knn_indices(line, 2, cosine=False).tolist() == [[1, 2], [0, 2], [1, 0], [2, 4], [3, 5], [4, 3]]


# --- distortion ---------------------------------------------------------------------------
def test_a_perfect_projection_keeps_every_neighbour():
    data = gaussian(200, 2)
    result = distortion(data, data.copy(), k=10, metric="euclidean")
    assert isinstance(result, Distortion)
    assert result.k == 10
    assert result.kept.shape == (200,)
    assert result.kept.dtype == np.float32
    np.testing.assert_array_equal(result.kept, 1.0)
    assert result.mean_kept == 1.0
    assert result.trustworthiness == pytest.approx(1.0)
    assert result.trust_sample == 200


def test_a_random_projection_keeps_few_neighbours():
    data = gaussian(300, 20)
    result = distortion(data, gaussian(300, 2, seed=9), k=10, metric="euclidean")
    assert result.mean_kept < 0.1  # chance level is 10 / 299
    assert result.trustworthiness < 0.6
    assert ((result.kept >= 0) & (result.kept <= 1)).all()


def test_kept_is_the_share_of_shared_neighbours_per_point():
    data = gaussian(120, 10)
    coords = data[:, :2] + gaussian(120, 2, seed=3) * 0.1
    result = distortion(data, coords, k=5, metric="euclidean")
    before, after = brute_force_knn(data, 5, False), brute_force_knn(coords, 5, False)
    expected = [len(set(a) & set(b)) / 5 for a, b in zip(before, after, strict=True)]
    np.testing.assert_allclose(result.kept, expected)
    assert result.mean_kept == pytest.approx(np.mean(expected))
    assert result.trustworthiness == pytest.approx(trustworthiness(data, coords, n_neighbors=5))


def test_cosine_metric_is_used_for_the_original_space():
    data = gaussian(150, 4)
    scaled = data * np.random.default_rng(2).uniform(0.1, 10, size=(150, 1)).astype(np.float32)
    coords = gaussian(150, 2, seed=5)
    cosine = distortion(scaled, coords, k=6, metric="cosine")
    np.testing.assert_array_equal(cosine.kept, distortion(data, coords, k=6, metric="cosine").kept)
    assert cosine.trustworthiness == pytest.approx(trustworthiness(scaled, coords, n_neighbors=6, metric="cosine"))


def test_trustworthiness_is_computed_on_a_seeded_sample(monkeypatch):
    monkeypatch.setattr(distortion_module, "TRUSTWORTHINESS_SAMPLE", 60)
    data = gaussian(200, 8)
    coords = data[:, :2]
    first = distortion(data, coords, k=5, metric="euclidean", seed=1)
    assert first.trust_sample == 60
    assert first.kept.shape == (200,)
    assert distortion(data, coords, k=5, metric="euclidean", seed=1).trustworthiness == first.trustworthiness
    rows = np.sort(np.random.default_rng(1).choice(200, 60, replace=False))
    assert first.trustworthiness == pytest.approx(trustworthiness(data[rows], coords[rows], n_neighbors=5))


def test_small_sets_lower_k_for_trustworthiness():
    data = gaussian(8, 3)
    result = distortion(data, data[:, :2], k=5, metric="euclidean")
    assert 0 <= result.trustworthiness <= 1
    assert result.trust_sample == 8


def test_bad_input():
    data = gaussian(20, 3)
    with pytest.raises(InputError, match="different numbers of points"):
        distortion(data, data[:10, :2])
    with pytest.raises(InputError, match="k must be between 1 and 19 for 20 points"):
        distortion(data, data[:, :2], k=20)
    with pytest.raises(InputError, match="k must be between 1 and 19"):
        distortion(data, data[:, :2], k=0)
