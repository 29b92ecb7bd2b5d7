"""The shared exact kNN graph: brute-force answers (duplicates included), both metrics, the cache."""

import numpy as np
import pytest

from app.errors import InputError
from app.geometry.knn import GRAPHS, GraphCache, KnnGraph, knn_graph, neighbour_graph


def with_duplicates(n: int, dim: int, *, seed: int) -> np.ndarray:
    data = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    data[10] = data[3]  # a pair of identical points
    data[20] = data[21] = data[5]  # and a triple
    return data


def brute(data: np.ndarray, k: int, metric: str) -> tuple[np.ndarray, np.ndarray]:
    points = data.astype(np.float64)
    if metric == "cosine":
        points /= np.linalg.norm(points, axis=1, keepdims=True)
        distances = 1 - (points[:, None] * points[None]).sum(axis=2)  # pair by pair: duplicates tie exactly
    else:
        distances = np.linalg.norm(points[:, None] - points[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    order = np.argsort(distances, axis=1, kind="stable")[:, :k]  # ties: the lower row first
    return order, np.take_along_axis(distances, order, axis=1)


def use_tiles(monkeypatch, rows: int, columns: int) -> None:
    """Score and scan in tiles of ``rows`` × ``columns`` (the whole graph: square tiles of ``rows``;
    small ones: several tiles per row and per thread)."""
    monkeypatch.setattr("app.geometry.knn.TILE_ROWS", rows)
    monkeypatch.setattr("app.geometry.knn.TILE_COLUMNS", columns)
    monkeypatch.setattr("app.geometry.knn.PAIR_TILE", rows)


@pytest.fixture(autouse=True)
def empty_cache():
    GRAPHS.clear()
    yield
    GRAPHS.clear()


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
@pytest.mark.parametrize("tile", [(512, 2048), (7, 50)])  # one tile per thread; many tiles per row and thread
def test_graph_equals_brute_force_with_duplicates(monkeypatch, metric, tile):
    use_tiles(monkeypatch, *tile)
    data = with_duplicates(300, 12, seed=1)
    graph = knn_graph(data, 9, metric=metric)
    indices, distances = brute(data, 9, metric)
    assert graph.indices.shape == graph.distances.shape == (300, 9)
    assert graph.indices.dtype == np.int32 and graph.distances.dtype == np.float32
    np.testing.assert_array_equal(graph.indices, indices)
    np.testing.assert_allclose(graph.distances, distances, atol=1e-5)
    assert not (graph.indices == np.arange(300)[:, None]).any()  # never itself
    assert graph.indices[3, 0] == 10 and graph.indices[10, 0] == 3  # a duplicate is the nearest, at 0
    assert graph.distances[3, 0] == pytest.approx(0, abs=1e-6)
    assert set(graph.indices[5, :2]) == {20, 21}


def test_cosine_similarities_and_scale_invariance():
    data = np.random.default_rng(2).normal(size=(120, 6)).astype(np.float32)
    graph = knn_graph(data, 5)
    scaled = knn_graph(data * np.random.default_rng(3).uniform(0.5, 4, size=(120, 1)).astype(np.float32), 5)
    np.testing.assert_array_equal(graph.indices, scaled.indices)
    np.testing.assert_allclose(graph.similarities, 1 - graph.distances)
    with pytest.raises(InputError, match="cosine"):
        knn_graph(data, 5, metric="euclidean").similarities  # noqa: B018


def test_bad_input_is_an_input_error():
    with pytest.raises(InputError, match="k must be"):
        knn_graph(np.eye(5, dtype=np.float32), 5)
    with pytest.raises(InputError, match="metric"):
        knn_graph(np.eye(5, dtype=np.float32), 2, metric="manhattan")
    with pytest.raises(InputError, match="2-D"):
        knn_graph(np.ones(5, dtype=np.float32), 2)


def test_progress_reaches_the_end(monkeypatch):
    use_tiles(monkeypatch, 30, 16)  # stripes of 30 rows
    calls: list[float] = []
    knn_graph(with_duplicates(100, 4, seed=0), 3, progress=lambda fraction, message: calls.append(fraction))
    assert len(calls) == 4 and calls[-1] == 1.0


def test_the_cache_computes_once_and_slices_for_a_smaller_k():
    data = with_duplicates(200, 8, seed=4)
    big = neighbour_graph(data, 12, key="space-a")
    computed = GRAPHS.computed
    small = neighbour_graph(data, 5, key="space-a")
    assert GRAPHS.computed == computed  # a slice, not a second pass
    np.testing.assert_array_equal(small.indices, big.indices[:, :5])
    np.testing.assert_array_equal(small.indices, knn_graph(data, 5).indices)
    neighbour_graph(data, 15, key="space-a")  # a larger k computes, and replaces the entry
    assert GRAPHS.computed == computed + 1 and len(GRAPHS) == 1
    neighbour_graph(data, 5, key="space-a", metric="euclidean")  # another metric is another graph
    assert GRAPHS.computed == computed + 2
    by_content = neighbour_graph(data, 4)  # no key: the content's digest
    assert neighbour_graph(data.copy(), 4) is not None and GRAPHS.computed == computed + 3
    np.testing.assert_array_equal(by_content.indices, big.indices[:, :4])


def test_the_cache_is_bounded_in_entries_and_bytes():
    cache = GraphCache(max_bytes=10_000, max_entries=2)
    graph = KnnGraph(np.zeros((100, 5), np.int32), np.zeros((100, 5), np.float32))  # 4,000 bytes
    for name in ("a", "b", "c"):
        cache.put(name, graph)
    assert len(cache) == 2 and cache.get("a", "cosine", 5) is None and cache.get("c", "cosine", 5) is not None
    cache.put("huge", KnnGraph(np.zeros((1000, 5), np.int32), np.zeros((1000, 5), np.float32)))
    assert cache.get("huge", "cosine", 5) is None and cache.nbytes <= 10_000
    assert cache.get("c", "cosine", 6) is None  # a larger k than kept is not answered


def lattice(n: int, dim: int, *, metric: str, seed: int) -> np.ndarray:
    """Points whose scores are exact in any summation order, so equal distances tie exactly
    everywhere (and many do): unit vectors of four ±0.5 coordinates for cosine, small integers for
    euclidean; some rows repeated."""
    rng = np.random.default_rng(seed)
    if metric == "cosine":
        data = np.zeros((n, dim), dtype=np.float32)
        for row in data:
            row[rng.choice(dim, 4, replace=False)] = rng.choice([-0.5, 0.5], 4)
    else:
        data = rng.integers(-2, 3, size=(n, dim)).astype(np.float32)
    data[rng.choice(n, 20)] = data[rng.choice(n, 20)]  # duplicates, at rows far apart
    return data


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("tile", [(7, 13), (45, 64), (1000, 1000)])  # tiles that do not divide 211; one tile
def test_graph_equals_brute_force_with_ties_in_any_split(monkeypatch, metric, threads, tile):
    n, k = 211, 8
    monkeypatch.setattr("app.geometry.knn._threads", lambda: threads)
    use_tiles(monkeypatch, *tile)
    for data in (lattice(n, 9, metric=metric, seed=7), with_duplicates(n, 5, seed=8)):
        graph = knn_graph(data, k, metric=metric)
        indices, distances = brute(data, k, metric)
        np.testing.assert_array_equal(graph.indices, indices)
        np.testing.assert_allclose(graph.distances, distances, atol=1e-5)
    beyond = brute(lattice(n, 9, metric=metric, seed=7), k + 1, metric)[1]
    assert (beyond[:, k - 1] == beyond[:, k]).sum() > n // 4  # the lattice ties at the k-th neighbour, often


def test_a_row_that_kept_higher_copies_of_a_point_gets_the_lowest():
    """The guard for BLAS rounding identical columns differently: the copies kept become the lowest rows."""
    from app.geometry.knn import _prefer_lower_duplicates

    points = np.arange(18, dtype=np.float32).reshape(6, 3)
    points[[3, 4]] = points[1]  # rows 1, 3 and 4 are one point
    indices = np.array([[4, 3, 2], [4, 0, 2], [4, 5, 0], [4, 2, 1], [0, 5, 2], [3, 0, 2]], dtype=np.int32)
    _prefer_lower_duplicates(points, indices)
    assert indices.tolist() == [[1, 3, 2], [3, 0, 2], [1, 5, 0], [1, 2, 4], [0, 5, 2], [1, 0, 2]]


def test_warm_up_compiles_every_kernel_a_graph_can_need():
    from app.geometry import knn, top_k

    knn.warm_up()
    kernels = (top_k.top_k_pairs, top_k.merge_kept, top_k.exact_distances, top_k.row_hashes)
    assert all(kernel.signatures for kernel in (*kernels, top_k.prefer_lower_duplicates, top_k.top_k_block))
    assert len(top_k.top_k_pairs.signatures) >= 2  # float32 (cosine) and float64 (euclidean)


def test_nearest_rows_of_a_few_queries_match_brute_force_and_leave_the_query_out(monkeypatch):
    from app.geometry import knn

    use_tiles(monkeypatch, 7, 17)  # tiles of 7 query rows × 17 columns
    data = np.random.default_rng(3).normal(size=(120, 6)).astype(np.float32)
    unit = data / np.linalg.norm(data, axis=1, keepdims=True)
    queries = np.array([5, 0, 119, 5, 60, 33, 2, 90, 14, 71, 8, 100, 47, 3, 66, 29], dtype=np.int64)
    expected, _ = brute(data, 9, "cosine")
    found = knn.nearest_rows(unit, queries, 9)
    assert found.shape == (len(queries), 9)
    assert np.array_equal(found, expected[queries])
    assert not (found == queries[:, None]).any()
    with pytest.raises(InputError, match="k must be between"):
        knn.nearest_rows(unit, queries, 120)
