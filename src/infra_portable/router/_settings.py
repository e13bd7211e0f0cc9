"""RouterSettings: the router's tunables in one validated, frozen place."""

from __future__ import annotations

from dataclasses import dataclass, fields

from infra_portable.errors import ValidationError, check_int, check_number

__all__ = ["RouterSettings"]


@dataclass(frozen=True, slots=True)
class RouterSettings:
    """How a router retries, trips, checks health and measures latency.

    ``max_attempts``: endpoints one :meth:`Router.send` may try (each a
    different one). ``model_path``: the JSONPath of the model name in a JSON
    body (None: never read a model). The breaker fields are
    :class:`~infra_portable.errors.CircuitBreaker`'s, one breaker per endpoint:
    ``failure_threshold`` consecutive failures open it, ``recovery_timeout``
    seconds later it lets ``half_open_max_calls`` probes through, and
    ``success_threshold`` successful probes close it. ``healthy_threshold``/
    ``unhealthy_threshold``: consecutive health-check results that flip an
    endpoint's health. ``ewma_decay_s``: the latency average's time constant;
    ``failure_penalty_ms``: the latency a failed exchange counts as at least,
    so an endpoint that fails fast does not look fast.
    """

    max_attempts: int = 3
    model_path: str | None = "$.model"
    failure_threshold: int = 5
    recovery_timeout: float = 30.0
    half_open_max_calls: int = 1
    success_threshold: int = 1
    healthy_threshold: int = 2
    unhealthy_threshold: int = 2
    ewma_decay_s: float = 10.0
    failure_penalty_ms: float = 1000.0

    def __post_init__(self) -> None:
        for name in (
            "max_attempts",
            "failure_threshold",
            "half_open_max_calls",
            "success_threshold",
            "healthy_threshold",
            "unhealthy_threshold",
        ):
            check_int(name, getattr(self, name), minimum=1)
        check_number("recovery_timeout", self.recovery_timeout)
        check_number("ewma_decay_s", self.ewma_decay_s, strict=True)
        check_number("failure_penalty_ms", self.failure_penalty_ms)
        if self.model_path is not None and not isinstance(self.model_path, str):
            raise ValidationError(
                "model_path must be a JSONPath string or None",
                field="model_path",
                actual=repr(self.model_path),
            )

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))
