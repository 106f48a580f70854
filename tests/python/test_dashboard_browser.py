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
    served = serving_file(tmp_path_factory)
    built = build_dashboard(served, tmp_path_factory.mktemp("dashboard"))
    _SERVING_OF_PAGE[built] = served
    return built


_SERVING_OF_PAGE: dict[Path, Path] = {}


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
    # Every month chart still draws, except a cost ratio whose denominator is 0 in that month: it
    # says so (never a bare "no data") and the serving file confirms the zero.
    undrawn = {c["name"] for c in _charts(driver, "marketing-manager") if c["marks"] < 1}
    denominators = {"mgr-cpl-trend": ("leads", "leads"), "mgr-cac-trend": ("new_customers", "new customers")}
    assert undrawn <= set(denominators), f"charts lost their data: {undrawn}"
    for name in undrawn:
        column, words = denominators[name]
        assert _monthly_total(page, column, last_month, "google_search") == 0, name
        text = driver.execute_script(
            "return document.querySelector('[data-chart=\"' + arguments[0] + '\"]').textContent;", name
        )
        assert "is not defined: " in text and f"spent and no {words} (Google Search" in text, text

    # The other views follow the same filters; reset brings the defaults back.
    _open(driver, page, "channel-specialist")
    assert "Google Search" in driver.find_element(By.ID, "filter-summary").text
    driver.find_element(By.ID, "filter-reset").click()
    _open(driver, page, "marketing-manager")
    assert {t: _text(driver, t) for t in before} == before
    assert _severe_console_messages(driver) == []


def _serving(page: Path):
    import duckdb

    return duckdb.connect(str(_SERVING_OF_PAGE[page]), read_only=True)


def _monthly_total(page: Path, column: str, month: str, channel: str | None = None) -> float:
    with _serving(page) as con:
        return con.execute(
            f"select coalesce(sum({column}), 0) from kpi.kpi_channel_performance__monthly "
            "where strftime(date_month, '%Y-%m') = ? and (? is null or channel_id = ?)",
            [month, channel, channel],
        ).fetchone()[0]


def _select(driver, select_id: str, value: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, select_id)).select_by_value(value)
    _wait(
        driver, f"document.getElementById('{select_id}').value === '{value}' && document.body.dataset.ready === 'true'"
    )


def _tile(driver, testid: str) -> dict:
    return driver.execute_script(
        "const t = document.querySelector('.view.active [data-testid=\"' + arguments[0] + '\"]');"
        "if (!t) return null; const p = t.querySelector('[data-testid=period]');"
        "return {value: t.querySelector('.value').textContent, title: t.title, text: t.innerText,"
        " period: p ? p.textContent : null, label: t.querySelector('.label').textContent};",
        testid,
    )


def _view_text(driver, view: str) -> str:
    return driver.execute_script("return document.getElementById(arguments[0]).innerText;", view)


def test_without_spend_cost_figures_are_not_applicable_never_zero(driver, page: Path) -> None:
    """Organic channels have no media spend: their CAC, CAC payback, CPL and ROAS are "—" with
    "not applicable", never "$0.00" or "0.0 mo" (issue 15)."""
    with _serving(page) as con:
        organic = [
            r[0]
            for r in con.execute(
                "select acquisition_channel_id from kpi.kpi_customer_acquisition_payback__channel "
                "where spend = 0 and new_customers > 0 order by 1"
            ).fetchall()
        ]
    assert organic, "the embedded data has channels without spend"
    _open(driver, page, "executive")
    cells = "return Array.from(document.querySelectorAll('#' + arguments[0] + ' tbody tr')).map(r => {"
    cells += " const c = Array.from(r.cells).map(x => x.innerText); return [c[0], arguments[1].map(i => c[i])]; });"
    payback = driver.execute_script(cells, "exec-payback", [3, 4, 6])  # CAC, CAC payback, LTV:CAC
    _open(driver, page, "marketing-manager")
    channels = driver.execute_script(cells, "mgr-channels", [3, 5, 7])  # CPL, CAC, ROAS
    _open(driver, page, "executive")
    names = {
        c: driver.execute_script(
            "return document.querySelector('#filter-channel option[value=' + arguments[0] + ']').text;", c
        )
        for c in organic
    }
    for table in (payback, channels):
        assert {row[0] for row in table} >= set(names.values()), table
        for name, figures in table:
            assert not any(f in ("$0.00", "0.0 mo", "0.00\u00d7") for f in figures), (name, figures)
            if name in names.values():
                assert all(f.startswith("\u2014 n/a (no media spend)") for f in figures), (name, figures)
    channel = organic[0]
    _select(driver, "filter-channel", channel)
    for tile in ("tile-cac-payback", "tile-ltv-cac"):
        t = _tile(driver, tile)
        assert t["value"] == "\u2014" and t["title"].startswith("not applicable: no media spend"), t
    _open(driver, page, "marketing-manager")
    for tile in ("tile-cac", "tile-cpl", "tile-roas"):
        t = _tile(driver, tile)
        assert t["value"] == "\u2014" and t["title"].startswith("not applicable: no media spend"), t
    assert _tile(driver, "tile-spend")["value"] == "$0.00"  # spend itself is a real zero
    text = _view_text(driver, "marketing-manager")
    assert "CAC is not applicable: no media spend" in text and "Cost per lead is not applicable" in text
    _open(driver, page, "channel-specialist")
    for tile in ("tile-cpc", "tile-cpm"):
        t = _tile(driver, tile)
        assert t["value"] == "\u2014" and t["title"].startswith("not applicable: no media spend"), t
    assert "CPC is not applicable: no media spend" in _view_text(driver, "channel-specialist")
    _select(driver, "filter-channel", "all")
    assert _severe_console_messages(driver) == []


COST_AND_REVENUE_TILES = {
    "executive": ("tile-net-revenue", "tile-spend", "tile-roi", "tile-roas", "tile-ltv-cac", "tile-cac-payback"),
    "marketing-manager": ("tile-spend", "tile-cpl", "tile-cac", "tile-roas"),
}


def test_every_cac_and_revenue_figure_names_its_period_and_definition(driver, page: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _open(driver, page, "marketing-manager")
    months = [o.get_attribute("value") for o in Select(driver.find_element(By.ID, "filter-to")).options]
    first, last = _month_long(months[-12]), _month_long(months[-1])
    for view, testids in COST_AND_REVENUE_TILES.items():
        _open(driver, page, view)
        for testid in testids:
            period = _tile(driver, testid)["period"]
            assert period, (view, testid)
            if testid in ("tile-ltv-cac", "tile-cac-payback"):
                assert period.startswith("all time") and "all channels, blended" in period, (testid, period)
            else:
                assert period.startswith(f"{first} \u2013 {last} (12 months)"), (testid, period)
    _open(driver, page, "marketing-manager")
    assert "spend \u00f7 new customers" in _tile(driver, "tile-cac")["period"]
    assert "all channels, blended" in _tile(driver, "tile-cac")["period"]
    headers = driver.execute_script(
        "return Array.from(document.querySelectorAll('#mgr-channels th')).map(t => t.textContent);"
    )
    assert "CAC, range" in headers
    caption = driver.find_element(By.CSS_SELECTOR, "#mgr-channels caption").text
    assert f"{first} \u2013 {last}" in caption and "blended" in caption
    _open(driver, page, "executive")
    headers = driver.execute_script(
        "return Array.from(document.querySelectorAll('#exec-payback th')).map(t => t.textContent);"
    )
    assert "CAC, all time" in headers
    # one month: the period follows the filter
    _select(driver, "filter-from", months[-1])
    assert _tile(driver, "tile-net-revenue")["period"].startswith(last + " \u00b7")
    driver.find_element(By.ID, "filter-reset").click()


def _month_long(month: str) -> str:
    import calendar

    return f"{calendar.month_abbr[int(month[5:7])]} {month[:4]}"


def test_the_net_revenue_and_roi_tiles_agree_to_the_cent(driver, page: Path) -> None:
    """Over all channels net revenue and the ROI tile's attributed revenue are the same orders; the
    page must show the same amount (money was rounded to 6 digits and they differed by dollars)."""
    _open(driver, page, "executive")
    net = _tile(driver, "tile-net-revenue")["value"]
    roi = _tile(driver, "tile-roi")["text"]
    with _serving(page) as con:
        months = con.execute(
            "select distinct strftime(date_month, '%Y-%m') from kpi.kpi_channel_performance__monthly order by 1"
        ).fetchall()[-12:]
        lo, hi = months[0][0], months[-1][0]
        cv, cm = con.execute(
            "select (select sum(net_revenue) from kpi.kpi_customer_value__monthly"
            " where strftime(date_month, '%Y-%m') between $lo and $hi),"
            " (select sum(attributed_revenue) from kpi.kpi_channel_performance__monthly"
            " where strftime(date_month, '%Y-%m') between $lo and $hi)",
            {"lo": lo, "hi": hi},
        ).fetchone()
    assert net == f"${round(float(cv)):,}"
    assert f"on ${round(float(cm)):,} attributed revenue" in roi
    if cv == cm:
        assert "equals net revenue" in roi
    else:
        assert "differs from net revenue by" in roi


def test_the_revenue_chart_shows_both_lines(driver, page: Path) -> None:
    _open(driver, page, "executive")
    lines = driver.execute_script(
        "return Array.from(document.querySelectorAll('[data-chart=\"exec-revenue\"] path.line')).map(p => "
        "[p.dataset.series, p.getAttribute('stroke-width'), p.getAttribute('stroke-dasharray')]);"
    )
    assert len(lines) == 2, lines
    (net_name, net_width, net_dash), (attr_name, attr_width, attr_dash) = lines
    assert net_name == "Net revenue" and attr_name.startswith("Attributed revenue")
    assert float(net_width) > float(attr_width) and attr_dash and not net_dash  # the top line lets the other show


def test_funnel_health_and_the_scorecard_agree_or_the_page_says_why(driver, page: Path) -> None:
    _open(driver, page, "marketing-manager")
    rows = driver.execute_script(
        "const t = document.querySelector('#mgr-funnel-health table');"
        "return Array.from(t.tBodies[0].rows).map(r => Array.from(r.cells).map(c => c.innerText));"
    )
    headers = driver.execute_script(
        "return Array.from(document.querySelectorAll('#mgr-funnel-health th')).map(t => t.textContent);"
    )
    assert headers[-2:] == ["Health (ideal range)", "Scorecard (vs target)"], headers
    scorecard = {
        r[0]: r[4]
        for r in driver.execute_script(
            "return Array.from(document.querySelectorAll('#mgr-scorecard tbody tr')).map(r => "
            "Array.from(r.cells).map(c => c.innerText));"
        )
    }
    compared = 0
    for row in rows:
        if row[0] in scorecard:  # the same KPI, month and stage: the same judgement as the scorecard
            assert row[-1].startswith(scorecard[row[0]]), (row, scorecard[row[0]])
            compared += 1
    assert compared >= 3, (rows, scorecard)
    why = "a rate inside its ideal range can still be below target"
    note = driver.find_element(By_CSS(), "#mgr-funnel-health caption").text
    assert why in note, note
    assert why in driver.find_element(By_CSS(), "#mgr-scorecard caption").text


def By_CSS():
    from selenium.webdriver.common.by import By

    return By.CSS_SELECTOR


def test_nps_shows_the_rolling_score_its_interval_and_responses(driver, page: Path) -> None:
    with _serving(page) as con:
        month, score, lo, hi, n, single, single_n = con.execute(
            "select strftime(date_month, '%Y-%m'), rolling_3_month_net_promoter_score,"
            " rolling_3_month_net_promoter_score_lower_95, rolling_3_month_net_promoter_score_upper_95,"
            " rolling_3_month_responses, net_promoter_score, responses"
            " from kpi.kpi_net_promoter_score__monthly where segment_type = 'all'"
            " and rolling_3_month_net_promoter_score is not null order by date_month desc limit 1"
        ).fetchone()
    _open(driver, page, "executive")
    tile = _tile(driver, "tile-nps")
    assert tile["label"].startswith("NPS (rolling 3 months)")
    assert tile["value"] == f"{score:.1f}"
    assert tile["period"].startswith(f"3 months to {_month_long(month)}")
    assert f"95% interval {lo:.1f} to {hi:.1f}" in tile["text"], tile
    assert f"{n:,} responses" in tile["text"] and f"alone {single:.1f} ({single_n:,})" in tile["text"], tile
    drawn = driver.execute_script(
        "const c = document.querySelector('[data-chart=\"exec-nps\"]');"
        "return {band: c.querySelectorAll('path.interval').length,"
        " line: Array.from(c.querySelectorAll('path.line')).map(p => p.dataset.series),"
        " months: c.querySelectorAll('circle[data-series=\"Single month\"]').length};"
    )
    assert drawn["band"] >= 1 and drawn["line"] == ["Rolling 3-month NPS"] and drawn["months"] >= 6, drawn


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


@pytest.fixture(scope="module")
def page_with_open_month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A page built from a copy of the serving file whose latest month has not ended, as the marts
    mark it (branch edges: is_complete_period on the KPI marts, score_status 'incomplete period')."""
    import shutil

    import duckdb

    copy = tmp_path_factory.mktemp("serving-open-month") / "marketing_kpi.duckdb"
    shutil.copy2(serving_file(tmp_path_factory), copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute(
            "alter table kpi.kpi_channel_performance__monthly add column if not exists is_complete_period boolean"
        )
        con.execute("alter table kpi.kpi_scorecard__monthly add column if not exists score_status varchar")
        latest = con.execute("select max(date_month) from kpi.kpi_channel_performance__monthly").fetchone()[0]
        con.execute("update kpi.kpi_channel_performance__monthly set is_complete_period = (date_month < ?)", [latest])
        con.execute(
            "update kpi.kpi_scorecard__monthly set score_status = case when period_start >= ? then"
            " 'incomplete period' else 'scored' end",
            [latest],
        )
    finally:
        con.close()
    return build_dashboard(copy, tmp_path_factory.mktemp("dashboard-open-month"))


def test_an_incomplete_month_is_shown_in_progress_never_judged(driver, page_with_open_month: Path) -> None:
    _open(driver, page_with_open_month, "executive")
    health = driver.execute_script(
        "return Array.from(document.querySelectorAll('#exec-scorecard tbody tr')).map(r => r.cells[4].innerText);"
    )
    assert health and all(h == "\u25cc In progress" for h in health), health
    assert "in progress)" in _tile(driver, "tile-net-revenue")["period"]
    _open(driver, page_with_open_month, "marketing-manager")
    assert "in progress)" in _tile(driver, "tile-cac")["period"]
    assert _severe_console_messages(driver) == []
