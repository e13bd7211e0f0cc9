"""Balancing strategies: which of the available endpoints takes the next request.

Each strategy is a small class behind one interface, :class:`Balancer`:
``choose(candidates, now)`` gets the available endpoints of one tier (never
empty, in configuration order) and returns one of them. A router keeps one
balancer per pool, so a pool's rotation is not disturbed by another pool's
traffic. Randomness comes only from the ``random.Random`` the router passes in,
so a seeded router makes the same choices every run, in every runtime.

``weighted``           nginx's smooth weighted round-robin (deterministic)
``least_connections``  fewest requests in flight per unit of weight; ties by
                       smooth weighted round-robin, as nginx's least_conn does
``latency``            power of two choices over peak-EWMA latency times load
                       (Finagle/Linkerd's "P2C + peak EWMA")
``random``             random, proportional to weight
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Protocol

from infra_portable.errors import ValidationError
from infra_portable.router._endpoint import EndpointState

__all__ = [
    "STRATEGIES",
    "Balancer",
    "BalancerFactory",
    "LeastConnections",
    "PowerOfTwoLatency",
    "SmoothWeightedRoundRobin",
    "WeightedRandom",
    "make_balancer_factory",
]


class Balancer(Protocol):
    """Picks one endpoint from a non-empty sequence of available ones."""

    name: str

    def choose(self, candidates: Sequence[EndpointState], now: float) -> EndpointState: ...


# Builds a pool's balancer from the router's random source.
BalancerFactory = Callable[[random.Random], Balancer]


class SmoothWeightedRoundRobin:
    """nginx's smooth weighted round-robin: weights 5, 1, 1 give a a b a c a a.

    Every candidate's current weight grows by its weight; the largest (the first
    in order on a tie) is chosen and gives back the total. Over any run of
    ``sum(weights)`` choices among the same candidates each endpoint is chosen
    exactly ``weight`` times, spread out rather than in bursts. An endpoint
    missing from a call (unavailable, already tried) neither gains nor pays,
    as nginx skips a down peer.
    """

    name = "weighted"

    def __init__(self, rng: random.Random | None = None) -> None:
        self._current: dict[str, int] = {}

    def choose(self, candidates: Sequence[EndpointState], now: float) -> EndpointState:
        total = 0
        best: EndpointState | None = None
        best_weight = 0
        for state in candidates:
            current = self._current.get(state.name, 0) + state.weight
            self._current[state.name] = current
            total += state.weight
            if best is None or current > best_weight:
                best, best_weight = state, current
        if best is None:
            raise ValidationError("no candidates to choose from", field="candidates")
        self._current[best.name] = best_weight - total
        return best


class LeastConnections:
    """The endpoint with the fewest requests in flight per unit of weight.

    Ties (all idle, say) go through a smooth weighted round-robin among the tied
    endpoints, so sequential traffic still spreads by weight.
    """

    name = "least_connections"

    def __init__(self, rng: random.Random | None = None) -> None:
        self._tie_break = SmoothWeightedRoundRobin()

    def choose(self, candidates: Sequence[EndpointState], now: float) -> EndpointState:
        best: list[EndpointState] = []
        for state in candidates:
            if not best:
                best = [state]
                continue
            # in_flight / weight compared without division: exact for integers.
            lhs = state.in_flight * best[0].weight
            rhs = best[0].in_flight * state.weight
            if lhs < rhs:
                best = [state]
            elif lhs == rhs:
                best.append(state)
        return best[0] if len(best) == 1 else self._tie_break.choose(best, now)


class PowerOfTwoLatency:
    """Two endpoints drawn at random; the one with the lower expected cost wins.

    Cost is the peak-EWMA latency times (in-flight + 1), as in Finagle's and
    Linkerd's balancers. An endpoint never measured costs nothing, so new and
    recovered endpoints are tried at once; an idle endpoint's estimate decays,
    so a once-slow endpoint is retried later. Ties go to fewer in flight, then
    fewer requests so far, then the first drawn.
    """

    name = "latency"

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng if rng is not None else random.Random()

    def choose(self, candidates: Sequence[EndpointState], now: float) -> EndpointState:
        if len(candidates) == 1:
            return candidates[0]
        first, second = self._rng.sample(range(len(candidates)), 2)
        a, b = candidates[first], candidates[second]
        return b if _cost(b, now) < _cost(a, now) else a


def _cost(state: EndpointState, now: float) -> tuple[float, int, int]:
    latency = state.ewma.value(now) or 0.0
    return latency * (state.in_flight + 1), state.in_flight, state.requests


class WeightedRandom:
    """A random endpoint, with probability proportional to its weight."""

    name = "random"

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng if rng is not None else random.Random()

    def choose(self, candidates: Sequence[EndpointState], now: float) -> EndpointState:
        return self._rng.choices(candidates, weights=[c.weight for c in candidates])[0]


STRATEGIES: dict[str, BalancerFactory] = {
    "weighted": SmoothWeightedRoundRobin,
    "round_robin": SmoothWeightedRoundRobin,
    "least_connections": LeastConnections,
    "latency": PowerOfTwoLatency,
    "random": WeightedRandom,
}


def make_balancer_factory(
    strategy: str | BalancerFactory, field: str = "strategy"
) -> BalancerFactory:
    """The factory for a strategy name (see :data:`STRATEGIES`), or ``strategy`` itself."""
    if callable(strategy):
        return strategy
    factory = STRATEGIES.get(strategy) if isinstance(strategy, str) else None
    if factory is None:
        raise ValidationError(
            "unknown balancing strategy",
            field=field,
            expected=", ".join(STRATEGIES),
            actual=repr(strategy),
        )
    return factory
