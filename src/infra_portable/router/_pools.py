"""Building a router's endpoint states and pools, with the checks that span several values.

A single endpoint or rule checks itself; what needs the whole configuration is
checked here: names unique, pools naming only endpoints that exist and
selecting at least one. Errors name the offending field (``rules[1].endpoints``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from infra_portable.errors import CircuitBreaker, ValidationError
from infra_portable.router._endpoint import Endpoint, EndpointState
from infra_portable.router._rules import Pool, Rule
from infra_portable.router._settings import RouterSettings

__all__ = ["DEFAULT_POOL", "build_pools", "build_states"]

# The pool of requests no rule matched.
DEFAULT_POOL = "default"


def build_states(
    endpoints: Iterable[Endpoint], settings: RouterSettings, clock: Callable[[], float]
) -> dict[str, EndpointState]:
    """One state, with its own breaker on the router's clock, per endpoint, in order."""
    states: dict[str, EndpointState] = {}
    for index, endpoint in enumerate(endpoints):
        if not isinstance(endpoint, Endpoint):
            raise ValidationError(
                "endpoints must be router.Endpoint values",
                field=f"endpoints[{index}]",
                actual=type(endpoint).__name__,
            )
        if endpoint.name in states:
            raise ValidationError(
                "endpoint names must be unique",
                field=f"endpoints[{index}].name",
                actual=repr(endpoint.name),
            )
        breaker = CircuitBreaker(
            endpoint.name,
            failure_threshold=settings.failure_threshold,
            recovery_timeout=settings.recovery_timeout,
            half_open_max_calls=settings.half_open_max_calls,
            success_threshold=settings.success_threshold,
            clock=clock,
        )
        states[endpoint.name] = EndpointState(endpoint, breaker, settings.ewma_decay_s)
    if not states:
        raise ValidationError("a router needs at least one endpoint", field="endpoints")
    return states


def build_pools(
    states: dict[str, EndpointState], rules: tuple[Rule, ...], default: Pool
) -> dict[str, tuple[EndpointState, ...]]:
    """Pool name ("default" or the rule's name) -> its members, in endpoint order."""
    pools: dict[str, tuple[EndpointState, ...]] = {}
    for index, rule in enumerate(rules):
        if not isinstance(rule, Rule):
            raise ValidationError(
                "rules must be router.Rule values",
                field=f"rules[{index}]",
                actual=type(rule).__name__,
            )
    named = [(DEFAULT_POOL, default, "default")]
    named += [(rule.name, rule.pool, f"rules[{i}]") for i, rule in enumerate(rules)]
    for name, pool, where in named:
        if not isinstance(pool, Pool):
            raise ValidationError(
                "a pool must be a router.Pool", field=where, actual=type(pool).__name__
            )
        if name in pools:
            raise ValidationError(
                f"rule names must be unique and not {DEFAULT_POOL!r}",
                field=f"{where}.name",
                actual=repr(name),
            )
        unknown = [n for n in pool.endpoints if n not in states]
        if unknown:
            raise ValidationError(
                "the pool names endpoints that do not exist",
                field=f"{where}.endpoints",
                expected=", ".join(states),
                actual=", ".join(unknown),
            )
        members = tuple(s for s in states.values() if pool.selects(s.endpoint))
        if not members:
            raise ValidationError(
                f"the pool ({pool.describe()}) selects no endpoint", field=f"{where}.labels"
            )
        pools[name] = members
    return pools
