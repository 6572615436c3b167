"""The report in a real browser: Debian's headless Chromium, driven by Selenium through chromedriver.

`pytest --update-golden -m slow tests/test_report_browser.py` also refreshes the
screenshot of the matrix in docs/images/report-matrix.png. On CI (CI=true) a
missing browser fails these tests instead of skipping them.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from privlex.cli import main

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOT = ROOT / "docs" / "images" / "report-matrix.png"

pytestmark = pytest.mark.slow


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[browser]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists() and not shutil.which(Path(path).name):
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "site"
    assert main(["report", str(ROOT / "rulesets"), "--out", str(out), "--date", "2025-06-01"]) == 0
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    problem = _missing()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM if Path(CHROMIUM).exists() else str(shutil.which("chromium"))
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1400,900")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(2)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(browser: Any, site: Path, page: str) -> None:
    browser.get(
        (site / page).as_uri() if "#" not in page else (site / page.split("#")[0]).as_uri() + "#" + page.split("#")[1]
    )


def console_problems(browser: Any) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]


def test_every_kind_of_page_loads_without_console_errors(browser: Any, site: Path) -> None:
    pages = ["index.html", "matrix-ai.training.html", "ruleset-gdpr.html", "vocabulary.html", "search.html"]
    pages.append("explain/" + sorted(p.name for p in (site / "explain").iterdir())[0])
    for page in pages:
        open_page(browser, site, page)
        assert browser.find_element("css selector", "h1").text, page
        assert console_problems(browser) == [], page


def zoom_chat_cell(browser: Any) -> Any:
    section = browser.find_element("css selector", 'section.scenario[data-scenario="zoom_b"]')
    row = section.find_element("css selector", 'tr[data-regions~="DE"]')
    return row.find_element("css selector", 'td[data-category="content.chat"]')


def test_the_matrix_shows_the_zoom_chat_case_in_germany_as_denied(browser: Any, site: Path) -> None:
    open_page(browser, site, "matrix-ai.training.html")
    browser.find_element("css selector", '.scenario-tabs a[data-scenario="zoom_b"]').click()
    assert browser.find_element("css selector", 'section[data-scenario="zoom_b"]').is_displayed()
    assert not browser.find_element("css selector", 'section[data-scenario="baseline"]').is_displayed()
    cell = zoom_chat_cell(browser)
    assert cell.is_displayed()
    assert cell.text.endswith("deny")
    assert "o-deny" in (cell.get_attribute("class") or "")
    assert console_problems(browser) == []


def test_clicking_a_cell_opens_its_explanation(browser: Any, site: Path) -> None:
    open_page(browser, site, "matrix-ai.training.html#s-zoom_b")
    zoom_chat_cell(browser).find_element("css selector", "a").click()
    assert "/explain/" in browser.current_url
    text = browser.find_element("css selector", "main").text
    assert "Why" in browser.find_element("css selector", "h1").text and "deny" in text
    assert "consent.bundled" in text and "GDPR Art. 7(4)" in text
    browser.find_element("link text", "consent.bundled").click()
    assert browser.current_url.endswith("ruleset-gdpr.html#gdpr--consent.bundled")
    assert console_problems(browser) == []


def test_the_region_filter_keeps_the_rows_of_a_place(browser: Any, site: Path) -> None:
    open_page(browser, site, "matrix-ai.training.html#s-zoom_b")
    browser.find_element("id", "region-filter").send_keys("Germany")
    rows = browser.find_elements("css selector", 'section[data-scenario="zoom_b"] tr[data-regions]')
    shown = [row.get_attribute("data-regions") for row in rows if row.is_displayed()]
    assert len(shown) == 1 and "DE" in shown[0].split()


def test_the_search_finds_a_rule_by_its_article(browser: Any, site: Path) -> None:
    open_page(browser, site, "index.html")
    box = browser.find_element("id", "site-search")
    box.send_keys("Art. 7(4)")
    box.submit()
    assert "search.html" in browser.current_url
    items = browser.find_elements("css selector", ".search-results li")
    shown = [item.text for item in items if item.is_displayed()]
    assert shown and len(shown) < len(items)
    assert any("gdpr.consent.bundled" in text for text in shown)
    assert all("7(4)" in text for text in shown)
    field = browser.find_element("id", "rule-search")
    field.clear()
    field.send_keys("objection route")
    shown = [item.text for item in items if item.is_displayed()]
    assert any("legitimate_interest.no_objection_route" in text for text in shown)


def test_the_matrix_prints_to_pdf_with_every_scenario(browser: Any, site: Path) -> None:
    open_page(browser, site, "matrix-ai.training.html")
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"landscape": True, "printBackground": True})
    data = base64.b64decode(pdf["data"])
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 6, "a page per scenario at least"


def test_screenshot_of_the_matrix(browser: Any, site: Path, tmp_path: Path, update_golden: bool) -> None:
    open_page(browser, site, "matrix-ai.training.html#s-zoom_b")
    browser.set_window_size(1400, 1000)
    browser.execute_script("document.querySelector('.scenario-tabs').scrollIntoView()")
    target = SCREENSHOT if update_golden else tmp_path / SCREENSHOT.name
    target.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(target))
    assert target.stat().st_size > 10_000
