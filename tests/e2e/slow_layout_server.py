"""A test server: the app as `make run` serves it (jobs in worker processes), except that Explore's
t-SNE and UMAP are ``tests.fake_layout.slow_projection``: a layout streamed for about 12 s, so a
browser test can watch the picture form and cancel it half way on any machine, fast or loaded.

The real projection streams its layouts once branch h-knn lands; this hook needs no change to the app.
`streamlit run tests/e2e/slow_layout_server.py` imports this file once per server process.
"""

from functools import partial
from pathlib import Path

import streamlit as st

from pages._ui import explore
from tests.fake_layout import slow_job_for

ROOT = Path(__file__).resolve().parents[2]
STEPS, PAUSE = 24, 0.5  # 24 layouts, one every half second

real_job = explore.ProjectionRequest.__dict__.get("real_job", explore.ProjectionRequest.job)


def slow_job(self: explore.ProjectionRequest) -> partial:
    """PCA as usual; t-SNE and UMAP the slow fake (it runs in a worker process: it must pickle)."""
    if self.method == "pca":
        return real_job(self)
    return slow_job_for(self, steps=STEPS, pause=PAUSE)


explore.ProjectionRequest.real_job = real_job  # type: ignore[attr-defined]
explore.ProjectionRequest.job = slow_job  # type: ignore[method-assign]
app = st.App(str(ROOT / "streamlit_app.py"))
