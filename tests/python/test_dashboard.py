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
