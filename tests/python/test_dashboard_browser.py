"""The dashboard in a real browser: headless Chromium (Debian's chromium + chromium-driver, driven
by Selenium pointed at /usr/bin/chromedriver, so nothing is downloaded) loads every view of a page
built from the published serving file, and we check that it draws without console errors, that
every chart has data, that the filters re-render it, and that it fetches nothing from the network.
A full-page screenshot of each view is saved to artifacts/screenshots/<view>.png."""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from _serving_testkit import serving_file

from marketing_kpi import paths
from marketing_kpi.browser import HEADLESS_FLAGS, BrowserUnavailable, ensure_chromium
from marketing_kpi.dashboard import VIEWS, build_dashboard

SCREENSHOT_DIR = paths.PROJECT_ROOT / "artifacts" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}
WAIT_S = 20


def _unavailable(message: str) -> None:
    if os.environ.get("MKPI_REQUIRE_BUILD") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_dashboard(serving_file(tmp_path_factory), tmp_path_factory.mktemp("dashboard"))


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    try:
        chromium = ensure_chromium(install=False)
    except BrowserUnavailable as exc:
        _unavailable(str(exc))
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[dev]')")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium.browser)
    for flag in (*HEADLESS_FLAGS, "--window-size=1440,1000"):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=str(chromium.driver)), options=options)
    browser.set_page_load_timeout(WAIT_S)
    try:
        yield browser
    finally:
        browser.quit()


def _wait(driver, condition_js: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT_S).until(lambda d: d.execute_script(f"return !!({condition_js});"))


def _open(driver, page: Path, view: str) -> None:
    driver.get(f"{page.as_uri()}#{view}")
    _wait(driver, f"document.body.dataset.ready === 'true' && document.body.dataset.view === '{view}'")


def _severe_console_messages(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _charts(driver, view: str) -> list[dict]:
    return driver.execute_script(
        """
        return Array.from(document.querySelectorAll('#' + arguments[0] + ' [data-chart]')).map(function (el) {
          const drawn = el.querySelector('[data-testid^="chart-"]');
          return { name: el.dataset.chart, svg: !!el.querySelector('svg'),
                   marks: el.querySelectorAll('svg .mark').length,
                   testid: drawn ? drawn.dataset.testid : null };
        });
        """,
        view,
    )


def _screenshot(driver, view: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0);")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    target = SCREENSHOT_DIR / f"{view}.png"
    target.write_bytes(base64.b64decode(shot["data"]))
    return target


def _text(driver, testid: str) -> str:
    return driver.execute_script(
        "const el = document.querySelector('.view.active [data-testid=\"' + arguments[0] + '\"] .value');"
        "return el ? el.textContent : null;",
        testid,
    )


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_draws_its_charts_with_data_and_no_console_errors(driver, page: Path, view: str) -> None:
    driver.get_log("browser")  # drop what earlier pages logged
    _open(driver, page, view)
    charts = _charts(driver, view)
    assert len(charts) >= 5, f"{view}: expected its charts, found {charts}"
    empty = [c["name"] for c in charts if not c["svg"] or c["marks"] < 1]
    assert not empty, f"{view}: charts without data marks: {empty}"
    assert all(c["testid"] == f"chart-{c['name']}" for c in charts)

    tiles = driver.execute_script(
        "return Array.from(document.querySelectorAll('#' + arguments[0] + ' .tile .value')).map(e => e.textContent);",
        view,
    )
    assert len(tiles) >= 6 and all(tiles), f"{view}: tiles {tiles}"
    assert sum(t != "\u2014" for t in tiles) >= len(tiles) - 1, f"{view}: tiles without a value: {tiles}"
    tables = driver.execute_script(
        "return Array.from(document.querySelectorAll('#' + arguments[0] + ' table')).map(t => "
        "[t.caption ? t.caption.textContent : '', t.tBodies[0].rows.length]);",
        view,
    )
    assert tables and all(caption and rows for caption, rows in tables), f"{view}: tables {tables}"
    heading = driver.execute_script("return document.querySelector('#' + arguments[0] + ' h2').textContent;", view)
    assert heading

    assert _severe_console_messages(driver) == []
    assert _screenshot(driver, view).stat().st_size > 10_000


def test_filters_re_render_the_numbers_and_charts(driver, page: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _open(driver, page, "marketing-manager")
    before = {t: _text(driver, t) for t in ("tile-spend", "tile-cpl", "tile-cac")}
    channels = [o.get_attribute("value") for o in Select(driver.find_element(By.ID, "filter-channel")).options]
    assert channels[0] == "all" and len(channels) > 2
    Select(driver.find_element(By.ID, "filter-channel")).select_by_value("google_search")
    _wait(driver, "document.getElementById('filter-summary').textContent.indexOf('Google Search') >= 0")
    after = {t: _text(driver, t) for t in before}
    assert after["tile-spend"] != before["tile-spend"], (before, after)
    assert after != before
    assert all(c["marks"] >= 1 for c in _charts(driver, "marketing-manager")), "a chart lost its data"
    highlighted = driver.execute_script("return document.querySelectorAll('#mgr-channels tr.selected').length;")
    assert highlighted == 1

    # A one-month range changes the totals again and the month charts still draw.
    spend_for_range = _text(driver, "tile-spend")
    last_month = Select(driver.find_element(By.ID, "filter-to")).first_selected_option.get_attribute("value")
    Select(driver.find_element(By.ID, "filter-from")).select_by_value(last_month)
    _wait(driver, "document.getElementById('filter-from').value === document.getElementById('filter-to').value")
    assert _text(driver, "tile-spend") != spend_for_range
    assert all(c["marks"] >= 1 for c in _charts(driver, "marketing-manager"))

    # The other views follow the same filters; reset brings the defaults back.
    _open(driver, page, "channel-specialist")
    assert "Google Search" in driver.find_element(By.ID, "filter-summary").text
    driver.find_element(By.ID, "filter-reset").click()
    _open(driver, page, "marketing-manager")
    assert {t: _text(driver, t) for t in before} == before
    assert _severe_console_messages(driver) == []


def test_the_page_fetches_nothing_from_the_network(driver, page: Path) -> None:
    driver.get_log("performance")
    for view in VIEWS:
        _open(driver, page, view)
    requested = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            requested.append(message["params"]["request"]["url"])
    remote = [
        url
        for url in requested
        if urlparse(url).scheme not in ("file", "data", "about", "blob") and urlparse(url).hostname not in LOCAL_HOSTS
    ]
    assert remote == [], f"the dashboard requested remote resources: {remote}"
    html = page.read_text(encoding="utf-8")
    external = {m.group(1) for m in re.finditer(r"https?://([^/\s\"'<>]+)", html)} - LOCAL_HOSTS
    assert not external, f"the page refers to external hosts: {sorted(external)}"
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=\"(?!data:|#)", html), "an external resource"


@pytest.fixture(scope="module")
def page_without_ads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A page built from a copy of the serving file in which the ad data was not provided: spend is
    null (as the marts publish it then) and the KPIs that need ad_performance are not available."""
    import shutil

    import duckdb

    copy = tmp_path_factory.mktemp("serving-no-ads") / "marketing_kpi.duckdb"
    shutil.copy2(serving_file(tmp_path_factory), copy)
    reason = "needs data that was not provided: ad_performance"
    con = duckdb.connect(str(copy))
    try:
        con.execute(
            "update kpi.kpi_availability set is_available = false, missing_sources = 'ad_performance', reason = ?"
            " where required_sources like '%ad_performance%'",
            [reason],
        )
        con.execute("update kpi.kpi_channel_performance__monthly set spend = null, impressions = null, clicks = null")
    finally:
        con.close()
    return build_dashboard(copy, tmp_path_factory.mktemp("dashboard-no-ads"))


def test_an_unavailable_kpi_shows_a_dash_and_why_never_zero(driver, page_without_ads: Path) -> None:
    _open(driver, page_without_ads, "marketing-manager")
    for tile in ("tile-spend", "tile-cpl", "tile-cac", "tile-roas"):
        assert _text(driver, tile) == "\u2014", tile
        title = driver.execute_script(
            "return document.querySelector('.view.active [data-testid=\"' + arguments[0] + '\"]').title;", tile
        )
        assert title.startswith("not available: needs data that was not provided: ad_performance"), (tile, title)
    assert _text(driver, "tile-lead-to-customer") not in ("\u2014", None)  # the CRM's KPIs stay
    note = driver.execute_script("return document.getElementById('availability-note');")
    assert note.is_displayed()
    text = note.text
    assert "Sources not provided: ad_performance." in text and "never 0" in text
    assert "Cost per lead (CPL)" in text
    _open(driver, page_without_ads, "channel-specialist")
    assert _text(driver, "tile-cpc") == "\u2014" and _text(driver, "tile-ctr") == "\u2014"
    assert _severe_console_messages(driver) == []


def test_the_availability_note_is_hidden_when_everything_is_available(driver, page: Path) -> None:
    _open(driver, page, "executive")
    assert driver.execute_script("return document.getElementById('availability-note').hidden;") is True
