"""Write the demand.csv of every worked example under scenarios/.

    python scripts/make_scenarios.py          # (re)write the demand files
    python scripts/make_scenarios.py --check  # also validate the folders and print sizes

Deterministic: every scenario draws from its own seeded numpy Generator, so a
rerun writes byte-identical files. Only the demand.csv files are written;
scenario.yaml and README.md are maintained by hand. The script reads each
scenario.yaml (validated with `staffmix.scenario.schema.ScenarioConfig`) for the
horizon start, the queue ids and the queues' opening hours, so the demand
cannot drift away from the configuration.

How the demand is made, per queue and hour of the week:

    mean = level x day_factor[day] x shape[hour]      (shape: weekday or weekend curve)

then hours outside the queue's `open_hours` are zeroed, optional email
backlog is carried from closed hours into the next opening (deferrable
queues need none: their mail arrives when it is sent), night hours
(22:00-06:00) are capped at a thin mean, and the contacts are a Poisson draw
(nights also clipped to at most 5 contacts per hour and queue).

demand.csv is long form: `period_start,queue,contacts`, one row per hour and
queue (closed hours included, with 0), `period_start` as naive local
wall-clock time in the horizon's time zone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
sys.path.insert(0, str(ROOT / "src"))  # this checkout's staffmix, installed or not

from staffmix.scenario.schema import ScenarioConfig, open_hours_of_week  # noqa: E402 - after sys.path points at this checkout

HOURS_PER_WEEK = 168
NIGHT_HOURS = (22, 23, 0, 1, 2, 3, 4, 5)
NIGHT_MEAN_CAP = 2.5  # mean contacts per queue-hour at night, before noise
NIGHT_MAX = 5  # thin nights: at most this many contacts per queue-hour


# --- intraday shapes: mean contacts per hour as a share of the day's busiest hour ---------
# index = hour of day (0 = 00:00-01:00). Quiet night, morning ramp, late-morning peak,
# lunch dip 12-13, afternoon peak, evening decline.

OFFICE_WEEKDAY = np.array([
    0.025, 0.018, 0.014, 0.014, 0.018, 0.030,  # 00-05
    0.080, 0.250, 0.620, 0.900, 1.000, 0.960,  # 06-11
    0.700, 0.780, 0.930, 0.900, 0.760, 0.520,  # 12-17
    0.320, 0.220, 0.140, 0.090, 0.040, 0.030,  # 18-23
])
OFFICE_WEEKEND = np.array([
    0.040, 0.030, 0.020, 0.020, 0.020, 0.030,
    0.050, 0.100, 0.250, 0.450, 0.600, 0.650,
    0.580, 0.600, 0.620, 0.600, 0.520, 0.420,
    0.330, 0.270, 0.200, 0.140, 0.090, 0.060,
])
# Consumers (web shops) call later and keep calling after work.
CONSUMER_WEEKDAY = np.array([
    0.040, 0.025, 0.015, 0.010, 0.010, 0.020,
    0.050, 0.180, 0.500, 0.820, 0.970, 1.000,
    0.780, 0.840, 0.920, 0.880, 0.800, 0.720,
    0.700, 0.660, 0.520, 0.360, 0.140, 0.070,
])
CONSUMER_WEEKEND = np.array([
    0.050, 0.030, 0.020, 0.015, 0.010, 0.015,
    0.030, 0.070, 0.200, 0.420, 0.620, 0.720,
    0.660, 0.680, 0.700, 0.680, 0.640, 0.600,
    0.580, 0.550, 0.450, 0.320, 0.150, 0.080,
])

# --- day-of-week factors, Monday..Sunday ---------------------------------------------------
# Monday catches up on the weekend (+15-20 %), Friday is lighter, the weekend much lower.
OFFICE_WEEK = (1.18, 1.05, 1.00, 0.97, 0.86, 0.45, 0.35)
CONSUMER_WEEK = (1.15, 1.03, 1.00, 0.97, 0.90, 0.70, 0.50)
# Black Friday week: a normal Monday-Thursday build-up, Friday's spike, a busy Saturday.
BLACK_FRIDAY_WEEK = (1.00, 0.94, 0.98, 1.08, 1.75, 1.10, 0.80)


def shifted(shape: np.ndarray, hours: int) -> np.ndarray:
    """The curve of callers `hours` time zones west: their 09:00 is our 09:00 + hours."""
    return np.roll(shape, hours)


@dataclass(frozen=True)
class QueueDemand:
    """How one queue's week of demand is drawn."""

    queue: str
    level: float
    """Mean contacts per hour where the shape is 1.0 on a day whose factor is 1.0 (an ordinary Wednesday peak)."""
    weekday: np.ndarray
    """Intraday shape Monday-Friday (24 values)."""
    weekend: np.ndarray
    """Intraday shape Saturday and Sunday."""
    week: tuple[float, ...]
    """Day factors Monday..Sunday."""
    carry_backlog: bool = False
    """Email: contacts arriving while closed are answered in the first hours after opening."""


@dataclass(frozen=True)
class ScenarioDemand:
    name: str
    seed: int
    queues: list[QueueDemand] = field(default_factory=list)


# Finnish SaaS in Helsinki: Finnish callers on Finnish time; English callers are spread
# over Central Europe (1 h behind) and the UK/Ireland (2 h behind).
EN_FROM_HELSINKI_W = 0.6 * shifted(OFFICE_WEEKDAY, 1) + 0.4 * shifted(OFFICE_WEEKDAY, 2)
EN_FROM_HELSINKI_WE = 0.6 * shifted(OFFICE_WEEKEND, 1) + 0.4 * shifted(OFFICE_WEEKEND, 2)
# Global SaaS planned from London: Europe plus an afternoon tail from the US east coast.
GLOBAL_W = 0.78 * OFFICE_WEEKDAY + 0.22 * shifted(OFFICE_WEEKDAY, 5)
GLOBAL_WE = 0.78 * OFFICE_WEEKEND + 0.22 * shifted(OFFICE_WEEKEND, 5)

SCENARIO_DEMAND = [
    ScenarioDemand("2can-split", seed=20260302, queues=[
        QueueDemand("support_fi", 70.0, OFFICE_WEEKDAY, OFFICE_WEEKEND, OFFICE_WEEK),
        QueueDemand("support_en", 58.0, EN_FROM_HELSINKI_W, EN_FROM_HELSINKI_WE, OFFICE_WEEK),
    ]),
    ScenarioDemand("webshop-startup", seed=20260303, queues=[
        QueueDemand("phone", 7.5, CONSUMER_WEEKDAY, CONSUMER_WEEKEND, CONSUMER_WEEK),
        QueueDemand("chat", 6.0, CONSUMER_WEEKDAY, CONSUMER_WEEKEND, CONSUMER_WEEK),
        QueueDemand("email", 2.3, CONSUMER_WEEKDAY, CONSUMER_WEEKEND, CONSUMER_WEEK),  # around the clock, deferrable
    ]),
    ScenarioDemand("eu-ecommerce-pci", seed=20261123, queues=[
        QueueDemand("sales_de", 34.0, CONSUMER_WEEKDAY, CONSUMER_WEEKEND, BLACK_FRIDAY_WEEK),
        QueueDemand("sales_fr", 27.0, CONSUMER_WEEKDAY, CONSUMER_WEEKEND, BLACK_FRIDAY_WEEK),
        QueueDemand("sales_it", 20.0, CONSUMER_WEEKDAY, CONSUMER_WEEKEND, BLACK_FRIDAY_WEEK),
        QueueDemand("sales_es", 18.0, CONSUMER_WEEKDAY, CONSUMER_WEEKEND, BLACK_FRIDAY_WEEK),
        QueueDemand("payments_en", 10.0, CONSUMER_WEEKDAY, CONSUMER_WEEKEND, BLACK_FRIDAY_WEEK),
    ]),
    ScenarioDemand("saas-24x7", seed=20260304, queues=[
        QueueDemand("tier1", 30.0, GLOBAL_W, GLOBAL_WE, OFFICE_WEEK),
        QueueDemand("tier2", 4.5, GLOBAL_W, GLOBAL_WE, OFFICE_WEEK),
        QueueDemand("tickets", 7.0, GLOBAL_W, GLOBAL_WE, OFFICE_WEEK),  # web-form tickets, deferrable
    ]),
]


def mean_contacts(q: QueueDemand, is_open: np.ndarray) -> np.ndarray:
    """Mean contacts for the 168 hours of the week (Monday 00:00 first); is_open: the queue's opening hours."""
    mean = np.empty(HOURS_PER_WEEK)
    for day in range(7):
        shape = q.weekday if day < 5 else q.weekend
        mean[day * 24:(day + 1) * 24] = q.level * q.week[day] * shape
    if not is_open.all():
        if q.carry_backlog:
            mean = _carry_backlog(mean, is_open)
        mean[~is_open] = 0.0
    night = np.isin(np.arange(HOURS_PER_WEEK) % 24, NIGHT_HOURS)
    mean[night] = np.minimum(mean[night], NIGHT_MEAN_CAP)
    return mean


def _carry_backlog(mean: np.ndarray, is_open: np.ndarray, spread=(0.45, 0.30, 0.25)) -> np.ndarray:
    """Move what arrives while closed into the first open hours after it (the week is cyclic)."""
    out = np.where(is_open, mean, 0.0)
    n = HOURS_PER_WEEK
    for h in range(n):
        if not is_open[h] or is_open[h - 1]:
            continue  # not an opening hour
        pending, k = 0.0, h - 1
        while not is_open[k % n]:
            pending += mean[k % n]
            k -= 1
        for offset, share in enumerate(spread):
            if is_open[(h + offset) % n]:
                out[(h + offset) % n] += share * pending
    return out


def draw(spec: ScenarioDemand, config: ScenarioConfig) -> np.ndarray:
    """Contacts, shape (168, n_queues in scenario.yaml order), integers."""
    rng = np.random.default_rng(spec.seed)
    by_id = {q.queue: q for q in spec.queues}
    night = np.isin(np.arange(HOURS_PER_WEEK) % 24, NIGHT_HOURS)
    out = np.zeros((HOURS_PER_WEEK, len(config.queues)), dtype=np.int64)
    for j, queue in enumerate(config.queues):
        is_open = np.zeros(HOURS_PER_WEEK, dtype=bool)
        is_open[sorted(open_hours_of_week(queue.open_hours))] = True
        mean = mean_contacts(by_id[queue.id], is_open)
        contacts = rng.poisson(mean)
        contacts[night] = np.minimum(contacts[night], NIGHT_MAX)
        out[:, j] = contacts
    return out


def read_config(folder: Path) -> ScenarioConfig:
    with open(folder / "scenario.yaml", encoding="utf-8") as fh:
        return ScenarioConfig.model_validate(yaml.safe_load(fh))


def write_demand(spec: ScenarioDemand) -> Path:
    folder = SCENARIOS / spec.name
    config = read_config(folder)
    where = f"{folder.relative_to(ROOT)}/scenario.yaml"
    differ = {q.id for q in config.queues} ^ {q.queue for q in spec.queues}
    if differ:
        raise SystemExit(f"{where} and make_scenarios.py disagree on queues {sorted(differ)}")
    h = config.horizon
    if h.start.weekday() != 0 or (h.start.hour, h.start.minute) != (0, 0):
        raise SystemExit(f"{where}: horizon.start must be a Monday 00:00 (got {h.start})")
    if h.periods != HOURS_PER_WEEK or h.interval_min != 60:
        raise SystemExit(f"{where}: expected 168 hourly periods")
    starts = h.period_starts()
    if len(set(starts.map(lambda t: t.utcoffset()))) != 1:
        raise SystemExit(f"{where}: the week crosses a DST change; pick another week")
    contacts = draw(spec, config)
    lines = ["period_start,queue,contacts"]
    for t in range(HOURS_PER_WEEK):
        stamp = (h.start + dt.timedelta(hours=t)).strftime("%Y-%m-%dT%H:%M")  # naive local wall clock
        lines.extend(f"{stamp},{q.id},{contacts[t, j]}" for j, q in enumerate(config.queues))
    path = folder / config.demand.file
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return path


# --- checks (--check) ----------------------------------------------------------------------

def check(spec: ScenarioDemand) -> None:
    """Validate the folder (schema, and the full loader with its variants when present) and print sizes."""
    import warnings

    import pandas as pd

    folder = SCENARIOS / spec.name
    config = read_config(folder)
    size_kb = sum(p.stat().st_size for p in folder.iterdir()) / 1024
    print(f"\n== {spec.name}  ({size_kb:.1f} KB; variants: {', '.join(config.variants) or '-'})")
    scenario = None
    try:
        from staffmix.scenario.io import load_scenario
    except ImportError:
        print("   staffmix.scenario.io.load_scenario not available: checked scenario.yaml against the schema only")
    else:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scenario = load_scenario(folder)  # validates every variant too
            for variant in config.variants:
                scenario.variant(variant)
        print(f"   load_scenario: ok ({len(scenario.demand)} demand rows)")
        for w in caught:
            print(f"   warning: {w.message}")

    demand = pd.read_csv(folder / config.demand.file)
    hour = pd.to_datetime(demand["period_start"]).dt.hour
    demand["night"] = hour.isin(NIGHT_HOURS)
    required = _required_agent_hours(config, scenario, demand)
    providers = list(required.columns.get_level_values(0).unique()) if required is not None else []
    head = f"   {'queue':<12} {'peak':>5} {'total':>6} {'night max':>9}"
    head += "".join(f" {p + ' agent-h (peak)':>24}" for p in providers)
    print(head)
    for q in config.queues:
        rows = demand[demand["queue"] == q.id]
        line = f"   {q.id:<12} {rows['contacts'].max():>5} {rows['contacts'].sum():>6} "
        line += f"{rows.loc[rows['night'], 'contacts'].max():>9}"
        for p in providers:
            if q.id in required.index and not np.isnan(required.loc[q.id, (p, "sum")]):
                line += f" {required.loc[q.id, (p, 'sum')]:>16.0f} ({required.loc[q.id, (p, 'max')]:>3.0f}) "
            else:
                line += f" {'-':>22} "
        print(line)
    for q in config.queues:
        if q.response_within_h is not None:  # deferrable: no hourly requirement, a week of work to schedule
            work = (
                demand.loc[demand["queue"] == q.id, "contacts"].sum()
                * q.aht_s
                / 3600
                / (q.service_level.max_occupancy or 1.0)
            )
            target = (
                f", {q.response_target.share:.0%} within {q.response_target.within_h:g} h" if q.response_target else ""
            )
            print(
                f"   {q.id}: deferrable, {work:.0f} agent-hours of work a week, all within {q.response_within_h:g} "
                f"h{target}"
            )
    if required is not None and "in_house" in providers:
        print(f"   in-house requirement, all queues: {required[('in_house', 'sum')].sum():.0f} productive agent-hours"
              " (in hours some shift covers)")
    measured = [f"{q.id} (per {q.service_level.measured}, floor {q.service_level.period_floor or 0:g})"
                for q in config.queues if q.service_level.measured != "period"]
    if measured and scenario is not None:
        print(f"   measured over a day or week: {', '.join(measured)}: their agent-hours above are the lowest"
              " levels (what the floor needs); the plan chooses each hour's level")
    if scenario is not None:
        try:
            from staffmix.model.index_sets import build_index
        except ImportError:
            return
        base = build_index(scenario).base_frame()
        print(f"   requirement at the queues' own AHT, every hour: {base['required'].sum():.0f} agent-hours")


def _required_agent_hours(config, scenario, demand):
    """Required agent-hours and peak agents per queue and provider (None if the math isn't there yet)."""
    import pandas as pd

    if scenario is not None:
        try:
            from staffmix.model.index_sets import build_index
        except ImportError:
            pass
        else:
            req = build_index(scenario).requirements_frame()
            table = req.groupby(["queue", "provider"])["required"].agg(["sum", "max"]).unstack("provider")
            table = table.swaplevel(axis=1)
            order = [p for p in config.provider_ids if p in table.columns.get_level_values(0)]
            return table[[(p, stat) for p in order for stat in ("sum", "max")]]
    try:
        from staffmix import queueing
    except ImportError:
        print("   staffmix.queueing not available: no requirements")
        return None
    interval_s = config.horizon.interval_min * 60.0
    out = {}
    for q in config.queues:
        c = demand.loc[demand["queue"] == q.id, "contacts"].to_numpy(dtype=float)
        sl = q.service_level
        aht = q.aht_s / q.concurrency
        if q.channel == "email":
            r = np.ceil(c * aht / interval_s / (sl.max_occupancy or 1.0) - 1e-9)
        else:
            r = np.asarray(queueing.required_agents(c, np.full(len(c), aht), interval_s, sl.target, sl.within_s,
                                                    max_occupancy=sl.max_occupancy or 1.0, max_asa_s=sl.max_asa_s),
                           dtype=float)
        out[q.id] = {("in_house", "sum"): r.sum(), ("in_house", "max"): r.max()}
    return pd.DataFrame(out).T


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="validate every folder and print its sizes")
    parser.add_argument("names", nargs="*", help="scenario names (default: all)")
    args = parser.parse_args(argv)
    specs = [s for s in SCENARIO_DEMAND if not args.names or s.name in args.names]
    unknown = set(args.names) - {s.name for s in SCENARIO_DEMAND}
    if unknown:
        parser.error(f"unknown scenario(s) {sorted(unknown)}")
    for spec in specs:
        print(f"wrote {write_demand(spec).relative_to(ROOT)}")
    if args.check:
        for spec in specs:
            check(spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
