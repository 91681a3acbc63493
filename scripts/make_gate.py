"""Write the feature-rich instances of the CI quality gate (benchmarks/gate/), from the seeded generator.

    python scripts/make_gate.py   # (re)write benchmarks/gate/*/ (byte-identical on a rerun)

The bundled scenarios measure service per period and, apart from their email, keep deferrable work small; the
gate adds what the core was not tuned on (issue #20), each small enough for a deterministic run in CI: one week
and six languages measured per day, one week and six languages with deferrable email, and four weeks of one
language with both. `staffmix bench benchmarks/gate --baseline benchmarks/baseline-gate.json` (run by .ci/run)
fails when one of them loses its plan or its bound, or either gets 0.1 % worse.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from staffmix.scenario.generate import generate  # noqa: E402 - after the sys.path line above, so it runs from a checkout
from staffmix.scenario.io.save import save_scenario  # noqa: E402 - after the sys.path line above

GATE = {
    "w1-l6-day": dict(weeks=1, languages=6, measured="day"),
    "w1-l6-email": dict(weeks=1, languages=6, deferrable=True),
    "w4-l1-day-email": dict(weeks=4, languages=1, measured="day", deferrable=True),
}


def main() -> None:
    for name, kwargs in GATE.items():
        scenario = generate(**kwargs)
        scenario = scenario.with_changes({"name": name})
        path = save_scenario(scenario, ROOT / "benchmarks" / "gate" / name, overwrite=True)
        print(path)


if __name__ == "__main__":
    main()
