"""The seed's three router names, as Routers with their strategy or rules preset."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from infra_portable.errors import ValidationError
from infra_portable.router._endpoint import Endpoint
from infra_portable.router._router import Router
from infra_portable.router._rules import Rule

__all__ = ["ContentRouter", "LatencyRouter", "WeightedRouter"]


class WeightedRouter(Router):
    """Seed 002's WeightedRouter: smooth weighted round-robin (``strategy="weighted"``)."""

    def __init__(self, endpoints: Iterable[Endpoint], **options: Any) -> None:
        super().__init__(endpoints, strategy="weighted", **options)


class LatencyRouter(Router):
    """Seed 002's LatencyRouter: power of two choices over peak-EWMA latency."""

    def __init__(self, endpoints: Iterable[Endpoint], **options: Any) -> None:
        super().__init__(endpoints, strategy="latency", **options)


class ContentRouter(Router):
    """Seed 002's ContentRouter: rules pick the pool; any strategy balances within it."""

    def __init__(
        self, endpoints: Iterable[Endpoint], rules: Sequence[Rule], **options: Any
    ) -> None:
        if not rules:
            raise ValidationError("a content router needs at least one rule", field="rules")
        super().__init__(endpoints, rules=rules, **options)
