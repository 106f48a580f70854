"""Every path and setting the Python side uses, read from the same environment variables as the
dbt profile (profiles/profiles.yml), so Python and dbt always point at the same files."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _path_from_env(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser().resolve() if value else default


def build_database() -> Path:
    """The DuckDB file `dbt build` writes into (never read by BI tools)."""
    return _path_from_env("MKPI_DUCKDB_PATH", PROJECT_ROOT / "warehouse" / "build.duckdb")


def serving_dir() -> Path:
    """Where published, read-only artefacts for analysts live."""
    return _path_from_env("MKPI_SERVING_DIR", PROJECT_ROOT / "warehouse" / "serving")


def raw_seed_dir() -> Path:
    return PROJECT_ROOT / "seeds" / "raw"


def reference_seed_dir() -> Path:
    return PROJECT_ROOT / "seeds" / "reference"


def contract_file() -> Path:
    return PROJECT_ROOT / "models" / "staging" / "raw__sources.yml"


def duckdb_settings() -> dict[str, str | bool]:
    """DuckDB settings for Python-side connections to the build database, from the same
    environment variables (and defaults) as profiles/profiles.yml, so a Python load spills and
    parallelises exactly like a dbt build."""
    temp_dir = _path_from_env("MKPI_DUCKDB_TEMP_DIR", build_database().parent / "tmp")
    return {
        "threads": os.environ.get("MKPI_DUCKDB_THREADS", "2"),
        "memory_limit": os.environ.get("MKPI_DUCKDB_MEMORY_LIMIT", "4GB"),
        "temp_directory": str(temp_dir),
        "preserve_insertion_order": False,
        "TimeZone": "UTC",
    }
