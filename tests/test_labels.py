"""Currency and labels: money carries the scenario's currency, and a planner reads words, not internal names.

The figures are the plan's own (tables and files keep the internal names and
plain numbers); what is checked is that each is shown with its unit and
label in the text summary, the report and the batch files, and that no
internal name (with an underscore) reaches a label.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import staffmix
from staffmix.cli import EXIT_OK, main
from staffmix.errors import ScenarioError
from staffmix.report import write_report
from staffmix.results.labels import COST_LABELS, cost_label, kpi_label, money, with_unit
from staffmix.results.result import COST_COMPONENTS
from staffmix.results.summary import format_summary

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "batch" / "good" / "tiny-split"


@pytest.fixture(scope="module")
def euros():
    scenario = staffmix.load_scenario(TINY).with_changes({"currency": "EUR"})
    return scenario, staffmix.solve(scenario, backend="highs")


def test_currency_is_an_iso_code(tmp_path: Path) -> None:
    tiny = staffmix.load_scenario(TINY)
    assert tiny.config.currency is None  # default: none, amounts without a unit
    for bad in ("eur", "EURO", "€"):
        with pytest.raises(ScenarioError, match="currency: String should match pattern"):
            tiny.with_changes({"currency": bad})
    folder = tmp_path / "s"
    staffmix.save_scenario(tiny.with_changes({"currency": "GBP"}), folder)
    assert staffmix.load_scenario(folder).config.currency == "GBP"  # saved and read back


def test_summary_shows_the_currency_beside_every_amount(euros) -> None:
    _, result = euros
    assert result.currency == "EUR"
    text = format_summary(result)
    assert f"total cost {result.objective:,.2f} EUR" in text
    assert f"{result.kpis['cost_per_contact']:,.2f} EUR per contact" in text
    assert "cost by component (EUR):" in text
    for comp, amount in zip(result.costs["component"], result.costs["amount"], strict=True):
        if amount:
            assert re.search(rf"^    {re.escape(cost_label(comp))}\s+{amount:,.2f}$", text, re.M)
    assert "in_house" not in text and "vendor_hours" not in text  # labels, not internal names
    plain = format_summary(staffmix.solve(TINY, backend="highs"))
    assert " EUR" not in plain and "cost by component:" in plain


def test_report_shows_currency_and_labels(euros, tmp_path: Path) -> None:
    scenario, result = euros
    page = write_report(result, tmp_path / "r.html", scenario=scenario).read_text()
    assert f'<div class="value">{result.objective:,.2f} EUR</div>' in page
    assert "<th>amount (EUR)</th>" in page and "<th>fee (EUR)</th>" in page and "<th>cost (EUR)</th>" in page
    assert '<td data-key="total_cost">total cost (EUR)</td>' in page
    assert '<td data-key="cost_per_contact">cost per contact (EUR)</td>' in page
    for key in result.kpis:
        assert f'<td data-key="{key}">' in page
    first_cells = re.findall(r'<tr><td(?: data-key="[^"]*")?>([^<]*)</td>', page)
    labels = [
        c for c in first_cells if c in {cost_label(x) for x in COST_COMPONENTS} | {kpi_label(k) for k in result.kpis}
    ]
    assert labels and not any("_" in c for c in labels)
    # read back from its folder, the result keeps its currency
    result.to_folder(tmp_path / "res")
    assert staffmix.load_result(tmp_path / "res").currency == "EUR"


def test_every_cost_component_and_kpi_has_a_label(euros) -> None:
    _, result = euros
    assert set(COST_LABELS) == set(COST_COMPONENTS)
    for key in result.kpis:
        assert "_" not in kpi_label(key).replace(key.partition(".")[2], ""), key  # a queue id may hold one
    assert kpi_label("service_level.support_en") == "service level: queue support_en"
    assert money(1234.5, "EUR") == "1,234.50 EUR" and money(1234.5, None) == "1,234.50" and money(None, "EUR") == "n/a"
    assert with_unit("cost", "GBP") == "cost (GBP)" and with_unit("cost", None) == "cost"


def test_batch_files_carry_the_currency(tmp_path: Path, capsys) -> None:
    scenario = staffmix.load_scenario(TINY).with_changes({"currency": "EUR"})
    staffmix.save_scenario(scenario, tmp_path / "in" / "tiny")
    out = tmp_path / "out"
    code = main(
        [
            "batch",
            str(tmp_path / "in"),
            "--out",
            str(out),
            "--jobs",
            "1",
            "--backend",
            "highs",
            "--quiet",
            "--no-reports",
        ]
    )
    stdout = capsys.readouterr().out
    assert code == EXIT_OK
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["currency"]) == ["EUR", "EUR"]
    assert re.search(r"^job\s+status\s+cost EUR", stdout, re.M)
    assert "cost (EUR)" in (out / "index.html").read_text()


def test_batch_table_with_mixed_currencies_puts_each_beside_its_cost() -> None:
    from staffmix.batch import Progress, summary_frame
    from staffmix.cli.batch import format_batch

    rows = [
        {"scenario": "a", "variant": "base", "status": "optimal", "objective": 1234.5, "currency": "EUR"},
        {"scenario": "b", "variant": "base", "status": "optimal", "objective": 99.0, "currency": "GBP"},
        {"scenario": "c", "variant": "base", "status": "error", "objective": None, "currency": None, "error": "boom"},
    ]
    lines = format_batch(summary_frame(rows)).splitlines()
    assert lines[0].split()[:3] == ["job", "status", "cost"]
    assert "1,234.50 EUR" in lines[1] and "99.00 GBP" in lines[2] and "boom" in lines[3]
    bar = Progress(1, enabled=False)
    bar.job_finished(rows[0])
    assert bar.last == "a/base optimal 1,234.50 EUR"
