"""HTML reports: self-contained, pictures are real PNGs, table numbers equal the result's."""

from __future__ import annotations

import base64
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY

from staffmix import Status, load_result
from staffmix.report import fmt_number, hour_of_week_shares, write_index, write_report
from staffmix.scenario.io import load_scenario
from staffmix.solvers.dispatch import solve

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Page(HTMLParser):
    """Collects <img> sources, links and every table (by id) as rows of (text, data-value) cells."""

    def __init__(self) -> None:
        super().__init__()
        self.imgs: list[str] = []
        self.links: list[str] = []
        self.scripts = 0
        self.tables: dict[str, list[list[tuple[str, str | None]]]] = {}
        self._table: str | None = None
        self._row: list[tuple[str, str | None]] | None = None
        self._cell: list[str] | None = None
        self._value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a.get("src") or "")
        elif tag == "a":
            self.links.append(a.get("href") or "")
        elif tag in ("script", "link", "iframe"):
            self.scripts += 1
        elif tag == "table":
            self._table = a.get("id") or f"table{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell, self._value = [], a.get("data-value")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(("".join(self._cell).strip(), self._value))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


from staffmix.results.labels import cost_label, kpi_label  # noqa: E402 - beside the label tests that use it


def number(text: str) -> float:
    """A number as the report prints it: '12,345.68' or '83.45%'."""
    text = text.replace(",", "")
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def assert_pngs(page: Page, at_least: int) -> None:
    assert len(page.imgs) >= at_least
    for src in page.imgs:
        assert src.startswith("data:image/png;base64,"), src[:40]
        png = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert png[:8] == PNG_SIGNATURE
        assert len(png) > 2000  # a real picture, not an empty canvas


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def result(scenario):
    r = solve(scenario, backend="highs")  # no time limit: a plan is asserted
    assert r.status.has_plan
    return r


@pytest.fixture(scope="module")
def report(result, scenario, tmp_path_factory) -> Path:
    return write_report(result, tmp_path_factory.mktemp("report") / "report.html", scenario=scenario)


def test_report_is_self_contained_with_png_figures(report: Path) -> None:
    assert report.is_file() and report.stat().st_size > 10_000
    page = parse(report)
    # staffing, heatmap, costs, service level, vendor usage
    assert_pngs(page, at_least=5)
    text = report.read_text(encoding="utf-8")
    assert page.scripts == 0
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), "the report must open offline"
    assert "<h1>" in text and "tiny-split" in text


def test_cost_table_equals_result_costs(report: Path, result) -> None:
    rows = parse(report).tables["costs"]
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert [c for c, _ in header] == ["component", "amount"]
    assert len(body) == len(result.costs)
    for row, comp, amount in zip(body, result.costs["component"], result.costs["amount"], strict=True):
        (name, _), (shown, exact) = row
        assert name == cost_label(comp)  # the planner's words, not the internal name
        assert shown == fmt_number(amount)
        assert number(shown) == pytest.approx(float(amount), abs=0.005), comp
        assert float(exact) == float(amount)
    assert total[0][0] == "total"
    assert number(total[1][0]) == pytest.approx(result.objective, abs=0.005)


def test_kpi_table_equals_result_kpis(report: Path, result) -> None:
    rows = {r[0][0]: r[1] for r in parse(report).tables["kpis"][1:]}
    assert set(rows) == {kpi_label(k) for k in result.kpis}  # labelled; this scenario names no currency
    for key, value in result.kpis.items():
        text, exact = rows[kpi_label(key)]
        if isinstance(value, list):
            assert text == (", ".join(value) or "none")
        elif value is None:
            assert text == "\u2013"
        else:
            assert float(exact) == pytest.approx(float(value), rel=1e-12)
            tol = 5e-5 if text.endswith("%") else 0.005
            assert number(text) == pytest.approx(float(value), abs=tol), key


def test_service_and_vendor_tables(report: Path, result) -> None:
    page = parse(report)
    svc = page.tables["service"]
    assert [c for c, _ in svc[0]] == [
        "queue",
        "contacts",
        "service level",
        "ASA (s)",
        "occupancy",
        "target",
    ]  # words, units
    expected = result.service("queue").set_index("queue")
    for row in svc[1:]:
        q = row[0][0]
        assert float(row[2][1]) == pytest.approx(expected.at[q, "service_level"])
        assert number(row[5][0]) == pytest.approx({"phone": 0.8, "mail": 1.0}[q])
    vendors = page.tables["vendors"]
    assert len(vendors) == 1 + len(result.vendors)
    billed = [c for c, _ in vendors[0]].index("billed hours")
    assert sum(float(r[billed][1]) for r in vendors[1:]) == pytest.approx(result.vendors["billed_hours"].sum())


def test_day_night_split_shares(result, scenario) -> None:
    shares = hour_of_week_shares(result, scenario.config.horizon.timezone)
    assert list(shares.index)[0] == "in_house"
    # every hour with contacts splits 100 % between providers; hours without contacts are NaN
    col = shares.sum(axis=0, min_count=1).dropna()
    assert len(col) > 0 and (col.round(9) == 1.0).all()
    # the night vendor is only open 20:00-08:00 local time: no share of Monday noon
    assert shares.loc["nightco", 12] == 0.0
    assert shares.loc["nightco", 3] == 1.0


def test_report_from_folder_without_scenario(result, tmp_path: Path) -> None:
    folder = result.to_folder(tmp_path / "res")
    loaded = load_result(folder)
    path = write_report(loaded, folder / "report.html")
    page = parse(path)
    assert_pngs(page, at_least=5)
    assert "without its scenario" in path.read_text(encoding="utf-8")
    # the folder records each queue's target (service_targets.csv): the table shows it without the scenario
    header = [c for c, _ in page.tables["service"][0]]
    assert header[-1] == "target" and [number(r[-1][0]) for r in page.tables["service"][1:]] == [0.8, 1.0]
    # a folder written before targets were recorded has none, and still makes a report
    (folder / "service_targets.csv").unlink()
    old = parse(write_report(load_result(folder), folder / "old.html"))
    assert "target" not in [c for c, _ in old.tables["service"][0]]
    costs = page.tables["costs"][1:-1]
    assert [float(r[1][1]) for r in costs] == pytest.approx(list(loaded.costs["amount"]))


def test_report_without_plan(scenario, tmp_path: Path) -> None:
    # the variant edits the vendor
    no_vendor = scenario.with_changes({"vendors": [], "variants": {"pricey-vendor": None}})
    r = solve(no_vendor, backend="highs")  # no time limit: infeasibility is asserted
    assert r.status == Status.infeasible
    path = write_report(r, tmp_path / "r.html", scenario=no_vendor)
    text = path.read_text(encoding="utf-8")
    assert "infeasible" in text and "No plan" in text
    assert "diagnosis" in parse(path).tables


def test_fmt_number() -> None:
    assert fmt_number(12345.678) == "12,345.68"
    assert fmt_number(0.83456, "share") == "83.46%"
    assert fmt_number(None) == fmt_number(float("nan")) == "\u2013"
    assert fmt_number(math.inf) == "inf"
    assert fmt_number(3, "int") == "3"


def test_write_index(tmp_path: Path) -> None:
    (tmp_path / "a" / "base").mkdir(parents=True)
    (tmp_path / "a" / "base" / "report.html").write_text("<html></html>")
    summary = pd.DataFrame({
        "scenario": ["a", "a", "b"],
        "variant": ["base", "cheap", "base"],
        "status": ["optimal", "feasible", "error"],
        "objective": [1000.0, 800.0, None],
        "gap": [0.0, 0.01, None],
        "in_house_share": [0.5, 0.25, None],
        "service_level": [0.85, 0.82, None],
        "vendors_used": ["v1", "v1;v2", ""],
        "solve_s": [1.0, 2.0, None],
        "error": ["", "", "scenario.yaml: horizon: required field is missing"],
    })
    path = write_index(summary, tmp_path / "index.html")
    page = parse(path)
    assert_pngs(page, at_least=1)
    jobs = page.tables["jobs"]
    assert len(jobs) == 4
    assert page.links == ["a/base/report.html"]  # only reports that exist are linked
    header = [c for c, _ in jobs[0]]
    assert float(jobs[2][header.index("vs base")][1]) == -200.0
    assert "required field is missing" in path.read_text(encoding="utf-8")


def test_report_of_a_day_measured_plan_shows_floor_and_lowest_period(tmp_path: Path) -> None:
    """Issue #14: the service table of a queue measured per day carries its measure, floor and lowest period."""
    from test_service_groups import CASES, tiny_scenario

    sc = tiny_scenario(CASES["midnight"])
    r = solve(sc, backend="highs", mip_gap=0.0)
    page = parse(write_report(r, tmp_path / "day.html", scenario=sc))
    header = [c for c, _ in page.tables["service"][0]]
    assert header == ["queue", "contacts", "service level", "ASA (s)", "occupancy", "measured per", "period floor",
                      "lowest period", "target"]
    row = page.tables["service"][1]
    assert row[5][0] == "day" and number(row[6][0]) == 0.5
    assert number(row[7][0]) == pytest.approx(r.staffing["service_level"].min(), abs=5e-5)
    assert_pngs(page, at_least=4)
