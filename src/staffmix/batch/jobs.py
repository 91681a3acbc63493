"""The jobs of a batch: found on disk, described for a worker, and recognised when already done.

A job is one scenario folder under the batch folder, once as its base
(variant "base") and once per named variant; its result goes to
`out/<scenario>/<variant>/`. Its input hash (sha256 of the canonical
configuration, the demand CSV bytes, the variant, the solver options and the
staffmix version) tells `resume` whether a finished job.json is still valid.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from staffmix.errors import ScenarioError, StaffmixError
from staffmix.scenario.schema import SCENARIO_FILE
from staffmix.util.atomic import is_leftover, remove

BASE = "base"
"""Variant name of a scenario's base job."""
JOB_FILE = "job.json"
FINISHED_STATUSES = ("optimal", "feasible", "infeasible", "no_solution", "error")
"""Statuses a complete job.json may carry."""


@dataclass(frozen=True)
class JobSpec:
    """One job as shipped to a worker (picklable)."""

    scenario: str
    """Scenario folder name (the first level under `out`)."""
    variant: str
    """'base' or the variant's name (the second level under `out`)."""
    source: str
    """Absolute path of the scenario folder."""
    out_dir: str
    """Absolute path of the job's result folder."""
    input_hash: str | None
    backend: str | None
    time_limit_s: float | None
    hard_timeout_s: float | None
    report: bool = True
    """Write report.html into the job folder."""
    scenario_obj: Any = field(default=None, repr=False, compare=False)
    """The loaded (variant-applied) Scenario; None when it failed to load."""
    load_error: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.scenario}/{self.variant}"


def discover_jobs(
    folder: str | os.PathLike[str], out: str | os.PathLike[str], backend: str | None = None,
    time_limit_s: float | None = None, job_timeout_s: float | None = None, reports: bool = True,
) -> list[JobSpec]:
    """Every job of a batch, in order: scenario folders by name, base first, then variants in file order.

    Loads every scenario (that is how variants and input hashes are known);
    a folder that fails to load becomes one 'base' job carrying the error.
    """
    from staffmix.scenario.io import load_scenario

    root = Path(folder)
    if root.is_file():
        raise StaffmixError(f"{root}: is a file; give the folder whose subfolders are scenario folders")
    if not root.is_dir():
        raise StaffmixError(f"{root}: no such folder of scenario folders")
    out_root = Path(out).resolve()
    subfolders = sorted(
        p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / SCENARIO_FILE).is_file()
    )
    if not subfolders:
        hint = (
            " (it is a scenario folder itself: use `staffmix solve`, or put it in a folder of scenarios)"
            if (root / SCENARIO_FILE).is_file()
            else ""
        )
        raise StaffmixError(f"{root}: no scenario folders (subfolders holding a scenario.yaml){hint}")
    specs: list[JobSpec] = []
    for sub in subfolders:
        source = str(sub.resolve())

        def spec(variant: str, scenario: Any = None, error: str | None = None, notes: Iterable[str] = (),
                 sub: Path = sub, source: str = source) -> JobSpec:  # this iteration's folder, bound now
            input_hash = opts = None
            hard = job_timeout_s
            if scenario is not None:
                opts = _resolved_options(scenario, backend, time_limit_s)
                input_hash = input_hash_of(scenario, variant, opts)
                if hard is None and opts["time_limit_s"] is not None:
                    hard = 2 * float(opts["time_limit_s"]) + 60
            return JobSpec(
                scenario=sub.name, variant=variant, source=source, out_dir=str(out_root / sub.name / variant),
                input_hash=input_hash, backend=backend, time_limit_s=time_limit_s, hard_timeout_s=hard, report=reports,
                scenario_obj=scenario, load_error=error, warnings=tuple(notes),
            )

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                base = load_scenario(sub)
            except ScenarioError as exc:
                specs.append(spec(BASE, error=_problems_text(exc)))
                continue
        base_notes = [str(w.message) for w in caught]
        specs.append(spec(BASE, base, notes=base_notes))
        for name in base.config.variants:
            if name == BASE:
                specs.append(
                    spec(
                        name,
                        error=f"{sub.name}: variant name {BASE!r} is reserved for the base scenario in a batch; rename "
                              "the variant",
                    )
                )
                continue
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    specs.append(spec(name, base.variant(name), notes=[str(w.message) for w in caught]))
                except ScenarioError as exc:
                    specs.append(spec(name, error=_problems_text(exc)))
    return specs


def _problems_text(exc: ScenarioError) -> str:
    return "; ".join(exc.problems) if exc.problems else str(exc)


def _resolved_options(scenario: Any, backend: str | None, time_limit_s: float | None) -> dict[str, Any]:
    from staffmix.solvers.options import resolve_options

    return resolve_options(scenario, backend, time_limit_s, None, None).model_dump()


def input_hash_of(scenario: Any, variant: str, options: dict[str, Any]) -> str:
    """sha256 over the canonical configuration JSON, the demand CSV bytes, the variant, the solver options and the
    staffmix version."""
    from staffmix import __version__

    h = hashlib.sha256()
    config = scenario.config.model_dump(mode="json")
    h.update(json.dumps(config, sort_keys=True, separators=(",", ":")).encode())
    h.update(b"\0demand\0")
    demand_file = Path(scenario.source or ".") / scenario.config.demand.file
    try:
        h.update(demand_file.read_bytes())
    except OSError:  # not read from a folder: hash the table instead
        h.update(scenario.demand.to_csv(index=False).encode())
    h.update(b"\0variant\0" + variant.encode())
    h.update(b"\0options\0" + json.dumps(options, sort_keys=True).encode())
    h.update(b"\0version\0" + __version__.encode())
    return h.hexdigest()


def finished_record(spec: JobSpec) -> dict[str, Any] | None:
    """The job.json of an earlier run of this job if it is complete and its input hash matches, else None."""
    return finished_at(spec.out_dir, spec.input_hash)


def finished_at(out_dir: str, input_hash: str | None) -> dict[str, Any] | None:
    """The job.json in `out_dir` if it is complete and was written for `input_hash`, else None."""
    if input_hash is None:
        return None
    path = Path(out_dir) / JOB_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("row"), dict):
        return None
    if record.get("status") not in FINISHED_STATUSES:
        return None
    if record.get("input_hash") != input_hash:
        return None
    return record


def clean_leftovers(out: Path) -> None:
    """Remove temp folders an interrupted batch left behind (hidden *.partial-* / *.old-* entries)."""
    if not out.is_dir():
        return
    for sub in out.iterdir():
        if not sub.is_dir() or sub.name.startswith("."):
            continue
        for entry in sub.iterdir():
            if is_leftover(entry.name):
                remove(entry)
