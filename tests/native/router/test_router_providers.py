"""The headline scenario over real sockets: three providers, one fails, then recovers.

Native only: every test here runs three real HTTP servers on 127.0.0.1 in
threads (router_providers.py), which WASI and Pyodide cannot host. The client
is the real one: ``HttpClient()`` picks httpx, or the standard library's
http.client when native dependencies are blocked.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from router_support import chat

from infra_portable.errors import CircuitState
from infra_portable.http import AsyncHttpClient, HttpClient, HttpClientConfig
from infra_portable.router import Endpoint, HealthStatus, Router, RouterSettings

pytestmark = pytest.mark.native_only(
    reason="runs three HTTP servers on 127.0.0.1 in threads (no sockets or threads in WASI/Pyodide)"
)

RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]
THRESHOLD = 3
RECOVERY_S = 0.2
CLIENT = HttpClientConfig(max_retries=0, timeout=5.0)


def _router(urls: dict[str, str], **options: Any) -> Router:
    settings = RouterSettings(
        failure_threshold=THRESHOLD, recovery_timeout=RECOVERY_S, max_attempts=3
    )
    return Router(
        [Endpoint(n, u, health_path="/health") for n, u in urls.items()],
        settings=settings,
        **options,
    )


def test_traffic_leaves_a_failing_provider_and_returns_after_it_recovers() -> None:
    from router_providers import providers

    with providers("a", "b", "c") as running, HttpClient(CLIENT) as client:
        router = _router({n: p.url for n, p in running.items()})
        b = running["b"]
        served: Counter[str] = Counter()
        sent = 0

        def send() -> None:
            nonlocal sent
            sent += 1
            response = router.send(chat(), client)
            assert response.status == 200  # the router retried any failure elsewhere
            served[response.json()["provider"]] += 1

        for _ in range(30):
            send()
        assert served == {"a": 10, "b": 10, "c": 10}

        # B fails: its breaker opens after THRESHOLD failures (round-robin gives
        # it every third request), and from then on it sees only probes.
        b.fail()
        before, started = b.hits, time.monotonic()
        opened_after = None
        for i in range(1, 91):
            send()
            if opened_after is None and router.stats()["b"].breaker is CircuitState.OPEN:
                opened_after = i
        elapsed = time.monotonic() - started
        failing_hits = b.hits - before
        assert opened_after is not None
        assert opened_after <= 3 * THRESHOLD
        assert served["b"] == 10  # nothing was answered by b while it failed
        # THRESHOLD failures, then at most one probe per recovery window that passed.
        assert THRESHOLD <= failing_hits <= THRESHOLD + 1 + int(elapsed / RECOVERY_S)

        # B recovers: after the recovery timeout a probe succeeds and closes the breaker.
        b.recover()
        for _ in range(40):  # bounded: at most 40 x 50 ms
            if served["b"] > 10:
                break
            time.sleep(0.05)
            send()
        assert served["b"] > 10
        assert router.stats()["b"].breaker is CircuitState.CLOSED
        back = served["b"]
        for _ in range(30):
            send()
        assert 9 <= served["b"] - back <= 11  # its full third again
        assert sent <= 200
        stats = router.stats()
        assert all(s.in_flight == 0 for s in stats.values())
        assert stats["b"].failures >= THRESHOLD


def test_health_checks_mark_a_failing_provider(run_async: RunAsync) -> None:
    from router_providers import providers

    with providers("a", "b") as running:
        router = _router({n: p.url for n, p in running.items()})
        running["b"].fail()

        async def scenario() -> dict[str, HealthStatus]:
            async with AsyncHttpClient(CLIENT) as client:
                await router.run_health_checks(client, interval_s=0.01, rounds=2)
                return router.health()

        health = run_async(scenario())
        assert health == {"a": HealthStatus.HEALTHY, "b": HealthStatus.UNHEALTHY}
        with HttpClient(CLIENT) as client:
            hosts = {router.send(chat(), client).json()["provider"] for _ in range(6)}
        assert hosts == {"a"}
        assert running["b"].hits == 0  # health checks are not traffic


def test_async_least_connections_sends_less_to_a_slow_provider(run_async: RunAsync) -> None:
    from router_providers import providers

    with providers("a", "b", "c") as running:
        running["c"].slow(0.15)
        router = _router({n: p.url for n, p in running.items()}, strategy="least_connections")

        async def worker(client: AsyncHttpClient, count: int) -> list[str]:
            names = []
            for _ in range(count):
                response = await router.send_async(chat(), client)
                assert response.status == 200
                names.append(response.json()["provider"])
            return names

        async def scenario() -> list[str]:
            async with AsyncHttpClient(CLIENT) as client:
                batches = await asyncio.gather(*(worker(client, 15) for _ in range(4)))
            return [name for batch in batches for name in batch]

        served: Counter[str] = Counter(run_async(scenario()))
        assert sum(served.values()) == 60
        assert served["c"] < min(served["a"], served["b"])
        assert all(s.in_flight == 0 for s in router.stats().values())


def test_latency_strategy_avoids_a_slow_provider() -> None:
    from router_providers import providers

    with providers("a", "b", "c") as running, HttpClient(CLIENT) as client:
        running["c"].slow(0.4)
        router = _router({n: p.url for n, p in running.items()}, strategy="latency", seed=1)
        served: Counter[str] = Counter(
            router.send(chat(), client).json()["provider"] for _ in range(40)
        )
        # c is measured once (unmeasured endpoints cost nothing) and then only
        # chosen if a fast provider's own latency spikes past 400 ms.
        assert 1 <= served["c"] <= 4
        assert served["a"] + served["b"] >= 36
        stats = router.stats()
        assert stats["c"].ewma_ms is not None
        assert stats["c"].ewma_ms > 100
