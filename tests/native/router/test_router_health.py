"""Health checks: one GET per endpoint per check, streak thresholds, the async loop."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from router_support import ScriptedTransport, async_client_for, chat, client_for

from infra_portable.errors import ExternalError, ValidationError
from infra_portable.router import Endpoint, HealthStatus, Router, RouterSettings

RunCoro = Callable[[Coroutine[Any, Any, Any]], Any]

ENDPOINTS = [
    Endpoint("a", "http://a/v1", health_path="/health"),
    Endpoint("b", "http://b", health_path="/status"),
    Endpoint("c", "http://c"),  # no health path: never checked
]


def make(**settings: Any) -> Router:
    return Router(ENDPOINTS, settings=RouterSettings(**settings))


def test_one_get_per_endpoint_with_a_health_path() -> None:
    transport = ScriptedTransport()
    router = make()
    result = router.check_health(client_for(transport))
    assert [r.url for r in transport.requests] == ["http://a/v1/health", "http://b/status"]
    assert all(r.method == "GET" for r in transport.requests)
    assert result == {
        "a": HealthStatus.HEALTHY,
        "b": HealthStatus.HEALTHY,
        "c": HealthStatus.UNKNOWN,
    }


def test_unhealthy_after_a_streak_and_healthy_after_a_streak() -> None:
    transport = ScriptedTransport()
    client = client_for(transport)
    router = make(unhealthy_threshold=2, healthy_threshold=3)
    transport.host("a").status = 503
    assert router.check_health(client)["a"] is HealthStatus.UNKNOWN
    assert router.check_health(client)["a"] is HealthStatus.UNHEALTHY
    assert {router.route(chat()).name for _ in range(6)} == {"b", "c"}

    transport.host("a").status = 200
    assert router.check_health(client)["a"] is HealthStatus.UNHEALTHY
    transport.host("a").status = 500  # a bad check breaks the streak
    router.check_health(client)
    transport.host("a").status = 200
    router.check_health(client)
    assert router.check_health(client)["a"] is HealthStatus.UNHEALTHY  # two good in a row
    assert router.check_health(client)["a"] is HealthStatus.HEALTHY  # the third


def test_recovery_needs_healthy_threshold_consecutive_successes() -> None:
    transport = ScriptedTransport()
    client = client_for(transport)
    router = make(unhealthy_threshold=1, healthy_threshold=2)
    transport.host("b").fail = True  # no answer counts as a failed check
    assert router.check_health(client)["b"] is HealthStatus.UNHEALTHY
    transport.host("b").fail = False
    assert router.check_health(client)["b"] is HealthStatus.UNHEALTHY
    assert router.check_health(client)["b"] is HealthStatus.HEALTHY
    assert router.stats()["b"].available


def test_health_checks_do_not_count_as_traffic() -> None:
    transport = ScriptedTransport()
    router = make(failure_threshold=1, unhealthy_threshold=5)
    transport.host("a").status = 503
    router.check_health(client_for(transport))
    stats = router.stats()["a"]
    assert (stats.requests, stats.failures) == (0, 0)
    assert stats.available


def test_everything_unhealthy() -> None:
    transport = ScriptedTransport()
    router = Router(ENDPOINTS[:2], settings=RouterSettings(unhealthy_threshold=1))
    transport.host("a").status = 500
    transport.host("b").status = 500
    router.check_health(client_for(transport))
    with pytest.raises(ExternalError) as caught:
        router.route(chat())
    assert "a: unhealthy; b: unhealthy" in caught.value.message


def test_check_health_async(run_coro: RunCoro) -> None:
    transport = ScriptedTransport()
    router = make(unhealthy_threshold=1)
    transport.host("b").status = 404
    result = run_coro(router.check_health_async(async_client_for(transport)))
    assert result["a"] is HealthStatus.HEALTHY
    assert result["b"] is HealthStatus.UNHEALTHY


def test_run_health_checks_is_bounded(run_coro: RunCoro) -> None:
    transport = ScriptedTransport()
    router = make()
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    rounds = run_coro(
        router.run_health_checks(
            async_client_for(transport), interval_s=5.0, rounds=3, sleep=fake_sleep
        )
    )
    assert rounds == 3
    assert slept == [5.0, 5.0]
    assert len(transport.requests) == 6


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"interval_s": 0, "rounds": 1}, "interval_s"),
        ({"interval_s": 1, "rounds": 0}, "rounds"),
        ({"interval_s": 1, "rounds": True}, "rounds"),
    ],
)
def test_run_health_checks_checks_its_arguments(
    run_coro: RunCoro, kwargs: dict[str, Any], field: str
) -> None:
    router = make()
    with pytest.raises(ValidationError) as caught:
        run_coro(router.run_health_checks(async_client_for(ScriptedTransport()), **kwargs))
    assert caught.value.field == field


def test_set_health_by_hand() -> None:
    router = make()
    router.set_health("a", "unhealthy")
    router.set_health("b", HealthStatus.UNHEALTHY)
    assert {router.route(chat()).name for _ in range(3)} == {"c"}
    with pytest.raises(ValidationError) as caught:
        router.set_health("a", "sick")
    assert caught.value.field == "status"
