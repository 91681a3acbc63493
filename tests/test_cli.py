"""The command line: exit codes on good and bad input, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BROKEN, DATA, TINY, one_error_line, strict_json

from staffmix.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, main

COMMANDS = ["solve", "validate", "schema", "batch", "report", "erlang"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ help
@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_everywhere_with_examples(capsys, command) -> None:
    code, out, _ = run(capsys, *([command] if command else []), "--help")
    assert code == EXIT_OK
    assert "example" in out and "staffmix" in out


def test_unknown_command_and_option(capsys) -> None:
    code, _, err = run(capsys, "frobnicate")
    assert code == EXIT_BAD_INPUT and "staffmix: error:" in err
    code, _, err = run(capsys, "solve", str(TINY), "--time-limit", "-3")
    assert code == EXIT_BAD_INPUT and "must be positive" in one_error_line(err)


# ---------------------------------------------------- solve, validate, schema
def test_solve_ok_and_writes_report(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "solve", TINY, "--backend", "highs", "--out", tmp_path / "res", "--report")
    assert code == EXIT_OK, err
    assert "optimal" in out and "total cost" in out
    assert (tmp_path / "res" / "report.html").is_file()
    code, out, _ = run(capsys, "solve", TINY, "--backend", "highs", "--variant", "pricey-vendor", "--json")
    assert code == EXIT_OK and json.loads(out)["status"] == "optimal"


def test_solve_infeasible_exits_1(capsys, tmp_path: Path) -> None:
    folder = shutil.copytree(TINY, tmp_path / "tiny")
    yaml = folder / "scenario.yaml"
    yaml.write_text(yaml.read_text() + "  no-vendor:\n    vendors: []\n")
    code, out, _ = run(capsys, "solve", folder, "--variant", "no-vendor", "--backend", "highs")
    assert code == EXIT_FAILED
    assert "infeasible" in out


def test_solve_bad_input_exits_2(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "solve", BROKEN)
    line = one_error_line(err)
    assert code == EXIT_BAD_INPUT and "scenario.yaml" in line
    code, _, err = run(capsys, "solve", tmp_path / "nowhere")
    assert code == EXIT_BAD_INPUT and "nowhere" in one_error_line(err)
    code, _, err = run(capsys, "solve", TINY, "--variant", "nope")
    assert code == EXIT_BAD_INPUT and "unknown variant 'nope'" in one_error_line(err)
    code, _, err = run(capsys, "solve", TINY, "--report")
    assert code == EXIT_BAD_INPUT and "--report needs --out" in one_error_line(err)


def test_validate_and_schema(capsys) -> None:
    code, out, _ = run(capsys, "validate", TINY)
    assert code == EXIT_OK and "ok (48 periods, 2 queues, 1 variants)" in out
    code, out, _ = run(capsys, "validate", TINY, BROKEN)
    assert code == EXIT_BAD_INPUT and "3 problems" in out
    code, out, _ = run(capsys, "schema")
    assert code == EXIT_OK and "horizon" in json.loads(out)["properties"]


# ------------------------------------------------------------------ batch
def test_batch_and_report(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(TINY, folder / "tiny")
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "batch", folder, "--out", out, "--jobs", "2", "--backend", "highs")
    assert code == EXIT_OK, err
    assert re.search(r"tiny/base\s+optimal\s+[\d,]+\.\d\d", stdout)
    assert re.search(r"tiny/pricey-vendor\s+optimal", stdout)
    assert "[2/2] done 2, running 0, failed 0" in err
    assert (out / "summary.csv").is_file() and (out / "tiny" / "base" / "report.html").is_file()

    # the same out again: refused without --resume, nothing rerun with it
    code, _, err = run(capsys, "batch", folder, "--out", out)
    assert code == EXIT_BAD_INPUT and "--resume" in one_error_line(err)
    shutil.copytree(BROKEN, folder / "broken")
    code, stdout, err = run(capsys, "batch", folder, "--out", out, "--resume", "--backend", "highs", "--quiet")
    assert code == EXIT_FAILED  # the broken scenario is a failed job
    assert re.search(r"broken/base\s+error\s+.*horizon: required field is missing", stdout)
    assert err == ""

    # report: rebuilt from the folder, with the scenario found through job.json
    job = out / "tiny" / "base"
    (job / "report.html").unlink()
    code, stdout, _ = run(capsys, "report", job)
    assert code == EXIT_OK and "with its scenario" in stdout and (job / "report.html").is_file()
    code, stdout, _ = run(capsys, "report", job, "--scenario", TINY, "--out", tmp_path / "r.html")
    assert code == EXIT_OK and (tmp_path / "r.html").is_file()
    (job / "job.json").unlink()
    code, stdout, _ = run(capsys, "report", job, "--overwrite")  # the report is there: replaced only on request
    assert code == EXIT_OK and "tables alone" in stdout


def test_batch_and_report_bad_input(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "batch", tmp_path / "missing", "--out", tmp_path / "o")
    assert code == EXIT_BAD_INPUT and "missing" in one_error_line(err)
    code, _, err = run(capsys, "batch", DATA / "good", "--out", tmp_path / "o", "--scheduler", "tcp://x:1")
    assert code == EXIT_BAD_INPUT and "--executor dask" in one_error_line(err)
    code, _, err = run(capsys, "batch", DATA / "good", "--out", tmp_path / "o", "--jobs", "0")
    assert code == EXIT_BAD_INPUT
    code, _, err = run(capsys, "report", tmp_path)
    assert code == EXIT_BAD_INPUT and "not a staffmix result folder" in one_error_line(err)
    code, _, err = run(capsys, "report", tmp_path / "missing")
    assert code == EXIT_BAD_INPUT


# ----------------------------------------------------------------- erlang
def erlang_c_service_level(n: int, a: float, aht: float, t: float) -> float:
    """Textbook Erlang C, written out independently of staffmix.queueing."""
    if n <= a:
        return 0.0
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    c = b / (1 - (a / n) * (1 - b))
    return 1 - c * math.exp(-(n - a) * t / aht)


def test_erlang_matches_textbook_erlang_c(capsys) -> None:
    code, out, _ = run(capsys, "erlang", "--contacts", "120", "--aht", "300")
    assert code == EXIT_OK
    assert "offered load:    10.00 Erlangs" in out
    needed = next(n for n in range(11, 40) if erlang_c_service_level(n, 10.0, 300, 20) >= 0.8)
    assert needed == 14
    assert f"required agents: {needed} productive agents" in out
    rows = {int(m[0]): float(m[1]) / 100 for m in re.findall(r"^\s*(\d+)\s+([\d.]+)%", out, flags=re.M)}
    assert sorted(rows) == list(range(needed - 3, needed + 4))
    for n, sl in rows.items():
        assert sl == pytest.approx(erlang_c_service_level(n, 10.0, 300, 20), abs=0.0006)
    assert re.search(rf"^\s*{needed}\s.*<- required$", out, flags=re.M)


def test_erlang_options_and_bad_input(capsys) -> None:
    code, out, _ = run(
        capsys,
        "erlang",
        "--contacts",
        "120",
        "--aht",
        "300",
        "--patience",
        "90",
        "--max-occupancy",
        "0.85",
        "--interval-min",
        "30",
        "--target",
        "0.9",
        "--within",
        "15",
    )
    assert code == EXIT_OK and "Erlang A" in out and "abandoned" in out
    code, _, err = run(capsys, "erlang", "--contacts", "-1", "--aht", "300")
    assert code == EXIT_BAD_INPUT and ">= 0" in one_error_line(err)
    code, _, err = run(capsys, "erlang", "--contacts", "10", "--aht", "300", "--max-abandon", "0.1")
    assert code == EXIT_BAD_INPUT and "--patience" in one_error_line(err)
    code, _, err = run(capsys, "erlang", "--aht", "300")
    assert code == EXIT_BAD_INPUT and "--contacts" in one_error_line(err)


# ------------------------------------------------------------ a real process
def test_real_process_prints_one_error_line_without_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "staffmix.cli", "solve", str(BROKEN)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == EXIT_BAD_INPUT
    assert "Traceback" not in proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.startswith("staffmix:")] == [
        "staffmix: error: scenario.yaml: horizon: required field is missing (and 2 more problems)"
    ]
    assert proc.stdout == ""


# ------------------------------------------------- demand given as required agents
REQUIRED_AGENTS = DATA / "required-agents"


def test_required_agents_demand_gives_valid_text_json_and_folder(capsys, tmp_path: Path) -> None:
    # By hand (tests/data/required-agents): hours 0-5 and 22-23 only the vendor can take (8 agent-hours at
    # 25 = 200); 3 shifts from 14:00 cover 14-21 and 4 from 06:00 cover 06-13 (7 x 8 h x 30 = 1,680),
    # so 1,880 in all. In-house work 44 of 52 required agent-hours.
    code, out, err = run(capsys, "solve", REQUIRED_AGENTS)
    assert code == EXIT_OK, err
    assert "total cost 1,880.00" in out
    assert "in-house share of work 84.6%" in out
    assert "Traceback" not in out + err
    code, out, err = run(capsys, "solve", REQUIRED_AGENTS, "--json", "--out", tmp_path / "res")
    assert code == EXIT_OK, err
    summary = strict_json(out)  # stdout holds the JSON alone, even with --out
    assert summary["objective"] == pytest.approx(1880.0)
    assert summary["kpis"]["in_house_share"] == pytest.approx(44 / 52)
    assert summary["kpis"]["contacts"] is None and summary["kpis"]["cost_per_contact"] is None
    on_disk = strict_json((tmp_path / "res" / "summary.json").read_text())
    assert on_disk["kpis"] == summary["kpis"]


# ------------------------------------------- paths and options, checked before any work
def no_solve(monkeypatch) -> None:
    """Make any solve fail the test: a check that must come first did not."""
    def boom(*args, **kwargs):
        raise AssertionError("solved before checking the command line")

    monkeypatch.setattr("staffmix.solvers.dispatch.solve", boom)


def test_out_is_checked_before_solving(capsys, monkeypatch, tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine")
    no_solve(monkeypatch)
    code, out, err = run(capsys, "solve", TINY, "--out", full)
    assert code == EXIT_BAD_INPUT and out == ""
    assert "exists and is not empty" in one_error_line(err) and "--overwrite" in err
    # --overwrite replaces only what staffmix wrote: a folder of the user's own files stays as it is
    code, _, err = run(capsys, "solve", TINY, "--out", full, "--overwrite")
    assert code == EXIT_BAD_INPUT and "only an earlier staffmix output" in one_error_line(err)
    assert (full / "notes.txt").read_text() == "mine"
    code, _, err = run(capsys, "solve", TINY, "--out", full / "notes.txt")
    assert code == EXIT_BAD_INPUT and "is a file, not a folder; --out needs a folder" in one_error_line(err)
    code, _, err = run(capsys, "simulate", TINY, "--out", full)
    assert code == EXIT_BAD_INPUT and "exists and is not empty" in one_error_line(err)


def test_overwrite_replaces_an_earlier_result(capsys, tmp_path: Path) -> None:
    out = tmp_path / "res"
    code, _, err = run(capsys, "solve", TINY, "--backend", "highs", "--out", out)
    assert code == EXIT_OK, err
    first = json.loads((out / "summary.json").read_text())
    (out / "stale.txt").write_text("left from before")
    code, _, err = run(
        capsys,
        "solve",
        TINY,
        "--backend",
        "highs",
        "--variant",
        "pricey-vendor",
        "--out",
        out,
        "--overwrite",
        "--report",
    )
    assert code == EXIT_OK, err
    second = json.loads((out / "summary.json").read_text())
    assert second["objective"] > first["objective"]  # the pricier variant's plan, not the old one
    assert not (out / "stale.txt").exists() and (out / "report.html").is_file()


def test_option_names_as_typed_and_files_for_folders(capsys, monkeypatch, tmp_path: Path) -> None:
    no_solve(monkeypatch)
    code, _, err = run(capsys, "solve", TINY, "--gap", "2")
    line = one_error_line(err)
    assert code == EXIT_BAD_INPUT and "--gap" in line and "mip_gap" not in line
    code, _, err = run(capsys, "solve", TINY, "--threads", "1000")
    assert code == EXIT_BAD_INPUT and "--threads" in one_error_line(err)
    code, _, err = run(capsys, "solve", TINY / "demand.csv")
    line = one_error_line(err)
    assert code == EXIT_BAD_INPUT and "is a file, not a scenario folder" in line and f"({TINY})" in line
    assert "mapping" not in line
    code, _, err = run(capsys, "batch", TINY / "demand.csv", "--out", tmp_path / "o")
    assert code == EXIT_BAD_INPUT and "is a file" in one_error_line(err)
    code, _, err = run(capsys, "report", TINY / "demand.csv")
    assert code == EXIT_BAD_INPUT and "is a file; RESULT_DIR is a result folder" in one_error_line(err)
    code, _, err = run(capsys, "simulate", TINY, "--result", TINY / "demand.csv")
    assert code == EXIT_BAD_INPUT and "--result is a result folder" in one_error_line(err)


def test_cli_thread_cap_is_the_schemas() -> None:
    from staffmix.cli.parser import MAX_THREADS
    from staffmix.scenario.schema import MAX_THREADS as SCHEMA_MAX_THREADS

    assert MAX_THREADS == SCHEMA_MAX_THREADS


def test_validate_groups_a_wrong_date_on_every_row(capsys, tmp_path: Path) -> None:
    folder = shutil.copytree(TINY, tmp_path / "dates")
    demand = folder / "demand.csv"
    rows = demand.read_text().splitlines()
    fixed = [rows[0]]  # 2026-03-02T00:00 -> 02.03.2026 00:00, as a spreadsheet in German writes it
    for row in rows[1:]:
        stamp, rest = row.split(",", 1)
        fixed.append(f"{stamp[8:10]}.{stamp[5:7]}.{stamp[:4]} {stamp[11:16]},{rest}")
    demand.write_text("\n".join(fixed) + "\n")
    n = len(rows) - 1
    code, out, _ = run(capsys, "validate", folder)
    assert code == EXIT_BAD_INPUT
    assert out.splitlines() == [
        f"{folder}: 1 problem",
        f"  demand.csv: lines 2-{n + 1} ({n} rows, the first shown): period_start '02.03.2026 00:00' is not a "
        "date-time "
        "(expected ISO 8601 such as 2026-01-05T08:00 or 2026-01-05T08:00+01:00)",
    ]
