"""The pandas peer of the benchmark: the KPIs a data team would otherwise compute in a notebook.

``python -m marketing_kpi.benchmark_pandas BUILD_DB OUT_JSON`` reads the *staged* tables of a
built database into pandas (leads, stage events, orders, ad performance: the same inputs our
intermediate models read), computes

* channel performance per day, channel and campaign: spend, impressions, clicks, platform
  conversions, leads, MQLs, SQLs, opportunities, new customers, CTR, CPC, CPM, CPL, CAC
  (``kpi_channel_performance__daily``; attributed revenue is left out: it needs the multi-touch
  attribution model);
* period funnel conversion per month and channel: stage entries and the five conversion rates
  (``kpi_funnel_conversion__monthly``);
* customer acquisition cost per channel: new customers, spend, CAC
  (``kpi_customer_acquisition_payback__channel``; the payback and LTV columns need the customer
  months model and are left out),

with the same business rules as the funnel layer (a stage is reached at the earliest event of it
or of a later stage, never before the lead's creation; a customer linked to a lead without a won
event is won at its first order; the earliest won lead of an account acquired it), then compares
every computed column with our marts in the same database: money to the cent, counts exactly,
rates to 1e-9. It writes the timings (read, compute) and the agreement to OUT_JSON, plus the
time DuckDB takes for the very same computation written as SQL (equal work, same process).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

MONEY_TOLERANCE = 0.005
RATE_TOLERANCE = 1e-9
STAGES = ("mql", "sql", "opportunity", "won")


def _relation(con: duckdb.DuckDBPyConnection, name: str) -> str:
    rows = con.execute(
        "select table_schema from information_schema.tables where table_name = ? order by table_schema", [name]
    ).fetchall()
    if not rows:
        raise LookupError(f"{name} is not in the database: build it first")
    return f'"{rows[0][0]}"."{name}"'


def read_inputs(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The staged tables, as a pandas user would pull them (money as float)."""
    q = {
        "leads": f"select lead_id, customer_id, channel_id, campaign_id, created_at "
        f"from {_relation(con, 'stg_crm__leads')}",
        "events": f"select lead_id, stage, changed_at from {_relation(con, 'stg_crm__lead_stage_events')}",
        "orders": f"select customer_id, ordered_at from {_relation(con, 'stg_billing__orders')}",
        "ads": f"select report_date, channel_id, campaign_id, cast(spend as double) as spend, impressions, clicks, "
        f"platform_conversions from {_relation(con, 'stg_ads__ad_performance')}",
    }
    return {name: con.sql(sql).df() for name, sql in q.items()}


def lifecycle(leads: pd.DataFrame, events: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """One row per lead with mql_at, sql_at, opportunity_at, won_at (implied-min, clamped)."""
    first = events[events["stage"].isin(STAGES)].pivot_table(
        index="lead_id", columns="stage", values="changed_at", aggfunc="min"
    )
    first = first.reindex(columns=list(STAGES))
    out = leads.merge(first, left_on="lead_id", right_index=True, how="left")
    first_order = orders.groupby("customer_id")["ordered_at"].min().rename("first_order_at")
    out = out.merge(first_order, left_on="customer_id", right_index=True, how="left")
    out["won"] = out["won"].where(out["won"].notna(), out["first_order_at"].where(out["customer_id"].notna()))
    out["opportunity"] = out[["opportunity", "won"]].min(axis=1)
    out["sql"] = out[["sql", "opportunity"]].min(axis=1)
    out["mql"] = out[["mql", "sql"]].min(axis=1)
    for stage in STAGES:
        t = out[stage]
        out[f"{stage}_at"] = t.where(t.isna() | (t >= out["created_at"]), out["created_at"])
    return out.drop(columns=[*STAGES, "first_order_at"])


def customers(life: pd.DataFrame) -> pd.DataFrame:
    """One row per customer: the earliest won lead of the account acquired it."""
    won = life[life["customer_id"].notna() & life["won_at"].notna()]
    won = won.sort_values(["customer_id", "won_at", "created_at", "lead_id"])
    first = won.drop_duplicates("customer_id")
    return first.rename(columns={"won_at": "acquired_at"})[["customer_id", "channel_id", "campaign_id", "acquired_at"]]


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    den = den.astype(float)
    return num.astype(float) / den.where(den != 0)


def channel_performance_daily(ads: pd.DataFrame, life: pd.DataFrame, cust: pd.DataFrame) -> pd.DataFrame:
    facts = [ads.rename(columns={"report_date": "date_day"})]
    lead_facts = life.assign(date_day=life["created_at"].dt.normalize(), leads=1)
    facts.append(lead_facts[["date_day", "channel_id", "campaign_id", "leads"]])
    for stage, column in (("mql", "marketing_qualified_leads"), ("sql", "sales_qualified_leads"),
                          ("opportunity", "opportunities")):  # fmt: skip
        reached = life[life[f"{stage}_at"].notna()]
        facts.append(reached.assign(date_day=reached[f"{stage}_at"].dt.normalize(), **{column: 1})[
            ["date_day", "channel_id", "campaign_id", column]])  # fmt: skip
    facts.append(cust.assign(date_day=cust["acquired_at"].dt.normalize(), new_customers=1)[
        ["date_day", "channel_id", "campaign_id", "new_customers"]])  # fmt: skip
    for f in facts:
        f["date_day"] = pd.to_datetime(f["date_day"]).dt.normalize()
    unioned = pd.concat(facts, ignore_index=True)
    measures = ["spend", "impressions", "clicks", "platform_conversions", "leads", "marketing_qualified_leads",
                "sales_qualified_leads", "opportunities", "new_customers"]  # fmt: skip
    unioned[measures] = unioned[measures].fillna(0)
    out = unioned.groupby(["date_day", "channel_id", "campaign_id"], dropna=False)[measures].sum().reset_index()
    out["spend"] = out["spend"].round(2)
    out["click_through_rate"] = _ratio(out["clicks"], out["impressions"])
    out["cost_per_click"] = _ratio(out["spend"], out["clicks"])
    out["cost_per_mille"] = 1000 * _ratio(out["spend"], out["impressions"])
    out["cost_per_lead"] = _ratio(out["spend"], out["leads"])
    out["customer_acquisition_cost"] = _ratio(out["spend"], out["new_customers"])
    out["campaign_key"] = out["campaign_id"].fillna("(none)")
    return out.drop(columns=["campaign_id"])


def funnel_conversion_monthly(life: pd.DataFrame) -> pd.DataFrame:
    parts = []
    stages = (("created", "leads"), ("mql", "marketing_qualified_leads"), ("sql", "sales_qualified_leads"),
              ("opportunity", "opportunities"), ("won", "won_deals"))  # fmt: skip
    for stage, column in stages:
        t = life[f"{stage}_at"]
        reached = life[t.notna()]
        parts.append(pd.DataFrame({"date_month": reached[f"{stage}_at"].dt.to_period("M").dt.to_timestamp(),
                                   "channel_id": reached["channel_id"], "stage": column}))  # fmt: skip
    entries = pd.concat(parts, ignore_index=True)
    out = entries.groupby(["date_month", "channel_id", "stage"]).size().unstack("stage", fill_value=0).reset_index()
    for column in ("leads", "marketing_qualified_leads", "sales_qualified_leads", "opportunities", "won_deals"):
        if column not in out:
            out[column] = 0
    out["lead_to_mql_rate"] = _ratio(out["marketing_qualified_leads"], out["leads"])
    out["mql_to_sql_rate"] = _ratio(out["sales_qualified_leads"], out["marketing_qualified_leads"])
    out["sql_to_opportunity_rate"] = _ratio(out["opportunities"], out["sales_qualified_leads"])
    out["opportunity_to_won_rate"] = _ratio(out["won_deals"], out["opportunities"])
    out["lead_to_customer_rate"] = _ratio(out["won_deals"], out["leads"])
    return out


def acquisition_cost_by_channel(ads: pd.DataFrame, cust: pd.DataFrame) -> pd.DataFrame:
    new = cust.groupby("channel_id").size().rename("new_customers")
    spend = ads.groupby("channel_id")["spend"].sum().round(2)
    out = pd.concat([new, spend], axis=1).fillna(0).reset_index(names="acquisition_channel_id")
    out["customer_acquisition_cost"] = _ratio(out["spend"], out["new_customers"])
    return out


def compute(inputs: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    life = lifecycle(inputs["leads"], inputs["events"], inputs["orders"])
    cust = customers(life)
    return {
        "kpi_channel_performance__daily": channel_performance_daily(inputs["ads"], life, cust),
        "kpi_funnel_conversion__monthly": funnel_conversion_monthly(life),
        "kpi_customer_acquisition_payback__channel": acquisition_cost_by_channel(inputs["ads"], cust),
    }


KEYS = {
    "kpi_channel_performance__daily": ["date_day", "channel_id", "campaign_key"],
    "kpi_funnel_conversion__monthly": ["date_month", "channel_id"],
    "kpi_customer_acquisition_payback__channel": ["acquisition_channel_id"],
}


def compare(con: duckdb.DuckDBPyConnection, ours_name: str, peer: pd.DataFrame) -> dict:
    """Every peer column against our mart: rows matched on the grain; max absolute differences."""
    keys = KEYS[ours_name]
    ours_cols = [r[0] for r in con.execute(f"describe {_relation(con, ours_name)}").fetchall()]
    columns = [c for c in peer.columns if c not in keys and c in ours_cols]
    missing = [c for c in peer.columns if c not in keys and c not in ours_cols]
    select = ", ".join([f'"{k}"' for k in keys] + [f'cast("{c}" as double) as "{c}"' for c in columns])
    ours = con.sql(f"select {select} from {_relation(con, ours_name)}").df()
    for k in keys:
        if k.startswith("date_"):
            ours[k] = pd.to_datetime(ours[k])
            peer[k] = pd.to_datetime(peer[k])
    merged = ours.merge(peer, on=keys, how="outer", suffixes=("_ours", "_peer"), indicator=True)
    # rows only in our mart are fine when they carry none of the compared measures (a day with
    # attributed revenue only, say: the peer does not compute attribution)
    left = merged[merged["_merge"] == "left_only"]
    measures = [f"{c}_ours" for c in columns if not c.endswith("_rate") and not c.startswith("cost_per")]
    only_ours = int((left[measures].fillna(0) != 0).any(axis=1).sum()) if measures else len(left)
    only_peer = int((merged["_merge"] == "right_only").sum())
    both = merged[merged["_merge"] == "both"]
    diffs: dict[str, float] = {}
    agree = only_ours == 0 and only_peer == 0
    for c in columns:
        a = both[f"{c}_ours"].astype(float).to_numpy()
        b = both[f"{c}_peer"].astype(float).to_numpy()
        nulls_differ = int((np.isnan(a) != np.isnan(b)).sum())
        d = np.abs(np.nan_to_num(a) - np.nan_to_num(b))
        worst = float(d.max()) if len(d) else 0.0
        diffs[c] = worst
        is_rate = c.endswith("_rate")
        tolerance = RATE_TOLERANCE * max(1.0, float(np.nanmax(np.abs(a))) if len(a) else 1.0) if is_rate else (
            MONEY_TOLERANCE
        )  # fmt: skip
        if c in ("cost_per_click", "cost_per_mille", "cost_per_lead", "customer_acquisition_cost"):
            rel = d / np.maximum(1.0, np.abs(np.nan_to_num(a)))
            worst_ok = float(rel.max()) <= 1e-9 if len(rel) else True
        else:
            worst_ok = worst <= tolerance
        if nulls_differ or not worst_ok:
            agree = False
    return {
        "rows_ours": int(len(ours)),
        "rows_peer": int(len(peer)),
        "rows_only_in_ours": int(len(left)),
        "rows_only_in_ours_with_compared_measures": only_ours,
        "rows_only_in_peer": only_peer,
        "columns_compared": columns,
        "columns_not_in_mart": missing,
        "max_abs_difference": diffs,
        "agrees": agree,
    }


def sql_equivalent(con: duckdb.DuckDBPyConnection) -> float:
    """The peer's exact computation written as DuckDB SQL over the same staged tables (temp
    tables, nothing persisted): an equal-work engine comparison. Returns the seconds it took."""
    leads, events = _relation(con, "stg_crm__leads"), _relation(con, "stg_crm__lead_stage_events")
    orders, ads = _relation(con, "stg_billing__orders"), _relation(con, "stg_ads__ad_performance")
    stage_min = ", ".join(f"min(case when stage = '{s}' then changed_at end) as {s}" for s in STAGES)
    clamp = ", ".join(
        f"case when {s}_implied < created_at then created_at else {s}_implied end as {s}_at" for s in STAGES
    )
    started = time.perf_counter()
    con.execute(f"""
        create or replace temp table peer_life as
        with ev as (select lead_id, {stage_min} from {events} group by lead_id),
        fo as (select customer_id, min(ordered_at) as first_order_at from {orders} group by customer_id),
        joined as (
            select l.lead_id, l.customer_id, l.channel_id, l.campaign_id, l.created_at, ev.mql, ev.sql,
                ev.opportunity,
                coalesce(ev.won, case when l.customer_id is not null then fo.first_order_at end) as won
            from {leads} as l
            left join ev on l.lead_id = ev.lead_id
            left join fo on l.customer_id = fo.customer_id
        ),
        implied as (
            select *, won as won_implied, least(opportunity, won) as opportunity_implied,
                least(sql, opportunity, won) as sql_implied, least(mql, sql, opportunity, won) as mql_implied
            from joined
        )
        select lead_id, customer_id, channel_id, campaign_id, created_at, {clamp} from implied
    """)
    con.execute("""
        create or replace temp table peer_customers as
        select customer_id, channel_id, campaign_id, won_at as acquired_at from (
            select *, row_number() over (partition by customer_id order by won_at, created_at, lead_id) as rn
            from peer_life where customer_id is not null and won_at is not null
        ) where rn = 1
    """)
    con.execute(f"""
        create or replace temp table peer_channel_daily as
        with facts as (
            select report_date as date_day, channel_id, campaign_id, spend, impressions, clicks,
                platform_conversions, 0 as leads, 0 as mqls, 0 as sqls, 0 as opps, 0 as new_customers from {ads}
            union all select cast(created_at as date), channel_id, campaign_id, 0, 0, 0, 0, 1, 0, 0, 0, 0
                from peer_life
            union all select cast(mql_at as date), channel_id, campaign_id, 0, 0, 0, 0, 0, 1, 0, 0, 0
                from peer_life where mql_at is not null
            union all select cast(sql_at as date), channel_id, campaign_id, 0, 0, 0, 0, 0, 0, 1, 0, 0
                from peer_life where sql_at is not null
            union all select cast(opportunity_at as date), channel_id, campaign_id, 0, 0, 0, 0, 0, 0, 0, 1, 0
                from peer_life where opportunity_at is not null
            union all select cast(acquired_at as date), channel_id, campaign_id, 0, 0, 0, 0, 0, 0, 0, 0, 1
                from peer_customers
        )
        select date_day, channel_id, campaign_id, sum(spend) as spend, sum(impressions) as impressions,
            sum(clicks) as clicks, sum(platform_conversions) as platform_conversions, sum(leads) as leads,
            sum(mqls) as mqls, sum(sqls) as sqls, sum(opps) as opps, sum(new_customers) as new_customers,
            sum(clicks) / nullif(sum(impressions), 0) as click_through_rate,
            sum(spend) / nullif(sum(clicks), 0) as cost_per_click,
            1000 * sum(spend) / nullif(sum(impressions), 0) as cost_per_mille,
            sum(spend) / nullif(sum(leads), 0) as cost_per_lead,
            sum(spend) / nullif(sum(new_customers), 0) as customer_acquisition_cost
        from facts group by date_day, channel_id, campaign_id
    """)
    con.execute("""
        create or replace temp table peer_funnel_monthly as
        with entries as (
            select date_trunc('month', created_at) as m, channel_id, 'leads' as s from peer_life
            union all select date_trunc('month', mql_at), channel_id, 'mql' from peer_life where mql_at is not null
            union all select date_trunc('month', sql_at), channel_id, 'sql' from peer_life where sql_at is not null
            union all select date_trunc('month', opportunity_at), channel_id, 'opp' from peer_life
                where opportunity_at is not null
            union all select date_trunc('month', won_at), channel_id, 'won' from peer_life where won_at is not null
        )
        select m, channel_id, count(*) filter (where s = 'leads') as leads, count(*) filter (where s = 'mql') as mql,
            count(*) filter (where s = 'sql') as sql, count(*) filter (where s = 'opp') as opp,
            count(*) filter (where s = 'won') as won
        from entries group by m, channel_id
    """)
    con.execute(f"""
        create or replace temp table peer_cac as
        with n as (select channel_id, count(*) as new_customers from peer_customers group by channel_id),
        s as (select channel_id, sum(spend) as spend from {ads} group by channel_id)
        select coalesce(n.channel_id, s.channel_id) as channel_id, coalesce(new_customers, 0) as new_customers,
            coalesce(spend, 0) as spend, spend / nullif(new_customers, 0) as customer_acquisition_cost
        from n full outer join s on n.channel_id = s.channel_id
    """)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) != 2:
        print("usage: python -m marketing_kpi.benchmark_pandas BUILD_DB OUT_JSON", file=sys.stderr)
        return 2
    database, out = Path(argv[0]), Path(argv[1])
    con = duckdb.connect(str(database), read_only=True)
    try:
        started = time.perf_counter()
        inputs = read_inputs(con)
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        results = compute(inputs)
        compute_seconds = time.perf_counter() - started
        agreement = {name: compare(con, name, frame) for name, frame in results.items()}
    finally:
        con.close()
    # the same computation in DuckDB SQL, on a writable copy-free connection (temp tables only)
    con = duckdb.connect(str(database))
    try:
        con.execute("set enable_progress_bar = false")
        sql_seconds = sql_equivalent(con)
    finally:
        con.close()
    report = {
        "read_seconds": round(read_seconds, 3),
        "compute_seconds": round(compute_seconds, 3),
        "duckdb_sql_equivalent_seconds": round(sql_seconds, 3),
        "input_rows": {k: int(len(v)) for k, v in inputs.items()},
        "agreement": agreement,
        "all_agree": all(a["agrees"] for a in agreement.values()),
    }
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "agreement"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
