"""Hands the PII salt to DuckDB as a session variable, outside of any SQL dbt compiles or logs.

Models hash PII with `{{ pii_hash('email') }}`, which reads the salt with
`getvariable('pii_salt')`. The salt itself comes from the profile's plugin config, which reads
`DBT_ENV_SECRET_PII_SALT`; it is set on every connection and cursor dbt-duckdb opens, and is never
written to the database file. When the variable is unset (plain `dbt build` from the project root),
the plugin uses the per-checkout salt the marketing-kpi CLI keeps next to the build database
(warehouse/.pii_salt; dbt_runner.ensure_pii_salt creates it when missing) and says so once, so
`dbt` and `marketing-kpi` hash alike.
"""

from __future__ import annotations

import sys
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from marketing_kpi.dbt_runner import SALT_ENV, ensure_pii_salt, salt_file

MIN_SALT_LENGTH = 16


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        salt = str(plugin_config.get("salt") or "")
        if not salt:
            env: dict[str, str] = {}
            ensure_pii_salt(env)
            salt = env[SALT_ENV]
            print(f"PII salt: {SALT_ENV} is unset; using the per-checkout salt in {salt_file()}", file=sys.stderr)
        if len(salt) < MIN_SALT_LENGTH:
            raise ValueError(
                "PII salt missing or too short: set DBT_ENV_SECRET_PII_SALT to a random string of at "
                f"least {MIN_SALT_LENGTH} characters (the marketing-kpi CLI creates one in "
                "warehouse/.pii_salt on first run)."
            )
        self._salt = salt

    def _set(self, conn: Any) -> None:
        conn.execute("set variable pii_salt = ?", [self._salt])

    def configure_connection(self, conn: Any) -> None:
        self._set(conn)

    def configure_cursor(self, cursor: Any) -> None:
        self._set(cursor)
