"""Layer 3: request routing and load balancing for LLM gateways (seed 002 §2.8).

::

    from infra_portable.http import HttpClient, HttpClientConfig, Request
    from infra_portable.router import Endpoint, Pool, Router, Rule

    router = Router(
        [
            Endpoint("openai", "https://api.openai.com/v1", weight=3, models=["gpt-*"]),
            Endpoint("azure", "https://example.openai.azure.com/v1", models=["gpt-*"]),
            Endpoint("anthropic", "https://api.anthropic.com/v1", models=["claude-*"]),
            Endpoint("local", "http://127.0.0.1:8000/v1", tier=1, labels={"batch"}),
        ],
        strategy="latency",
        # Low-priority traffic goes to the local pool; the rest by model, with
        # "local" (tier 1, any model) as the fallback when tier 0 is down.
        rules=[Rule("batch", Pool(labels={"batch"}), headers={"x-priority": "low"})],
        seed=7,
    )
    with HttpClient(HttpClientConfig(max_retries=0)) as client:   # the router retries
        reply = router.send(Request.post("http://router/chat").json(body).build(), client)

``Router.route(request)`` is the seed's API: it returns the :class:`Endpoint`
to use. ``send``/``send_async`` also send it (path and query moved onto the
endpoint's base URL), record latency and outcome, and on a retryable failure
(no answer, or 429/5xx) try the next endpoint, up to ``max_attempts``.

* Pools: the first matching :class:`Rule` (model glob, headers, JSONPath into
  the JSON body, path prefix) picks a :class:`Pool`; the rest go to the
  default pool. Endpoints listing ``models`` only get requests for those.
* Tiers: the lowest tier with an available endpoint (not unhealthy, breaker
  not open) is used; traffic falls back, and returns by itself.
* Balancing within a tier: smooth weighted round-robin (``weighted``, nginx's),
  ``least_connections``, ``latency`` (power of two choices over peak EWMA) or
  ``random`` by weight; seeded, so repeatable.
* Each endpoint has a :class:`~infra_portable.errors.CircuitBreaker`; health
  checks (``check_health``) are run when the caller says, never by a thread.
* ``Router.from_config`` builds one from a Config (see ``_config``'s docstring).

Nothing available raises ExternalError (why that kind: :meth:`Router.route`);
bad configuration raises ValidationError naming the field.
"""

from __future__ import annotations

from infra_portable.router._balancers import (
    STRATEGIES,
    Balancer,
    BalancerFactory,
    LeastConnections,
    PowerOfTwoLatency,
    SmoothWeightedRoundRobin,
    WeightedRandom,
)
from infra_portable.router._endpoint import Endpoint, EndpointStats, HealthStatus
from infra_portable.router._pools import DEFAULT_POOL
from infra_portable.router._router import (
    ENDPOINT_EXTENSION,
    AsyncSender,
    Router,
    SyncSender,
    is_failure_status,
)
from infra_portable.router._rules import ANY_VALUE, Pool, Rule
from infra_portable.router._settings import RouterSettings
from infra_portable.router._variants import ContentRouter, LatencyRouter, WeightedRouter

__all__ = [
    # routing
    "Router",
    "RouterSettings",
    "WeightedRouter",
    "ContentRouter",
    "LatencyRouter",
    # endpoints
    "Endpoint",
    "EndpointStats",
    "HealthStatus",
    # content rules
    "Rule",
    "Pool",
    "ANY_VALUE",
    "DEFAULT_POOL",
    # balancing strategies
    "Balancer",
    "BalancerFactory",
    "STRATEGIES",
    "SmoothWeightedRoundRobin",
    "LeastConnections",
    "PowerOfTwoLatency",
    "WeightedRandom",
    # sending
    "SyncSender",
    "AsyncSender",
    "ENDPOINT_EXTENSION",
    "is_failure_status",
]
