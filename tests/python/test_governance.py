"""Governance checks on the dbt manifest and the reference seeds: registry ↔ KPI marts, access and
contracts, exposures, targets and weights, the glossary, the planted anomaly."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from marketing_kpi import glossary, governance, paths


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    path = governance.manifest_path()
    if not path.exists():
        pytest.skip(f"no dbt manifest at {path}: run dbt parse/build first (or set DBT_TARGET_PATH)")
    return governance.load_manifest(path)


@pytest.fixture(scope="module")
def registry() -> list[governance.Kpi]:
    return governance.load_registry()


def _rows(name: str) -> list[dict[str, str]]:
    with (paths.reference_seed_dir() / name).open(newline="") as f:
        return list(csv.DictReader(f))


def test_registry_matches_kpi_marts(manifest: dict[str, Any], registry: list[governance.Kpi]) -> None:
    problems = governance.registry_problems(manifest, registry, governance.load_column_exceptions())
    assert not problems, "\n".join(problems)


def test_registry_problems_detects_both_directions(registry: list[governance.Kpi]) -> None:
    fake = {
        "nodes": {
            "model.x.kpi_a": {
                "resource_type": "model",
                "name": "kpi_a",
                "original_file_path": "models/marts/kpi/kpi_a.sql",
                "columns": {"mystery_rate": {}, "leads": {}},
            }
        }
    }
    problems = governance.registry_problems(fake, registry[:1], {})
    assert any("does not exist" in p for p in problems)
    assert any("kpi_a.mystery_rate" in p for p in problems)
    assert not any(".leads" in p for p in problems)


def test_semantic_metrics_hook(manifest: dict[str, Any], registry: list[governance.Kpi]) -> None:
    """Checks nothing until the semantic layer defines metrics; then every KPI needs its metric."""
    problems = governance.semantic_metric_problems(manifest, registry)
    assert not problems, "\n".join(problems)
    fake = {
        "metrics": {
            "metric.x.cost_per_lead": {"name": "cost_per_lead", "type": "ratio"},
            "metric.x.spend": {"name": "spend", "type": "simple"},
            "metric.x.mystery_rate": {"name": "mystery_rate", "type": "ratio"},
        }
    }
    problems = governance.semantic_metric_problems(fake, registry)
    assert "registry KPI click_through_rate has no semantic-layer metric" in problems
    assert "ratio metric mystery_rate is not in the KPI registry" in problems
    assert not any(p.endswith("metric spend is not in the KPI registry") for p in problems)


def test_kpi_marts_are_public_contracted_and_grouped(manifest: dict[str, Any]) -> None:
    problems = governance.access_problems(manifest)
    assert not problems, "\n".join(problems)


def test_exposures_depend_on_public_models_only(manifest: dict[str, Any]) -> None:
    assert len(manifest.get("exposures", {})) >= 3
    problems = governance.exposure_problems(manifest)
    assert not problems, "\n".join(problems)


def test_registry_values_are_valid(registry: list[governance.Kpi]) -> None:
    assert len({k.kpi_id for k in registry}) == len(registry)
    for k in registry:
        assert k.direction in governance.DIRECTIONS, k.kpi_id
        assert k.tier in governance.TIERS, k.kpi_id
        assert k.review_cadence in governance.CADENCES, k.kpi_id
        assert k.audience in governance.AUDIENCES, k.kpi_id
        assert 0 < k.warning_threshold <= k.on_track_threshold, k.kpi_id
        assert k.metric_name == k.kpi_id


def test_registry_required_sources_are_known_tables(registry: list[governance.Kpi]) -> None:
    from marketing_kpi.contract import load_contract

    tables = load_contract()
    contract = {name: table.requires for name, table in tables.items()}
    required = [name for name, table in tables.items() if table.is_required]
    assert governance.availability_problems(registry, contract, required) == []


def test_availability_problems_detects_unknown_and_incomplete_requirements(registry: list[governance.Kpi]) -> None:
    from dataclasses import replace

    kpi = registry[0]
    broken = [
        replace(kpi, kpi_id="typo", required_sources="ad_performanc", required_funnel_stages=""),
        replace(kpi, kpi_id="stage", required_sources="leads", required_funnel_stages="demo"),
        replace(kpi, kpi_id="closure", required_sources="ad_performance", required_funnel_stages=""),
        replace(kpi, kpi_id="empty", required_sources="", required_funnel_stages=""),
    ]
    contract = {"ad_performance": ("campaigns",), "campaigns": (), "leads": ()}
    problems = governance.availability_problems(broken, contract)
    assert any(p.startswith("typo: required source 'ad_performanc'") for p in problems)
    assert any(p.startswith("stage: required funnel stage 'demo'") for p in problems)
    assert any(p.startswith("closure: needs ad_performance") and "campaigns" in p for p in problems)
    assert any(p == "empty: required_sources is empty" for p in problems)


def test_registry_formula_macros_match_the_value_macro(registry: list[governance.Kpi]) -> None:
    """kpi_value_from_components applies the registry's formula_macro to each KPI it knows."""
    text = (paths.PROJECT_ROOT / "macros" / "kpi_value_from_components.sql").read_text()
    formulas = (paths.PROJECT_ROOT / "macros" / "kpi" / "kpi_formulas.sql").read_text()
    for k in registry:
        if k.formula_macro != "percentile_continuous":
            assert f"macro {k.formula_macro}(" in formulas, k.kpi_id
        if f"'{k.kpi_id}': " in text:
            assert f"'{k.kpi_id}': '{k.formula_macro}'" in text, k.kpi_id


def test_targets_and_weights(registry: list[governance.Kpi]) -> None:
    ids = {k.kpi_id for k in registry}
    targets = _rows("kpi_targets.csv")
    assert targets and all(float(t["target_value"]) > 0 for t in targets)
    assert {t["kpi_id"] for t in targets} <= ids
    weights: dict[str, float] = defaultdict(float)
    for row in _rows("scorecard_weights.csv"):
        assert row["kpi_id"] in ids
        weights[row["company_stage"]] += float(row["weight"])
    assert set(weights) == {"startup", "growth", "mature"}
    assert all(abs(w - 1) < 1e-9 for w in weights.values()), weights
    targeted = {t["kpi_id"] for t in targets if not t["channel_id"] and t["period_type"] == "month"}
    weighted = {r["kpi_id"] for r in _rows("scorecard_weights.csv")}
    assert weighted <= targeted, f"weighted KPIs without an overall target: {weighted - targeted}"


def test_planted_anomalies_seed_matches_dirt_manifest() -> None:
    dirt = json.loads((paths.raw_seed_dir() / "_dirt_manifest.json").read_text())
    planted = {(a["channel_id"], a["start_date"]) for a in dirt["planted_anomalies"] if a["table"] == "ad_performance"}
    expected = {(r["channel_id"], r["period_start"]) for r in _rows("planted_anomalies.csv")}
    assert planted == expected


def test_glossary_docs_block_is_current() -> None:
    assert glossary.main(["--check"]) == 0, "run python -m marketing_kpi.glossary"


def test_glossary_lists_every_kpi(registry: list[governance.Kpi]) -> None:
    section = glossary.readme_section()
    for k in registry:
        assert f"`{k.kpi_id}`" in section


def test_planted_anomaly_is_flagged_in_the_warehouse(warehouse, manifest: dict[str, Any]) -> None:
    relation = governance.relation_name(manifest, "kpi_anomalies__weekly")
    rows = warehouse.execute(
        f"select metric_id, anomaly_direction from {relation} "
        "where channel_key = 'meta_ads' and period_start = date '2026-06-08' and is_anomaly"
    ).fetchall()
    planted = {(r["metric_id"], r["expected_direction"]) for r in _rows("planted_anomalies.csv")}
    assert ("spend", "up") in planted and planted <= set(rows)


def test_manifest_path_is_overridable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path))
    assert governance.manifest_path() == tmp_path / "manifest.json"
