"""Scenario folders: loading, the broken corpus, saving, round trips, variants."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import DATA, ROOT

from staffmix.errors import ScenarioError
from staffmix.scenario.checks import ScenarioWarning
from staffmix.scenario.container import Scenario
from staffmix.scenario.io import apply_variant, load_scenario, save_scenario, scenario_variants
from staffmix.scenario.schema import DEMAND_COLUMNS

BROKEN = DATA / "broken"
MINIMAL = DATA / "minimal"
CASES: dict[str, str] = yaml.safe_load((BROKEN / "cases.yaml").read_text())
EXAMPLES = sorted((ROOT / "scenarios").glob("*/scenario.yaml"))

BASE_YAML = """\
name: t
horizon:
  start: {start}
  periods: {periods}
  timezone: {tz}
queues:
  - id: support
    language: en
    aht_s: 300
  - id: billing
    language: en
    aht_s: 240
templates:
  - id: day
    length_h: 8
    start_hours: [0, 8]
groups:
  - id: core
    languages: [en]
    rate_per_hour: 30
    templates: [day]
vendors:
  - id: acme
    languages: [en]
    rate_per_hour: 20
"""


def write_scenario(
    folder: Path, demand: str, *, start: str = "2026-01-05T00:00", periods: int = 3, tz: str = "UTC", extra: str = ""
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.yaml").write_text(BASE_YAML.format(start=start, periods=periods, tz=tz) + extra)
    (folder / "demand.csv").write_text(demand)
    return folder


def load_quiet(path: Path) -> Scenario:
    """load_scenario, failing the test on any ScenarioWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        return load_scenario(path)


def assert_same(a: Scenario, b: Scenario) -> None:
    assert a.config == b.config
    pd.testing.assert_frame_equal(a.demand, b.demand)


# ------------------------------------------------------------------ broken corpus


def test_corpus_lists_every_case():
    folders = {p.name for p in BROKEN.iterdir() if p.is_dir()}
    assert folders == set(CASES)
    assert len(CASES) >= 22


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_case(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        with pytest.raises(ScenarioError) as info:
            load_scenario(BROKEN / case)
    err = info.value
    assert CASES[case] in str(err) or CASES[case] in err.report()
    assert err.problems and all(p.strip() for p in err.problems)
    assert "Traceback" not in err.report()


# ------------------------------------------------------------------ loading


def test_minimal_loads_dense_and_typed():
    s = load_quiet(MINIMAL)
    d = s.demand
    assert list(d.columns) == list(DEMAND_COLUMNS)
    assert len(d) == s.config.horizon.periods * len(s.config.queues)
    assert d["period"].dtype == np.int64
    assert all(d[c].dtype == np.float64 for c in ("contacts", "aht_s", "required_agents"))
    assert pd.api.types.is_string_dtype(d["queue"])
    assert d["period"].is_monotonic_increasing
    assert d["queue"].iloc[:2].tolist() == ["support", "payments"]  # config order, not alphabetical
    assert d["required_agents"].isna().all()
    assert s.demand_kind == "contacts"
    assert s.source == str(MINIMAL)
    assert (d.loc[d["queue"] == "payments", "aht_s"] == 420).all()


def test_load_accepts_yaml_path():
    assert_same(load_quiet(MINIMAL), load_quiet(MINIMAL / "scenario.yaml"))


def test_missing_rows_warn_and_become_zero(tmp_path):
    folder = write_scenario(tmp_path / "s", "period_start,queue,contacts\n2026-01-05T01:00,support,7\n")
    with pytest.warns(ScenarioWarning, match=r"demand.csv: 5 of 6 \(period, queue\) pairs have no row") as rec:
        s = load_scenario(folder)
    assert "2026-01-05T00:00 support" in str(rec[0].message)
    assert s.demand["contacts"].tolist() == [0, 0, 7, 0, 0, 0]


def test_required_agents_form(tmp_path):
    demand = "period_start,queue,required_agents\n" + "".join(
        f"2026-01-05T0{h}:00,{q},{h + 1}\n" for h in range(3) for q in ("support", "billing")
    )
    s = load_quiet(write_scenario(tmp_path / "s", demand))
    assert s.demand_kind == "required_agents"
    assert s.demand["contacts"].isna().all()
    assert s.demand["required_agents"].tolist() == [1, 1, 2, 2, 3, 3]
    out = save_scenario(s, tmp_path / "out")
    assert "required_agents" in (out / "demand.csv").read_text().splitlines()[0]
    assert_same(s, load_quiet(out))


def test_aht_column_overrides_and_round_trips(tmp_path):
    demand = (
        "period_start,queue,contacts,aht_s\n"
        "2026-01-05T00:00,support,5,310\n2026-01-05T00:00,billing,4,\n"
        "2026-01-05T01:00,support,5,\n2026-01-05T01:00,billing,4,250.5\n"
        "2026-01-05T02:00,support,5,\n2026-01-05T02:00,billing,4,\n"
    )
    s = load_quiet(write_scenario(tmp_path / "s", demand))
    assert s.demand["aht_s"].tolist() == [310, 240, 300, 250.5, 300, 240]
    assert_same(s, load_quiet(save_scenario(s, tmp_path / "out")))


def test_naive_and_offset_timestamps_agree(tmp_path):
    naive = "period_start,queue,contacts\n" + "".join(
        f"2026-01-05T0{h}:00,support,{h + 1}\n2026-01-05T0{h}:00,billing,1\n" for h in range(3)
    )
    utc = ["2026-01-04T23:00Z", "2026-01-05T00:00+00:00", "2026-01-05T01:00:00.000Z"]
    offset = "period_start,queue,contacts\n" + "".join(
        f"2026-01-05T0{h}:00+01:00,support,{h + 1}\n{utc[h]},billing,1\n" for h in range(3)
    )
    a = load_quiet(write_scenario(tmp_path / "a", naive, tz="Europe/Berlin"))
    b = load_quiet(write_scenario(tmp_path / "b", offset, tz="Europe/Berlin"))
    pd.testing.assert_frame_equal(a.demand, b.demand)


def test_dst_fall_back_horizon_loads_and_round_trips(tmp_path):
    # Europe/Berlin, last weekend of October 2026: 02:00 happens twice on Sunday the 25th.
    start, periods, tz = "2026-10-24T00:00", 48, "Europe/Berlin"
    grid = pd.date_range(pd.Timestamp(start).tz_localize(tz), periods=periods, freq="60min")
    naive = grid.strftime("%Y-%m-%dT%H:%M")
    assert len(set(naive)) == periods - 1  # one wall-clock hour occurs twice
    rows = "".join(f"{t},support,{i}\n{t},billing,{100 + i}\n" for i, t in enumerate(naive))
    s = load_quiet(
        write_scenario(tmp_path / "naive", "period_start,queue,contacts\n" + rows, start=start, periods=periods, tz=tz)
    )
    sup = s.demand[s.demand["queue"] == "support"]
    assert sup["contacts"].tolist() == list(range(periods))  # the repeated hour keeps its order
    out = save_scenario(s, tmp_path / "out")
    text = (out / "demand.csv").read_text()
    assert "2026-10-25T02:00+02:00" in text and "2026-10-25T02:00+01:00" in text
    assert_same(s, load_quiet(out))


def test_dst_spring_forward_horizon_loads(tmp_path):
    start, periods, tz = "2026-03-29T00:00", 6, "Europe/Berlin"
    grid = pd.date_range(pd.Timestamp(start).tz_localize(tz), periods=periods, freq="60min")
    rows = "".join(f"{t:%Y-%m-%dT%H:%M},support,1\n{t:%Y-%m-%dT%H:%M},billing,2\n" for t in grid)
    assert "T02:00" not in rows
    s = load_quiet(
        write_scenario(tmp_path / "s", "period_start,queue,contacts\n" + rows, start=start, periods=periods, tz=tz)
    )
    assert s.demand["contacts"].sum() == 18
    assert_same(s, load_quiet(save_scenario(s, tmp_path / "out")))


def test_blank_lines_keep_line_numbers(tmp_path):
    demand = "period_start,queue,contacts\n\n2026-01-05T00:00,support,1\n\n2026-01-05T01:00,suport,1\n"
    with pytest.raises(ScenarioError, match=r"demand.csv: line 5: unknown queue 'suport'"):
        load_scenario(write_scenario(tmp_path / "s", demand))


def test_row_problems_grouped_by_rule_with_line_ranges(tmp_path):
    demand = "period_start,queue,contacts\n" + "2026-01-05T00:00,nope,-1\n" * 80
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_scenario(tmp_path / "s", demand))
    assert info.value.problems == [  # 160 row problems: two rules, each broken on lines 2-81
        "demand.csv: lines 2-81 (80 rows, the first shown): unknown queue 'nope' (queues: support, billing)",
        "demand.csv: lines 2-81 (80 rows, the first shown): contacts -1 is negative",
    ]
    assert info.value.count == 2


def test_all_row_problems_collected_and_capped(tmp_path):
    # 80 different unknown queues: 80 problems, each its own (a few rows each are listed line by line)
    demand = "period_start,queue,contacts\n" + "".join(f"2026-01-05T00:00,nope{i},1\n" for i in range(80))
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_scenario(tmp_path / "s", demand))
    problems = info.value.problems
    assert len(problems) == 51
    assert problems[0] == "demand.csv: line 2: unknown queue 'nope0' (queues: support, billing)"
    assert problems[-1] == "... and 30 more problems"
    assert info.value.count == 80
    assert str(info.value).endswith("(and 79 more problems)")


def test_line_ranges():
    import numpy as np

    from staffmix.scenario.io.csv_columns import line_ranges

    assert line_ranges(np.arange(2, 338)) == "2-337"
    assert line_ranges(np.array([40, 41, 2, 3, 4, 10, 12, 13])) == "2-4, 10, 12-13, 40-41"
    assert line_ranges(np.array([2, 4, 6, 8, 10, 12])) == "2, 4, 6, 8 and 2 more ranges"


def test_config_and_demand_problems_reported_together(tmp_path):
    folder = write_scenario(
        tmp_path / "s",
        "period_start,queue,contacts\n2026-01-05T00:00,support,x\n",
        extra="policy:\n  in_house_queues: [nope]\n",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(folder)
    text = info.value.report()
    assert "demand.csv: line 2: contacts 'x' is not a number" in text
    assert "scenario.yaml: policy.in_house_queues[0]: unknown queue 'nope'" in text
    assert "(and 1 more problem)" in str(info.value)


def test_closed_hours_warn(tmp_path):
    extra = ""
    folder = write_scenario(
        tmp_path / "s",
        "period_start,queue,contacts\n"
        + "".join(f"2026-01-05T0{h}:00,support,3\n2026-01-05T0{h}:00,billing,2\n" for h in range(3)),
        extra=extra,
    )
    text = (folder / "scenario.yaml").read_text().replace(
        "    aht_s: 240\n", "    aht_s: 240\n    open_hours:\n      - start_hour: 1\n        end_hour: 23\n"
    )
    (folder / "scenario.yaml").write_text(text)
    with pytest.warns(ScenarioWarning, match=r"queue 'billing': 2 contacts in 1 periods outside its open_hours"):
        s = load_scenario(folder)
    assert s.demand["contacts"].sum() == 15  # kept in the table; requirements ignore them


def test_symlink_leaving_folder_is_refused(tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("period_start,queue,contacts\n")
    folder = write_scenario(tmp_path / "s", "")
    (folder / "demand.csv").unlink()
    try:
        os.symlink(outside, folder / "demand.csv")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not available")
    with pytest.raises(ScenarioError, match=r"scenario.yaml: demand.file: 'demand.csv' leaves the scenario folder"):
        load_scenario(folder)


def test_demand_in_subfolder(tmp_path):
    folder = write_scenario(tmp_path / "s", "", extra="demand:\n  file: data/../data/demand.csv\n")
    (folder / "data").mkdir()
    shutil.move(folder / "demand.csv", folder / "data" / "demand.csv")
    (folder / "data" / "demand.csv").write_text("period_start,queue,contacts\n2026-01-05T00:00,support,1\n")
    with pytest.warns(ScenarioWarning):
        s = load_scenario(folder)
    assert s.demand["contacts"].sum() == 1


def test_huge_yaml_refused(tmp_path):
    folder = write_scenario(tmp_path / "s", "period_start,queue,contacts\n")
    with open(folder / "scenario.yaml", "a") as fh:
        fh.write("description: '" + "x" * (10 * 1024 * 1024) + "'\n")
    with pytest.raises(ScenarioError, match=r"scenario.yaml: 10.0 MB is too large"):
        load_scenario(folder)


def test_yaml_alias_bomb_refused(tmp_path):
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        bomb.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "scenario.yaml").write_text("\n".join(bomb) + "\n")
    with pytest.raises(ScenarioError, match="expands to more than"):
        load_scenario(folder)


def test_deeply_nested_yaml_refused(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "scenario.yaml").write_text("name: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ScenarioError, match="nested too deeply"):
        load_scenario(folder)


def test_missing_folder():
    with pytest.raises(ScenarioError, match="no such scenario folder or file"):
        load_scenario(DATA / "does-not-exist")


def test_load_87600_rows(tmp_path):
    """A year hourly x 10 queues (no timing assertion; the vectorised path just has to run)."""
    periods, queues = 8760, [f"q{i}" for i in range(10)]
    folder = tmp_path / "big"
    folder.mkdir()
    body = "".join(f"  - id: {q}\n    language: en\n    aht_s: 300\n" for q in queues)
    (folder / "scenario.yaml").write_text(
        f"name: big\nhorizon:\n  start: 2026-01-05T00:00\n  periods: {periods}\n  timezone: Europe/Berlin\n"
        f"queues:\n{body}vendors:\n  - id: v\n    languages: [en]\n    rate_per_hour: 20\n"
    )
    grid = pd.date_range(pd.Timestamp("2026-01-05").tz_localize("Europe/Berlin"), periods=periods, freq="60min")
    pd.DataFrame(
        {
            "period_start": np.repeat(grid.strftime("%Y-%m-%dT%H:%M"), len(queues)),
            "queue": np.tile(queues, periods),
            "contacts": np.random.default_rng(1).poisson(20, periods * len(queues)),
        }
    ).to_csv(folder / "demand.csv", index=False)
    s = load_quiet(folder)
    assert len(s.demand) == 87_600
    assert_same(s, load_quiet(save_scenario(s, tmp_path / "out")))


# ------------------------------------------------------------------ saving and round trips


@pytest.mark.parametrize("folder", [MINIMAL, *[p.parent for p in EXAMPLES]], ids=lambda p: p.name)
def test_round_trip(folder, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        s = load_scenario(folder)
    out = save_scenario(s, tmp_path / "copy")
    again = load_quiet(out)  # every row written, so no missing-row warning
    assert_same(s, again)
    assert again.config.variants == s.config.variants


def test_save_writes_readable_yaml(tmp_path):
    s = load_quiet(MINIMAL)
    out = save_scenario(s, tmp_path / "copy")
    text = (out / "scenario.yaml").read_text()
    assert text.startswith("name: minimal\n")
    assert "start: 2026-01-05T00:00\n" in text
    assert "aht_s: 300\n" in text and "languages: [en, de]" in text
    assert "interval_min" not in text  # defaults are left out
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(" ")]
    assert keys == ["name", "description", "horizon", "queues", "templates", "groups", "vendors", "variants"]
    assert sorted(p.name for p in out.iterdir()) == ["demand.csv", "scenario.yaml"]  # no temp files left


def test_save_refuses_to_overwrite(tmp_path):
    s = load_quiet(MINIMAL)
    out = save_scenario(s, tmp_path / "copy")
    before = (out / "scenario.yaml").read_text()
    with pytest.raises(ScenarioError, match=r"scenario.yaml: already exists; pass overwrite=True"):
        save_scenario(s, out)
    assert (out / "scenario.yaml").read_text() == before
    save_scenario(s.variant("cheap-vendor"), out, overwrite=True)
    assert load_quiet(out).config.vendors[0].rate_per_hour == 15


def test_save_refuses_existing_demand_file(tmp_path):
    (tmp_path / "demand.csv").write_text("keep me")
    with pytest.raises(ScenarioError, match="demand.csv: already exists"):
        save_scenario(load_quiet(MINIMAL), tmp_path)
    assert (tmp_path / "demand.csv").read_text() == "keep me"


# ------------------------------------------------------------------ variants


def _with_variants(tmp_path: Path, variants: str) -> Path:
    folder = tmp_path / "v"
    shutil.copytree(MINIMAL, folder)
    text = (folder / "scenario.yaml").read_text()
    text = text[: text.index("variants:")] + variants
    (folder / "scenario.yaml").write_text(text)
    return folder


def test_variant_names():
    s = load_quiet(MINIMAL)
    assert scenario_variants(s) == ["cheap-vendor"]


def test_good_variant_changes_field_and_keeps_demand():
    s = load_quiet(MINIMAL)
    v = apply_variant(s, "cheap-vendor")
    assert v.config.vendors[0].rate_per_hour == 15
    assert s.config.vendors[0].rate_per_hour == 21  # the base is untouched
    assert v.config.name == s.config.name
    assert v.config.variants == {}
    pd.testing.assert_frame_equal(v.demand, s.demand)
    assert_same(v, s.variant("cheap-vendor"))


def test_bad_variant_names_the_variant(tmp_path):
    folder = _with_variants(tmp_path, "variants:\n  night-only:\n    horizon:\n      periods: 0\n")
    with pytest.raises(
        ScenarioError,
        match=r"scenario.yaml: variants.night-only.horizon.periods: Input should be greater than 0 \(got 0\)",
    ):
        load_scenario(folder)


def test_unknown_variant_lists_known():
    s = load_quiet(MINIMAL)
    with pytest.raises(ScenarioError, match=r"unknown variant 'cheap' \(variants: cheap-vendor\)"):
        apply_variant(s, "cheap")


def test_variant_merge_rules(tmp_path):
    folder = _with_variants(
        tmp_path,
        "variants:\n"
        "  lists-replace:\n    groups:\n      - id: core\n        languages: [en]\n        certifications: [pci_dss]\n"
        "        rate_per_hour: 40\n        templates: [late]\n"
        "  null-clears:\n    queues:\n      payments:\n        open_hours: null\n"
        "  drop-vendor:\n    vendors:\n      nightowl: null\n"
        "  new-aht:\n    queues:\n      support:\n        aht_s: 360\n"
        "  longer:\n    horizon:\n      periods: 30\n",
    )
    s = load_quiet(folder)
    v = s.variant("lists-replace")
    assert v.config.groups[0].languages == ["en"] and v.config.groups[0].templates == ["late"]
    assert s.variant("null-clears").config.queue("payments").open_hours is None
    assert s.variant("drop-vendor").config.vendors == []
    new_aht = s.variant("new-aht").demand
    assert (new_aht.loc[new_aht["queue"] == "support", "aht_s"] == 360).all()
    assert (new_aht.loc[new_aht["queue"] == "payments", "aht_s"] == 420).all()
    with pytest.warns(ScenarioWarning, match="variants.longer: 12 of 60"):
        longer = s.variant("longer")
    assert len(longer.demand) == 60 and longer.demand["contacts"].iloc[48:].eq(0).all()


def test_variant_cannot_move_horizon(tmp_path):
    folder = _with_variants(tmp_path, "variants:\n  shifted:\n    horizon:\n      start: 2026-01-06T00:00\n")
    with pytest.raises(ScenarioError, match=r"variants.shifted.horizon.start: a variant cannot change"):
        load_scenario(folder)


def test_variant_rechecks_cross_rules(tmp_path):
    folder = _with_variants(tmp_path, "variants:\n  no-pci:\n    groups:\n      core:\n        certifications: []\n")
    with pytest.raises(
        ScenarioError,
        match=r"scenario.yaml: variants.no-pci.queues\[1\] \(id 'payments'\).certifications: 'pci_dss' is held by no "
              r"provider",
    ):
        load_scenario(folder)
