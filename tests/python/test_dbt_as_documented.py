"""The README's promise: `.venv/bin/dbt <anything>` works from the project root exactly as written,
without DBT_PROFILES_DIR, --profiles-dir or DBT_ENV_SECRET_PII_SALT (the profile is found in the
project root, the connection plugin falls back to the per-checkout salt file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from marketing_kpi import paths


def test_plain_dbt_from_the_project_root_uses_the_checkout_salt(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DBT_ENV_SECRET_PII_SALT", "DBT_PROFILES_DIR")}
    env.update(
        MKPI_DUCKDB_PATH=str(tmp_path / "warehouse" / "build.duckdb"),
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    dbt = Path(sys.executable).with_name("dbt")
    sql = "select length(getvariable('pii_salt')) as salt_length"
    proc = subprocess.run(
        [str(dbt), "show", "--inline", sql, "--output", "json"],
        cwd=paths.PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    salt_file = tmp_path / "warehouse" / ".pii_salt"
    assert salt_file.exists(), "the plugin creates the per-checkout salt when there is none"
    assert f"using the per-checkout salt in {salt_file}" in proc.stderr
    assert f'"salt_length": {len(salt_file.read_text().strip())}' in proc.stdout


def test_piped_dbt_output_has_no_ansi_codes(tmp_path: Path) -> None:
    """The CLI runs dbt without colours when its output is not a terminal (CI logs, `| tee`)."""
    code = "from marketing_kpi.dbt_runner import run_dbt; run_dbt(['show', '--inline', 'select 1 as x'])"
    env = {**os.environ, "MKPI_DUCKDB_PATH": str(tmp_path / "w" / "build.duckdb"), "DBT_LOG_PATH": str(tmp_path)}
    env["DBT_TARGET_PATH"] = str(tmp_path / "target")
    env.pop("DBT_USE_COLORS", None)
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=paths.PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Previewing inline node" in proc.stdout
    assert "\x1b[" not in proc.stdout + proc.stderr
