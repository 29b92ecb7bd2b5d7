"""Graphs and users/items in a real browser: DeepWalk on Zachary's karate club trained on Train with
its numbers (link prediction AUC next to its baselines, ARI), then on Explore coloured by the known
club; SVD on Davis's southern women with recall@10, then on Explore coloured by kind (user/item)."""

import re

import pytest

from tests.e2e.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.e2e
SCREENSHOTS = ROOT / "docs" / "screenshots"


def metrics(page) -> dict[str, str]:
    """The page's metrics as {label: value}."""
    found = {}
    for metric in page.locator('[data-testid="stMetric"]').all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        found[label] = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return found


def choose_data(page, server, kind: str) -> None:
    page.goto(f"{server}/Train")
    page.get_by_role("heading", name="Train", level=1).wait_for()
    page.get_by_test_id("stRadio").filter(has_text="Text corpus").get_by_text(kind, exact=True).click()


def train_and_wait(page, job: str) -> None:
    """Press this section's Train (once its own estimate line, "about N s" or "under a second", is drawn:
    until then the text flow's Train button may still be on the page) and wait for the result."""
    estimate = re.compile(re.escape(f"{job}: ") + "(about|under a second)")
    page.locator('[data-testid="stAlertContentInfo"]').get_by_text(estimate).first.wait_for()
    page.get_by_role("button", name="Train", exact=True).click()
    try:  # a busy machine queues the job: wait for the result, not for a time
        page.locator('[data-testid="stAlertContentSuccess"]').get_by_text("Trained", exact=False).wait_for(
            timeout=400_000
        )
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "graph-train-timeout.png"), full_page=True)
        raise


def colour_by(page, option: str) -> None:
    page.get_by_role("heading", name="Explore", level=1).wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    page.get_by_role("combobox", name="Colour by").click()
    page.get_by_role("option", name=option, exact=True).click()


def picture(page, path) -> None:
    plot = page.locator(".js-plotly-plot").first
    plot.wait_for()
    page.wait_for_timeout(1500)  # plotly finishes drawing
    page.get_by_role("heading", name="3. The picture").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    page.screenshot(path=str(path))


def legend(page) -> list[str]:
    texts = page.locator(".js-plotly-plot .legendtext").evaluate_all("els => els.map(e => e.textContent)")
    return [t.strip() for t in texts]


def test_deepwalk_on_the_karate_club_then_explore_by_club(page, server):
    choose_data(page, server, "Graph")
    train_and_wait(page, "DeepWalk on Zachary's karate club")
    numbers = metrics(page)
    print("graph numbers:", numbers)
    for label in ("Link prediction AUC (cosine)", "Common neighbours", "Adamic–Adar"):
        assert 0.0 <= float(numbers[label]) <= 1.0, numbers
    ari = next(value for label, value in numbers.items() if label.startswith("Community recovery (ARI"))
    assert float(ari) > 0.3, numbers  # the two clubs are found far above chance
    page.screenshot(path=str(ARTIFACTS / "graph-train.png"), full_page=True)

    page.get_by_role("link", name="Open it in Explore").click()
    colour_by(page, "metadata: club")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot .legendtext')].map(e => e.textContent).join('|')"
        ".includes('Officer')"
    )
    assert sorted(legend(page)) == ["Mr. Hi", "Officer"], legend(page)
    picture(page, ARTIFACTS / "graph-explore.png")
    picture(page, SCREENSHOTS / "graph.png")


def test_svd_on_davis_then_explore_by_kind(page, server):
    choose_data(page, server, "Users and items")
    train_and_wait(page, "Truncated SVD on Davis's southern women")
    numbers = metrics(page)
    print("users-items numbers:", numbers)
    assert 0.0 <= float(numbers["Recall@10"]) <= 1.0 and "Most popular (baseline)" in numbers, numbers
    page.screenshot(path=str(ARTIFACTS / "users-items-train.png"), full_page=True)

    page.get_by_role("link", name="Open it in Explore").click()
    colour_by(page, "metadata: kind")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot .legendtext')].map(e => e.textContent).join('|')"
        ".includes('item')"
    )
    assert sorted(legend(page)) == ["item", "user"], legend(page)
    picture(page, ARTIFACTS / "users-items-explore.png")
    picture(page, SCREENSHOTS / "users-items.png")
