"""`staffmix import`: a telephony or ticketing export -> the scenario's demand.csv (io/importer.py does the reading)."""

from __future__ import annotations

import argparse
from pathlib import Path

from staffmix.cli.parser import EXIT_OK
from staffmix.errors import ScenarioError, StaffmixError


def cmd_import(args: argparse.Namespace) -> int:
    from staffmix.scenario.io.export_table import read_export
    from staffmix.scenario.io.importer import ImportOptions, import_demand
    from staffmix.scenario.io.safe_yaml import read_yaml
    from staffmix.scenario.messages import validated_config
    from staffmix.scenario.schema import SCENARIO_FILE
    from staffmix.util.atomic import write_text

    scenario = Path(args.scenario)
    yaml_path = scenario / SCENARIO_FILE if scenario.is_dir() else scenario
    if not yaml_path.is_file():
        raise ScenarioError(f"{args.scenario}: no {SCENARIO_FILE} here (--scenario is a scenario folder or its yaml)")
    folder = yaml_path.parent
    config = validated_config(read_yaml(yaml_path, yaml_path.name), yaml_path.name)
    named = config.demand.file if config.demand.file.lower().endswith(".csv") else "demand.csv"
    out = Path(args.out) if args.out else folder / named
    if out.is_dir():
        raise StaffmixError(f"{out}: is a folder; --out is the demand CSV file to write")
    if out.exists() and not args.overwrite:  # checked before the export is read: nothing is lost on a refusal
        raise StaffmixError(f"{out}: exists; pass --overwrite to replace it, or --out another file")
    if not out.parent.is_dir():
        raise StaffmixError(f"{out.parent}: no such folder for --out")
    options = ImportOptions(
        time_column=args.time_column, date_column=args.date_column, time_format=args.time_format,
        queue_column=args.queue_column, value_column=args.value_column, queue_map=_mapping(args.map),
        ignore=tuple(args.ignore or ()), interval_min=args.interval_min, decimal=args.decimal,
    )
    table = read_export(Path(args.export), delimiter=_delimiter(args.delimiter), sheet=args.sheet)
    imported = import_demand(table, config, options)
    write_text(out, imported.to_csv(), newline="\n")
    queues = imported.demand["queue"].nunique()
    periods = imported.demand["period_start"].nunique()
    total = imported.demand["contacts"].astype(float).sum()
    print(
        f"read {table.name}: {_count(len(table.rows), 'row')}, {_count(imported.intervals, 'value')} of "
        f"{imported.interval_min}-minute intervals, {imported.contacts_read:,.0f} contacts"
    )
    print(
        f"wrote {out}: {_count(periods, 'period')} of {imported.period_min} minutes x {_count(queues, 'queue')} "
        f"= {_count(len(imported.demand), 'row')}, {total:,.0f} contacts ({config.horizon.timezone})"
    )
    for note in imported.notes:
        print(f"  note: {note}")
    if out.parent == folder and out.name == "demand.csv" and (folder / "demand.xlsx").exists():
        print("  note: the folder also holds demand.xlsx; remove one of the two before solving")
    return EXIT_OK


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _mapping(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        name, sep, queue = item.rpartition("=")
        if not sep or not name.strip() or not queue.strip():
            raise StaffmixError(f"--map {item!r}: give EXPORT_NAME=QUEUE_ID, e.g. --map 'Support FI=support_fi'")
        out[name.strip()] = queue.strip()
    return out


def _delimiter(text: str | None) -> str | None:
    if text is None:
        return None
    named = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}
    value = named.get(text.lower(), text)
    if len(value) != 1:
        raise StaffmixError(f"--delimiter {text!r}: one character, or comma, semicolon, tab or pipe")
    return value
