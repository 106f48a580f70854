"""Bring your own data: check a directory of exports against the raw data contract and load it
into the build database's `raw` schema with DuckDB's native readers (never `dbt seed`).

Layout of the directory: one file or folder per raw table, named after it:
    <dir>/ad_performance.parquet | <dir>/ad_performance.csv | <dir>/ad_performance/*.parquet | *.csv

The check runs before anything is loaded. Every missing, extra or mistyped column of every table
is collected into one message, so a team fixes its export in one pass.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from marketing_kpi import paths
from marketing_kpi.contract import Table, load_contract

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


def _family(contract_type: str) -> tuple[str, ...]:
    base = contract_type.split("(")[0].strip().lower()
    return _TYPE_FAMILIES[base]


def _reader(path: Path) -> str | None:
    if path.is_dir():
        if any(path.glob("*.parquet")):
            return f"read_parquet('{path.as_posix()}/*.parquet')"
        if any(path.glob("*.csv")):
            return f"read_csv('{path.as_posix()}/*.csv', header = true, all_varchar = true)"
        return None
    if path.suffix == ".parquet":
        return f"read_parquet('{path.as_posix()}')"
    if path.suffix == ".csv":
        return f"read_csv('{path.as_posix()}', header = true, all_varchar = true)"
    return None


def locate_files(data_dir: Path) -> tuple[dict[str, TableFile], list[str]]:
    """Find each contract table's file(s) in data_dir. Returns the found ones and problems."""
    found: dict[str, TableFile] = {}
    problems: list[str] = []
    for name in load_contract():
        candidates = [data_dir / f"{name}.parquet", data_dir / f"{name}.csv", data_dir / name]
        readers = [(c, _reader(c)) for c in candidates if c.exists()]
        readers = [(c, r) for c, r in readers if r]
        if not readers:
            problems.append(f"{name}: no file (expected {name}.parquet, {name}.csv or a {name}/ folder)")
        elif len(readers) > 1:
            problems.append(f"{name}: more than one file: {', '.join(str(c.name) for c, _ in readers)}")
        else:
            found[name] = TableFile(name, readers[0][1], readers[0][0])
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
    ).fetchone()
    non_blank, castable = row
    return 1.0 if non_blank == 0 else castable / non_blank


def check_table(con: duckdb.DuckDBPyConnection, table: Table, file: TableFile) -> list[str]:
    """Problems of one table's file against the contract (empty list = conforms)."""
    try:
        described = con.execute(f"describe select * from {file.reader_sql}").fetchall()
    except duckdb.Error as exc:
        return [f"{table.name}: cannot read {file.location}: {str(exc).splitlines()[0]}"]
    actual = {row[0]: row[1] for row in described}
    problems = []
    missing = [c for c in table.column_names if c not in actual]
    extra = [c for c in actual if c not in table.column_names]
    if missing:
        problems.append(f"{table.name}: missing columns: {', '.join(missing)}")
    if extra:
        problems.append(f"{table.name}: extra columns: {', '.join(extra)}")
    for column in table.columns:
        if column.name not in actual:
            continue
        physical = actual[column.name].upper()
        family = _family(column.data_type)
        if physical == "VARCHAR" and column.data_type != "varchar":
            share = _castable_share(con, file.reader_sql, column.name, column.data_type)
            if share < _MAX_UNCASTABLE_SHARE:
                problems.append(
                    f"{table.name}.{column.name}: mistyped: expected {column.data_type}, "
                    f"only {share:.0%} of sampled values cast"
                )
        elif physical != "VARCHAR" and not any(physical.startswith(f) for f in family):
            problems.append(f"{table.name}.{column.name}: mistyped: expected {column.data_type}, file has {physical}")
    return problems


def check_contract(data_dir: Path) -> dict[str, TableFile]:
    """Check every raw table's file; raise ContractMismatch listing every problem at once."""
    if not data_dir.is_dir():
        raise ContractMismatch(f"data directory {data_dir} does not exist")
    files, problems = locate_files(data_dir)
    contract = load_contract()
    con = duckdb.connect()
    try:
        for name, file in files.items():
            problems.extend(check_table(con, contract[name], file))
    finally:
        con.close()
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ContractMismatch(
            f"{data_dir} does not follow the raw data contract (models/staging/_raw__sources.yml); "
            f"{len(problems)} problem(s):\n{lines}"
        )
    return files


def ingest(data_dir: Path, database: Path) -> dict[str, int]:
    """Check data_dir, then (re)load every raw table into <database>.raw in one transaction.

    Columns are selected in contract order, so extra columns can never slip in. Returns rows per
    table. Nothing is written when the check fails.
    """
    files = check_contract(data_dir)
    contract = load_contract()
    database.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database))
    counts: dict[str, int] = {}
    try:
        con.execute("begin transaction")
        con.execute("create schema if not exists raw")
        for name, file in files.items():
            columns = ", ".join(f'"{c}"' for c in contract[name].column_names)
            con.execute(f"create or replace table raw.{name} as select {columns} from {file.reader_sql}")
            counts[name] = con.execute(f"select count(*) from raw.{name}").fetchone()[0]
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.close()
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="marketing-kpi ingest", description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="directory of CSV or Parquet files in the contract")
    parser.add_argument("--check-only", action="store_true", help="check the contract, load nothing")
    parser.add_argument("--database", type=Path, default=None, help="build database (default: MKPI_DUCKDB_PATH)")
    args = parser.parse_args(argv)
    try:
        if args.check_only:
            check_contract(args.data_dir)
            print(f"{args.data_dir}: follows the raw data contract")
            return 0
        started = time.perf_counter()
        counts = ingest(args.data_dir, args.database or paths.build_database())
    except ContractMismatch as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, n in counts.items():
        print(f"  raw.{name}: {n:,} rows")
    print(f"ingested {sum(counts.values()):,} rows in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
