"""AppTest for Explore while a t-SNE runs: its latest layout is drawn as it forms, the finished
projection replaces it, and a cancel leaves the last layout marked as stopped early, not cached.

The projection is ``tests.fake_layout.slow_projection`` (it streams layouts the way the real one does
once branch h-knn emits them), held by a file until the test releases it.
"""

import time
from functools import partial

import numpy as np
import pandas as pd
import pytest
from streamlit import dataframe_util

from pages._ui import explore
from tests.fake_layout import TOTAL_ITERATIONS, slow_job_for, slow_projection
from tests.pages.test_explore import figure, open_explore, point_traces, values

WAIT = 60  # seconds; a safety net only
LAST = f"iteration {TOTAL_ITERATIONS} of {TOTAL_ITERATIONS}"


@pytest.fixture
def hold(monkeypatch, tmp_path):
    """Explore's t-SNE becomes a fake that sends three layouts, then waits for the returned file."""
    release = tmp_path / "release"
    real = explore.ProjectionRequest.job

    def job(self):
        if self.method == "pca":
            return real(self)
        return slow_job_for(self, steps=3, pause=0.0, hold=str(release))

    monkeypatch.setattr(explore.ProjectionRequest, "job", job)
    return release


def until(condition) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def start_tsne(n: int):
    at = open_explore(n=n)
    at.radio(key="method").set_value("tsne")
    at.run()
    at.button(key="run_projection").click()
    at.run()
    job = next(iter(at.session_state["jobs_projection"].values()))
    until(lambda: job.latest("layout") is not None and job.latest("layout").number == 3)
    at.run()
    assert not at.exception, at.exception
    return at, job


def points(at) -> int:
    """Points in the picture (the finished or stopped projection's plotly figure)."""
    return sum(len(values(t["x"])) for t in point_traces(figure(at)))


def running_layout(at) -> pd.DataFrame:
    """The data of the running layout's chart (Vega-Lite: it updates in place)."""
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1, "no running layout on the page"
    return dataframe_util.convert_arrow_bytes_to_pandas_df(charts[0].proto.data.data)


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_the_running_layout_is_drawn_then_replaced_by_the_finished_projection(hold):
    at, job = start_tsne(n=121)
    layout = running_layout(at)
    assert len(layout) == 121 and layout["label"].str.len().gt(0).any()
    np.testing.assert_allclose(layout[["x", "y"]].to_numpy(), job.latest("layout").value, rtol=1e-6)
    assert not at.get("plotly_chart")
    assert f"still running: {LAST}, the picture is still moving" in captions(at)
    hold.write_text("")
    until(lambda: job.done)
    at.run()
    assert not at.exception, at.exception
    assert points(at) == 121 and not at.get("vega_lite_chart")
    assert "still running" not in captions(at)
    assert "Neighbours kept" in [m.label for m in at.metric]


def test_cancel_keeps_the_last_layout_marked_as_stopped_early_and_not_cached(hold):
    at, job = start_tsne(n=122)
    at.button(key=f"cancel_{job.id}").click()
    at.run()
    until(lambda: job.done)
    at.run()
    assert not at.exception, at.exception
    assert points(at) == 122
    assert any(f"cancelled at {LAST}" in w.value for w in at.warning)
    assert f"stopped at {LAST}: not the finished layout" in captions(at)
    at.run()  # it stays on later runs
    assert points(at) == 122 and any(f"cancelled at {LAST}" in w.value for w in at.warning)
    at.button(key="run_projection").click()  # not cached: Run starts the real work again
    at.run()
    again = next(iter(at.session_state["jobs_projection"].values()))
    assert again is not job
    hold.write_text("")
    until(lambda: again.done)
    at.run()
    assert not any("cancelled" in w.value for w in at.warning)
    assert "stopped at" not in captions(at)


def test_cancel_before_any_layout_behaves_as_before(monkeypatch, tmp_path):
    real = explore.ProjectionRequest.job

    def job(self):
        if self.method == "pca":
            return real(self)
        return partial(slow_projection, self.space, self.method, self.dims, steps=0, hold=str(tmp_path / "never"))

    monkeypatch.setattr(explore.ProjectionRequest, "job", job)
    at = open_explore(n=123)
    at.radio(key="method").set_value("tsne")
    at.run()
    at.button(key="run_projection").click()
    at.run()
    running = next(iter(at.session_state["jobs_projection"].values()))
    assert "still running" not in captions(at) and not at.get("vega_lite_chart")
    at.button(key=f"cancel_{running.id}").click()
    at.run()
    said = [i.value for i in at.info]  # the job may have stopped within that run already
    until(lambda: running.done)
    at.run()
    said += [i.value for i in at.info]
    assert any(text.endswith("cancelled.") for text in said), said
    assert not at.get("plotly_chart") and not at.get("vega_lite_chart")
    assert not at.warning


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("t-SNE optimisation, iteration 250 of 750", "iteration 250 of 750"),
        ("UMAP layout, epoch 120 of 500", "epoch 120 of 500"),
        ("finding neighbours", "finding neighbours"),
    ],
)
def test_the_caption_names_where_the_job_was(message, expected):
    from pages._ui.background import stage

    assert stage(message) == expected
