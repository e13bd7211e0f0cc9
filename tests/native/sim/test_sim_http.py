"""The mock transport: scripts, latency on a virtual clock, seeded failures, record/replay."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra_portable.errors import (
    CircuitBreaker,
    CircuitState,
    HttpError,
    InfraError,
    ValidationError,
)
from infra_portable.http import AsgiTransport, HttpClient, HttpClientConfig, Request, Response
from infra_portable.sim import (
    Failure,
    MockReply,
    MockTransport,
    RecordingTransport,
    ReplayTransport,
    SimClock,
)

URL = "https://llm.example"
Run = Callable[[Coroutine[Any, Any, Any]], Any]


def chat_mock(seed: int = 0) -> MockTransport:
    return (
        MockTransport(seed=seed)
        .route("POST", "/v1/chat", json={"ok": True})
        .route("GET", "/v1/models/{name}", json={"id": "m"})
    )


def test_routes_answer_and_requests_are_kept() -> None:
    mock = chat_mock()
    with mock.client() as client:
        assert client.post(f"{URL}/v1/chat", json={"q": 1}).json() == {"ok": True}
        assert client.get(f"{URL}/v1/models/gpt").json() == {"id": "m"}
        assert client.get(f"{URL}/nowhere").status == 404
    assert [r.method for r in mock.requests] == ["POST", "GET", "GET"]
    assert mock.requests[0].json() == {"q": 1}


def test_replies_in_turn_then_the_last_repeats() -> None:
    mock = MockTransport().route("GET", "/x", MockReply.make(500), MockReply.make(200, body="fine"))
    client = mock.client(HttpClientConfig(max_retries=0))
    assert [client.get(f"{URL}/x").status for _ in range(3)] == [500, 200, 200]
    once = MockTransport().route("GET", "/y", MockReply.make(200), repeat_last=False).client()
    assert [once.get(f"{URL}/y").status for _ in range(2)] == [200, 404]


def test_a_handler_computes_the_reply() -> None:
    def echo(request: Request) -> Response:
        return Response(201, {"X-Len": str(len(request.body or b""))}, request.body or b"")

    client = MockTransport().route("POST", "/echo", echo).client()
    response = client.post(f"{URL}/echo", content=b"abc")
    assert (response.status, response.content, response.headers["x-len"]) == (201, b"abc", "3")


def test_latency_and_jitter_run_on_the_virtual_clock() -> None:
    mock = MockTransport(seed=3).with_response(200).with_latency(0.2, jitter=0.05)
    client = mock.client()
    for _ in range(50):
        client.get(f"{URL}/")
    assert 50 * 0.15 <= mock.clock.now() <= 50 * 0.25
    assert mock.clock.now() != pytest.approx(50 * 0.2)  # jitter moved it


def test_latency_beyond_the_timeout_is_a_timeout() -> None:
    mock = MockTransport().with_response(200).with_latency(5.0)
    client = mock.client(HttpClientConfig(timeout=1.0, max_retries=0))
    with pytest.raises(HttpError, match="timed out") as info:
        client.get(f"{URL}/")
    assert info.value.is_retryable
    assert info.value.status is None
    assert mock.clock.now() == pytest.approx(1.0)


def test_failure_sequences_of_every_kind() -> None:
    mock = (
        MockTransport()
        .with_response(200, body="ok")
        .with_failures([503, "connect", "timeout", None])
    )
    client = mock.client(HttpClientConfig(max_retries=0, timeout=2.0))
    assert client.get(f"{URL}/").status == 503
    with pytest.raises(HttpError, match="refused"):
        client.get(f"{URL}/")
    with pytest.raises(HttpError, match="timed out"):
        client.get(f"{URL}/")
    assert client.get(f"{URL}/").content == b"ok"
    assert mock.stats.by_kind == {"status 503": 1, "connect": 1, "timeout": 1}


def test_retries_ride_through_a_failure_sequence_honouring_retry_after() -> None:
    mock = (
        MockTransport()
        .with_response(200)
        .with_failures([Failure("status", 429, retry_after=2.5), "connect"])
    )
    client = mock.client(HttpClientConfig(max_retries=3, retry_delay=0.1, retry_jitter=0.0))
    assert client.get(f"{URL}/").status == 200
    assert mock.stats.calls == 3
    assert mock.clock.now() == pytest.approx(2.5 + 0.2)  # Retry-After, then backoff 0.1 * 2


def test_a_truncated_body_is_an_http_error_not_short_data() -> None:
    body = b"x" * 1000
    mock = (
        MockTransport()
        .route("GET", "/big", MockReply.make(200, body=body))
        .with_failures(["truncate", "truncate"])
    )
    client = mock.client(HttpClientConfig(max_retries=0))
    with pytest.raises(HttpError, match="reset"):
        client.get(f"{URL}/big")
    got = bytearray()

    def read_all() -> None:
        with client.stream("GET", f"{URL}/big") as response:
            for chunk in response.iter_bytes():
                got.extend(chunk)

    with pytest.raises(HttpError, match="reset"):
        read_all()
    assert 0 < len(got) < len(body)


def test_sse_scripts_stream_in_chunks(run_async: Run) -> None:
    events = [{"data": {"delta": "Hel"}}, {"data": {"delta": "lo"}, "id": "2"}, "[DONE]"]
    mock = MockTransport(chunk_size=7).route("POST", "/v1/chat", sse=events)

    async def go() -> list[Any]:
        async with (
            mock.async_client() as client,
            client.stream("POST", f"{URL}/v1/chat", json={}) as response,
        ):
            return [e async for e in response.aiter_sse()]

    got = run_async(go())
    assert [e.data for e in got] == ['{"delta":"Hel"}', '{"delta":"lo"}', "[DONE]"]
    assert got[1].id == "2"


@given(st.integers(0, 2**32), st.floats(0.0, 1.0))
def test_same_seed_same_run(seed: int, rate: float) -> None:
    def run() -> list[int | str]:
        mock = (
            MockTransport(seed=seed)
            .with_response(200)
            .with_failure_rate(rate, "connect")
            .with_latency(0.1, jitter=0.1)
        )
        client = mock.client(HttpClientConfig(max_retries=0))
        outcome: list[int | str] = []
        for _ in range(20):
            try:
                outcome.append(client.get(f"{URL}/").status)
            except HttpError:
                outcome.append("error")
        outcome.append(repr(mock.clock.now()))
        return outcome

    assert run() == run()


def _outcome(call: Callable[[], object]) -> InfraError | None:
    try:
        call()
    except InfraError as exc:
        return exc
    return None


def test_thirty_percent_failures_end_in_success_or_a_retryable_error(run_async: Run) -> None:
    for kind in ("status", "connect", "timeout"):
        mock = MockTransport(seed=11).with_response(200).with_failure_rate(0.3, kind)
        client = mock.client(HttpClientConfig(max_retries=2, retry_delay=0.05, timeout=1.0))
        ok = failed = 0
        for _ in range(200):
            error = _outcome(lambda c=client: c.get(f"{URL}/").error_for_status())
            if error is None:
                ok += 1
            else:
                assert error.is_retryable, error
                failed += 1
        assert ok + failed == 200
        assert ok >= 180  # three tries at 30 %: 2.7 % of calls fail
        assert mock.stats.calls <= 200 * 3


def test_a_breaker_opens_and_closes_as_specified() -> None:
    mock = MockTransport().with_response(200)
    clock = mock.clock
    breaker = CircuitBreaker("llm", failure_threshold=3, recovery_timeout=10.0, clock=clock.now)
    client = mock.client(HttpClientConfig(max_retries=0))

    def call() -> int:
        return breaker.call(lambda: client.get(f"{URL}/").error_for_status().status)

    mock.with_failures([503, 503, 503])
    for _ in range(3):
        with pytest.raises(HttpError):
            call()
    assert breaker.state is CircuitState.OPEN
    calls_before = mock.stats.calls
    with pytest.raises(InfraError):
        call()  # rejected without a request
    assert mock.stats.calls == calls_before
    clock.advance(10.0)
    assert breaker.state is CircuitState.HALF_OPEN
    assert call() == 200
    assert breaker.state is CircuitState.CLOSED


def test_record_then_replay_anywhere() -> None:
    live = chat_mock()
    recorder = RecordingTransport(live)
    with HttpClient(transport=recorder) as client:
        client.post(
            f"{URL}/v1/chat", json={"q": 1}, headers={"Authorization": "Bearer secret-token"}
        )
        client.get(f"{URL}/v1/models/x")
    saved = recorder.dumps()
    assert "secret-token" not in saved
    replay = ReplayTransport(saved)
    with HttpClient(transport=replay) as client:
        assert client.get(f"{URL}/v1/models/x").json() == {"id": "m"}
        assert client.post(f"{URL}/v1/chat", json={"q": 1}).json() == {"ok": True}
        with pytest.raises(ValidationError, match="no recorded exchange"):
            client.get(f"{URL}/v1/models/x")
    assert replay.remaining == 0


def test_record_an_in_process_app() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": scope["path"].encode()})

    recorder = RecordingTransport(AsgiTransport(app))
    HttpClient(transport=recorder).get("http://app.local/hello")
    assert recorder.exchanges[0].body == b"/hello"


def test_bad_simulator_input_is_a_validation_error() -> None:
    mock = MockTransport()
    with pytest.raises(ValidationError, match="rate"):
        mock.with_failure_rate(1.5)
    with pytest.raises(ValidationError, match="latency"):
        mock.with_latency(-1)
    with pytest.raises(ValidationError, match="jitter"):
        mock.with_latency(0.1, jitter=0.5)
    with pytest.raises(ValidationError, match="kind"):
        mock.with_failures(["explode"])
    with pytest.raises(ValidationError, match="status"):
        MockReply.make(999)
    with pytest.raises(ValidationError, match="version"):
        ReplayTransport({"version": 9, "exchanges": []})
    with pytest.raises(ValidationError, match=r"exchanges\[0\]"):
        ReplayTransport({"version": 1, "exchanges": [{"request": {}}]})
    with pytest.raises(ValidationError, match="latency"):
        mock.with_latency("slow")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="rate"):
        mock.with_failure_rate("often")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="chunk_size"):
        MockTransport(chunk_size=0)
    with pytest.raises(ValidationError, match="backwards"):
        SimClock().advance(-1)
