"""Who may answer a queue: the eligibility rules, in one place.

A provider may take a queue when it speaks the queue's language, holds every
certification the queue requires, sits in one of the queue's data regions
(when it names any), and policy allows it (the queue's allowed and forbidden
providers, queues pinned in-house). Vendors also have open hours.

Every layer asks these functions: the cross-table checks (which word the
reasons), the index sets the models are built on, and the pre-solve
diagnosis. The verifier is the one exception by design: it re-derives the
rules from the scenario on its own, so that a mistake here cannot hide a
mistake in a plan.
"""

from __future__ import annotations

import numpy as np

from staffmix.scenario.schema import IN_HOUSE, Group, Queue, ScenarioConfig, Vendor, open_hours_of_week


def speaks(provider: Group | Vendor, queue: Queue) -> bool:
    """The provider answers in the queue's language."""
    return queue.language in provider.languages


def holds_certifications(provider: Group | Vendor, queue: Queue) -> bool:
    """The provider holds every certification the queue requires."""
    return set(queue.certifications) <= set(provider.certifications)


def in_region(provider: Group | Vendor, queue: Queue) -> bool:
    """The provider sits in one of the queue's data regions (any region when the queue names none)."""
    return queue.regions is None or provider.region in queue.regions


def fits(provider: Group | Vendor, queue: Queue) -> bool:
    """Language, certifications and region: what a provider brings, policy and hours aside."""
    return speaks(provider, queue) and holds_certifications(provider, queue) and in_region(provider, queue)


def policy_allows(config: ScenarioConfig, queue: Queue, provider_id: str) -> bool:
    """The queue's allowed/forbidden providers and policy.in_house_queues let `provider_id` take it."""
    if queue.id in config.policy.in_house_queues and provider_id != IN_HOUSE:
        return False
    if queue.providers_allowed is not None and provider_id not in queue.providers_allowed:
        return False
    return provider_id not in queue.providers_forbidden


def in_house_only(config: ScenarioConfig, queue: Queue) -> bool:
    """Only in-house agents may take `queue` (policy.in_house_queues, or providers_allowed == ['in_house'])."""
    return queue.id in config.policy.in_house_queues or (
        queue.providers_allowed is not None and list(queue.providers_allowed) == [IN_HOUSE]
    )


def group_may_take(config: ScenarioConfig, group: Group, queue: Queue) -> bool:
    """The group fits the queue and policy lets in-house agents take it."""
    return fits(group, queue) and policy_allows(config, queue, IN_HOUSE)


def vendor_may_take(config: ScenarioConfig, vendor: Vendor, queue: Queue) -> bool:
    """The vendor fits the queue and policy lets it take it (at some hour: see `hours_open`)."""
    return fits(vendor, queue) and policy_allows(config, queue, vendor.id)


def hours_open(windows_owner: Vendor | Queue) -> np.ndarray:
    """Open hours of a vendor or a queue as a mask over the 168 hours of the week (Monday 00:00 = 0)."""
    windows = windows_owner.windows if isinstance(windows_owner, Vendor) else windows_owner.open_hours
    mask = np.zeros(168, dtype=bool)
    mask[sorted(open_hours_of_week(windows))] = True
    return mask


def queue_offers(config: ScenarioConfig, queue: Queue, by_agents: bool) -> list[tuple[str, float, np.ndarray]]:
    """Who may answer `queue` at all: (provider, AHT factor, mask).

    In-house (when a group may take it) masks the groups that may, over
    `config.groups`; a vendor masks its open hours over the 168 hours of the
    week. Per-contact vendors are left out when demand is given as required
    agents (they bill contacts, and there are none).
    """
    offers: list[tuple[str, float, np.ndarray]] = []
    fitting = np.array([group_may_take(config, g, queue) for g in config.groups], dtype=bool)
    if fitting.any():
        offers.append((IN_HOUSE, 1.0, fitting))
    for v in config.vendors:
        if not vendor_may_take(config, v, queue) or (by_agents and v.pricing == "per_contact"):
            continue
        offers.append((v.id, v.aht_factor, hours_open(v)))
    return offers
