"""The roster rules as they apply to one agent and one shift: who may work it, what it costs in preferences,
and how many days off a week asks for. Read by the model, the greedy hint, the diagnosis and the tables.

(The rules' fields themselves are the scenario's `roster:` section, `staffmix.scenario.roster_rules.RosterRules`;
the independent checker, `staffmix.verification.roster_check`, derives the same figures on its own.)
"""

from __future__ import annotations

from staffmix.rostering.agents import Agent
from staffmix.rostering.slots import Slot


def can_work(agent: Agent, slot: Slot) -> bool:
    return agent.group == slot.group and agent.can_work(slot.local_start, slot.local_end)


def prefers_not(agent: Agent, slot: Slot) -> int:
    """How many of the agent's preferences this shift goes against (0, 1 or 2)."""
    misses = int(agent.weekends_off and slot.weekend)
    if agent.prefers == "early" and not slot.early or agent.prefers == "late" and slot.early:
        misses += 1
    return misses


def required_days_off(rules, days_in_week: int) -> int:
    """Days off an ISO week of `days_in_week` horizon days asks for: its share of days_off_per_week, rounded down."""
    return rules.days_off_per_week * days_in_week // 7
