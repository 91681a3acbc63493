"""What the test modules share: paths, the backend list, the tiny brute-force instances, message helpers.

Test modules import these names from here (`from conftest import ...`); no
test module imports another.
"""

from __future__ import annotations

import json
import os
import re
import select
import selectors
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bruteforce import Tiny

from staffmix.scenario.backend_names import BACKEND_NAMES
from staffmix.scenario.container import Scenario
from staffmix.scenario.schema import ScenarioConfig

ROOT = Path(__file__).resolve().parents[1]
"""The repository."""
SCENARIOS = ROOT / "scenarios"
"""The bundled scenario folders."""
DATA = Path(__file__).resolve().parent / "data"
"""Test data: tests/data."""
BATCH_DATA = DATA / "batch"
TINY = BATCH_DATA / "good" / "tiny-split"
"""A small scenario folder (two queues, a day, one vendor) with one variant: quick to solve on every backend."""
BROKEN = BATCH_DATA / "broken"
"""A scenario folder that does not load."""
BACKENDS = BACKEND_NAMES
"""Every backend: ("cbc", "highs", "core")."""
REFERENCE_BACKENDS = ("cbc", "highs")


def bundled_names() -> list[str]:
    return sorted(p.parent.name for p in SCENARIOS.glob("*/scenario.yaml"))


def one_error_line(err: str, alone: bool = False) -> str:
    """The CLI's one `staffmix: error:` line on stderr, with no traceback; `alone`: and no other line
    (argparse prints its usage above its own errors)."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("staffmix: error: ")]
    assert len(lines) == 1, err
    if alone:
        assert [line for line in err.splitlines() if line.strip()] == lines, err
    return lines[0]


def strict_json(text: str) -> dict:
    """json.loads that refuses NaN and Infinity (Python writes them; they are not JSON)."""
    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


# ------------------------------------------------------------------ waiting on child processes (events, not polling)
def read_stderr_until(proc: subprocess.Popen, pattern: bytes, timeout_s: float) -> bytes:
    """What `proc` (started with stderr=PIPE, bufsize=0) wrote to stderr up to the first line matching `pattern`: the
    test blocks on the pipe (select) until output arrives, never sleeps and looks again. Fails the test if the
    process ends first or stays silent for `timeout_s` (a hang guard, not a speed requirement); the rest of stderr
    stays in the pipe for `proc.communicate()`."""
    seen = b""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        while not re.search(pattern, seen, re.MULTILINE):
            if not sel.select(timeout=timeout_s):
                proc.kill()
                pytest.fail(f"no {pattern!r} on stderr within {timeout_s} s (hung?): {seen.decode(errors='replace')}")
            chunk = os.read(proc.stderr.fileno(), 65536)
            if not chunk:
                proc.kill()
                pytest.fail(f"the process ended before {pattern!r}: {seen.decode(errors='replace')}")
            seen += chunk
    return seen


def wait_for_exit(pids: list[int], timeout_s: float) -> list[int]:
    """Block until every process in `pids` (not necessarily our children) has ended, or `timeout_s` passed: a pidfd
    per process becomes readable when it exits, so the test waits on that event (Linux 5.3+). Returns the ones still
    running."""
    fds = {}
    for pid in pids:
        try:
            fds[os.pidfd_open(pid)] = pid
        except ProcessLookupError:  # already gone
            continue
    deadline = time.monotonic() + timeout_s
    try:
        while fds:
            ready, _, _ = select.select(list(fds), [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            for fd in ready:
                os.close(fd)
                del fds[fd]
        return sorted(fds.values())
    finally:
        for fd in fds:
            os.close(fd)


# ------------------------------------------------------------------ tiny instances with a brute-force optimum
def without_time_limit(scenario: Scenario) -> Scenario:
    """The scenario with its solver's wall-clock limit removed (the bundled ones set 60 s): a test may assert
    `optimal` only of a solve no clock can cut short."""
    return scenario.with_changes({"solver": {"time_limit_s": None}})


def to_scenario(tiny: Tiny) -> Scenario:
    config = ScenarioConfig.model_validate(tiny.scenario_dict())
    rows = [
        (t, q["id"], np.nan, 300.0, float(tiny.required.get((q["id"], t), 0.0)))
        for t in range(tiny.periods)
        for q in tiny.queues
    ]
    demand = pd.DataFrame(rows, columns=["period", "queue", "contacts", "aht_s", "required_agents"])
    return Scenario(config=config, demand=demand)


TEAM = {"languages": ["en"], "rate": 10.0, "shrinkage": 0.0}
SHORT = [{"id": "s2", "length_h": 2, "start_hours": list(range(24)), "paid_h": 2}]


def flat(queue: str, values: list[float]) -> dict:
    return {(queue, t): v for t, v in enumerate(values)}


CASES = {
    # a queue in a language the team lacks must go to the (dearer) vendor that speaks it
    "language": Tiny(
        periods=4,
        start_hour=9,
        required={**flat("en", [1, 2, 2, 1]), **flat("fi", [1, 1, 0, 1])},
        queues=[{"id": "en", "language": "en"}, {"id": "fi", "language": "fi"}],
        group=TEAM,
        templates=SHORT,
        vendors=[{"id": "finvendor", "languages": ["fi"], "rate": 30.0}],
    ),
    # the payments queue needs pci_dss: the cheap vendor lacks it, so certified providers take it
    "certification": Tiny(
        periods=4,
        start_hour=10,
        required={**flat("pay", [2, 2, 1, 1]), **flat("web", [2, 1, 2, 1])},
        queues=[{"id": "pay", "language": "en", "certifications": ["pci_dss"]}, {"id": "web", "language": "en"}],
        group={**TEAM, "rate": 20.0, "certifications": ["pci_dss"]},
        templates=[{"id": "s3", "length_h": 3, "start_hours": list(range(24)), "paid_h": 3}],
        vendors=[
            {"id": "cheap", "languages": ["en"], "rate": 5.0},
            {"id": "secure", "languages": ["en"], "certifications": ["pci_dss"], "rate": 25.0},
        ],
    ),
    # a night vendor open 20-08 only; in-house nights carry a premium
    "night_window": Tiny(
        periods=6,
        start_hour=17,
        required=flat("en", [3, 2, 2, 1, 1, 1]),
        queues=[{"id": "en", "language": "en"}],
        group={**TEAM, "rate": 12.0, "night_premium": 1.0, "night_hours": [20, 21, 22, 23, 0, 1]},
        templates=[{"id": "s3", "length_h": 3, "start_hours": list(range(24)), "paid_h": 3}],
        vendors=[{"id": "night", "languages": ["en"], "rate": 14.0, "start_hour": 20, "end_hour": 8}],
    ),
    # take-or-pay: the vendor bills at least its weekly minimum (prorated) once used
    "take_or_pay": Tiny(
        periods=6,
        start_hour=8,
        required=flat("en", [1, 0, 1, 0, 0, 1]),
        queues=[{"id": "en", "language": "en"}],
        group={**TEAM, "rate": 15.0},
        templates=SHORT,
        vendors=[{"id": "tp", "languages": ["en"], "rate": 8.0, "min_hours": 140.0}],
    ),
    # a fixed weekly fee decides whether a cheap vendor is worth contracting
    "fixed_fee": Tiny(
        periods=5,
        start_hour=8,
        required=flat("en", [2, 3, 3, 2, 1]),
        queues=[{"id": "en", "language": "en"}],
        group={**TEAM, "rate": 10.0},
        templates=SHORT,
        vendors=[
            {"id": "fee", "languages": ["en"], "rate": 6.0, "fee": 600.0},
            {"id": "nofee", "languages": ["en"], "rate": 11.5},
        ],
    ),
    # policy: at least 60 % of the work in-house although the vendor is cheaper
    "in_house_share": Tiny(
        periods=4,
        start_hour=9,
        required=flat("en", [2, 3, 3, 2]),
        queues=[{"id": "en", "language": "en"}],
        group={**TEAM, "rate": 10.0},
        templates=SHORT,
        vendors=[{"id": "cheap", "languages": ["en"], "rate": 4.0}],
        min_in_house_share=0.6,
    ),
    # headcount: at most two heads and one shift per head per day; the rest overflows to the vendor
    "headcount": Tiny(
        periods=4,
        start_hour=9,
        required=flat("en", [3, 3, 2, 2]),
        queues=[{"id": "en", "language": "en"}],
        group={**TEAM, "rate": 10.0, "max_heads": 2, "cost_per_head_per_week": 84.0},
        templates=SHORT,
        vendors=[{"id": "flex", "languages": ["en"], "rate": 13.0}],
    ),
    # shifts per local day capped (max_shifts_per_day): the horizon is 22:00-02:00, two days; one shift may start on
    # the first, so its two agents at 23:00 come from the vendor (see test_pulp_model's hand values)
    "day_cap": Tiny(
        periods=4,
        start_hour=22,
        required=flat("en", [1, 2, 2, 1]),
        queues=[{"id": "en", "language": "en"}],
        group={**TEAM, "rate": 10.0, "max_shifts_per_day": [1, 2]},
        templates=SHORT,
        vendors=[{"id": "flex", "languages": ["en"], "rate": 16.0}],
    ),
    # vendor capacity and AHT factor: the vendor needs 1.5x agents and takes at most 2 per period
    "vendor_capacity": Tiny(
        periods=3,
        start_hour=9,
        required={**flat("a", [1, 2, 1]), **flat("b", [1, 1, 2])},
        queues=[{"id": "a", "language": "en"}, {"id": "b", "language": "en"}],
        group={**TEAM, "rate": 30.0, "shrinkage": 0.5},
        templates=SHORT,
        vendors=[{"id": "slow", "languages": ["en"], "rate": 9.0, "aht_factor": 1.5, "capacity": 2}],
    ),
}


@pytest.fixture(autouse=True)
def _fresh_highs_scheduler():
    """After each test, HiGHS's process-wide thread scheduler is reset, as staffmix's solves reset it when their
    thread count changes: a test that drives core internals with the default thread count otherwise leaves a
    scheduler a later test's one-thread HiGHS refuses ("error"), so the outcome depended on test order
    (test_core_improve before test_core failed 16 cases)."""
    yield
    highspy = sys.modules.get("highspy")  # only if a test loaded it: start-up tests check it is not imported
    if highspy is not None:
        highspy.Highs.resetGlobalScheduler(True)
