"""KPI availability on a partial export (issue 14): a source the company does not have is null,
never 0, and kpi_availability says why.

Each scenario copies the built warehouse, changes one raw table the way a partial export looks
(the loader creates every contract table, empty when the user does not provide it), rebuilds the
models downstream of that table (with their data tests: a partial dataset must still build) and
reads the result:

  * no ad data: raw.ad_performance empty -> spend, CPL, CAC, ... null, every other KPI unchanged;
  * a CRM that records only MQL and won: no sql/opportunity stage events -> those stages are not
    tracked, their counts and rates are null (opportunity -> won is not 1.0), and no lead is
    counted as having reached them.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from marketing_kpi import paths
from marketing_kpi.dbt_runner import SALT_ENV, run_dbt

ADS = "ad_performance"


def _registry() -> list[dict[str, str]]:
    with (paths.reference_seed_dir() / "kpi_registry.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def _rebuild(built_database: Path, root: Path, mutations: list[str], select: str) -> Path:
    """Copy the built warehouse into `root`, apply `mutations` to its raw tables and rebuild the
    models (and data tests) downstream of `select`. Returns the copy's path."""
    database = root / "build.duckdb"
    shutil.copy2(built_database, database)
    con = duckdb.connect(str(database))
    try:
        for statement in mutations:
            con.execute(statement)
    finally:
        con.close()
    env = {
        "MKPI_TARGET": "duckdb",
        "MKPI_DUCKDB_PATH": str(database),
        "MKPI_DUCKDB_TEMP_DIR": str(root / "tmp"),
    }
    salt_file = built_database.parent / ".pii_salt"
    if not os.environ.get(SALT_ENV) and salt_file.exists():
        env[SALT_ENV] = salt_file.read_text().strip()  # the hashes of the copy stay valid
    args = [
        "build",
        "--select",
        select,
        "--exclude",
        "resource_type:unit_test",
        # statements about the anomaly detector on the full embedded dataset (checked by the main
        # build), not about a partial copy of it
        "assert_anomaly_false_alarm_rate_below_one_percent",
        "assert_planted_anomalies_flagged",
        "--full-refresh",  # the incremental base models must forget the rows that were removed
        "--target-path",
        str(root / "target"),
        "--log-path",
        str(root / "logs"),
    ]
    proc = run_dbt(args, env=env, capture=True, check=False)
    assert proc.returncode == 0, f"the partial dataset did not build:\n{(proc.stdout or '')[-6000:]}"
    return database


@pytest.fixture(scope="module")
def without_ads(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("no-ads")
    return _rebuild(
        built_database,
        root,
        [f"create or replace table raw.{ADS} as select * from raw.{ADS} limit 0"],
        f"source:raw.{ADS}+",
    )


@pytest.fixture(scope="module")
def mql_and_won_only(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mql-won-only")
    return _rebuild(
        built_database,
        root,
        [
            "delete from raw.lead_stage_events where stage_event_id in ("
            " select stage_event_id from staging.stg_crm__lead_stage_events"
            " where stage in ('sql', 'opportunity'))"
        ],
        "source:raw.lead_stage_events+",
    )


def _rows(database: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _availability(database: Path) -> dict[str, tuple[bool, str | None, str | None]]:
    rows = _rows(database, "select kpi_id, is_available, missing_sources, reason from kpi.kpi_availability")
    return {kpi_id: (available, missing, reason) for kpi_id, available, missing, reason in rows}


# ------------------------------------------------------------------------------------------------
# No ad data
# ------------------------------------------------------------------------------------------------


def test_without_ads_the_source_is_reported_not_provided(without_ads: Path) -> None:
    rows = dict(_rows(without_ads, "select source_table, is_provided from staging.stg_meta__sources_provided"))
    assert rows[ADS] is False
    assert all(provided for table, provided in rows.items() if table != ADS)


def test_without_ads_cost_per_lead_and_cac_are_null_not_zero(without_ads: Path) -> None:
    rows, leads, spend, cpl, cac, cpl_zero = _rows(
        without_ads,
        "select count(*), sum(leads), count(spend), count(cost_per_lead), count(customer_acquisition_cost),"
        " count(*) filter (where cost_per_lead = 0 or customer_acquisition_cost = 0)"
        " from kpi.kpi_channel_performance__monthly",
    )[0]
    assert rows > 0 and leads > 0, "leads come from the CRM and must stay"
    assert (spend, cpl, cac, cpl_zero) == (0, 0, 0, 0)
    weekly = _rows(
        without_ads,
        "select count(value) from intermediate.int_kpi_values__weekly"
        " where metric_id in ('spend', 'cost_per_lead', 'customer_acquisition_cost')",
    )[0][0]
    assert weekly == 0


def test_without_ads_kpi_availability_says_why(without_ads: Path) -> None:
    availability = _availability(without_ads)
    for kpi in _registry():
        available, missing, reason = availability[kpi["kpi_id"]]
        needs_ads = ADS in kpi["required_sources"].split("|")
        assert available is not needs_ads, kpi["kpi_id"]
        if needs_ads:
            assert missing == ADS and reason and ADS in reason and "not provided" in reason, (kpi["kpi_id"], reason)


def test_without_ads_every_mart_column_of_an_ads_kpi_is_null(without_ads: Path) -> None:
    for kpi in _registry():
        if ADS not in kpi["required_sources"].split("|"):
            continue
        non_null = _rows(without_ads, f"select count({kpi['mart_column']}) from kpi.{kpi['mart_model']}")[0][0]
        assert non_null == 0, f"{kpi['mart_model']}.{kpi['mart_column']} has values without ad data"
    long_rows = _rows(
        without_ads,
        "select kpi_id, count(*), count(value), bool_or(is_available) from intermediate.int_kpi_values__monthly"
        " where kpi_id in ('cost_per_lead', 'customer_acquisition_cost') group by kpi_id",
    )
    assert long_rows and all(rows > 0 and values == 0 and not available for _, rows, values, available in long_rows)


def test_without_ads_kpis_that_do_not_need_ads_are_unchanged(without_ads: Path, built_database: Path) -> None:
    """The registry's required_sources is right: a KPI that does not list ad_performance does not
    move when the ad data goes (its long-table values equal the full build's)."""
    unaffected = [k["kpi_id"] for k in _registry() if ADS not in k["required_sources"].split("|")]
    in_list = ", ".join(f"'{k}'" for k in unaffected)
    query = (
        "select kpi_id, period_start, channel_key, round(value, 8) from {db}.intermediate.int_kpi_values__monthly"
        f" where kpi_id in ({in_list})"
    )
    con = duckdb.connect()
    try:
        con.execute(f"attach '{built_database}' as full_build (read_only)")
        con.execute(f"attach '{without_ads}' as partial_build (read_only)")
        changed = con.execute(
            f"select count(*) from ({query.format(db='full_build')} except all {query.format(db='partial_build')})"
        ).fetchone()[0]
        rows = con.execute(f"select count(*) from ({query.format(db='partial_build')})").fetchone()[0]
    finally:
        con.close()
    assert rows > 0 and changed == 0


def test_without_ads_the_scorecard_reweights_and_says_so(without_ads: Path) -> None:
    stages = _rows(
        without_ads,
        "select company_stage, min(weight_available), max(unavailable_kpis)"
        " from kpi.kpi_scorecard_overall__monthly group by company_stage",
    )
    by_stage = {stage: (weight, kpis) for stage, weight, kpis in stages}
    weight, kpis = by_stage["startup"]
    assert weight == pytest.approx(0.3)  # CPL, CAC, ROAS, CTR and invalid spend (0.7) need ad data
    assert kpis == (
        "click_through_rate, cost_per_lead, customer_acquisition_cost, invalid_spend_rate, return_on_ad_spend"
    )
    assert by_stage["mature"] == (pytest.approx(1.0), None)
    statuses = _rows(
        without_ads,
        "select distinct score_status, is_available from kpi.kpi_scorecard__monthly where kpi_id = 'cost_per_lead'",
    )
    assert statuses == [("not available", False)]
    scored_unavailable = _rows(
        without_ads,
        "select count(*) from kpi.kpi_scorecard__monthly where not is_available and attainment_score is not null",
    )[0][0]
    assert scored_unavailable == 0


def test_without_ads_the_budget_has_no_actual_spend(without_ads: Path) -> None:
    rows, planned, actual, variance = _rows(
        without_ads,
        "select count(*), count(planned_spend), count(actual_spend), count(budget_variance)"
        " from kpi.kpi_budget__monthly",
    )[0]
    assert rows > 0 and planned == rows and actual == 0 and variance == 0


# ------------------------------------------------------------------------------------------------
# A CRM that records only MQL and won
# ------------------------------------------------------------------------------------------------


def test_untracked_stages_are_detected(mql_and_won_only: Path) -> None:
    tracked = dict(
        _rows(mql_and_won_only, "select funnel_stage, is_tracked from intermediate.int_funnel_stages_tracked")
    )
    assert tracked == {"mql": True, "sql": False, "opportunity": False, "won": True}


def test_untracked_stages_are_not_implied_from_won(mql_and_won_only: Path) -> None:
    won, reached_sql, reached_opportunity = _rows(
        mql_and_won_only,
        "select count(*) filter (where is_won), count(*) filter (where sql_at is not null),"
        " count(*) filter (where opportunity_at is not null) from marts.fct_leads",
    )[0]
    assert won > 0 and reached_sql == 0 and reached_opportunity == 0


def test_untracked_stage_counts_and_rates_are_null(mql_and_won_only: Path) -> None:
    for mart in ("kpi_funnel_conversion__monthly", "kpi_funnel_conversion__cohort"):
        rows, mqls, won, sqls, opportunities, win_rate, sql_rate, mql_rate, customer_rate = _rows(
            mql_and_won_only,
            "select count(*), count(marketing_qualified_leads), count(won_deals), count(sales_qualified_leads),"
            " count(opportunities), count(opportunity_to_won_rate), count(mql_to_sql_rate),"
            f" count(lead_to_mql_rate), count(lead_to_customer_rate) from kpi.{mart}",
        )[0]
        assert rows > 0 and mqls == rows and won == rows and mql_rate > 0 and customer_rate > 0, mart
        assert (sqls, opportunities, win_rate, sql_rate) == (0, 0, 0, 0), mart
    daily = _rows(
        mql_and_won_only,
        "select count(sales_qualified_leads), count(opportunities), count(marketing_qualified_leads)"
        " from kpi.kpi_channel_performance__daily",
    )[0]
    assert daily[:2] == (0, 0) and daily[2] > 0


def test_untracked_stages_in_kpi_availability(mql_and_won_only: Path) -> None:
    availability = _availability(mql_and_won_only)
    for kpi_id in ("mql_to_sql_rate", "sql_to_opportunity_rate", "opportunity_to_won_rate"):
        available, _, reason = availability[kpi_id]
        assert available is False and reason and "does not track" in reason, (kpi_id, reason)
    assert "opportunity" in availability["opportunity_to_won_rate"][2]
    for kpi_id in ("lead_to_mql_rate", "lead_to_customer_rate", "cost_per_lead"):
        assert availability[kpi_id] == (True, None, None), kpi_id
    values = _rows(
        mql_and_won_only,
        "select count(value), bool_or(is_available) from intermediate.int_kpi_values__monthly"
        " where kpi_id = 'opportunity_to_won_rate'",
    )[0]
    assert values == (0, False)
