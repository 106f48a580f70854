"""The static dashboard without a browser: it reads only public models and declares them as exposures,
it is one self-contained page with its data embedded, and it refuses a serving file that lacks a
table it needs. (tests/python/test_dashboard_browser.py renders it in headless Chromium.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
import yaml
from _serving_testkit import serving_file

from marketing_kpi import paths
from marketing_kpi.browser import BrowserUnavailable, ensure_chromium
from marketing_kpi.dashboard import (
    DATASETS,
    VIEWS,
    DashboardError,
    build_dashboard,
    main,
    render_html,
    tables_by_view,
)

EXPOSURES_FILE = paths.PROJECT_ROOT / "models" / "marts" / "_exposures.yml"
EXPOSURE_OF_VIEW = {
    "executive": "dashboard_executive",
    "marketing-manager": "dashboard_marketing_manager",
    "channel-specialist": "dashboard_channel_specialist",
}
MAX_PAGE_BYTES = 5 * 1024 * 1024


def test_each_view_is_declared_as_an_exposure_on_exactly_the_models_it_reads() -> None:
    exposures = {e["name"]: e for e in yaml.safe_load(EXPOSURES_FILE.read_text())["exposures"]}
    for view, tables in tables_by_view().items():
        exposure = exposures[EXPOSURE_OF_VIEW[view]]
        declared = {re.fullmatch(r"ref\('([^']+)'\)", dep).group(1) for dep in exposure["depends_on"]}
        assert declared == {table.split(".", 1)[1] for table in tables}, view
        assert exposure["url"].endswith(f"index.html#{view}")


def test_the_dashboard_reads_only_published_schemas() -> None:
    assert {d.table.split(".")[0] for d in DATASETS} <= {"kpi", "marts"}
    assert all(set(d.views) <= set(VIEWS) for d in DATASETS)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_dashboard(serving_file(tmp_path_factory), tmp_path_factory.mktemp("dashboard"))


def test_the_page_is_self_contained_and_small(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert page.stat().st_size < MAX_PAGE_BYTES
    assert not re.search(r"https?://", html), "no URL of any host belongs in the offline page"
    assert not re.search(r"<(script|link|img|iframe)[^>]+\b(src|href)=\"(?!data:|#)", html)
    assert "default-src 'none'" in html
    for view in VIEWS:
        assert f'id="{view}"' in html and f'href="#{view}"' in html


def test_the_embedded_data_has_every_dataset_filled(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    payload = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.DOTALL)
    data = json.loads(payload.group(1))
    assert set(data["datasets"]) == {d.name for d in DATASETS}
    empty = [name for name, ds in data["datasets"].items() if not ds["rows"]]
    assert not empty, f"datasets without rows: {empty}"
    assert data["kpis"]["return_on_ad_spend"]["unit"] == "multiple"


def test_data_cannot_break_out_of_the_script_element() -> None:
    html = render_html({"build": {}, "kpis": {}, "datasets": {"x": {"columns": ["a"], "rows": [["</script><b>"]]}}})
    assert "</script><b>" not in html
    payload = re.search(r'id="dashboard-data">(.*?)</script>', html, re.DOTALL).group(1)
    assert json.loads(payload)["datasets"]["x"]["rows"][0][0] == "</script><b>"


def test_a_serving_file_without_the_marts_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "marketing_kpi.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(DashboardError, match="lacks published tables"):
        build_dashboard(empty, tmp_path / "out")
    assert main(["--serving-db", str(tmp_path / "missing.duckdb"), "--out-dir", str(tmp_path / "out")]) == 1


def test_a_missing_browser_fails_with_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(BrowserUnavailable, match="apt-get install -y --no-install-recommends chromium chromium-driver"):
        ensure_chromium(tmp_path / "chromium", tmp_path / "chromedriver", install=False)


def _embedded(page: Path) -> dict[str, list[dict]]:
    html = page.read_text(encoding="utf-8")
    payload = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.DOTALL)
    data = json.loads(payload.group(1))
    return {n: [dict(zip(ds["columns"], row, strict=True)) for row in ds["rows"]] for n, ds in data["datasets"].items()}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(serving_file(tmp_path_factory)), read_only=True)
    yield con
    con.close()


def test_money_is_embedded_to_the_cent(page: Path, served: duckdb.DuckDBPyConnection) -> None:
    """Net revenue and the attributed revenue behind ROI must not drift apart on the page: money was
    rounded to 6 significant digits, so two sums over the same orders differed by dollars (issue 15)."""
    data = _embedded(page)
    for dataset, table, column in (
        ("channel_monthly", "kpi.kpi_channel_performance__monthly", "spend"),
        ("channel_monthly", "kpi.kpi_channel_performance__monthly", "attributed_revenue"),
        ("customer_value", "kpi.kpi_customer_value__monthly", "net_revenue"),
    ):
        expected = served.execute(f"select sum({column}) from {table}").fetchone()[0]
        embedded = sum(r[column] for r in data[dataset] if r[column] is not None)
        assert round(embedded, 2) == float(expected), (dataset, column)
    big = [r["spend"] for r in data["channel_monthly"] if r["spend"] and r["spend"] >= 10_000]
    assert big, "the check needs month x channel amounts of five digits or more"


def test_nps_is_the_marts_rolling_score_with_interval_and_count(page: Path, served: duckdb.DuckDBPyConnection) -> None:
    rows = {r["month"]: r for r in _embedded(page)["nps"]}
    mart = served.execute(
        "select strftime(date_month, '%Y-%m'), responses, rolling_3_month_responses,"
        " rolling_3_month_net_promoter_score,"
        " rolling_3_month_net_promoter_score_lower_95, rolling_3_month_net_promoter_score_upper_95"
        " from kpi.kpi_net_promoter_score__monthly where segment_type = 'all' order by 1"
    ).fetchall()
    assert len(rows) == len(mart)
    for month, responses, rolling_n, rolling, lower, upper in mart:
        r = rows[month]
        assert (r["responses"], r["rolling_3_month_responses"]) == (responses, rolling_n)
        for key, value in (
            ("rolling_3_month_net_promoter_score", rolling),
            ("rolling_3_month_net_promoter_score_lower_95", lower),
            ("rolling_3_month_net_promoter_score_upper_95", upper),
        ):
            assert r[key] == pytest.approx(value, rel=1e-5) if value is not None else r[key] is None, (month, key)


def test_anomalies_are_onsets_with_how_long_they_lasted(page: Path, served: duckdb.DuckDBPyConnection) -> None:
    embedded = _embedded(page)["anomalies"]
    weeks = served.execute(
        "select period_start, metric_id, channel_key, is_anomaly, is_continued_anomaly, relative_change_from_baseline"
        " from kpi.kpi_anomalies__weekly order by metric_id, channel_key, period_start"
    ).fetchall()
    onsets = [w for w in weeks if w[3]]
    assert len(embedded) == len(onsets) > 0
    by_key: dict[tuple, list] = {}
    for w in weeks:
        by_key.setdefault((w[1], w[2]), []).append(w)
    lasted = {}
    for series in by_key.values():
        for i, w in enumerate(series):
            if w[3]:
                n = 0
                while i + 1 + n < len(series) and series[i + 1 + n][4]:
                    n += 1
                lasted[(w[0].isoformat(), w[1], w[2])] = (n, w[5])
    for r in embedded:
        n, change = lasted[(r["week"], r["metric_id"], r["channel_key"])]
        assert r["continued_weeks"] == n and r["relative_change_from_baseline"] == pytest.approx(change, rel=1e-5)
