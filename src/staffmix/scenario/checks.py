"""Tier-two validation: rules that span tables.

pydantic (`schema.py`) checks each field on its own: types, ranges, ids.
This module checks what needs several tables at once, in the style of PyPSA's
`consistency.py`: small `check_*` functions, each looking at one rule and
appending to a list of problems (errors) or of notes (warnings).

Public entry points:

- `check_config(config)` -> problems in scenario.yaml (a group naming an
  unknown template, a language nobody speaks, ...);
- `check_demand(config, demand)` -> problems in the demand table (and
  warnings, e.g. contacts at hours a queue is closed).

`staffmix.scenario.container.validate(scenario)` runs both on a Scenario and on each of
its variants (scenario/variants.py merges them) and raises one `ScenarioError`.

Warnings are collected in `notes` when the caller passes a list, otherwise
they are emitted with `warnings.warn(..., ScenarioWarning)`.

The pre-solve feasibility diagnosis (queue-periods no provider can serve) is
not a consistency rule and lives apart from these checks.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from staffmix.scenario.day_caps import check_day_caps
from staffmix.scenario.deferrable_checks import check_deferrable, check_deferrable_demand
from staffmix.scenario.eligibility import (
    fits,
    group_may_take,
    in_house_only,
    in_region,
    policy_allows,
    speaks,
    vendor_may_take,
)
from staffmix.scenario.schema import (
    DEMAND_COLUMNS,
    IN_HOUSE,
    SCENARIO_FILE,
    Channel,
    Group,
    Horizon,
    Queue,
    ScenarioConfig,
    Vendor,
    open_hours_of_week,
)


def _providers(config: ScenarioConfig) -> list[Group | Vendor]:
    """Every group and vendor, in scenario order."""
    return [*config.groups, *config.vendors]


MAX_LOAD_ERLANGS = 1e6
"""Largest offered load (contacts x aht_s / period length) one demand row may carry.

A million agents busy at once on one queue is far beyond any contact centre;
larger numbers are typos or unit mix-ups, and past ~1e8 the staffing search
and the integer model cannot represent the answer."""
MAX_REQUIRED_AGENTS = 1e6
"""Largest required_agents one demand row may give (the same reasoning)."""


class ScenarioWarning(UserWarning):
    """Something in a scenario that is allowed but probably not meant (missing demand rows, contacts at closed hours,
    ...)."""


# ---------------------------------------------------------------- helpers


def emit(notes: Iterable[str], stacklevel: int = 3) -> None:
    """Issue each note as a ScenarioWarning."""
    for note in notes:
        warnings.warn(note, category=ScenarioWarning, stacklevel=stacklevel)


def _item(kind: str, index: int, item_id: str) -> str:
    return f"{kind}[{index}] (id {item_id!r})"


def _names(values: Iterable[str]) -> str:
    values = list(values)
    return ", ".join(values) if values else "none"


def _hour_of_week(horizon: Horizon) -> np.ndarray:
    """Local hour of week (Monday 00:00 = 0) of every period start."""
    starts = horizon.period_starts()
    return np.asarray(starts.day_of_week * 24 + starts.hour, dtype=np.int64)


def _workable_templates(config: ScenarioConfig, group: Group) -> list[str]:
    known = {t.id: t for t in config.templates}
    return [t for t in group.templates if t in known and known[t].paid_h <= group.max_hours_per_week]


def _group_usable(config: ScenarioConfig, group: Group) -> bool:
    return group.max_headcount != 0 and bool(_workable_templates(config, group))


# ---------------------------------------------------------------- config checks


def check_group_templates(config: ScenarioConfig, problems: list[str], notes: list[str], prefix: str) -> None:
    """Every template a group names exists, and the group can work at least one of them."""
    known = [t.id for t in config.templates]
    by_id = {t.id: t for t in config.templates}
    for i, g in enumerate(config.groups):
        where = f"{prefix}{_item('groups', i, g.id)}.templates"
        unknown = [t for t in g.templates if t not in by_id]
        for t in unknown:
            problems.append(f"{where}: unknown template {t!r} (templates: {_names(known)})")
        if not g.templates:
            problems.append(f"{where}: the group may work no template")
            continue
        too_long = [t for t in g.templates if t in by_id and by_id[t].paid_h > g.max_hours_per_week]
        if not unknown and too_long and len(too_long) == len(g.templates):
            problems.append(
                f"{where}: the group may work no template: every template pays more hours than "
                f"max_hours_per_week {g.max_hours_per_week:g} "
                f"({', '.join(f'{t}: {by_id[t].paid_h:g} h' for t in too_long)})"
            )


def check_templates(config: ScenarioConfig, problems: list[str], notes: list[str], prefix: str) -> None:
    """Template lengths and start hours fit the period grid; each template can start within the horizon."""
    interval = config.horizon.interval_min
    how = _hour_of_week(config.horizon)
    starts_in_horizon = {(int(h) // 24, int(h) % 24) for h in np.unique(how)}
    day_index = {d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
    for i, t in enumerate(config.templates):
        where = f"{prefix}{_item('templates', i, t.id)}"
        periods = t.length_h * 60.0 / interval
        if abs(periods - round(periods)) > 1e-9:
            problems.append(
                f"{where}.length_h: {t.length_h:g} h is not a multiple of the {interval}-minute period"
            )
        # start hours are whole hours, and the horizon starts on a period boundary,
        # so they always fall on one; kept for periods longer than an hour.
        off = [h for h in t.start_hours if (h * 60) % interval]
        if off:
            problems.append(f"{where}.start_hours: {off} are not on {interval}-minute period boundaries")
        if not any((day_index[d], h) in starts_in_horizon for d in t.days for h in t.start_hours):
            days = "every day" if len(t.days) == 7 else f"days {_names(t.days)}"
            notes.append(f"{where}: never starts within the horizon ({days}, start hours {t.start_hours})")


def check_queue_languages(config: ScenarioConfig, problems: list[str], notes: list[str], prefix: str) -> None:
    """Some group or vendor speaks every queue's language."""
    for i, q in enumerate(config.queues):
        if not any(speaks(p, q) for p in _providers(config)):
            problems.append(
                f"{prefix}{_item('queues', i, q.id)}.language: {q.language!r} is spoken by no provider "
                f"(groups: {_attr_list(config.groups, 'languages')}; vendors: "
                f"{_attr_list(config.vendors, 'languages')})"
            )


def check_queue_certifications(config: ScenarioConfig, problems: list[str], notes: list[str], prefix: str) -> None:
    """Some provider holds each certification a queue requires."""
    for i, q in enumerate(config.queues):
        for c in q.certifications:
            if not any(c in p.certifications for p in _providers(config)):
                problems.append(
                    f"{prefix}{_item('queues', i, q.id)}.certifications: {c!r} is held by no provider "
                    f"(groups: {_attr_list(config.groups, 'certifications')}; "
                    f"vendors: {_attr_list(config.vendors, 'certifications')})"
                )


def check_queue_regions(config: ScenarioConfig, problems: list[str], notes: list[str], prefix: str) -> None:
    """Some provider sits in one of a queue's allowed data regions."""
    for i, q in enumerate(config.queues):
        if q.regions is None:
            continue
        if not any(in_region(p, q) for p in _providers(config)):
            sites = [f"{p.id} [{p.region}]" for p in _providers(config)]
            problems.append(
                f"{prefix}{_item('queues', i, q.id)}.regions: no provider sits in {_names(q.regions)} "
                f"(providers: {_names(sites)})"
            )


def check_provider_names(config: ScenarioConfig, problems: list[str], notes: list[str], prefix: str) -> None:
    """providers_allowed / providers_forbidden and policy.in_house_queues name known providers and queues."""
    providers = config.provider_ids
    queue_ids = [q.id for q in config.queues]
    for i, q in enumerate(config.queues):
        where = f"{prefix}{_item('queues', i, q.id)}"
        for field in ("providers_allowed", "providers_forbidden"):
            for p in getattr(q, field) or []:
                if p not in providers:
                    problems.append(f"{where}.{field}: unknown provider {p!r} (providers: {_names(providers)})")
        if q.providers_allowed is not None and not q.providers_allowed:
            problems.append(f"{where}.providers_allowed: empty, so no provider may take the queue")
        if q.providers_allowed is not None:
            both = [p for p in q.providers_allowed if p in q.providers_forbidden]
            if both:
                problems.append(f"{where}: {_names(both)} both allowed and forbidden")
        if IN_HOUSE in q.providers_forbidden and q.id in config.policy.in_house_queues:
            problems.append(
                f"{where}.providers_forbidden: forbids 'in_house', but policy.in_house_queues pins the queue in-house"
            )
    seen: set[str] = set()
    for j, qid in enumerate(config.policy.in_house_queues):
        if qid not in queue_ids:
            problems.append(f"{prefix}policy.in_house_queues[{j}]: unknown queue {qid!r} (queues: {_names(queue_ids)})")
        elif qid in seen:
            problems.append(f"{prefix}policy.in_house_queues[{j}]: queue {qid!r} listed twice")
        seen.add(qid)


def check_queue_providers(config: ScenarioConfig, problems: list[str], notes: list[str], prefix: str) -> None:
    """Each queue has at least one provider meeting all its needs together (time windows aside).

    Runs after the single-attribute checks and stays silent on a queue they
    already reported, so one cause gives one message.
    """
    for i, q in enumerate(config.queues):
        where = f"{prefix}{_item('queues', i, q.id)}"
        if any(m.startswith(where) for m in problems):
            continue
        reasons: list[str] = []
        ok = False
        if config.groups:
            if policy_allows(config, q, IN_HOUSE):
                fitting = [g for g in config.groups if fits(g, q)]
                usable = [g for g in fitting if _group_usable(config, g)]
                if usable:
                    ok = True
                elif fitting:
                    reasons.append(
                        f"in_house: groups {_names(g.id for g in fitting)} fit but have max_headcount 0 or no workable "
                        "template"
                    )
                else:
                    reasons.append(f"in_house: no group {_needs(q)}")
            else:
                reasons.append("in_house: not allowed")
        else:
            reasons.append("in_house: no groups")
        for v in config.vendors:
            if not policy_allows(config, q, v.id):
                reasons.append(f"{v.id}: not allowed")
                continue
            missing = _missing(v, q)
            if missing:
                reasons.append(f"{v.id}: {missing}")
            else:
                ok = True
        if not ok:
            label = "in-house-only queue" if in_house_only(config, q) else "queue"
            problems.append(f"{where}: no provider may take this {label} ({'; '.join(reasons)})")


def _needs(q: Queue) -> str:
    parts = [f"speaks {q.language!r}"]
    if q.certifications:
        parts.append(f"holds {_names(q.certifications)}")
    if q.regions is not None:
        parts.append(f"sits in {_names(q.regions)}")
    return " and ".join(parts)


def _missing(p: Group | Vendor, q: Queue) -> str:
    out = []
    if not speaks(p, q):
        out.append(f"does not speak {q.language!r}")
    lacking = [c for c in q.certifications if c not in p.certifications]
    if lacking:
        out.append(f"lacks {_names(lacking)}")
    if not in_region(p, q):
        out.append(f"sits in region {p.region!r}")
    return ", ".join(out)


def _attr_list(providers: list[Group] | list[Vendor], attr: str) -> str:
    if not providers:
        return "none"
    return ", ".join(f"{p.id} [{', '.join(getattr(p, attr)) or 'none'}]" for p in providers)


def check_policy(config: ScenarioConfig, problems: list[str], notes: list[str], prefix: str) -> None:
    """Policy rules that need in-house capacity have some; vendor limits make sense."""
    pol = config.policy
    if pol.min_in_house_share > 0:
        if not config.groups:
            problems.append(
                f"{prefix}policy.min_in_house_share: {pol.min_in_house_share:g} needs in-house agents, but there are "
                "no groups"
            )
        elif not any(_group_usable(config, g) for g in config.groups):
            problems.append(
                f"{prefix}policy.min_in_house_share: {pol.min_in_house_share:g} needs in-house agents, but every group "
                "has max_headcount 0 or no workable template"
            )
    if pol.in_house_queues and not config.groups:
        problems.append(f"{prefix}policy.in_house_queues: pins queues in-house, but there are no groups")
    if pol.max_vendors == 0 and config.vendors:
        notes.append(f"{prefix}policy.max_vendors: 0, so vendors {_names(v.id for v in config.vendors)} are never used")


def check_unused_providers(config: ScenarioConfig, problems: list[str], notes: list[str], prefix: str) -> None:
    """Warn about groups and vendors that can take no queue at all, and vendors never open in the horizon."""
    for i, g in enumerate(config.groups):
        if not any(group_may_take(config, g, q) for q in config.queues):
            notes.append(f"{prefix}{_item('groups', i, g.id)}: can take no queue (language, certification or region)")
    how = set(np.unique(_hour_of_week(config.horizon)).tolist())
    for i, v in enumerate(config.vendors):
        if not any(vendor_may_take(config, v, q) for q in config.queues):
            notes.append(
                f"{prefix}{_item('vendors', i, v.id)}: can take no queue (language, certification, region or policy)"
            )
        if not (v.open_hours_of_week() & how):
            notes.append(f"{prefix}{_item('vendors', i, v.id)}.windows: never open within the horizon")


def check_email_defaults(config: ScenarioConfig, problems: list[str], notes: list[str], prefix: str) -> None:
    """Warn about an email queue that gives no service_level (issue #21: it silently got the voice default).

    Its work is then planned at max_occupancy 1.0 (agents busy every minute of the hour) and, handled in the
    hour it arrives, read against the voice default of 80 % within 20 s; a deferrable queue uses only the
    occupancy (its deadline and response target are its service)."""
    for i, q in enumerate(config.queues):
        if q.channel != Channel.email or "service_level" in q.model_fields_set:
            continue
        what = ("max_occupancy 1.0 (agents busy every minute)" if q.deferrable else
                "the voice default, 80 % of the work within 20 s, at max_occupancy 1.0 (agents busy every minute)")
        notes.append(
            f"{prefix}{_item('queues', i, q.id)}: an email queue without service_level is planned with {what}; "
            "give service_level (e.g. {target: 1.0, within_s: 3600, max_occupancy: 0.85}) to say what it needs"
        )


CONFIG_CHECKS = (
    check_group_templates,
    check_day_caps,
    check_templates,
    check_queue_languages,
    check_queue_certifications,
    check_queue_regions,
    check_provider_names,
    check_queue_providers,
    check_policy,
    check_unused_providers,
    check_deferrable,
    check_email_defaults,
)
"""The config checks in the order they run (check_queue_providers relies on the ones before it)."""


def check_config(
    config: ScenarioConfig, *, notes: list[str] | None = None, prefix: str = f"{SCENARIO_FILE}: "
) -> list[str]:
    """Problems in the configuration that span tables, each naming the field at fault.

    `prefix` starts every message (the file, and for variants the variant's path).
    Warnings go to `notes` when given, otherwise they are emitted as ScenarioWarning.
    """
    problems: list[str] = []
    found: list[str] = []
    for check in CONFIG_CHECKS:
        check(config, problems, found, prefix)
    if notes is None:
        emit(found)
    else:
        notes.extend(found)
    return problems


# ---------------------------------------------------------------- demand checks


def closed_mask(config: ScenarioConfig, demand: pd.DataFrame) -> np.ndarray:
    """True for demand rows at a period when their queue is closed (outside its open_hours).

    Such contacts are ignored: requirements treat them as zero.
    """
    how = _hour_of_week(config.horizon)
    mask = np.zeros(len(demand), dtype=bool)
    periods = demand["period"].to_numpy()
    queues = demand["queue"].to_numpy()
    in_range = (periods >= 0) & (periods < len(how))
    for q in config.queues:
        if q.open_hours is None:
            continue
        open_how = np.zeros(168, dtype=bool)
        open_how[list(open_hours_of_week(q.open_hours))] = True
        rows = (queues == q.id) & in_range
        mask[rows] = ~open_how[how[periods[rows]]]
    return mask


def check_demand_table(
    config: ScenarioConfig, demand: pd.DataFrame, problems: list[str], notes: list[str], prefix: str
) -> bool:
    """The demand frame has the documented columns, known queues, periods in range and sane numbers.

    Returns False when the frame is too broken for further checks.
    """
    missing = [c for c in DEMAND_COLUMNS if c not in demand.columns]
    extra = [c for c in demand.columns if c not in DEMAND_COLUMNS]
    if missing or extra:
        what = []
        if missing:
            what.append(f"missing columns {_names(missing)}")
        if extra:
            what.append(f"unknown columns {_names(map(str, extra))}")
        problems.append(f"{prefix}demand table: {'; '.join(what)} (expected {_names(DEMAND_COLUMNS)})")
        return False
    periods = pd.to_numeric(demand["period"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(periods) | (periods != np.round(periods)) | (periods < 0) | (periods >= config.horizon.periods)
    if bad.any():
        problems.append(
            f"{prefix}{int(bad.sum())} rows have a period outside 0..{config.horizon.periods - 1} "
            f"(e.g. {demand['period'][bad].iloc[0]!r})"
        )
        return False
    known = {q.id for q in config.queues}
    queues = demand["queue"].astype(object)
    unknown = sorted(set(queues.unique()) - known, key=str)
    if unknown:
        problems.append(
            f"{prefix}demand for queues {_names(map(repr, unknown))} that are not in queues "
            f"(queues: {_names(q.id for q in config.queues)})"
        )
        return False
    dup = demand.duplicated(["period", "queue"])
    if dup.any():
        first = demand[dup].iloc[0]
        problems.append(
            f"{prefix}{int(dup.sum())} duplicate (period, queue) rows (e.g. period {first['period']}, queue "
            f"{first['queue']!r})"
        )
    contacts = demand["contacts"].to_numpy(dtype=float)
    required = demand["required_agents"].to_numpy(dtype=float)
    aht = demand["aht_s"].to_numpy(dtype=float)
    if len(demand):
        by_contacts = not np.isnan(contacts).all()
        by_required = not np.isnan(required).all()
        if by_contacts and by_required:
            problems.append(f"{prefix}demand gives both contacts and required_agents; give one (the other all NaN)")
        elif by_contacts and np.isnan(contacts).any():
            problems.append(f"{prefix}{int(np.isnan(contacts).sum())} rows have NaN contacts (use 0 for none)")
        elif by_required and np.isnan(required).any():
            problems.append(f"{prefix}{int(np.isnan(required).sum())} rows have NaN required_agents (use 0 for none)")
    for name, values in (("contacts", contacts), ("required_agents", required)):
        bad = np.isinf(values) | (values < 0)
        if bad.any():
            problems.append(f"{prefix}{int(bad.sum())} rows have negative or infinite {name}")
    bad = ~np.isfinite(aht) | (aht <= 0)
    if bad.any():
        problems.append(f"{prefix}{int(bad.sum())} rows have aht_s that is not a positive number")
    with np.errstate(over="ignore", invalid="ignore"):
        load = contacts * aht / (config.horizon.interval_min * 60.0)
    heavy = np.isfinite(contacts) & np.isfinite(aht) & ~(load <= MAX_LOAD_ERLANGS)
    if heavy.any():
        i = int(np.flatnonzero(heavy)[0])
        problems.append(
            f"{prefix}{int(heavy.sum())} rows have an offered load above {MAX_LOAD_ERLANGS:,.0f} Erlangs "
            f"(contacts x aht_s / period length), e.g. queue {queues.iloc[i]!r} in period {demand['period'].iloc[i]}: "
            f"{contacts[i]:g} contacts x {aht[i]:g} s"
        )
    heavy = np.isfinite(required) & (required > MAX_REQUIRED_AGENTS)
    if heavy.any():
        i = int(np.flatnonzero(heavy)[0])
        problems.append(
            f"{prefix}{int(heavy.sum())} rows have required_agents above {MAX_REQUIRED_AGENTS:,.0f}, "
            f"e.g. queue {queues.iloc[i]!r} in period {demand['period'].iloc[i]}: {required[i]:g}"
        )
    return True


def check_closed_hours(
    config: ScenarioConfig, demand: pd.DataFrame, problems: list[str], notes: list[str], prefix: str
) -> None:
    """Warn about contacts a queue receives while it is closed (they are ignored)."""
    closed = closed_mask(config, demand)
    if not closed.any():
        return
    volume = demand["contacts"].to_numpy(dtype=float)
    kind = "contacts"
    if np.isnan(volume).all():
        volume = demand["required_agents"].to_numpy(dtype=float)
        kind = "required agents"
    hit = closed & (np.nan_to_num(volume) > 0)
    if not hit.any():
        return
    starts = config.horizon.period_starts()
    sub = demand.loc[hit, ["period", "queue"]].assign(volume=volume[hit])
    for qid, rows in sub.groupby("queue", sort=False):
        first = starts[int(rows["period"].iloc[0])]
        notes.append(
            f"{prefix}queue {qid!r}: {rows['volume'].sum():g} {kind} in {len(rows)} periods outside its open_hours "
            f"(first at {first:%Y-%m-%dT%H:%M}) are ignored"
        )


def check_measured_queues_have_contacts(
    config: ScenarioConfig, demand: pd.DataFrame, problems: list[str], notes: list[str], prefix: str
) -> None:
    """A service level measured per day or week weighs each period's service by its contacts: demand given as
    required agents has none (and no service level to weigh)."""
    if not len(demand) or not np.isnan(demand["contacts"].to_numpy(dtype=float)).all():
        return
    for i, q in enumerate(config.queues):
        if q.service_level.aggregated:
            problems.append(
                f"{prefix}{_item('queues', i, q.id)}.service_level.measured: {q.service_level.measured} needs demand "
                "given as contacts (the day's service level weighs each period by its contacts), "
                "but the demand gives required_agents")


def check_demand(
    config: ScenarioConfig,
    demand: pd.DataFrame,
    *,
    notes: list[str] | None = None,
    prefix: str | None = None,
) -> list[str]:
    """Problems that need both the configuration and the demand table.

    `prefix` starts every message (default: the demand file's name).
    Warnings go to `notes` when given, otherwise they are emitted as ScenarioWarning.
    """
    if prefix is None:
        prefix = f"{config.demand.file}: "
    problems: list[str] = []
    found: list[str] = []
    if check_demand_table(config, demand, problems, found, prefix):
        check_closed_hours(config, demand, problems, found, prefix)
        check_measured_queues_have_contacts(config, demand, problems, found, prefix)
        check_deferrable_demand(config, demand, problems, found, prefix)
    if notes is None:
        emit(found)
    else:
        notes.extend(found)
    return problems

