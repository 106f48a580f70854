"""Data-quality audit with Great Expectations: suites as code (suites.py), run by audit.py.

python -m marketing_kpi.quality.audit      (wired as `marketing-kpi audit`)
"""

from marketing_kpi.quality.audit import AuditResult, Failure, run_audit

__all__ = ["AuditResult", "Failure", "run_audit"]
