"""The audit gate: run every expectation suite against the build database with Great Expectations.

    python -m marketing_kpi.quality.audit [--database PATH] [--manifest PATH] [--tables raw.leads ...]

Why pandas: GX 1.24's SQL datasource cannot run on DuckDB through duckdb_engine (GX reads results
after the connection is closed, so every expectation errors: GX issues 10738 and 11579). The audit
therefore opens the DuckDB file read-only with the duckdb package, reads each table into a pandas
dataframe (PII masked inside DuckDB, see suites.py; fetched through Arrow, see fetch_frame) and
validates it through GX's pandas dataframe asset. One ephemeral GX context serves the whole run;
each suite's expectations run in parts grouped by the columns they read (expectation_parts), each
part on a dataframe of just its columns, with its own suite, validation definition and checkpoint,
run with ``batch_parameters={"dataframe": df}``.

Partial data: before the suites are built, the audit counts the rows of every raw table of the
contract and of every KPI mart's raw inputs (measure_provision); volume and freshness expectations
apply only where the data comes from provided tables (see suites.py). Each expectation left out
or relaxed is an entry of AuditResult.skipped with its reason, printed after the summary and
written to the JSON report (`skipped`, with `sources`: every raw table, provided or not), which
the publish step copies into the serving file's meta schema.

Exit codes: 0 every suite passed, 1 an expectation failed, 2 the audit could not run.
A failing run prints one block per failed expectation (suite, table, column, expectation, unexpected
count and percent, up to five sample keys of failing rows) and writes the same to a JSON report
(default warehouse/audit/last_audit.json). GX Data Docs (HTML) go to warehouse/data_docs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import great_expectations as gx
import pandas as pd
import pyarrow as pa
import yaml
from great_expectations.data_context.types.base import ProgressBarsConfig

from marketing_kpi import paths
from marketing_kpi.contract import EVENT_COLUMN, Table, load_contract
from marketing_kpi.quality.suites import (
    AuditSettings,
    Mart,
    Provision,
    Skipped,
    SuiteSpec,
    default_settings_file,
    discover_marts,
    load_settings,
    mart_suites,
    normalise_type,
    raw_suites,
)

MAX_SAMPLE_KEYS = 5
#: GX fingerprints every pandas batch below 1 GB (pandas.util.hash_pandas_object over all rows, for
#: a marker shown in Data Docs): ~20 s per 11M-row table at scale L, more than its expectations
#: cost. Batches above this size are not fingerprinted; the embedded dataset's all are.
FINGERPRINT_MAX_BYTES = 50_000_000
#: The one GX pandas data source every suite is validated through.
_DATASOURCE = "build_database"
_DROP_KWARGS = {"batch_id", "column", "column_A", "column_B", "result_format", "catch_exceptions", "meta"}


def default_manifest() -> Path:
    """dbt's manifest: $DBT_TARGET_PATH/manifest.json, else <project>/target/manifest.json."""
    target = os.environ.get("DBT_TARGET_PATH")
    base = Path(target) if target else paths.PROJECT_ROOT / "target"
    if not base.is_absolute():
        base = paths.PROJECT_ROOT / base
    return base / "manifest.json"


def default_data_docs_dir() -> Path:
    return paths.build_database().parent / "data_docs"


def default_report_file() -> Path:
    return paths.build_database().parent / "audit" / "last_audit.json"


@dataclass
class Failure:
    """One failed expectation, safe to print: sample keys only, never row values."""

    suite: str
    table: str
    expectation: str
    kwargs: dict[str, Any]
    column: str | None
    unexpected_count: int | None
    unexpected_percent: float | None
    observed_value: Any
    sample_keys: list[dict[str, Any]]
    error: str | None = None


@dataclass
class SuiteOutcome:
    suite: str
    table: str
    rows: int
    expectations: int
    passed: int
    seconds: float


@dataclass
class SourceStatus:
    """One raw table of the contract as this build's input provided it."""

    table: str  # raw.orders
    rows: int
    provided: bool  # at least one row
    required: bool  # the contract's meta: required: true (must be provided)


@dataclass
class AuditResult:
    """The outcome of one audit run."""

    success: bool
    as_of_date: str
    suites: list[SuiteOutcome] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    data_docs_index: str | None = None
    #: Expectations skipped or relaxed for partial data, each with its reason.
    skipped: list[Skipped] = field(default_factory=list)
    #: The raw tables of the contract, provided or not (empty when suites were passed in).
    sources: list[SourceStatus] = field(default_factory=list)

    @property
    def expectations(self) -> int:
        return sum(s.expectations for s in self.suites)

    @property
    def passed(self) -> int:
        return sum(s.passed for s in self.suites)

    def to_json(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "as_of_date": self.as_of_date,
            "seconds": round(self.seconds, 2),
            "expectations": self.expectations,
            "passed": self.passed,
            "data_docs_index": self.data_docs_index,
            "skipped_expectations": sum(s.action == "skipped" for s in self.skipped),
            "relaxed_expectations": sum(s.action == "relaxed" for s in self.skipped),
            "sources": [asdict(s) for s in self.sources],
            "skipped": [asdict(s) for s in self.skipped],
            "suites": [asdict(s) for s in self.suites],
            "failures": [asdict(f) for f in self.failures],
        }


class AuditError(RuntimeError):
    """The audit could not run (no database, no manifest, unknown table)."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def _limit_batch_fingerprints() -> None:
    """Lower GX's batch-fingerprint threshold (FINGERPRINT_MAX_BYTES); a GX without the module
    constant is left as it is (tests/python/test_quality_audit.py notices)."""
    from great_expectations.execution_engine import pandas_execution_engine

    if hasattr(pandas_execution_engine, "HASH_THRESHOLD"):
        pandas_execution_engine.HASH_THRESHOLD = min(pandas_execution_engine.HASH_THRESHOLD, FINGERPRINT_MAX_BYTES)


def _release_validated_batch(context: Any) -> None:
    """Drop the dataframe GX keeps after a checkpoint run. GX 1.24's execution engine (one per
    data source) holds the last batch's dataframe until the next batch replaces it, so while the
    audit fetched the next part, the previous part's frame was still alive: two of the largest
    frames at once. A GX without these attributes is left as it is
    (tests/python/test_quality_audit.py notices)."""
    engine = context.data_sources.get(_DATASOURCE).get_execution_engine()
    manager = engine.batch_manager
    manager.reset_batch_cache()
    batch_data = getattr(manager, "_batch_data_cache", None)
    if isinstance(batch_data, dict):
        batch_data.clear()
        manager._active_batch_data_id = None


def connect_read_only(database: Path) -> duckdb.DuckDBPyConnection:
    """The build database, read-only, with the profile's DuckDB threads, memory limit and spill
    directory (paths.duckdb_settings). The memory limit also bounds DuckDB's buffer pool, which
    otherwise may grow to DuckDB's default limit, 80 % of RAM, as the audit reads most tables.
    Insertion order stays preserved: a part must see the rows in the order the whole table does,
    so its failing rows' sample keys are the whole-table run's."""
    con = duckdb.connect(str(database), read_only=True)
    settings = paths.duckdb_settings()
    for name in ("threads", "memory_limit", "temp_directory", "TimeZone"):
        con.execute(f"set {name} = '{settings[name]}'")
    return con


def _gx_friendly(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """One Arrow column in the form GX 1.24 validates vectorised: dates and timestamps as
    nanosecond timestamps (GX's between-checks loop in Python over any other datetime unit, 45 s
    per expectation on 11M rows; a value outside the nanosecond range, years 1678-2261, keeps its
    unit and the slow path rather than being altered), decimals (and HUGEINT) as float64, like
    DuckDB's ``.df()``. Integers with nulls become float64 on conversion (pandas' nullable Int64
    also takes GX's per-row path); values are unchanged (integers exactly up to 2**53)."""
    kind = column.type
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        target = pa.timestamp("ns", tz=getattr(kind, "tz", None))
        try:
            return column.cast(target, safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return column if pa.types.is_timestamp(kind) else column.cast(pa.timestamp("us"))
    if pa.types.is_decimal(kind):
        return column.cast(pa.float64())
    return column


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """The rows of `sql` as a pandas dataframe for GX, fetched through Arrow.

    Against DuckDB's ``.df()`` (the first implementation) this is ~4x faster to load on the wide
    text tables of scale L (11M rows x 7 text columns: 9 s against 39 s), keeps strings in Arrow
    buffers instead of Python objects, and gives GX dtypes it validates vectorised (_gx_friendly):
    the raw typed suites at L went from minutes to seconds. Values are those of ``.df()``;
    tests/python/test_quality_audit.py checks it table by table on the CI warehouse."""
    table = con.sql(sql).to_arrow_table()
    columns: dict[str, Any] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        column = _gx_friendly(column)
        if pa.types.is_boolean(column.type) and column.null_count > 0:
            columns[name] = column.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
        else:
            columns[name] = column.to_pandas()
    del table
    return pd.DataFrame(columns, copy=False)


def _schema_frame(con: duckdb.DuckDBPyConnection, spec: SuiteSpec, contract: dict[str, str]) -> pd.DataFrame:
    schema, table = spec.table.split(".", 1)
    catalog = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    database = {name: normalise_type(data_type) for name, data_type in catalog}
    names = list(contract) + [c for c in database if c not in contract]
    return pd.DataFrame(
        {
            "column_name": names,
            "contract_data_type": [normalise_type(contract[c]) if c in contract else None for c in names],
            "database_data_type": [database.get(c) for c in names],
        },
        dtype=object,
    )


def _sample_keys(df: pd.DataFrame, spec: SuiteSpec, positions: Sequence[Any]) -> list[dict[str, Any]]:
    keys = [k for k in spec.key_columns if k in df.columns]
    samples = []
    for position in list(positions)[:MAX_SAMPLE_KEYS]:
        if not isinstance(position, (int,)) and not hasattr(position, "__index__"):
            continue
        row = df.iloc[int(position)]
        samples.append(
            {k: ("<masked>" if k in spec.masked_columns else _jsonable(row[k])) for k in keys} or {"row": int(position)}
        )
    return samples


def _failures(spec: SuiteSpec, df: pd.DataFrame, validation: Any) -> tuple[int, list[Failure]]:
    passed, failures = 0, []
    for result in validation.results:
        config = result.expectation_config
        raised = (result.exception_info or {}).get("raised_exception")
        if result.success and not raised:
            passed += 1
            continue
        kwargs = {k: _jsonable(v) for k, v in config.kwargs.items() if k not in _DROP_KWARGS and v is not None}
        condition = kwargs.get("row_condition")
        if isinstance(condition, dict) and {"column", "operator", "parameter"} <= condition.keys():
            name = (condition["column"] or {}).get("name")
            kwargs["row_condition"] = f"{name} {condition['operator']} {condition['parameter']}"
        column = config.kwargs.get("column")
        if column is None and "column_A" in config.kwargs:
            column = f"{config.kwargs['column_A']}, {config.kwargs['column_B']}"
        res = result.result or {}
        observed = res.get("observed_value")
        masked_column = column in spec.masked_columns if column else False
        failures.append(
            Failure(
                suite=spec.name,
                table=spec.table,
                expectation=config.type,
                kwargs=kwargs,
                column=column,
                unexpected_count=_jsonable(res.get("unexpected_count")),
                unexpected_percent=round(float(res["unexpected_percent"]), 4)
                if res.get("unexpected_percent") is not None
                else None,
                observed_value="<masked>" if masked_column and observed is not None else _jsonable(observed),
                sample_keys=_sample_keys(df, spec, res.get("partial_unexpected_index_list") or []),
                error=str((result.exception_info or {}).get("exception_message"))[:300] if raised else None,
            )
        )
    return passed, failures


_COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")
#: Tables with at least this many values (rows x columns) are validated in parts
#: (expectation_parts); smaller ones in one piece, where the fixed GX cost of each part's
#: checkpoint outweighs what it saves (the embedded dataset's audit: 41 s in one piece, 67 s in parts).
SPLIT_CELLS = 5_000_000
#: Table-level expectations that read only the column names (validated on zero rows).
_SHAPE_ONLY = {
    "expect_table_columns_to_match_set",
    "expect_table_columns_to_match_ordered_list",
    "expect_table_column_count_to_equal",
    "expect_table_column_count_to_be_between",
}
#: Table-level expectations that read only the number of rows (validated on one column).
_ROWS_ONLY = {"expect_table_row_count_to_be_between", "expect_table_row_count_to_equal"}


@dataclass(frozen=True)
class Part:
    """Some of a suite's expectations and the slice of the table they are validated on."""

    name: str
    expectations: list[Any]
    columns: list[str]  # the dataframe's columns
    no_rows: bool = False  # column names only


def expectation_parts(spec: SuiteSpec, table_columns: Sequence[str], *, split: bool = True) -> list[Part]:
    """A suite's expectations grouped by the columns they read, each validated on a dataframe of
    just those columns plus the suite's key columns (for the sample keys of failing rows).

    Why: GX's pandas engine copies the whole batch, every column, for each expectation's row
    filter, and the audit held every table whole in memory; on scale L's 11M-row, 30-column mart
    that was ~90 % of its suite's time (282 s; 31 s in parts), and whole 10M-row tables were most of its 14 GiB. A part
    reads only its columns from DuckDB (the projection is pushed into the suite's SQL), so the
    results are those of the whole-table run (same rows, same order) at a fraction of the cost.
    Table-level expectations: the column-set check runs on zero rows of every column, the row count
    on one column, any other on the whole table. An expectation naming a column the table lacks
    runs on the whole table, so GX reports the missing column. Part names are the suite name, plus
    the columns in brackets (Data Docs shows one page per part)."""
    keys = [k for k in spec.key_columns if k in table_columns]
    everything = list(table_columns)
    if not split:
        return [Part(spec.name, list(spec.expectations), everything)]
    grouped: dict[tuple[str, ...] | str, list[Any]] = {}
    for expectation in spec.expectations:
        named: list[str] = []
        for kwarg in _COLUMN_KWARGS:
            value = getattr(expectation, kwarg, None)
            if isinstance(value, str):
                named.append(value)
            elif isinstance(value, (list, tuple)):
                named.extend(str(v) for v in value)
        if not named:
            kind = expectation.expectation_type
            group: tuple[str, ...] | str = "shape" if kind in _SHAPE_ONLY else "rows" if kind in _ROWS_ONLY else "table"
        elif all(c in table_columns for c in named):
            group = tuple(dict.fromkeys(named))
        else:
            group = "table"
        grouped.setdefault(group, []).append(expectation)
    parts: list[Part] = []
    for group, expectations in grouped.items():
        if group == "shape":
            parts.append(Part(spec.name, expectations, everything, no_rows=True))
        elif group == "rows":
            parts.append(Part(f"{spec.name} [row count]", expectations, (keys or everything)[:1]))
        elif group == "table":
            parts.append(Part(f"{spec.name} [table]", expectations, everything))
        else:
            columns = list(dict.fromkeys([*group, *keys]))
            parts.append(Part(f"{spec.name} [{', '.join(group)}]", expectations, columns))
    return parts


def _part_sql(select_sql: str, part: Part) -> str:
    columns = ", ".join('"' + c.replace('"', '""') + '"' for c in part.columns)
    return f"select {columns} from ({select_sql}) as audited" + (" limit 0" if part.no_rows else "")


def _select_specs(specs: list[SuiteSpec], tables: Sequence[str] | None) -> list[SuiteSpec]:
    if not tables:
        return specs
    wanted = set(tables)
    chosen = [
        s
        for s in specs
        if s.table in wanted
        or s.name in wanted
        or s.table.split(".", 1)[1] in wanted
        # a mart may be asked for by model name (kpi.<model>) even when its schema differs
        or s.name.split(".")[1] in {t.split(".")[-1] for t in wanted}
    ]
    if not chosen:
        raise AuditError(f"no suite audits {', '.join(sorted(wanted))}")
    return chosen


def measure_provision(
    con: duckdb.DuckDBPyConnection,
    marts: Sequence[Mart] = (),
    contract: dict[str, Table] | None = None,
    schema: str = "raw",
) -> Provision:
    """Count the rows of every raw table of the contract and of every raw input of `marts`; a
    table is provided when it has at least one row (see suites.Provision)."""
    contract = contract or load_contract()
    relations = {f"{schema}.{t}" for t in contract} | {r for m in marts for r in m.raw_inputs}
    rows: dict[str, int] = {}
    missing = set()
    for relation in sorted(relations):
        name_schema, name = relation.split(".", 1)
        found = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [name_schema, name],
        ).fetchone()[0]
        if not found:
            rows[relation] = 0
            missing.add(relation)
            continue
        quoted = ".".join('"' + part.replace('"', '""') + '"' for part in (name_schema, name))
        rows[relation] = int(con.execute(f"select count(*) from {quoted}").fetchone()[0])
    required = frozenset(f"{schema}.{t.name}" for t in contract.values() if t.is_required)
    spacing: dict[str, float] = {}
    for name in contract:
        column, relation = EVENT_COLUMN.get(name), f"{schema}.{name}"
        if column and rows.get(relation, 0) > 0 and relation not in missing:
            day = f'try_cast(left(trim(cast("{column}" as varchar)), 10) as date)'
            first, last, days = con.execute(
                f"select min(d), max(d), count(distinct d) from (select {day} as d from {schema}.{name}) "
                "where d <= current_date"
            ).fetchone()
            if days and days > 1:
                spacing[relation] = (last - first).days / (days - 1)
    return Provision(rows=rows, required=required, missing=frozenset(missing), event_day_spacing=spacing)


def build_specs(
    settings: AuditSettings,
    manifest: Path,
    *,
    include_marts: bool = True,
    provision: Provision | None = None,
    marts: Sequence[Mart] | None = None,
) -> list[SuiteSpec]:
    """Every suite of the audit: raw suites from the contract, mart suites from the manifest.
    Without a `provision` every table is expected to hold fresh rows (as for the embedded data)."""
    specs = raw_suites(settings, provision=provision)
    if include_marts:
        if marts is None:
            if not manifest.exists():
                raise AuditError(f"no dbt manifest at {manifest}: run `dbt build` (or `dbt parse`) first")
            marts = discover_marts(manifest)
        specs += mart_suites(settings, marts, provision)
    return specs


def _source_statuses(provision: Provision, contract: dict[str, Table], schema: str = "raw") -> list[SourceStatus]:
    return [
        SourceStatus(
            table=f"{schema}.{t.name}",
            rows=provision.rows.get(f"{schema}.{t.name}", 0),
            provided=provision.is_provided(f"{schema}.{t.name}"),
            required=t.is_required,
        )
        for t in contract.values()
    ]


def run_audit(
    database: Path,
    *,
    data_docs_dir: Path | None,
    tables: list[str] | None = None,
    manifest: Path | None = None,
    settings: AuditSettings | None = None,
    specs: list[SuiteSpec] | None = None,
    report_file: Path | None = None,
    split_cells: int = SPLIT_CELLS,
) -> AuditResult:
    """Validate the build database (opened read-only) against every suite, or those auditing
    `tables` (``raw.leads``, ``kpi_budget__monthly``, or a suite name); tables of `split_cells`
    values or more are validated in parts (expectation_parts). Writes Data Docs to
    `data_docs_dir` (None: no docs) and the JSON report to `report_file` (None: no file)."""
    started = time.perf_counter()
    database = Path(database)
    if not database.exists():
        raise AuditError(f"no database at {database}: build the project first (marketing-kpi build)")
    settings = settings or load_settings()
    sources: list[SourceStatus] = []
    if specs is None:
        # Which raw tables hold rows decides which volume and freshness expectations apply.
        manifest_path = manifest or default_manifest()
        if not manifest_path.exists():
            raise AuditError(f"no dbt manifest at {manifest_path}: run `dbt build` (or `dbt parse`) first")
        marts = discover_marts(manifest_path)
        contract = load_contract()
        con = connect_read_only(database)
        try:
            provision = measure_provision(con, marts, contract)
        finally:
            con.close()
        specs = build_specs(settings, manifest_path, provision=provision, marts=marts)
        sources = _source_statuses(provision, contract)
    specs = _select_specs(specs, tables)
    contracts = {}
    if any(s.frame_builder == "schema" for s in specs):
        contracts = {f"kpi.{m.name}.schema": m.columns for m in discover_marts(manifest or default_manifest())}

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    _limit_batch_fingerprints()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    # One asset and one whole-dataframe batch definition serve every suite: the dataframe arrives
    # with each run. (Adding an asset per table re-serialises the context config each time.)
    batch = (
        context.data_sources.add_pandas(_DATASOURCE)
        .add_dataframe_asset("duckdb_table")
        .add_batch_definition_whole_dataframe("whole_table")
    )
    result = AuditResult(
        success=True,
        as_of_date=settings.as_of_date.isoformat(),
        skipped=[skip for spec in specs for skip in spec.skipped],
        sources=sources,
    )
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": MAX_SAMPLE_KEYS}

    con = connect_read_only(database)
    try:
        for spec in specs:
            suite_started = time.perf_counter()
            expectations = passed = rows = 0
            try:
                if spec.frame_builder == "schema":
                    schema_frame = _schema_frame(con, spec, contracts[spec.name])
                    rows = len(schema_frame)
                    parts = [Part(spec.name, spec.expectations, list(schema_frame.columns))]
                else:
                    table_columns = con.sql(f"select * from ({spec.select_sql}) as audited limit 0").columns
                    rows = con.execute(f"select count(*) from ({spec.select_sql}) as audited").fetchall()[0][0]
                    parts = expectation_parts(spec, table_columns, split=rows * len(table_columns) >= split_cells)
                    schema_frame = None
            except duckdb.Error as exc:
                result.success = False
                result.failures.append(
                    Failure(spec.name, spec.table, "read_table", {}, None, None, None, None, [], str(exc)[:300])
                )
                result.suites.append(SuiteOutcome(spec.name, spec.table, 0, len(spec.expectations), 0, 0.0))
                continue
            for part in parts:
                try:
                    frame = (
                        schema_frame if schema_frame is not None else fetch_frame(con, _part_sql(spec.select_sql, part))
                    )
                except duckdb.Error as exc:
                    result.success = False
                    result.failures.append(
                        Failure(spec.name, spec.table, "read_table", {}, None, None, None, None, [], str(exc)[:300])
                    )
                    expectations += len(part.expectations)
                    continue
                suite = context.suites.add(gx.ExpectationSuite(name=part.name, expectations=part.expectations))
                validation = context.validation_definitions.add(
                    gx.ValidationDefinition(name=part.name, data=batch, suite=suite)
                )
                checkpoint = context.checkpoints.add(
                    gx.Checkpoint(name=part.name, validation_definitions=[validation], result_format=result_format)
                )
                run = checkpoint.run(batch_parameters={"dataframe": frame})
                for validation_result in run.run_results.values():
                    part_passed, failures = _failures(spec, frame, validation_result)
                    result.failures += failures
                    result.success = result.success and not failures
                    expectations += len(validation_result.results)
                    passed += part_passed
                del frame, run
                _release_validated_batch(context)
            result.suites.append(
                SuiteOutcome(
                    spec.name, spec.table, rows, expectations, passed, round(time.perf_counter() - suite_started, 2)
                )
            )
    finally:
        con.close()

    if data_docs_dir is not None:
        data_docs_dir.mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(
            "audit",
            {
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs_dir.resolve()),
                },
            },
        )
        result.data_docs_index = context.build_data_docs(site_names=["audit"]).get("audit")
    result.seconds = time.perf_counter() - started
    if report_file is not None:
        report_file.parent.mkdir(parents=True, exist_ok=True)
        report_file.write_text(json.dumps(result.to_json(), indent=2, default=str) + "\n")
    return result


def format_report(result: AuditResult) -> str:
    """The human-readable report: a one-screen summary, plus one block per failure."""
    lines = []
    for s in result.suites:
        mark = "ok  " if s.passed == s.expectations else "FAIL"
        lines.append(f"  {mark} {s.suite:<55} {s.rows:>9,} rows  {s.passed:>3}/{s.expectations:<3} passed")
    verdict = "PASSED" if result.success else "FAILED"
    skipped = sum(s.action == "skipped" for s in result.skipped)
    relaxed = len(result.skipped) - skipped
    lines.append(
        f"Audit {verdict}: {len(result.suites)} suites, {result.expectations} expectations, "
        f"{result.passed} passed, {len(result.failures)} failed, {skipped} skipped, {relaxed} relaxed "
        f"(as-of {result.as_of_date}, {result.seconds:.1f}s)"
    )
    not_provided = [s.table for s in result.sources if not s.provided]
    if not_provided:
        lines.append(f"Partial data: not provided (0 rows): {', '.join(not_provided)}")
    for s in result.skipped:
        where = f"{s.table}" + (f".{s.column}" if s.column else "")
        detail = f" -> {s.detail}" if s.detail else ""
        lines.append(f"  {s.action:<7} {s.expectation} on {where}{detail}: {s.reason}")
    for f in result.failures:
        kwargs = ", ".join(f"{k}={v}" for k, v in f.kwargs.items())
        lines.append("")
        lines.append(f"FAILED {f.suite}  table={f.table}  column={f.column or '-'}")
        lines.append(f"  expectation: {f.expectation}({kwargs})")
        if f.unexpected_count is not None:
            lines.append(f"  unexpected: {f.unexpected_count} rows ({f.unexpected_percent}%)")
        if f.observed_value is not None:
            lines.append(f"  observed: {f.observed_value}")
        if f.sample_keys:
            lines.append(f"  sample keys: {json.dumps(f.sample_keys, default=str)}")
        if f.error:
            lines.append(f"  error: {f.error}")
        if f.expectation == "expect_column_max_to_be_between":
            lines.append(f"  hint: {FRESHNESS_HINT}")
    if result.data_docs_index:
        lines.append(f"Data Docs: {result.data_docs_index}")
    return "\n".join(lines)


FRESHNESS_HINT = (
    "the newest value is older than the freshness window before the as-of date; if the export is "
    "simply older, pass --as-of-date YYYY-MM-DD (`marketing-kpi build --as-of YYYY-MM-DD`), or widen "
    "freshness_days in a settings file (--settings FILE or MKPI_AUDIT_SETTINGS)"
)


def write_volume_bands(database: Path, manifest: Path, settings_file: Path, tolerance: float = 0.5) -> None:
    """Measure the KPI marts' row counts in `database` and write them +/- `tolerance` as the
    `volume_bands.kpi` section of `settings_file` (the rest of the file is kept verbatim)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        bands = {}
        for mart in discover_marts(manifest):
            try:
                (rows,) = con.execute(f"select count(*) from {mart.schema}.{mart.alias}").fetchone()
            except duckdb.CatalogException:
                print(f"warning: {mart.schema}.{mart.alias} is not built; no band written", file=sys.stderr)
                continue
            bands[mart.name] = {"min": max(1, int(rows * (1 - tolerance))), "max": int(rows * (1 + tolerance)) + 1}
    finally:
        con.close()
    text = settings_file.read_text()
    head, marker, _ = text.rpartition("  kpi:")
    if not marker:
        raise AuditError(f"{settings_file} has no `volume_bands.kpi` section to replace")
    body = yaml.safe_dump({"kpi": bands}, sort_keys=True, default_flow_style=None, width=100)
    settings_file.write_text(head + "\n".join("  " + line for line in body.splitlines()) + "\n")


HELP_EPILOG = """\
settings (--settings FILE or MKPI_AUDIT_SETTINGS=FILE; copy audit_settings.yml and change what differs):
  as_of_date            the date freshness is measured against: data_end | today | YYYY-MM-DD
                        (--as-of-date and MKPI_AS_OF_DATE take precedence)
  freshness_days.raw    a raw table's newest row is at most this many days before the as-of date (7)
  freshness_days.kpi    a KPI mart's latest period contains (as-of date - this many days) or later (7)
  freshness_days.tables per table (raw table or KPI mart name): days, or null for no freshness check
  volume_bands          min/max rows per table (--no-volume-bands: only "not empty")

partial data: a raw table with no rows is "not provided" (raw.channels must always be). Its row
count and freshness are not checked; a KPI mart fed only by provided tables is checked in full,
one fed also by tables that were not provided may be empty (row count min 0, no freshness). Every
skipped or relaxed expectation is listed with its reason, in this report and in the JSON report,
and the publish step copies them to meta.audit_skipped_expectations in the serving file.

exit codes: 0 passed, 1 an expectation failed (each failure: suite, table, column, expectation,
unexpected count, sample keys), 2 the audit could not run.
"""


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point (wired as `marketing-kpi audit`)."""
    parser = argparse.ArgumentParser(
        prog="marketing-kpi audit",
        description="Audit raw inputs and KPI marts with Great Expectations.",
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database", type=Path, default=None, help="DuckDB file (default: MKPI_DUCKDB_PATH)")
    parser.add_argument("--manifest", type=Path, default=None, help="dbt manifest.json (default: target/)")
    parser.add_argument("--tables", nargs="+", default=None, help="audit only these tables or suites")
    parser.add_argument("--data-docs-dir", type=Path, default=None, help="default: warehouse/data_docs")
    parser.add_argument("--no-data-docs", action="store_true", help="skip building Data Docs")
    parser.add_argument("--report", type=Path, default=None, help="default: warehouse/audit/last_audit.json")
    parser.add_argument(
        "--settings",
        type=Path,
        default=None,
        help="audit settings YAML (as-of date, freshness windows, volume bands); default: $MKPI_AUDIT_SETTINGS, "
        "else the embedded dataset's src/marketing_kpi/quality/audit_settings.yml",
    )
    parser.add_argument(
        "--as-of", "--as-of-date", dest="as_of_date", default=None, help="YYYY-MM-DD, today or data_end"
    )
    parser.add_argument("--no-volume-bands", action="store_true", help="only require non-empty tables")
    parser.add_argument(
        "--write-volume-bands", action="store_true", help="rewrite the KPI volume bands from this build"
    )
    args = parser.parse_args(argv)

    database = args.database or paths.build_database()
    manifest = args.manifest or default_manifest()
    settings_file = args.settings or Path(os.environ.get("MKPI_AUDIT_SETTINGS") or default_settings_file())
    try:
        if args.write_volume_bands:
            write_volume_bands(database, manifest, settings_file)
            print(f"wrote KPI volume bands to {settings_file}")
            return 0
        settings = load_settings(settings_file, as_of_date=args.as_of_date, use_volume_bands=not args.no_volume_bands)
        result = run_audit(
            database,
            data_docs_dir=None if args.no_data_docs else (args.data_docs_dir or default_data_docs_dir()),
            tables=args.tables,
            manifest=manifest,
            settings=settings,
            report_file=args.report or default_report_file(),
        )
    except (AuditError, ValueError, OSError, duckdb.Error) as exc:
        print(f"audit error: {exc}", file=sys.stderr)
        return 2
    print(format_report(result))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
