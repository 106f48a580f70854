"""Data-quality audit with Great Expectations: suites as code (suites.py), run by audit.py.

python -m marketing_kpi.quality.audit      (wired as `marketing-kpi audit`)

The package imports nothing heavy itself: Great Expectations imports pyspark when it is installed,
and pyspark's connect module calls sys.exit(0) when it is imported while `python -m` is still
importing the package, before the __main__ module exists. An eager import here made
`python -m marketing_kpi.quality.audit` exit 0 without auditing anything.
"""

from __future__ import annotations

from typing import Any

__all__ = ["AuditResult", "Failure", "run_audit"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from marketing_kpi.quality import audit

        return getattr(audit, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
