"""The embedded dataset reads like the B2B SaaS company it simulates: its headline KPIs, over the
whole dataset and computed from the PUBLISHED marts (what analysts and the dashboard read), sit in
the bands a marketer expects (README, section "The embedded dataset"). A generator change that
drifts back to implausible economics (ROAS of 30x, LTV:CAC of 60x, a fifth of sessions converting)
fails here.

Every KPI is a ratio of sums over the whole dataset, never an average of per-row ratios:

* LTV:CAC and CAC payback, from kpi_customer_acquisition_payback__channel summed over every
  channel (blended: all media spend over all new customers, organic ones included):
  ARPA = net_revenue_complete_months / active_customer_months, monthly churn = churned_customers /
  customers_at_start, LTV = ARPA x gross_margin_rate / churn, CAC = spend / new_customers,
  payback = CAC / (ARPA x gross_margin_rate), LTV:CAC = LTV / CAC (the mart's own formulas).
* session-to-lead = sessions_with_lead / sessions (kpi_engagement__web_monthly).
* MQL->SQL = sales_qualified_leads / marketing_qualified_leads of the mature lead cohorts
  (kpi_funnel_conversion__cohort, right-censored cohorts left out).
* spend share = media spend / net revenue; blended ROAS = attributed revenue / spend (attributed
  revenue sums to net revenue); both from kpi_channel_performance__monthly and
  kpi_customer_value__monthly. No paid channel returns more than MAX_PAID_CHANNEL_ROAS.

Spend share and ROAS have wider bands than the 8-15 % of revenue a mature company spends: every
customer of the dataset is acquired inside its two years, so revenue = customers x ARPA x M (M, the
paid months a customer has inside the window, is ~10) while spend = customers x CAC = customers x
payback x ARPA x gross margin, i.e. spend share = payback x margin / M ~ 15 x 0.75 / 10 ~ 1. A
12-24-month payback and a 8-15 % spend share only coexist with an installed base of customers
acquired before the data starts, which the dataset does not have.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from _serving_testkit import serving_file

# KPI -> (low, high), inclusive.
BANDS: dict[str, tuple[float, float]] = {
    "ltv_to_cac_ratio": (3.0, 5.0),
    "cac_payback_months": (12.0, 24.0),
    "session_to_lead_rate": (0.01, 0.03),
    "mql_to_sql_rate": (0.13, 0.30),
    "spend_share_of_net_revenue": (0.5, 1.5),
    "blended_return_on_ad_spend": (1 / 1.5, 1 / 0.5),
}
MAX_PAID_CHANNEL_ROAS = 3.0


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory):
    path: Path = serving_file(tmp_path_factory)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    row = con.execute(sql).fetchone()
    assert row is not None and all(v is not None for v in row), f"no value from: {sql}"
    return tuple(float(v) for v in row)


def headline_kpis(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """The headline KPIs over the whole dataset, from the published marts (see the module docstring)."""
    spend, new_customers, revenue_complete, active_months, churned, at_start, margin = _one(
        con,
        """
        select sum(spend), sum(new_customers), sum(net_revenue_complete_months),
            sum(active_customer_months), sum(churned_customers), sum(customers_at_start),
            max(gross_margin_rate)
        from kpi.kpi_customer_acquisition_payback__channel
        """,
    )
    arpa = revenue_complete / active_months
    churn = churned / at_start
    cac = spend / new_customers
    sessions, sessions_with_lead = _one(
        con, "select sum(sessions), sum(sessions_with_lead) from kpi.kpi_engagement__web_monthly"
    )
    mqls, sqls = _one(
        con,
        """
        select sum(marketing_qualified_leads), sum(sales_qualified_leads)
        from kpi.kpi_funnel_conversion__cohort
        where not is_right_censored_cohort
        """,
    )
    media_spend, attributed_revenue = _one(
        con, "select sum(spend), sum(attributed_revenue) from kpi.kpi_channel_performance__monthly"
    )
    (net_revenue,) = _one(con, "select sum(net_revenue) from kpi.kpi_customer_value__monthly")
    return {
        "ltv_to_cac_ratio": (arpa * margin / churn) / cac,
        "cac_payback_months": cac / (arpa * margin),
        "session_to_lead_rate": sessions_with_lead / sessions,
        "mql_to_sql_rate": sqls / mqls,
        "spend_share_of_net_revenue": media_spend / net_revenue,
        "blended_return_on_ad_spend": attributed_revenue / media_spend,
    }


@pytest.fixture(scope="module")
def kpis(marts: duckdb.DuckDBPyConnection) -> dict[str, float]:
    return headline_kpis(marts)


@pytest.mark.parametrize("kpi", sorted(BANDS))
def test_headline_kpi_is_in_its_band(kpis: dict[str, float], kpi: str) -> None:
    low, high = BANDS[kpi]
    assert low <= kpis[kpi] <= high, f"{kpi} = {kpis[kpi]:.4g}, outside its band [{low:.4g}, {high:.4g}]"


def test_no_paid_channel_returns_an_implausible_roas(marts: duckdb.DuckDBPyConnection) -> None:
    rows = marts.execute(
        """
        select channel_id, sum(attributed_revenue) / sum(spend) as roas
        from kpi.kpi_channel_performance__monthly
        where is_paid
        group by channel_id
        having sum(spend) > 0
        order by channel_id
        """
    ).fetchall()
    assert rows, "no paid channel with spend in the published marts"
    too_high = {channel: round(float(roas), 2) for channel, roas in rows if roas > MAX_PAID_CHANNEL_ROAS}
    assert not too_high, f"paid channels with ROAS above {MAX_PAID_CHANNEL_ROAS}x: {too_high}"
