"""Every piece of dirt the generator injected ends as documented, with counts that add up.

The generator records each injected fault in seeds/raw/_dirt_manifest.json (table, kind, count,
expected outcome, reason code); staging must account for each one exactly: quarantined with that
reason, removed as an exact duplicate, superseded by a re-sent version, or normalised and kept.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from marketing_kpi import paths

MANIFEST = paths.raw_seed_dir() / "_dirt_manifest.json"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(MANIFEST.read_text())


def _expected(manifest: dict, outcome: str) -> Counter:
    expected: Counter = Counter()
    for entry in manifest["dirt"]:
        if entry["expected_outcome"] == outcome:
            expected[(entry["table"], entry["reason_code"])] += entry["count"]
    return expected


def test_every_injected_quarantine_reason_is_quarantined_with_that_reason(warehouse, manifest):
    expected = _expected(manifest, "quarantined")
    assert expected, "the embedded dataset should carry quarantinable dirt"
    actual = Counter(
        {
            (table, reason): n
            for table, reason, n in warehouse.execute(
                """
                select source_table, quarantine_reason, count(*)
                from staging.stg_quarantine__rows
                group by 1, 2
                """
            ).fetchall()
        }
    )
    assert actual == expected


@pytest.mark.parametrize(
    ("outcome", "column"),
    [("removed_duplicate", "exact_duplicates_removed"), ("superseded", "superseded_rows")],
)
def test_duplicates_and_resent_rows_are_removed_and_superseded(warehouse, manifest, outcome, column):
    expected = Counter({table: n for (table, _), n in _expected(manifest, outcome).items()})
    rows = warehouse.execute(f"select source_table, {column} from staging.stg_quarantine__row_counts").fetchall()
    actual = Counter({table: n for table, n in rows if n})
    assert actual == expected


def test_raw_row_counts_match_the_manifest_and_add_up(warehouse, manifest):
    rows = warehouse.execute(
        """
        select source_table, raw_rows, staged_rows, exact_duplicates_removed, superseded_rows, quarantined_rows
        from staging.stg_quarantine__row_counts
        """
    ).fetchall()
    raw_tables = {table for table in manifest["rows"] if "." not in table}  # reference seeds are listed as schema.table
    assert {r[0] for r in rows} == raw_tables
    for table, raw, staged, duplicates, superseded, quarantined in rows:
        assert raw == manifest["rows"][table], table
        assert raw == staged + duplicates + superseded + quarantined, table


def test_normalised_dirt_is_kept(warehouse, manifest):
    """Rows with stray enum casing or timezone offsets are valid after cleaning, not quarantined."""
    normalised = [e for e in manifest["dirt"] if e["expected_outcome"] == "normalised"]
    assert normalised
    for entry in normalised:
        for key in entry["keys"]:
            status = warehouse.execute(
                "select count(*) from staging.stg_quarantine__rows where source_table = ? and record_key = ?",
                [entry["table"], key],
            ).fetchone()[0]
            assert status == 0, f"{entry['table']} {key} ({entry['kind']}) was quarantined"
