"""Input friction (issue #21, defect 9): a semicolon-separated demand.csv gets one error naming the delimiter,
a demand.csv with a header and no rows is refused, and the API page names only names that exist."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import staffmix
from staffmix.cli import EXIT_BAD_INPUT, main

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "batch" / "good" / "tiny-split"


def _folder_with_demand(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "s"
    shutil.copytree(TINY, folder)
    (folder / "demand.csv").write_text(text)
    return folder


def test_semicolon_csv_gets_one_error_naming_the_delimiter(tmp_path: Path, capsys) -> None:
    rows = (TINY / "demand.csv").read_text().replace(",", ";")
    folder = _folder_with_demand(tmp_path, rows)
    assert main(["validate", str(folder)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().out  # validate lists the problems it found on stdout
    assert "1 problem" in err
    assert "demand.csv: line 1: the columns are separated by semicolons, not commas" in err
    assert "missing column" not in err and "unknown column" not in err  # the one cause, not its four symptoms


def test_header_only_demand_is_refused(tmp_path: Path, capsys) -> None:
    folder = _folder_with_demand(tmp_path, "period_start,queue,contacts\n")
    assert main(["validate", str(folder)]) == EXIT_BAD_INPUT
    out = capsys.readouterr().out
    assert "1 problem" in out and "demand.csv: no rows below the header" in out


def test_api_page_names_only_public_names() -> None:
    page = (ROOT / "docs" / "api" / "index.md").read_text()
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    for row in rows:
        for name in re.findall(r"`([^`]+)`", row.split("|")[1]):
            if name.startswith("staffmix."):  # a module path: that module has the name
                module, _, attr = name.rpartition(".")
                assert hasattr(__import__(module, fromlist=[attr]), attr), name
            else:
                assert name in staffmix.__all__, name


def test_email_queue_without_service_level_is_named(tmp_path: Path, capsys) -> None:
    """Issue #21, defect 6: an email queue without service_level got the voice default and no occupancy cap in
    silence; validation now says so, naming the queue."""
    folder = tmp_path / "s"
    shutil.copytree(TINY, folder)
    yaml_file = folder / "scenario.yaml"
    text = yaml_file.read_text()
    line = "    service_level: {target: 1.0, within_s: 3600, max_occupancy: 0.85}\n"
    assert line in text
    yaml_file.write_text(text.replace(line, ""))
    assert main(["validate", str(folder)]) == 0
    said = capsys.readouterr()
    shown = said.out + said.err
    assert "queues[1] (id 'mail'): an email queue without service_level is planned with the voice default, " \
           "80 % of the work within 20 s, at max_occupancy 1.0" in shown
    assert main(["validate", str(TINY)]) == 0
    said = capsys.readouterr()
    assert "without service_level" not in said.out + said.err  # the phone queue's default is no news
