"""The raw data contract, read from the dbt sources file (models/staging/raw__sources.yml).

That yml is the one place the contract is written down; this module gives Python (generator,
bring-your-own-data check, docs) a typed view of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from marketing_kpi.paths import contract_file

# The event-time column of each raw table (None: a dimension without one): the as-of default of
# an own-data build, the benchmark's "new day" and the audit's freshness read it.
EVENT_COLUMN: dict[str, str | None] = {
    "channels": None,
    "campaigns": "exported_at",
    "ad_performance": "report_date",
    "web_sessions": "session_started_at",
    "email_sends": "sent_at",
    "leads": "created_at",
    "lead_stage_events": "changed_at",
    "touchpoints": "touched_at",
    "orders": "ordered_at",
    "survey_responses": "responded_at",
}


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str
    is_key: bool = False
    is_pii: bool = False
    is_version: bool = False
    accepted_values: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    # Must be provided with at least one row (every other table may be absent or header-only).
    is_required: bool = False
    # Raw tables whose keys this table's rows are checked against.
    requires: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def key_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.is_key]

    @property
    def pii_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.is_pii]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"raw table {self.name!r} has no column {name!r} in the contract")


def column_set_problems(label: str, expected: list[str], actual: list[str]) -> list[str]:
    """'<label>: missing columns: ...' / 'extra columns: ...' for a file's header against its contract."""
    missing = [c for c in expected if c not in actual]
    extra = [c for c in actual if c not in expected]
    problems = []
    if missing:
        problems.append(f"{label}: missing columns: {', '.join(missing)}")
    if extra:
        problems.append(f"{label}: extra columns: {', '.join(extra)}")
    return problems


@lru_cache(maxsize=4)
def load_contract(path: Path | None = None) -> dict[str, Table]:
    """Return the raw tables of the contract, in file order, keyed by table name."""
    doc = yaml.safe_load((path or contract_file()).read_text())
    source = next(s for s in doc["sources"] if s["name"] == "raw")
    tables: dict[str, Table] = {}
    for t in source["tables"]:
        cols = []
        for c in t["columns"]:
            meta = c.get("meta") or {}
            accepted = meta.get("accepted_values")
            cols.append(
                Column(
                    name=c["name"],
                    data_type=c["data_type"],
                    description=c.get("description", ""),
                    is_key=bool(meta.get("key")),
                    is_pii=bool(meta.get("pii")),
                    is_version=bool(meta.get("version")),
                    accepted_values=tuple(str(v) for v in accepted) if accepted else None,
                )
            )
        table_meta = (t.get("config") or {}).get("meta") or {}
        tables[t["name"]] = Table(
            name=t["name"],
            description=t.get("description", ""),
            columns=tuple(cols),
            is_required=bool(table_meta.get("required")),
            requires=tuple(table_meta.get("requires") or ()),
        )
    return tables
