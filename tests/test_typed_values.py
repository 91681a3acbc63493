"""The typed accessors that replaced optional values read on faith (issue #22, lint and types), and SolverError:
raised where a solver fails, turned into `Status.error` by `solve()`."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY

import staffmix
from staffmix import Status
from staffmix.errors import SolverError
from staffmix.report.format import summary_numbers
from staffmix.results.plan_tables import relative_gap
from staffmix.scenario.checks import ScenarioWarning
from staffmix.solvers import highs as hx

ROOT = Path(__file__).resolve().parents[1]


def _tiny():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        return staffmix.load_scenario(TINY)


def test_answer_without_a_solution_raises_solver_error() -> None:
    empty = hx.Answer("optimal", None, None, None, 0.0, True)
    with pytest.raises(SolverError, match="HiGHS reported optimal but returned no solution"):
        _ = empty.solution
    with pytest.raises(SolverError, match="HiGHS reported optimal but returned no objective value"):
        _ = empty.value
    found = hx.Answer("optimal", 12.5, 12.0, np.array([1.0, 2.0]), 0.0, True)
    assert found.value == 12.5 and found.solution.tolist() == [1.0, 2.0]


def test_a_solver_failing_mid_run_ends_in_status_error(monkeypatch) -> None:
    """HiGHS claiming an optimum it does not return: the core raises SolverError, solve() reports Status.error."""
    monkeypatch.setattr(hx, "run", lambda *a, **k: hx.Answer("optimal", None, None, None, 0.0, True))
    result = staffmix.solve(_tiny(), backend="core", work_limit=1)
    assert result.status == Status.error
    assert "returned no" in result.message
    assert result.objective is None and not result.status.has_plan


def test_vendor_unit_price_and_queue_deadline() -> None:
    scenario = _tiny()
    assert scenario.config.vendors[0].unit_price == 22.0  # rate_per_hour in tiny-split/scenario.yaml
    per_contact = scenario.with_changes(
        {"vendors": {"nightco": {"pricing": "per_contact", "rate_per_hour": None, "price_per_contact": 1.75,
                                 "min_hours_per_week": 0}},
         "variants": {"pricey-vendor": None}}  # the variant sets an hourly rate
    )
    assert per_contact.config.vendors[0].unit_price == 1.75
    phone = scenario.config.queue("phone")
    with pytest.raises(ValueError, match="'phone' is not deferrable"):
        _ = phone.deadline_h
    mail = scenario.with_changes({"queues": {"mail": {"response_within_h": 24}}}).config.queue("mail")
    assert mail.deadline_h == 24.0


def test_relative_gap_by_hand() -> None:
    assert relative_gap(100.0, 90.0) == pytest.approx(0.1)
    assert relative_gap(100.0, 120.0) == 0.0  # a bound above the plan is round-off: no gap
    assert relative_gap(None, 90.0) is None and relative_gap(100.0, None) is None


def test_summary_numbers_of_a_batch_summary() -> None:
    summary = pd.DataFrame({"objective": ["1.5", "", "abc", 4]})
    assert summary_numbers(summary, "objective").tolist()[0] == 1.5
    assert [math.isnan(x) for x in summary_numbers(summary, "objective").tolist()[1:3]] == [True, True]
    missing = summary_numbers(summary, "gap")  # an older batch without the column
    assert len(missing) == 4 and missing.isna().all()


_NOQA = re.compile(r"#\s*noqa\b(?P<rest>.*)$")
_IGNORE = re.compile(r"#\s*type:\s*ignore(?P<rest>.*)$")


def test_every_noqa_and_type_ignore_says_why() -> None:
    """A silenced check names its code and its reason on the same line: `# noqa: CODE - why`,
    `# type: ignore[code]  # why`."""
    bare = []
    for folder in ("src", "tests", "benchmarks", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if path.name == Path(__file__).name and ("_NOQA" in line or "_IGNORE" in line or "`#" in line):
                    continue  # this test's own patterns
                noqa, ignore = _NOQA.search(line), _IGNORE.search(line)
                if noqa and not re.match(r":\s*[A-Z]+\d+(,\s*[A-Z]+\d+)*\s+-\s+\S", noqa["rest"]):
                    bare.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
                if ignore and not re.match(r"\[[a-z-]+(,\s*[a-z-]+)*\]\s+#\s*\S", ignore["rest"]):
                    bare.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert bare == []
