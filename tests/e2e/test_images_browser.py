"""Images in a real browser: the Digits sample on Explore draws thumbnails in the picture, and
hovering a point shows the digit's picture in the hover text."""

import pytest

from tests.e2e.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.e2e
SCREENSHOT = ROOT / "docs" / "screenshots" / "digits.png"
SHADES = "░▒▓█"


def test_digits_show_thumbnails_and_a_picture_on_hover(page, server):
    page.goto(f"{server}/Explore?sample=digits&n=2000&labels=0")
    page.get_by_role("heading", name="Explore", level=1).wait_for()
    plot = page.locator(".js-plotly-plot").first
    plot.wait_for(timeout=60_000)
    page.get_by_text("Neighbours share the digit").wait_for()
    page.wait_for_timeout(1500)
    plot.scroll_into_view_if_needed()
    thumbnails = page.locator(".js-plotly-plot .layer-above image")
    assert 50 <= thumbnails.count() <= 300
    assert thumbnails.first.get_attribute("href").startswith("data:image/png;base64,")
    box = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    hover = page.locator(".js-plotly-plot .hoverlayer .hovertext")
    for fx, fy in ((0.5, 0.5), (0.45, 0.5), (0.55, 0.45), (0.4, 0.6), (0.6, 0.6), (0.5, 0.35), (0.3, 0.4)):
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy, steps=4)
        page.wait_for_timeout(400)
        if hover.count():
            break
    assert hover.count() == 1
    text = hover.first.text_content() or ""
    assert "digit" in text and any(shade in text for shade in SHADES)
    page.screenshot(path=str(ARTIFACTS / "digits-hover.png"))
    page.screenshot(path=str(SCREENSHOT))
