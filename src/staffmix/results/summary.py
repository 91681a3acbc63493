"""A short plain-text reading of a result: what a planner wants to see first."""

from __future__ import annotations

import pandas as pd

from staffmix.results.kpis import answered_mask, periods_without_capacity
from staffmix.results.labels import TERMINATION_LABELS, cost_label, money, provider_label
from staffmix.results.period_ranges import hour_ranges
from staffmix.results.result import UNSERVED, Result

HOUR_BANDS = ((0, 6, "00-06"), (6, 12, "06-12"), (12, 18, "12-18"), (18, 24, "18-24"))


def hour_band_split(result: Result, timezone: str | None = None) -> pd.DataFrame:
    """Share of the work (contacts, else required agents) per provider in each band of the local clock
    (rows: provider, columns: band)."""
    s = result.staffing
    if not s.empty and s["contacts"].notna().any():  # contacts nobody is there to answer are not a provider's
        s = s.assign(provider=s["provider"].where(answered_mask(s), UNSERVED))
    if not result.handled.empty:  # deferrable work counts in the band it is handled in
        h = result.handled
        s = pd.concat([s, pd.DataFrame({"period_start": h["period_start"], "provider": h["provider"],
                                        "contacts": h["handled"], "required": 0})], ignore_index=True)
    if s.empty:
        return pd.DataFrame()
    # contacts, or required agents where demand was given as agents (no contacts)
    values = "contacts" if s["contacts"].notna().any() else "required"
    starts = pd.to_datetime(s["period_start"])
    if timezone is not None:
        starts = starts.dt.tz_convert(timezone)
    hour = starts.dt.hour
    band = pd.Series("", index=s.index)
    for lo, hi, label in HOUR_BANDS:
        band[(hour >= lo) & (hour < hi)] = label
    work = s[values].astype(float)  # required agents are integers; shares are fractions
    table = s.assign(band=band, work=work).pivot_table(
        index="provider", columns="band", values="work", aggfunc="sum", fill_value=0.0
    )
    shares = table / table.sum(axis=0)
    return shares.reindex(columns=[b for *_, b in HOUR_BANDS if b in shares.columns])


def _deferred_text(row: pd.Series, queue) -> str:
    """', within 24 h (target 90%), longest wait 40 h (deadline 48 h)' for a deferrable queue's service row."""
    if queue is None:
        return f" within target, longest wait {row['longest_wait_h']:g} h"
    if queue.response_target is not None:
        aim = f"within {queue.response_target.within_h:g} h (target {queue.response_target.share:.0%})"
    else:
        aim = f"within {queue.response_within_h:g} h"
    return f" {aim}, longest wait {row['longest_wait_h']:g} h (deadline {queue.response_within_h:g} h)"


def _ending(result: Result) -> str:
    """', why the solve ended' when that says more than the status: a limit, a gap reached short of zero."""
    t = result.termination
    if t is None or str(t) == str(result.status):
        return ""
    return f", {TERMINATION_LABELS[str(t)]}"


def format_summary(result: Result, timezone: str | None = None, scenario=None) -> str:
    lines = [
        f"scenario {result.scenario}: {result.status_text}{_ending(result)} ({result.solver}, {result.solve_s:.1f} s)"
    ]
    lines += [f"  WARNING: {w}" for w in result.warnings]  # first, where a planner looks
    if result.message:
        lines.append(f"  {result.message}")
    if not result.status.has_plan:
        if not result.diagnosis.empty:
            lines.append(
                "  queue-periods no provider can serve (local start hours; deferrable work: the hours it arrives):"
            )
            for (q, reason), grp in result.diagnosis.groupby(["queue", "reason"], sort=False):
                starts = pd.to_datetime(grp["period_start"])
                if timezone is not None and isinstance(starts.dtype, pd.DatetimeTZDtype):
                    starts = starts.dt.tz_convert(timezone)
                lines.append(
                    f"    {q}: {reason}: {hour_ranges(starts)} ({len(grp)} period{'s' if len(grp) > 1 else ''})"
                )
        return "\n".join(lines)
    k = result.kpis
    cur = result.currency
    gap = f", gap {result.gap:.3%}" if result.gap is not None else ""
    if k.get("contacts") is not None:
        per_contact = "" if k.get("cost_per_contact") is None else f", {money(k['cost_per_contact'], cur)} per contact"
        lines.append(f"  total cost {money(result.objective, cur)}{gap}; {k['contacts']:,.0f} contacts{per_contact}")
        work = "contacts"
    else:
        lines.append(f"  total cost {money(result.objective, cur)}{gap}; demand given as required agents")
        work = "work"
    share = "n/a" if k.get("in_house_share") is None else f"{k['in_house_share']:.1%}"
    lines.append(f"  in-house share of {work} {share}; vendors used: {', '.join(k['vendors_used']) or 'none'}")
    if k.get("unanswered_contacts"):  # the soft service level left contacts with nobody to answer them
        per_queue = [(key.split(".", 1)[1], v) for key, v in k.items() if key.startswith("unanswered.") and v]
        lines.append(f"  unanswered contacts {k['unanswered_contacts']:,.0f} of {k['contacts']:,.0f} "
                     f"({1 - (k.get('answered_share') or 0):.1%}): " + ", ".join(f"{q} {v:,.0f}" for q, v in per_queue))
    if not result.headcount.empty or not result.shifts.empty:
        heads = int(pd.to_numeric(result.headcount["headcount"]).sum()) if not result.headcount.empty else 0
        shifts = int(pd.to_numeric(result.shifts["count"]).sum()) if not result.shifts.empty else 0
        lines.append(
            f"  in-house: {heads} head{'s' if heads != 1 else ''}, {shifts} shift{'s' if shifts != 1 else ''} started"
        )
    if k.get("night_share_outsourced") is not None:
        lines.append(f"  night {work} outsourced {k['night_share_outsourced']:.1%}")
    lines.append(f"  cost by component{f' ({cur})' if cur else ''}:")
    costs = [(cost_label(c), a) for c, a in zip(result.costs["component"], result.costs["amount"], strict=True) if a]
    width = max([20] + [len(label) for label, _ in costs])
    lines += [f"    {label:<{width}} {amount:>14,.2f}" for label, amount in costs]
    split = hour_band_split(result, timezone)
    if not split.empty:
        lines.append(f"  share of {work} by provider and hour band:")
        lines.append("    " + f"{'provider':<14}" + "".join(f"{c:>8}" for c in split.columns))
        for prov, row in split.iterrows():
            name = "unanswered" if prov == UNSERVED else provider_label(str(prov))  # nobody there, or routed nowhere
            lines.append("    " + f"{name:<14}" + "".join(f"{v:>8.0%}" for v in row))
    svc = result.service("queue")
    if len(svc):
        lines.append("  achieved service level (volume-weighted):")
        deferrable = {q.id: q for q in scenario.config.queues if q.response_within_h is not None} if scenario else {}
        stuck = periods_without_capacity(result.staffing)
        for _, r in svc.iterrows():
            asa = "" if pd.isna(r["asa_s"]) else f", ASA {r['asa_s']:.1f} s"
            if r["asa_s"] == float("inf"):  # a period with no capacity for its contacts: waits without end
                n = stuck.get(r["queue"], 0)
                asa = f", ASA not reached ({n} period{'s' if n != 1 else ''} without capacity)"
            occupancy = "" if pd.isna(r["occupancy"]) else f", occupancy {r['occupancy']:.1%}"
            wait = (
                "" if pd.isna(r.get("longest_wait_h", float("nan"))) else _deferred_text(r, deferrable.get(r["queue"]))
            )
            aim = ""
            if r.get("measured") == "period" and not pd.isna(r.get("target", float("nan"))):  # day/week: the line below
                aim = f" (target {r['target']:.1%} in every period)"
            lines.append(f"    {r['queue']:<20} {r['service_level']:.1%}{aim}{asa}{occupancy}{wait}")
            measured = r.get("measured")
            if measured in ("day", "week"):  # issue #14: the promise is per day or week, each hour only above a floor
                lines.append(_measured_line(result, r["queue"], measured, r["target"], r["period_floor"]))
    return "\n".join(lines)


def _measured_line(result: Result, queue: str, measured: str, target: float, floor: float) -> str:
    """'measured per day: lowest day 80.0 % (target 80.0 %), lowest hour 51.7 % (floor 50.0 %)'."""
    rows = result.service(measured)
    rows = rows[rows["queue"] == queue]
    floor_text = "" if pd.isna(floor) else f" (floor {floor:.1%})"
    return (
        f"      measured per {measured}: lowest {measured} {rows['service_level'].min():.1%} (target {target:.1%}), "
        f"lowest period {rows['lowest_period'].min():.1%}{floor_text}"
    )

