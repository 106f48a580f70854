"""KPI governance: the KPI registry, the rule that says which mart columns are KPIs, and checks of
the dbt manifest (registry ↔ marts, access and contracts, exposures, semantic-layer metrics).

The same rule runs inside dbt (tests/governance/assert_kpi_registry_matches_kpi_marts.sql) and
here, so `dbt build` and pytest agree on what a "KPI column" is:

    a column of a model under models/marts/kpi is a KPI column when its name ends in `_rate`,
    `_share` or `_ratio`, starts with `cost_per_`, `average_` or `lifetime_value`, or is one of
    KPI_COLUMN_NAMES. Columns that match the rule but are not registry KPIs (variants of a
    registered KPI, or assumptions) are listed with a reason in
    seeds/reference/kpi_column_exceptions.csv.

Paths come from `marketing_kpi.paths`; the manifest from DBT_TARGET_PATH (dbt's own variable for
--target-path) or <project>/target.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marketing_kpi.paths import PROJECT_ROOT, reference_seed_dir

KPI_MART_DIR = "models/marts/kpi/"
KPI_COLUMN_SUFFIXES = ("_rate", "_share", "_ratio")
KPI_COLUMN_PREFIXES = ("cost_per_", "average_", "lifetime_value")
KPI_COLUMN_NAMES = frozenset(
    {
        "return_on_ad_spend",
        "return_on_investment",
        "customer_acquisition_cost",
        "net_promoter_score",
        "cac_payback_months",
        "budget_variance",
        "pages_per_session",
        "orders_per_customer",
        "predictive_lifetime_value",
        "median_days_lead_to_won",
    }
)
DIRECTIONS = ("higher_is_better", "lower_is_better")
TIERS = ("strategic", "tactical", "operational")
CADENCES = ("daily", "weekly", "monthly", "quarterly")
AUDIENCES = ("executive", "marketing_manager", "channel_specialist")


@dataclass(frozen=True)
class Kpi:
    """One row of seeds/reference/kpi_registry.csv."""

    kpi_id: str
    display_name: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    direction: str
    tier: str
    review_cadence: str
    audience: str
    owner: str
    on_track_threshold: float
    warning_threshold: float
    # Tables the KPI needs ('|'-separated raw or reference table names) and the funnel stages it
    # counts ('|'-separated, '' = none): without them the KPI is not available (null, never 0).
    required_sources: str
    required_funnel_stages: str
    formula_macro: str
    mart_model: str
    mart_column: str
    metric_name: str


def registry_file() -> Path:
    return reference_seed_dir() / "kpi_registry.csv"


def exceptions_file() -> Path:
    return reference_seed_dir() / "kpi_column_exceptions.csv"


def load_registry(path: Path | None = None) -> list[Kpi]:
    """The KPI registry, in file order."""
    with (path or registry_file()).open(newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        Kpi(
            **{
                **row,
                "on_track_threshold": float(row["on_track_threshold"]),
                "warning_threshold": float(row["warning_threshold"]),
            }
        )
        for row in rows
    ]


def load_column_exceptions(path: Path | None = None) -> dict[str, str]:
    """Columns that match the KPI-column rule but are not registry KPIs: name -> kpi_id ('' = none)."""
    with (path or exceptions_file()).open(newline="") as f:
        return {row["column_name"]: row["kpi_id"] for row in csv.DictReader(f)}


def is_kpi_column(name: str) -> bool:
    """The mechanical rule: is this mart column a KPI (see the module docstring)?"""
    return name.endswith(KPI_COLUMN_SUFFIXES) or name.startswith(KPI_COLUMN_PREFIXES) or name in KPI_COLUMN_NAMES


def manifest_path() -> Path:
    target = os.environ.get("DBT_TARGET_PATH")
    return (Path(target) if target else PROJECT_ROOT / "target") / "manifest.json"


def load_manifest(path: Path | None = None) -> dict[str, Any]:
    return json.loads((path or manifest_path()).read_text())


def _models(manifest: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    return (n for n in manifest["nodes"].values() if n["resource_type"] == "model")


def kpi_mart_columns(manifest: Mapping[str, Any]) -> dict[str, set[str]]:
    """Declared columns of every model under models/marts/kpi (contracts are enforced, so the
    declared columns are the built columns). Versions of one model are merged."""
    out: dict[str, set[str]] = {}
    for node in _models(manifest):
        if node["original_file_path"].startswith(KPI_MART_DIR):
            out.setdefault(node["name"], set()).update(node["columns"])
    return out


def registry_problems(manifest: Mapping[str, Any], registry: list[Kpi], exceptions: Mapping[str, str]) -> list[str]:
    """Registry KPIs without an implementation, and KPI columns the registry does not know."""
    columns = kpi_mart_columns(manifest)
    problems = [
        f"{k.kpi_id}: implementation {k.mart_model}.{k.mart_column} does not exist"
        for k in registry
        if k.mart_column not in columns.get(k.mart_model, set())
    ]
    known = {k.mart_column for k in registry} | set(exceptions)
    for model, cols in sorted(columns.items()):
        problems += [
            f"{model}.{c}: KPI column unknown to the registry (add it to kpi_registry.csv or kpi_column_exceptions.csv)"
            for c in sorted(cols)
            if is_kpi_column(c) and c not in known
        ]
    ids = {k.kpi_id for k in registry}
    problems += [
        f"kpi_column_exceptions.csv: {column} points at unknown kpi_id {kpi_id}"
        for column, kpi_id in exceptions.items()
        if kpi_id and kpi_id not in ids
    ]
    return problems


# The reference tables a KPI may need (the same list as the dbt macro availability_source_tables)
# and the funnel stages a CRM may or may not track (int_funnel_stages_tracked).
AVAILABILITY_REFERENCE_TABLES = ("channel_budgets", "kpi_targets", "working_hours")
FUNNEL_STAGES = ("mql", "sql", "opportunity", "won")


def availability_problems(
    registry: list[Kpi], contract_tables: Mapping[str, tuple[str, ...]], always_provided: Iterable[str] = ()
) -> list[str]:
    """Problems with the registry's required_sources / required_funnel_stages: every KPI names at
    least one table, only known tables (raw contract tables or the reference tables above) and
    known funnel stages, and every raw table's `requires` (tables its rows are checked against)
    along with it. `contract_tables` maps each raw table to its `requires`; `always_provided`
    (the contract's required tables, e.g. channels) need not be listed."""
    known = set(contract_tables) | set(AVAILABILITY_REFERENCE_TABLES)
    problems = []
    for k in registry:
        tables = [t for t in k.required_sources.split("|") if t]
        stages = [s for s in k.required_funnel_stages.split("|") if s]
        if not tables:
            problems.append(f"{k.kpi_id}: required_sources is empty")
        problems += [
            f"{k.kpi_id}: required source {t!r} is not a raw or reference table" for t in tables if t not in known
        ]
        problems += [
            f"{k.kpi_id}: required funnel stage {s!r} is not one of {FUNNEL_STAGES}"
            for s in stages
            if s not in FUNNEL_STAGES
        ]
        for t in tables:
            problems += [
                f"{k.kpi_id}: needs {t}, whose rows are checked against {r}, so it must need {r} too"
                for r in contract_tables.get(t, ())
                if r not in tables and r not in set(always_provided)
            ]
    return problems


def semantic_metric_problems(manifest: Mapping[str, Any], registry: list[Kpi]) -> list[str]:
    """Hook for the semantic layer: every registry KPI has a MetricFlow metric named metric_name,
    and every computed metric (ratio, derived, cumulative, conversion) is a registry KPI. Simple
    metrics (base measures such as spend or leads) may exist outside the registry. Returns []
    while the project defines no metric at all."""
    metrics = {m["name"]: m.get("type", "simple") for m in manifest.get("metrics", {}).values()}
    if not metrics:
        return []
    names = {k.metric_name for k in registry}
    missing = [f"registry KPI {n} has no semantic-layer metric" for n in sorted(names - set(metrics))]
    unknown = [
        f"{kind} metric {n} is not in the KPI registry"
        for n, kind in sorted(metrics.items())
        if n not in names and kind != "simple"
    ]
    return missing + unknown


def access_problems(manifest: Mapping[str, Any]) -> list[str]:
    """KPI marts must be public, contracted and owned by a group; staging/intermediate never public."""
    problems: list[str] = []
    for node in _models(manifest):
        path, name = node["original_file_path"], node["name"]
        config = node["config"]
        if path.startswith(KPI_MART_DIR):
            if node.get("access") != "public":
                problems.append(f"{name}: KPI mart is not access: public")
            if not config.get("contract", {}).get("enforced"):
                problems.append(f"{name}: KPI mart has no enforced contract")
            if not node.get("group"):
                problems.append(f"{name}: KPI mart has no group")
            undocumented = [c for c, col in node["columns"].items() if not col.get("data_type")]
            if undocumented:
                problems.append(f"{name}: columns without data_type: {', '.join(undocumented)}")
        elif path.startswith(("models/staging/", "models/intermediate/")) and node.get("access") == "public":
            problems.append(f"{name}: {path.split('/')[1]} model must not be public")
    return problems


def exposure_problems(manifest: Mapping[str, Any]) -> list[str]:
    """Exposures may depend on public models only (and must depend on something)."""
    nodes = manifest["nodes"]
    problems: list[str] = []
    for exposure in manifest.get("exposures", {}).values():
        depends = exposure["depends_on"]["nodes"]
        if not depends:
            problems.append(f"exposure {exposure['name']} depends on nothing")
        for unique_id in depends:
            node = nodes.get(unique_id, {})
            if node.get("resource_type") != "model" or node.get("access") != "public":
                problems.append(f"exposure {exposure['name']} depends on non-public {unique_id}")
    return problems


def relation_name(manifest: Mapping[str, Any], model: str) -> str:
    """The database relation dbt built a model into (e.g. intermediate.int_kpi_values__monthly)."""
    for node in _models(manifest):
        if node["name"] == model:
            return f"{node['schema']}.{node.get('alias') or node['name']}"
    raise KeyError(model)
