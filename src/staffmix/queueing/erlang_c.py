"""Erlang B and Erlang C: waiting probability, service level, ASA and occupancy of a queue where nobody hangs up."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from staffmix.queueing._arrays import (
    _broadcast,
    _check,
    _check_agents,
    _check_aht,
    _check_load,
    _check_within,
    _float_errstate,
    _out,
)
from staffmix.queueing._tails import _erlang_c_core, _log_lower_ratio


def offered_load(contacts: Any, aht_s: Any, interval_s: Any) -> float | np.ndarray:
    """Offered load in Erlangs: the average number of agents the work keeps busy."""
    scalar, shape, (c, aht, interval) = _broadcast(contacts, aht_s, interval_s)
    _check(c, "contacts", "a finite number >= 0")
    _check_aht(aht)
    _check(interval, "interval_s", "a finite number of seconds > 0", lo_closed=False)
    return _out(c * aht / interval, scalar, shape)


@_float_errstate
def erlang_b(agents: Any, load: Any) -> float | np.ndarray:
    """Blocking probability of the loss system M/M/N/N (B(0) = 1, defined for every N >= 0)."""
    scalar, shape, (n, a) = _broadcast(agents, load)
    _check_agents(n)
    _check_load(a)
    out = np.ones_like(a)
    out[(a == 0) & (n > 0)] = 0.0
    m = (n > 0) & (a > 0)
    out[m] = special.expit(-_log_lower_ratio(n[m], a[m]))
    return _out(out, scalar, shape)


@_float_errstate
def wait_probability(agents: Any, load: Any) -> float | np.ndarray:
    """Erlang C: share of contacts that queue at all; 1 when agents <= load (the queue never empties)."""
    scalar, shape, (n, a) = _broadcast(agents, load)
    _check_agents(n)
    _check_load(a)
    out = np.ones_like(a)
    out[a == 0] = 0.0
    m = (a > 0) & (n > a)
    out[m] = _erlang_c_core(n[m], a[m])
    return _out(out, scalar, shape)


@_float_errstate
def service_level(agents: Any, load: Any, aht_s: Any, within_s: Any) -> float | np.ndarray:
    """Erlang C share of contacts answered within `within_s`: 1 - P(wait) exp(-(N - A) t / aht)."""
    scalar, shape, (n, a, aht, t) = _broadcast(agents, load, aht_s, within_s)
    _check_agents(n)
    _check_load(a)
    _check_aht(aht)
    _check_within(t)
    out = np.zeros_like(a)
    out[a == 0] = 1.0
    m = (a > 0) & (n > a)
    nm, am = n[m], a[m]
    out[m] = 1.0 - _erlang_c_core(nm, am) * np.exp(-(nm - am) * t[m] / aht[m])
    return _out(out, scalar, shape)


@_float_errstate
def asa_s(agents: Any, load: Any, aht_s: Any) -> float | np.ndarray:
    """Erlang C average speed of answer, seconds: P(wait) aht / (N - A); inf when unstable."""
    scalar, shape, (n, a, aht) = _broadcast(agents, load, aht_s)
    _check_agents(n)
    _check_load(a)
    _check_aht(aht)
    out = np.full_like(a, np.inf)
    out[a == 0] = 0.0
    m = (a > 0) & (n > a)
    nm, am = n[m], a[m]
    out[m] = _erlang_c_core(nm, am) * aht[m] / (nm - am)
    return _out(out, scalar, shape)


def occupancy(agents: Any, load: Any) -> float | np.ndarray:
    """Share of agents' time spent handling contacts, A/N capped at 1 (the excess queues)."""
    scalar, shape, (n, a) = _broadcast(agents, load)
    _check_agents(n)
    _check_load(a)
    out = np.where(a > 0, 1.0, 0.0)
    m = n > 0
    out[m] = np.minimum(a[m] / n[m], 1.0)
    return _out(out, scalar, shape)
