import dataclasses

import numpy as np
import pytest
from sklearn.decomposition import PCA

from app.errors import Cancelled, InputError
from app.io.samples import load_glove, load_toy
from app.projection import tsne_run
from app.projection.methods import METHODS, Projection, project
from tests.conftest import make_space


@pytest.fixture(scope="module")
def glove_500():
    return load_glove(500)


@pytest.fixture(scope="module")
def glove_150():
    return load_glove(150)


@pytest.fixture
def one_thread(monkeypatch):
    """openTSNE with 2 threads slows down many times over when the 2 cores are shared with other
    processes (as on a busy test machine); one thread keeps these tests fast and gives the same answer."""
    monkeypatch.setattr(tsne_run, "THREADS", 1)


class Recorder:
    """A progress callback that records its calls and, optionally, cancels after some of them."""

    def __init__(self, cancel_after: int | None = None, cancel_from: float = 0.0) -> None:
        self.calls: list[tuple[float, str]] = []
        self.cancel_after = cancel_after
        self.cancel_from = cancel_from

    def __call__(self, fraction: float, message: str, /, **detail: object) -> None:
        self.calls.append((fraction, message))
        if self.cancel_after is not None and len(self.calls) > self.cancel_after and fraction >= self.cancel_from:
            raise Cancelled("stop")


def assert_valid(result: Projection, n: int, k: int) -> None:
    assert isinstance(result, Projection)
    assert result.coords.shape == (n, k)
    assert result.coords.dtype == np.float32
    assert np.isfinite(result.coords).all()
    assert result.n_components == k
    assert result.seconds >= 0
    # not collapsed onto a point or a line
    assert np.linalg.matrix_rank(result.coords - result.coords.mean(axis=0), tol=1e-6) == k


# --- PCA ----------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [2, 3])
def test_pca_shape_and_explained_variance(glove_500, k):
    result = project(glove_500, "pca", k)
    assert_valid(result, len(glove_500), k)
    assert result.method == "pca"
    assert result.params == {"metric": "cosine", "seed": 0}
    assert len(result.explained_variance) == k
    assert all(0 < v < 1 for v in result.explained_variance)
    assert list(result.explained_variance) == sorted(result.explained_variance, reverse=True)
    assert result.notes == ()


def test_pca_matches_sklearn_on_unit_vectors_up_to_sign(glove_500):
    result = project(glove_500, "pca", 2)
    reference = PCA(n_components=2).fit(glove_500.unit_vectors.astype(np.float64))
    expected = reference.transform(glove_500.unit_vectors.astype(np.float64))
    for axis in range(2):
        sign = np.sign(result.coords[:, axis] @ expected[:, axis])
        np.testing.assert_allclose(sign * result.coords[:, axis], expected[:, axis], atol=1e-4)
    np.testing.assert_allclose(result.explained_variance, reference.explained_variance_ratio_, rtol=1e-4)


def test_pca_euclidean_uses_raw_vectors(glove_500):
    result = project(glove_500, "pca", 2, metric="euclidean")
    reference = PCA(n_components=2).fit(glove_500.vectors.astype(np.float64))
    np.testing.assert_allclose(result.explained_variance, reference.explained_variance_ratio_, rtol=1e-4)
    assert result.params["metric"] == "euclidean"


def test_pca_same_seed_same_coordinates(glove_500):
    np.testing.assert_array_equal(project(glove_500, "pca", seed=4).coords, project(glove_500, "pca", seed=4).coords)


def test_pca_of_toy_space_separates_royalty_from_fruit():
    toy = load_toy()
    coords = project(toy, "pca", 2).coords
    assert coords.shape == (12, 2)
    fruit = coords[[toy.index("apple"), toy.index("orange")]].mean(axis=0)
    royals = coords[[toy.index("king"), toy.index("queen")]].mean(axis=0)
    spread = np.linalg.norm(coords - coords.mean(axis=0), axis=1).mean()
    assert np.linalg.norm(fruit - royals) > spread


def test_pca_reports_progress_and_done(glove_150):
    recorder = Recorder()
    project(glove_150, "pca", progress=recorder)
    fractions = [f for f, _ in recorder.calls]
    assert fractions == sorted(fractions)
    assert recorder.calls[-1] == (1.0, "done")


# --- t-SNE --------------------------------------------------------------------------------
def test_tsne_same_seed_same_coordinates_other_seed_other_coordinates(glove_150, one_thread):
    first = project(glove_150, "tsne", 2, seed=7, perplexity=10)
    again = project(glove_150, "tsne", 2, seed=7, perplexity=10)
    other = project(glove_150, "tsne", 2, seed=8, perplexity=10)
    assert_valid(first, len(glove_150), 2)
    np.testing.assert_array_equal(first.coords, again.coords)
    assert not np.allclose(first.coords, other.coords)
    assert first.params == {"perplexity": 10.0, "metric": "cosine", "seed": 7}
    assert first.explained_variance is None
    assert first.notes == ()


def test_tsne_3d_and_progress(glove_150, one_thread):
    recorder = Recorder()
    result = project(glove_150, "tsne", 3, perplexity=10, metric="euclidean", progress=recorder)
    assert_valid(result, len(glove_150), 3)
    assert result.params["metric"] == "euclidean"
    fractions = [f for f, _ in recorder.calls]
    assert fractions == sorted(fractions)
    assert all(0 <= f <= 1 for f in fractions)
    assert any("iteration 750 of 750" in message for _, message in recorder.calls)
    assert recorder.calls[-1] == (1.0, "done")


def test_tsne_keeps_neighbours_of_well_separated_groups(one_thread):
    rng = np.random.default_rng(0)
    centres = np.eye(20, dtype=np.float32)[:3] * 10
    data = np.vstack([centre + rng.normal(scale=0.3, size=(20, 20)) for centre in centres])
    space = make_space([f"w{i}" for i in range(60)], data)
    coords = project(space, "tsne", 2, metric="euclidean", perplexity=5).coords
    groups = np.repeat(np.arange(3), 20)
    centroids = np.array([coords[groups == g].mean(axis=0) for g in range(3)])
    nearest_centroid = np.argmin(((coords[:, None, :] - centroids[None]) ** 2).sum(axis=2), axis=1)
    np.testing.assert_array_equal(nearest_centroid, groups)


def test_tsne_small_selection_lowers_perplexity_with_a_note(one_thread):
    toy = load_toy()
    result = project(toy, "tsne", 2)
    assert_valid(result, 12, 2)
    assert result.params["perplexity"] == pytest.approx(11 / 3)
    assert len(result.notes) == 1
    assert "perplexity lowered from 30" in result.notes[0]
    assert "12 points" in result.notes[0]


def test_tsne_cancelled_from_the_progress_callback(glove_150, one_thread):
    recorder = Recorder(cancel_after=2)
    with pytest.raises(Cancelled):
        project(glove_150, "tsne", progress=recorder)
    assert len(recorder.calls) == 3  # stopped at the first report after the limit: no more iterations
    assert all(message != "done" for _, message in recorder.calls)


# --- UMAP (numba compiles on the first call: 10-40 s) --------------------------------------
@pytest.mark.slow
def test_umap_same_seed_same_coordinates():
    space = load_glove(300)
    first = project(space, "umap", 2, seed=3)
    again = project(space, "umap", 2, seed=3)
    assert_valid(first, 300, 2)
    np.testing.assert_array_equal(first.coords, again.coords)
    assert first.params == {"n_neighbors": 15, "min_dist": 0.1, "metric": "cosine", "seed": 3}
    assert first.explained_variance is None


@pytest.mark.slow
def test_umap_cancelled_from_the_progress_callback():
    space = load_glove(300)
    recorder = Recorder(cancel_after=0, cancel_from=0.35)  # cancel at the first layout epoch report
    with pytest.raises(Cancelled):
        project(space, "umap", 2, progress=recorder)
    assert any("UMAP layout" in message for _, message in recorder.calls)
    assert all(message != "done" for _, message in recorder.calls)


def test_umap_small_selection_lowers_n_neighbors_with_a_note(monkeypatch):
    received = {}

    def fake(matrix, k, seed, metric, progress, **params):
        received.update(params, k=k, seed=seed, metric=metric, n=len(matrix))
        return np.arange(len(matrix) * k, dtype=np.float64).reshape(-1, k), {}

    monkeypatch.setitem(METHODS, "umap", dataclasses.replace(METHODS["umap"], run=fake))
    result = project(load_toy(), "umap", 3, seed=5, min_dist=0.5)
    assert received == {"n_neighbors": 11, "min_dist": 0.5, "k": 3, "seed": 5, "metric": "cosine", "n": 12}
    assert result.params == {"n_neighbors": 11, "min_dist": 0.5, "metric": "cosine", "seed": 5}
    assert result.notes == ("n_neighbors lowered from 15 to 11 for 12 points",)
    assert result.coords.dtype == np.float32


def test_invalid_coordinates_are_an_input_error(monkeypatch):
    def broken(matrix, k, seed, metric, progress, **params):
        return np.full((len(matrix), k), np.nan), {}

    monkeypatch.setitem(METHODS, "umap", dataclasses.replace(METHODS["umap"], run=broken))
    with pytest.raises(InputError, match="UMAP produced invalid coordinates"):
        project(load_toy(), "umap")


# --- validation ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "kwargs", "fragment"),
    [
        (("mds",), {}, "unknown projection method 'mds'"),
        (("pca", 1), {}, "2 or 3 components"),
        (("pca", 4), {}, "2 or 3 components"),
        (("pca",), {"metric": "manhattan"}, "unknown metric 'manhattan'"),
        (("pca",), {"perplexity": 30}, "PCA has no parameter perplexity"),
        (("tsne",), {"n_neighbors": 5}, "t-SNE has no parameter n_neighbors"),
        (("umap",), {"perplexity": 5, "spread": 1}, "UMAP has no parameter perplexity, spread"),
        (("tsne",), {"perplexity": 0.5}, "perplexity must be between 1 and 200"),
        (("tsne",), {"perplexity": 500}, "perplexity must be between 1 and 200"),
        (("tsne",), {"perplexity": float("nan")}, "perplexity must be between 1 and 200"),
        (("umap",), {"n_neighbors": 1}, "n_neighbors must be between 2 and 200"),
        (("umap",), {"n_neighbors": 201}, "n_neighbors must be between 2 and 200"),
        (("umap",), {"min_dist": -0.1}, "min_dist must be between 0 and 1"),
        (("umap",), {"min_dist": 1.5}, "min_dist must be between 0 and 1"),
    ],
)
def test_bad_parameters(args, kwargs, fragment):
    with pytest.raises(InputError) as caught:
        project(load_toy(), *args, **kwargs)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(("method", "n", "needed"), [("pca", 1, 2), ("tsne", 4, 5), ("umap", 4, 5)])
def test_too_few_points(method, n, needed):
    with pytest.raises(InputError, match=f"needs at least {needed} points; this selection has {n}"):
        project(load_toy().head(n), method)


def test_pca_3d_needs_three_points_and_three_dimensions():
    with pytest.raises(InputError, match="needs at least 3 points; this selection has 2"):
        project(load_toy().head(2), "pca", 3)
    assert project(load_toy().head(2), "pca", 2).coords.shape == (2, 2)
    flat = make_space(["a", "b", "c", "d"], [[1, 0], [0, 1], [1, 1], [2, 1]])
    with pytest.raises(InputError, match="at least 3 numbers"):
        project(flat, "pca", 3)


def test_too_many_points_for_tsne():
    limit = METHODS["tsne"].max_points
    big = make_space([f"w{i}" for i in range(limit + 1)], np.zeros((limit + 1, 2)))
    with pytest.raises(InputError, match=f"limited to {limit:,} points"):
        project(big, "tsne")


def test_estimates_grow_with_points_and_dimensions():
    for spec in METHODS.values():
        assert 0 < spec.estimate_seconds(100, 50) < spec.estimate_seconds(10_000, 50)
        assert spec.estimate_seconds(10_000, 50) < spec.estimate_seconds(10_000, 300)
