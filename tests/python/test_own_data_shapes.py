"""Bring your own data, end to end, on datasets shaped like real exports (export_shapes.py):
partial (crm_only, ads_only, no_billing), historical (ends in 2018) and in naive local time
(America/Sao_Paulo, with a DST change). Each shape is written into a temporary directory and
built ONCE with `marketing-kpi build --data-dir DIR --no-docs` as a subprocess, into its own
build database, serving directory, dbt target and log directories. The build must exit 0 and
publish; then the published KPIs are checked against an INDEPENDENT computation over the shape's
own CSV files (pandas and plain Python, never the project's SQL), and the KPIs whose sources are
absent must be NULL (never 0) and listed as not available in the published `kpi_availability`.

The shapes are clean generator output (no dirt), so nothing may be quarantined: a quarantined
row would make the published figures differ from the files.

Cost: five builds of ~2-24 k raw rows (about a minute each alone); module-scoped fixtures build
each shape once, the first time a test needs it. Nothing here skips: a missing prerequisite fails.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from marketing_kpi import export_shapes, paths
from marketing_kpi.contract import EVENT_COLUMN, load_contract

PII_SALT = "own-data-shapes-salt-0123456789"
BUILD_TIMEOUT_S = 1800
CENT = Decimal("0.01")
RATE_TOLERANCE = 1e-9

FUNNEL_KPIS = (
    "lead_to_mql_rate",
    "mql_to_sql_rate",
    "sql_to_opportunity_rate",
    "opportunity_to_won_rate",
    "lead_to_customer_rate",
)
# KPIs computed from billing (orders): revenue, attributed revenue, customer value.
REVENUE_KPIS = (
    "return_on_ad_spend",
    "return_on_investment",
    "average_order_value",
    "revenue_churn_rate",
    "net_revenue_retention_rate",
    "average_revenue_per_account",
    "historical_lifetime_value",
    "marketing_sourced_revenue_share",
)
NPS_KPIS = ("net_promoter_score", "promoter_rate", "detractor_rate")


# ------------------------------------------------------------------------------------------------
# One build per shape
# ------------------------------------------------------------------------------------------------


@dataclass
class ShapeBuild:
    name: str
    data_dir: Path
    manifest: dict = field(repr=False)
    root: Path
    command: list[str] = field(repr=False)
    returncode: int
    output: str = field(repr=False)
    seconds: float

    @property
    def build_database(self) -> Path:
        return self.root / "warehouse" / "build.duckdb"

    @property
    def serving_file(self) -> Path:
        return self.root / "serving" / "marketing_kpi.duckdb"

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


def _marketing_kpi_executable() -> str:
    candidate = Path(sys.executable).with_name("marketing-kpi")
    if not candidate.exists():
        pytest.fail(f"the marketing-kpi command is not installed next to {sys.executable} (pip install -e .)")
    return str(candidate)


def _build_env(root: Path) -> dict[str, str]:
    """The environment of an isolated own-data build under `root` (no inherited as-of or time zones)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "MKPI_AS_OF_DATE",
            "MKPI_DATA_DIR",
            "MKPI_SOURCE_TIMEZONE",
            "MKPI_SOURCE_TIMEZONES",
            "MKPI_FRESHNESS_WARN_DAYS",
            "MKPI_FRESHNESS_ERROR_DAYS",
        )
    }
    env.update(
        {
            "MKPI_TARGET": "duckdb",
            "MKPI_DUCKDB_PATH": str(root / "warehouse" / "build.duckdb"),
            "MKPI_DUCKDB_TEMP_DIR": str(root / "warehouse" / "tmp"),
            "MKPI_SERVING_DIR": str(root / "serving"),
            "DBT_TARGET_PATH": str(root / "target"),
            "DBT_LOG_PATH": str(root / "logs"),
            "DBT_ENV_SECRET_PII_SALT": PII_SALT,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(paths.PROJECT_ROOT / "src"), env.get("PYTHONPATH")])),
        }
    )
    return env


def _build_shape(name: str, root: Path) -> ShapeBuild:
    data_dir = root / "data"
    manifest = export_shapes.write_shape(name, data_dir)
    env = _build_env(root)
    command = [
        _marketing_kpi_executable(),
        "build",
        "--data-dir",
        str(data_dir),
        "--no-docs",
        *manifest["build_args"],
    ]
    started = time.perf_counter()
    proc = subprocess.run(
        command,
        cwd=paths.PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    output = (proc.stdout or "") + "\n" + (proc.stderr or "")
    (root / "build.log").write_text(f"$ {' '.join(command)}\n{output}", encoding="utf-8")  # kept for debugging
    return ShapeBuild(
        name=name,
        data_dir=data_dir,
        manifest=manifest,
        root=root,
        command=command,
        returncode=proc.returncode,
        output=output,
        seconds=time.perf_counter() - started,
    )


def _require_published(build: ShapeBuild) -> None:
    assert build.returncode == 0, (
        f"`{' '.join(build.command)}` exited {build.returncode} after {build.seconds:.0f}s "
        f"(full output: {build.root / 'build.log'}); last lines:\n{build.tail()}"
    )
    assert build.serving_file.exists(), f"{build.name}: the build exited 0 but published nothing\n{build.tail()}"


class Published:
    """Read-only access to one build's serving file (and its build database)."""

    def __init__(self, build: ShapeBuild) -> None:
        _require_published(build)
        self.build = build
        self.con = duckdb.connect(str(build.serving_file), read_only=True)

    def close(self) -> None:
        self.con.close()

    def table(self, name: str) -> str:
        found = self.con.execute(
            "select table_schema from information_schema.tables where table_name = ?", [name]
        ).fetchall()
        assert found, f"{self.build.name}: {name} is not published in {self.build.serving_file}"
        return f'"{found[0][0]}"."{name}"'

    def rows(self, sql: str) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

    def columns(self, name: str) -> list[str]:
        return [r[0] for r in self.con.execute(f"select * from {self.table(name)} limit 0").description]

    def availability(self) -> dict[str, dict[str, Any]]:
        rows = self.rows(f"select * from {self.table('kpi_availability')}")
        by_kpi = {r["kpi_id"]: r for r in rows}
        assert len(by_kpi) == len(rows), "kpi_availability must have one row per kpi_id"
        return by_kpi

    def quarantined(self) -> list[tuple]:
        con = duckdb.connect(str(self.build.build_database), read_only=True)
        try:
            return con.execute(
                "select source_table, quarantine_reason, count(*) from staging.stg_quarantine__rows "
                "group by all order by all"
            ).fetchall()
        finally:
            con.close()


def _published_fixture(name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published | ShapeBuild]:
    build = _build_shape(name, tmp_path_factory.mktemp(f"own-data-{name}"))
    if build.returncode != 0 or not build.serving_file.exists():
        yield build  # every test of the shape fails with the build's output (see published())
        return
    pub = Published(build)
    yield pub
    pub.close()


def published(fixture_value: Published | ShapeBuild) -> Published:
    if isinstance(fixture_value, ShapeBuild):
        _require_published(fixture_value)
    assert isinstance(fixture_value, Published)
    return fixture_value


@pytest.fixture(scope="module")
def crm_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published | ShapeBuild]:
    yield from _published_fixture("crm_only", tmp_path_factory)


@pytest.fixture(scope="module")
def ads_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published | ShapeBuild]:
    yield from _published_fixture("ads_only", tmp_path_factory)


@pytest.fixture(scope="module")
def no_billing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published | ShapeBuild]:
    yield from _published_fixture("no_billing", tmp_path_factory)


@pytest.fixture(scope="module")
def historical(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published | ShapeBuild]:
    yield from _published_fixture("historical", tmp_path_factory)


@pytest.fixture(scope="module")
def naive_local_time(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published | ShapeBuild]:
    yield from _published_fixture("naive_local_time", tmp_path_factory)


SHAPE_FIXTURES = ("crm_only", "ads_only", "no_billing", "historical", "naive_local_time")


# ------------------------------------------------------------------------------------------------
# The independent computation (pandas / plain Python over the shape's CSV files)
# ------------------------------------------------------------------------------------------------


def _csv(build: ShapeBuild, table: str) -> pd.DataFrame:
    return pd.read_csv(build.data_dir / f"{table}.csv", dtype=str, keep_default_na=False)


def _month(ts: pd.Series) -> pd.Series:
    return ts.dt.to_period("M").dt.start_time.dt.date


def _utc(build: ShapeBuild, values: pd.Series) -> pd.Series:
    """Timestamps of the shape's files as naive UTC (local-time shapes converted with pandas)."""
    parsed = pd.to_datetime(values)
    zone = build.manifest["source_timezone"]
    if zone:
        parsed = parsed.dt.tz_localize(zone, ambiguous="raise", nonexistent="raise").dt.tz_convert("UTC")
        parsed = parsed.dt.tz_localize(None)
    return parsed


def expected_lifecycle(build: ShapeBuild) -> pd.DataFrame:
    """One row per lead with the time it first reached each tracked stage: a stage is reached at
    its own earliest event or that of any later TRACKED stage (a stage no event ever reaches is
    not tracked and implies nothing), never before the lead was created."""
    leads = _csv(build, "leads")
    events = _csv(build, "lead_stage_events")
    leads["created_at"] = _utc(build, leads["created_at"])
    events["changed_at"] = _utc(build, events["changed_at"])
    order = ["mql", "sql", "opportunity", "won"]
    tracked = [s for s in order if (events["stage"] == s).any()]
    firsts = events.groupby(["lead_id", "stage"])["changed_at"].min().unstack()
    out = leads[["lead_id", "channel_id", "campaign_id", "created_at"]].set_index("lead_id")
    for stage in order:
        if stage not in tracked:
            out[f"{stage}_at"] = pd.NaT
            continue
        later = [s for s in tracked[tracked.index(stage) :] if s in firsts.columns]
        reached = firsts[later].min(axis=1).reindex(out.index)
        out[f"{stage}_at"] = reached.where(reached.isna() | (reached >= out["created_at"]), out["created_at"])
    out.attrs["tracked"] = tracked
    return out.reset_index()


def expected_funnel_monthly(build: ShapeBuild) -> dict[tuple[dt.date, str], dict[str, int]]:
    life = expected_lifecycle(build)
    counts: dict[tuple[dt.date, str], dict[str, int]] = {}
    columns = {
        "created_at": "leads",
        "mql_at": "marketing_qualified_leads",
        "sql_at": "sales_qualified_leads",
        "opportunity_at": "opportunities",
        "won_at": "won_deals",
    }
    for ts_column, measure in columns.items():
        reached = life[life[ts_column].notna()]
        for (month, channel), n in reached.groupby([_month(reached[ts_column]), reached["channel_id"]]).size().items():
            counts.setdefault((month, channel), dict.fromkeys(columns.values(), 0))[measure] = int(n)
    return counts


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def expected_ad_performance(build: ShapeBuild) -> dict[tuple[dt.date, str, str], dict[str, Any]]:
    """Spend (USD, each row converted with its day's rate and rounded to the cent, half away from
    zero), impressions and clicks per month, channel and campaign."""
    ads = _csv(build, "ad_performance")
    campaigns = _csv(build, "campaigns").set_index("campaign_id")["channel_id"].to_dict()
    fx = pd.read_csv(build.data_dir / "reference" / "fx_rates.csv", dtype=str)
    rates = {(r.rate_date, r.currency_code): Decimal(r.rate_to_usd) for r in fx.itertuples()}
    out: dict[tuple[dt.date, str, str], dict[str, Any]] = {}
    for r in ads.itertuples():
        rate = rates[(r.report_date, r.currency_code)]
        usd = (Decimal(r.spend) * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        day = dt.date.fromisoformat(r.report_date)
        key = (day.replace(day=1), campaigns[r.campaign_id], r.campaign_id)
        acc = out.setdefault(key, {"spend": Decimal("0.00"), "impressions": 0, "clicks": 0})
        acc["spend"] += usd
        acc["impressions"] += int(r.impressions)
        acc["clicks"] += int(r.clicks)
    return out


def expected_leads_by(build: ShapeBuild, keys: list[str], *, day: bool = False) -> dict[tuple, int]:
    leads = _csv(build, "leads")
    created = _utc(build, leads["created_at"])
    period = created.dt.date if day else _month(created)
    frame = leads.assign(period=period)
    return {(k if isinstance(k, tuple) else (k,)): int(n) for k, n in frame.groupby(["period", *keys]).size().items()}


# ------------------------------------------------------------------------------------------------
# Assertion helpers
# ------------------------------------------------------------------------------------------------


def _missing_sources(row: dict[str, Any]) -> set[str]:
    value = row["missing_sources"]
    if value is None:
        return set()
    if isinstance(value, str):
        return {s for s in re.split(r"[,;\s]+", value) if s}
    return {str(s) for s in value}


def assert_not_available(pub: Published, kpis: tuple[str, ...], *, missing: dict[str, set[str]]) -> None:
    availability = pub.availability()
    for kpi in kpis:
        assert kpi in availability, f"{kpi} has no row in kpi_availability"
        row = availability[kpi]
        assert row["is_available"] is False, f"{kpi} should not be available: {row}"
        assert row["reason"], f"{kpi}: not available without a reason: {row}"
        need = missing.get(kpi, set())
        assert need <= _missing_sources(row), f"{kpi}: missing_sources should include {sorted(need)}: {row}"


def assert_available(pub: Published, kpis: tuple[str, ...]) -> None:
    availability = pub.availability()
    for kpi in kpis:
        assert availability.get(kpi, {}).get("is_available") is True, (
            f"{kpi} should be available: {availability.get(kpi)}"
        )


def assert_all_null(pub: Published, table: str, columns: tuple[str, ...]) -> None:
    present = pub.columns(table)
    for column in columns:
        assert column in present, f"{table}.{column} is not published"
        non_null = pub.rows(
            f'select count(*) as n, count("{column}") as non_null, '
            f'count(*) filter (where "{column}" = 0) as zeros from {pub.table(table)}'
        )[0]
        assert non_null["non_null"] == 0, (
            f"{table}.{column}: {non_null['non_null']} of {non_null['n']} rows are not null "
            f"({non_null['zeros']} are 0); a KPI whose sources are absent must be NULL"
        )


def assert_unavailable_kpis_null_everywhere(pub: Published) -> None:
    """Every KPI kpi_availability marks not available is NULL in its registry mart column."""
    registry = pd.read_csv(paths.reference_seed_dir() / "kpi_registry.csv", dtype=str).set_index("kpi_id")
    for kpi, row in pub.availability().items():
        if row["is_available"] is False and kpi in registry.index:
            assert_all_null(pub, registry.loc[kpi, "mart_model"], (registry.loc[kpi, "mart_column"],))


def assert_nothing_quarantined(pub: Published) -> None:
    quarantined = pub.quarantined()
    assert quarantined == [], f"{pub.build.name}: clean rows were quarantined (table, reason, rows): {quarantined}"


def assert_close(actual: float | None, expected: float | None, what: str) -> None:
    if expected is None:
        assert actual is None, f"{what}: expected null, got {actual}"
        return
    assert actual is not None, f"{what}: expected {expected}, got null"
    assert abs(actual - expected) <= RATE_TOLERANCE * max(1.0, abs(expected)), f"{what}: {actual} != {expected}"


def published_channel_month(pub: Published) -> dict[tuple[dt.date, str, str | None], dict[str, Any]]:
    rows = pub.rows(f"select * from {pub.table('kpi_channel_performance__monthly')}")
    return {(r["date_month"], r["channel_id"], r["campaign_id"]): r for r in rows}


def assert_ad_kpis_equal(pub: Published) -> None:
    expected = expected_ad_performance(pub.build)
    assert expected, "the shape has no ad rows"
    got = published_channel_month(pub)
    missing = sorted(set(expected) - set(got))
    assert not missing, f"channel-campaign-months with spend missing from the mart: {missing[:5]}"
    for key, exp in expected.items():
        row = got[key]
        assert row["spend"] == exp["spend"], f"{key}: spend {row['spend']} != {exp['spend']}"
        assert row["impressions"] == exp["impressions"], key
        assert row["clicks"] == exp["clicks"], key
        spend = float(exp["spend"])
        assert_close(row["click_through_rate"], _ratio(exp["clicks"], exp["impressions"]), f"{key} CTR")
        assert_close(row["cost_per_click"], _ratio(spend, exp["clicks"]), f"{key} CPC")
        cpm = _ratio(spend, exp["impressions"])
        assert_close(row["cost_per_mille"], None if cpm is None else 1000 * cpm, f"{key} CPM")
    others = {k: r["spend"] for k, r in got.items() if k not in expected and r["spend"] not in (None, 0)}
    assert not others, f"spend on rows with no ad rows in the files: {list(others.items())[:5]}"
    # channel-month totals, to the cent
    by_channel: dict[tuple[dt.date, str], Decimal] = {}
    for (month, channel, _), exp in expected.items():
        by_channel[(month, channel)] = by_channel.get((month, channel), Decimal("0")) + exp["spend"]
    published_totals: dict[tuple[dt.date, str], Decimal] = {}
    for (month, channel, _), r in got.items():
        if r["spend"] is not None:
            published_totals[(month, channel)] = published_totals.get((month, channel), Decimal("0")) + r["spend"]
    assert {k: v for k, v in published_totals.items() if v != 0} == by_channel


def assert_funnel_equal(pub: Published, *, stages: tuple[str, ...]) -> None:
    """Funnel counts and rates per month and channel equal the independent lifecycle, for the
    tracked stages; the counts and rates of untracked stages are null."""
    expected = expected_funnel_monthly(pub.build)
    rows = pub.rows(f"select * from {pub.table('kpi_funnel_conversion__monthly')}")
    got = {(r["date_month"], r["channel_id"]): r for r in rows}
    assert set(got) == set(expected), (
        f"months x channels differ: only published {sorted(set(got) - set(expected))[:5]}, "
        f"only expected {sorted(set(expected) - set(got))[:5]}"
    )
    measure_of = {
        "lead": "leads",
        "mql": "marketing_qualified_leads",
        "sql": "sales_qualified_leads",
        "opportunity": "opportunities",
        "won": "won_deals",
    }
    rates = {
        "lead_to_mql_rate": ("mql", "lead"),
        "mql_to_sql_rate": ("sql", "mql"),
        "sql_to_opportunity_rate": ("opportunity", "sql"),
        "opportunity_to_won_rate": ("won", "opportunity"),
        "lead_to_customer_rate": ("won", "lead"),
    }
    for key, exp in expected.items():
        row = got[key]
        for stage, measure in measure_of.items():
            want = exp[measure] if stage in stages else None
            assert row[measure] == want, f"{key} {measure}: published {row[measure]}, expected {want}"
        for rate, (num, den) in rates.items():
            want = _ratio(exp[measure_of[num]], exp[measure_of[den]]) if num in stages and den in stages else None
            assert_close(row[rate], want, f"{key} {rate}")


# ------------------------------------------------------------------------------------------------
# Every shape builds and publishes, and nothing of its clean data is quarantined
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPE_FIXTURES)
def test_shape_builds_and_publishes(shape: str, request: pytest.FixtureRequest) -> None:
    pub = published(request.getfixturevalue(shape))
    assert_nothing_quarantined(pub)
    availability = pub.availability()
    registry = pd.read_csv(paths.reference_seed_dir() / "kpi_registry.csv", dtype=str)
    assert set(availability) == set(registry["kpi_id"]), "kpi_availability: one row per registered KPI"


@pytest.mark.parametrize("shape", SHAPE_FIXTURES)
def test_build_records_the_sources_provided_and_the_audit_skips(shape: str, request: pytest.FixtureRequest) -> None:
    """stg_meta__sources_provided (build) and meta.build_sources (published) say which raw tables
    the shape provided (at least one row); the audit's skips name every table it did not."""
    pub = published(request.getfixturevalue(shape))
    provided = {t for t, n in pub.build.manifest["tables"].items() if n > 0}
    not_provided = set(load_contract()) - provided
    con = duckdb.connect(str(pub.build.build_database), read_only=True)
    try:
        staged = dict(
            con.execute(
                "select source_table, is_provided from staging.stg_meta__sources_provided where source_kind = 'raw'"
            ).fetchall()
        )
    finally:
        con.close()
    assert {t for t, is_provided in staged.items() if is_provided} == provided
    published_sources = {  # source_table is schema-qualified there ('raw.leads')
        str(r["source_table"]).split(".")[-1]: r for r in pub.rows(f"select * from {pub.table('build_sources')}")
    }
    assert {t for t, r in published_sources.items() if r["is_provided"]} == provided
    for table in provided:
        assert published_sources[table]["row_count"] == pub.build.manifest["tables"][table]
    skipped = pub.rows(f"select * from {pub.table('audit_skipped_expectations')}")
    skipped_tables = {str(r["table_name"]).split(".")[-1] for r in skipped}
    assert not_provided <= skipped_tables, f"no audit skip recorded for {sorted(not_provided - skipped_tables)}"


@pytest.mark.parametrize("shape", SHAPE_FIXTURES)
def test_unavailable_kpis_are_null_in_their_marts(shape: str, request: pytest.FixtureRequest) -> None:
    assert_unavailable_kpis_null_everywhere(published(request.getfixturevalue(shape)))


# ------------------------------------------------------------------------------------------------
# crm_only: channels, leads, mql and won stage changes
# ------------------------------------------------------------------------------------------------


def test_crm_only_leads_per_channel_month_equal(crm_only: Published | ShapeBuild) -> None:
    pub = published(crm_only)
    expected = expected_leads_by(pub.build, ["channel_id"])
    got: dict[tuple, int] = {}
    for (month, channel, _), r in published_channel_month(pub).items():
        if r["leads"]:
            got[(month, channel)] = got.get((month, channel), 0) + r["leads"]
    assert got == expected


def test_crm_only_mql_and_won_equal_and_untracked_stages_null(crm_only: Published | ShapeBuild) -> None:
    pub = published(crm_only)
    assert expected_lifecycle(pub.build).attrs["tracked"] == ["mql", "won"]
    assert_funnel_equal(pub, stages=("lead", "mql", "won"))


def test_crm_only_spend_and_revenue_kpis_null_and_not_available(crm_only: Published | ShapeBuild) -> None:
    pub = published(crm_only)
    assert_all_null(
        pub, "kpi_channel_performance__monthly", ("cost_per_lead", "customer_acquisition_cost", "return_on_ad_spend")
    )
    assert_not_available(
        pub,
        ("cost_per_lead", "customer_acquisition_cost", "return_on_ad_spend"),
        missing={
            "cost_per_lead": {"ad_performance"},
            "customer_acquisition_cost": {"ad_performance"},
            "return_on_ad_spend": {"ad_performance", "orders"},
        },
    )
    assert_available(pub, ("lead_to_mql_rate", "lead_to_customer_rate"))


# ------------------------------------------------------------------------------------------------
# ads_only: channels, campaigns, ad performance
# ------------------------------------------------------------------------------------------------


def test_ads_only_spend_delivery_and_rates_equal(ads_only: Published | ShapeBuild) -> None:
    pub = published(ads_only)
    assert_ad_kpis_equal(pub)
    assert_available(pub, ("click_through_rate", "cost_per_click", "cost_per_mille"))


def test_ads_only_funnel_kpis_not_available(ads_only: Published | ShapeBuild) -> None:
    pub = published(ads_only)
    assert_not_available(
        pub,
        (*FUNNEL_KPIS, "cost_per_lead", "return_on_ad_spend"),
        missing={
            **{k: {"leads"} for k in FUNNEL_KPIS},
            "cost_per_lead": {"leads"},
            "return_on_ad_spend": {"orders"},
        },
    )
    assert_all_null(pub, "kpi_channel_performance__monthly", ("cost_per_lead", "return_on_ad_spend"))
    assert_all_null(pub, "kpi_funnel_conversion__monthly", FUNNEL_KPIS)


# ------------------------------------------------------------------------------------------------
# no_billing: everything but orders and survey responses
# ------------------------------------------------------------------------------------------------


def test_no_billing_revenue_kpis_not_available(no_billing: Published | ShapeBuild) -> None:
    pub = published(no_billing)
    assert_not_available(
        pub,
        (*REVENUE_KPIS, *NPS_KPIS),
        missing={**{k: {"orders"} for k in REVENUE_KPIS}, **{k: {"survey_responses"} for k in NPS_KPIS}},
    )
    assert_all_null(pub, "kpi_channel_performance__monthly", ("return_on_ad_spend", "return_on_investment"))


def test_no_billing_funnel_and_ad_kpis_equal(no_billing: Published | ShapeBuild) -> None:
    pub = published(no_billing)
    assert_funnel_equal(pub, stages=("lead", "mql", "sql", "opportunity", "won"))
    assert_ad_kpis_equal(pub)
    assert_available(pub, (*FUNNEL_KPIS, "click_through_rate", "cost_per_click", "cost_per_mille", "cost_per_lead"))
    leads = expected_leads_by(pub.build, ["channel_id", "campaign_id"])
    spend = expected_ad_performance(pub.build)
    for key, row in published_channel_month(pub).items():
        month, channel, campaign = key
        n = leads.get((month, channel, campaign or ""), 0)
        assert row["leads"] == n, f"{key}: leads {row['leads']} != {n}"
        usd = float(spend[key]["spend"]) if key in spend else 0.0
        assert_close(row["cost_per_lead"], _ratio(usd, n), f"{key} CPL")


# ------------------------------------------------------------------------------------------------
# historical: ends 2018-12-31
# ------------------------------------------------------------------------------------------------

# cli.build prints "    as-of date: YYYY-MM-DD: <why> (...)" right after loading the data.
_AS_OF_LINE = re.compile(r"^\s*as-of date: (\d{4}-\d{2}-\d{2})", re.MULTILINE)


def printed_as_of(build: ShapeBuild) -> dt.date:
    found = _AS_OF_LINE.search(build.output)
    assert found, f"{build.name}: the build did not print its as-of date; output starts:\n{build.output[:2000]}"
    return dt.date.fromisoformat(found.group(1))


def test_historical_builds_as_of_its_last_complete_day(historical: Published | ShapeBuild) -> None:
    pub = published(historical)
    as_of = printed_as_of(pub.build)
    # The coordinator's rule (ingest.last_complete_day): the latest event day is complete when an
    # export timestamp falls after it, else the day before. Here, from the files themselves:
    event_days, export_days = [], []
    for table, column in EVENT_COLUMN.items():
        if column and pub.build.manifest["tables"].get(table):
            frame = _csv(pub.build, table)
            event_days.append(pd.to_datetime(frame[column]).dt.date.max())
            if "exported_at" in frame:
                export_days.append(pd.to_datetime(frame["exported_at"]).dt.date.max())
    last_event_day = max(event_days)
    assert last_event_day == dt.date(2018, 12, 31) and max(export_days) > last_event_day
    assert as_of == dt.date(2018, 12, 31), f"default as-of {as_of} for data ending (and exported after) 2018-12-31"
    future = [q for q in pub.quarantined() if q[1] == "future_dated"]
    assert future == [], f"rows quarantined as future_dated with as-of {as_of}: {future}"


def test_historical_monthly_lead_counts_equal(historical: Published | ShapeBuild) -> None:
    pub = published(historical)
    expected = expected_leads_by(pub.build, ["channel_id"])
    assert min(k[0] for k in expected) == dt.date(2018, 9, 1)
    rows = pub.rows(f"select date_month, channel_id, leads from {pub.table('kpi_funnel_conversion__monthly')}")
    got = {(r["date_month"], r["channel_id"]): r["leads"] for r in rows if r["leads"]}
    assert got == expected


# ------------------------------------------------------------------------------------------------
# naive_local_time: timestamps without an offset in America/Sao_Paulo (DST start 2018-11-04)
# ------------------------------------------------------------------------------------------------


def test_naive_local_time_daily_leads_equal_the_utc_conversion(naive_local_time: Published | ShapeBuild) -> None:
    pub = published(naive_local_time)
    assert pub.build.manifest["build_args"] == ["--source-timezone", "America/Sao_Paulo"]
    expected = {k[0]: n for k, n in expected_leads_by(pub.build, [], day=True).items()}
    # the same day counted in local time differs: the conversion matters for this check
    local_days = pd.to_datetime(_csv(pub.build, "leads")["created_at"]).dt.date.value_counts().to_dict()
    assert local_days != expected
    rows = pub.rows(
        f"select date_day, sum(leads) as leads from {pub.table('kpi_channel_performance__daily')} "
        "group by date_day having sum(leads) > 0"
    )
    got = {r["date_day"]: int(r["leads"]) for r in rows}
    dst_days = [dt.date(2018, 11, 3), dt.date(2018, 11, 4), dt.date(2018, 11, 5)]
    assert {d: got.get(d, 0) for d in dst_days} == {d: expected.get(d, 0) for d in dst_days}, "around the DST change"
    assert got == expected


def test_naive_local_time_every_lead_timestamp_converted(naive_local_time: Published | ShapeBuild) -> None:
    """Each lead's created_at and stage times in fct_leads are the Sao Paulo wall-clock times of the
    files converted to UTC, on both sides of the DST change (UTC-3 before 2018-11-04, UTC-2 after)."""
    pub = published(naive_local_time)
    zone = pub.build.manifest["source_timezone"]
    leads = _csv(pub.build, "leads")
    local = pd.to_datetime(leads["created_at"]).dt.tz_localize(zone)
    offsets = set(local.map(lambda t: t.utcoffset().total_seconds() / 3600))
    assert offsets == {-3.0, -2.0}, f"the leads should span the DST change: offsets {offsets}"
    expected = expected_lifecycle(pub.build).set_index("lead_id")
    rows = pub.rows(f"select lead_id, created_at, mql_at, sql_at, opportunity_at, won_at from {pub.table('fct_leads')}")
    assert {r["lead_id"] for r in rows} == set(expected.index)
    for r in rows:
        for column in ("created_at", "mql_at", "sql_at", "opportunity_at", "won_at"):
            want = expected.at[r["lead_id"], column]
            want = None if pd.isna(want) else want.to_pydatetime()
            assert r[column] == want, f"{r['lead_id']}.{column}: published {r[column]}, expected {want} (UTC)"


def test_own_data_builds_with_every_unit_test_at_a_future_as_of_date(tmp_path: Path) -> None:
    """The whole dbt build, unit tests included, passes for own data at an as-of date years after
    the data (the historical one is the `historical` shape above): no test depends on the date.
    The audit is left out on purpose (data five years old is not fresh at that date); the build
    then says it did not publish."""
    data_dir = tmp_path / "data"
    export_shapes.write_shape("crm_only", data_dir)
    env = _build_env(tmp_path)
    command = [_marketing_kpi_executable(), "build", "--data-dir", str(data_dir), "--as-of", "2031-06-30"]
    command += ["--no-audit", "--no-docs", "--unit-tests"]
    proc = subprocess.run(
        command, cwd=paths.PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False
    )
    output = (proc.stdout or "") + (proc.stderr or "")
    assert proc.returncode == 0, output[-4000:]
    assert "as-of date: 2031-06-30: given" in output
    assert "dbt build (models, data tests, unit tests): done" in output
    assert "NOT PUBLISHED" in output and not (tmp_path / "serving" / "marketing_kpi.duckdb").exists()
