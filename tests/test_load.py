"""Load (issue 7): a batch of 200+ small scenario folders runs to the end, with one summary row per
job and bounded memory. Jobs are one-day variations of the tiny test scenario, written with
save_scenario; HiGHS solves each in a fraction of a second.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import TINY

import staffmix
from staffmix.batch import JOB_FILE, read_summary
from staffmix.scenario.checks import ScenarioWarning
from staffmix.scenario.container import Scenario

N_SCENARIOS = 210
PARENT_RSS_LIMIT_MB = 1536  # generous: the batch process holds 210 small scenarios and their summary rows
WORKER_RSS_LIMIT_MB = 1024
HANG_GUARD_S = 600  # a guard against hangs, not a speed requirement


def write_scenarios(root: Path, n: int) -> list[float]:
    """n one-day variations (prices and volumes) of tiny-split; returns each one's total contacts."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        base = staffmix.load_scenario(TINY)
    cfg = base.config
    horizon = cfg.horizon.model_copy(update={"periods": 24})
    day = base.demand[base.demand["period"] < 24].reset_index(drop=True)
    totals = []
    for i in range(n):
        vendor = cfg.vendors[0].model_copy(update={"rate_per_hour": 18.0 + i % 9})
        group = cfg.groups[0].model_copy(update={"rate_per_hour": 25.0 + i % 7})
        config = cfg.model_copy(update={
            "name": f"load-{i:03d}", "horizon": horizon, "vendors": [vendor], "groups": [group], "variants": {},
        })
        demand = day.copy()
        demand["contacts"] = np.round(demand["contacts"] * (0.5 + (i % 11) / 10))
        staffmix.save_scenario(Scenario(config=config, demand=demand), root / f"s{i:03d}")
        totals.append(float(demand["contacts"].sum()))
    return totals


_BATCH = textwrap.dedent("""
    import json, resource, sys, time
    from staffmix.batch import run_batch

    if __name__ == "__main__":
        t0 = time.perf_counter()
        summary = run_batch(sys.argv[1], sys.argv[2], jobs=2, backend="highs", progress=False, reports=False)
        print(json.dumps({
            "rows": len(summary),
            "seconds": time.perf_counter() - t0,
            "parent_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "workers_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        }))
""")


@pytest.mark.skipif(sys.platform == "win32", reason="resource module")
@pytest.mark.slow  # the load test
def test_batch_of_210_scenarios_finishes_with_every_row(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    totals = write_scenarios(folder, N_SCENARIOS)
    script = tmp_path / "batch.py"  # a file, so the spawned workers can import the main module
    script.write_text(_BATCH)

    # the batch runs in a process of its own, so its peak memory is its own and its workers'
    proc = subprocess.run([sys.executable, str(script), str(folder), str(out)], capture_output=True, text=True,
                          timeout=HANG_GUARD_S)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = json.loads(proc.stdout.strip().splitlines()[-1])
    scale = 2**20 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    assert run["rows"] == N_SCENARIOS
    assert run["parent_kb"] / scale < PARENT_RSS_LIMIT_MB, run
    assert run["workers_kb"] / scale < WORKER_RSS_LIMIT_MB, run

    summary = read_summary(out)
    names = [f"s{i:03d}" for i in range(N_SCENARIOS)]
    assert list(summary["scenario"]) == names and set(summary["variant"]) == {"base"}
    assert set(summary["status"]) == {"optimal"}, summary.loc[summary["status"] != "optimal", ["scenario", "error"]]
    assert (summary["violations"] == 0).all()
    assert (summary["error"] == "").all()
    assert summary["objective"].notna().all() and (summary["objective"] > 0).all()
    # s000 and s077 share volume and in-house pay; s077's vendor charges 23 an hour instead of 18
    cost = summary.set_index("scenario")["objective"]
    assert cost["s077"] > cost["s000"]
    records = sorted(out.glob(f"*/base/{JOB_FILE}"))
    assert len(records) == N_SCENARIOS
    first = json.loads(records[0].read_text())
    result = staffmix.load_result(out / "s000" / "base")
    assert result.objective == pytest.approx(first["row"]["objective"])
    assert float(result.staffing["contacts"].sum()) == pytest.approx(totals[0])
    assert list(out.glob("*/.*")) == []
