"""`staffmix bench FOLDER --baseline FILE`: plan quality of a set of scenarios against a baseline.

For CI, ours and users': every scenario folder under FOLDER (or FOLDER
itself) is solved by the core in deterministic mode (a work limit, not a
time limit, so the same plan on any machine), and a table of time,
objective, bound and gap is printed. Without FILE on disk the results are
written to it as the baseline; with it, each scenario is compared with its
baseline entry and the command exits 1 when quality regressed beyond the
tolerance: a costlier plan, a weaker proven bound, or no plan where there
was one. Time is shown, never judged: it depends on the machine.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from staffmix.errors import StaffmixError

if TYPE_CHECKING:
    from staffmix.scenario.container import Scenario

BASELINE_VERSION = 1
DEFAULT_WORK_LIMIT = 20
DEFAULT_TOLERANCE = 1e-3  # relative: 0.1 % costlier plan or weaker bound is a regression


@dataclass
class Row:
    name: str
    seconds: float
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    verdict: str = ""


def scenario_folders(folder: str | Path, variants: bool) -> list[tuple[str, Scenario]]:
    """(name, Scenario) for FOLDER itself when it holds scenario.yaml, else for each subfolder that does."""
    from staffmix.scenario.io import load_scenario

    root = Path(folder)
    if not root.is_dir():
        raise StaffmixError(f"{root}: no such folder")
    subs = [root] if (root / "scenario.yaml").is_file() else sorted(
        p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / "scenario.yaml").is_file())
    if not subs:
        raise StaffmixError(f"{root}: no scenario folders (subfolders holding a scenario.yaml)")
    out = []
    for sub in subs:
        s = load_scenario(sub)
        out.append((sub.name, s))
        if variants:
            out += [(f"{sub.name}/{v}", s.variant(v)) for v in s.config.variants]
    return out


def run(folder: str | Path, work_limit: int, mip_gap: float | None, variants: bool) -> list[Row]:
    from staffmix.solvers.dispatch import solve

    rows = []
    for name, scenario in scenario_folders(folder, variants):
        t = time.perf_counter()
        r = solve(scenario, backend="core", work_limit=work_limit, mip_gap=mip_gap, threads=1)
        rows.append(Row(name, time.perf_counter() - t, str(r.status), r.objective, r.bound, r.gap))
    return rows


def write_baseline(path: Path, rows: list[Row], settings: dict) -> None:
    data = {
        "version": BASELINE_VERSION,
        "settings": settings,
        "scenarios": {r.name: {"status": r.status, "objective": r.objective, "bound": r.bound} for r in rows},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


def read_baseline(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise StaffmixError(f"{path}: not a staffmix bench baseline ({exc})") from None
    if (
        not isinstance(data, dict)
        or data.get("version") != BASELINE_VERSION
        or not isinstance(data.get("scenarios"), dict)
    ):
        raise StaffmixError(f"{path}: not a staffmix bench baseline (version {BASELINE_VERSION} with 'scenarios')")
    return data


def compare(rows: list[Row], baseline: dict, tolerance: float) -> bool:
    """Mark each row's verdict; True when any scenario regressed."""
    regressed = False
    for r in rows:
        base = baseline["scenarios"].get(r.name)
        if base is None:
            r.verdict = "new (not in baseline)"
            continue
        problems = []
        b_obj, b_bound = base.get("objective"), base.get("bound")
        if b_obj is not None and r.objective is None:
            problems.append("no plan (baseline had one)")
        elif b_obj is not None and r.objective > b_obj + tolerance * abs(b_obj) + 1e-9:
            problems.append(f"plan {100 * (r.objective / b_obj - 1):+.2f} %")
        if b_bound is not None and (r.bound is None or r.bound < b_bound - tolerance * abs(b_bound) - 1e-9):
            problems.append("bound weaker" if r.bound is None else f"bound {100 * (r.bound / b_bound - 1):+.2f} %")
        if problems:
            regressed = True
            r.verdict = "REGRESSED: " + ", ".join(problems)
        else:
            better = (
                b_obj is not None and r.objective is not None and r.objective < b_obj - tolerance * abs(b_obj)
            ) or (b_bound is not None and r.bound is not None and r.bound > b_bound + tolerance * abs(b_bound))
            r.verdict = "better" if better else "ok"
    missing = sorted(set(baseline["scenarios"]) - {r.name for r in rows})
    for name in missing:
        rows.append(Row(name, math.nan, "missing", None, None, None, "REGRESSED: in the baseline, not in the folder"))
        regressed = True
    return regressed


def table(rows: list[Row], baseline: dict | None) -> str:
    def num(x: float | None, fmt: str = "{:,.2f}") -> str:
        return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else fmt.format(x)

    head = ["scenario", "time_s", "status", "objective", "bound", "gap"]
    if baseline is not None:
        head += ["base objective", "base bound", "verdict"]
    lines = [head]
    for r in rows:
        line = [r.name, num(r.seconds, "{:.1f}"), r.status, num(r.objective), num(r.bound),
                num(None if r.gap is None else 100 * r.gap, "{:.3f} %")]
        if baseline is not None:
            b = baseline["scenarios"].get(r.name, {})
            line += [num(b.get("objective")), num(b.get("bound")), r.verdict]
        lines.append(line)
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    return "\n".join("  ".join(str(c).ljust(w) if i == 0 or i == len(head) - 1 else str(c).rjust(w)
                               for i, (c, w) in enumerate(zip(line, widths, strict=True))).rstrip() for line in lines)


def bench(folder: str | Path, baseline: str | Path, work_limit: int | None = None, mip_gap: float | None = None,
          tolerance: float = DEFAULT_TOLERANCE, variants: bool = False, update: bool = False) -> tuple[int, str]:
    """(exit code, report). Writes the baseline when the file does not exist (or `update`)."""
    path = Path(baseline)
    old = None if update or not path.exists() else read_baseline(path)
    if old is not None:  # compare like with like: the baseline's settings unless overridden
        s = old.get("settings", {})
        work_limit = work_limit or s.get("work_limit")
        mip_gap = mip_gap if mip_gap is not None else s.get("mip_gap")
        variants = variants or bool(s.get("variants"))
    work_limit = work_limit or DEFAULT_WORK_LIMIT
    rows = run(folder, work_limit, mip_gap, variants)
    settings = {"work_limit": work_limit, "mip_gap": mip_gap, "variants": variants, "threads": 1}
    if old is None:
        write_baseline(path, rows, settings)
        return 0, table(rows, None) + f"\n\nbaseline written to {path} ({len(rows)} scenarios, work limit {work_limit})"
    regressed = compare(rows, old, tolerance)
    verdict = (f"quality regressed beyond {100 * tolerance:g} % against {path}" if regressed
               else f"no quality regression against {path} (tolerance {100 * tolerance:g} %)")
    return (1 if regressed else 0), table(rows, old) + "\n\n" + verdict


__all__ = ["bench"]
