"""Side by side: the core against HiGHS, SCIP and CP-SAT on the same MIP, the same time limit.

The instance's MIP is exported once as MPS (`staffmix.export_mps`, the core's
matrix). HiGHS, SCIP (pyscipopt) and CP-SAT (ortools) read that file; the
core solves the scenario itself (the same model). Each run is a separate
process, one at a time, one thread (CP-SAT: `--cpsat-workers`, default 2,
its least useful setting), and reports objective, bound, gap, seconds and
peak memory. SCIP and CP-SAT come with the optional extra `bench`
(`pip install -e ".[bench]"`); a solver that is not installed is skipped.

    python benchmarks/side_by_side.py --time-limit 60 --out side-by-side.md 2can-split w1-l6
    python benchmarks/side_by_side.py --time-limit 60 scenarios/eu-ecommerce-pci

Instances: generator names (`staffmix.scenario.generate.GENERATORS`) or scenario folders.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOLVERS = ("core", "highs", "scip", "cpsat")
ROOT = Path(__file__).resolve().parents[1]


def load(instance: str):
    from staffmix import load_scenario
    from staffmix.scenario.generate import GENERATORS

    if instance in GENERATORS:
        return GENERATORS[instance]()
    path = Path(instance)
    if not path.exists() and (ROOT / "scenarios" / instance).exists():
        path = ROOT / "scenarios" / instance
    return load_scenario(path)


def available(solver: str) -> bool:
    import importlib.util

    need = {"scip": "pyscipopt", "cpsat": "ortools"}.get(solver)
    return need is None or importlib.util.find_spec(need) is not None


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_one(solver: str, instance: str, mps: str, limit: float, cpsat_workers: int) -> dict:
    """One solver on one instance, in this process."""
    t = time.perf_counter()
    if solver == "core":
        from staffmix import solve, verify

        s = load(instance)
        r = solve(s, backend="core", time_limit_s=limit, mip_gap=1e-4, threads=1)
        out = {"objective": r.objective, "bound": r.bound, "status": str(r.status),
               "verified": bool(r.status.has_plan and verify(s, r) == [])}
    elif solver == "highs":
        import highspy

        from staffmix.util.native_output import silenced_stdout

        with silenced_stdout():
            h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.readModel(mps)
        h.setOptionValue("time_limit", float(limit))
        h.setOptionValue("mip_rel_gap", 1e-4)
        h.run()
        info = h.getInfo()
        has = info.primal_solution_status == 2
        out = {"objective": info.objective_function_value if has else None,
               "bound": info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None,
               "status": h.modelStatusToString(h.getModelStatus())}
    elif solver == "scip":
        import pyscipopt

        model = pyscipopt.Model()
        model.hideOutput()
        model.readProblem(mps)
        model.setParam("limits/time", float(limit))
        model.setParam("limits/gap", 1e-4)
        model.setParam("parallel/maxnthreads", 1)
        model.optimize()
        out = {"objective": model.getObjVal() if model.getNSols() else None,
               "bound": model.getDualbound(), "status": model.getStatus()}
    elif solver == "cpsat":
        from ortools.linear_solver.python import model_builder as mb

        model = mb.Model()
        model.import_from_mps_file(mps)
        sat = mb.Solver("sat")
        sat.set_time_limit_in_seconds(float(limit))
        sat.set_solver_specific_parameters(f"num_workers: {int(cpsat_workers)}, relative_gap_limit: 1e-4")
        status = sat.solve(model)
        has = status in (mb.SolveStatus.OPTIMAL, mb.SolveStatus.FEASIBLE)
        out = {"objective": sat.objective_value if has else None,
               "bound": sat.best_objective_bound if has else None, "status": status.name}
    else:
        raise ValueError(f"unknown solver {solver!r}")
    out["seconds"] = round(time.perf_counter() - t, 2)
    out["peak_rss_mb"] = round(_peak_mb(), 1)
    obj, bound = out.get("objective"), out.get("bound")
    out["gap"] = (obj - bound) / abs(obj) if obj is not None and bound is not None and obj else None
    return out


def run_isolated(solver: str, instance: str, mps: str, limit: float, cpsat_workers: int) -> dict:
    """run_one in a fresh process (its own peak memory, nothing shared), killed 60 s past the limit."""
    cmd = [sys.executable, __file__, "--one", solver, "--mps", mps, "--time-limit", str(limit),
           "--cpsat-workers", str(cpsat_workers), instance]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=limit + 60)
    except subprocess.TimeoutExpired:
        return {"status": "killed (no answer 60 s past the limit)", "objective": None, "bound": None, "gap": None}
    lines = [line for line in p.stdout.splitlines() if line.startswith("{")]
    if p.returncode != 0 or not lines:
        return {"status": f"failed: {p.stderr.strip().splitlines()[-1] if p.stderr.strip() else p.returncode}",
                "objective": None, "bound": None, "gap": None}
    return json.loads(lines[-1])


def cell(r: dict) -> str:
    if r.get("objective") is None:
        return "no plan" if "skipped" not in r.get("status", "") else r["status"]
    gap = r.get("gap")
    text = f"{r['objective']:,.0f}"
    if gap is not None and gap <= 1e-4 + 1e-12:
        text = f"optimal {text}"
    elif gap is not None:
        text += f", gap {100 * gap:.2f} %"
    return text + f", {r['seconds']:.1f} s"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("instances", nargs="+")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--solvers", default=",".join(SOLVERS))
    ap.add_argument("--cpsat-workers", type=int, default=2)
    ap.add_argument("--out", help="write the markdown table here too")
    ap.add_argument("--json", help="write every run's figures here")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--mps", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.instances[0], args.mps, args.time_limit, args.cpsat_workers)))
        return 0
    from staffmix import export_mps

    solvers = [s for s in args.solvers.split(",") if s]
    results: dict[str, dict[str, dict]] = {}
    header = "| instance | columns | " + " | ".join(solvers) + " |"
    lines = [header, "|---|---:|" + "---|" * len(solvers)]
    with tempfile.TemporaryDirectory() as tmp:
        for inst in args.instances:
            mps = str(Path(tmp) / (Path(inst).name + ".mps"))
            export_mps(load(inst), mps)
            n_cols = _columns(mps)
            results[inst] = {}
            for solver in solvers:
                if not available(solver):
                    results[inst][solver] = {"status": "skipped (not installed)", "objective": None}
                    continue
                results[inst][solver] = run_isolated(solver, inst, mps, args.time_limit, args.cpsat_workers)
                print(f"{inst} {solver}: {json.dumps(results[inst][solver])}", file=sys.stderr, flush=True)
            lines.append(
                f"| {Path(inst).name} | {n_cols:,} | " + " | ".join(cell(results[inst][s]) for s in solvers) + " |"
            )
    table = "\n".join(lines)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


def _columns(mps: str) -> int:
    import highspy

    from staffmix.util.native_output import silenced_stdout

    with silenced_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(mps)
    return h.getNumCol()


if __name__ == "__main__":
    sys.exit(main())
