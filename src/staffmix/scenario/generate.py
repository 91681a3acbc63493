"""Seeded scenario generators for benchmarks and tests, sized by horizon, languages and routing.

    from staffmix.scenario.generate import generate, GENERATORS
    scenario = generate(weeks=52, languages=6, seed=0)   # or GENERATORS["w52-l6"]()

Every instance is a `Scenario` built in memory (no files): hourly periods from
Monday 2026-01-05 00:00 UTC, Poisson contacts around a realistic intraday
curve (morning and afternoon peaks, a lunch dip, thin nights), a day-of-week
pattern (busy Monday, quiet weekend), a yearly season (busier towards
December, a summer lull) and a few holiday-sale spikes. Requirements are not
given: they follow from Erlang C through the normal pipeline
(`staffmix.model.requirements`).

What an instance holds:

- queues: one voice support queue per language, plus `payments` (English,
  card data, requires `pci_dss`);
- in-house groups: with one language a single group; with six, a ring of
  bilingual skill groups (en+de, de+fr, fr+es, es+it, it+nl, nl+en), so
  every language has two groups that can take it; only the en+de group (or
  the single group) holds `pci_dss`;
- shift templates: early, day and late 8-hour shifts at three start hours
  each, a night shift, and 4-hour part-time shifts at six start hours;
- three vendors: `dayline` (08-20, every day, capacity-limited, take-or-pay),
  `nightowl` (20-08, fewer languages, take-or-pay) and `roundclock` (around
  the clock, every language, the only vendor certified for `pci_dss`);
- policy: at least 30 % of the contacts answered in-house;
- service levels measured in every period, or (``measured="day"`` or
  ``"week"``) over each day or week with a period floor of 50 %.

With `deferrable=True` each language also gets an email queue
(`email_<language>`) whose mail arrives around the clock (a flatter curve,
nights not empty) and is deferrable: every mail answered within 24 hours,
90 % within 8 (issue #13). Its demand is drawn after the other queues', so
their demand is the same with and without it.

The same seed gives the same scenario, byte for byte.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any, Literal

import numpy as np
import pandas as pd

from staffmix.scenario.container import Scenario
from staffmix.scenario.schema import ScenarioConfig

__all__ = ["GENERATORS", "LANGUAGES", "generate"]

LANGUAGES = ("en", "de", "fr", "es", "it", "nl")
START = dt.datetime(2026, 1, 5)  # a Monday
PERIOD_FLOOR = 0.5  # service level no period may fall below when measured per day or week

# Mean contacts per hour as a share of the busiest hour (hour of day 0..23).
WEEKDAY_SHAPE = np.array([
    0.030, 0.020, 0.015, 0.015, 0.020, 0.040,
    0.100, 0.300, 0.650, 0.920, 1.000, 0.950,
    0.720, 0.800, 0.930, 0.900, 0.780, 0.560,
    0.380, 0.280, 0.200, 0.130, 0.070, 0.045,
])
WEEKEND_SHAPE = np.array([
    0.050, 0.035, 0.025, 0.020, 0.020, 0.030,
    0.060, 0.120, 0.280, 0.460, 0.600, 0.650,
    0.600, 0.620, 0.640, 0.620, 0.550, 0.460,
    0.380, 0.320, 0.250, 0.180, 0.110, 0.070,
])
DAY_FACTOR = np.array([1.18, 1.05, 1.00, 0.97, 0.88, 0.50, 0.38])  # Monday..Sunday

# Per queue: busiest-hour contacts on an ordinary Wednesday, AHT (s), hours the callers
# are shifted against the planning clock (a later-calling market has its peak later).
QUEUE_PROFILE: dict[str, tuple[float, float, int]] = {
    "en": (120.0, 420.0, 1),
    "de": (80.0, 390.0, 0),
    "fr": (55.0, 400.0, 0),
    "es": (45.0, 410.0, 1),
    "it": (35.0, 400.0, 0),
    "nl": (25.0, 380.0, 0),
    "payments": (30.0, 300.0, 0),
}


def generate(
    weeks: int,
    languages: int,
    seed: int = 0,
    routing: Literal["per_period", "weekly"] = "per_period",
    measured: Literal["period", "day", "week"] = "period",
    deferrable: bool = False,
) -> Scenario:
    """A seeded scenario: `weeks` hourly weeks, 1 or 6 languages (plus the payments queue), 3 vendors; every
    queue's service level measured per `measured` (day or week: with a period floor of 50 %); with
    `deferrable`, an email queue per language answered within 24 h, 90 % within 8 h."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    if languages not in (1, 6):
        raise ValueError(f"languages must be 1 or 6, got {languages}")
    langs = list(LANGUAGES[:languages])
    cfg = _config(weeks, langs, routing, seed)
    if measured != "period":
        cfg["name"] += f"-{measured}"
        for q in cfg["queues"]:
            q["service_level"].update(measured=measured, period_floor=PERIOD_FLOOR)
    demand = _demand(weeks, langs, seed)
    if deferrable:
        cfg["name"] += "-email"
        cfg["queues"] += [
            {"id": f"email_{lang}", "language": lang, "channel": "email", "aht_s": EMAIL_AHT_S, "regions": ["eu"],
             "service_level": {"max_occupancy": 0.9}, "response_within_h": 24,
             "response_target": {"share": 0.9, "within_h": 8}}
            for lang in langs
        ]
        demand = _email_demand(weeks, langs, seed, demand)
    return Scenario(config=ScenarioConfig.model_validate(cfg), demand=demand)


EMAIL_AHT_S = 480.0
EMAIL_SHAPE = 0.3 + 0.7 * WEEKDAY_SHAPE  # mail keeps arriving at night
EMAIL_LEVEL = 0.35  # of the language's busiest-hour calls


def _email_demand(weeks: int, langs: list[str], seed: int, demand: pd.DataFrame) -> pd.DataFrame:
    """The voice demand with an email queue per language added, drawn after it (from a generator seeded apart)."""
    rng = np.random.default_rng([seed, 13])
    n = weeks * 168
    period = np.arange(n)
    hour, weekday = period % 24, (period // 24) % 7
    frames = [demand]
    for lang in langs:
        level = QUEUE_PROFILE[lang][0] * EMAIL_LEVEL * (1.6 if len(langs) == 1 else 1.0)
        mean = level * DAY_FACTOR[weekday] * EMAIL_SHAPE[hour]
        frames.append(
            pd.DataFrame(
                {
                    "period": period,
                    "queue": f"email_{lang}",
                    "contacts": rng.poisson(mean).astype(float),
                    "aht_s": EMAIL_AHT_S,
                    "required_agents": np.nan,
                }
            )
        )
    return pd.concat(frames, ignore_index=True).sort_values(["period", "queue"], kind="stable").reset_index(drop=True)


def _groups(langs: list[str]) -> list[dict[str, Any]]:
    templates = ["early", "day", "late", "night", "part"]
    common = {"region": "eu", "night_premium": 0.3, "shrinkage": 0.3, "max_hours_per_week": 40.0,
              "cost_per_head_per_week": 60.0, "templates": templates}
    if len(langs) == 1:
        return [{"id": "team", "languages": ["en"], "certifications": ["pci_dss"], "rate_per_hour": 22.0, **common}]
    ring = list(zip(langs, langs[1:] + langs[:1], strict=True))
    rates = [23.0, 22.0, 21.0, 20.0, 20.5, 22.5]
    out = []
    for (a, b), rate in zip(ring, rates, strict=False):
        out.append({
            "id": f"{a}_{b}", "languages": [a, b], "certifications": ["pci_dss"] if (a, b) == ("en", "de") else [],
            "rate_per_hour": rate, **common,
        })
    return out


def _config(weeks: int, langs: list[str], routing: str, seed: int) -> dict[str, Any]:
    queues = [
        {"id": f"support_{lang}", "language": lang, "channel": "voice", "aht_s": QUEUE_PROFILE[lang][1],
         "service_level": {"target": 0.8, "within_s": 20}, "regions": ["eu"]}
        for lang in langs
    ]
    queues.append({
        "id": "payments", "language": "en", "channel": "voice", "aht_s": QUEUE_PROFILE["payments"][1],
        "service_level": {"target": 0.8, "within_s": 30}, "certifications": ["pci_dss"], "regions": ["eu"],
    })
    scale = 1.0 if len(langs) == 1 else 3.0  # vendor commitments grow with the work on offer
    night_langs = [lang for lang in langs if lang in ("en", "de", "fr", "es")]
    return {
        "name": f"gen-w{weeks}-l{len(langs)}-s{seed}" + ("-weekly" if routing == "weekly" else ""),
        "description": f"Generated: {weeks} week(s), {len(langs)} language(s), 3 vendors, seed {seed}.",
        "horizon": {"start": START.isoformat(), "periods": weeks * 168, "interval_min": 60,
                    "timezone": "UTC", "cyclic": weeks == 1},
        "queues": queues,
        "templates": [
            {"id": "early", "length_h": 8, "paid_hours": 7.5, "start_hours": [6, 7, 8]},
            {"id": "day", "length_h": 8, "paid_hours": 7.5, "start_hours": [9, 10, 11]},
            {"id": "late", "length_h": 8, "paid_hours": 7.5, "start_hours": [12, 13, 14]},
            {"id": "night", "length_h": 8, "paid_hours": 8.0, "start_hours": [22]},
            {"id": "part", "length_h": 4, "paid_hours": 4.0, "start_hours": [8, 10, 12, 14, 16, 18]},
        ],
        "groups": _groups(langs),
        "vendors": [
            {"id": "dayline", "windows": [{"start_hour": 8, "end_hour": 20}], "languages": langs, "region": "eu",
             "pricing": "per_agent_hour", "rate_per_hour": 26.0, "aht_factor": 1.2,
             "capacity_agents": 12.0 * scale, "min_hours_per_week": 150.0 * scale, "fee_per_week": 400.0 * scale},
            {"id": "nightowl", "windows": [{"start_hour": 20, "end_hour": 8}], "languages": night_langs, "region": "eu",
             "pricing": "per_agent_hour", "rate_per_hour": 21.0, "aht_factor": 1.15,
             "min_hours_per_week": 80.0 * scale, "fee_per_week": 250.0 * scale},
            {"id": "roundclock", "languages": langs, "certifications": ["pci_dss"], "region": "eu",
             "pricing": "per_agent_hour", "rate_per_hour": 31.0, "aht_factor": 1.1,
             "capacity_agents": 8.0 * scale, "fee_per_week": 600.0 * scale},
        ],
        "policy": {"min_in_house_share": 0.3, "routing": routing},
        "solver": {"backend": "core", "mip_gap": 0.005},
    }


def _demand(weeks: int, langs: list[str], seed: int) -> pd.DataFrame:
    """Dense demand: one row per period and queue (period, queue, contacts, aht_s, required_agents=NaN)."""
    rng = np.random.default_rng(seed)
    n = weeks * 168
    period = np.arange(n)
    hour = period % 24
    weekday = (period // 24) % 7
    week = period // 168
    # yearly season: busiest in December, a lull in summer; a few sale weeks spike
    season = 1.0 + 0.18 * np.cos(2 * np.pi * (week - 49) / 52)
    sale_weeks = {12, 26, 47}
    season = season * np.where(np.isin(week % 52, list(sale_weeks)), 1.25, 1.0)
    frames = []
    for qid in [f"support_{lang}" for lang in langs] + ["payments"]:
        key = qid.removeprefix("support_")
        level, aht, shift = QUEUE_PROFILE[key]
        if len(langs) == 1 and key == "en":
            level *= 1.6  # one language carries the whole market
        shape = np.where(weekday < 5, np.roll(WEEKDAY_SHAPE, shift)[hour], np.roll(WEEKEND_SHAPE, shift)[hour])
        mean = level * DAY_FACTOR[weekday] * shape * season
        contacts = rng.poisson(mean).astype(float)
        frames.append(pd.DataFrame({"period": period, "queue": qid, "contacts": contacts,
                                    "aht_s": aht, "required_agents": np.nan}))
    return pd.concat(frames, ignore_index=True).sort_values(["period", "queue"], kind="stable").reset_index(drop=True)


GENERATORS: dict[str, Callable[..., Scenario]] = {
    f"w{w}-l{lang}": partial(generate, w, lang) for w in (1, 4, 13, 52) for lang in (1, 6)
}
GENERATORS.update(
    {
        f"w{w}-l{lang}-{m}": partial(generate, w, lang, measured=m)
        for w in (1, 4, 13, 52)
        for lang in (1, 6)
        for m in ("day", "week")
    }
)
"""Name -> generator (call it with an optional seed=..., routing=...): 'w1-l1' ... 'w52-l6', and the same
with service levels measured per day or week: 'w1-l1-day' ... 'w52-l6-week'."""
