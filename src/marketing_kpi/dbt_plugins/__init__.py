"""dbt-duckdb plugins used by the project's profile."""
