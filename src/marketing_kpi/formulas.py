"""The KPI formula macros (macros/kpi/kpi_formulas.sql) read by Python, from their real definitions.

The macros are rendered with Jinja (the dbt macros are plain Jinja: each calls only
`marketing_kpi.safe_divide`), either as text for people (`formula_text`: `(a - b) / c`, brackets
where precedence needs them, scale factors such as `1000 ×` kept) or as SQL (`formula_sql`: the
real `safe_divide` of macros/safe_divide.sql), so the glossary and the checks that recompute KPI
values cannot drift from what the marts compute.

A KPI's macro arguments are its registry components: the distinct column names of `numerator` and
`denominator` (split on ` - ` and ` x `), in order, when there are as many as the macro has
parameters; otherwise the macro's own parameter names (e.g. budget_pacing_rate's planned_spend,
elapsed_days, period_days).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace

import jinja2

from marketing_kpi.paths import PROJECT_ROOT

KPI_FORMULAS = PROJECT_ROOT / "macros" / "kpi" / "kpi_formulas.sql"
SAFE_DIVIDE = PROJECT_ROOT / "macros" / "safe_divide.sql"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class FormulaMacro:
    name: str
    parameters: tuple[str, ...]


def _strip_parentheses(text: str) -> str:
    """Drops brackets that hold a single name or number: `(spend)` -> `spend`."""
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"\(\s*([A-Za-z0-9_.]+)\s*\)", r"\1", text)
    return text


def _is_compound(text: str) -> bool:
    """True when the expression has a top-level operator (outside brackets)."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch in "+-*/×" and i > 0:
            return True
    return False


def _bracket(text: str) -> str:
    text = _strip_parentheses(str(text).strip())
    return f"({text})" if _is_compound(text) else text


def _text_divide(numerator: str, denominator: str) -> str:
    return f"{_bracket(numerator)} / {_bracket(denominator)}"


@cache
def _modules() -> tuple[object, object]:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    safe_divide_sql = env.from_string(SAFE_DIVIDE.read_text()).module.safe_divide
    source = KPI_FORMULAS.read_text()
    text_module = env.from_string(source, globals={"marketing_kpi": SimpleNamespace(safe_divide=_text_divide)}).module
    sql_module = env.from_string(source, globals={"marketing_kpi": SimpleNamespace(safe_divide=safe_divide_sql)}).module
    return text_module, sql_module


@cache
def formula_macros() -> dict[str, FormulaMacro]:
    """Every macro of macros/kpi/kpi_formulas.sql with its parameter names, in order."""
    macros = {}
    for name, params in re.findall(r"{%-?\s*macro\s+(\w+)\s*\(([^)]*)\)", KPI_FORMULAS.read_text()):
        macros[name] = FormulaMacro(name, tuple(p.strip() for p in params.split(",") if p.strip()))
    return macros


def components(numerator: str, denominator: str) -> list[str] | None:
    """The distinct column names of a registry numerator and denominator, in order; None when a
    part is not a plain column name (e.g. `days_lead_to_won (median)`)."""
    names: list[str] = []
    for side in (numerator, denominator):
        if not side:
            continue
        for part in re.split(r"\s+[-x]\s+", side.strip()):
            if not _IDENTIFIER.match(part):
                return None
            if part not in names:
                names.append(part)
    return names


def macro_arguments(macro: str, numerator: str, denominator: str) -> tuple[str, ...] | None:
    """The arguments the KPI's macro is rendered with (see the module docstring); None when the
    macro is not a formula macro."""
    definition = formula_macros().get(macro)
    if definition is None:
        return None
    names = components(numerator, denominator)
    if names is not None and len(names) == len(definition.parameters):
        return tuple(names)
    return definition.parameters


def formula_text(macro: str, numerator: str, denominator: str) -> str | None:
    """The formula as the macro computes it, for people: `1000 * spend / impressions`,
    `(attributed_revenue - spend) / spend`; None when the macro is not a formula macro."""
    arguments = macro_arguments(macro, numerator, denominator)
    if arguments is None:
        return None
    rendered = getattr(_modules()[0], macro)(*arguments)
    return re.sub(r"\s+", " ", _strip_parentheses(str(rendered))).strip()


def formula_sql(macro: str, arguments: tuple[str, ...]) -> str:
    """The macro's SQL with the given argument expressions (as dbt renders it)."""
    return re.sub(r"\s+", " ", str(getattr(_modules()[1], macro)(*arguments))).strip()
