"""Every ```sql block in docs/ANALYSTS.md runs on the published serving file (opened read-only) and
returns at least one row: the examples analysts copy keep working as the marts change."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from _serving_testkit import serving_file

from marketing_kpi import paths

ANALYSTS_DOC = paths.PROJECT_ROOT / "docs" / "ANALYSTS.md"
SQL_BLOCK = re.compile(r"^```sql[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def sql_blocks() -> list[tuple[str, str]]:
    """(heading, sql) for every sql block, named after the nearest heading above it."""
    text = ANALYSTS_DOC.read_text(encoding="utf-8")
    blocks = []
    for match in SQL_BLOCK.finditer(text):
        headings = re.findall(r"^#+ (.+)$", text[: match.start()], re.MULTILINE)
        blocks.append((headings[-1] if headings else "top", match.group(1)))
    return blocks


BLOCKS = sql_blocks()


def test_the_doc_has_a_dozen_examples() -> None:
    assert len(BLOCKS) >= 12
    assert "duckdb -readonly warehouse/serving/marketing_kpi.duckdb" in ANALYSTS_DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def serving(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return serving_file(tmp_path_factory)


@pytest.mark.parametrize(("heading", "sql"), BLOCKS, ids=[f"{i + 1:02d}" for i in range(len(BLOCKS))])
def test_example_query_runs_read_only_and_returns_rows(serving: Path, heading: str, sql: str) -> None:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        rows = con.execute(sql).fetchall()
    except duckdb.Error as exc:
        pytest.fail(f"example {heading!r} failed: {exc}")
    finally:
        con.close()
    assert rows, f"example {heading!r} returned no rows"
