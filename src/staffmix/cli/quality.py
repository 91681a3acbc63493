"""`staffmix export` (a scenario's MIP as an MPS file) and `staffmix bench` (plan quality against a baseline)."""

from __future__ import annotations

import argparse

from staffmix.cli.parser import EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from staffmix.scenario.io import load_scenario
    from staffmix.solvers.export import export_mps

    scenario = load_scenario(args.path)
    if args.variant:
        scenario = scenario.variant(args.variant)
    out = export_mps(scenario, args.mps, backend=args.backend)
    print(f"{out}: the {args.backend} model of {scenario.name}")
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    from staffmix.batch.bench import bench

    code, report = bench(args.folder, args.baseline, work_limit=args.work_limit, mip_gap=args.gap,
                         tolerance=args.tolerance, variants=args.variants, update=args.update)
    print(report)
    return code
