"""`staffmix erlang`: the Erlang C / A calculator."""

from __future__ import annotations

import argparse
import math

from staffmix.cli.parser import EXIT_OK
from staffmix.errors import StaffmixError


def cmd_erlang(args: argparse.Namespace) -> int:
    import numpy as np

    from staffmix import queueing

    if args.max_abandon is not None and args.patience is None:
        raise StaffmixError("--max-abandon needs --patience (abandonment follows from caller patience)")
    interval_s = args.interval_min * 60.0
    try:
        load = float(queueing.offered_load(args.contacts, args.aht, interval_s))
        required = int(queueing.required_agents(
            args.contacts, args.aht, interval_s, args.target, args.within,
            max_occupancy=args.max_occupancy if args.max_occupancy is not None else 1.0,
            max_asa_s=args.max_asa, patience_s=args.patience, max_abandon=args.max_abandon,
        ))
        agents = np.arange(max(1, required - 3) if required else 0, required + 4)
        erlang_a = args.patience is not None
        if erlang_a:
            sl = queueing.erlang_a_service_level(agents, load, args.aht, args.patience, args.within)
            asa = queueing.erlang_a_asa_s(agents, load, args.aht, args.patience)
            occ = queueing.erlang_a_occupancy(agents, load, args.aht, args.patience)
            abandon = queueing.erlang_a_abandon_probability(agents, load, args.aht, args.patience)
        else:
            sl = queueing.service_level(agents, load, args.aht, args.within)
            asa = queueing.asa_s(agents, load, args.aht)
            occ = queueing.occupancy(agents, load)
            abandon = None
    except ValueError as exc:
        raise StaffmixError(str(exc)) from None

    model = f"Erlang A (mean patience {args.patience:g} s)" if erlang_a else "Erlang C"
    targets = [f"{args.target:.0%} answered within {args.within:g} s"]
    if args.max_occupancy is not None:
        targets.append(f"occupancy <= {args.max_occupancy:.0%}")
    if args.max_asa is not None:
        targets.append(f"ASA <= {args.max_asa:g} s")
    if args.max_abandon is not None:
        targets.append(f"abandonment <= {args.max_abandon:.1%}")
    print(f"offered load:    {load:,.2f} Erlangs ({args.contacts:g} contacts x {args.aht:g} s / {interval_s:g} s)")
    print(f"required agents: {required} productive agents ({model}; {', '.join(targets)})")
    print()
    header = f"{'agents':>6}  {'service level':>13}  {'ASA (s)':>9}  {'occupancy':>9}"
    if abandon is not None:
        header += f"  {'abandoned':>9}"
    print(header)
    for i, n in enumerate(agents):
        a = float(asa[i])
        row = (
            f"{int(n):>6}  {float(sl[i]):>13.1%}  {('inf' if math.isinf(a) else f'{a:,.1f}'):>9}  {float(occ[i]):>9.1%}"
        )
        if abandon is not None:
            row += f"  {float(abandon[i]):>9.1%}"
        if int(n) == required:
            row += "  <- required"
        print(row)
    return EXIT_OK
