"""Preflight (src/marketing_kpi/preflight.py): the pre-load report of what staging will quarantine,
remove, supersede or silently adjust.

Each rule is tested on a small hand-made CSV directory: a clean dataset has no finding; one fault
gives that finding with the right row count and example keys. On the embedded dataset the counts
per (table, reason) must equal the quarantine of the built warehouse (staging.stg_quarantine__rows).
"""

from __future__ import annotations

import copy
import csv
import datetime
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from marketing_kpi import paths, preflight
from marketing_kpi.contract import load_contract
from marketing_kpi.ingest import locate_files

AS_OF = datetime.date(2025, 6, 30)

Rows = dict[str, list[dict[str, str]]]

CLEAN: Rows = {
    "channels": [
        {
            "channel_id": "ch_search",
            "channel_name": "Search",
            "channel_group": "paid_search",
            "is_paid": "true",
            "platform": "google_ads",
        },
        {
            "channel_id": "ch_email",
            "channel_name": "Email",
            "channel_group": "email",
            "is_paid": "false",
            "platform": "email_tool",
        },
    ],
    "campaigns": [
        {
            "campaign_id": "cmp_1",
            "channel_id": "ch_search",
            "campaign_name": "Spring",
            "objective": "lead_generation",
            "start_date": "2025-03-01",
            "end_date": "2025-03-31",
            "budget_amount": "1000",
            "budget_currency": "USD",
            "exported_at": "2025-03-01 00:00:00",
        },
        {
            "campaign_id": "cmp_e",
            "channel_id": "ch_email",
            "campaign_name": "Newsletter",
            "objective": "retention",
            "start_date": "2025-03-01",
            "end_date": "",
            "budget_amount": "",
            "budget_currency": "",
            "exported_at": "2025-03-01 00:00:00",
        },
    ],
    "ad_performance": [
        {
            "campaign_id": "cmp_1",
            "report_date": "2025-03-04",
            "spend": "10.50",
            "currency_code": "USD",
            "impressions": "100",
            "clicks": "5",
            "platform_conversions": "1",
            "exported_at": "2025-03-05 00:00:00",
        },
        {
            "campaign_id": "cmp_1",
            "report_date": "2025-03-05",
            "spend": "9.00",
            "currency_code": "EUR",
            "impressions": "90",
            "clicks": "4",
            "platform_conversions": "0",
            "exported_at": "2025-03-06 00:00:00",
        },
    ],
    "web_sessions": [
        {
            "session_id": "ses_1",
            "visitor_id": "vis_1",
            "session_started_at": "2025-03-04 10:00:00",
            "channel_id": "ch_search",
            "campaign_id": "cmp_1",
            "landing_page": "/",
            "device": "desktop",
            "country_code": "us",
            "pageviews": "3",
            "engaged_seconds": "60",
            "is_bounced": "false",
            "lead_id": "lead_1",
        },
        {
            "session_id": "ses_2",
            "visitor_id": "vis_2",
            "session_started_at": "2025-03-05T08:00:00+02:00",
            "channel_id": "ch_email",
            "campaign_id": "",
            "landing_page": "/blog",
            "device": "Mobile",
            "country_code": "DE",
            "pageviews": "1",
            "engaged_seconds": "5",
            "is_bounced": "true",
            "lead_id": "",
        },
    ],
    "email_sends": [
        {
            "send_id": "snd_1",
            "campaign_id": "cmp_e",
            "sent_at": "2025-03-04 09:00:00",
            "emails_sent": "100",
            "emails_delivered": "90",
            "emails_opened": "30",
            "emails_clicked": "10",
            "emails_unsubscribed": "1",
            "emails_bounced": "10",
        },
    ],
    "leads": [
        {
            "lead_id": "lead_1",
            "created_at": "2025-03-04 10:05:00",
            "channel_id": "ch_search",
            "campaign_id": "cmp_1",
            "email": "a@example.com",
            "phone": "+1 415 555 0134",
            "full_name": "Ada",
            "job_title": "VP Sales",
            "seniority": "vp",
            "company_size": "51-200",
            "declared_budget": "5000",
            "declared_budget_currency": "USD",
            "country_code": "US",
            "device": "desktop",
            "owner_id": "own_1",
            "assigned_at": "2025-03-04 11:00:00",
            "first_responded_at": "2025-03-04 12:00:00",
            "customer_id": "cust_1",
            "notes": "call back",
            "exported_at": "2025-03-10 00:00:00",
        },
        {
            "lead_id": "lead_2",
            "created_at": "2025-03-05 09:00:00",
            "channel_id": "ch_email",
            "campaign_id": "",
            "email": "b@example.com",
            "phone": "",
            "full_name": "Bo",
            "job_title": "Analyst",
            "seniority": "individual_contributor",
            "company_size": "11-50",
            "declared_budget": "2000",
            "declared_budget_currency": "EUR",
            "country_code": "DE",
            "device": "mobile",
            "owner_id": "own_2",
            "assigned_at": "2025-03-05 09:30:00",
            "first_responded_at": "",
            "customer_id": "",
            "notes": "",
            "exported_at": "2025-03-10 00:00:00",
        },
    ],
    "lead_stage_events": [
        {"stage_event_id": f"sev_{i}", "lead_id": "lead_1", "stage": stage, "changed_at": f"2025-03-0{4 + i} 12:00:00"}
        for i, stage in enumerate(["lead", "mql", "sql", "opportunity", "won"], start=1)
    ]
    + [{"stage_event_id": "sev_9", "lead_id": "lead_2", "stage": "lead", "changed_at": "2025-03-05 09:00:00"}],
    "touchpoints": [
        {
            "touchpoint_id": "tch_1",
            "lead_id": "lead_1",
            "visitor_id": "vis_1",
            "touched_at": "2025-03-04 10:00:00",
            "channel_id": "ch_search",
            "campaign_id": "cmp_1",
            "touch_type": "ad_click",
        },
        {
            "touchpoint_id": "tch_2",
            "lead_id": "",
            "visitor_id": "vis_2",
            "touched_at": "2025-03-05 06:00:00",
            "channel_id": "ch_email",
            "campaign_id": "cmp_e",
            "touch_type": "email_click",
        },
    ],
    "orders": [
        {
            "order_id": "ord_1",
            "customer_id": "cust_1",
            "ordered_at": "2025-03-10 10:00:00",
            "amount": "1200",
            "currency_code": "USD",
            "order_type": "new",
            "order_status": "completed",
        },
        {
            "order_id": "ord_2",
            "customer_id": "cust_1",
            "ordered_at": "2025-04-10 10:00:00",
            "amount": "-100",
            "currency_code": "GBP",
            "order_type": "refund",
            "order_status": "completed",
        },
    ],
    "survey_responses": [
        {"response_id": "srv_1", "customer_id": "cust_1", "responded_at": "2025-04-01 10:00:00", "score": "9"},
    ],
}


# The dataset's own fx rates (DIR/reference/fx_rates.csv): EUR and GBP for March and April 2025.
FX_DAYS = [datetime.date(2025, 3, 1) + datetime.timedelta(days=i) for i in range(61)]


def _write(rows: Rows, out: Path, fx: bool = True) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    if fx:
        (out / "reference").mkdir(exist_ok=True)
        lines = ["rate_date,currency_code,rate_to_usd"]
        lines += [f"{d.isoformat()},{c},{r}" for d in FX_DAYS for c, r in (("EUR", "1.08"), ("GBP", "1.27"))]
        (out / "reference" / "fx_rates.csv").write_text("\n".join(lines) + "\n")
    for name, table in load_contract().items():
        if name not in rows:
            continue
        with (out / f"{name}.csv").open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=table.column_names)
            writer.writeheader()
            for row in rows[name]:
                writer.writerow({c: row.get(c, "") for c in table.column_names})
    return out


def _run(
    rows: Rows, tmp_path: Path, as_of: datetime.date = AS_OF, fx: bool = True, **kwargs
) -> list[preflight.Finding]:
    files, problems = locate_files(_write(rows, tmp_path / "data", fx))
    assert all("no file" in p for p in problems), problems
    con = duckdb.connect()
    try:
        return preflight.findings(con, files, as_of, **kwargs)
    finally:
        con.close()


def _edit(table: str, index: int, **values: str) -> Callable[[Rows], None]:
    def apply(rows: Rows) -> None:
        rows[table][index].update(values)

    return apply


def _append(table: str, index: int, **values: str) -> Callable[[Rows], None]:
    def apply(rows: Rows) -> None:
        rows[table].append({**rows[table][index], **values})

    return apply


def _drop(table: str, predicate: Callable[[dict[str, str]], bool]) -> Callable[[Rows], None]:
    def apply(rows: Rows) -> None:
        rows[table] = [r for r in rows[table] if not predicate(r)]

    return apply


def _both(*edits: Callable[[Rows], None]) -> Callable[[Rows], None]:
    def apply(rows: Rows) -> None:
        for e in edits:
            e(rows)

    return apply


def test_clean_dataset_has_no_finding(tmp_path: Path) -> None:
    found = _run(CLEAN, tmp_path)
    assert found == []
    assert preflight.format_findings(found) == [
        "preflight: no findings (staging will neither quarantine nor change any row)"
    ]


# (fault, table, column, rule, effect, rows, examples)
CASES = [
    # quarantine rules of the base models
    (
        "blank channel on a lead",
        _edit("leads", 1, channel_id=" "),
        "leads",
        "channel_id",
        "unknown_channel",
        "quarantined",
        1,
        ("lead_2",),
    ),
    (
        "blank session key",
        _append("web_sessions", 1, session_id="", visitor_id="vis_9"),
        "web_sessions",
        "session_id",
        "null_key",
        "quarantined",
        1,
        ("<null> (visitor_id=vis_9)",),
    ),
    (
        "blank ad date",
        _edit("ad_performance", 0, report_date=""),
        "ad_performance",
        "campaign_id, report_date",
        "null_key",
        "quarantined",
        1,
        ("cmp_1|<null>",),
    ),
    (
        "spend that is not a number",
        _edit("ad_performance", 1, spend="ten"),
        "ad_performance",
        "spend",
        "unparseable_value",
        "quarantined",
        1,
        ("cmp_1|2025-03-05",),
    ),
    (
        "unparseable timestamp",
        _edit("touchpoints", 0, touched_at="04/03/2025 10:00"),
        "touchpoints",
        "touched_at",
        "unparseable_value",
        "quarantined",
        1,
        ("tch_1",),
    ),
    (
        "unparseable boolean",
        _edit("channels", 1, is_paid="maybe"),
        "channels",
        "is_paid",
        "unparseable_value",
        "quarantined",
        1,
        ("ch_email",),
    ),
    (
        "two different rows with one key",
        _append("orders", 0, amount="1300"),
        "orders",
        "order_id",
        "duplicate_key",
        "quarantined",
        2,
        ("ord_1", "ord_1"),
    ),
    (
        "enum outside accepted_values",
        _edit("orders", 0, order_status="paid"),
        "orders",
        "order_status",
        "invalid_enum",
        "quarantined",
        1,
        ("ord_1",),
    ),
    (
        "enum outside accepted_values",
        _edit("lead_stage_events", 5, stage="nurture"),
        "lead_stage_events",
        "stage",
        "invalid_enum",
        "quarantined",
        1,
        ("sev_9",),
    ),
    (
        "unknown channel id",
        _edit("touchpoints", 1, channel_id="ch_tv"),
        "touchpoints",
        "channel_id",
        "unknown_channel",
        "quarantined",
        1,
        ("tch_2",),
    ),
    (
        "unknown campaign id",
        _edit("web_sessions", 0, campaign_id="cmp_x"),
        "web_sessions",
        "campaign_id",
        "unknown_campaign",
        "quarantined",
        1,
        ("ses_1",),
    ),
    (
        "campaign of an unknown channel",
        _edit("campaigns", 1, channel_id="ch_tv"),
        "campaigns",
        "channel_id",
        "unknown_channel",
        "quarantined",
        1,
        ("cmp_e",),
    ),
    (
        "email send of a quarantined campaign",
        _edit("campaigns", 1, channel_id="ch_tv"),
        "email_sends",
        "campaign_id",
        "unknown_campaign",
        "quarantined",
        1,
        ("snd_1",),
    ),
    (
        "unknown lead",
        _edit("lead_stage_events", 0, lead_id="lead_404"),
        "lead_stage_events",
        "lead_id",
        "unknown_lead",
        "quarantined",
        1,
        ("sev_1",),
    ),
    (
        "order of an account no lead has",
        _edit("orders", 1, customer_id="cust_9"),
        "orders",
        "customer_id",
        "unknown_customer",
        "quarantined",
        1,
        ("ord_2",),
    ),
    (
        "future-dated order",
        _edit("orders", 1, ordered_at="2025-07-01 10:00:00"),
        "orders",
        "ordered_at",
        "future_dated",
        "quarantined",
        1,
        ("ord_2",),
    ),
    (
        "future-dated ad day",
        _edit("ad_performance", 1, report_date="2025-07-01"),
        "ad_performance",
        "report_date",
        "future_dated",
        "quarantined",
        1,
        ("cmp_1|2025-07-01",),
    ),
    (
        "negative order amount",
        _edit("orders", 0, amount="-5"),
        "orders",
        "amount",
        "negative_amount",
        "quarantined",
        1,
        ("ord_1",),
    ),
    (
        "positive refund",
        _edit("orders", 1, amount="100"),
        "orders",
        "amount",
        "refund_not_negative",
        "quarantined",
        1,
        ("ord_2",),
    ),
    (
        "negative budget",
        _edit("campaigns", 0, budget_amount="-1"),
        "campaigns",
        "budget_amount",
        "negative_amount",
        "quarantined",
        1,
        ("cmp_1",),
    ),
    (
        "negative declared budget",
        _edit("leads", 0, declared_budget="-1"),
        "leads",
        "declared_budget",
        "negative_amount",
        "quarantined",
        1,
        ("lead_1",),
    ),
    (
        "negative spend",
        _edit("ad_performance", 0, spend="-1"),
        "ad_performance",
        "spend",
        "negative_spend",
        "quarantined",
        1,
        ("cmp_1|2025-03-04",),
    ),
    (
        "zero spend with impressions",
        _edit("ad_performance", 0, spend="0"),
        "ad_performance",
        "spend",
        "zero_spend_with_delivery",
        "quarantined",
        1,
        ("cmp_1|2025-03-04",),
    ),
    (
        "clicks above impressions",
        _edit("ad_performance", 0, clicks="500"),
        "ad_performance",
        "clicks",
        "clicks_exceed_impressions",
        "quarantined",
        1,
        ("cmp_1|2025-03-04",),
    ),
    (
        "negative count",
        _edit("ad_performance", 0, platform_conversions="-1"),
        "ad_performance",
        "impressions, clicks, platform_conversions",
        "negative_count",
        "quarantined",
        1,
        ("cmp_1|2025-03-04",),
    ),
    (
        "negative engaged seconds",
        _edit("web_sessions", 1, engaged_seconds="-5"),
        "web_sessions",
        "pageviews, engaged_seconds",
        "negative_count",
        "quarantined",
        1,
        ("ses_2",),
    ),
    (
        "opens above deliveries",
        _edit("email_sends", 0, emails_opened="95"),
        "email_sends",
        "emails_opened",
        "inconsistent_counts",
        "quarantined",
        1,
        ("snd_1",),
    ),
    (
        "score out of range",
        _edit("survey_responses", 0, score="11"),
        "survey_responses",
        "score",
        "score_out_of_range",
        "quarantined",
        1,
        ("srv_1",),
    ),
    (
        "currency without a rate",
        _edit("ad_performance", 0, currency_code="XYZ"),
        "ad_performance",
        "currency_code",
        "missing_fx_rate",
        "quarantined",
        1,
        ("cmp_1|2025-03-04",),
    ),
    (
        "blank order currency",
        _edit("orders", 0, currency_code=""),
        "orders",
        "currency_code",
        "missing_fx_rate",
        "quarantined",
        1,
        ("ord_1",),
    ),
    # row bookkeeping
    (
        "identical copy",
        _append("touchpoints", 0),
        "touchpoints",
        "touchpoint_id",
        "exact_duplicate",
        "removed",
        1,
        ("tch_1",),
    ),
    (
        "re-sent lead",
        _append("leads", 1, exported_at="2025-03-11 00:00:00", seniority="manager"),
        "leads",
        "exported_at",
        "superseded",
        "superseded",
        1,
        ("lead_2",),
    ),
    (
        "blank version",
        _edit("campaigns", 1, exported_at=""),
        "campaigns",
        "exported_at",
        "blank_version",
        "adjusted",
        1,
        ("cmp_e",),
    ),
    (
        "blank event time",
        _edit("touchpoints", 1, touched_at=""),
        "touchpoints",
        "touched_at",
        "blank_event_time",
        "adjusted",
        1,
        ("tch_2",),
    ),
    (
        "blank creation time",
        _edit("leads", 1, created_at=""),
        "leads",
        "created_at",
        "blank_event_time",
        "adjusted",
        1,
        ("lead_2",),
    ),
    # silent adjustments (rows kept, values changed)
    (
        "won lead without customer_id",
        _both(
            _edit("leads", 0, customer_id=""),
            _drop("orders", lambda r: True),
            _drop("survey_responses", lambda r: True),
        ),
        "leads",
        "customer_id",
        "won_without_customer_id",
        "adjusted",
        1,
        ("lead_1",),
    ),
    (
        "customer_id without won event, with orders",
        _drop("lead_stage_events", lambda r: r["stage"] == "won"),
        "leads",
        "customer_id",
        "won_at_first_order",
        "adjusted",
        1,
        ("lead_1",),
    ),
    (
        "customer_id without won event or order",
        _edit("leads", 1, customer_id="cust_2"),
        "leads",
        "customer_id",
        "customer_never_won",
        "adjusted",
        1,
        ("lead_2",),
    ),
    (
        "customer_id on two leads",
        _edit("leads", 1, customer_id="cust_1"),
        "leads",
        "customer_id",
        "customer_shared_by_leads",
        "adjusted",
        1,
        ("cust_1",),
    ),
    (
        "assigned before created",
        _edit("leads", 1, assigned_at="2025-03-05 08:00:00"),
        "leads",
        "assigned_at",
        "assigned_before_created",
        "adjusted",
        1,
        ("lead_2",),
    ),
    (
        "responded before created",
        _edit("leads", 0, first_responded_at="2025-03-04 10:00:00"),
        "leads",
        "first_responded_at",
        "responded_before_created",
        "adjusted",
        1,
        ("lead_1",),
    ),
    (
        "stage event before the lead",
        _edit("lead_stage_events", 1, changed_at="2025-03-01 00:00:00"),
        "lead_stage_events",
        "changed_at",
        "stage_before_lead_created",
        "adjusted",
        1,
        ("sev_2",),
    ),
    (
        "skipped stage",
        _drop("lead_stage_events", lambda r: r["stage"] == "sql"),
        "lead_stage_events",
        "stage",
        "stage_implied_by_later_stage",
        "adjusted",
        1,
        ("lead_1",),
    ),
    (
        "stages out of order",
        _edit("lead_stage_events", 2, changed_at="2025-03-05 13:00:00"),
        "lead_stage_events",
        "stage",
        "stage_implied_by_later_stage",
        "adjusted",
        1,
        ("lead_1",),
    ),
    (
        "declared budget in a currency without a rate",
        _edit("leads", 0, declared_budget_currency="XYZ"),
        "leads",
        "declared_budget_currency",
        "declared_budget_not_converted",
        "adjusted",
        1,
        ("lead_1",),
    ),
    (
        "campaign budget without a currency",
        _edit("campaigns", 0, budget_currency=""),
        "campaigns",
        "budget_currency",
        "budget_not_converted",
        "adjusted",
        1,
        ("cmp_1",),
    ),
    (
        "contact details in notes",
        _edit("leads", 1, notes="mail me at bo@example.org"),
        "leads",
        "notes",
        "notes_redacted",
        "adjusted",
        1,
        ("lead_2",),
    ),
    (
        "blank seniority",
        _edit("leads", 1, seniority=""),
        "leads",
        "seniority",
        "scored_as_unknown",
        "adjusted",
        1,
        ("lead_2",),
    ),
    (
        "blank declared budget",
        _edit("leads", 1, declared_budget=" ", declared_budget_currency=""),
        "leads",
        "declared_budget",
        "scored_as_unknown",
        "adjusted",
        1,
        ("lead_2",),
    ),
    (
        "blank company size",
        _edit("leads", 0, company_size=" "),
        "leads",
        "company_size",
        "scored_as_unknown",
        "adjusted",
        1,
        ("lead_1",),
    ),
]


@pytest.mark.parametrize(
    ("fault", "table", "column", "rule", "effect", "rows", "examples"),
    [c[:1] + c[2:] for c in CASES],
    ids=[f"{c[4]}:{c[0]}" for c in CASES],
)
def test_each_rule(fault, table, column, rule, effect, rows, examples, tmp_path: Path) -> None:
    edit = next(c[1] for c in CASES if c[0] == fault and c[2] == table and c[4] == rule)
    data = copy.deepcopy(CLEAN)
    edit(data)
    found = _run(data, tmp_path)
    matching = [f for f in found if (f.table, f.column, f.rule) == (table, column, rule)]
    assert len(matching) == 1, preflight.format_findings(found)
    finding = matching[0]
    assert (finding.effect, finding.rows, finding.examples, finding.severity) == (effect, rows, examples, "warning")
    assert any(
        line.startswith(f"warning: {table}.{column}: {rule}: {rows} row") for line in preflight.format_findings(found)
    )


def test_fx_rates_are_the_datasets_own_and_the_reporting_currency_needs_none(tmp_path: Path) -> None:
    """Without DIR/reference/fx_rates.csv only the reporting currency converts (at 1), as in the
    build: the EUR ad day and the GBP refund have no rate; the USD rows need none."""
    found = _run(CLEAN, tmp_path, fx=False)
    missing = {(f.table, f.rows, f.examples) for f in found if f.rule == "missing_fx_rate"}
    assert missing == {("ad_performance", 1, ("cmp_1|2025-03-05",)), ("orders", 1, ("ord_2",))}
    # another reporting currency: USD then needs a rate too
    found = _run(CLEAN, tmp_path / "eur", reporting_currency="EUR")
    assert {(f.table, f.rows) for f in found if f.rule == "missing_fx_rate"} == {
        ("ad_performance", 1),
        ("orders", 1),
    }


def test_naive_timestamps_are_read_in_the_source_time_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """2025-06-30 23:30 local is 2025-07-01 in UTC west of Greenwich: after the as-of date."""
    data = copy.deepcopy(CLEAN)
    _edit("orders", 1, ordered_at="2025-06-30 23:30:00")(data)
    _edit("survey_responses", 0, responded_at="2025-06-30T23:30:00+00:00")(data)  # has an offset: kept
    assert [f for f in _run(data, tmp_path / "utc") if f.rule == "future_dated"] == []
    found = _run(data, tmp_path / "ny", source_time_zones={"orders": "America/New_York"})
    assert [(f.table, f.rule, f.examples) for f in found] == [("orders", "future_dated", ("ord_2",))]
    monkeypatch.setenv("MKPI_SOURCE_TIMEZONE", "America/Sao_Paulo")
    monkeypatch.setenv("MKPI_SOURCE_TIMEZONES", "orders=Asia/Tokyo")
    zones = preflight.source_time_zones_from_env()
    assert (zones["orders"], zones["leads"]) == ("Asia/Tokyo", "America/Sao_Paulo")
    found = _run(data, tmp_path / "env")
    # every naive timestamp is 3 h later in UTC: lead_1's 10:05 creation is still before its events
    assert [f for f in found if f.rule == "future_dated"] == []


def test_blank_version_beside_a_versioned_row_is_an_error(tmp_path: Path) -> None:
    """A blank exported_at is never superseded: beside a versioned row of the same key, staging
    keeps both rows valid and the staged key is no longer unique."""
    data = copy.deepcopy(CLEAN)
    _append("leads", 1, exported_at="", seniority="manager")(data)
    found = _run(data, tmp_path)
    errors = [f for f in found if f.severity == "error"]
    assert [(f.table, f.rule, f.rows, f.examples) for f in errors] == [
        ("leads", "several_valid_versions", 2, ("lead_2",))
    ]


def test_first_failing_rule_wins_like_staging(tmp_path: Path) -> None:
    """A row breaking several rules is counted once, under the first rule of staging's CASE."""
    data = copy.deepcopy(CLEAN)
    _edit("orders", 0, order_status="paid", customer_id="cust_9", ordered_at="2025-07-01")(data)
    found = [f for f in _run(data, tmp_path) if f.table == "orders"]
    assert [(f.rule, f.rows) for f in found] == [("invalid_enum", 1)]


def test_examples_are_capped_and_counts_exact(tmp_path: Path) -> None:
    data = copy.deepcopy(CLEAN)
    for i in range(8):
        data["touchpoints"].append({**CLEAN["touchpoints"][0], "touchpoint_id": f"tch_x{i}", "channel_id": "ch_tv"})
    (finding,) = [f for f in _run(data, tmp_path) if f.rule == "unknown_channel"]
    assert finding.rows == 8
    assert finding.examples == tuple(f"tch_x{i}" for i in range(5))


def test_as_of_date_moves_future_dated(tmp_path: Path) -> None:
    found = _run(CLEAN, tmp_path, as_of=datetime.date(2025, 3, 31))
    future = {(f.table, f.rows) for f in found if f.rule == "future_dated"}
    assert future == {("orders", 1), ("survey_responses", 1)}


def test_absent_campaigns_make_ad_rows_unusable_and_leave_other_campaign_ids_unchecked(tmp_path: Path) -> None:
    """Without a campaigns export every ad row is unknown_campaign (its channel comes from the
    campaign): ad_performance is unusable, an error. The campaign ids of leads, sessions, sends and
    touches are kept unchecked (macros/raw_table_is_provided.sql), so those tables stay clean."""
    data = copy.deepcopy(CLEAN)
    del data["campaigns"]
    found = _run(data, tmp_path)
    assert [(f.table, f.rule, f.rows, f.severity) for f in found] == [
        ("ad_performance", "unknown_campaign", 2, "warning"),
        ("ad_performance", "no_valid_rows", 2, "error"),
    ]
    assert "checked against campaigns, which has no valid row" in found[1].detail
    lines = preflight.format_findings(found)
    assert lines[0].startswith("error: ad_performance: no_valid_rows: 2 rows unusable")


def test_provided_campaigns_with_no_valid_row_still_check_campaign_ids(tmp_path: Path) -> None:
    """A campaigns file counts as provided by its raw rows: if every campaign is quarantined, the
    campaign ids pointing at them are unknown_campaign (and tables left empty are errors)."""
    data = copy.deepcopy(CLEAN)
    for row in data["campaigns"]:
        row["channel_id"] = "ch_tv"
    found = _run(data, tmp_path)
    unknown = {(f.table, f.rows) for f in found if f.rule == "unknown_campaign"}
    assert unknown == {("ad_performance", 2), ("leads", 1), ("web_sessions", 1), ("email_sends", 1), ("touchpoints", 2)}
    errors = {(f.table, f.rule) for f in found if f.severity == "error"}
    # lead_1 (campaign cmp_1) is quarantined, so its customer's orders and survey are unknown too
    assert errors == {
        ("campaigns", "no_valid_rows"),
        ("ad_performance", "no_valid_rows"),
        ("email_sends", "no_valid_rows"),
        ("touchpoints", "no_valid_rows"),
        ("orders", "no_valid_rows"),
        ("survey_responses", "no_valid_rows"),
    }


def test_required_channels_header_only_is_an_error(tmp_path: Path) -> None:
    data = copy.deepcopy(CLEAN)
    data["channels"] = []
    found = _run(data, tmp_path)
    assert ("channels", "required_table_empty", "error") in {(f.table, f.rule, f.severity) for f in found}


def test_header_only_optional_tables_have_no_finding(tmp_path: Path) -> None:
    data = copy.deepcopy(CLEAN)
    data["survey_responses"] = []
    data["email_sends"] = []
    assert _run(data, tmp_path) == []


def test_connection_left_as_found(tmp_path: Path) -> None:
    files, _ = locate_files(_write(CLEAN, tmp_path / "data"))
    con = duckdb.connect()
    con.execute("set TimeZone = 'America/New_York'")
    preflight.findings(con, files, AS_OF)
    assert con.execute("select current_setting('TimeZone')").fetchall()[0][0] == "America/New_York"
    assert con.execute("select count(*) from duckdb_tables() where table_name like '__preflight%'").fetchall() == [(0,)]


def test_parquet_files_are_checked_like_csv(tmp_path: Path) -> None:
    """Typed Parquet columns are read as text like ingest loads them, so the rules are the same."""
    data = copy.deepcopy(CLEAN)
    _edit("orders", 1, ordered_at="2025-07-01 10:00:00")(data)
    csv_dir = _write(data, tmp_path / "csv")
    pq_dir = tmp_path / "pq"
    pq_dir.mkdir()
    shutil.copytree(csv_dir / "reference", pq_dir / "reference")
    con = duckdb.connect()
    for name in data:
        types = {c.name: c.data_type for c in load_contract()[name].columns}
        cols = ", ".join(
            f"try_cast(nullif({c}, '') as {'timestamptz' if t == 'timestamp' else t}) as {c}" for c, t in types.items()
        )
        con.execute(
            f"copy (select {cols} from read_csv('{csv_dir / (name + '.csv')}', all_varchar = true)) "
            f"to '{pq_dir / (name + '.parquet')}' (format parquet)"
        )
    files, _ = locate_files(pq_dir)
    found = preflight.findings(con, files, AS_OF)
    assert [(f.table, f.rule, f.rows) for f in found] == [("orders", "future_dated", 1)]


# ---- preflight mirrors staging ----------------------------------------------------------------

_BASE_MODELS = sorted((paths.PROJECT_ROOT / "models" / "staging").glob("*/base/base_*.sql"))


def _raw_table(model: Path) -> str:
    return model.stem.split("__", 1)[1]


def _reason_case(sql: str) -> str:
    match = re.search(r"case(.*?)end as quarantine_reason", sql.split("checked as (")[1], re.S)
    assert match, "no quarantine_reason CASE in the checked CTE"
    return match.group(1)


@pytest.mark.parametrize("model", _BASE_MODELS, ids=lambda p: p.stem)
def test_every_quarantine_reason_of_the_base_model_is_mirrored(model: Path) -> None:
    """The reasons, in CASE order, of each base model equal preflight's: a new rule must be added to both."""
    in_model = re.findall(r"then '(\w+)'", _reason_case(model.read_text()))
    in_preflight = re.findall(r"then '(\w+)'", preflight._specs()[_raw_table(model)].reason_case)
    assert in_preflight == in_model


@pytest.mark.parametrize("model", _BASE_MODELS, ids=lambda p: p.stem)
def test_contract_requires_lists_the_lookups_of_the_base_model(model: Path) -> None:
    """meta.requires of each raw table = the staged raw tables its base model looks rows up in,
    except those whose check is skipped when the table is not provided (raw_table_is_provided)."""
    sql = model.read_text()
    refs = set(re.findall(r"ref\('stg_\w+?__(\w+)'\)", sql))
    skipped = set(re.findall(r"raw_table_is_provided\('(\w+)'\)", sql))
    assert sorted(load_contract()[_raw_table(model)].requires) == sorted(refs - skipped)


def test_embedded_dataset_counts_equal_the_built_quarantine(warehouse) -> None:
    """On seeds/raw, every (table, quarantine reason) count of preflight equals the build's, and
    the exact duplicates and superseded rows equal stg_quarantine__row_counts."""
    as_of = _as_of_of_build()
    files, problems = locate_files(paths.raw_seed_dir())
    assert problems == []
    con = duckdb.connect()
    found = preflight.findings(con, files, as_of)
    got = {(f.table, f.rule): f.rows for f in found if f.effect == "quarantined"}
    built = {
        (table, reason): n
        for table, reason, n in warehouse.execute(
            "select source_table, quarantine_reason, count(*) from staging.stg_quarantine__rows group by all"
        ).fetchall()
    }
    assert got == built
    assert len(built) > 20  # the embedded dataset's dirt exercises most rules
    counts = warehouse.execute(
        "select source_table, exact_duplicates_removed, superseded_rows from staging.stg_quarantine__row_counts"
    ).fetchall()
    for table, duplicates, superseded in counts:
        got_dup = sum(f.rows for f in found if (f.table, f.rule) == (table, "exact_duplicate"))
        got_sup = sum(f.rows for f in found if (f.table, f.rule) == (table, "superseded"))
        assert (got_dup, got_sup) == (duplicates, superseded), table


def _as_of_of_build() -> datetime.date:
    """The as-of date of the build: MKPI_AS_OF_DATE, else dbt_project.yml's default."""
    value = os.environ.get("MKPI_AS_OF_DATE")
    if not value:
        text = (paths.PROJECT_ROOT / "dbt_project.yml").read_text()
        match = re.search(r"MKPI_AS_OF_DATE', '([0-9-]+)'", text)
        assert match, "no MKPI_AS_OF_DATE default in dbt_project.yml"
        value = match.group(1)
    return datetime.date.fromisoformat(value)
