"""The project's generic tests (tests/generic/) on hand-made rows: a grain test that misses a
duplicate, or flags distinct rows, would pass or fail every model it guards for the wrong reason."""

from __future__ import annotations

import json
from pathlib import Path

from marketing_kpi.dbt_runner import run_dbt

ROWS = """(select * from (values
    (1, null), (1, null),
    (2, 3), (2, 3), (2, 3),
    (null, 2), (2, null), (null, null),
    (4, 4)
) as v(a, b)) as t"""


def _show(tmp_path: Path, sql: str) -> list[dict]:
    env = {
        "MKPI_DUCKDB_PATH": str(tmp_path / "scratch.duckdb"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    proc = run_dbt(["show", "--output", "json", "--limit", "100", "--inline", sql], env=env, capture=True)
    start = proc.stdout.index("{")
    payload, _ = json.JSONDecoder().raw_decode(proc.stdout[start:])
    return payload["show"]


def _repeats(tmp_path: Path, columns: list[str]) -> list[tuple]:
    call = f"test_unique_combination_of_columns(model='{ROWS}', combination_of_columns={columns!r})"
    rows = _show(tmp_path, "{{ " + call + " }}")
    return sorted((tuple(r[c] for c in columns) + (r["rows_with_combination"],) for r in rows), key=str)


def test_unique_combination_of_columns_reports_each_repeated_combination_exactly(tmp_path: Path) -> None:
    """Repeats are found with nulls as values ((1, null) twice); rows that differ only in where a
    null sits are distinct; each repeated combination is one failing row with its count. One
    column: its nulls count as one value (four rows), like a GROUP BY."""
    assert _repeats(tmp_path, ["a", "b"]) == sorted([(1, None, 2), (2, 3, 3)], key=str)
    assert _repeats(tmp_path, ["b"]) == sorted([(None, 4), (3, 3)], key=str)
