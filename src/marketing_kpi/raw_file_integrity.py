"""Whole-file integrity of a raw CSV export, checked before anything is loaded.

The contract check (ingest.py) reads a file's header and samples its first rows; a broken row
further down (a malformed or cut-off line, bytes that are not UTF-8) would only surface half-way
through the load, as a DuckDB error without the table's name. This check reads the whole file
first and names the table, the file and the line of each problem, so a team can fix its export
and nothing is ever loaded from a broken file.

Fast path: DuckDB reads the whole file strictly (every record has the header's field count,
quotes are closed, the text is UTF-8). Only when that fails does Python re-read the file line by
line to say exactly where (DuckDB's own messages sometimes point at the wrong line).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import duckdb

MAX_PROBLEMS_PER_FILE = 5


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _decoded_lines(path: Path, problems: list[str], table: str) -> Iterator[str]:
    """The file's lines as text; a line that is not UTF-8 is reported and decoded with U+FFFD."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                problems.append(
                    f"{table}: {path} line {number}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column "
                    f"{exc.start + 1}); re-export the file as UTF-8"
                )
                yield raw.decode("utf-8", errors="replace")


def locate_csv_problems(table: str, path: Path) -> list[str]:
    """Every structural problem of a CSV file, each naming table, file and line (pure Python)."""
    problems: list[str] = []
    lines = _decoded_lines(path, problems, table)
    reader = csv.reader(lines, strict=True)
    header_fields: int | None = None
    ends_with_newline = True
    try:
        for record in reader:
            if header_fields is None:
                header_fields = len(record)
                continue
            if record == []:
                continue  # a blank line
            if len(record) != header_fields:
                problems.append(
                    f"{table}: {path} line {reader.line_num}: {len(record)} fields, the header has "
                    f"{header_fields} (a malformed or cut-off row)"
                )
    except csv.Error as exc:
        problems.append(
            f"{table}: {path} line {reader.line_num}: {exc} (an unclosed quote: the file is malformed or truncated)"
        )
    with open(path, "rb") as handle:
        handle.seek(0, io.SEEK_END)
        if handle.tell() > 0:
            handle.seek(-1, io.SEEK_END)
            ends_with_newline = handle.read(1) in (b"\n", b"\r")
    if problems and not ends_with_newline:
        problems.append(f"{table}: {path} ends in the middle of a line: the file looks truncated")
    if len(problems) > MAX_PROBLEMS_PER_FILE:
        more = len(problems) - MAX_PROBLEMS_PER_FILE
        problems = [*problems[:MAX_PROBLEMS_PER_FILE], f"{table}: {path}: and {more} more problem(s)"]
    return problems


def csv_file_problems(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> list[str]:
    """Problems of one raw CSV file as a whole (empty list = every line parses).

    Not CSV (e.g. Parquet, which its own reader checks) -> no problems."""
    if path.suffix.lower() != ".csv":
        return []
    source = f"read_csv({_sql_string(path.as_posix())}, header = true, all_varchar = true)"
    try:
        # Hashing each whole row makes DuckDB parse every field (a bare count(*) skips them).
        con.execute(f"select count(*), sum(hash(t)) from {source} as t").fetchall()
        columns = len(con.execute(f"select * from {source} limit 0").description)
    except duckdb.Error as exc:
        located = locate_csv_problems(table, path)
        first_line = str(exc).splitlines()[0]
        return located or [f"{table}: cannot read {path}: {first_line}"]
    if columns == 1 and _comma_header_fields(path) > 1:
        # A malformed row among the rows DuckDB samples to sniff the dialect makes it fall back to
        # one column per line without an error: the file is comma-separated, so find the row.
        return locate_csv_problems(table, path)
    return []


def _comma_header_fields(path: Path) -> int:
    """Fields of the file's first line read as comma-separated CSV (0 for an empty file)."""
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        return len(next(csv.reader(handle), []))
