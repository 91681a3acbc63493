"""The scenario schema: everything a planner writes in scenario.yaml, as one frozen, documented pydantic tree.

This module is the single source of truth for the input format: `io` reads
and writes it, `checks.py` adds the rules that span tables, and the docs render
the scenario reference from `scenario_json_schema()`. Of staffmix it imports
only the backend names (scenario/backend_names.py) and its base class (scenario/frozen.py:
frozen, no unknown fields, `model_copy(update=...)` validated): every other
module may import it.

Demand itself (contacts per queue and period) is a DataFrame held on the
`Scenario` (scenario.py) next to the validated configuration.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from staffmix.scenario.backend_names import BACKEND_NAMES
from staffmix.scenario.frozen import FrozenModel
from staffmix.scenario.horizon import Horizon
from staffmix.scenario.roster_rules import RosterRules, ShiftBreak

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS: list[Day] = list(DAYS)

Id = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"),
]
Hour = Annotated[int, Field(ge=0, le=23)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
# Upper bounds on money and sizes: far above any real contact centre, low enough that the
# solvers stay numerically sound (CBC reads 1e20 as infinity and then calls feasible plans
# infeasible; HiGHS refuses such a model).
Rate = Annotated[float, Field(ge=0.0, le=1e6, allow_inf_nan=False)]
"""A price per hour or per contact: 0 to 1,000,000."""
WeeklyMoney = Annotated[float, Field(ge=0.0, le=1e9, allow_inf_nan=False)]
"""A weekly amount: 0 to 1,000,000,000."""
AgentHours = Annotated[float, Field(ge=0.0, le=1e7, allow_inf_nan=False)]
"""Agents or agent-hours: 0 to 10,000,000."""
Contacts = Annotated[float, Field(ge=0.0, le=1e9, allow_inf_nan=False)]
"""Contacts: 0 to 1,000,000,000."""
Headcount = Annotated[int, Field(ge=0, le=10_000_000)]
MAX_THREADS = 256
"""Most solver threads a scenario or solve() may ask for (HiGHS tries to start every one it is given)."""

IN_HOUSE = "in_house"
"""The provider id of the company's own agents (every vendor id must differ)."""
UNSERVED = "unserved"
"""The provider label of a queue-period left unserved under a soft service level (no vendor may take it as its id)."""
COST_COMPONENTS = (
    "in_house_pay", "in_house_headcount", "vendor_hours", "vendor_contacts",
    "vendor_fees", "shortfall_penalty",
)
"""The parts the cost is split into, one per kind of price the scenario sets (shift pay, per head, per vendor
agent-hour, per vendor contact, weekly contract fees, the soft service level's penalty); model/objective.py gives each
column of the model its part."""


_Model = FrozenModel


def _unique(values: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"duplicate {what} {v!r}")
        seen.add(v)
    return values


class Channel(StrEnum):
    voice = "voice"
    chat = "chat"
    email = "email"


class ServiceLevel(_Model):
    """The service a queue must get: in every open period, or over each day or week (`measured`)."""

    target: Share = 0.8
    """Share of contacts answered within `within_s` (e.g. 0.8 for 80/20); below 1 for voice and chat, which no queue
    with random arrivals can promise."""
    within_s: NonNeg = 20.0
    """Answer-time threshold in seconds."""
    max_asa_s: Positive | None = None
    """Optional cap on the average speed of answer, seconds."""
    max_occupancy: Annotated[float, Field(ge=0.01, le=1.0)] | None = None
    """Optional cap on agent occupancy (share of time busy, 0.01 to 1), e.g. 0.85."""
    patience_s: Positive | None = None
    """Mean caller patience in seconds; when set, requirements use Erlang A (callers abandon)."""
    max_abandon: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    """Optional cap on the abandonment share (needs `patience_s`)."""
    measured: Literal["period", "day", "week"] = "period"
    """Over what the target is measured: `period` (every period meets it), `day` or `week` (the contact-weighted
    service level over each local day, or ISO week, of `horizon.timezone` meets it; single periods may fall below, down
    to `period_floor`). Voice and chat only. The caps (max_asa_s, max_occupancy, max_abandon) still hold in every
    period."""
    period_floor: Share | None = None
    """With `measured: day` or `week`: the service level no single period may fall below (e.g. 0.5), at most `target`;
    None: only the caps and a stable queue in every period."""

    @model_validator(mode="after")
    def _abandon_needs_patience(self) -> ServiceLevel:
        if self.max_abandon is not None and self.patience_s is None:
            raise ValueError("max_abandon needs patience_s (abandonment follows from caller patience)")
        return self

    @model_validator(mode="after")
    def _floor_fits_measure(self) -> ServiceLevel:
        if self.period_floor is not None:
            if self.measured == "period":
                raise ValueError(
                    "period_floor applies to measured: day or week (measured per period, every period meets the target)"
                )
            if self.period_floor > self.target:
                raise ValueError(
                    f"period_floor {self.period_floor:g} is above target {self.target:g}; a floor is at most the target"
                )
        return self

    @property
    def aggregated(self) -> bool:
        """Measured over a day or a week rather than in every period."""
        return self.measured != "period"


class Window(_Model):
    """Hours of day on given days; `end_hour` is exclusive and may be below `start_hour` to cross midnight."""

    start_hour: Hour = 0
    """First hour of the window (0-23)."""
    end_hour: Annotated[int, Field(ge=0, le=24)] = 24
    """Hour the window closes (exclusive, 0-24; 0 and 24 both mean midnight); 20 -> 8 means 20:00 to 08:00 the next
    morning."""
    days: list[Day] = Field(default_factory=lambda: list(ALL_DAYS))
    """Days on which the window opens (a window crossing midnight belongs to the day it opens)."""

    @model_validator(mode="after")
    def _not_empty(self) -> Window:
        if self.start_hour == self.end_hour:
            raise ValueError(f"window {self.start_hour}-{self.end_hour} is empty; use 0-24 for all day")
        if not self.days:
            raise ValueError("window has no days")
        _unique(list(self.days), "day")
        return self

    def hours_of_week(self) -> set[int]:
        """Open hours as hour-of-week numbers (Monday 00:00 = 0)."""
        out: set[int] = set()
        for day in self.days:
            base = DAYS.index(day) * 24
            end = self.end_hour if self.end_hour > self.start_hour else self.end_hour + 24
            for h in range(self.start_hour, end):
                out.add((base + h) % 168)
        return out


def open_hours_of_week(windows: list[Window] | None) -> set[int]:
    """Union of windows; None means always open."""
    if windows is None:
        return set(range(168))
    out: set[int] = set()
    for w in windows:
        out |= w.hours_of_week()
    return out


class ResponseTarget(_Model):
    """A deferrable queue's share target: `share` of the contacts handled within `within_h` hours, the rest within the
    queue's `response_within_h`."""

    share: Annotated[float, Field(gt=0.0, le=1.0)]
    """Share of each week's contacts (by week of arrival) handled within `within_h` (e.g. 0.9)."""
    within_h: Positive
    """Hours from the start of the arrival period (a multiple of the period length, at most `response_within_h`)."""


class Queue(_Model):
    """A stream of contacts with its own language, channel, service level and security needs."""

    id: Id
    """Queue id, used in demand.csv."""
    language: str = Field(min_length=1)
    """Language the contacts must be answered in (e.g. 'en')."""
    channel: Channel = Channel.voice
    """voice and chat use Erlang C (A with patience); email is workload (contacts x AHT / occupancy)."""
    aht_s: Positive
    """Average handling time in seconds (demand rows may override it per period)."""
    concurrency: Annotated[float, Field(ge=1.0, le=10.0)] = 1.0
    """Chats an agent handles at once (chat only); the effective AHT is aht_s / concurrency."""
    service_level: ServiceLevel = Field(default_factory=ServiceLevel)
    """Service-level target. Left out, a queue gets 80 % within 20 s and no occupancy cap (max_occupancy 1.0),
    for email too: validation warns about an email queue without one."""
    certifications: list[str] = Field(default_factory=list)
    """Certifications every provider of this queue must hold (e.g. 'pci_dss')."""
    regions: list[str] | None = None
    """Data regions a provider may sit in (e.g. ['eu']); None means any."""
    providers_allowed: list[str] | None = None
    """If given, only these providers ('in_house' or vendor ids) may take the queue."""
    providers_forbidden: list[str] = Field(default_factory=list)
    """Providers that may never take the queue."""
    open_hours: list[Window] | None = None
    """When the queue is open; None means always. Contacts outside are ignored with a warning. For a deferrable queue:
    when contacts arrive (any open provider may handle them later)."""
    response_within_h: Annotated[float, Field(gt=0.0, le=52 * 7 * 24, allow_inf_nan=False)] | None = None
    """Deferrable work (email channel only): every contact is handled within this many hours of the start of the period
    it arrives in (a hard deadline, a multiple of the period length); None: handled in the period it arrives, as
    workload."""
    response_target: ResponseTarget | None = None
    """Deferrable work: optionally a share handled sooner, e.g. {share: 0.9, within_h: 8} (needs
    `response_within_h`)."""

    @model_validator(mode="after")
    def _deferrable(self) -> Queue:
        if self.response_target is not None and self.response_within_h is None:
            raise ValueError(
                "response_target needs response_within_h (the deadline for the contacts outside the target)"
            )
        if self.response_within_h is not None:
            if self.channel != Channel.email:
                raise ValueError(
                    "response_within_h applies to email queues only (tickets, web forms, back-office), not "
                    f"{self.channel}: callers and chats do not wait hours"
                )
            if self.response_target is not None and self.response_target.within_h > self.response_within_h:
                raise ValueError(
                    f"response_target.within_h {self.response_target.within_h:g} exceeds response_within_h "
                    f"{self.response_within_h:g}"
                )
        return self

    @property
    def deferrable(self) -> bool:
        """Contacts may be handled after the period they arrive in (response_within_h is set)."""
        return self.response_within_h is not None

    @property
    def deadline_h(self) -> float:
        """`response_within_h` of a deferrable queue, as a number; asking a queue that is not deferrable is a bug."""
        if self.response_within_h is None:
            raise ValueError(f"queue {self.id!r} is not deferrable (no response_within_h)")
        return self.response_within_h

    @model_validator(mode="after")
    def _channel_fields(self) -> Queue:
        if self.concurrency != 1.0 and self.channel != Channel.chat:
            raise ValueError("concurrency applies to chat queues only")
        if self.channel != Channel.email and self.service_level.target >= 1.0:
            raise ValueError(
                f"service_level.target must be below 1 for {self.channel} queues (no queue with random arrivals "
                "answers every contact in time)"
            )
        if self.channel == Channel.email and self.service_level.aggregated:
            raise ValueError(
                f"service_level.measured: {self.service_level.measured} applies to voice and chat queues; "
                "email is workload handled in its own period, so measure it per period")
        _unique(self.certifications, "certification")
        return self


class ShiftTemplate(_Model):
    """A shift pattern in-house agents can work."""

    id: Id
    """Template id, referenced by groups."""
    length_h: Annotated[float, Field(gt=0, le=16)]
    """Time on duty in hours (a multiple of the period length)."""
    start_hours: list[Hour] = Field(min_length=1)
    """Hours of day at which the shift may start."""
    days: list[Day] = Field(default_factory=lambda: list(ALL_DAYS))
    """Days of week on which it may start."""
    paid_hours: NonNeg | None = None
    """Paid hours per shift (default: length_h; less when a break is unpaid)."""
    rest_break: ShiftBreak | None = None
    """The break `staffmix roster` places in each shift (length, window); None: no break placed."""

    @model_validator(mode="after")
    def _paid(self) -> ShiftTemplate:
        _unique([str(h) for h in self.start_hours], "start hour")
        _unique(list(self.days), "day")
        if not self.days:
            raise ValueError("template has no days")
        if self.paid_hours is not None and self.paid_hours > self.length_h:
            raise ValueError(f"paid_hours {self.paid_hours} exceeds length_h {self.length_h}")
        return self

    @property
    def paid_h(self) -> float:
        return self.length_h if self.paid_hours is None else self.paid_hours


class Group(_Model):
    """An in-house skill group: agents with the same languages, certifications and pay."""

    id: Id
    """Group id."""
    languages: list[str] = Field(min_length=1)
    """Languages the agents answer in."""
    certifications: list[str] = Field(default_factory=list)
    """Certifications the group holds (e.g. 'pci_dss')."""
    region: str = "home"
    """Data region the group sits in."""
    rate_per_hour: Rate
    """Pay per paid hour."""
    night_premium: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
    """Extra pay on night hours as a share of the rate (0.25 = +25 %)."""
    night_hours: list[Hour] = Field(default_factory=lambda: [22, 23, 0, 1, 2, 3, 4, 5])
    """Hours of day that count as night."""
    cost_per_head_per_week: WeeklyMoney = 0.0
    """Fixed weekly cost per head (equipment, management); charged on headcount."""
    min_headcount: Headcount = 0
    """Headcount the plan must keep (people already employed)."""
    max_headcount: Headcount | None = None
    """Headcount the plan may not exceed (desks, hiring limit); None: no limit."""
    shrinkage: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.3
    """Share of on-duty time lost to breaks, training, absence."""
    max_hours_per_week: Annotated[float, Field(gt=0.0, le=168.0)] = 40.0
    """Paid hours one agent may work per week (at most 168, the hours in a week)."""
    templates: list[str] = Field(min_length=1)
    """Shift templates the group may work."""
    max_shifts_per_day: list[Headcount] | None = None
    """Most shifts of the group starting on each local day of the horizon, one number per day in order (the first
    day is the one the horizon starts on): the agents who can work that day (`staffmix roster --feedback` sets it
    from agents.csv and the days-off rules); None: only the headcount."""

    @model_validator(mode="after")
    def _bounds(self) -> Group:
        if self.max_headcount is not None and self.max_headcount < self.min_headcount:
            raise ValueError(f"max_headcount {self.max_headcount} < min_headcount {self.min_headcount}")
        _unique(self.languages, "language")
        _unique(self.templates, "template")
        return self

    def shift_cap(self, day: int) -> int | None:
        """The most shifts of the group that may start on the horizon's local day `day` (0: the first); None: no
        cap. (checks.py makes sure the list has a number for every day.)"""
        return None if self.max_shifts_per_day is None else self.max_shifts_per_day[day]


class Vendor(_Model):
    """An outsourcer selling capacity in service windows."""

    id: Id
    """Vendor id (not 'in_house')."""
    windows: list[Window] = Field(default_factory=lambda: [Window()])
    """When the vendor answers (default: around the clock)."""
    languages: list[str] = Field(min_length=1)
    """Languages its agents answer in."""
    certifications: list[str] = Field(default_factory=list)
    """Certifications it holds."""
    region: str = "home"
    """Data region its sites sit in."""
    pricing: Literal["per_agent_hour", "per_contact"] = "per_agent_hour"
    """How it bills: agent-hours staffed for our queues, or contacts handled."""
    rate_per_hour: Rate | None = None
    """Price per billed agent-hour (per_agent_hour pricing)."""
    price_per_contact: Rate | None = None
    """Price per contact handled (per_contact pricing)."""
    aht_factor: Annotated[float, Field(gt=0.0, le=5.0)] = 1.0
    """Its AHT relative to the queue's (1.15 = 15 % slower)."""
    capacity_agents: AgentHours | None = None
    """Agents it can put on our queues per period (per_agent_hour); None: unlimited."""
    capacity_contacts: Contacts | None = None
    """Contacts it can take per period (per_contact); None: unlimited."""
    min_hours_per_week: AgentHours = 0.0
    """Take-or-pay: agent-hours billed each week at least, once contracted."""
    min_contacts_per_week: Contacts = 0.0
    """Take-or-pay for per_contact pricing: contacts billed each week at least."""
    fee_per_week: WeeklyMoney = 0.0
    """Fixed contract fee per week when the vendor is used."""

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, v: str) -> str:
        if v == IN_HOUSE:
            raise ValueError("'in_house' is reserved for the company's own agents")
        if v == UNSERVED:
            raise ValueError("'unserved' is reserved for queue-periods left unserved; give the vendor another id")
        return v

    @model_validator(mode="after")
    def _pricing_fields(self) -> Vendor:
        if self.pricing == "per_agent_hour":
            if self.rate_per_hour is None:
                raise ValueError("per_agent_hour pricing needs rate_per_hour")
            for f in ("price_per_contact", "capacity_contacts"):
                if getattr(self, f) is not None:
                    raise ValueError(f"{f} applies to per_contact pricing only")
            if self.min_contacts_per_week:
                raise ValueError("min_contacts_per_week applies to per_contact pricing only")
        else:
            if self.price_per_contact is None:
                raise ValueError("per_contact pricing needs price_per_contact")
            for f in ("rate_per_hour", "capacity_agents"):
                if getattr(self, f) is not None:
                    raise ValueError(f"{f} applies to per_agent_hour pricing only")
            if self.min_hours_per_week:
                raise ValueError("min_hours_per_week applies to per_agent_hour pricing only")
        _unique(self.languages, "language")
        return self

    @property
    def unit_price(self) -> float:
        """What one billed unit costs: rate_per_hour (per agent-hour) or price_per_contact (per contact), whichever
        its pricing uses (the validator above makes sure it is set)."""
        price = self.price_per_contact if self.pricing == "per_contact" else self.rate_per_hour
        if price is None:  # pragma: no cover - _pricing_fields rejects such a vendor
            raise ValueError(f"vendor {self.id!r}: no price for {self.pricing} pricing")
        return price

    def open_hours_of_week(self) -> set[int]:
        return open_hours_of_week(self.windows)


class SoftServiceLevel(_Model):
    """Allow shortfall below the requirement at a price, so a plan always comes back."""

    penalty_per_agent_hour: Annotated[float, Field(gt=0.0, le=1e9, allow_inf_nan=False)]
    """Cost of one agent-hour of shortfall (set it well above any wage; at most 1,000,000,000)."""


class Policy(_Model):
    """Company rules the plan must respect."""

    min_in_house_share: Share = 0.0
    """Minimum share of all contacts answered in-house (the feedback loop to product teams)."""
    max_vendors: int | None = Field(default=None, ge=0)
    """Maximum number of vendors contracted; None: no limit."""
    in_house_queues: list[str] = Field(default_factory=list)
    """Queues that must stay in-house."""
    routing: Literal["per_period", "weekly"] = "per_period"
    """per_period: routing may change every period. weekly: the same provider at the same hour of every week, as
    contracts usually are."""
    soft_service_level: SoftServiceLevel | None = None
    """When set, requirements may be missed at a penalty and unmet periods are listed."""


class SolverOptions(_Model):
    """How to solve; the same names for every backend (also what `solve` resolves its arguments into)."""

    backend: Literal[BACKEND_NAMES] = "cbc"  # type: ignore[valid-type]  # a Literal of backend_names.BACKENDS, built at run time
    """Solver backend: cbc or highs (the reference PuLP model), or core (the fast core)."""
    time_limit_s: Positive | None = None
    """Wall-clock limit for the solver; None: none."""
    mip_gap: Annotated[float, Field(ge=0.0, le=1.0)] = 1e-4
    """Relative optimality gap at which to stop."""
    threads: int | None = Field(default=None, ge=1, le=MAX_THREADS)
    """Solver threads (1 to 256); None: the solver's default."""
    work_limit: int | None = Field(default=None, ge=1)
    """Core only: deterministic mode, a budget of solver work (neighbourhoods searched, branch-and-bound
    nodes) instead of time, so the same plan on any machine; None: none."""


class DemandSource(_Model):
    """Where the demand table is."""

    file: str = "demand.csv"
    """The demand file, relative to the scenario folder (may not leave it): a CSV, or an Excel workbook
    (.xlsx: the sheet named demand, else the first, with the same columns). Left out: demand.csv, or
    demand.xlsx when the folder holds only that (both: an error)."""


class ScenarioConfig(_Model):
    """The contents of scenario.yaml."""

    name: Id
    """Scenario name."""
    description: str = ""
    """What the scenario asks, in a sentence or two."""
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    """Currency of every rate, price and fee, as an ISO 4217 code (EUR, GBP, USD); shown beside every money figure in
    summaries and reports. None: amounts without a unit."""
    horizon: Horizon
    """The planning horizon."""
    demand: DemandSource = Field(default_factory=DemandSource)
    """The demand table."""
    queues: list[Queue] = Field(min_length=1)
    """Contact queues."""
    templates: list[ShiftTemplate] = Field(default_factory=list)
    """Shift templates for in-house groups."""
    groups: list[Group] = Field(default_factory=list)
    """In-house skill groups."""
    vendors: list[Vendor] = Field(default_factory=list)
    """Outsourcing vendors on offer."""
    policy: Policy = Field(default_factory=Policy)
    """Company policy."""
    solver: SolverOptions = Field(default_factory=SolverOptions)
    """Solver options."""
    roster: RosterRules = Field(default_factory=RosterRules)
    """Labour rules for rostering the plan's shifts to named agents (`staffmix roster`)."""
    variants: dict[Id, dict[str, Any]] = Field(default_factory=dict)
    """Named what-ifs: each a set of overrides merged into the base and validated again. Mappings merge, lists replace,
    null clears a field; a mapping where the base has a list of items with ids edits them by id (`vendors: {acme:
    {rate_per_hour: 21}}`; `{acme: null}` removes acme)."""

    @model_validator(mode="after")
    def _ids_unique(self) -> ScenarioConfig:
        _unique([q.id for q in self.queues], "queue id")
        _unique([t.id for t in self.templates], "template id")
        _unique([g.id for g in self.groups], "group id")
        _unique([v.id for v in self.vendors], "vendor id")
        return self

    def queue(self, queue_id: str) -> Queue:
        return next(q for q in self.queues if q.id == queue_id)

    def template(self, template_id: str) -> ShiftTemplate:
        return next(t for t in self.templates if t.id == template_id)

    @property
    def provider_ids(self) -> list[str]:
        return [IN_HOUSE] + [v.id for v in self.vendors]


DEMAND_COLUMNS = ("period", "queue", "contacts", "aht_s", "required_agents")
"""Columns of `Scenario.demand` (see scenario.py)."""

SCENARIO_FILE = "scenario.yaml"
"""The file of a scenario folder that holds its ScenarioConfig."""


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of scenario.yaml (the docs' scenario reference is rendered from it)."""
    return ScenarioConfig.model_json_schema()
