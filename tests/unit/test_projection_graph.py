"""t-SNE and UMAP on the shared exact neighbour graph: faithful to the libraries, seeded, with previews."""

import warnings

import numpy as np
import pytest

from app.geometry.knn import GRAPHS
from app.io.samples import load_glove
from app.projection import previews as previews_module
from app.projection import tsne_run
from app.projection.methods import project
from app.projection.previews import Previews
from app.projection.tsne_run import run_tsne
from app.projection.umap_run import run_umap, umap_neighbours


@pytest.fixture(scope="module")
def glove_300():
    return load_glove(300)


class Layouts:
    """A progress callback that keeps the layouts it is sent."""

    def __init__(self) -> None:
        self.layouts: list[np.ndarray] = []
        self.fractions: list[float] = []

    def __call__(self, fraction: float, message: str, /, **detail: object) -> None:
        self.fractions.append(fraction)
        if "layout" in detail:
            self.layouts.append(detail["layout"])  # type: ignore[arg-type]


def silent(fraction: float, message: str, /, **detail: object) -> None:
    pass


@pytest.fixture
def every_report_previews(monkeypatch):
    monkeypatch.setattr(previews_module, "PERIOD", 0.0)
    monkeypatch.setattr(tsne_run, "THREADS", 1)


def _clusters(n_per: int = 100, k: int = 6, dim: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=6.0, size=(k, dim))
    labels = np.repeat(np.arange(k), n_per)
    return (centres[labels] + rng.normal(size=(k * n_per, dim))).astype(np.float32), labels


def test_umap_neighbours_put_each_point_first_as_umap_learn_does(glove_300):
    indices, distances = umap_neighbours(np.asarray(glove_300.vectors, np.float32), 10, "cosine", silent)
    assert (indices[:, 0] == np.arange(300)).all() and (distances[:, 0] == 0).all()


def test_seeded_umap_is_the_same_on_every_run_and_any_number_of_threads(glove_300):
    import numba

    data = np.asarray(glove_300.vectors)
    first, extra = run_umap(data, 2, 4, "cosine", silent, n_neighbors=10, min_dist=0.1)
    again, _ = run_umap(data, 2, 4, "cosine", silent, n_neighbors=10, min_dist=0.1)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        alone, alone_extra = run_umap(data, 2, 4, "cosine", silent, n_neighbors=10, min_dist=0.1)
    finally:
        numba.set_num_threads(threads)
    other_seed, _ = run_umap(data, 2, 5, "cosine", silent, n_neighbors=10, min_dist=0.1)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first, alone)
    assert alone_extra["threads"] == 1 and extra["threads"] == threads
    assert not np.allclose(first, other_seed)
    unseeded = [
        run_umap(data, 2, 4, "cosine", silent, n_neighbors=10, min_dist=0.1, reproducible=False)[0] for _ in "ab"
    ]
    assert not np.allclose(*unseeded)  # a fresh seed each run


def test_our_layout_is_as_trustworthy_as_umap_learns_and_separates_clusters():
    import umap
    from sklearn.manifold import trustworthiness
    from sklearn.neighbors import KNeighborsClassifier

    data, labels = _clusters()
    ours, _ = run_umap(data, 2, 1, "euclidean", silent, n_neighbors=15, min_dist=0.1)
    indices, distances = umap_neighbours(data, 15, "euclidean", silent)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=1, precomputed_knn=(indices, distances))
        theirs = model.fit_transform(data)
    trust_ours, trust_theirs = (trustworthiness(data, layout, n_neighbors=15) for layout in (ours, theirs))
    assert trust_ours >= trust_theirs - 0.01, (trust_ours, trust_theirs)
    classifier = KNeighborsClassifier(5).fit(ours[::2], labels[::2])  # the other half placed by its neighbours
    assert classifier.score(ours[1::2], labels[1::2]) >= 0.98
    assert np.isfinite(ours).all() and np.ptp(ours, axis=0).max() < 100  # no explosion
    assert len(np.unique(ours.round(3), axis=0)) == len(ours)  # no collapsed points


def test_our_layout_in_3d_and_the_spectral_start_match_umap_learns_shape():
    import scipy.sparse

    from app.projection.spectral import spectral_start

    data, _ = _clusters(n_per=60, k=3)
    coords, _ = run_umap(data, 3, 0, "euclidean", silent, n_neighbors=10, min_dist=0.1)
    assert coords.shape == (180, 3) and np.isfinite(coords).all()
    grid = _grid_graph(30, 12)  # one piece; distinct leading eigenvalues
    start = spectral_start(grid, 2, data=np.zeros((360, 2), np.float32), metric="euclidean", seed=0)
    degree = np.asarray(grid.sum(axis=0)).ravel() ** -0.5
    values, vectors = np.linalg.eigh(degree[:, None] * grid.toarray() * degree[None, :])
    assert values[-1] > values[-2] > values[-3] > values[-4]  # the two after the trivial one are distinct
    truth = vectors[:, [-2, -3]]
    correlation = np.abs(np.corrcoef(start.T, truth.T)[:2, 2:])
    assert (np.diag(correlation) > 0.999).all()  # umap-learn's all-ones start misses the first on a grid
    assert start.min() == 0 and np.isclose(start.max(), 10)
    two_pieces = scipy.sparse.block_diag([grid, grid]).tocsr()  # umap-learn's own layout of the pieces
    data = np.vstack([np.zeros((360, 2)), np.full((360, 2), 5.0)]).astype(np.float32)
    apart = spectral_start(two_pieces, 2, data=data, metric="euclidean", seed=0)
    assert apart.shape == (720, 2) and np.isfinite(apart).all()


def _grid_graph(rows: int, columns: int):
    import scipy.sparse

    def path(n: int):
        return scipy.sparse.diags([np.ones(n - 1), np.ones(n - 1)], [1, -1])

    return (
        scipy.sparse.kron(path(rows), scipy.sparse.eye(columns))
        + scipy.sparse.kron(scipy.sparse.eye(rows), path(columns))
    ).tocsr()


def test_umap_layout_reports_between_chunks_and_stops_on_cancel(glove_300, every_report_previews):
    from app.errors import Cancelled
    from app.projection.umap_layout import EPOCHS_PER_CHUNK

    recorder = Layouts()
    run_umap(np.asarray(glove_300.vectors), 2, 0, "cosine", recorder, n_neighbors=8, min_dist=0.1)
    assert len(recorder.layouts) == -(-500 // EPOCHS_PER_CHUNK)  # 300 points: 500 epochs, one preview a chunk
    epochs: list[str] = []

    def cancel_on_the_third(fraction: float, message: str, /, **detail: object) -> None:
        if "epoch" in message:
            epochs.append(message)
            if len(epochs) == 3:
                raise Cancelled

    with pytest.raises(Cancelled):
        run_umap(np.asarray(glove_300.vectors), 2, 0, "cosine", cancel_on_the_third, n_neighbors=8, min_dist=0.1)
    assert epochs[-1] == f"UMAP layout, epoch {3 * EPOCHS_PER_CHUNK} of 500" and len(epochs) == 3


def test_umap_previews_change_nothing_in_the_final_picture(glove_300, every_report_previews):
    plain = project(glove_300, "umap", 2, seed=2, n_neighbors=8, record_timing=False)
    recorder = Layouts()
    streamed = project(glove_300, "umap", 2, seed=2, n_neighbors=8, progress=recorder, record_timing=False)
    np.testing.assert_array_equal(plain.coords, streamed.coords)
    assert len(recorder.layouts) >= 2  # one a chunk of epochs
    np.testing.assert_array_equal(recorder.layouts[-1], streamed.coords)  # the last is the final picture
    assert all(layout.shape == (300, 2) and layout.dtype == np.float32 for layout in recorder.layouts)
    assert not np.array_equal(recorder.layouts[0], recorder.layouts[-1])  # they move as the layout forms
    assert recorder.fractions == sorted(recorder.fractions)


def test_umap_parallel_mode_gives_a_valid_picture(glove_300):
    result = project(glove_300, "umap", 2, n_neighbors=8, reproducible=False, record_timing=False)
    assert result.coords.shape == (300, 2) and np.isfinite(result.coords).all()
    assert result.params["reproducible"] is False


def test_a_switch_must_be_on_or_off(glove_300):
    from app.errors import InputError

    with pytest.raises(InputError, match="on or off"):
        project(glove_300, "umap", 2, reproducible="no")


def test_tsne_previews_change_nothing_and_follow_the_input_order(glove_300, every_report_previews):
    data = np.asarray(glove_300.vectors)
    plain, _ = run_tsne(data, 2, 3, "cosine", silent, perplexity=10)
    recorder = Layouts()
    streamed, extra = run_tsne(data, 2, 3, "cosine", recorder, perplexity=10)
    np.testing.assert_array_equal(plain, streamed)
    assert len(recorder.layouts) == 750 // tsne_run.EVERY == extra["previews"]  # one per callback
    assert all(layout.shape == (300, 2) and layout.dtype == np.float32 for layout in recorder.layouts)


def test_tsne_uses_the_shared_graph_once(glove_300):
    GRAPHS.clear()
    data = np.asarray(glove_300.vectors)
    run_tsne(data, 2, 0, "cosine", silent, perplexity=10)
    computed = GRAPHS.computed
    run_tsne(data, 2, 1, "cosine", silent, perplexity=8)  # fewer neighbours: a slice of the same graph
    assert GRAPHS.computed == computed


def test_previews_wait_a_period_between_layouts(monkeypatch):
    clock = iter([0.0, 0.5, 1.2, 1.5, 2.3])
    monkeypatch.setattr(previews_module.time, "perf_counter", lambda: next(clock))
    recorder = Layouts()
    previews = Previews(recorder, period=1.0)  # started at 0.0
    for step in range(4):
        previews.report(step / 4, "step", np.full((3, 2), step, dtype=np.float64))
    assert [int(layout[0, 0]) for layout in recorder.layouts] == [1, 3] and previews.sent == 2
    assert recorder.layouts[0].dtype == np.float32


def test_parallel_mode_uses_every_core_in_a_process_pinned_to_one_thread():
    """Job processes inherit NUMBA_NUM_THREADS=1 and the fork-safe threading layer (app.runtime.preload);
    UMAP still gets the cores, through OpenMP or TBB."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "import numpy as np\n"
        "from app.projection.methods import project\n"
        "from app.space import EmbeddingSpace\n"
        "data = np.random.default_rng(0).normal(size=(200, 8)).astype(np.float32)\n"
        "space = EmbeddingSpace('s', [f'w{i}' for i in range(200)], data)\n"
        "print(project(space, 'umap', 2, n_neighbors=8, reproducible=False, record_timing=False).notes[-1])\n"
        "import numba; print('layer', numba.threading_layer())\n"
    )
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "NUMBA_THREADING_LAYER": "forksafe", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"ran on {len(os.sched_getaffinity(0))} thread(s)" in done.stdout
    # not the fork-safe workqueue the forkserver asks for: a job never forks, and each of the layout's
    # thousands of parallel starts cost ~0.4 ms there
    assert "layer workqueue" not in done.stdout and "layer " in done.stdout


def test_attraction_moves_both_ends_so_it_keeps_the_centre_of_the_layout():
    """With no negative samples, every pull is an equal and opposite step on the edge's two ends (the
    tail's step added after its block, as umap-learn's ``move_other``), so the layout's centre stays
    put; moving only the head (the tail taking no step) shifts it."""
    import scipy.sparse

    from app.projection.umap_layout import optimize_layout

    rng = np.random.default_rng(4)
    n = 400
    heads = rng.integers(0, n, 3000)
    tails = (heads + rng.integers(1, n, 3000)) % n
    weights = rng.uniform(0.2, 1.0, 3000)
    graph = scipy.sparse.coo_matrix((weights, (heads, tails)), shape=(n, n)).tocsr()
    graph = (graph + graph.T).tocoo()
    layout = rng.normal(size=(n, 2)).astype(np.float32) * 5
    centre = layout.astype(np.float64).mean(axis=0)
    optimize_layout(layout, graph, n_epochs=30, a=1.58, b=0.9, seed=0, negative_sample_rate=0)
    assert np.abs(layout.astype(np.float64).mean(axis=0) - centre).max() < 1e-3
    assert np.linalg.norm(layout - layout.mean(axis=0), axis=1).max() < 5 * 5  # pulled in, not scattered
