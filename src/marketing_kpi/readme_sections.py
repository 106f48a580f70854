"""Generated README sections, so the README can never drift from the files it documents.

Each section sits between `<!-- BEGIN generated:NAME -->` and `<!-- END generated:NAME -->`.
`python -m marketing_kpi.readme_sections` rewrites them; a test fails when they are stale.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from marketing_kpi import benchmark_report, glossary
from marketing_kpi.contract import load_contract
from marketing_kpi.paths import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"


def raw_contract_section() -> str:
    """Markdown tables of the raw data contract (models/staging/raw__sources.yml)."""
    out: list[str] = []
    for table in load_contract().values():
        keys = ", ".join(table.key_columns) or "—"
        out.append(f"#### `raw.{table.name}`\n")
        out.append(f"{table.description} Key: `{keys}`.\n")
        out.append("| column | type | meaning | allowed values | PII |")
        out.append("|---|---|---|---|---|")
        for c in table.columns:
            allowed = ", ".join(f"`{v}`" for v in c.accepted_values) if c.accepted_values else ""
            flags = []
            if c.is_key:
                flags.append("key")
            if c.is_version:
                flags.append("version")
            name = f"`{c.name}`" + (f" ({', '.join(flags)})" if flags else "")
            out.append(f"| {name} | {c.data_type} | {c.description} | {allowed} | {'yes' if c.is_pii else ''} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def kpi_glossary_section() -> str:
    """The KPI glossary, generated from seeds/reference/kpi_registry.csv."""
    return glossary.readme_section()


SECTIONS: dict[str, Callable[[], str]] = {
    "raw-contract": raw_contract_section,
    "kpi-glossary": kpi_glossary_section,
    "benchmark": benchmark_report.readme_section,
}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- BEGIN generated:{re.escape(name)} -->\n)(.*?)(<!-- END generated:{re.escape(name)} -->)",
        re.DOTALL,
    )


def render(text: str) -> str:
    """Return README text with every generated section refreshed."""
    for name, make in SECTIONS.items():
        pattern = _pattern(name)
        if not pattern.search(text):
            raise ValueError(f"README has no markers for generated section {name!r}")
        body = make()
        text = pattern.sub(lambda m, body=body: m.group(1) + body + m.group(3), text)
    return text


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    current = README.read_text()
    fresh = render(current)
    if "--check" in args:
        if fresh != current:
            print("README.md generated sections are stale: run python -m marketing_kpi.readme_sections")
            return 1
        return 0
    README.write_text(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
