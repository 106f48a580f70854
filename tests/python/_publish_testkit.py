"""Helpers for the publish tests: a small build database + manifest in tmp_path, shaped like the
real project's (schemas raw, staging, intermediate, marts, kpi; public and protected models; a PII
column and a hash column), and access to the real build when one exists."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from marketing_kpi import paths
from marketing_kpi.publish import default_manifest, load_public_models

# name -> (resource path, schema, access, columns: {name: meta})
FIXTURE_MODELS: dict[str, tuple[str, str, str, dict[str, dict]]] = {
    "kpi_channel_spend__daily": (
        "marts/kpi/kpi_channel_spend__daily.sql",
        "kpi",
        "public",
        {"date_day": {}, "channel_id": {}, "spend": {}, "clicks": {}, "click_through_rate": {}},
    ),
    "dim_leads": (
        "marts/dim_leads.sql",
        "marts",
        "public",
        {
            "lead_id": {},
            "country_code": {},
            "contact_email": {"config": {"meta": {"pii": True}}},
            "contact_phone": {"tags": ["pii"]},
            "email_hash": {},
            "created_at": {},
        },
    ),
    "fct_orders": ("marts/fct_orders.sql", "marts", "public", {"order_id": {}, "amount": {}}),
    "dim_channels": ("marts/dim_channels.sql", "marts", "public", {"channel_id": {}, "channel_name": {}}),
    "stg_crm__leads": ("staging/crm/stg_crm__leads.sql", "staging", "public", {"email": {}}),
    "int_leads_lifecycle": ("intermediate/funnel/int_leads_lifecycle.sql", "intermediate", "protected", {}),
}
PUBLIC_FIXTURE_TABLES = ("kpi.kpi_channel_spend__daily", "marts.dim_channels", "marts.dim_leads", "marts.fct_orders")

# Rows per dataset: the two datasets have different sizes, so totals differ per build.
DATASET_ROWS = {"A": 20_000, "B": 30_000}


def dataset_total(dataset: str) -> int:
    """sum(clicks) of kpi_channel_spend__daily in a fixture dataset."""
    n = DATASET_ROWS[dataset]
    return sum(i % 1000 for i in range(n))


def make_build_db(path: Path, dataset: str = "A") -> Path:
    """A build database in the layout dbt writes (catalog name = file stem)."""
    n = DATASET_ROWS[dataset]
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(
        f"""
        create schema raw; create schema staging; create schema intermediate;
        create schema marts; create schema kpi;
        create table raw.leads as select 'a' || range || '@example.com' as email from range(10);
        create table staging.stg_crm__leads as select * from raw.leads;
        create table intermediate.int_leads_lifecycle as select range as lead_id from range(10);
        create table kpi.kpi_channel_spend__daily as
            select
                date '2024-01-01' + (range % 365)::integer as date_day,
                'ch_' || (range % 7) as channel_id,
                (range % 997 / 10)::decimal(18, 2) as spend,
                (range % 1000)::bigint as clicks,
                (range % 100) / 100.0 as click_through_rate,
                range % 7 in (5, 6) as is_weekend,
                timestamptz '2024-01-01 00:00:00+00' + to_seconds(range) as loaded_at,
                (range * 1000)::hugeint as big_total
            from range({n});
        create table marts.dim_leads as
            select
                'L' || lpad(range::varchar, 6, '0') as lead_id,
                ['DE', 'US', 'FR'][range % 3 + 1] as country_code,
                'lead' || range || '@example.com' as contact_email,
                '+49 170 555 ' || lpad((range % 10000)::varchar, 4, '0') as contact_phone,
                md5(range::varchar) as email_hash,
                timestamp '2024-01-01 00:00:00' + to_minutes(range) as created_at
            from range({n // 10});
        create table marts.fct_orders as
            select 'O' || range as order_id, (range * 1.5)::decimal(18, 2) as amount from range({n // 5});
        create table marts.channel_names as
            select 'ch_' || range as channel_id, 'Channel ' || range as channel_name from range(7);
        create view marts.dim_channels as select * from {path.stem}.marts.channel_names;
        """
    )
    con.close()
    return path


def make_manifest(path: Path, db_name: str = "build", models: dict | None = None) -> Path:
    """A dbt manifest (just the fields publish reads) describing FIXTURE_MODELS."""
    nodes = {}
    for name, (file_path, schema, access, columns) in (models or FIXTURE_MODELS).items():
        nodes[f"model.marketing_kpi.{name}"] = {
            "resource_type": "model",
            "name": name,
            "alias": name,
            "database": db_name,
            "schema": schema,
            "original_file_path": f"models/{file_path}",
            "access": access,
            "description": f"Test model {name}. One row per thing.",
            "config": {"materialized": "table", "access": access, "enabled": True},
            "columns": {col: {"name": col, "description": f"The {col}.", **meta} for col, meta in columns.items()},
        }
    nodes["test.marketing_kpi.not_null_x"] = {"resource_type": "test", "name": "not_null_x"}
    manifest = {
        "metadata": {"invocation_id": "manifest-invocation", "dbt_version": "1.11.0", "generated_at": "now"},
        "nodes": nodes,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest))
    (path.parent / "run_results.json").write_text(
        json.dumps({"metadata": {"invocation_id": "build-invocation", "generated_at": "now"}})
    )
    return path


@dataclass(frozen=True)
class Fixture:
    build_a: Path
    build_b: Path
    manifest: Path
    serving: Path


def make_fixture(tmp_path: Path) -> Fixture:
    """Two build databases (datasets A and B, both catalog `build`) and their manifest."""
    return Fixture(
        build_a=make_build_db(tmp_path / "a" / "build.duckdb", "A"),
        build_b=make_build_db(tmp_path / "b" / "build.duckdb", "B"),
        manifest=make_manifest(tmp_path / "target" / "manifest.json"),
        serving=tmp_path / "serving",
    )


def real_build() -> tuple[Path, Path]:
    """The real built warehouse and its manifest, or skip (fail under MKPI_REQUIRE_BUILD=1)."""
    db, manifest = paths.build_database(), default_manifest()

    def unavailable(reason: str) -> None:
        message = f"no real build to publish: {reason}"
        if os.environ.get("MKPI_REQUIRE_BUILD") == "1":
            pytest.fail(message)
        pytest.skip(message)

    if not db.exists():
        unavailable(f"{db} does not exist (set MKPI_DUCKDB_PATH to a built database)")
    if not manifest.exists():
        unavailable(f"no dbt manifest at {manifest} (set DBT_TARGET_PATH to the build's target dir)")
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        unavailable(f"cannot open {db} read-only (a dbt build running?): {exc}")
    try:
        kpi_tables = con.execute(
            "select count(*) from duckdb_tables() where database_name = current_database() and schema_name = 'kpi'"
        ).fetchone()[0]
    finally:
        con.close()
    if not kpi_tables:
        unavailable(f"{db} has no tables in schema kpi yet")
    if not load_public_models(manifest)[0]:
        unavailable(f"{manifest} has no public models")
    return db, manifest
