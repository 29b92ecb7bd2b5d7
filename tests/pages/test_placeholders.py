"""Every page of the product opens without an exception and says what it offers."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

BUILT = {"1_Explore", "3_Analogies", "4_Evaluate", "5_Bias"}
PAGES = [p for p in sorted((ROOT / "pages").glob("[0-9]_*.py")) if p.stem not in BUILT]


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_page_opens_from_the_navigation(page):
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.run()
    at.switch_page(f"pages/{page.name}")
    at.run()
    assert not at.exception
    assert at.title[0].value == page.stem.split("_", 1)[1]
    assert any("being built" in info.value for info in at.info)
