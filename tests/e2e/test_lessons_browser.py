"""Every built-in lesson, walked step by step in Chromium: each step shows without an error or an
exception within 10 s, and its screenshot lands in test-artifacts/lessons/."""

import pytest

from app.lessons.builtin import builtin_lessons
from tests.e2e.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.e2e
STEP_MS = 10_000
SHOTS = ARTIFACTS / "lessons"


def settled(page) -> None:
    """Wait (at most 10 s) until the script has finished running and no spinner is left."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') && "
        "!document.querySelector('[data-testid=\"stSpinner\"]')",
        timeout=STEP_MS,
    )


def test_walk_every_builtin_lesson(page, server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Warm-up, not timed: the browser fetches the chart and table bundles once, the server loads GloVe once.
    page.goto(f"{server}/Lessons?lesson=embedding&step=1")
    page.locator(".js-plotly-plot").first.wait_for(timeout=90_000)
    for entry in builtin_lessons():
        steps = len(entry.lesson.steps)
        page.goto(f"{server}/Lessons?lesson={entry.key}&step=1")
        for number in range(1, steps + 1):
            if number > 1:
                page.get_by_role("button", name="Next").click()
            page.get_by_text(f"Step {number} of {steps}", exact=False).wait_for(timeout=STEP_MS)
            page.wait_for_timeout(300)
            settled(page)
            if entry.lesson.steps[number - 1].show is not None:
                shown = page.locator(
                    ".js-plotly-plot, [data-testid='stDataFrame'] canvas, [data-testid='stTable'], iframe"
                    " >> visible=true"
                )
                try:
                    shown.first.wait_for(timeout=STEP_MS)
                finally:
                    page.screenshot(path=str(SHOTS / f"{entry.key}-{number:02d}.png"))
            assert page.locator('[data-testid="stException"]').count() == 0, f"{entry.key} step {number}"
            errors = page.locator('[data-testid="stAlertContentError"]')
            allowed = entry.key == "unseen"  # the word2vec side of that lesson is an error on purpose
            assert allowed or errors.count() == 0, f"{entry.key} step {number}: {errors.all_inner_texts()}"
            page.screenshot(path=str(SHOTS / f"{entry.key}-{number:02d}.png"))
            if entry.key == "near" and number == 1:
                page.screenshot(path=str(ROOT / "docs" / "screenshots" / "lessons.png"))
    assert "step=" in page.url
