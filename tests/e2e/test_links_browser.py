"""Two kinds of link in real browsers: a view link shows the view and nothing private; the
workspace link (shown only on Home) opens the workspace in another browser."""

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
SAVED_ENTRY = "Toy royalty set · 12 × 4"


def new_tab(browser, address: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(address)
    return context, tab


def copied_view_link(tab) -> str:
    """Press the sidebar's "Copy link to this view" and read the link it shows."""
    frame = tab.frame_locator("iframe[srcdoc*='Copy link to this view']")
    frame.get_by_role("button", name="Copy link to this view").click()
    box = frame.get_by_label("Link to this view")
    return box.input_value()


def workspace_link(tab) -> str:
    tab.get_by_text("Open this workspace in another browser").click()
    return tab.locator('[data-testid="stCode"] code').first.inner_text().strip()


def test_a_view_link_shows_the_view_and_nothing_private(page, server, browser):
    page.get_by_text("Toy royalty set", exact=True).click()
    page.get_by_role("button", name="Load sample").click()
    page.get_by_text("Active space: Toy royalty set").wait_for()
    page.get_by_role("button", name="Save Toy royalty set to my workspace").click()
    page.get_by_text(SAVED_ENTRY).wait_for()
    assert "ws=" not in page.url
    teachers_link = workspace_link(page)
    assert "?ws=" in teachers_link

    page.get_by_role("link", name="Explore").click()
    page.locator(".js-plotly-plot").first.wait_for()
    view_link = copied_view_link(page)
    assert "/Explore?" in view_link and "sample=toy" in view_link and "ws=" not in view_link
    page.screenshot(path=str(ARTIFACTS / "links-teacher-explore.png"))

    student, tab = new_tab(browser, view_link)
    try:
        tab.locator(".js-plotly-plot").first.wait_for()
        picker = tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
        assert picker.locator("input").input_value() == "Toy royalty set"
        tab.screenshot(path=str(ARTIFACTS / "links-student-explore.png"))
        tab.get_by_role("link", name="Home").click()
        tab.get_by_role("heading", name="Your workspace").wait_for()
        tab.get_by_text("Nothing saved yet.").wait_for()
        assert tab.get_by_text(SAVED_ENTRY).count() == 0
        assert workspace_link(tab) != teachers_link
        tab.screenshot(path=str(ARTIFACTS / "links-student-home.png"), full_page=True)
    finally:
        student.close()

    other_device, tab = new_tab(browser, teachers_link)
    try:
        tab.get_by_text(SAVED_ENTRY).wait_for()
        tab.get_by_text("This browser now uses the workspace from the link.").wait_for()
        tab.wait_for_url(lambda address: "ws=" not in address)
        tab.screenshot(path=str(ARTIFACTS / "links-workspace-link.png"), full_page=True)
        adopted_key = teachers_link.split("ws=", 1)[1]
        for _ in range(100):  # the page writes the adopted key into the browser's cookie
            if any(c["name"] == "embedding_lab_ws" and c["value"] == adopted_key for c in other_device.cookies()):
                break
            tab.wait_for_timeout(200)
        else:
            raise AssertionError(f"the cookie never took the adopted key: {other_device.cookies()}")
        tab.reload()  # the cookie now holds the adopted key
        tab.get_by_text(SAVED_ENTRY).wait_for()
    finally:
        other_device.close()


def test_a_forged_workspace_link_is_not_adopted(page, server):
    page.goto(f"{server}/?ws=AAAAAAAAAAAAAAAAAAAAAA")
    page.get_by_text("This workspace link was not made by this server").wait_for()
    page.wait_for_url(lambda address: "ws=" not in address)
    assert page.get_by_text("Nothing saved yet.").count() == 1
