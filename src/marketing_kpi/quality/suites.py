"""The audit's expectation suites, as code.

Suites are generated, not hand-listed: raw suites from the raw data contract
(models/staging/raw__sources.yml), KPI-mart suites from the dbt manifest (public models under
models/marts/kpi, with their contract columns, data types and grain tests). What is written by hand
is the short rule list below (naming conventions -> rules) and a few per-table overrides, each with
its reason. The suites check what the dbt tests do not: shapes and dirt *rates* of the raw exports
before staging cleans them, row-volume bands, freshness, schema drift against the contracts and
the project-wide conventions (rates are 0-1 fractions, money and counts are non-negative).

Every raw table gets two suites, because Great Expectations validates one dataframe per suite:

``raw.<table>``        the table as exported (text): exact column set, row-volume band, key null
                       rate, parseable values and enum values (by shape), PII-column shapes.
``raw.<table>.typed``  the same rows cast to the contract types with DuckDB's ``try_cast``
                       (unparseable -> null): freshness, future-dated rows, value ranges and
                       cross-column rules (clicks <= impressions, sent >= delivered >= opened ...).

Every KPI mart gets two suites as well:

``kpi.<mart>``         the data: exact column set, non-null grain, row-volume band, freshness of
                       the latest period, rates in [0, 1], non-negative money/counts/durations,
                       funnel stages that never grow downstream.
``kpi.<mart>.schema``  one row per column from DuckDB's catalog joined with the manifest
                       contract: every contract column exists with its declared data type.

Partial data (bring your own data with only some raw tables): a raw table is *provided* when it
holds at least one row; `channels` (``meta: required: true`` in the contract) must always be.
Volume and freshness expectations describe data that exists, so they apply only where the data
comes from provided tables (see Provision): a raw table that is not provided gets neither; a KPI
mart whose raw inputs (its dbt lineage, walked up to the sources) are all provided gets both; a
mart fed by provided and unprovided tables may legitimately be empty, so its row count is relaxed
to min 0 and its freshness skipped; a mart none of whose inputs is provided gets neither. Every
skipped or relaxed expectation is recorded on its suite (SuiteSpec.skipped) with the reason, and
ends in the audit report and the published metadata. Everything else (column set, key and column
rules, cross-column rules, the schema suites) runs on empty tables too, and passes on zero rows.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import great_expectations as gx
import yaml
from great_expectations.expectations import Expectation
from great_expectations.expectations.row_conditions import Column as RowColumn

from marketing_kpi import paths
from marketing_kpi.contract import Column, Table, load_contract

E = gx.expectations

# --------------------------------------------------------------------------------------------------
# The rule list: thresholds and naming conventions (read this first)
# --------------------------------------------------------------------------------------------------

#: Dirt-rate ceilings for raw exports (``mostly`` = the share of rows that must pass). The embedded
#: dataset injects ~0.2-1 % dirt per kind (seeds/raw/_dirt_manifest.json); staging cleans or
#: quarantines it. The audit fails when an export is much dirtier than that.
RAW_DIRT_CEILINGS: dict[str, float] = {
    "key_not_null": 0.99,  # key null rate <= 1 %
    "parseable": 0.99,  # values castable to the contract type (dates, numbers, booleans)
    "enum_in_accepted_set": 0.95,  # after trim + lower-case + '_'/'-'/' ' folding (clean_enum)
    "not_future_dated": 0.99,  # events dated after the as-of date
    "cross_column": 0.99,  # clicks <= impressions, sent >= delivered, ...
    "non_negative": 0.99,  # counts, durations
    "pii_shape": 0.95,  # an email looks like an email (checked on masked values)
}

#: Rate columns (``*_rate``) that are NOT 0-1 fractions, with the reason documented in their yml.
RATES_ALLOWED_OUTSIDE_0_1: dict[str, str] = {
    "budget_variance_rate": "(actual - planned) / planned: negative when under budget",
    "budget_pacing_rate": "spend to date / linear plan to date: above 1 when ahead of plan",
    "budget_used_rate": "lifetime spend / budget: above 1 when the budget was overspent",
    "net_revenue_retention_rate": "above 1 when expansion outweighs churn",
}

#: Money columns that may be negative (signed by definition).
MONEY_ALLOWED_NEGATIVE = re.compile(r"(variance|refund|return_on_investment|overstatement)")

#: Money columns that are net of refunds: a single row (a day, a channel) can be negative when
#: refunds exceed new revenue, so they are checked as "mostly" non-negative.
NET_REVENUE = re.compile(r"(revenue|lifetime_value)")
NET_REVENUE_MOSTLY = 0.95

#: Signed counts (differences of two counts).
COUNTS_ALLOWED_NEGATIVE = re.compile(r"(overstatement|variance)")

#: Durations: never negative (a lead is won after it was created, an answer comes after assignment).
DURATION = re.compile(r"(^|_)(days|hours|seconds)(_|$)")

#: Funnel stages in order. In a cohort-grained mart (grain column named *cohort*) or an all-time mart
#: (no date in the grain) an earlier stage is >= a later one. Period marts count each stage in the
#: period it was reached, so a period can show more SQLs than MQLs; they are not checked.
FUNNEL_STAGES: tuple[tuple[str, ...], ...] = (
    ("leads",),
    ("marketing_qualified_leads",),
    ("sales_qualified_leads",),
    ("opportunities",),
    ("won_deals", "customers"),
)

#: The grain's date column decides the period freshness is measured in.
PERIOD_OF_SUFFIX: dict[str, str] = {"_month": "month", "_week": "week", "_day": "day", "_date": "day"}


@dataclass(frozen=True)
class MartOverride:
    """Hand-written exceptions for one KPI mart; every field carries its reason."""

    unbounded_rates: tuple[str, ...] = ()
    nullable_grain_columns: tuple[str, ...] = ()
    reason: str = ""


#: Per-mart overrides. A mart that is renamed loses its override, so the audit fails loudly.
MART_OVERRIDES: dict[str, MartOverride] = {
    "kpi_funnel_conversion__monthly": MartOverride(
        unbounded_rates=(
            "lead_to_mql_rate",
            "mql_to_sql_rate",
            "sql_to_opportunity_rate",
            "opportunity_to_won_rate",
            "lead_to_customer_rate",
        ),
        reason="period flow rates: stages reached in the month over the earlier stage reached in "
        "the month, documented as 'may exceed 1' (a month can convert a backlog)",
    ),
    "kpi_lead_follow_up__monthly": MartOverride(
        nullable_grain_columns=("owner_id",),
        reason="leads never assigned are grouped under a null owner_id, as documented (the grain "
        "test counts a null as one value)",
    ),
}


@dataclass(frozen=True)
class RawOverride:
    """Hand-written extras for one raw table."""

    #: (column_a, column_b): a >= b for rows where both are present.
    greater_or_equal: tuple[tuple[str, str], ...] = ()
    #: (column, min, max) bounds on typed values.
    between: tuple[tuple[str, float | None, float | None], ...] = ()
    #: Non-PII free-text columns that may still contain contact details: masked like PII.
    masked: tuple[str, ...] = ()


RAW_OVERRIDES: dict[str, RawOverride] = {
    "ad_performance": RawOverride(
        greater_or_equal=(("impressions", "clicks"),),
        between=(("spend", 0, None),),
    ),
    "email_sends": RawOverride(
        greater_or_equal=(
            ("emails_sent", "emails_delivered"),
            ("emails_delivered", "emails_opened"),
            ("emails_opened", "emails_clicked"),
            ("emails_sent", "emails_bounced"),
        ),
    ),
    "campaigns": RawOverride(greater_or_equal=(("end_date", "start_date"),), between=(("budget_amount", 0, None),)),
    "leads": RawOverride(
        greater_or_equal=(("assigned_at", "created_at"), ("first_responded_at", "assigned_at")),
        between=(("declared_budget", 0, None),),
        masked=("notes",),  # sales type contact details into notes (contract: "may contain")
    ),
    "web_sessions": RawOverride(between=(("pageviews", 0, None), ("engaged_seconds", 0, None))),
    "survey_responses": RawOverride(between=(("score", 0, 10),)),
}

#: ASCII whitespace, spelled out instead of \s: pandas runs a regex containing \s through Python's
#: `re` row by row (RE2's \s differs on rare characters) and any other through pyarrow, 5-15x
#: faster on scale L's 10M-row text columns. Unicode spaces such as U+00A0 no longer count as
#: surrounding whitespace, which matches staging (trim removes spaces; the cast then fails).
_WS_CHARS = r" \t\n\r\f\v"
WS = f"[{_WS_CHARS}]"
#: Shape of a PII value, checked on the masked value (letters -> x, digits -> 9).
PII_SHAPES: dict[str, str] = {"email": rf"^[^@{_WS_CHARS}]+@[^@{_WS_CHARS}]+\.[^@{_WS_CHARS}]+$"}

# --------------------------------------------------------------------------------------------------
# Suite specifications
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """An expectation the audit did not run as written, and why ("raw.orders not provided")."""

    suite: str
    table: str
    expectation: str
    column: str | None
    action: str  # "skipped" (not run) | "relaxed" (run with a looser bound, in `detail`)
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Provision:
    """Which raw tables this build's input provided, measured in the build database.

    `rows`: relation (``raw.orders``) -> row count (0 when empty; a relation missing from the
    database counts as 0 and is listed in `missing`). `required`: relations that must always be
    provided (the contract's ``meta: required: true``); their volume expectation always runs, so
    an empty required table fails. A KPI mart's inputs are on the Mart (raw_inputs)."""

    rows: dict[str, int]
    required: frozenset[str] = frozenset()
    missing: frozenset[str] = frozenset()
    #: relation -> average days between consecutive event days (contract.EVENT_COLUMN): a table of
    #: a few rows a month is not stale a week after its last row (see freshness_window).
    event_day_spacing: dict[str, float] = field(default_factory=dict)

    def freshness_window(self, relation: str, days: int) -> int:
        """The freshness window of a provided table: the configured days, or three times the table's
        average spacing between event days when that is longer (sparse exports: a handful of orders
        a month, a quarterly survey)."""
        spacing = self.event_day_spacing.get(relation)
        return max(days, math.ceil(3 * spacing)) if spacing else days

    def is_provided(self, relation: str) -> bool:
        return self.rows.get(relation, 0) > 0

    def expects_rows(self, relation: str) -> bool:
        return self.is_provided(relation) or relation in self.required


@dataclass
class SuiteSpec:
    """One suite and how to read the dataframe it validates."""

    name: str
    table: str  # the relation audited, schema.table
    layer: str  # raw | kpi
    select_sql: str  # DuckDB SQL that returns the dataframe (PII already masked)
    key_columns: tuple[str, ...]  # printed as sample keys of failing rows
    expectations: list[Expectation] = field(default_factory=list)
    #: Columns whose values must never be printed (masked in select_sql; listed for the report).
    masked_columns: tuple[str, ...] = ()
    #: Builds the dataframe in Python instead of select_sql (schema suites).
    frame_builder: str | None = None
    #: Expectations left out or relaxed for this data, each with its reason (partial data).
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class AuditSettings:
    """Resolved settings (see audit_settings.yml)."""

    as_of_date: dt.date
    raw_freshness_days: int
    kpi_freshness_days: int
    future_slack_days: int
    volume_bands: dict[str, dict[str, tuple[int | None, int | None]]]
    #: Per-table freshness windows (raw table or KPI mart name -> days; None: no freshness check),
    #: overriding raw_freshness_days / kpi_freshness_days (`freshness_days.tables` in the yml).
    freshness_by_table: dict[str, int | None] = field(default_factory=dict)

    def freshness_days(self, layer: str, table: str) -> int | None:
        """The freshness window of one table: its own setting, else its layer's."""
        if table in self.freshness_by_table:
            return self.freshness_by_table[table]
        return self.raw_freshness_days if layer == "raw" else self.kpi_freshness_days


def default_settings_file() -> Path:
    return Path(__file__).with_name("audit_settings.yml")


def dirt_manifest_file() -> Path:
    return paths.raw_seed_dir() / "_dirt_manifest.json"


def _dbt_var_as_of_date() -> tuple[str | None, str | None]:
    """The dbt var as_of_date as dbt would resolve it, split in two: (the value set for this run, the
    project's default). A literal is a value set; `env_var('NAME', 'default')` is set when NAME is."""
    project = yaml.safe_load((paths.PROJECT_ROOT / "dbt_project.yml").read_text())
    value = (project.get("vars") or {}).get("as_of_date")
    if not value:
        return None, None
    match = re.search(r"env_var\(\s*['\"](\w+)['\"]\s*(?:,\s*['\"]([^'\"]*)['\"])?\s*\)", str(value))
    if match:
        return os.environ.get(match.group(1)) or None, match.group(2) or None
    return str(value), None


def load_settings(
    settings_file: Path | None = None,
    *,
    as_of_date: str | None = None,
    use_volume_bands: bool = True,
) -> AuditSettings:
    """Read the audit settings, resolving the as-of date and the volume bands."""
    doc = yaml.safe_load((settings_file or default_settings_file()).read_text()) or {}
    manifest = json.loads(dirt_manifest_file().read_text()) if dirt_manifest_file().exists() else {}

    # --as-of-date, else the as-of date this run's dbt build used when it was set (MKPI_AS_OF_DATE),
    # else the settings file's, else the dbt project's default. (The project's default used to
    # win over the file, so a settings file's as_of_date had no effect.)
    run_value, project_default = _dbt_var_as_of_date()
    choice = as_of_date or run_value or doc.get("as_of_date") or project_default or "today"
    choice = str(choice.isoformat() if isinstance(choice, dt.date) else choice)
    if choice == "today":
        as_of = dt.date.today()
    elif choice == "data_end":
        if "end" not in manifest:
            raise ValueError("as_of_date: data_end needs seeds/raw/_dirt_manifest.json (embedded data)")
        as_of = dt.date.fromisoformat(manifest["end"])
    else:
        as_of = dt.date.fromisoformat(choice)

    fresh = doc.get("freshness_days") or {}
    bands_doc = doc.get("volume_bands") or {}
    tolerance = float(bands_doc.get("tolerance", 0.5))
    bands: dict[str, dict[str, tuple[int | None, int | None]]] = {"raw": {}, "kpi": {}}
    if use_volume_bands:
        if bands_doc.get("raw_from_dirt_manifest") and manifest.get("rows"):
            for table, rows in manifest["rows"].items():
                if "." not in table:
                    bands["raw"][table] = (int(rows * (1 - tolerance)), int(rows * (1 + tolerance)) + 1)
        for layer in ("raw", "kpi"):
            for table, band in (bands_doc.get(layer) or {}).items():
                bands[layer][table] = (band.get("min"), band.get("max"))
    by_table: dict[str, int | None] = {}
    for table, days in (fresh.get("tables") or {}).items():
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
            raise ValueError(f"freshness_days.tables.{table}: expected a number of days >= 0 or null, got {days!r}")
        by_table[str(table)] = days
    return AuditSettings(
        as_of_date=as_of,
        raw_freshness_days=int(fresh.get("raw", 7)),
        kpi_freshness_days=int(fresh.get("kpi", 7)),
        future_slack_days=int(fresh.get("future_slack", 1)),
        volume_bands=bands,
        freshness_by_table=by_table,
    )


def _row_count(layer: str, table: str, settings: AuditSettings, *, may_be_empty: bool = False) -> Expectation:
    low, high = settings.volume_bands.get(layer, {}).get(table, (1, None))
    return E.ExpectTableRowCountToBeBetween(min_value=0 if may_be_empty else max(low or 0, 1), max_value=high)


_ROW_COUNT = "expect_table_row_count_to_be_between"
_COLUMN_MAX = "expect_column_max_to_be_between"


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


# ---- raw -----------------------------------------------------------------------------------------


_TYPE_PATTERNS: dict[str, str] = {
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "timestamp": r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    + WS
    + r"*(?:Z|[+-]\d{2}(?::?\d{2})?)?$",
    "integer": r"^[+-]?\d+$",
    "bigint": r"^[+-]?\d+$",
    "decimal": r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$",
    "double": r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$",
    "boolean": r"^(?i:true|false|t|f|yes|no|y|n|1|0)$",
}


def _base_type(data_type: str) -> str:
    return data_type.lower().split("(")[0].strip()


def enum_regex(accepted: Iterable[str]) -> str:
    """A regex matching the accepted values the way staging's clean_enum normalises them:
    surrounding spaces ignored, any case, '_', '-' and ' ' interchangeable."""
    alternatives = ["".join("[ _-]" if ch in "_- " else re.escape(ch) for ch in value) for value in accepted]
    return "^" + WS + "*(?i:" + "|".join(alternatives) + ")" + WS + "*$"


def _mask_sql(column: str) -> str:
    # Letters -> x, digits -> 9: the value's shape survives (an email still looks like one), the
    # person does not. PII never leaves DuckDB unmasked, so it cannot reach results or Data Docs.
    return f"regexp_replace(regexp_replace(\"{column}\", '[A-Za-z]', 'x', 'g'), '[0-9]', '9', 'g')"


def _sql_type(data_type: str) -> str:
    return {"timestamp": "timestamptz"}.get(_base_type(data_type), data_type)


def _typed_sql(column: Column) -> str:
    expr = f'try_cast(trim(cast("{column.name}" as varchar)) as {_sql_type(column.data_type)})'
    if _base_type(column.data_type) == "timestamp":
        expr = f"timezone('UTC', {expr})"  # offsets normalised to UTC, as staging does
    return f'{expr} as "{column.name}"'


def _freshness_column(table_doc: dict[str, Any]) -> str | None:
    config = table_doc.get("config") or {}
    if "freshness" in config and config["freshness"] is None:
        return None
    match = re.search(r"cast\((\w+)", str(config.get("loaded_at_field") or ""))
    return match.group(1) if match else None


def _contract_table_docs() -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load(paths.contract_file().read_text())
    source = next(s for s in doc["sources"] if s["name"] == "raw")
    return {t["name"]: t for t in source["tables"]}


def raw_suites(
    settings: AuditSettings,
    contract: dict[str, Table] | None = None,
    schema: str = "raw",
    provision: Provision | None = None,
) -> list[SuiteSpec]:
    """Two suites per raw table of the contract: as exported, and typed. With a `provision`, a
    table that is not provided (and not required) gets no volume and no freshness expectation,
    each recorded in the suite's `skipped`."""
    contract = contract or load_contract()
    table_docs = _contract_table_docs()
    ceilings = RAW_DIRT_CEILINGS
    specs: list[SuiteSpec] = []
    for table in contract.values():
        override = RAW_OVERRIDES.get(table.name, RawOverride())
        masked = tuple(table.pii_columns) + override.masked
        keys = tuple(table.key_columns)
        relation = f"{schema}.{table.name}"

        # -- as exported ---------------------------------------------------------------------
        select = ", ".join(f'{_mask_sql(c)} as "{c}"' if c in masked else f'"{c}"' for c in table.column_names)
        exported = SuiteSpec(
            name=f"raw.{table.name}",
            table=relation,
            layer="raw",
            select_sql=f"select {select} from {relation}",
            key_columns=keys,
            masked_columns=masked,
        )
        ex = exported.expectations
        ex.append(E.ExpectTableColumnsToMatchSet(column_set=table.column_names, exact_match=True))
        absent = provision is not None and not provision.expects_rows(relation)
        not_provided = f"{relation} not provided (0 rows)"
        if absent:
            exported.skipped.append(Skipped(exported.name, relation, _ROW_COUNT, None, "skipped", not_provided))
        else:
            ex.append(_row_count("raw", table.name, settings))
        for key in keys:
            ex.append(E.ExpectColumnValuesToNotBeNull(column=key, mostly=ceilings["key_not_null"]))
        for column in table.columns:
            pattern = _TYPE_PATTERNS.get(_base_type(column.data_type))
            if pattern and column.name not in masked:
                ex.append(
                    E.ExpectColumnValuesToMatchRegex(
                        column=column.name,
                        regex="^" + WS + "*" + pattern[1:-1] + WS + "*$",
                        mostly=ceilings["parseable"],
                    )
                )
            if column.accepted_values:
                ex.append(
                    E.ExpectColumnValuesToMatchRegex(
                        column=column.name,
                        regex=enum_regex(column.accepted_values),
                        mostly=ceilings["enum_in_accepted_set"],
                    )
                )
            if column.name in PII_SHAPES and column.name in masked:
                ex.append(
                    E.ExpectColumnValuesToMatchRegex(
                        column=column.name, regex=PII_SHAPES[column.name], mostly=ceilings["pii_shape"]
                    )
                )
        specs.append(exported)

        # -- typed -----------------------------------------------------------------------------
        typed_columns = [c for c in table.columns if c.name not in masked and _base_type(c.data_type) != "varchar"]
        freshness = _freshness_column(table_docs.get(table.name, {}))
        checks: list[Expectation] = []
        skipped: list[Skipped] = []
        if freshness:
            days = settings.freshness_days("raw", table.name)
            typed_name = f"raw.{table.name}.typed"
            # Up to the END of the slack day (exports of the as-of day's rows run the next morning).
            future = settings.as_of_date + dt.timedelta(days=settings.future_slack_days + 1)
            if absent:
                skipped.append(Skipped(typed_name, relation, _COLUMN_MAX, freshness, "skipped", not_provided))
            elif days is None:
                reason = f"freshness of {relation} switched off (freshness_days.tables.{table.name}: null)"
                skipped.append(Skipped(typed_name, relation, _COLUMN_MAX, freshness, "skipped", reason))
            else:
                if provision is not None:
                    days = provision.freshness_window(relation, days)
                horizon = settings.as_of_date - dt.timedelta(days=days)
                # The newest row that is not future-dated: one dirty far-future timestamp (staging
                # quarantines it) must not make a stale export look fresh.
                checks.append(
                    E.ExpectColumnMaxToBeBetween(
                        column=freshness,
                        min_value=_midnight(horizon),
                        row_condition=RowColumn(freshness) < _midnight(future),
                    )
                )
            checks.append(
                E.ExpectColumnValuesToBeBetween(
                    column=freshness,
                    max_value=_midnight(future),
                    strict_max=True,
                    mostly=ceilings["not_future_dated"],
                )
            )
        for column_a, column_b in override.greater_or_equal:
            checks.append(
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=column_a,
                    column_B=column_b,
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                    mostly=ceilings["cross_column"],
                )
            )
        bounded = {name for name, _, _ in override.between}
        for name, low, high in override.between:
            checks.append(
                E.ExpectColumnValuesToBeBetween(
                    column=name, min_value=low, max_value=high, mostly=ceilings["non_negative"]
                )
            )
        for column in typed_columns:
            if _base_type(column.data_type) in ("integer", "bigint") and column.name not in bounded:
                checks.append(
                    E.ExpectColumnValuesToBeBetween(column=column.name, min_value=0, mostly=ceilings["non_negative"])
                )
        if checks:
            key_sql = [f'"{k}"' for k in keys]
            value_sql = [_typed_sql(c) for c in typed_columns if c.name not in keys]
            specs.append(
                SuiteSpec(
                    name=f"raw.{table.name}.typed",
                    table=relation,
                    layer="raw",
                    select_sql=f"select {', '.join(key_sql + value_sql)} from {relation}",
                    key_columns=keys,
                    expectations=checks,
                    masked_columns=masked,
                    skipped=skipped,
                )
            )
    return specs


# ---- KPI marts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mart:
    """A public KPI mart as the dbt manifest describes it."""

    name: str
    schema: str
    alias: str
    columns: dict[str, str]  # name -> contract data_type, in contract order
    grain: tuple[str, ...]
    #: The raw relations (``raw.leads``) its lineage reads: dbt sources reached through depends_on.
    raw_inputs: tuple[str, ...] = ()


# Models that read every raw table only to say which were provided (the availability rule): a mart
# that nulls its KPIs through them does not take its data from those tables.
AVAILABILITY_MODELS = frozenset({"int_availability", "stg_meta__sources_provided"})


def mart_raw_inputs(manifest: dict[str, Any], source_name: str = "raw") -> dict[str, tuple[str, ...]]:
    """Every manifest node's raw inputs: the tables of the `source_name` dbt source (the raw data
    contract), as ``schema.identifier``, reached by walking depends_on.nodes upwards, sorted. Seeds
    (reference data), other sources and macros are not raw inputs, nor are the availability models
    (AVAILABILITY_MODELS), which count every raw table's rows."""
    nodes = manifest.get("nodes") or {}
    sources = {
        k: v for k, v in (manifest.get("sources") or {}).items() if v.get("source_name", source_name) == source_name
    }
    found: dict[str, frozenset[str]] = {}

    def inputs(unique_id: str) -> frozenset[str]:
        if unique_id in found:
            return found[unique_id]
        found[unique_id] = frozenset()  # a cycle (none in a valid dbt project) ends here
        if unique_id in sources:
            source = sources[unique_id]
            result = frozenset({f"{source['schema']}.{source.get('identifier') or source['name']}"})
        elif unique_id.startswith("source.") or (nodes.get(unique_id) or {}).get("name") in AVAILABILITY_MODELS:
            result = frozenset()
        else:
            parents = (nodes.get(unique_id) or {}).get("depends_on", {}).get("nodes") or []
            result = frozenset().union(*(inputs(parent) for parent in parents))
        found[unique_id] = result
        return result

    return {unique_id: tuple(sorted(inputs(unique_id))) for unique_id in nodes}


def discover_marts(manifest_path: Path) -> list[Mart]:
    """Public models under models/marts/kpi in the dbt manifest, with contract columns, grain
    (the unique_combination_of_columns test, else a single-column unique test) and raw inputs."""
    manifest = json.loads(manifest_path.read_text())
    nodes = manifest["nodes"]
    lineage = mart_raw_inputs(manifest)
    grains: dict[str, tuple[str, ...]] = {}
    for node in nodes.values():
        if node.get("resource_type") != "test" or not node.get("test_metadata"):
            continue
        meta, parent = node["test_metadata"], node.get("attached_node")
        if meta.get("name") == "unique_combination_of_columns":
            grains[parent] = tuple(meta["kwargs"]["combination_of_columns"])
        elif meta.get("name") == "unique" and node.get("column_name"):
            grains.setdefault(parent, (node["column_name"],))
    marts = []
    for unique_id, node in sorted(nodes.items()):
        if (
            node.get("resource_type") == "model"
            and node.get("access") == "public"
            and node.get("original_file_path", "").replace("\\", "/").startswith("models/marts/kpi/")
        ):
            marts.append(
                Mart(
                    name=node["name"],
                    schema=node["schema"],
                    alias=node.get("alias") or node["name"],
                    columns={c: (spec.get("data_type") or "") for c, spec in node["columns"].items()},
                    grain=grains.get(unique_id, ()),
                    raw_inputs=lineage.get(unique_id, ()),
                )
            )
    return marts


def _is_money(name: str, data_type: str) -> bool:
    return _base_type(data_type) in ("decimal", "numeric") or bool(
        re.search(r"(^cost_per_|_cost$|^average_order_value$|^average_revenue_per_account$|lifetime_value)", name)
    )


def _is_count(name: str, data_type: str) -> bool:
    return _base_type(data_type) in ("bigint", "integer", "hugeint", "smallint")


def _period_floor(day: dt.date, period: str) -> dt.date:
    if period == "month":
        return day.replace(day=1)
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    return day


def _period_column(mart: Mart) -> tuple[str, str] | None:
    """The grain's first date column and its period: from the column name (date_month -> month),
    else from the mart name (kpi_x__weekly -> week), else day."""
    by_name = {"daily": "day", "weekly": "week", "monthly": "month"}.get(mart.name.rsplit("_", 1)[-1], "day")
    for column in mart.grain:
        if _base_type(mart.columns.get(column, "")) != "date":
            continue
        for suffix, period in PERIOD_OF_SUFFIX.items():
            if column.endswith(suffix):
                return column, period
        return column, by_name
    return None


def _mart_coverage(mart: Mart, provision: Provision | None) -> tuple[str, str]:
    """("full" | "partial" | "none", reason): whether the mart's raw inputs were provided."""
    if provision is None or not mart.raw_inputs:
        return "full", ""
    provided = [r for r in mart.raw_inputs if provision.is_provided(r)]
    missing = [r for r in mart.raw_inputs if not provision.is_provided(r)]
    if not missing:
        return "full", ""
    if not provided:
        return "none", f"no input provided ({', '.join(missing)} not provided)"
    return "partial", f"{', '.join(missing)} not provided (its other inputs {', '.join(provided)} are)"


def mart_suites(settings: AuditSettings, marts: Sequence[Mart], provision: Provision | None = None) -> list[SuiteSpec]:
    """Two suites per KPI mart: the data and the schema. With a `provision`, a mart some of whose
    raw inputs were not provided gets its row count relaxed to min 0 and no freshness; one with no
    input provided gets neither; both recorded in the suite's `skipped`."""
    specs: list[SuiteSpec] = []
    for mart in marts:
        override = MART_OVERRIDES.get(mart.name, MartOverride())
        relation = f"{mart.schema}.{mart.alias}"
        spec = SuiteSpec(
            name=f"kpi.{mart.name}",
            table=relation,
            layer="kpi",
            select_sql=f"select * from {relation}",
            key_columns=mart.grain,
        )
        ex = spec.expectations
        ex.append(E.ExpectTableColumnsToMatchSet(column_set=list(mart.columns), exact_match=True))
        coverage, why = _mart_coverage(mart, provision)
        if coverage == "none":
            spec.skipped.append(Skipped(spec.name, relation, _ROW_COUNT, None, "skipped", why))
        else:
            row_count = _row_count("kpi", mart.name, settings, may_be_empty=coverage == "partial")
            ex.append(row_count)
            if coverage == "partial":
                detail = f"min_value=0 (may be empty), max_value={row_count.max_value}"
                spec.skipped.append(Skipped(spec.name, relation, _ROW_COUNT, None, "relaxed", why, detail))
        for column in mart.grain:
            if column not in override.nullable_grain_columns:
                ex.append(E.ExpectColumnValuesToNotBeNull(column=column))
        period = _period_column(mart)
        if period:
            column, unit = period
            days = settings.freshness_days("kpi", mart.name)
            if coverage != "full":
                spec.skipped.append(Skipped(spec.name, relation, _COLUMN_MAX, column, "skipped", why))
            elif days is None:
                reason = f"freshness of {relation} switched off (freshness_days.tables.{mart.name}: null)"
                spec.skipped.append(Skipped(spec.name, relation, _COLUMN_MAX, column, "skipped", reason))
            else:
                horizon = _period_floor(settings.as_of_date - dt.timedelta(days=days), unit)
                ex.append(E.ExpectColumnMaxToBeBetween(column=column, min_value=_midnight(horizon)))
        for name, data_type in mart.columns.items():
            if name.endswith("_rate") and name not in RATES_ALLOWED_OUTSIDE_0_1:
                if name not in override.unbounded_rates:
                    ex.append(E.ExpectColumnValuesToBeBetween(column=name, min_value=0, max_value=1))
            elif _is_money(name, data_type) and not MONEY_ALLOWED_NEGATIVE.search(name):
                mostly = NET_REVENUE_MOSTLY if NET_REVENUE.search(name) else 1.0
                ex.append(E.ExpectColumnValuesToBeBetween(column=name, min_value=0, mostly=mostly))
            elif DURATION.search(name) or (_is_count(name, data_type) and not COUNTS_ALLOWED_NEGATIVE.search(name)):
                ex.append(E.ExpectColumnValuesToBeBetween(column=name, min_value=0))
        if period is None or "cohort" in period[0]:
            present = [next((c for c in stage if c in mart.columns), None) for stage in FUNNEL_STAGES]
            stages = [c for c in present if c]
            for earlier, later in zip(stages, stages[1:], strict=False):
                ex.append(
                    E.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A=earlier, column_B=later, or_equal=True, ignore_row_if="either_value_is_missing"
                    )
                )
        specs.append(spec)

        schema_spec = SuiteSpec(
            name=f"kpi.{mart.name}.schema",
            table=relation,
            layer="kpi",
            select_sql="",
            key_columns=("column_name",),
            frame_builder="schema",
        )
        schema_spec.expectations += [
            E.ExpectColumnValuesToNotBeNull(column="contract_data_type"),  # no column beyond the contract
            E.ExpectColumnValuesToNotBeNull(column="database_data_type"),  # no contract column missing
            E.ExpectColumnPairValuesToBeEqual(
                column_A="contract_data_type", column_B="database_data_type", ignore_row_if="either_value_is_missing"
            ),
        ]
        specs.append(schema_spec)
    return specs


_TYPE_ALIASES = {
    "INT": "INTEGER",
    "INT4": "INTEGER",
    "INT8": "BIGINT",
    "LONG": "BIGINT",
    "STRING": "VARCHAR",
    "TEXT": "VARCHAR",
    "FLOAT8": "DOUBLE",
    "BOOL": "BOOLEAN",
    "NUMERIC": "DECIMAL",
}


def normalise_type(data_type: str | None) -> str | None:
    """'decimal(18, 2)' -> 'DECIMAL(18,2)', 'int8' -> 'BIGINT', 'text' -> 'VARCHAR'."""
    if not data_type:
        return None
    compact = re.sub(r"\s+", "", data_type.upper())
    head, _, rest = compact.partition("(")
    head = _TYPE_ALIASES.get(head, head)
    return f"{head}({rest}" if rest else head
