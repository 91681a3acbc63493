"""A report rebuilt from a result folder (`staffmix report D`) is the one made at solve time (issue #21, defect 2):
it finds the scenario `solve --out` recorded, draws on the plan's local clock even without the scenario, and
never replaces a report without --overwrite."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from staffmix.cli import EXIT_BAD_INPUT, EXIT_OK, main

ROOT = Path(__file__).resolve().parents[1]
TINY = (
    ROOT / "tests" / "data" / "batch" / "good" / "tiny-split"
)  # Europe/Helsinki (UTC+2 in March), a take-or-pay vendor
WEBSHOP = ROOT / "scenarios" / "webshop-startup"  # its no-vendor variant falls short: ASA not reached, mails unanswered


def _page(path: Path) -> str:
    """The page without the minute it was generated."""
    return re.sub(r"written by staffmix (.*?) on [^<]*", "written by staffmix", path.read_text())


@pytest.mark.slow  # two solves' reports drawn twice each (about 8 s on a loaded 2-core machine)
@pytest.mark.parametrize(
    "source", [[str(TINY)], [str(WEBSHOP), "--variant", "no-vendor"]], ids=["tiny-split", "short-plan"]
)
def test_report_rebuilt_equals_the_one_made_at_solve_time(tmp_path: Path, capsys, source: list[str]) -> None:
    out = tmp_path / "plan"
    assert main(["solve", *source, "--out", str(out), "--report", "--quiet"]) in (
        EXIT_OK,
        1,
    )  # short plan: --strict off
    made = _page(out / "report.html")
    first = (out / "report.html").read_bytes()
    capsys.readouterr()
    assert main(["report", str(out)]) == EXIT_BAD_INPUT  # the report the user has stays
    assert "pass --overwrite" in capsys.readouterr().err
    assert (out / "report.html").read_bytes() == first
    assert main(["report", str(out), "--overwrite"]) == EXIT_OK
    assert f"with its scenario {Path(source[0]).name}" in capsys.readouterr().out
    assert _page(out / "report.html") == made  # the same page, figures included (commitment and target lines)


def test_report_without_its_scenario_draws_local_time_and_says_what_it_lacks(tmp_path: Path, capsys) -> None:
    from staffmix.report import hour_of_week_shares
    from staffmix.results.result import load_result

    out = tmp_path / "plan"
    assert main(["solve", str(TINY), "--out", str(out), "--quiet"]) == EXIT_OK
    (out / "scenario_source.json").unlink()
    capsys.readouterr()
    assert main(["report", str(out)]) == EXIT_OK
    said = capsys.readouterr().out
    assert "tables alone" in said and "minimum-commitment lines" in said
    page = (out / "report.html").read_text()
    assert "Europe/Helsinki" in page and "minimum-commitment lines" in page
    assert main(["report", str(out)]) == EXIT_BAD_INPUT  # there is a report now: kept without --overwrite
    assert "pass --overwrite" in capsys.readouterr().err and (out / "report.html").read_text() == page
    # hours of the week with contacts, by hand: the CSV's UTC instants plus two hours (Helsinki in March)
    utc = pd.to_datetime(pd.read_csv(out / "staffing.csv")["period_start"], utc=True).dt.tz_localize(None)
    local = utc + pd.Timedelta(hours=2)
    hours = set((local.dt.day_of_week * 24 + local.dt.hour).tolist())
    shares = hour_of_week_shares(load_result(out))
    assert set(shares.columns[shares.notna().any()].tolist()) == hours
