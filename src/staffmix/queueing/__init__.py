"""Queueing formulas for staffing a contact-centre queue: Erlang B, C and A.

Every function takes scalars, numpy arrays or pandas Series (broadcast
together) and returns a float for all-scalar input, a numpy array otherwise.

Why the numbers stay exact for loads of thousands of Erlangs
-------------------------------------------------------------
The textbook formulas divide sums of ``A**k / k!``; at 5,000 Erlangs those
terms overflow a float long before the sum is done, and subtracting nearly
equal sums loses every digit. Nothing here forms such a term. Erlang B obeys
the recursion ``1/B(n) = 1 + (n / A) / B(n-1)``: every step adds positive
numbers, so rounding errors never grow and nothing overflows. Its closed form
is ``1/B(n) = 1 + R(n)`` with

    R(n) = sum_{j<n} p(j) / p(n) = Q(n, A) / p(n; A),

the ratio of the Poisson(A) lower tail to the Poisson probability at ``n``:
``Q`` is the regularised upper incomplete gamma function (``gammaincc``) and
``p`` the Poisson probability. Both are evaluated in log space
(``log p`` through Stirling's series and a cancellation-free deviance term),
so their ratio is formed as a difference of logarithms and every probability
is a logistic function of that difference, never above 1. Erlang C and
Erlang A are the same construction with a different upper tail ``U`` (the
expected number of queue states relative to state ``n``):
``P(wait) = U / (R + U)``. Where a tail underflows a float (far from the
balance point), it is summed as its own rapidly converging series instead.

Units are in names: ``aht_s`` (average handle time, seconds), ``interval_s``
(length of the planning period, seconds), ``within_s`` (service-level answer
time, seconds), ``patience_s`` (mean caller patience, seconds). ``load`` is in
Erlangs. See ``docs/queueing.md`` for the formulas and service-level
definitions.
"""

from __future__ import annotations

from staffmix.queueing.erlang_a import (
    erlang_a_abandon_probability,
    erlang_a_asa_s,
    erlang_a_occupancy,
    erlang_a_service_level,
    erlang_a_wait_probability,
)
from staffmix.queueing.erlang_c import asa_s, erlang_b, occupancy, offered_load, service_level, wait_probability
from staffmix.queueing.staffing import required_agents, required_agents_table, scheduled_agents

__all__ = [
    "offered_load",
    "erlang_b",
    "wait_probability",
    "service_level",
    "asa_s",
    "occupancy",
    "erlang_a_wait_probability",
    "erlang_a_abandon_probability",
    "erlang_a_service_level",
    "erlang_a_asa_s",
    "erlang_a_occupancy",
    "required_agents",
    "required_agents_table",
    "scheduled_agents",
]
