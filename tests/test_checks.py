"""Tier-two checks on small in-memory configurations."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from staffmix.errors import ScenarioError
from staffmix.scenario import checks
from staffmix.scenario.checks import (
    ScenarioWarning,
    check_config,
    check_demand,
    closed_mask,
)
from staffmix.scenario.container import Scenario, validate
from staffmix.scenario.day_caps import check_day_caps
from staffmix.scenario.eligibility import in_house_only
from staffmix.scenario.messages import cap_problems
from staffmix.scenario.schema import ScenarioConfig

BASE: dict[str, Any] = {
    "name": "t",
    "horizon": {"start": "2026-01-05T00:00", "periods": 24},
    "queues": [
        {"id": "support", "language": "en", "aht_s": 300},
        {"id": "payments", "language": "en", "aht_s": 400, "certifications": ["pci_dss"]},
    ],
    "templates": [{"id": "day", "length_h": 8, "start_hours": [0, 8, 16]}],
    "groups": [
        {"id": "core", "languages": ["en"], "certifications": ["pci_dss"], "rate_per_hour": 30, "templates": ["day"]}
    ],
    "vendors": [{"id": "acme", "languages": ["en", "de"], "rate_per_hour": 20}],
}


def make(**changes: Any) -> ScenarioConfig:
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        data[key] = value
    return ScenarioConfig.model_validate(data)


def run(check, config: ScenarioConfig) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    notes: list[str] = []
    check(config, problems, notes, "scenario.yaml: ")
    return problems, notes


def dense(config: ScenarioConfig, contacts: float = 1.0) -> pd.DataFrame:
    n_p, ids = config.horizon.periods, [q.id for q in config.queues]
    return pd.DataFrame(
        {
            "period": np.repeat(np.arange(n_p, dtype=np.int64), len(ids)),
            "queue": np.tile(ids, n_p),
            "contacts": np.full(n_p * len(ids), contacts),
            "aht_s": np.tile([q.aht_s for q in config.queues], n_p).astype(float),
            "required_agents": np.full(n_p * len(ids), np.nan),
        }
    )


def test_base_is_clean():
    config = make()
    notes: list[str] = []
    assert check_config(config, notes=notes) == []
    assert notes == []
    assert check_demand(config, dense(config), notes=notes) == []
    assert notes == []


# ------------------------------------------------------------------ config


def test_group_unknown_template():
    groups = copy.deepcopy(BASE["groups"])
    groups[0]["templates"] = ["day", "nigth"]
    problems, _ = run(checks.check_group_templates, make(groups=groups))
    assert problems == ["scenario.yaml: groups[0] (id 'core').templates: unknown template 'nigth' (templates: day)"]


def test_group_may_work_no_template():
    groups = copy.deepcopy(BASE["groups"])
    groups[0]["max_hours_per_week"] = 6
    problems, _ = run(checks.check_group_templates, make(groups=groups))
    assert len(problems) == 1
    assert "groups[0] (id 'core').templates: the group may work no template" in problems[0]
    assert "day: 8 h" in problems[0]


def test_group_max_shifts_per_day_has_a_number_per_local_day():
    """A horizon from Monday 12:00 for 24 hours touches two local days: two numbers, each at least 0."""
    groups = copy.deepcopy(BASE["groups"])
    horizon = {"start": "2026-01-05T12:00", "periods": 24}
    groups[0]["max_shifts_per_day"] = [2, 3]
    assert run(check_day_caps, make(groups=groups, horizon=horizon)) == ([], [])
    groups[0]["max_shifts_per_day"] = [2]
    problems, _ = run(check_day_caps, make(groups=groups, horizon=horizon))
    assert problems == [
        "scenario.yaml: groups[0] (id 'core').max_shifts_per_day: 1 number given, but the horizon has 2 local days "
        "(Mon 2026-01-05 to Tue 2026-01-06); give one number per day, in order"
    ]
    groups[0]["max_shifts_per_day"] = [2, -1]
    with pytest.raises(ValueError, match=r"max_shifts_per_day\.1\n.*greater than or equal to 0"):
        make(groups=groups, horizon=horizon)


def test_template_length_off_grid_and_never_starting():
    templates = [{"id": "odd", "length_h": 7.5, "start_hours": [9], "days": ["sat"]}]
    groups = copy.deepcopy(BASE["groups"])
    groups[0]["templates"] = ["odd"]
    problems, notes = run(checks.check_templates, make(templates=templates, groups=groups))
    assert problems == [
        "scenario.yaml: templates[0] (id 'odd').length_h: 7.5 h is not a multiple of the 60-minute period"
    ]
    assert notes == [
        "scenario.yaml: templates[0] (id 'odd'): never starts within the horizon (days sat, start hours [9])"
    ]
    horizon = {"start": "2026-01-05T00:00", "periods": 48, "interval_min": 30}
    problems, _ = run(checks.check_templates, make(templates=templates, groups=groups, horizon=horizon))
    assert problems == []


def test_language_nobody_speaks():
    queues = [*BASE["queues"], {"id": "fr", "language": "fr", "aht_s": 300}]
    problems, _ = run(checks.check_queue_languages, make(queues=queues))
    assert problems == [
        "scenario.yaml: queues[2] (id 'fr').language: 'fr' is spoken by no provider (groups: core [en]; vendors: acme "
        "[en, de])"
    ]
    # a vendor that speaks it is enough
    assert (
        run(checks.check_queue_languages, make(queues=[*BASE["queues"], {"id": "de", "language": "de", "aht_s": 1}]))[0]
        == []
    )


def test_certification_no_provider_holds():
    groups = copy.deepcopy(BASE["groups"])
    groups[0]["certifications"] = ["iso27001"]
    problems, _ = run(checks.check_queue_certifications, make(groups=groups))
    assert problems == [
        "scenario.yaml: queues[1] (id 'payments').certifications: 'pci_dss' is held by no provider "
        "(groups: core [iso27001]; vendors: acme [none])"
    ]


def test_regions():
    queues = copy.deepcopy(BASE["queues"])
    queues[0]["regions"] = ["eu"]
    problems, _ = run(checks.check_queue_regions, make(queues=queues))
    assert problems == [
        "scenario.yaml: queues[0] (id 'support').regions: no provider sits in eu (providers: core [home], acme [home])"
    ]
    vendors = [dict(BASE["vendors"][0], region="eu")]
    assert run(checks.check_queue_regions, make(queues=queues, vendors=vendors))[0] == []


def test_provider_names():
    queues = copy.deepcopy(BASE["queues"])
    queues[0]["providers_allowed"] = ["in_house", "acmee"]
    queues[1]["providers_forbidden"] = ["nobody"]
    policy = {"in_house_queues": ["support", "suport", "support"]}
    problems, _ = run(checks.check_provider_names, make(queues=queues, policy=policy))
    assert problems == [
        "scenario.yaml: queues[0] (id 'support').providers_allowed: unknown provider 'acmee' (providers: in_house, "
        "acme)",
        "scenario.yaml: queues[1] (id 'payments').providers_forbidden: unknown provider 'nobody' (providers: in_house, "
        "acme)",
        "scenario.yaml: policy.in_house_queues[1]: unknown queue 'suport' (queues: support, payments)",
        "scenario.yaml: policy.in_house_queues[2]: queue 'support' listed twice",
    ]


def test_pinned_in_house_but_forbidden():
    queues = copy.deepcopy(BASE["queues"])
    queues[0]["providers_forbidden"] = ["in_house"]
    problems, _ = run(checks.check_provider_names, make(queues=queues, policy={"in_house_queues": ["support"]}))
    assert any("forbids 'in_house', but policy.in_house_queues pins the queue in-house" in p for p in problems)


def test_no_single_provider_meets_all_needs():
    # en speakers exist, pci_dss holders exist, but nobody has both
    queues = [{"id": "payments", "language": "de", "aht_s": 400, "certifications": ["pci_dss"]}]
    groups = copy.deepcopy(BASE["groups"])
    config = make(queues=queues, groups=groups)
    problems, _ = run(checks.check_queue_providers, config)
    assert problems == [
        "scenario.yaml: queues[0] (id 'payments'): no provider may take this queue "
        "(in_house: no group speaks 'de' and holds pci_dss; acme: lacks pci_dss)"
    ]
    # the single-attribute checks already cover both attributes, so check_config reports it once
    assert len(check_config(config, notes=[])) == 1


def test_in_house_only_queue_needs_a_fitting_group():
    queues = copy.deepcopy(BASE["queues"])
    queues[0]["providers_allowed"] = ["in_house"]
    groups = copy.deepcopy(BASE["groups"])
    groups[0]["languages"] = ["de"]
    config = make(queues=queues, groups=groups)
    assert in_house_only(config, config.queues[0])
    problems, _ = run(checks.check_queue_providers, config)
    assert problems[0].startswith(
        "scenario.yaml: queues[0] (id 'support'): no provider may take this in-house-only queue"
    )
    assert "acme: not allowed" in problems[0]


def test_in_house_only_queue_with_zero_headcount():
    groups = copy.deepcopy(BASE["groups"])
    groups[0]["max_headcount"] = 0
    config = make(groups=groups, policy={"in_house_queues": ["payments"]})
    problems, _ = run(checks.check_queue_providers, config)
    assert problems == [
        "scenario.yaml: queues[1] (id 'payments'): no provider may take this in-house-only queue "
        "(in_house: groups core fit but have max_headcount 0 or no workable template; acme: not allowed)"
    ]


def test_policy_in_house_share_without_groups():
    problems, _ = run(checks.check_policy, make(groups=[], templates=[], policy={"min_in_house_share": 0.25}))
    assert problems == [
        "scenario.yaml: policy.min_in_house_share: 0.25 needs in-house agents, but there are no groups"
    ]
    groups = copy.deepcopy(BASE["groups"])
    groups[0]["max_headcount"] = 0
    problems, _ = run(checks.check_policy, make(groups=groups, policy={"min_in_house_share": 0.25}))
    assert "every group has max_headcount 0" in problems[0]


def test_policy_max_vendors_zero_warns():
    problems, notes = run(checks.check_policy, make(policy={"max_vendors": 0}))
    assert problems == [] and notes == ["scenario.yaml: policy.max_vendors: 0, so vendors acme are never used"]


def test_unused_providers_warn():
    vendors = [
        {"id": "fr-only", "languages": ["fr"], "rate_per_hour": 10},
        {"id": "weekend", "languages": ["en"], "rate_per_hour": 10, "windows": [{"days": ["sat", "sun"]}]},
    ]
    groups = [*BASE["groups"], {"id": "de", "languages": ["de"], "rate_per_hour": 30, "templates": ["day"]}]
    problems, notes = run(checks.check_unused_providers, make(vendors=vendors, groups=groups))
    assert problems == []
    assert notes == [
        "scenario.yaml: groups[1] (id 'de'): can take no queue (language, certification or region)",
        "scenario.yaml: vendors[0] (id 'fr-only'): can take no queue (language, certification, region or policy)",
        "scenario.yaml: vendors[1] (id 'weekend').windows: never open within the horizon",
    ]


def test_check_config_warns_without_notes_list():
    with pytest.warns(ScenarioWarning, match="max_vendors"):
        assert check_config(make(policy={"max_vendors": 0})) == []


def test_check_config_prefix():
    queues = [*BASE["queues"], {"id": "fr", "language": "fr", "aht_s": 300}]
    problems = check_config(make(queues=queues), notes=[], prefix="scenario.yaml: variants.x.")
    assert problems[0].startswith("scenario.yaml: variants.x.queues[2] (id 'fr').language:")


# ------------------------------------------------------------------ demand


def test_closed_hours_warn_and_mask():
    queues = copy.deepcopy(BASE["queues"])
    queues[1]["open_hours"] = [{"start_hour": 8, "end_hour": 20}]
    config = make(queues=queues)
    demand = dense(config)
    mask = closed_mask(config, demand)
    assert mask.sum() == 12 and not mask[demand["queue"].to_numpy() == "support"].any()
    notes: list[str] = []
    assert check_demand(config, demand, notes=notes) == []
    assert notes == [
        "demand.csv: queue 'payments': 12 contacts in 12 periods outside its open_hours (first at 2026-01-05T00:00) "
        "are ignored"
    ]
    demand.loc[mask, "contacts"] = 0.0
    notes.clear()
    check_demand(config, demand, notes=notes)
    assert notes == []


def test_demand_table_structure():
    config = make()
    demand = dense(config)
    assert check_demand(config, demand.drop(columns="aht_s"), notes=[])[0].startswith(
        "demand.csv: demand table: missing columns aht_s"
    )
    bad = demand.copy()
    bad.loc[0, "queue"] = "ghost"
    assert check_demand(config, bad, notes=[]) == [
        "demand.csv: demand for queues 'ghost' that are not in queues (queues: support, payments)"
    ]
    bad = demand.copy()
    bad.loc[0, "period"] = 24
    assert "period outside 0..23" in check_demand(config, bad, notes=[])[0]
    bad = demand.copy()
    bad.loc[3, "contacts"] = -1.0
    bad.loc[4, "aht_s"] = 0.0
    assert check_demand(config, bad, notes=[]) == [
        "demand.csv: 1 rows have negative or infinite contacts",
        "demand.csv: 1 rows have aht_s that is not a positive number",
    ]
    both = demand.assign(required_agents=1.0)
    assert "both contacts and required_agents" in check_demand(config, both, notes=[])[0]
    dup = pd.concat([demand, demand.iloc[:1]], ignore_index=True)
    assert "1 duplicate (period, queue) rows" in check_demand(config, dup, notes=[])[0]


def test_validate_returns_warnings_and_raises():
    config = make(policy={"max_vendors": 0})
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)  # validate returns notes, it does not emit them
        notes = validate(Scenario(config=config, demand=dense(config)))
    assert notes == ["scenario.yaml: policy.max_vendors: 0, so vendors acme are never used"]
    groups = copy.deepcopy(BASE["groups"])
    groups[0]["templates"] = ["nope"]
    broken = make(groups=groups)
    with pytest.raises(ScenarioError, match="unknown template 'nope'"):
        validate(Scenario(config=broken, demand=dense(broken)))


def test_validate_checks_variants():
    config = make(variants={"dear": {"vendors": {"acme": {"rate_per_hour": -3}}}})
    with pytest.raises(ScenarioError, match=r"variants.dear.vendors\[0\] \(id 'acme'\).rate_per_hour"):
        validate(Scenario(config=config, demand=dense(config)))


def test_cap_problems():
    assert cap_problems(["a", "b"], limit=5) == ["a", "b"]
    assert cap_problems([str(i) for i in range(8)], limit=5) == ["0", "1", "2", "3", "4", "... and 3 more problems"]
    assert cap_problems(["x", "f: ... and 7 more row problems", "y"], limit=1) == ["x", "... and 8 more problems"]
