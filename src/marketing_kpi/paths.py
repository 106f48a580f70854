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
    return PROJECT_ROOT / "models" / "staging" / "_raw__sources.yml"
