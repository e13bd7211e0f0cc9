"""Endpoints, their live state and the stats snapshot of that state.

An :class:`Endpoint` is configuration (frozen): where an upstream lives and how
it is balanced. Its :class:`EndpointState` is what the router learned about it:
requests in flight, a peak-sensitive EWMA of latency, outcome counts, a
:class:`~infra_portable.errors.CircuitBreaker` and the health-check status.
:class:`EndpointStats` is a frozen snapshot of that state for callers.

Latency is the "peak EWMA" of Finagle and Linkerd: a sample above the current
estimate replaces it at once (so a slowing endpoint is noticed on its first slow
answer), a lower one is blended in with weight ``1 - exp(-dt / decay_s)``, and
an idle endpoint's estimate decays toward zero, so a latency balancer comes back
to try an endpoint it once saw slow instead of starving it forever.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from infra_portable.errors import CircuitBreaker, CircuitState, ValidationError

__all__ = ["Endpoint", "EndpointState", "EndpointStats", "HealthStatus", "PeakEwma"]


class HealthStatus(StrEnum):
    """What health checks last concluded; UNKNOWN (never checked) counts as available."""

    UNKNOWN = "unknown"
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"


def check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError(
            f"{name} must be an integer >= {minimum}",
            field=name,
            expected=f"integer >= {minimum}",
            actual=repr(value),
        )
    return value


def string_tuple(name: str, values: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ValidationError(
            f"{name} must be a list of strings, not one string",
            field=name,
            expected="list of strings",
            actual=repr(values),
        )
    try:
        items = tuple(values)
    except TypeError:
        raise ValidationError(
            f"{name} must be a list of strings",
            field=name,
            expected="list of strings",
            actual=type(values).__name__,
        ) from None
    for item in items:
        if not isinstance(item, str) or not item:
            raise ValidationError(
                f"{name} must hold non-empty strings",
                field=name,
                expected="non-empty string",
                actual=repr(item),
            )
    return items


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One upstream the router may send to.

    ``url`` is the base URL (``https://api.example/v1``): a routed request keeps
    its path and query and moves onto it. ``weight`` (integer >= 1) shares
    traffic within a tier; ``tier`` (0 first) orders fallback; ``labels`` are
    what rules select by; ``models`` are glob patterns (``"gpt-4*"``) for the
    models it serves, empty meaning any; ``health_path`` (``"/health"``) is what
    :meth:`Router.check_health` GETs. ``labels`` is stored as a frozenset and
    ``models`` as a tuple, whatever collection of strings was passed.
    """

    name: str
    url: str
    weight: int = 1
    tier: int = 0
    labels: AbstractSet[str] = frozenset()
    models: Sequence[str] = ()
    health_path: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValidationError(
                "an endpoint needs a non-empty name", field="name", actual=repr(self.name)
            )
        _check_url(self.url)
        check_int("weight", self.weight, 1)
        check_int("tier", self.tier, 0)
        object.__setattr__(self, "labels", frozenset(string_tuple("labels", self.labels)))
        object.__setattr__(self, "models", string_tuple("models", self.models))
        if self.health_path is not None and (
            not isinstance(self.health_path, str) or not self.health_path.startswith("/")
        ):
            raise ValidationError(
                "health_path must be a path starting with '/'",
                field="health_path",
                expected="'/...'",
                actual=repr(self.health_path),
            )

    def serves(self, model: str | None) -> bool:
        """Whether this endpoint serves ``model`` (always, when it lists no models)."""
        if model is None or not self.models:
            return True
        return any(fnmatchcase(model, pattern) for pattern in self.models)

    def url_for(self, request_url: str) -> str:
        """``request_url``'s path and query moved onto this endpoint's base URL."""
        parts = urlsplit(request_url)
        path = parts.path or "/"
        query = f"?{parts.query}" if parts.query else ""
        return self.url.rstrip("/") + path + query

    @property
    def health_url(self) -> str | None:
        if self.health_path is None:
            return None
        return self.url.rstrip("/") + self.health_path


def _check_url(url: object) -> None:
    problem = None
    if not isinstance(url, str):
        problem = "must be a string"
    else:
        try:
            parts = urlsplit(url)
            _ = parts.port
        except ValueError as exc:
            problem = f"is not a valid URL ({exc})"
        else:
            if parts.scheme not in ("http", "https") or not parts.hostname:
                problem = "must be an absolute http(s) URL with a host"
            elif parts.query or parts.fragment:
                problem = "must not have a query or fragment (it is a base URL)"
            elif any(c in url for c in " \r\n\t\0"):
                problem = "must not contain whitespace or control characters"
    if problem is not None:
        raise ValidationError(
            f"endpoint url {problem}",
            field="url",
            expected="http(s)://host[:port][/base/path]",
            actual=repr(url),
        )


class PeakEwma:
    """A peak-sensitive, time-decayed moving average of latency in milliseconds."""

    __slots__ = ("_cost", "_stamp", "decay_s")

    def __init__(self, decay_s: float) -> None:
        self.decay_s = decay_s
        self._cost = 0.0
        self._stamp: float | None = None

    def observe(self, sample_ms: float, now: float) -> None:
        if self._stamp is None or sample_ms > self._cost:
            self._cost = sample_ms
        else:
            weight = math.exp(-max(now - self._stamp, 0.0) / self.decay_s)
            self._cost = self._cost * weight + sample_ms * (1.0 - weight)
        self._stamp = now

    def value(self, now: float) -> float | None:
        """The estimate at ``now`` (decayed since the last sample), None before any."""
        if self._stamp is None:
            return None
        return self._cost * math.exp(-max(now - self._stamp, 0.0) / self.decay_s)


@dataclass(frozen=True, slots=True)
class EndpointStats:
    """A snapshot of one endpoint: counts, latency, load, breaker and health."""

    name: str
    tier: int
    weight: int
    requests: int
    successes: int
    failures: int
    in_flight: int
    ewma_ms: float | None
    breaker: CircuitState
    health: HealthStatus
    available: bool


class EndpointState:
    """What the router knows about one endpoint (mutated under the router's lock)."""

    __slots__ = (
        "breaker",
        "endpoint",
        "ewma",
        "failures",
        "health",
        "health_failures",
        "health_successes",
        "in_flight",
        "opened_at",
        "requests",
        "successes",
    )

    def __init__(self, endpoint: Endpoint, breaker: CircuitBreaker, decay_s: float) -> None:
        self.endpoint = endpoint
        self.breaker = breaker
        self.ewma = PeakEwma(decay_s)
        self.in_flight = 0
        self.clear()

    def clear(self) -> None:
        """Forget what was learned (the in-flight count stays: those calls are still out)."""
        self.breaker.reset()
        self.ewma = PeakEwma(self.ewma.decay_s)
        self.requests = 0
        self.successes = 0
        self.failures = 0
        self.health = HealthStatus.UNKNOWN
        self.health_successes = 0
        self.health_failures = 0
        # When this router last saw the breaker trip (for "retry after" hints).
        self.opened_at: float | None = None

    @property
    def name(self) -> str:
        return self.endpoint.name

    @property
    def weight(self) -> int:
        return self.endpoint.weight

    def available(self) -> bool:
        """Not marked unhealthy and its breaker not open (half-open lets probes through)."""
        return self.health is not HealthStatus.UNHEALTHY and (
            self.breaker.state is not CircuitState.OPEN
        )

    def snapshot(self, now: float) -> EndpointStats:
        return EndpointStats(
            name=self.endpoint.name,
            tier=self.endpoint.tier,
            weight=self.endpoint.weight,
            requests=self.requests,
            successes=self.successes,
            failures=self.failures,
            in_flight=self.in_flight,
            ewma_ms=self.ewma.value(now),
            breaker=self.breaker.state,
            health=self.health,
            available=self.available(),
        )
