"""The documentation: generated pages are current, examples are valid, the site builds."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

from staffmix.scenario.checks import check_config
from staffmix.scenario.schema import ScenarioConfig

DOCS = ROOT / "docs"


def _gen_module():
    spec = importlib.util.spec_from_file_location("gen_schema_docs", ROOT / "scripts" / "gen_schema_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scenario_reference_is_current():
    gen = _gen_module()
    committed = (DOCS / "reference" / "scenario.md").read_text(encoding="utf-8")
    assert committed == gen.render(), "docs/reference/scenario.md is stale: run python scripts/gen_schema_docs.py"


def test_scenario_reference_covers_every_model():
    gen = _gen_module()
    text = gen.render()
    for name in (
        "ScenarioConfig",
        "Horizon",
        "Queue",
        "ServiceLevel",
        "Window",
        "ShiftTemplate",
        "Group",
        "Vendor",
        "Policy",
    ):
        assert f"\n## {name}\n" in text
    assert "| `aht_s` | number (> 0) | required |" in text
    assert "| `days` | list of one of `mon`" in text


def test_gen_check_flag(tmp_path):
    gen = _gen_module()
    page = tmp_path / "scenario.md"
    assert gen.main(["--output", str(page)]) == 0
    assert gen.main(["--check", "--output", str(page)]) == 0
    page.write_text(page.read_text() + "\nedited\n")
    assert gen.main(["--check", "--output", str(page)]) == 1


def test_scenarios_page_example_is_valid():
    text = (DOCS / "scenarios.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    config = ScenarioConfig.model_validate(yaml.safe_load(block))
    notes: list[str] = []
    assert check_config(config, notes=notes) == []
    assert notes == []
    assert sorted(config.variants) == ["cheap-nights", "no-vendor"]


def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "site" / "reference" / "scenario" / "index.html").is_file()
    api = (tmp_path / "site" / "api" / "results" / "index.html").read_text(encoding="utf-8")
    assert "Headline numbers" in api and "below_target_periods" in api  # rendered from Result.kpis's docstring
