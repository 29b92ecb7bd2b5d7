"""AppTest: results go to the server-wide cache when the data they come from is shared (a built-in
sample, and any subset of it Explore projects), to the session's own cache when it comes from a
student's upload; and a second session asking for the same projection gets the first's."""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from app.io.export import to_word2vec_text
from app.io.loaders import load_vectors
from app.runtime.cache import ResultCache
from pages._ui import cached, explore
from tests.conftest import ROOT, open_page

EXPLORE = "pages/1_Explore.py"
EVALUATE = "pages/4_Evaluate.py"


class RecordingCache(ResultCache):
    """A ResultCache that remembers every key stored in it (through its public methods only)."""

    def __init__(self, max_entries: int = 64) -> None:
        super().__init__(max_entries)
        self.stored: set[Hashable] = set()

    def put(self, key: Hashable, value: Any) -> None:
        self.stored.add(key)
        super().put(key, value)

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        def recorded() -> Any:
            self.stored.add(key)
            return compute()

        return super().get_or_compute(key, recorded)


@pytest.fixture
def caches(monkeypatch):
    """Both caches start empty and record what is stored in them; the server-wide one is
    ``cached._shared_results()``, a session's is ``session_cache(at)``."""
    monkeypatch.setattr(cached, "ResultCache", RecordingCache)
    cached._shared_results.clear()
    shared = cached._shared_results()
    assert isinstance(shared, RecordingCache) and not shared.stored
    yield shared
    cached._shared_results.clear()  # later tests get a fresh (plain) server-wide cache


def session_cache(at: AppTest) -> RecordingCache:
    found = at.session_state.get("results")
    if found is None:
        return RecordingCache()  # the page never needed one: nothing was stored there
    assert isinstance(found, RecordingCache)
    return found


def kinds(cache: RecordingCache) -> set[str]:
    return {key[0] for key in cache.stored if isinstance(key, tuple)}


def wait_for(at: AppTest, slot: str) -> None:
    """Let the page's background job in ``slot`` finish, then rerun; fails if it never does."""
    job = next(iter(at.session_state[f"jobs_{slot}"].values()))
    deadline = time.monotonic() + 120
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job.done, f"the {slot} job did not finish"
    at.run()
    assert not at.exception, at.exception


def test_explore_of_a_sample_link_fills_the_shared_cache(caches):
    at = open_page(EXPLORE, sample="glove", n_words="20000", n="300")
    assert at.get("plotly_chart"), "no picture"
    glove = cached.sample("glove", 20_000)
    shown = glove.head(300)  # what Explore projects: a subset, with a fingerprint of its own
    projections = [key for key in caches.stored if key[0] == "projection"]
    assert [key[1] for key in projections] == [shown.fingerprint] != [glove.fingerprint]
    assert {"projection", "distortion", "clusters"} <= kinds(caches)
    assert not session_cache(at).stored


def private_upload(n: int = 2_000):
    """A student's own file: GloVe's first words, uploaded as word2vec text."""
    text = to_word2vec_text(cached.sample("glove", 20_000).head(n))
    space = load_vectors((text, "my_vectors.txt"), name="my vectors")
    assert not space.shared
    return space


def open_with_private_space(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    at.session_state["spaces"] = {"my vectors": private_upload()}
    at.session_state["active"] = "my vectors"
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_students_upload_never_lands_in_the_shared_cache(caches):
    at = open_with_private_space(EXPLORE)
    assert at.get("plotly_chart"), "no picture"
    at.switch_page(EVALUATE)
    at.run()
    at.number_input(key="restrict").set_value(2_000)
    at.run()
    at.button(key="run_analogies").click()
    at.run()
    wait_for(at, "analogies")
    assert any("accuracy" in d.value.columns for d in at.dataframe), "no analogy table"
    assert {"projection", "distortion", "clusters", "pairs", "analogies"} <= kinds(session_cache(at))
    assert not caches.stored


def test_a_second_session_gets_the_first_sessions_pca_without_computing(caches, monkeypatch):
    calls = []

    def counted(*args, **kwargs):
        calls.append(args[1])
        return explore_project(*args, **kwargs)

    explore_project = explore.project
    monkeypatch.setattr(explore, "project", counted)
    first = open_page(EXPLORE, sample="glove", n_words="20000", n="400")
    second = open_page(EXPLORE, sample="glove", n_words="20000", n="400")
    assert calls == ["pca"]
    for at in (first, second):
        assert at.get("plotly_chart"), "no picture"
    assert not session_cache(second).stored


def test_a_second_session_finds_the_first_sessions_tsne_without_a_run_button(caches):
    view = {"sample": "glove", "n_words": "20000", "n": "150", "method": "tsne", "perplexity": "20"}
    first = open_page(EXPLORE, **view)
    assert not first.get("plotly_chart")
    first.button(key="run_projection").click()
    first.run()
    wait_for(first, "projection")
    assert first.get("plotly_chart"), "no picture after the job"
    second = open_page(EXPLORE, **view)
    assert second.get("plotly_chart"), "the second session did not find the first's t-SNE"
    assert not [b for b in second.button if b.key == "run_projection"]
    assert "jobs_projection" not in second.session_state or not second.session_state["jobs_projection"]


def test_sessions_pressing_run_together_share_one_job(caches, monkeypatch):
    """A class pressing Run at once: the second session watches the job the first started."""
    started, release = threading.Event(), threading.Event()
    calls = []
    real_project = explore.project

    def held(*args, **kwargs):
        calls.append(args[1])
        started.set()
        assert release.wait(60), "the test never released the job"
        return real_project(*args, **kwargs)

    monkeypatch.setattr(explore, "project", held)
    view = {"sample": "glove", "n_words": "20000", "n": "130", "method": "tsne", "perplexity": "15"}
    first, second = open_page(EXPLORE, **view), open_page(EXPLORE, **view)
    first.button(key="run_projection").click()
    first.run()
    assert started.wait(60), "the first session's job never started"
    second.button(key="run_projection").click()
    second.run()
    [job] = first.session_state["jobs_projection"].values()
    assert list(second.session_state["jobs_projection"].values()) == [job]
    release.set()
    wait_for(second, "projection")
    first.run()
    assert calls == ["tsne"]
    for at in (first, second):
        assert at.get("plotly_chart"), "no picture after the shared job"
