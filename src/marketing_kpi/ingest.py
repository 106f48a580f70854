"""Load a dataset into the build database: check a directory of exports against the raw data
contract and load it into the `raw` schema with DuckDB's native readers (never `dbt seed`), with
its reference data (reference_data.py) into `reference`. The embedded dataset (seeds/raw) loads
the same way.

Layout of the directory: one file or folder per raw table, named after it:
    <dir>/ad_performance.parquet | <dir>/ad_performance.csv | <dir>/ad_performance/*.parquet | *.csv
    <dir>/reference/<table>.csv   (optional: budgets, targets, fx rates, working hours, ...)

A folder's files are checked one by one (a problem names the file) and loaded together, matched
by column name. Other files in the directory are ignored. Every raw table except the required
ones (contract meta `required: true`: channels) may be absent or header-only: it is loaded as an
empty table and the KPIs that need it are not available. The check runs before anything is
loaded. Every missing, extra or mistyped column of every table is collected into one message, so
a team fixes its export in one pass; then every table is (re)loaded in one transaction, so a
failed load leaves the previous raw and reference tables untouched. Raw tables hold text, like
the embedded seeds, whatever the file types: staging types and checks every value.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from marketing_kpi import paths, reference_data
from marketing_kpi.contract import EVENT_COLUMN, Table, column_set_problems, load_contract
from marketing_kpi.raw_file_integrity import csv_file_problems

# Physical types a file may carry for each contract type. VARCHAR is accepted everywhere (text
# exports) and then sampled: a text column whose values mostly do not cast is mistyped.
_TYPE_FAMILIES: dict[str, tuple[str, ...]] = {
    "varchar": ("VARCHAR",),
    "date": ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"),
    "timestamp": (
        "TIMESTAMP",
        "TIMESTAMP WITH TIME ZONE",
        "TIMESTAMP_NS",
        "TIMESTAMP_MS",
        "TIMESTAMP_S",
        "DATE",
    ),
    "boolean": ("BOOLEAN",),
    "bigint": ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"),
    "integer": ("INTEGER", "BIGINT", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT"),
    "decimal": ("DECIMAL", "DOUBLE", "FLOAT", "BIGINT", "INTEGER", "HUGEINT", "SMALLINT"),
}
_SAMPLE_ROWS = 10_000
_MAX_UNCASTABLE_SHARE = 0.5


class ContractMismatch(ValueError):
    """Files do not follow the raw data contract; the message lists every problem."""


@dataclass(frozen=True)
class TableFile:
    table: str
    reader_sql: str  # a DuckDB table function call reading the file(s)
    location: Path
    files: tuple[Path, ...] = ()  # the individual files (one, or a folder's)

    @property
    def fmt(self) -> str:
        return "parquet" if self.reader_sql.startswith("read_parquet") else "csv"


def _family(contract_type: str) -> tuple[str, ...]:
    base = contract_type.split("(")[0].strip().lower()
    return _TYPE_FAMILIES[base]


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def reader_sql(files: Sequence[Path], fmt: str) -> str:
    """A DuckDB table function reading `files` (all of one format), columns matched by name."""
    paths = ", ".join(_sql_string(f.as_posix()) for f in files)
    source = paths if len(files) == 1 else f"[{paths}]"
    union = ", union_by_name = true" if len(files) > 1 else ""
    if fmt == "parquet":
        return f"read_parquet({source}{union})"
    return f"read_csv({source}, header = true, all_varchar = true{union})"


def _table_file(name: str, path: Path) -> tuple[TableFile | None, str | None]:
    """The TableFile for a file or folder candidate, or a problem, or (None, None) if unusable."""
    if path.is_dir():
        parquet = sorted(path.glob("*.parquet"))
        csvs = sorted(path.glob("*.csv"))
        if parquet and csvs:
            return None, f"{name}: folder {path.name}/ mixes .parquet and .csv files; use one format"
        files, fmt = (parquet, "parquet") if parquet else (csvs, "csv")
        if not files:
            return None, None
        return TableFile(name, reader_sql(files, fmt), path, tuple(files)), None
    if path.suffix in (".parquet", ".csv"):
        fmt = path.suffix[1:]
        return TableFile(name, reader_sql([path], fmt), path, (path,)), None
    return None, None


def locate_files(data_dir: Path) -> tuple[dict[str, TableFile], list[str]]:
    """Find each contract table's file(s) in data_dir. Returns the found ones and problems; a table
    without a file is a problem only when the contract requires it (meta `required: true`)."""
    found: dict[str, TableFile] = {}
    problems: list[str] = []
    for name in load_contract():
        candidates = [data_dir / f"{name}.parquet", data_dir / f"{name}.csv", data_dir / name]
        usable: list[TableFile] = []
        for candidate in candidates:
            if not candidate.exists():
                continue
            table_file, problem = _table_file(name, candidate)
            if problem:
                problems.append(problem)
            if table_file:
                usable.append(table_file)
        if len(usable) > 1:
            problems.append(f"{name}: more than one file: {', '.join(t.location.name for t in usable)}")
        elif usable:
            found[name] = usable[0]
        elif load_contract()[name].is_required and not any(p.startswith(f"{name}:") for p in problems):
            problems.append(
                f"{name}: no file (expected {name}.parquet, {name}.csv or a {name}/ folder); "
                "this table is required (every other raw table may be absent)"
            )
    return found, problems


def _castable_share(con: duckdb.DuckDBPyConnection, reader: str, column: str, contract_type: str) -> float:
    target = "timestamptz" if contract_type == "timestamp" else contract_type
    row = con.execute(
        f"""
        with sample as (
            select nullif(trim(cast("{column}" as varchar)), '') as v from {reader} limit {_SAMPLE_ROWS}
        )
        select count(v), count(try_cast(v as {target})) from sample
        """
    ).fetchall()[0]
    non_blank, castable = row
    return 1.0 if non_blank == 0 else castable / non_blank


def _check_one_file(con: duckdb.DuckDBPyConnection, table: Table, reader: str, where: str) -> list[str]:
    """Problems of one file (`reader`) against the contract; `where` locates it in messages."""
    # Whole-file integrity first: UTF-8, closed quotes, field counts (see raw_file_integrity.py).
    broken = csv_file_problems(con, table.name, Path(where))
    if broken:
        return broken
    try:
        described = con.execute(f"describe select * from {reader}").fetchall()
    except duckdb.Error as exc:
        return [f"{table.name}: cannot read {where}: {str(exc).splitlines()[0]}"]
    actual = {row[0]: row[1] for row in described}
    problems = column_set_problems(table.name, table.column_names, list(actual))
    for column in table.columns:
        if column.name not in actual:
            continue
        physical = actual[column.name].upper()
        family = _family(column.data_type)
        if physical == "VARCHAR" and column.data_type != "varchar":
            share = _castable_share(con, reader, column.name, column.data_type)
            if share < _MAX_UNCASTABLE_SHARE:
                problems.append(
                    f"{table.name}.{column.name}: mistyped: expected {column.data_type}, "
                    f"only {share:.0%} of sampled values cast"
                )
        elif physical != "VARCHAR" and not any(physical.startswith(f) for f in family):
            problems.append(f"{table.name}.{column.name}: mistyped: expected {column.data_type}, file has {physical}")
    return problems


def check_table(con: duckdb.DuckDBPyConnection, table: Table, file: TableFile) -> list[str]:
    """Problems of one table's file(s) against the contract (empty list = conforms).

    A folder's files are checked one by one: a problem found in only some of them names those
    files; one found in every file is listed once.
    """
    files = file.files or (file.location,)
    if len(files) == 1:
        return _check_one_file(con, table, file.reader_sql, str(files[0]))
    found: dict[str, list[str]] = {}
    for f in files:
        for problem in _check_one_file(con, table, reader_sql([f], file.fmt), str(f)):
            found.setdefault(problem, []).append(f.name)
    problems = []
    for problem, names in found.items():
        if len(names) == len(files):
            problems.append(f"{problem} (every file in {file.location.name}/)")
        else:
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            problems.append(f"{problem} (in {file.location.name}/{shown})")
    return problems


def has_rows(con: duckdb.DuckDBPyConnection, file: TableFile) -> bool:
    """Whether a table's file(s) hold at least one row (a header-only file does not)."""
    return bool(con.execute(f"select count(*) from (select 1 from {file.reader_sql} limit 1)").fetchall()[0][0])


def check_contract(data_dir: Path) -> dict[str, TableFile]:
    """Check every raw table's file; raise ContractMismatch listing every problem at once."""
    if not data_dir.is_dir():
        raise ContractMismatch(f"data directory {data_dir} does not exist")
    files, problems = locate_files(data_dir)
    contract = load_contract()
    con = duckdb.connect()
    try:
        for name, file in files.items():
            table_problems = check_table(con, contract[name], file)
            problems.extend(table_problems)
            if not table_problems and contract[name].is_required and not has_rows(con, file):
                problems.append(f"{name}: the file has no rows; this table is required (at least one row)")
        try:
            reference_data.check_reference(con, data_dir)
        except reference_data.ReferenceMismatch as exc:
            problems.extend(line.removeprefix("  - ") for line in str(exc).splitlines()[1:])
    finally:
        con.close()
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ContractMismatch(
            f"{data_dir} does not follow the raw data contract (models/staging/raw__sources.yml); "
            f"{len(problems)} problem(s):\n{lines}"
        )
    return files


def connect(database: Path | str) -> duckdb.DuckDBPyConnection:
    """A connection to `database` (':memory:' allowed) with the profile's DuckDB settings
    (paths.duckdb_settings: threads, memory limit, spill directory, UTC)."""
    if str(database) != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database))
    con.execute("set enable_progress_bar = false")
    for name, value in paths.duckdb_settings().items():
        if name == "temp_directory":
            Path(str(value)).mkdir(parents=True, exist_ok=True)
        literal = str(value).lower() if isinstance(value, bool) else _sql_string(str(value))
        con.execute(f"set {name} = {literal}")
    return con


@dataclass
class IngestResult:
    """What a load wrote: rows per raw table, which tables were provided, where reference data came from."""

    rows: dict[str, int]
    provided: list[str]  # raw tables with at least one row
    not_provided: list[str]  # raw tables absent or header-only (loaded empty)
    reference: list[reference_data.LoadedReference] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def summary_lines(self) -> list[str]:
        lines = [
            f"sources provided ({len(self.provided)}): " + ", ".join(f"{t} ({self.rows[t]:,})" for t in self.provided)
        ]
        if self.not_provided:
            lines.append(
                f"sources not provided ({len(self.not_provided)}, loaded empty; their KPIs are not available): "
                + ", ".join(self.not_provided)
            )
        origins: dict[str, list[str]] = {}
        for ref in self.reference:
            origins.setdefault(ref.origin, []).append(ref.name)
        for origin, names in origins.items():
            lines.append(f"reference data from {origin}: {', '.join(names)}")
        return lines


def ingest(data_dir: Path, database: Path, *, embedded: bool = False) -> IngestResult:
    """Check data_dir, then (re)load every raw table into <database>.raw and the reference data into
    <database>.reference, in one transaction.

    Columns are selected in contract order, so extra columns can never slip in, and stored as text
    (VARCHAR), like the embedded dataset's seeds: the raw schema has one shape whatever the export
    format, staging types and checks every value (a bad value is quarantined, never a failed
    load), and the staging unit tests, whose fixtures take their column types from the raw
    relations, hold for any loader. A table without a file is created empty with every contract
    column. Reference data comes from data_dir/reference/ or its neutral defaults
    (reference_data.py); `embedded` loads the embedded dataset's own reference data from
    seeds/reference/ instead. Nothing is written when a check fails, and a load that fails
    half-way is rolled back. The connection uses the profile's DuckDB settings (threads, memory
    limit, spill directory).
    """
    files = check_contract(data_dir)
    contract = load_contract()
    con = connect(database)
    rows: dict[str, int] = {}
    try:
        plan = reference_data.check_reference(con, None if embedded else data_dir)
        con.execute("begin transaction")
        con.execute("create schema if not exists raw")
        for name, table in contract.items():
            if name in files:
                columns = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in table.column_names)
                con.execute(f"create or replace table raw.{name} as select {columns} from {files[name].reader_sql}")
            else:
                columns = ", ".join(f'"{c}" varchar' for c in table.column_names)
                con.execute(f"create or replace table raw.{name} ({columns})")
            rows[name] = con.execute(f"select count(*) from raw.{name}").fetchall()[0][0]
        loaded = reference_data.load_reference(con, plan)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.close()
    provided = [n for n, r in rows.items() if r > 0]
    return IngestResult(rows, provided, [n for n in rows if n not in provided], loaded)


def _day_text(column: str) -> str:
    """The calendar day of a raw timestamp or date text (its first 10 characters, ISO 8601)."""
    return f'try_cast(left(trim(cast("{column}" as varchar)), 10) as date)'


def last_complete_day(database: Path, today: dt.date | None = None) -> tuple[dt.date | None, str]:
    """The as-of default of an own-data build: the last complete day present in the raw data.

    The latest event day (contract.EVENT_COLUMN of every provided table; days after `today`, the
    machine's date, are future-dated dirt and ignored) is taken as cut off by the export unless an
    export timestamp (any `exported_at`) falls after it, in which case that day is complete.
    Returns (day, explanation); (None, reason) when no table has an event date.
    """
    today = today or dt.date.today()
    contract = load_contract()
    con = connect(database)
    try:
        latest: tuple[dt.date, str] | None = None
        exported: dt.date | None = None
        for name, table in contract.items():
            column = EVENT_COLUMN.get(name)
            if column:
                day = con.execute(
                    f"select max(d) from (select {_day_text(column)} as d from raw.{name}) where d <= ?", [today]
                ).fetchall()[0][0]
                if day is not None and (latest is None or day > latest[0]):
                    latest = (day, f"{name}.{column}")
            if "exported_at" in table.column_names:
                day = con.execute(
                    f"select max(d) from (select {_day_text('exported_at')} as d from raw.{name}) where d <= ?",
                    [today],
                ).fetchall()[0][0]
                if day is not None and (exported is None or day > exported):
                    exported = day
    finally:
        con.close()
    if latest is None:
        return None, "no raw table has an event date"
    day, where = latest
    if exported is not None and exported > day:
        return day, f"the latest event day ({where}), complete: the data was exported on {exported}"
    return day - dt.timedelta(days=1), (
        f"the day before the latest event day {day} ({where}), which the export may have cut off"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="marketing-kpi ingest",
        description="Check a directory of your own CSV/Parquet exports against the raw data contract "
        "(models/staging/raw__sources.yml) and its reference data (DIR/reference/), then load them into the "
        "build database's raw and reference schemas. Every table except channels may be absent.",
    )
    parser.add_argument("data_dir", type=Path, help="directory of CSV or Parquet files in the contract")
    parser.add_argument("--check-only", action="store_true", help="check the contract, load nothing")
    parser.add_argument("--database", type=Path, default=None, help="build database (default: MKPI_DUCKDB_PATH)")
    args = parser.parse_args(argv)
    try:
        if args.check_only:
            files = check_contract(args.data_dir)
            con = duckdb.connect()
            try:
                header_only = [t for t, f in files.items() if not has_rows(con, f)]
            finally:
                con.close()
            absent = [t for t in load_contract() if t not in files]
            print(f"{args.data_dir}: follows the raw data contract")
            print(f"  sources provided: {', '.join(t for t in files if t not in header_only)}")
            if absent or header_only:
                missing = [*(f"{t} (no file)" for t in absent), *(f"{t} (header only)" for t in header_only)]
                print(f"  sources not provided (loaded empty; their KPIs are not available): {', '.join(missing)}")
            return 0
        started = time.perf_counter()
        result = ingest(args.data_dir, args.database or paths.build_database())
    except ContractMismatch as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, n in result.rows.items():
        print(f"  raw.{name}: {n:,} rows")
    for line in result.summary_lines():
        print(f"  {line}")
    print(f"ingested {result.total_rows:,} rows in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
