"""docs/tutorial.md runs as written: every command of its ```bash blocks, in order, in a scratch folder holding
the bundled export where the page says it is; each exits 0 and leaves what the page says it leaves."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from conftest import ROOT

TUTORIAL = ROOT / "docs" / "tutorial.md"


def tutorial_commands() -> list[str]:
    """The command lines of the page's ```bash blocks (comments and blank lines skipped)."""
    blocks = re.findall(r"```bash\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), re.S)
    return [
        line.strip() for block in blocks for line in block.splitlines() if line.strip() and not line.startswith("#")
    ]


def test_the_page_has_the_steps_and_the_export_is_bundled():
    commands = tutorial_commands()
    assert [c.split()[1] for c in commands] == ["init", "import", "validate", "solve", "solve"]
    assert (ROOT / "docs" / "tutorial" / "export.csv").is_file()
    assert "tutorial.md" in (ROOT / "mkdocs.yml").read_text().split("Home: index.md", 1)[1].splitlines()[1]


@pytest.mark.slow  # five processes, two solves: over 3 s on a loaded machine
def test_the_tutorial_runs_as_written(tmp_path):
    (tmp_path / "docs" / "tutorial").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "tutorial" / "export.csv", tmp_path / "docs" / "tutorial" / "export.csv")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for command in tutorial_commands():
        argv = shlex.split(command)
        assert argv[0] == "staffmix", command
        run = subprocess.run([sys.executable, "-m", "staffmix.cli", *argv[1:]], cwd=tmp_path, env=env,
                             capture_output=True, text=True)
        assert run.returncode == 0, f"{command}\n{run.stdout}\n{run.stderr}"
    # what the page says: Monday 09:00 English is 4 + 4 + 10 + 5 = 23 calls (the export's four quarter hours)
    demand = pd.read_csv(tmp_path / "my-desk" / "demand.csv")
    monday_nine = demand[(demand["period_start"] == "2026-03-02T09:00") & (demand["queue"] == "support_en")]
    assert monday_nine["contacts"].tolist() == [23]
    # and every call of the planned week: the export's quarter hours from Monday 00:00 to Sunday 23:45, summed here
    export = pd.read_csv(ROOT / "docs" / "tutorial" / "export.csv", sep=";")
    stamps = pd.to_datetime(export["Interval start"], format="%d.%m.%Y %H:%M")
    week = export[(stamps >= "2026-03-02") & (stamps < "2026-03-09")]
    assert demand["contacts"].sum() == week["Support EN"].sum() + week["Support DE"].sum()
    for folder in ("my-desk", "vendor-from-16"):
        book = openpyxl.load_workbook(tmp_path / "out" / folder / "plan.xlsx")
        assert book.sheetnames[0] == "summary"
    assert (tmp_path / "out" / "my-desk" / "report.html").is_file()
