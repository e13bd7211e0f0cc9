"""Sending through the router: rewriting, retries, breakers, tiers, in-flight bookkeeping."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from router_support import (
    FakeClock,
    ScriptedTransport,
    async_client_for,
    chat,
    client_for,
    endpoints,
)

from infra_portable.errors import CircuitState, ExternalError, HttpError, ValidationError
from infra_portable.http import HttpClient, HttpClientConfig, Request
from infra_portable.router import (
    ENDPOINT_EXTENSION,
    Endpoint,
    Router,
    RouterSettings,
    is_failure_status,
)

RunCoro = Callable[[Coroutine[Any, Any, Any]], Any]


def breaker_settings(**overrides: Any) -> RouterSettings:
    values: dict[str, Any] = {"failure_threshold": 3, "recovery_timeout": 10.0, "max_attempts": 3}
    values.update(overrides)
    return RouterSettings(**values)


def test_request_moves_onto_the_endpoint_base_url() -> None:
    transport = ScriptedTransport()
    router = Router([Endpoint("p", "https://p.example:8443/api/")])
    request = (
        Request.post("http://router.invalid/v1/chat?stream=true")
        .header("Host", "router.invalid")
        .header("Authorization", "Bearer k")
        .json({"model": "m"})
        .build()
    )
    response = router.send(request, client_for(transport))
    sent = transport.requests[0]
    assert sent.url == "https://p.example:8443/api/v1/chat?stream=true"
    assert sent.method == "POST"
    assert sent.body == request.body
    assert sent.headers.get("authorization") == "Bearer k"
    assert "host" not in sent.headers
    assert sent.extensions[ENDPOINT_EXTENSION] == "p"
    assert request.url == "http://router.invalid/v1/chat?stream=true"  # caller's request untouched
    assert response.status == 200


def test_a_failure_is_retried_on_the_next_endpoint() -> None:
    transport = ScriptedTransport()
    transport.host("a").fail = True
    router = Router(endpoints("a", "b", "c"), settings=breaker_settings())
    response = router.send(chat(), client_for(transport))
    assert response.json()["host"] == "b"
    assert transport.calls == ["a", "b"]
    stats = router.stats()
    assert (stats["a"].requests, stats["a"].failures) == (1, 1)
    assert (stats["b"].requests, stats["b"].successes) == (1, 1)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retryable_statuses_move_on(status: int) -> None:
    transport = ScriptedTransport()
    transport.host("a").status = status
    router = Router(endpoints("a", "b"))
    assert router.send(chat(), client_for(transport)).json()["host"] == "b"
    assert router.stats()["a"].failures == 1


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_client_errors_are_answers_not_failures(status: int) -> None:
    transport = ScriptedTransport()
    transport.host("a").status = status
    router = Router(endpoints("a", "b"))
    response = router.send(chat(), client_for(transport))
    assert response.status == status
    assert transport.calls == ["a"]
    stats = router.stats()["a"]
    assert (stats.failures, stats.successes) == (0, 1)


def test_failure_status_classification() -> None:
    assert [s for s in (200, 301, 400, 404, 429, 500, 503, 599) if is_failure_status(s)] == [
        429,
        500,
        503,
        599,
    ]


def test_attempts_are_bounded_and_never_repeat_an_endpoint() -> None:
    transport = ScriptedTransport()
    for host in "abcde":
        transport.host(host).status = 503
    router = Router(endpoints(*"abcde"), settings=breaker_settings(max_attempts=3))
    response = router.send(chat(), client_for(transport))
    # The last failure's response is returned, as HttpClient returns any status.
    assert response.status == 503
    assert transport.calls == ["a", "b", "c"]


def test_attempts_stop_when_endpoints_run_out() -> None:
    transport = ScriptedTransport()
    transport.host("a").fail = True
    transport.host("b").fail = True
    router = Router(endpoints("a", "b"), settings=breaker_settings(max_attempts=5))
    with pytest.raises(HttpError) as caught:
        router.send(chat(), client_for(transport))
    assert transport.calls == ["a", "b"]
    error = caught.value
    assert error.url == "http://b/v1/chat/completions"
    assert any("tried a, b" in c for c in error.context)
    assert any("endpoint 'b'" in c for c in error.context)


def test_a_non_retryable_error_is_raised_at_once() -> None:
    transport = ScriptedTransport()
    transport.host("a").raises = ValidationError("bad input", field="x")
    router = Router(endpoints("a", "b"))
    with pytest.raises(ValidationError):
        router.send(chat(), client_for(transport))
    assert transport.calls == ["a"]
    stats = router.stats()["a"]
    assert (stats.in_flight, stats.failures, stats.breaker) == (0, 0, CircuitState.CLOSED)


def test_in_flight_is_released_after_foreign_errors_and_cancellation() -> None:
    transport = ScriptedTransport()
    router = Router(endpoints("a"))
    client = client_for(transport)
    transport.host("a").raises = RuntimeError("transport bug")
    with pytest.raises(RuntimeError):
        router.send(chat(), client)
    assert router.stats()["a"].in_flight == 0
    assert router.stats()["a"].failures == 1  # a foreign error is the endpoint's fault

    class Cancelled(BaseException):
        pass

    transport.host("a").raises = Cancelled()
    with pytest.raises(Cancelled):
        router.send(chat(), client)
    stats = router.stats()["a"]
    assert stats.in_flight == 0
    assert stats.requests == 1  # a cancelled call says nothing about the endpoint


def test_breaker_opens_after_the_threshold_and_half_opens_after_the_timeout() -> None:
    clock = FakeClock()
    transport = ScriptedTransport(clock)
    transport.host("a").status = 503
    router = Router(endpoints("a", "b"), settings=breaker_settings(), clock=clock)
    client = client_for(transport)
    for _ in range(10):
        assert router.send(chat(), client).json()["host"] == "b"
    # SWRR alternates a, b: a is tried until its third failure opens its breaker.
    assert transport.count("a") == 3
    assert router.stats()["a"].breaker is CircuitState.OPEN
    assert router.stats()["a"].available is False

    transport.host("a").status = 200
    clock.advance(9.9)
    router.send(chat(), client)
    assert transport.count("a") == 3
    clock.advance(0.2)  # past the 10 s recovery timeout: one probe goes through
    assert router.stats()["a"].breaker is CircuitState.HALF_OPEN
    hosts = [router.send(chat(), client).json()["host"] for _ in range(4)]
    assert "a" in hosts
    assert router.stats()["a"].breaker is CircuitState.CLOSED
    assert hosts.count("a") == 2


def test_a_failed_probe_reopens_the_breaker() -> None:
    clock = FakeClock()
    transport = ScriptedTransport(clock)
    transport.host("a").fail = True
    router = Router(endpoints("a", "b"), settings=breaker_settings(), clock=clock)
    client = client_for(transport)
    for _ in range(6):
        router.send(chat(), client)
    assert router.stats()["a"].breaker is CircuitState.OPEN
    clock.advance(10.0)
    for _ in range(4):
        router.send(chat(), client)
    assert transport.count("a") == 4  # three to open, one probe
    assert router.stats()["a"].breaker is CircuitState.OPEN


def test_half_open_probe_limit_skips_without_counting_an_attempt() -> None:
    clock = FakeClock()
    transport = ScriptedTransport(clock)
    # a's weight makes round-robin choose it again for the nested request below.
    router = Router(
        endpoints("a", "b", a=5),
        settings=breaker_settings(failure_threshold=1, max_attempts=1),
        clock=clock,
    )
    client = client_for(transport)
    transport.host("a").status = 503
    router.send(chat(), client)
    assert router.stats()["a"].breaker is CircuitState.OPEN
    clock.advance(10.0)
    transport.host("a").status = 200
    inner: list[str] = []

    def nested_send() -> None:
        transport.host("a").during = None
        inner.append(router.send(chat(), client).json()["host"])

    # While a's single probe is out, another request must not be sent to a.
    transport.host("a").during = nested_send
    assert router.send(chat(), client).json()["host"] == "a"
    assert inner == ["b"]
    assert router.stats()["a"].breaker is CircuitState.CLOSED
    assert transport.calls == ["a", "a", "b"]


def test_tiers_fall_back_and_traffic_returns() -> None:
    clock = FakeClock()
    transport = ScriptedTransport(clock)
    eps = [
        Endpoint("p1", "http://p1", tier=0),
        Endpoint("p2", "http://p2", tier=0),
        Endpoint("backup", "http://backup", tier=1),
    ]
    router = Router(eps, settings=breaker_settings(failure_threshold=1), clock=clock)
    client = client_for(transport)
    assert {router.send(chat(), client).json()["host"] for _ in range(6)} == {"p1", "p2"}
    transport.host("p1").fail = True
    transport.host("p2").fail = True
    served = [router.send(chat(), client).json()["host"] for _ in range(4)]
    assert served == ["backup"] * 4
    assert transport.count("backup") == 4
    transport.host("p1").fail = False
    transport.host("p2").fail = False
    clock.advance(10.0)
    served = [router.send(chat(), client).json()["host"] for _ in range(6)]
    assert set(served) == {"p1", "p2"}


def test_nothing_available_raises_external_error_with_retry_after() -> None:
    clock = FakeClock()
    transport = ScriptedTransport(clock)
    transport.host("a").fail = True
    transport.host("b").fail = True
    router = Router(
        endpoints("a", "b"), settings=breaker_settings(failure_threshold=1), clock=clock
    )
    client = client_for(transport)
    with pytest.raises(HttpError):
        router.send(chat(), client)  # trips both
    clock.advance(4.0)
    with pytest.raises(ExternalError) as caught:
        router.send(chat(), client)
    error = caught.value
    assert "no endpoint available in pool 'default'" in error.message
    assert "a: circuit open" in error.message
    assert error.retry_after == pytest.approx(6.0)
    assert error.is_retryable
    assert error.http_status == 503
    with pytest.raises(ExternalError):
        router.route(chat())


def test_route_plus_record_for_callers_that_send_themselves() -> None:
    clock = FakeClock()
    router = Router(
        endpoints("a", "b"), settings=breaker_settings(failure_threshold=2), clock=clock
    )
    chosen = router.route(chat())
    assert chosen.name == "a"
    assert router.record(chosen, latency_s=0.05, status=200) is False
    assert router.record("a", status=503) is True
    assert router.record("a", error=HttpError("reset", url="http://a")) is True
    assert router.stats()["a"].breaker is CircuitState.OPEN
    assert router.record("b", error=ValidationError("caller's fault")) is False
    stats = router.stats()
    assert stats["a"].ewma_ms == pytest.approx(50.0)
    assert (stats["a"].requests, stats["a"].failures) == (3, 2)
    with pytest.raises(ExternalError):
        router.route(chat(), exclude=["b"])
    with pytest.raises(ValidationError) as caught:
        router.record("nope", status=200)
    assert caught.value.field == "endpoint"


def test_failed_exchanges_count_at_least_the_failure_penalty() -> None:
    clock = FakeClock()
    transport = ScriptedTransport(clock)
    transport.host("a").status = 500
    transport.host("a").delay_s = 0.002
    router = Router(
        endpoints("a", "b"), settings=RouterSettings(failure_penalty_ms=750.0), clock=clock
    )
    router.send(chat(), client_for(transport))
    assert router.stats()["a"].ewma_ms == pytest.approx(750.0)


def test_reset_forgets_what_was_learned() -> None:
    transport = ScriptedTransport()
    transport.host("a").fail = True
    router = Router(endpoints("a", "b"), settings=breaker_settings(failure_threshold=1))
    router.send(chat(), client_for(transport))
    assert router.stats()["a"].breaker is CircuitState.OPEN
    router.reset()
    stats = router.stats()["a"]
    assert (stats.requests, stats.failures, stats.breaker, stats.ewma_ms) == (
        0,
        0,
        CircuitState.CLOSED,
        None,
    )
    assert router.route(chat()).name == "a"


def test_send_async_retries_like_send(run_coro: RunCoro) -> None:
    clock = FakeClock()
    transport = ScriptedTransport(clock)
    transport.host("a").status = 503
    router = Router(endpoints("a", "b", "c"), settings=breaker_settings(), clock=clock)
    client = async_client_for(transport)

    async def scenario() -> list[str]:
        hosts = []
        for _ in range(9):
            response = await router.send_async(chat(), client)
            hosts.append(response.json()["host"])
        return hosts

    hosts = run_coro(scenario())
    assert "a" not in hosts
    assert transport.count("a") == 3
    assert router.stats()["a"].breaker is CircuitState.OPEN
    assert router.stats()["b"].in_flight == 0


def test_send_async_raises_the_last_error(run_coro: RunCoro) -> None:
    transport = ScriptedTransport()
    transport.host("a").fail = True
    router = Router(endpoints("a"))
    with pytest.raises(HttpError) as caught:
        run_coro(router.send_async(chat(), async_client_for(transport)))
    assert caught.value.status is None
    assert router.stats()["a"].in_flight == 0


def test_a_client_that_retries_by_itself_hammers_one_endpoint() -> None:
    # Why the docs say max_retries=0: the client's own retries stay on one endpoint.
    transport = ScriptedTransport()
    transport.host("a").status = 503
    retrying = HttpClient(
        HttpClientConfig(max_retries=2, retry_delay=0), transport=transport, sleep=lambda _s: None
    )
    router = Router(endpoints("a", "b"))
    router.send(chat(), retrying)
    assert transport.calls == ["a", "a", "a", "b"]


def test_route_takes_a_request() -> None:
    router = Router(endpoints("a"))
    with pytest.raises(ValidationError) as caught:
        router.route("http://x/")  # type: ignore[arg-type]
    assert caught.value.field == "request"


def test_wrong_argument_types_are_validation_errors() -> None:
    router = Router(endpoints("a"))
    client = client_for(ScriptedTransport())
    with pytest.raises(ValidationError) as caught:
        router.send("http://x/", client)  # type: ignore[arg-type]
    assert caught.value.field == "request"
    with pytest.raises(ValidationError) as caught:
        Router(endpoints("a"), settings={"max_attempts": 2})  # type: ignore[arg-type]
    assert caught.value.field == "settings"
    with pytest.raises(ValidationError) as caught:
        Router(endpoints("a"), rules=["claude-*"])  # type: ignore[list-item]
    assert caught.value.field == "rules[0]"


def test_a_streamed_answer_stays_in_flight_until_it_is_closed() -> None:
    transport = ScriptedTransport()
    router = Router(endpoints("a", "b"), strategy="least_connections")
    client = client_for(transport)
    first = router.send(chat(), client, stream=True)
    assert router.stats()["a"].in_flight + router.stats()["b"].in_flight == 1
    busy = next(name for name, s in router.stats().items() if s.in_flight == 1)
    assert router.route(chat()).name != busy  # least-connections sees the open stream
    first.close()
    first.close()  # closing twice releases once
    assert all(s.in_flight == 0 for s in router.stats().values())
    with router.send(chat(), client, stream=True):
        pass
    assert all(s.in_flight == 0 for s in router.stats().values())
    assert router.send(chat(), client).status == 200  # read at once: released at once
    assert all(s.in_flight == 0 for s in router.stats().values())
