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


def test_umap_on_our_graph_equals_umap_learn_given_the_same_graph(glove_300):
    import umap

    data = np.asarray(glove_300.vectors)
    ours, extra = run_umap(data, 2, 4, "cosine", silent, n_neighbors=10, min_dist=0.1)
    indices, distances = umap_neighbours(data.astype(np.float32), 10, "cosine", silent)
    assert (indices[:, 0] == np.arange(300)).all() and (distances[:, 0] == 0).all()  # itself first, as umap-learn
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = umap.UMAP(
            n_neighbors=10, min_dist=0.1, metric="cosine", random_state=4, precomputed_knn=(indices, distances)
        )
        theirs = model.fit_transform(data)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    assert extra["threads"] == 1


def test_umap_previews_change_nothing_in_the_final_picture(glove_300, every_report_previews):
    plain = project(glove_300, "umap", 2, seed=2, n_neighbors=8, record_timing=False)
    recorder = Layouts()
    streamed = project(glove_300, "umap", 2, seed=2, n_neighbors=8, progress=recorder, record_timing=False)
    np.testing.assert_array_equal(plain.coords, streamed.coords)
    assert len(recorder.layouts) >= 2  # tqdm writes at the start, at the end, and every 0.25 s between
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
    """Job processes inherit NUMBA_NUM_THREADS=1 (app.runtime.preload); unseeded UMAP still gets the cores."""
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
    )
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "NUMBA_THREADING_LAYER": "forksafe", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"ran on {len(os.sched_getaffinity(0))} thread(s)" in done.stdout
