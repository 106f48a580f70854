"""The semantic layer (MetricFlow, models/semantic): `mf validate-configs` passes, the metrics give
the KPI marts' numbers (every registry KPI, compared at month x channel or at the mart's own
grain), every registry KPI is a metric and every metric is a KPI or a declared component, and
every `mf query` example in docs/SEMANTIC_LAYER.md runs and returns rows.

How `mf` is run here, and why:
  * MetricFlow reads the semantic manifest from `<project dir>/target/semantic_manifest.json`,
    whatever --target-path / DBT_TARGET_PATH say. The tests take the manifest the build wrote
    (DBT_TARGET_PATH, else <project>/target) and give `mf` a scratch project directory
    (DBT_PROJECT_DIR) holding dbt_project.yml and that manifest, so nothing is written into the
    project and a concurrent build's target/ is never read.
  * `mf` connects through the dbt profile, which opens MKPI_DUCKDB_PATH read-write (DuckDB locks
    the file). The tests point it at copies of the built database, under the same file name (the
    manifest qualifies tables with the database name, which DuckDB takes from the file name), so
    the build database is neither locked nor changed.
  * `mf validate-configs` runs as its own process; the queries run in one more process
    (_metricflow_batch.py) that loads MetricFlow once, because each `mf` start costs seconds.
    Both run at the same time, on separate copies.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest

from marketing_kpi import governance, paths
from marketing_kpi.dbt_runner import dbt_env

DOC = paths.PROJECT_ROOT / "docs" / "SEMANTIC_LAYER.md"
BATCH_SCRIPT = Path(__file__).with_name("_metricflow_batch.py")
REL_TOL = 1e-9
ABS_TOL = 1e-9
MF_TIMEOUT_SECONDS = 900


# ------------------------------------------------------------------------------------------------
# What is compared: each Comparison is one `mf query` and one query of a KPI mart at the same grain.
# ------------------------------------------------------------------------------------------------


def ratio_of_sums(numerator: str, denominator: str) -> str:
    """The mart side of a ratio KPI re-aggregated to the query grain (a ratio of sums)."""
    return f"cast(sum({numerator}) as double) / nullif(cast(sum({denominator}) as double), 0)"


@dataclass(frozen=True)
class Comparison:
    """Metrics queried with `mf` grouped by `group_by`, against aggregates of `mart` grouped by
    `keys` (the mart's columns for the same group-by items, in the same order).

    at_mart_grain: the keys are the mart's grain, so the values are the mart's own KPI columns
    (`max(column)` over exactly one row, which the test checks)."""

    name: str
    mart: str
    group_by: tuple[str, ...]
    keys: tuple[str, ...]
    expected: dict[str, str]
    where: str = "true"
    at_mart_grain: bool = False

    @property
    def metrics(self) -> list[str]:
        return list(self.expected)

    def mf_args(self, csv_path: Path) -> list[str]:
        return [
            "query",
            "--metrics",
            ",".join(self.metrics),
            "--group-by",
            ",".join(self.group_by),
            "--csv",
            str(csv_path),
            "--quiet",
        ]


MONTH_CHANNEL = ("metric_time__month", "channel")

COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        name="channel_performance",
        mart="kpi_channel_performance__monthly",
        group_by=MONTH_CHANNEL,
        keys=("date_month", "channel_id"),
        expected={
            "click_through_rate": ratio_of_sums("clicks", "impressions"),
            "cost_per_click": ratio_of_sums("spend", "clicks"),
            "cost_per_mille": "1000 * " + ratio_of_sums("spend", "impressions"),
            "cost_per_lead": ratio_of_sums("spend", "leads"),
            "customer_acquisition_cost": ratio_of_sums("spend", "new_customers"),
            "invalid_spend_rate": ratio_of_sums("invalid_spend", "spend"),
        },
    ),
    Comparison(
        # Attributed revenue is rounded once per published grain: the monthly mart rounds each
        # month's exact sum, while the semantic layer sums the daily mart's cents (rounded per
        # day), so the revenue ratios are compared with the daily mart summed to the month.
        name="channel_performance_revenue",
        mart="kpi_channel_performance__daily",
        group_by=MONTH_CHANNEL,
        keys=("cast(date_trunc('month', date_day) as date)", "channel_id"),
        expected={
            "return_on_ad_spend": ratio_of_sums("attributed_revenue", "spend"),
            "return_on_investment": ratio_of_sums("attributed_revenue - spend", "spend"),
        },
    ),
    Comparison(
        # Beyond any mart's grain: quarter x channel group, re-aggregated from the daily mart.
        name="channel_performance_by_quarter_and_group",
        mart="kpi_channel_performance__daily",
        group_by=("metric_time__quarter", "channel__channel_group"),
        keys=("cast(date_trunc('quarter', date_day) as date)", "channel_group"),
        expected={
            "click_through_rate": ratio_of_sums("clicks", "impressions"),
            "cost_per_lead": ratio_of_sums("spend", "leads"),
            "return_on_ad_spend": ratio_of_sums("attributed_revenue", "spend"),
        },
    ),
    Comparison(
        name="budget",
        mart="kpi_budget__monthly",
        group_by=MONTH_CHANNEL,
        keys=("date_month", "channel_id"),
        expected={
            "budget_variance": "max(budget_variance)",
            "budget_variance_rate": "max(budget_variance_rate)",
            "budget_pacing_rate": "max(budget_pacing_rate)",
        },
        at_mart_grain=True,
    ),
    Comparison(
        name="campaign_budget_used",
        mart="kpi_campaign_roi",
        group_by=("campaign",),
        keys=("campaign_id",),
        expected={"budget_used_rate": "max(budget_used_rate)"},
        at_mart_grain=True,
    ),
    Comparison(
        name="funnel_flow",
        mart="kpi_funnel_conversion__monthly",
        group_by=MONTH_CHANNEL,
        keys=("date_month", "channel_id"),
        expected={
            "lead_to_mql_rate": "max(lead_to_mql_rate)",
            "mql_to_sql_rate": "max(mql_to_sql_rate)",
            "sql_to_opportunity_rate": "max(sql_to_opportunity_rate)",
            "opportunity_to_won_rate": "max(opportunity_to_won_rate)",
            "lead_to_customer_rate": "max(lead_to_customer_rate)",
        },
        at_mart_grain=True,
    ),
    Comparison(
        name="sales_cycle",
        mart="kpi_funnel_conversion__cohort",
        group_by=MONTH_CHANNEL,
        keys=("cohort_month", "channel_id"),
        expected={"sales_cycle_days": "max(median_days_lead_to_won)"},
        at_mart_grain=True,
    ),
    Comparison(
        name="lead_follow_up",
        mart="kpi_lead_follow_up__monthly",
        group_by=MONTH_CHANNEL,
        keys=("date_month", "channel_id"),
        expected={
            "average_hours_to_assignment": ratio_of_sums("hours_to_assignment", "leads_assigned"),
            "average_hours_to_first_response": ratio_of_sums("hours_to_first_response", "leads_responded"),
            "sla_attainment_rate": ratio_of_sums("leads_within_sla", "leads"),
        },
    ),
    Comparison(
        name="customer_value",
        mart="kpi_customer_value__monthly",
        group_by=MONTH_CHANNEL,
        keys=("date_month", "acquisition_channel_id"),
        expected={
            kpi: f"max({kpi})"
            for kpi in (
                "average_order_value",
                "orders_per_customer",
                "repeat_purchase_rate",
                "expansion_rate",
                "cross_sell_rate",
                "retention_rate",
                "churn_rate",
                "revenue_churn_rate",
                "net_revenue_retention_rate",
            )
        },
        at_mart_grain=True,
    ),
    Comparison(
        # All time per acquisition channel: the mart's grain, and `mf` without a time grain.
        name="unit_economics",
        mart="kpi_customer_acquisition_payback__channel",
        group_by=("channel",),
        keys=("acquisition_channel_id",),
        expected={
            kpi: f"max({kpi})"
            for kpi in (
                "customer_acquisition_cost",
                "average_revenue_per_account",
                "cac_payback_months",
                "predictive_lifetime_value",
                "ltv_to_cac_ratio",
            )
        },
        at_mart_grain=True,
    ),
    Comparison(
        name="historical_lifetime_value",
        mart="kpi_customer_lifetime_value__cohort",
        group_by=MONTH_CHANNEL,
        keys=("acquisition_cohort_month", "acquisition_channel_id"),
        expected={"historical_lifetime_value": "max(lifetime_value_12_months)"},
        at_mart_grain=True,
    ),
    Comparison(
        name="email_engagement",
        mart="kpi_engagement__email_monthly",
        group_by=MONTH_CHANNEL,
        keys=("date_month", "channel_id"),
        expected={
            "email_open_rate": ratio_of_sums("emails_opened", "emails_delivered"),
            "email_click_through_rate": ratio_of_sums("emails_clicked", "emails_delivered"),
            "click_to_open_rate": ratio_of_sums("emails_clicked", "emails_opened"),
            "unsubscribe_rate": ratio_of_sums("emails_unsubscribed", "emails_delivered"),
            "email_bounce_rate": ratio_of_sums("emails_bounced", "emails_sent"),
        },
    ),
    Comparison(
        name="web_engagement",
        mart="kpi_engagement__web_monthly",
        group_by=MONTH_CHANNEL,
        keys=("date_month", "channel_id"),
        expected={
            "pages_per_session": ratio_of_sums("pageviews", "sessions"),
            "average_engaged_seconds": ratio_of_sums("engaged_seconds", "sessions"),
            "bounce_rate": ratio_of_sums("bounced_sessions", "sessions"),
            "session_to_lead_rate": ratio_of_sums("sessions_with_lead", "sessions"),
        },
    ),
    Comparison(
        # The mart has no channel (it classifies channels itself): month grain.
        name="marketing_contribution",
        mart="kpi_marketing_contribution__monthly",
        group_by=("metric_time__month",),
        keys=("date_month",),
        expected={"marketing_sourced_revenue_share": "max(marketing_sourced_revenue_share)"},
        at_mart_grain=True,
    ),
    Comparison(
        name="net_promoter_score",
        mart="kpi_net_promoter_score__monthly",
        group_by=MONTH_CHANNEL,
        keys=("date_month", "segment_value"),
        where="segment_type = 'acquisition_channel'",
        expected={
            "net_promoter_score": "max(net_promoter_score)",
            "promoter_rate": "max(promoter_rate)",
            "detractor_rate": "max(detractor_rate)",
        },
        at_mart_grain=True,
    ),
)


# ------------------------------------------------------------------------------------------------
# Running mf
# ------------------------------------------------------------------------------------------------


def doc_examples(doc: Path = DOC) -> list[str]:
    """Every ```bash block of the semantic-layer doc that is an `mf query` command."""
    blocks = re.findall(r"```bash\n(.*?)```", doc.read_text(), flags=re.DOTALL)
    commands = [block.replace("\\\n", " ").strip() for block in blocks]
    return [command for command in commands if command.startswith("mf query")]


@dataclass
class MetricFlowRun:
    validate_returncode: int
    validate_output: str
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    csv_paths: dict[str, Path] = field(default_factory=dict)
    database_copies: list[Path] = field(default_factory=list)


def _missing(message: str) -> None:
    """Fail in the test command (MKPI_REQUIRE_BUILD=1), skip in an ad-hoc pytest run."""
    if os.environ.get("MKPI_REQUIRE_BUILD") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _mf_executable() -> str:
    candidate = Path(sys.executable).with_name("mf")
    found = str(candidate) if candidate.exists() else shutil.which("mf")
    if not found:
        _missing("MetricFlow is not installed (pip install -e '.[semantic]')")
    return str(found)


def _workspace(root: Path, database: Path, semantic_manifest: Path) -> tuple[Path, Path]:
    """A scratch dbt project dir holding dbt_project.yml and the semantic manifest, and a copy of
    the database (same file name) for one `mf` process. Returns (project_dir, database_copy)."""
    project_dir = root / "project"
    (project_dir / "target").mkdir(parents=True)
    shutil.copy2(paths.PROJECT_ROOT / "dbt_project.yml", project_dir / "dbt_project.yml")
    shutil.copy2(semantic_manifest, project_dir / "target" / "semantic_manifest.json")
    database_copy = root / "database" / database.name
    database_copy.parent.mkdir()
    shutil.copy2(database, database_copy)
    wal = database.with_name(database.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, database_copy.with_name(wal.name))
    return project_dir, database_copy


def _mf_env(project_dir: Path, database_copy: Path) -> dict[str, str]:
    env = dbt_env(
        {
            "MKPI_DUCKDB_PATH": str(database_copy),
            "MKPI_DUCKDB_TEMP_DIR": str(database_copy.parent / "tmp"),
            "DBT_PROJECT_DIR": str(project_dir),
        }
    )
    env["DBT_PROFILES_DIR"] = str(paths.PROJECT_ROOT / "profiles")
    env.pop("DBT_TARGET_PATH", None)
    return env


@pytest.fixture(scope="session")
def semantic_manifest_path() -> Path:
    path = governance.manifest_path().with_name("semantic_manifest.json")
    if not path.exists():
        _missing(f"no semantic manifest at {path}: dbt parse/build writes it (DBT_TARGET_PATH or <project>/target)")
    return path


@pytest.fixture(scope="session")
def metricflow_run(
    built_database: Path, semantic_manifest_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> MetricFlowRun:
    mf = _mf_executable()
    scratch = tmp_path_factory.mktemp("metricflow")

    validate_dir, validate_db = _workspace(scratch / "validate", built_database, semantic_manifest_path)
    validate_log = scratch / "validate.log"
    with validate_log.open("w") as log:
        validate = subprocess.Popen(
            [mf, "validate-configs"],
            cwd=validate_dir,
            env=_mf_env(validate_dir, validate_db),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

        query_dir, query_db = _workspace(scratch / "query", built_database, semantic_manifest_path)
        run = MetricFlowRun(validate_returncode=-1, validate_output="")
        commands: dict[str, list[str]] = {}
        for comparison in COMPARISONS:
            run.csv_paths[comparison.name] = scratch / f"{comparison.name}.csv"
            commands[comparison.name] = comparison.mf_args(run.csv_paths[comparison.name])
        for number, example in enumerate(doc_examples(), start=1):
            name = f"example_{number}"
            run.csv_paths[name] = scratch / f"{name}.csv"
            commands[name] = [*shlex.split(example)[1:], "--csv", str(run.csv_paths[name]), "--quiet"]

        commands_file, results_file = scratch / "commands.json", scratch / "results.json"
        commands_file.write_text(json.dumps(list(commands.values())))
        batch = subprocess.run(
            [sys.executable, str(BATCH_SCRIPT), str(commands_file), str(results_file)],
            cwd=query_dir,
            env=_mf_env(query_dir, query_db),
            capture_output=True,
            text=True,
            timeout=MF_TIMEOUT_SECONDS,
        )
        try:
            validate.wait(timeout=MF_TIMEOUT_SECONDS)
        finally:
            if validate.poll() is None:
                validate.kill()
    assert batch.returncode == 0, f"the mf batch failed:\n{batch.stdout[-3000:]}\n{batch.stderr[-3000:]}"
    run.results = dict(zip(commands, json.loads(results_file.read_text()), strict=True))
    run.validate_returncode = validate.returncode
    run.validate_output = validate_log.read_text()
    run.database_copies = [validate_db, query_db]
    return run


# ------------------------------------------------------------------------------------------------
# Reading and comparing results
# ------------------------------------------------------------------------------------------------

Key = tuple[str | None, ...]


def _key_part(value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = str(value)
    # Time keys: mf writes timestamps ("2025-03-01 00:00:00"), the marts dates ("2025-03-01").
    return text[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T].*)?", text) else text


def _number(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def _read_mf_csv(path: Path, comparison: Comparison) -> dict[Key, dict[str, float | None]]:
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    out: dict[Key, dict[str, float | None]] = {}
    for row in rows:
        key = tuple(_key_part(row[name]) for name in comparison.group_by)
        assert key not in out, f"{comparison.name}: mf returned {key} twice"
        out[key] = {metric: _number(row[metric]) for metric in comparison.metrics}
    return out


def _read_mart(
    warehouse: duckdb.DuckDBPyConnection, manifest: dict[str, Any], comparison: Comparison
) -> dict[Key, dict[str, float | None]]:
    relation = governance.relation_name(manifest, comparison.mart)
    keys = ", ".join(f"{key} as key_{i}" for i, key in enumerate(comparison.keys))
    values = ", ".join(f"{sql} as {metric}" for metric, sql in comparison.expected.items())
    group = ", ".join(str(i + 1) for i in range(len(comparison.keys)))
    sql = f"select {keys}, count(*) as mart_rows, {values} from {relation} where {comparison.where} group by {group}"
    cursor = warehouse.execute(sql)
    columns = [d[0] for d in cursor.description]
    out: dict[Key, dict[str, float | None]] = {}
    for row in cursor.fetchall():
        record = dict(zip(columns, row, strict=True))
        key = tuple(_key_part(record[f"key_{i}"]) for i in range(len(comparison.keys)))
        if comparison.at_mart_grain:
            assert record["mart_rows"] == 1, f"{comparison.mart}: {key} is not one row of the mart"
        out[key] = {metric: _number(record[metric]) for metric in comparison.metrics}
    return out


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    path = governance.manifest_path()
    if not path.exists():
        _missing(f"no dbt manifest at {path}: run dbt parse/build first (or set DBT_TARGET_PATH)")
    return governance.load_manifest(path)


# ------------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------------


def test_mf_validate_configs_passes(metricflow_run: MetricFlowRun) -> None:
    assert metricflow_run.validate_returncode == 0, metricflow_run.validate_output[-5000:]
    assert "ERROR" not in metricflow_run.validate_output.replace("ERRORS: 0", "")


def _tables(database: Path) -> set[tuple[str, str, str]]:
    with duckdb.connect(str(database), read_only=True) as con:
        sql = "select table_schema, table_name, table_type from information_schema.tables"
        return set(con.execute(sql).fetchall())


def test_mf_only_reads_the_database(metricflow_run: MetricFlowRun, built_database: Path) -> None:
    """`mf` ran on copies of the build database; neither gained nor lost a table or view."""
    expected = _tables(built_database)
    for copy in metricflow_run.database_copies:
        assert _tables(copy) == expected, f"mf changed the tables of {copy}"


@pytest.mark.parametrize("comparison", COMPARISONS, ids=lambda c: c.name)
def test_metrics_equal_kpi_marts(
    comparison: Comparison,
    metricflow_run: MetricFlowRun,
    warehouse: duckdb.DuckDBPyConnection,
    manifest: dict[str, Any],
) -> None:
    result = metricflow_run.results[comparison.name]
    assert result["exit_code"] == 0, f"mf {' '.join(result['args'])}\n{result['output'][-3000:]}"
    from_mf = _read_mf_csv(metricflow_run.csv_paths[comparison.name], comparison)
    from_mart = _read_mart(warehouse, manifest, comparison)
    assert from_mart, f"{comparison.mart} is empty"
    only_mf, only_mart = (
        sorted(from_mf.keys() - from_mart.keys(), key=str),
        sorted(from_mart.keys() - from_mf.keys(), key=str),
    )
    assert not only_mf and not only_mart, (
        f"groups only in mf: {only_mf[:10]}; only in {comparison.mart}: {only_mart[:10]}"
    )

    mismatches: list[str] = []
    compared = 0
    for key in sorted(from_mf.keys() | from_mart.keys(), key=str):
        for metric in comparison.metrics:
            mf_value = from_mf.get(key, {}).get(metric)
            mart_value = from_mart.get(key, {}).get(metric)
            compared += mart_value is not None
            if not _same(mf_value, mart_value):
                mismatches.append(f"{metric} at {key}: mf {mf_value!r}, {comparison.mart} {mart_value!r}")
    assert not mismatches, f"{len(mismatches)} differences, e.g.:\n" + "\n".join(mismatches[:20])
    # Every metric was compared on real numbers, not only on matching nulls.
    assert compared >= len(comparison.metrics)


def test_every_registry_kpi_is_compared_with_its_mart() -> None:
    compared = {metric for comparison in COMPARISONS for metric in comparison.metrics}
    missing = {kpi.metric_name for kpi in _registry()} - compared
    assert not missing, f"registry KPIs the mart comparison does not cover: {sorted(missing)}"


def _registry() -> list[governance.Kpi]:
    path = governance.registry_file()
    if not path.exists():
        pytest.fail(f"the KPI registry {path} does not exist: the semantic layer names its metrics after it")
    return governance.load_registry(path)


def _is_component(metric: dict[str, Any]) -> bool:
    return bool(metric.get("config", {}).get("meta", {}).get("kpi_component"))


def test_metrics_match_the_kpi_registry(manifest: dict[str, Any]) -> None:
    """Every registry KPI is a metric named metric_name, labelled with its display name; every
    other metric is a declared component (a plain sum a KPI divides), never a KPI in disguise."""
    registry = _registry()
    metrics = list(manifest.get("metrics", {}).values())
    assert metrics, "the project defines no semantic-layer metric"
    kpi_metrics = {m["name"]: m for m in metrics if not _is_component(m)}
    components = {m["name"]: m for m in metrics if _is_component(m)}

    only_kpis = {**manifest, "metrics": {m["unique_id"]: m for m in kpi_metrics.values()}}
    problems = governance.semantic_metric_problems(only_kpis, registry)
    for kpi in registry:
        metric = kpi_metrics.get(kpi.metric_name)
        if metric is None:
            continue
        if metric["label"] != kpi.display_name:
            problems.append(f"metric {kpi.metric_name}: label {metric['label']!r} != registry {kpi.display_name!r}")
        if metric.get("config", {}).get("meta", {}).get("kpi_id") != kpi.kpi_id:
            problems.append(f"metric {kpi.metric_name}: config.meta.kpi_id is not {kpi.kpi_id}")
    registry_names = {kpi.metric_name for kpi in registry}
    for name, metric in sorted(components.items()):
        if name in registry_names:
            problems.append(f"metric {name} is a registry KPI but flagged kpi_component")
        if metric["type"] != "simple":
            problems.append(f"component metric {name} is {metric['type']}: components are plain sums")
    assert not problems, "\n".join(problems)


def test_measures_are_sums_never_averages(manifest: dict[str, Any]) -> None:
    """No measure averages: every measure a KPI uses is a sum (or the sales-cycle median)."""
    averaged = [
        f"{model['name']}.{measure['name']}"
        for model in manifest.get("semantic_models", {}).values()
        for measure in model["measures"]
        if measure["agg"] not in ("sum", "percentile")
    ]
    assert not averaged, f"measures that are not sums: {averaged}"


def test_doc_has_runnable_examples() -> None:
    examples = doc_examples()
    assert 6 <= len(examples) <= 10, f"docs/SEMANTIC_LAYER.md has {len(examples)} `mf query` examples"


def _example_names(run: MetricFlowRun) -> Iterator[str]:
    return (name for name in run.results if name.startswith("example_"))


def test_doc_examples_run_and_return_rows(metricflow_run: MetricFlowRun) -> None:
    failures: list[str] = []
    for name in _example_names(metricflow_run):
        result = metricflow_run.results[name]
        command = "mf " + " ".join(shlex.quote(arg) for arg in result["args"][:-3])
        csv_path = metricflow_run.csv_paths[name]
        if result["exit_code"] != 0:
            failures.append(f"{command}\n  exit {result['exit_code']}: {result['output'][-1500:]}")
        elif not csv_path.exists() or len(csv_path.read_text().splitlines()) < 2:
            failures.append(f"{command}\n  returned no rows")
    assert not failures, "\n".join(failures)
