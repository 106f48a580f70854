"""Hands the PII salt to DuckDB as a session variable, outside of any SQL dbt compiles or logs.

Models hash PII with `{{ pii_hash('email') }}`, which reads the salt with
`getvariable('pii_salt')`. The salt itself comes from the profile's plugin config, which reads
`DBT_ENV_SECRET_PII_SALT`; it is set on every connection and cursor dbt-duckdb opens, and is never
written to the database file.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

MIN_SALT_LENGTH = 16


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        salt = str(plugin_config.get("salt") or "")
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
