"""The static KPI dashboard: one self-contained HTML file built from the PUBLISHED serving file.

    python -m marketing_kpi.dashboard [--serving-db PATH] [--out-dir DIR]

writes <serving_dir>/dashboard/index.html (default), a single page with three views, one per
audience declared in models/marts/_exposures.yml:

    #executive            revenue, ROI, LTV:CAC, CAC payback, NPS, the scorecard per company stage
    #marketing-manager    CPL, CAC, ROAS by channel, funnel and velocity, attribution models side by
                          side, budget pacing, follow-up SLA, weekly anomalies
    #channel-specialist   CTR, CPC, CPM, web engagement, email rates, SLA by owner, campaigns

The page is fully offline: CSS and JavaScript are inline, fonts are the system's, charts are SVG
drawn by a small inline script, and the data is embedded as JSON. Nothing is fetched.

Data: it reads only the serving file marketing_kpi.publish writes (never the build database), and
only public KPI marts (plus marts.dim_channels for channel names), aggregated to month x channel so
the page stays small. Ratios are not averaged: the page keeps each ratio's numerator and
denominator (which the marts carry next to every ratio for this purpose) and recomputes the ratio of
the sums for whatever month range and channel the reader picks, null on a zero denominator, like the
marts' `safe_divide`. Figures the marts compute over all time (LTV:CAC, CAC payback per channel) are
shown as the marts state them; the all-channel figure is the ratio of the summed components.
KPI labels and units come from seeds/reference/kpi_registry.csv (the KPI registry).

Availability: a KPI the dataset cannot measure (kpi.kpi_availability: a source not provided, a
funnel stage the CRM does not track) is shown as "—" with "not available: <reason>" (tooltip and
note), never 0, and the page lists the missing sources; a sum over rows that are all null stays
null on the page too (so a ratio built from a missing measure is "—").
A cost ratio (CPL, CAC, CPC, CPM, ROAS, CAC payback) where there was no media spend is "—" with
"not applicable: no media spend", never $0.00 or 0.0 mo. Every cost and revenue tile names its
period and definition (docs/ANALYSTS.md, "Reading the dashboard").
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import html
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from marketing_kpi import paths
from marketing_kpi._dashboard_assets import CSS, HTML_TEMPLATE, JS

DASHBOARD_DIR_NAME = "dashboard"
INDEX_FILE_NAME = "index.html"
SERVING_FILE_NAME = "marketing_kpi.duckdb"  # = marketing_kpi.publish.SERVING_FILE_NAME
REGISTRY_FILE_NAME = "kpi_registry.csv"

VIEWS = ("executive", "marketing-manager", "channel-specialist")


class DashboardError(RuntimeError):
    """The dashboard could not be built from the serving file."""


@dataclass(frozen=True)
class Dataset:
    """One block of data embedded in the page: the published table it comes from, the views that
    use it, and the query that aggregates it (months as 'YYYY-MM' text)."""

    name: str
    table: str
    views: tuple[str, ...]
    sql: str
    # Columns the page uses when the mart has them and replaces by the fallback otherwise
    # ("{column}" in sql): is_complete_period / score_status (incomplete periods shown "in progress").
    optional: tuple[tuple[str, str, str], ...] = ()  # (column, expression if present, fallback)


EXEC, MANAGER, SPECIALIST = VIEWS

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "channels",
        "marts.dim_channels",
        VIEWS,
        "select channel_id, channel_name, channel_group, is_paid from marts.dim_channels order by channel_name",
    ),
    Dataset(
        "availability",
        "kpi.kpi_availability",
        VIEWS,
        """
        select kpi_id, is_available, missing_sources, untracked_funnel_stages, reason
        from kpi.kpi_availability order by kpi_id
        """,
    ),
    Dataset(
        "channel_monthly",
        "kpi.kpi_channel_performance__monthly",
        VIEWS,
        """
        select strftime(date_month, '%Y-%m') as month, channel_id,
            sum(spend) as spend, sum(impressions) as impressions, sum(clicks) as clicks,
            sum(leads) as leads, sum(new_customers) as new_customers,
            sum(attributed_revenue) as attributed_revenue, {is_complete_period} as is_complete_period
        from kpi.kpi_channel_performance__monthly
        group by 1, 2 order by 1, 2
        """,
        (("is_complete_period", "bool_and(is_complete_period)", "cast(null as boolean)"),),
    ),
    Dataset(
        "customer_value",
        "kpi.kpi_customer_value__monthly",
        (EXEC,),
        """
        select strftime(date_month, '%Y-%m') as month, acquisition_channel_id as channel_id,
            sum(net_revenue) as net_revenue, sum(orders) as orders, sum(new_customers) as new_customers,
            sum(customers_at_start) as customers_at_start, sum(churned_customers) as churned_customers
        from kpi.kpi_customer_value__monthly
        group by 1, 2 order by 1, 2
        """,
    ),
    Dataset(
        "contribution",
        "kpi.kpi_marketing_contribution__monthly",
        (EXEC,),
        """
        select strftime(date_month, '%Y-%m') as month, total_revenue, marketing_sourced_revenue
        from kpi.kpi_marketing_contribution__monthly order by 1
        """,
    ),
    Dataset(
        "payback",
        "kpi.kpi_customer_acquisition_payback__channel",
        (EXEC,),
        """
        select acquisition_channel_id as channel_id, new_customers, spend, customer_acquisition_cost,
            net_revenue_complete_months, active_customer_months, customers_at_start, churned_customers,
            gross_margin_rate, cac_payback_months, predictive_lifetime_value, ltv_to_cac_ratio
        from kpi.kpi_customer_acquisition_payback__channel order by 1
        """,
    ),
    Dataset(
        "nps",
        "kpi.kpi_net_promoter_score__monthly",
        (EXEC,),
        """
        select strftime(date_month, '%Y-%m') as month, responses, net_promoter_score,
            net_promoter_score_lower_95, net_promoter_score_upper_95, rolling_3_month_responses,
            rolling_3_month_net_promoter_score, rolling_3_month_net_promoter_score_lower_95,
            rolling_3_month_net_promoter_score_upper_95
        from kpi.kpi_net_promoter_score__monthly where segment_type = 'all' order by 1
        """,
    ),
    Dataset(
        "scorecard_overall",
        "kpi.kpi_scorecard_overall__monthly",
        (EXEC,),
        """
        select strftime(period_start, '%Y-%m') as month, company_stage, overall_score, overall_health_band,
            weighted_kpis, scored_kpis, on_track_kpis, warning_kpis, critical_kpis
        from kpi.kpi_scorecard_overall__monthly order by 1, 2
        """,
    ),
    Dataset(
        "scorecard",
        "kpi.kpi_scorecard__monthly",
        (EXEC, MANAGER),
        """
        select strftime(period_start, '%Y-%m') as month, company_stage, kpi_id, value, target, attainment,
            health_band, weight, period_over_period_change, {score_status} as score_status
        from kpi.kpi_scorecard__monthly where channel_key = 'all' order by 1, 2, 3
        """,
        (("score_status", "score_status", "cast(null as varchar)"),),
    ),
    Dataset(
        "funnel_monthly",
        "kpi.kpi_funnel_conversion__monthly",
        (MANAGER,),
        """
        select strftime(date_month, '%Y-%m') as month, channel_id, sum(leads) as leads,
            sum(marketing_qualified_leads) as mqls, sum(sales_qualified_leads) as sqls,
            sum(opportunities) as opportunities, sum(won_deals) as won_deals
        from kpi.kpi_funnel_conversion__monthly group by 1, 2 order by 1, 2
        """,
    ),
    Dataset(
        "funnel_velocity",
        "kpi.kpi_funnel_conversion__cohort",
        (MANAGER,),
        """
        select strftime(cohort_month, '%Y-%m') as month, channel_id, leads, marketing_qualified_leads as mqls,
            sales_qualified_leads as sqls, opportunities, won_deals,
            median_days_lead_to_mql, median_days_mql_to_sql, median_days_sql_to_opportunity,
            median_days_opportunity_to_won, median_days_lead_to_won
        from kpi.kpi_funnel_conversion__cohort order by 1, 2
        """,
    ),
    Dataset(
        "funnel_health",
        "kpi.kpi_funnel_health__monthly",
        (MANAGER,),
        """
        select strftime(date_month, '%Y-%m') as month, channel_key, kpi_id, from_stage, to_stage, stage_order,
            conversion_value, ideal_min, ideal_max, health_band
        from kpi.kpi_funnel_health__monthly order by 1, 2, 6
        """,
    ),
    Dataset(
        "attribution",
        "kpi.kpi_attribution__monthly",
        (MANAGER,),
        """
        select strftime(date_month, '%Y-%m') as month, attribution_model, channel_id,
            sum(attributed_revenue) as attributed_revenue, sum(attributed_conversions) as attributed_conversions,
            sum(spend) as spend
        from kpi.kpi_attribution__monthly group by 1, 2, 3 order by 1, 2, 3
        """,
    ),
    Dataset(
        "budget",
        "kpi.kpi_budget__monthly",
        (MANAGER,),
        """
        select strftime(date_month, '%Y-%m') as month, channel_id, planned_spend, actual_spend,
            spend_to_date, planned_spend_to_date, is_current_month
        from kpi.kpi_budget__monthly order by 1, 2
        """,
    ),
    Dataset(
        "follow_up",
        "kpi.kpi_lead_follow_up__monthly",
        (MANAGER, SPECIALIST),
        """
        select strftime(date_month, '%Y-%m') as month, owner_id, channel_id, sum(leads) as leads,
            sum(leads_within_sla) as leads_within_sla, sum(leads_responded) as leads_responded,
            sum(business_hours_to_first_response) as business_hours_to_first_response
        from kpi.kpi_lead_follow_up__monthly group by 1, 2, 3 order by 1, 2, 3
        """,
    ),
    Dataset(
        "anomalies",
        "kpi.kpi_anomalies__weekly",
        (MANAGER, SPECIALIST),
        """
        select strftime(period_start, '%Y-%m-%d') as week, strftime(period_start, '%Y-%m') as month, metric_id,
            channel_key, value, volume, baseline_median, robust_z_score, relative_change_from_baseline,
            anomaly_direction, week_over_week_change,
            (
                select count(*) from kpi.kpi_anomalies__weekly as later
                where later.metric_id = onset.metric_id and later.channel_key = onset.channel_key
                    and later.is_continued_anomaly and later.period_start > onset.period_start
                    and not exists (
                        select 1 from kpi.kpi_anomalies__weekly as gap
                        where gap.metric_id = onset.metric_id and gap.channel_key = onset.channel_key
                            and gap.period_start > onset.period_start and gap.period_start <= later.period_start
                            and not gap.is_continued_anomaly
                    )
            ) as continued_weeks
        from kpi.kpi_anomalies__weekly as onset where is_anomaly order by 1, 3, 4
        """,
    ),
    Dataset(
        "web",
        "kpi.kpi_engagement__web_monthly",
        (SPECIALIST,),
        """
        select strftime(date_month, '%Y-%m') as month, channel_id, sum(sessions) as sessions,
            sum(pageviews) as pageviews, sum(bounced_sessions) as bounced_sessions,
            sum(engaged_seconds) as engaged_seconds, sum(sessions_with_lead) as sessions_with_lead
        from kpi.kpi_engagement__web_monthly group by 1, 2 order by 1, 2
        """,
    ),
    Dataset(
        "email",
        "kpi.kpi_engagement__email_monthly",
        (SPECIALIST,),
        """
        select strftime(date_month, '%Y-%m') as month, channel_id, sum(emails_sent) as emails_sent,
            sum(emails_delivered) as emails_delivered, sum(emails_opened) as emails_opened,
            sum(emails_clicked) as emails_clicked, sum(emails_unsubscribed) as emails_unsubscribed,
            sum(emails_bounced) as emails_bounced
        from kpi.kpi_engagement__email_monthly group by 1, 2 order by 1, 2
        """,
    ),
    Dataset(
        "campaigns",
        "kpi.kpi_campaign_roi",
        (SPECIALIST,),
        """
        select campaign_id, campaign_name, channel_id, objective, spend, impressions, clicks, leads,
            new_customers, attributed_revenue
        from kpi.kpi_campaign_roi order by spend desc nulls last, campaign_id
        """,
    ),
)


def tables_by_view() -> dict[str, set[str]]:
    """The published tables (schema.table) each view reads; the exposures declare the same."""
    used: dict[str, set[str]] = {view: set() for view in VIEWS}
    for dataset in DATASETS:
        for view in dataset.views:
            used[view].add(dataset.table)
    return used


def _plain(value: Any) -> Any:
    """A JSON-ready value: floats (ratios) rounded to 6 significant digits, decimals (the marts'
    money amounts and sums of them) kept exact to the cent, NaN/inf as null. Rounding money to 6
    digits made two tiles over the same orders differ by dollars (net revenue vs ROI's attributed
    revenue, issue 15)."""
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.6g}")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _read_registry(registry: Path) -> dict[str, dict[str, str]]:
    if not registry.exists():
        return {}
    with registry.open(newline="") as handle:
        return {
            row["kpi_id"]: {
                "label": row.get("display_name") or row["kpi_id"],
                "unit": row.get("unit") or "",
                "direction": row.get("direction") or "",
                "tier": row.get("tier") or "",
                "audience": row.get("audience") or "",
            }
            for row in csv.DictReader(handle)
        }


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = current_database() "
        "union all select schema_name || '.' || view_name from duckdb_views() "
        "where database_name = current_database() and not internal"
    ).fetchall()
    return {row[0] for row in rows}


def collect_data(serving_db: Path, registry: Path | None = None) -> dict[str, Any]:
    """Everything the page shows, read from the serving file (opened read-only)."""
    serving_db = Path(serving_db)
    if not serving_db.exists():
        raise DashboardError(f"serving file not found: {serving_db} (run `marketing-kpi publish` first)")
    try:
        con = duckdb.connect(str(serving_db), read_only=True)
    except duckdb.Error as exc:
        raise DashboardError(f"cannot open {serving_db} read-only: {exc}") from exc
    try:
        existing = _existing_tables(con)
        missing = sorted({d.table for d in DATASETS} - existing)
        if missing:
            raise DashboardError(f"{serving_db} lacks published tables the dashboard needs: {', '.join(missing)}")
        datasets: dict[str, Any] = {}
        for dataset in DATASETS:
            schema, table = dataset.table.split(".")
            present = {
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
            }
            sql = dataset.sql
            for column, expression, fallback in dataset.optional:
                sql = sql.replace("{" + column + "}", expression if column in present else fallback)
            cursor = con.execute(sql)
            columns = [c[0] for c in cursor.description]
            rows = [[_plain(v) for v in row] for row in cursor.fetchall()]
            datasets[dataset.name] = {"columns": columns, "rows": rows}
        build: dict[str, Any] = {}
        if "meta.build_info" in existing:
            cursor = con.execute("select * from meta.build_info limit 1")
            row = cursor.fetchone()
            if row is not None:
                build = {c[0]: _plain(v) for c, v in zip(cursor.description, row, strict=True)}
    finally:
        con.close()
    return {
        "generated_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "build": {k: build.get(k) for k in ("build_id", "published_at", "dbt_version")},
        "kpis": _read_registry(registry or paths.reference_seed_dir() / REGISTRY_FILE_NAME),
        "datasets": datasets,
    }


def render_html(data: dict[str, Any]) -> str:
    """The page: template + inline CSS and JS + the data as JSON (safe inside a script element)."""
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    payload = payload.replace("</", "<\\/").replace("<!--", "<\\!--")
    published = data.get("build", {}).get("published_at") or "unknown"
    return (
        HTML_TEMPLATE.replace("/*__CSS__*/", CSS)
        .replace("/*__JS__*/", JS)
        .replace("__PUBLISHED_AT__", html.escape(str(published).replace("T", " ")[:16]))
        .replace("__DATA__", payload)
    )


def build_dashboard(serving_db: Path, out_dir: Path) -> Path:
    """Write out_dir/index.html from the published serving file and return its path."""
    data = collect_data(serving_db)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / INDEX_FILE_NAME
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(render_html(data), encoding="utf-8")
    tmp.replace(target)  # readers never see a half-written page
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="marketing-kpi dashboard", description="Build the static KPI dashboard from the published serving file."
    )
    parser.add_argument(
        "--serving-db",
        type=Path,
        default=None,
        help=f"published DuckDB file (default: MKPI_SERVING_DIR/{SERVING_FILE_NAME})",
    )
    parser.add_argument(
        "--out-dir", type=Path, default=None, help=f"output directory (default: MKPI_SERVING_DIR/{DASHBOARD_DIR_NAME})"
    )
    args = parser.parse_args(argv)
    serving_db = args.serving_db or paths.serving_dir() / SERVING_FILE_NAME
    out_dir = args.out_dir or paths.serving_dir() / DASHBOARD_DIR_NAME
    try:
        page = build_dashboard(serving_db, out_dir)
    except DashboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Dashboard: {page} ({page.stat().st_size / 1024:,.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
