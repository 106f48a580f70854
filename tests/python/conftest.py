"""Shared fixtures. The test command (python3 tasks.py test) builds the project into
MKPI_DUCKDB_PATH before pytest runs; tests that read the built warehouse use `built_database`."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from marketing_kpi import paths


@pytest.fixture(scope="session")
def built_database() -> Path:
    db = paths.build_database()
    if not db.exists():
        message = f"no built warehouse at {db}: run `python3 tasks.py test` (it builds before pytest)"
        if os.environ.get("MKPI_REQUIRE_BUILD") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return db


@pytest.fixture(scope="session")
def warehouse(built_database: Path):
    con = duckdb.connect(str(built_database), read_only=True)
    yield con
    con.close()


@pytest.fixture()
def scratch_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the build database and spill directory at tmp_path; returns the database path."""
    db = tmp_path / "db" / "build.duckdb"
    monkeypatch.setenv("MKPI_DUCKDB_PATH", str(db))
    monkeypatch.setenv("MKPI_DUCKDB_TEMP_DIR", str(tmp_path / "db" / "tmp"))
    return db
