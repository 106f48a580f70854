"""BI tools often embed an older DuckDB: the serving file must open under DuckDB 1.x.

The test installs a pinned DuckDB 1.x into a cached venv (warehouse/.venvs/duckdb-<version>,
git-ignored; MKPI_OLD_DUCKDB_VERSION overrides the pin) and reads every published table with it.
It skips only when pip cannot reach a package index."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import venv
from pathlib import Path

import pytest
from _publish_testkit import make_fixture, real_build

from marketing_kpi import paths
from marketing_kpi import publish as pub

OLD_DUCKDB = os.environ.get("MKPI_OLD_DUCKDB_VERSION", "1.1.3")
NETWORK_ERRORS = (
    "Could not find a version",
    "No matching distribution",
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Failed to establish a new connection",
    "ConnectionError",
    "ProxyError",
    "Max retries exceeded",
    "timed out",
)

READ_ALL = textwrap.dedent(
    """
    import json, sys
    import duckdb

    con = duckdb.connect(sys.argv[1], read_only=True)
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() order by 1, 2"
    ).fetchall()
    counts = {}
    for schema, table in tables:
        # Every column of every row is decoded (cast to text) without needing pytz & co.
        rows, _ = con.execute(
            f'select count(*), max(length(cast(t as varchar))) from "{schema}"."{table}" as t'
        ).fetchone()
        counts[f"{schema}.{table}"] = rows
    parquet = {}
    for schema, table in tables:
        glob = f"{sys.argv[2]}/{schema}/{table}/*.parquet"
        parquet[f"{schema}.{table}"] = con.execute(f"select count(*) from read_parquet('{glob}')").fetchone()[0]
    print(json.dumps({"version": duckdb.__version__, "rows": counts, "parquet": parquet}))
    """
)


@pytest.fixture(scope="session")
def old_duckdb_python() -> Path:
    """A Python with duckdb==OLD_DUCKDB, created once and reused (skips without a package index)."""
    env_dir = paths.PROJECT_ROOT / "warehouse" / ".venvs" / f"duckdb-{OLD_DUCKDB}"
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    check = [str(python), "-c", "import duckdb; print(duckdb.__version__)"]
    if python.exists():
        done = subprocess.run(check, capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip() == OLD_DUCKDB:
            return python
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"duckdb=={OLD_DUCKDB}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if install.returncode != 0:
        output = (install.stdout + install.stderr)[-1500:]
        if any(marker in output for marker in NETWORK_ERRORS):
            print(f"pip could not install duckdb=={OLD_DUCKDB}:\n{output}")
            pytest.skip(f"cannot install duckdb=={OLD_DUCKDB} (no package index reachable): {output[-300:]}")
        pytest.fail(f"pip install duckdb=={OLD_DUCKDB} failed:\n{output}")
    return python


def _read_everything(python: Path, result: pub.PublishResult) -> dict:
    done = subprocess.run(
        [str(python), "-c", READ_ALL, str(result.serving_file), str(result.parquet_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"DuckDB {OLD_DUCKDB} could not read the serving file:\n{done.stderr[-2000:]}"
    return json.loads(done.stdout)


def _expected_rows(result: pub.PublishResult) -> dict[str, int]:
    return {
        **result.row_counts,
        "meta.build_info": 1,
        "meta.publish_log": len(result.tables),
        "meta.build_sources": len(result.sources),
        "meta.audit_skipped_expectations": len(result.skipped_expectations),
    }


def test_old_duckdb_reads_every_published_table(tmp_path, old_duckdb_python):
    fx = make_fixture(tmp_path)
    result = pub.publish(fx.build_a, fx.serving, fx.manifest)
    seen = _read_everything(old_duckdb_python, result)
    assert seen["version"] == OLD_DUCKDB
    assert seen["rows"] == _expected_rows(result)
    assert seen["parquet"] == _expected_rows(result)


def test_old_duckdb_reads_the_real_published_warehouse(tmp_path, old_duckdb_python):
    build, manifest = real_build()
    result = pub.publish(build, tmp_path / "serving", manifest)
    seen = _read_everything(old_duckdb_python, result)
    assert seen["rows"] == _expected_rows(result)
    assert seen["parquet"] == _expected_rows(result)
