"""Preflight: before your own files are loaded, report every row that staging will quarantine or
silently change, so a team can fix its export first instead of reading SQL afterwards.

`findings(con, files, as_of)` reads each located file (ingest.locate_files / check_contract) once
with DuckDB and mirrors, rule for rule, what the build does with it:

* the base models' quarantine CASE (models/staging/<source>/base/base_*.sql): the first failing
  rule of a row is its reason, in the same order, with the same casts, the same lookups against the
  *valid* rows of the other provided files (channels -> campaigns -> leads -> the rest), the same
  fx rates (the build's reference data: `DIR/reference/fx_rates.csv`, the reporting currency
  always at 1) and the same source time zones, so a finding's row count is the number of rows the
  build will quarantine for that reason;
* the row bookkeeping (macros/staging_record_status.sql): exact duplicate rows removed, older
  versions superseded by re-sends, and versioned rows with a blank version column;
* the silent adjustments of staging and the intermediate models: amounts whose currency has no
  rate that day (converted amount left null), notes with contact details redacted, assignment and
  first-response times before creation (clamped to 0 hours), stage events dated before the lead
  (clamped to creation), stage times taken from a later stage (implied-min rule), won leads without
  a customer_id (never a customer), customer_ids without a won event (won at the first order, or
  never), customer_ids shared by several won leads (the earliest acquires), blank fit attributes
  scored as 'unknown'.

Every clamp and default of models/staging and models/intermediate was read for this list; those
not reported are not about the data (counts and revenue of months without orders are 0, a day
missing from working_hours is closed, the fit and engagement points are capped by the scoring
settings, SLA flags are false when there is no response, attribution falls back to the lead's own
channel when the customer's acquisition lead has none). Not mirrored exactly (docs/
BRING_YOUR_OWN_DATA.md): the adjustment counts are per row or lead as named in each rule, not
per derived value (stage_before_lead_created counts events, stage_implied_by_later_stage leads);
customer_shared_by_leads counts customer_ids on several staged leads, won or not; the Spark
dispatch of the macros (preflight mirrors DuckDB); an incremental build reprocesses only its
lookback window, while preflight always judges the files as a full build would.

Every finding is a warning: the load still happens and quarantine handles the rows. A finding is an
error only when a table is unusable: a provided table would have no valid row at all
(no_valid_rows), the required channels table has no row (required_table_empty), or a versioned key
would be staged twice (several_valid_versions: a blank version beside another version of the key;
the build's unique test on the staged table then fails). Everything is computed with DuckDB aggregates: one
read of each file into a temporary table of its distinct rows, then aggregates over it.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import duckdb
import yaml

from marketing_kpi import paths, reference_data
from marketing_kpi.contract import Table, load_contract

MAX_EXAMPLES = 5
WARNING = "warning"
ERROR = "error"

# What happens to the rows of a finding.
QUARANTINED = "quarantined"
REMOVED = "removed"  # exact duplicates: the first copy is kept
SUPERSEDED = "superseded"  # an older version of a re-sent row
ADJUSTED = "adjusted"  # kept, but a value or a derived value is changed
UNUSABLE = "unusable"


class _LocatedFile(Protocol):  # ingest.TableFile; a protocol so this module never imports ingest
    table: str
    reader_sql: str


@dataclass(frozen=True)
class Finding:
    """One rule that some rows of one table break, and what the build will do with them."""

    table: str
    column: str
    rule: str  # the quarantine_reason staging will record, or the adjustment's name
    rows: int
    examples: tuple[str, ...]  # up to MAX_EXAMPLES record keys (staging's record_key), sorted
    effect: str  # QUARANTINED | REMOVED | SUPERSEDED | ADJUSTED | UNUSABLE
    detail: str  # what the rule is and what happens, in words
    severity: str = WARNING  # WARNING, or ERROR when the table is unusable


# Tables in dependency order: each table's lookups read only tables before it.
ORDER = (
    "channels",
    "campaigns",
    "leads",
    "ad_performance",
    "web_sessions",
    "email_sends",
    "lead_stage_events",
    "touchpoints",
    "orders",
    "survey_responses",
)

REASON_DETAILS = {
    "null_key": "key column blank",
    "unparseable_value": "value does not cast to the contract type",
    "duplicate_key": "several different rows share this key (and version); all are quarantined",
    "invalid_enum": "value outside the contract's accepted_values (after trim, lower-case, spaces/hyphens as _)",
    "unknown_channel": "channel_id blank or not a valid row of channels",
    "unknown_campaign": "campaign_id not a valid row of campaigns",
    "unknown_lead": "lead_id not a valid row of leads",
    "unknown_customer": "customer_id blank or not the customer_id of any valid lead",
    "future_dated": "dated after the as-of date",
    "negative_count": "a count is negative",
    "negative_spend": "spend is negative",
    "zero_spend_with_delivery": "spend is 0 but impressions > 0",
    "clicks_exceed_impressions": "clicks > impressions",
    "missing_fx_rate": "no fx rate for this currency on this day (currency blank or not in fx_rates)",
    "negative_amount": "the amount is negative (in orders only a refund's may be)",
    "refund_not_negative": "a refund with an amount >= 0",
    "inconsistent_counts": "delivered/bounced > sent, opened > delivered, clicked > opened or unsubscribed > delivered",
    "score_out_of_range": "score outside 0..10",
}


@dataclass(frozen=True)
class _Spec:
    """How one base model checks its rows (mirrors models/staging/<source>/base/base_<...>.sql)."""

    record_key: str
    key_columns: tuple[str, ...]  # typed key columns of version_columns()
    version: str | None  # the version column (contract meta version: true)
    lookups: str  # extra select columns of looked_up
    joins: str  # joins of looked_up
    reason_case: str  # the when-branches of quarantine_reason
    column_case: str  # the when-branches of quarantine_column
    keep: tuple[str, ...]  # columns of valid rows later rules need


def _enum(table: str, column: str) -> str:
    values = load_contract()[table].column(column).accepted_values or ()
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


_FX = "__preflight_fx_rates"


def _t(name: str) -> str:
    return f"__preflight_{name}"


def _reporting_currency() -> str:
    """dbt_project.yml's var reporting_currency (the currency every money column converts to)."""
    project = yaml.safe_load((paths.PROJECT_ROOT / "dbt_project.yml").read_text())
    return str((project.get("vars") or {}).get("reporting_currency") or "USD")


def _specs(reporting_currency: str | None = None) -> dict[str, _Spec]:
    e = _enum
    reporting = (reporting_currency or _reporting_currency()).replace("'", "''")

    def rate(currency: str) -> str:
        # macros/to_reporting_currency.sql fx_rate_to_reporting: the reporting currency is always 1
        return (
            f"case when {currency} = '{reporting}' then cast(1 as decimal(18, 6)) else fx.rate_to_usd end"
            " as rate_to_usd"
        )

    return {
        "channels": _Spec(
            record_key="coalesce(channel_id, '<null>')",
            key_columns=("channel_id",),
            version=None,
            lookups="",
            joins="",
            reason_case=f"""
                when channel_id is null then 'null_key'
                when unparseable_column is not null then 'unparseable_value'
                when rows_at_version > 1 then 'duplicate_key'
                when channel_group not in {e("channels", "channel_group")} then 'invalid_enum'""",
            column_case=f"""
                when channel_id is null then 'channel_id'
                when unparseable_column is not null then unparseable_column
                when rows_at_version > 1 then 'channel_id'
                when channel_group not in {e("channels", "channel_group")} then 'channel_group'""",
            keep=("channel_id",),
        ),
        "campaigns": _Spec(
            record_key="coalesce(campaign_id, '<null>')",
            key_columns=("campaign_id",),
            version="exported_at",
            lookups=f", ch.channel_id is not null as is_known_channel, {rate('v.budget_currency')}",
            joins=f"""
                left join {_t("valid_channels")} as ch on v.channel_id = ch.channel_id
                left join {_FX} as fx on v.start_date = fx.rate_date and v.budget_currency = fx.currency_code""",
            reason_case=f"""
                when campaign_id is null then 'null_key'
                when unparseable_column is not null then 'unparseable_value'
                when rows_at_version > 1 then 'duplicate_key'
                when objective not in {e("campaigns", "objective")} then 'invalid_enum'
                when not is_known_channel then 'unknown_channel'
                when budget_amount < 0 then 'negative_amount'""",
            column_case=f"""
                when campaign_id is null then 'campaign_id'
                when unparseable_column is not null then unparseable_column
                when rows_at_version > 1 then 'campaign_id'
                when objective not in {e("campaigns", "objective")} then 'objective'
                when not is_known_channel then 'channel_id'
                when budget_amount < 0 then 'budget_amount'""",
            keep=("campaign_id", "channel_id", "budget_amount", "rate_to_usd"),
        ),
        "leads": _Spec(
            record_key="coalesce(lead_id, '<null>')",
            key_columns=("lead_id",),
            version="exported_at",
            lookups=(
                ", ch.channel_id is not null as is_known_channel,"
                " v.campaign_id is null or ca.campaign_id is not null"
                " or not {campaigns_provided} as is_known_campaign,"
                f" {rate('v.declared_budget_currency')}"
            ),
            joins=f"""
                left join {_t("valid_channels")} as ch on v.channel_id = ch.channel_id
                left join {_t("valid_campaigns")} as ca on v.campaign_id = ca.campaign_id
                left join {_FX} as fx
                    on cast(v.created_at as date) = fx.rate_date and v.declared_budget_currency = fx.currency_code""",
            reason_case=f"""
                when lead_id is null then 'null_key'
                when unparseable_column is not null then 'unparseable_value'
                when rows_at_version > 1 then 'duplicate_key'
                when seniority not in {e("leads", "seniority")}
                    or company_size not in {e("leads", "company_size")}
                    or device not in {e("leads", "device")} then 'invalid_enum'
                when not is_known_channel then 'unknown_channel'
                when not is_known_campaign then 'unknown_campaign'
                when cast(created_at as date) > {{as_of}} then 'future_dated'
                when declared_budget < 0 then 'negative_amount'""",
            column_case=f"""
                when lead_id is null then 'lead_id'
                when unparseable_column is not null then unparseable_column
                when rows_at_version > 1 then 'lead_id'
                when seniority not in {e("leads", "seniority")} then 'seniority'
                when company_size not in {e("leads", "company_size")} then 'company_size'
                when device not in {e("leads", "device")} then 'device'
                when not is_known_channel then 'channel_id'
                when not is_known_campaign then 'campaign_id'
                when cast(created_at as date) > {{as_of}} then 'created_at'
                when declared_budget < 0 then 'declared_budget'""",
            keep=(
                "lead_id",
                "customer_id",
                "created_at",
                "assigned_at",
                "first_responded_at",
                "seniority",
                "company_size",
                "declared_budget",
                "rate_to_usd",
                "raw_notes",
            ),
        ),
        "ad_performance": _Spec(
            record_key="coalesce(campaign_id, '<null>') || '|' || coalesce(raw_report_date, '<null>')",
            key_columns=("campaign_id", "report_date"),
            version="exported_at",
            lookups=f", ca.campaign_id is not null as is_known_campaign, {rate('v.currency_code')}",
            joins=f"""
                left join {_t("valid_campaigns")} as ca on v.campaign_id = ca.campaign_id
                left join {_FX} as fx on v.report_date = fx.rate_date and v.currency_code = fx.currency_code""",
            reason_case="""
                when campaign_id is null or raw_report_date is null then 'null_key'
                when unparseable_column is not null then 'unparseable_value'
                when rows_at_version > 1 then 'duplicate_key'
                when not is_known_campaign then 'unknown_campaign'
                when report_date > {as_of} then 'future_dated'
                when impressions < 0 or clicks < 0 or platform_conversions < 0 then 'negative_count'
                when spend < 0 then 'negative_spend'
                when spend = 0 and impressions > 0 then 'zero_spend_with_delivery'
                when clicks > impressions then 'clicks_exceed_impressions'
                when rate_to_usd is null then 'missing_fx_rate'""",
            column_case="""
                when campaign_id is null or raw_report_date is null then 'campaign_id, report_date'
                when unparseable_column is not null then unparseable_column
                when rows_at_version > 1 then 'campaign_id, report_date'
                when not is_known_campaign then 'campaign_id'
                when report_date > {as_of} then 'report_date'
                when impressions < 0 or clicks < 0 or platform_conversions < 0
                    then 'impressions, clicks, platform_conversions'
                when spend <= 0 then 'spend'
                when clicks > impressions then 'clicks'
                when rate_to_usd is null then 'currency_code'""",
            keep=(),
        ),
        "web_sessions": _Spec(
            record_key="coalesce(session_id, '<null>')",
            key_columns=("session_id",),
            version=None,
            lookups=(
                ", ch.channel_id is not null as is_known_channel,"
                " v.campaign_id is null or ca.campaign_id is not null"
                " or not {campaigns_provided} as is_known_campaign"
            ),
            joins=f"""
                left join {_t("valid_channels")} as ch on v.channel_id = ch.channel_id
                left join {_t("valid_campaigns")} as ca on v.campaign_id = ca.campaign_id""",
            reason_case=f"""
                when session_id is null then 'null_key'
                when unparseable_column is not null then 'unparseable_value'
                when rows_at_version > 1 then 'duplicate_key'
                when device not in {e("web_sessions", "device")} then 'invalid_enum'
                when not is_known_channel then 'unknown_channel'
                when not is_known_campaign then 'unknown_campaign'
                when cast(session_started_at as date) > {{as_of}} then 'future_dated'
                when pageviews < 0 or engaged_seconds < 0 then 'negative_count'""",
            column_case=f"""
                when session_id is null then 'session_id'
                when unparseable_column is not null then unparseable_column
                when rows_at_version > 1 then 'session_id'
                when device not in {e("web_sessions", "device")} then 'device'
                when not is_known_channel then 'channel_id'
                when not is_known_campaign then 'campaign_id'
                when cast(session_started_at as date) > {{as_of}} then 'session_started_at'
                when pageviews < 0 or engaged_seconds < 0 then 'pageviews, engaged_seconds'""",
            keep=(),
        ),
        "email_sends": _Spec(
            record_key="coalesce(send_id, '<null>')",
            key_columns=("send_id",),
            version=None,
            lookups=(
                ", v.campaign_id is null or ca.campaign_id is not null or not {campaigns_provided} as is_known_campaign"
            ),
            joins=f"left join {_t('valid_campaigns')} as ca on v.campaign_id = ca.campaign_id",
            reason_case="""
                when send_id is null then 'null_key'
                when unparseable_column is not null then 'unparseable_value'
                when rows_at_version > 1 then 'duplicate_key'
                when not is_known_campaign then 'unknown_campaign'
                when cast(sent_at as date) > {as_of} then 'future_dated'
                when emails_sent < 0 or emails_delivered < 0 or emails_opened < 0 or emails_clicked < 0
                    or emails_unsubscribed < 0 or emails_bounced < 0 then 'negative_count'
                when emails_delivered > emails_sent or emails_bounced > emails_sent
                    or emails_opened > emails_delivered or emails_clicked > emails_opened
                    or emails_unsubscribed > emails_delivered then 'inconsistent_counts'""",
            column_case="""
                when send_id is null then 'send_id'
                when unparseable_column is not null then unparseable_column
                when rows_at_version > 1 then 'send_id'
                when not is_known_campaign then 'campaign_id'
                when cast(sent_at as date) > {as_of} then 'sent_at'
                when emails_sent < 0 then 'emails_sent'
                when emails_delivered < 0 then 'emails_delivered'
                when emails_opened < 0 then 'emails_opened'
                when emails_clicked < 0 then 'emails_clicked'
                when emails_unsubscribed < 0 then 'emails_unsubscribed'
                when emails_bounced < 0 then 'emails_bounced'
                when emails_delivered > emails_sent or emails_bounced > emails_sent
                    then 'emails_delivered, emails_bounced'
                when emails_opened > emails_delivered then 'emails_opened'
                when emails_clicked > emails_opened then 'emails_clicked'
                when emails_unsubscribed > emails_delivered then 'emails_unsubscribed'""",
            keep=(),
        ),
        "lead_stage_events": _Spec(
            record_key="coalesce(stage_event_id, '<null>')",
            key_columns=("stage_event_id",),
            version=None,
            lookups=", le.lead_id is not null as is_known_lead",
            joins=f"left join {_t('valid_leads')} as le on v.lead_id = le.lead_id",
            reason_case=f"""
                when stage_event_id is null then 'null_key'
                when unparseable_column is not null then 'unparseable_value'
                when rows_at_version > 1 then 'duplicate_key'
                when stage not in {e("lead_stage_events", "stage")} then 'invalid_enum'
                when not is_known_lead then 'unknown_lead'
                when cast(changed_at as date) > {{as_of}} then 'future_dated'""",
            column_case=f"""
                when stage_event_id is null then 'stage_event_id'
                when unparseable_column is not null then unparseable_column
                when rows_at_version > 1 then 'stage_event_id'
                when stage not in {e("lead_stage_events", "stage")} then 'stage'
                when not is_known_lead then 'lead_id'
                when cast(changed_at as date) > {{as_of}} then 'changed_at'""",
            keep=("stage_event_id", "lead_id", "stage", "changed_at"),
        ),
        "touchpoints": _Spec(
            record_key="coalesce(touchpoint_id, '<null>')",
            key_columns=("touchpoint_id",),
            version=None,
            lookups=(
                ", v.lead_id is null or le.lead_id is not null as is_known_lead,"
                " ch.channel_id is not null as is_known_channel,"
                " v.campaign_id is null or ca.campaign_id is not null"
                " or not {campaigns_provided} as is_known_campaign"
            ),
            joins=f"""
                left join {_t("valid_leads")} as le on v.lead_id = le.lead_id
                left join {_t("valid_channels")} as ch on v.channel_id = ch.channel_id
                left join {_t("valid_campaigns")} as ca on v.campaign_id = ca.campaign_id""",
            reason_case=f"""
                when touchpoint_id is null then 'null_key'
                when unparseable_column is not null then 'unparseable_value'
                when rows_at_version > 1 then 'duplicate_key'
                when touch_type not in {e("touchpoints", "touch_type")} then 'invalid_enum'
                when not is_known_channel then 'unknown_channel'
                when not is_known_campaign then 'unknown_campaign'
                when not is_known_lead then 'unknown_lead'
                when cast(touched_at as date) > {{as_of}} then 'future_dated'""",
            column_case=f"""
                when touchpoint_id is null then 'touchpoint_id'
                when unparseable_column is not null then unparseable_column
                when rows_at_version > 1 then 'touchpoint_id'
                when touch_type not in {e("touchpoints", "touch_type")} then 'touch_type'
                when not is_known_channel then 'channel_id'
                when not is_known_campaign then 'campaign_id'
                when not is_known_lead then 'lead_id'
                when cast(touched_at as date) > {{as_of}} then 'touched_at'""",
            keep=(),
        ),
        "orders": _Spec(
            record_key="coalesce(order_id, '<null>')",
            key_columns=("order_id",),
            version=None,
            lookups=f", cu.customer_id is not null as is_known_customer, {rate('v.currency_code')}",
            joins=f"""
                left join {_t("customers")} as cu on v.customer_id = cu.customer_id
                left join {_FX} as fx
                    on cast(v.ordered_at as date) = fx.rate_date and v.currency_code = fx.currency_code""",
            reason_case=f"""
                when order_id is null then 'null_key'
                when unparseable_column is not null then 'unparseable_value'
                when rows_at_version > 1 then 'duplicate_key'
                when order_type not in {e("orders", "order_type")}
                    or order_status not in {e("orders", "order_status")} then 'invalid_enum'
                when not is_known_customer then 'unknown_customer'
                when cast(ordered_at as date) > {{as_of}} then 'future_dated'
                when order_type != 'refund' and amount < 0 then 'negative_amount'
                when order_type = 'refund' and amount >= 0 then 'refund_not_negative'
                when rate_to_usd is null then 'missing_fx_rate'""",
            column_case=f"""
                when order_id is null then 'order_id'
                when unparseable_column is not null then unparseable_column
                when rows_at_version > 1 then 'order_id'
                when order_type not in {e("orders", "order_type")} then 'order_type'
                when order_status not in {e("orders", "order_status")} then 'order_status'
                when not is_known_customer then 'customer_id'
                when cast(ordered_at as date) > {{as_of}} then 'ordered_at'
                when order_type != 'refund' and amount < 0 then 'amount'
                when order_type = 'refund' and amount >= 0 then 'amount'
                when rate_to_usd is null then 'currency_code'""",
            keep=("order_id", "customer_id", "ordered_at"),
        ),
        "survey_responses": _Spec(
            record_key="coalesce(response_id, '<null>')",
            key_columns=("response_id",),
            version=None,
            lookups=", cu.customer_id is not null as is_known_customer",
            joins=f"left join {_t('customers')} as cu on v.customer_id = cu.customer_id",
            reason_case="""
                when response_id is null then 'null_key'
                when unparseable_column is not null then 'unparseable_value'
                when rows_at_version > 1 then 'duplicate_key'
                when not is_known_customer then 'unknown_customer'
                when cast(responded_at as date) > {as_of} then 'future_dated'
                when score < 0 or score > 10 then 'score_out_of_range'""",
            column_case="""
                when response_id is null then 'response_id'
                when unparseable_column is not null then unparseable_column
                when rows_at_version > 1 then 'response_id'
                when not is_known_customer then 'customer_id'
                when cast(responded_at as date) > {as_of} then 'responded_at'
                when score < 0 or score > 10 then 'score'""",
            keep=(),
        ),
    }


# The column that places each row in time (ad_performance's report_date is part of its key).
EVENT_TIME = {
    "web_sessions": ("session_started_at",),
    "email_sends": ("sent_at",),
    "leads": ("created_at",),
    "lead_stage_events": ("changed_at",),
    "touchpoints": ("touched_at",),
    "orders": ("ordered_at",),
    "survey_responses": ("responded_at",),
}

# Temporary tables of valid rows that later tables are looked up against, and their columns.
_LOOKUP_TABLES = {
    "channels": ("valid_channels", "channel_id varchar"),
    "campaigns": ("valid_campaigns", "campaign_id varchar, channel_id varchar"),
    "leads": ("valid_leads", "lead_id varchar, customer_id varchar"),
}

_CURRENCY_COLUMNS = {"currency_code", "budget_currency", "declared_budget_currency", "country_code"}
# Columns whose text is kept as sent (clean_text only), even where the contract has no enum.
_ENUM_WITHOUT_VALUES = {("channels", "platform")}


_OFFSET = "([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$"


def source_time_zones_from_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The source time zone of each raw table, read like macros/to_utc_timestamp.sql reads the dbt
    vars: MKPI_SOURCE_TIMEZONES ('leads=America/Sao_Paulo,orders=UTC') for a table, else
    MKPI_SOURCE_TIMEZONE, else UTC."""
    env = os.environ if env is None else env
    default = (env.get("MKPI_SOURCE_TIMEZONE") or "UTC").strip() or "UTC"
    zones = dict.fromkeys(load_contract(), default)
    for entry in (env.get("MKPI_SOURCE_TIMEZONES") or "").split(","):
        if entry.strip():
            if "=" not in entry:
                raise ValueError(f"MKPI_SOURCE_TIMEZONES: {entry.strip()!r} is not table=Zone")
            table, zone = (part.strip() for part in entry.split("=", 1))
            if table in zones:
                zones[table] = zone
    for zone in zones.values():
        if not re.fullmatch(r"[A-Za-z0-9/_+-]+", zone):
            raise ValueError(f"source time zone {zone!r} is not a time zone name")
    return zones


def _utc_timestamp(raw: str, zone: str) -> str:
    """macros/to_utc_timestamp.sql: values with an offset keep it; naive ones are in `zone`."""
    if zone == "UTC":
        return f"timezone('UTC', try_cast({raw} as timestamptz))"
    return (
        f"case when regexp_matches({raw}, '{_OFFSET}') then timezone('UTC', try_cast({raw} as timestamptz)) "
        f"else timezone('UTC', timezone('{zone}', try_cast({raw} as timestamp))) end"
    )


def _typed(table: Table, column: str, zone: str = "UTC") -> str:
    """The base model's typing of raw_<column> (see the `typed` CTE of each base model)."""
    raw = f"raw_{column}"
    c = table.column(column)
    base = c.data_type.split("(")[0].strip().lower()
    if table.name == "leads" and column == "company_size":
        return f"nullif(replace(lower({raw}), ' ', ''), '')"
    if c.accepted_values or (table.name, column) in _ENUM_WITHOUT_VALUES:
        return f"nullif(replace(replace(lower(trim({raw})), ' ', '_'), '-', '_'), '')"
    if column in _CURRENCY_COLUMNS:
        return f"upper({raw})"
    if base == "timestamp":
        return _utc_timestamp(raw, zone)
    if base == "varchar":
        return raw
    return f"try_cast({raw} as {c.data_type})"


def _checked_sql(
    table: Table,
    spec: _Spec,
    reader: str,
    as_of: datetime.date,
    zone: str = "UTC",
    campaigns_provided: bool = True,
) -> str:
    """The base model's query over `reader`, down to each row's record_status and reason.

    `campaigns_provided`: macros/raw_table_is_provided.sql: without a campaigns row the campaign
    ids of leads, sessions, sends and touches are kept unchecked."""
    as_of_sql = f"cast('{as_of.isoformat()}' as date)"
    names = table.column_names
    casts = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in names)
    cleaned = ", ".join(f"""nullif(trim("{c}"), '') as raw_{c}""" for c in names)
    typed = ", ".join(f"{_typed(table, c, zone)} as {c}" for c in names)
    parsed = [c.name for c in table.columns if c.data_type.lower() != "varchar"]
    unparseable = (
        "case " + " ".join(f"when raw_{c} is not null and {c} is null then '{c}'" for c in parsed) + " end"
        if parsed
        else "cast(null as varchar)"
    )
    keys = ", ".join(spec.key_columns)
    if spec.version:
        versions = (
            f"max({spec.version}) over (partition by {keys}) as latest_version, "
            f"count(*) over (partition by {keys}, {spec.version}) as rows_at_version"
        )
        status_superseded = (
            f"when coalesce(quarantine_reason, '') != 'null_key' and {spec.version} < latest_version then 'superseded' "
        )
        blank_version = f"{keys.split(', ')[0]} is not null and raw_{spec.version} is null"
    else:
        versions = f"count(*) over (partition by {keys}) as rows_at_version"
        status_superseded = ""
        blank_version = "false"
    keep = "".join(f", {c}" for c in dict.fromkeys((*spec.keep, *EVENT_TIME.get(table.name, ()))))
    lookups = spec.lookups.format(campaigns_provided="true" if campaigns_provided else "false")
    # A row with a blank key is named by its first non-blank other column: '<null> (visitor_id=v1)'.
    hint = "coalesce(" + ", ".join(f"'{c}=' || raw_{c}" for c in names if c not in table.key_columns) + ", '')"
    record_key = (
        f"case when quarantine_reason = 'null_key' and {spec.record_key} = '<null>' "
        f"then '<null> (' || {hint} || ')' else {spec.record_key} end"
    )
    return f"""
        with
        distinct_raw as materialized (
            select *, count(*) as raw_copies
            from (select {casts} from {reader}) as source
            group by all
        ),
        numbered as (select {cleaned}, raw_copies from distinct_raw),
        typed as (select *, {typed} from numbered),
        versioned as (select *, {versions}, {unparseable} as unparseable_column from typed),
        looked_up as (select v.*{lookups} from versioned as v {spec.joins}),
        checked as (
            select
                *,
                case {spec.reason_case.format(as_of=as_of_sql)} end as quarantine_reason,
                case {spec.column_case.format(as_of=as_of_sql)} end as quarantine_column
            from looked_up
        )
        select
            {record_key} as record_key,
            raw_copies,
            quarantine_reason,
            quarantine_column,
            case {status_superseded}when quarantine_reason is not null then 'quarantined' else 'valid' end
                as record_status,
            {blank_version} as has_blank_version{keep}
        from checked
    """


def _empty_reader(table: Table) -> str:
    columns = ", ".join(f'cast(null as varchar) as "{c}"' for c in table.column_names)
    return f"(select {columns} where false)"


def _examples(values: list[str] | None) -> tuple[str, ...]:
    return tuple(values or ())[:MAX_EXAMPLES]


def _create_lookup_tables(con: duckdb.DuckDBPyConnection, fx_rates: Path | None) -> None:
    for _table, (name, columns) in _LOOKUP_TABLES.items():
        con.execute(f"create or replace temp table {_t(name)} ({columns})")
    con.execute(f"create or replace temp table {_t('customers')} (customer_id varchar)")
    source = (
        f"read_csv('{fx_rates.as_posix()}', header = true, all_varchar = true)"
        if fx_rates is not None
        else "(select cast(null as varchar) as rate_date, cast(null as varchar) as currency_code, "
        "cast(null as varchar) as rate_to_usd where false)"
    )
    con.execute(
        f"""
        create or replace temp table {_FX} as
        select
            try_cast(nullif(trim(rate_date), '') as date) as rate_date,
            cast(nullif(trim(currency_code), '') as varchar) as currency_code,
            try_cast(nullif(trim(rate_to_usd), '') as decimal(18, 6)) as rate_to_usd
        from {source} as rates
        """
    )


def _fill_lookup_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    checked = _t(f"checked_{table}")
    if table == "channels":
        con.execute(
            f"insert into {_t('valid_channels')} select channel_id from {checked} where record_status = 'valid'"
        )
    elif table == "campaigns":
        con.execute(
            f"insert into {_t('valid_campaigns')} "
            f"select campaign_id, channel_id from {checked} where record_status = 'valid'"
        )
    elif table == "leads":
        con.execute(
            f"insert into {_t('valid_leads')} select lead_id, customer_id from {checked} where record_status = 'valid'"
        )
        con.execute(
            f"insert into {_t('customers')} select distinct customer_id from {_t('valid_leads')} "
            "where customer_id is not null"
        )


def _bookkeeping_findings(
    con: duckdb.DuckDBPyConnection, table: Table, spec: _Spec, as_of: datetime.date
) -> list[Finding]:
    checked = _t(f"checked_{table.name}")
    found: list[Finding] = []
    rows = con.execute(
        f"""
        select quarantine_reason, quarantine_column, count(*), min(record_key, {MAX_EXAMPLES})
        from {checked}
        where record_status = 'quarantined'
        group by all
        order by 1, 2
        """
    ).fetchall()
    for reason, column, n, examples in rows:
        detail = REASON_DETAILS.get(reason, reason)
        if reason == "unparseable_value":
            detail += f" ({table.column(column).data_type})"
        if reason == "future_dated":
            detail += f" ({as_of.isoformat()})"
        if reason == "invalid_enum":
            detail += f": allowed {', '.join(table.column(column).accepted_values or ())}"
        found.append(
            Finding(table.name, column, reason, n, _examples(examples), QUARANTINED, detail + "; row quarantined")
        )
    key = ", ".join(table.key_columns)
    dup = con.execute(
        f"select coalesce(sum(raw_copies - 1), 0), min(record_key, {MAX_EXAMPLES}) filter (where raw_copies > 1) "
        f"from {checked}"
    ).fetchall()[0]
    if dup[0]:
        found.append(
            Finding(
                table.name,
                key,
                "exact_duplicate",
                int(dup[0]),
                _examples(dup[1]),
                REMOVED,
                "identical copies of a row; the first copy is kept, the others are not staged",
            )
        )
    if spec.version:
        sup = con.execute(
            f"select count(*), min(record_key, {MAX_EXAMPLES}) from {checked} where record_status = 'superseded'"
        ).fetchall()[0]
        if sup[0]:
            found.append(
                Finding(
                    table.name,
                    spec.version,
                    "superseded",
                    sup[0],
                    _examples(sup[1]),
                    SUPERSEDED,
                    f"an older version of a re-sent row (a newer {spec.version} exists for the key); "
                    "the latest version wins",
                )
            )
        blank = con.execute(
            f"select count(*), min(record_key, {MAX_EXAMPLES}) from {checked} where has_blank_version"
        ).fetchall()[0]
        if blank[0]:
            found.append(
                Finding(
                    table.name,
                    spec.version,
                    "blank_version",
                    blank[0],
                    _examples(blank[1]),
                    ADJUSTED,
                    f"{spec.version} blank: the row cannot be ordered against re-sends of its key, is never "
                    "superseded, and two blank-version rows of one key are quarantined as duplicate_key",
                )
            )
        several = con.execute(
            f"""
            select coalesce(sum(n), 0), min(record_key, {MAX_EXAMPLES}) from (
                select record_key, count(*) as n from {checked} where record_status = 'valid'
                group by record_key having count(*) > 1
            ) as keys
            """
        ).fetchall()[0]
        if several[0]:
            found.append(
                Finding(
                    table.name,
                    spec.version,
                    "several_valid_versions",
                    several[0],
                    _examples(several[1]),
                    UNUSABLE,
                    f"keys with a blank-{spec.version} row beside another version: staging keeps both as valid, "
                    f"which breaks the staged table's unique key (the build's tests fail); fill in "
                    f"{spec.version} on every row",
                    ERROR,
                )
            )
    return found


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, tuple[str, ...]]:
    n, examples = con.execute(f"select count(*), min(k, {MAX_EXAMPLES}) from ({sql}) as matched").fetchall()[0]
    return int(n), _examples(examples)


# Silent adjustments of staging and the intermediate models, run on the valid rows of the files.
# (table, column, rule, detail, SQL selecting one key `k` per affected row)
_NOTES_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_NOTES_PHONE = r"(\+|\b00)[0-9]{1,3}([ .-]?\(?[0-9]{1,5}\)?){2,6}|(\(|\b)[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}\b"


def _adjustment_rules() -> list[tuple[str, str, str, str, str]]:
    leads = f"(select * from {_t('checked_leads')} where record_status = 'valid')"
    events = f"(select * from {_t('checked_lead_stage_events')} where record_status = 'valid')"
    orders = f"(select * from {_t('checked_orders')} where record_status = 'valid')"
    campaigns = f"(select * from {_t('checked_campaigns')} where record_status = 'valid')"
    first_events = f"""
        (select
            lead_id,
            min(case when stage = 'mql' then changed_at end) as mql,
            min(case when stage = 'sql' then changed_at end) as sql_,
            min(case when stage = 'opportunity' then changed_at end) as opp,
            min(case when stage = 'won' then changed_at end) as won
         from {events} group by lead_id)"""
    undated = [
        (
            table,
            column,
            "blank_event_time",
            f"{column} blank: not quarantined (only a value that does not parse is), but the row has no "
            "date to be counted in any day, week or month of the KPIs",
            f"select record_key as k from {_t(f'checked_{table}')} where record_status = 'valid' and {column} is null",
        )
        for table, (column,) in EVENT_TIME.items()
    ]
    return undated + [
        (
            "campaigns",
            "budget_currency",
            "budget_not_converted",
            "budget_amount given but no fx rate for budget_currency on start_date: "
            "the budget in the reporting currency is left null (the row is kept)",
            f"select campaign_id as k from {campaigns} where budget_amount is not null and rate_to_usd is null",
        ),
        (
            "leads",
            "declared_budget_currency",
            "declared_budget_not_converted",
            "declared_budget given but no fx rate for declared_budget_currency on the creation day: "
            "the budget in the reporting currency is left null and the lead's budget fit scores as 'unknown'",
            f"select lead_id as k from {leads} where declared_budget is not null and rate_to_usd is null",
        ),
        (
            "leads",
            "notes",
            "notes_redacted",
            "notes contain an email address or a phone number: replaced by [redacted-email] / [redacted-phone]",
            f"select lead_id as k from {leads} where regexp_matches(raw_notes, '{_NOTES_EMAIL}') "
            f"or regexp_matches(raw_notes, '{_NOTES_PHONE}')",
        ),
        (
            "leads",
            "assigned_at",
            "assigned_before_created",
            "assigned_at earlier than created_at: hours to assignment clamped to 0 (int_leads_followed_up)",
            f"select lead_id as k from {leads} where assigned_at < created_at",
        ),
        (
            "leads",
            "first_responded_at",
            "responded_before_created",
            "first_responded_at earlier than created_at: hours to first response clamped to 0, "
            "counted within SLA (int_leads_followed_up)",
            f"select lead_id as k from {leads} where first_responded_at < created_at",
        ),
        (
            "leads",
            "seniority",
            "scored_as_unknown",
            "seniority blank: the lead's fit score uses the 'unknown' seniority points (int_leads_scored)",
            f"select lead_id as k from {leads} where seniority is null",
        ),
        (
            "leads",
            "company_size",
            "scored_as_unknown",
            "company_size blank: the lead's fit score uses the 'unknown' company-size points (int_leads_scored)",
            f"select lead_id as k from {leads} where company_size is null",
        ),
        (
            "leads",
            "declared_budget",
            "scored_as_unknown",
            "declared_budget blank: the lead's fit score uses the 'unknown' budget band (int_leads_scored)",
            f"select lead_id as k from {leads} where declared_budget is null",
        ),
        (
            "lead_stage_events",
            "changed_at",
            "stage_before_lead_created",
            "a stage event dated before its lead's created_at: the stage time is clamped to created_at "
            "(int_leads_lifecycle)",
            f"select e.stage_event_id as k from {events} as e join {leads} as l on e.lead_id = l.lead_id "
            "where e.stage != 'lead' and e.changed_at < l.created_at",
        ),
        (
            "lead_stage_events",
            "stage",
            "stage_implied_by_later_stage",
            "a lead's mql/sql/opportunity time is taken from a later stage's earlier (or only) event: "
            "the implied-min rule keeps the funnel monotone (int_leads_lifecycle)",
            f"""select f.lead_id as k from {first_events} as f join {leads} as l on f.lead_id = l.lead_id
                where (coalesce(least(f.sql_, f.opp, f.won) < f.mql, false)
                       or (f.mql is null and coalesce(f.sql_, f.opp, f.won) is not null))
                   or (coalesce(least(f.opp, f.won) < f.sql_, false)
                       or (f.sql_ is null and coalesce(f.opp, f.won) is not null))
                   or (coalesce(f.won < f.opp, false) or (f.opp is null and f.won is not null))""",
        ),
        (
            "leads",
            "customer_id",
            "won_without_customer_id",
            "a lead with a won stage event but a blank customer_id: counted as won, never as a customer "
            "(no acquisition, no revenue, no CAC)",
            f"select distinct l.lead_id as k from {leads} as l join {events} as e on l.lead_id = e.lead_id "
            "where e.stage = 'won' and l.customer_id is null",
        ),
        (
            "leads",
            "customer_id",
            "won_at_first_order",
            "a lead with a customer_id but no won stage event: won at its customer's first order (int_leads_lifecycle)",
            f"""select l.lead_id as k from {leads} as l
                where l.customer_id is not null
                  and l.lead_id not in (select lead_id from {events} where stage = 'won')
                  and l.customer_id in (select customer_id from {orders})""",
        ),
        (
            "leads",
            "customer_id",
            "customer_never_won",
            "a lead with a customer_id but neither a won stage event nor any valid order: never won, "
            "so the account is not a customer",
            f"""select l.lead_id as k from {leads} as l
                where l.customer_id is not null
                  and l.lead_id not in (select lead_id from {events} where stage = 'won')
                  and l.customer_id not in (select customer_id from {orders})""",
        ),
        (
            "leads",
            "customer_id",
            "customer_shared_by_leads",
            "several leads carry the same customer_id: only the earliest won one acquires the customer "
            "(keys are the customer_ids)",
            f"select customer_id as k from {leads} where customer_id is not null "
            "group by customer_id having count(*) > 1",
        ),
    ]


def _data_dir(files: Mapping[str, _LocatedFile]) -> Path | None:
    """The data directory the files were located in (None for the embedded dataset, seeds/raw)."""
    parents = {Path(loc).resolve().parent for f in files.values() if (loc := getattr(f, "location", None))}
    if len(parents) != 1:
        return None if not parents else min(parents, key=lambda p: len(p.parts))
    (parent,) = parents
    return None if parent == paths.raw_seed_dir().resolve() else parent


def findings(
    con: duckdb.DuckDBPyConnection,
    files: Mapping[str, _LocatedFile],
    as_of: datetime.date,
    *,
    data_dir: Path | None = None,
    source_time_zones: Mapping[str, str] | None = None,
    reporting_currency: str | None = None,
) -> list[Finding]:
    """Everything staging would quarantine or change in `files`, before they are loaded.

    `files` maps raw table names to located files (ingest.TableFile: `reader_sql` reads them);
    tables not in `files` are treated as absent (no rows). `as_of` is the build's as-of date
    (rows dated after it are future_dated). The fx rates are the ones the build will load
    (reference_data.plan_reference): `<data_dir>/reference/fx_rates.csv`, else none (only the
    reporting currency converts, at 1); for files in seeds/raw, seeds/reference/fx_rates.csv.
    `data_dir` defaults to the directory the files were located in. Naive timestamps are read in
    `source_time_zones` (table -> IANA zone; default: MKPI_SOURCE_TIMEZONE(S), as dbt reads them).
    The connection's session time zone is set to UTC while it runs and restored after; temporary
    tables named __preflight_* are dropped at the end.
    """
    contract = load_contract()
    specs = _specs(reporting_currency)
    zones = dict(source_time_zones) if source_time_zones is not None else source_time_zones_from_env()
    located = data_dir if data_dir is not None else _data_dir(files)
    fx_rates = reference_data.plan_reference(located)["fx_rates"][0]
    previous_tz = con.execute("select current_setting('TimeZone')").fetchall()[0][0]
    con.execute("set TimeZone = 'UTC'")
    created: list[str] = [_FX, _t("customers"), *(_t(name) for name, _ in _LOOKUP_TABLES.values())]
    found: list[Finding] = []
    try:
        _create_lookup_tables(con, fx_rates)
        row_counts: dict[str, tuple[int, int]] = {}
        for name in ORDER:
            table, spec = contract[name], specs[name]
            # An absent table is checked as an empty one, so later lookups and rules see no rows.
            reader = files[name].reader_sql if name in files else _empty_reader(table)
            checked = _t(f"checked_{name}")
            created.append(checked)
            provided = row_counts.get("campaigns", (0, 0))[0] > 0
            sql = _checked_sql(table, spec, reader, as_of, zones.get(name, "UTC"), provided)
            con.execute(f"create or replace temp table {checked} as {sql}")
            _fill_lookup_table(con, name)
            found.extend(_bookkeeping_findings(con, table, spec, as_of))
            total, valid = con.execute(
                f"select coalesce(sum(raw_copies), 0), count(*) filter (where record_status = 'valid') from {checked}"
            ).fetchall()[0]
            row_counts[name] = (int(total), int(valid))
        for table, column, rule, detail, sql in _adjustment_rules():
            n, examples = _count(con, sql)
            if n:
                found.append(Finding(table, column, rule, n, examples, ADJUSTED, detail))
        found.extend(_usability_findings(contract, files, row_counts))
    finally:
        for name in created:
            con.execute(f"drop table if exists {name}")
        con.execute(f"set TimeZone = '{previous_tz}'")
    return found


def _usability_findings(
    contract: Mapping[str, Table],
    files: Mapping[str, _LocatedFile],
    row_counts: Mapping[str, tuple[int, int]],
) -> list[Finding]:
    found: list[Finding] = []
    for name in ORDER:
        table = contract[name]
        total, valid = row_counts.get(name, (0, 0))
        if table.is_required and total == 0:
            found.append(
                Finding(
                    name,
                    "",
                    "required_table_empty",
                    0,
                    (),
                    UNUSABLE,
                    f"{name} is required and has no row" + ("" if name in files else " (no file)"),
                    ERROR,
                )
            )
        elif total and not valid:
            missing = [r for r in table.requires if row_counts.get(r, (0, 0))[1] == 0]
            because = f"; it is checked against {', '.join(missing)}, which has no valid row" if missing else ""
            found.append(
                Finding(
                    name,
                    "",
                    "no_valid_rows",
                    total,
                    (),
                    UNUSABLE,
                    f"every one of the {total:,} rows is quarantined, removed or superseded{because}",
                    ERROR,
                )
            )
    return found


def format_findings(found: list[Finding]) -> list[str]:
    """One text line per finding, errors first, then by table in load order."""
    if not found:
        return ["preflight: no findings (staging will neither quarantine nor change any row)"]
    rank = {name: i for i, name in enumerate(ORDER)}
    ordered = sorted(found, key=lambda f: (f.severity != ERROR, rank.get(f.table, 99), f.effect, f.rule, f.column))
    lines = []
    for f in ordered:
        where = f"{f.table}.{f.column}" if f.column else f.table
        examples = f" (e.g. {', '.join(f.examples)})" if f.examples else ""
        rows = f"{f.rows:,} row{'s' if f.rows != 1 else ''}"
        lines.append(f"{f.severity}: {where}: {f.rule}: {rows} {f.effect}: {f.detail}{examples}")
    return lines
