"""Whole-file integrity of raw CSV exports (src/marketing_kpi/raw_file_integrity.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from marketing_kpi.raw_file_integrity import csv_file_problems

HEADER = "order_id,customer_id,amount\n"


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("bad_line", [3, 500, 1001])
def test_a_malformed_row_among_the_sniffed_rows_is_named(tmp_path: Path, bad_line: int) -> None:
    """DuckDB sniffs the dialect from the first rows; a row with a surplus field there used to make
    it read the file as one column without an error, so the row was never named."""
    rows = [f"ord_{i:05d},cus_{i:04d},{i}.00\n" for i in range(1, 1400)]
    rows[bad_line - 2] = rows[bad_line - 2].rstrip("\n") + ",surplus field\n"
    path = _write(tmp_path / "orders.csv", rows)
    with duckdb.connect() as con:
        problems = csv_file_problems(con, "orders", path)
    assert problems == [f"orders: {path} line {bad_line}: 4 fields, the header has 3 (a malformed or cut-off row)"]


def test_a_clean_file_and_a_one_column_file_have_no_problems(tmp_path: Path) -> None:
    clean = _write(tmp_path / "clean.csv", [f"ord_{i},cus_{i},{i}.00\n" for i in range(50)])
    single = tmp_path / "single.csv"
    single.write_text("order_id\n" + "".join(f"ord_{i}\n" for i in range(50)), encoding="utf-8")
    with duckdb.connect() as con:
        assert csv_file_problems(con, "orders", clean) == []
        assert csv_file_problems(con, "orders", single) == []
