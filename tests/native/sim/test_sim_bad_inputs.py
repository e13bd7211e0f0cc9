"""Junk arguments to the simulators are ValidationErrors naming the field (no I/O)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from infra_portable.errors import ValidationError
from infra_portable.http import Request, TransportLimits
from infra_portable.sim import (
    Failure,
    MockReply,
    MockTransport,
    ReplayTransport,
    SimClock,
    sse_body,
)

CASES: list[Any] = [
    # (call, field)
    pytest.param(lambda: MockTransport(seed=[]), "seed", id="seed-list"),
    pytest.param(lambda: MockTransport(seed=True), "seed", id="seed-bool"),
    pytest.param(lambda: MockTransport(seed=None), "seed", id="seed-none"),
    pytest.param(lambda: MockTransport(seed=1.5), "seed", id="seed-float"),
    pytest.param(lambda: MockTransport(seed={}), "seed", id="seed-dict"),
    pytest.param(lambda: MockTransport(seed=object()), "seed", id="seed-object"),
    pytest.param(lambda: MockTransport().route(-1, "/x"), "method", id="route-method-int"),
    pytest.param(lambda: MockTransport().route(b"GET", "/x"), "method", id="route-method-bytes"),
    pytest.param(lambda: MockTransport().route("GET", None), "path", id="route-path-none"),
    pytest.param(lambda: MockTransport().route("GET", b"/x"), "path", id="route-path-bytes"),
    pytest.param(lambda: MockTransport().route("GET", "/x", 42), "replies", id="route-reply"),
    pytest.param(lambda: MockTransport().route("GET", "/x", status=None), "status", id="route-st"),
    pytest.param(lambda: MockTransport().route("GET", "/x", headers=-1), "headers", id="route-h"),
    pytest.param(
        lambda: MockTransport().route("GET", "/x", sse=["a"], headers="x"), "headers", id="sse-h"
    ),
    pytest.param(lambda: MockTransport().with_response(None), "response", id="response-none"),
    pytest.param(lambda: MockTransport().with_response("x"), "response", id="response-str"),
    pytest.param(lambda: MockTransport().with_failures(-1), "sequence", id="failures-int"),
    pytest.param(lambda: MockTransport().with_failures("connect"), "sequence", id="failures-str"),
    pytest.param(lambda: SimClock(None), "start", id="clock-none"),
    pytest.param(lambda: SimClock(""), "start", id="clock-empty"),
    pytest.param(lambda: SimClock("1"), "start", id="clock-str"),
    pytest.param(lambda: SimClock(math.nan), "start", id="clock-nan"),
    pytest.param(lambda: SimClock(math.inf), "start", id="clock-inf"),
    pytest.param(lambda: SimClock(-1), "start", id="clock-negative"),
    pytest.param(lambda: SimClock(True), "start", id="clock-bool"),
    pytest.param(lambda: SimClock().advance(None), "seconds", id="advance-none"),
    pytest.param(lambda: SimClock().advance("1"), "seconds", id="advance-str"),
    pytest.param(lambda: SimClock().advance(math.nan), "seconds", id="advance-nan"),
    pytest.param(lambda: SimClock().advance(math.inf), "seconds", id="advance-inf"),
    pytest.param(lambda: SimClock().advance(10**400), "seconds", id="advance-huge"),
    pytest.param(lambda: SimClock().sleep(None), "seconds", id="sleep-none"),
    pytest.param(lambda: SimClock().sleep([]), "seconds", id="sleep-list"),
    pytest.param(lambda: Failure(status=None), "status", id="failure-status-none"),
    pytest.param(lambda: Failure(status="503"), "status", id="failure-status-str"),
    pytest.param(lambda: Failure(status=True), "status", id="failure-status-bool"),
    pytest.param(lambda: Failure(status=600), "status", id="failure-status-600"),
    pytest.param(lambda: Failure(retry_after="x"), "retry_after", id="failure-retry-str"),
    pytest.param(lambda: Failure(retry_after=-1), "retry_after", id="failure-retry-negative"),
    pytest.param(lambda: Failure(retry_after=math.nan), "retry_after", id="failure-retry-nan"),
    pytest.param(lambda: MockReply.make(None), "status", id="reply-status-none"),
    pytest.param(lambda: MockReply.make(200, latency="x"), "latency", id="reply-latency"),
    pytest.param(lambda: ReplayTransport(None), "recording", id="replay-none"),
    pytest.param(lambda: ReplayTransport(-1), "recording", id="replay-int"),
    pytest.param(lambda: ReplayTransport(b"{}"), "recording", id="replay-bytes"),
    pytest.param(lambda: ReplayTransport([1]), "exchanges[0]", id="replay-item"),
    pytest.param(
        lambda: ReplayTransport({"version": 1, "exchanges": [{"request": [], "response": {}}]}),
        "exchanges[0]",
        id="replay-request-list",
    ),
    pytest.param(lambda: sse_body(None), "events", id="sse-none"),
    pytest.param(lambda: sse_body(-1), "events", id="sse-int"),
    pytest.param(lambda: sse_body("data"), "events", id="sse-str"),
    pytest.param(lambda: sse_body({"data": "x"}), "events", id="sse-dict"),
    pytest.param(lambda: sse_body([1]), "events[0]", id="sse-item-int"),
    pytest.param(lambda: sse_body(["a", None]), "events[1]", id="sse-item-none"),
]


@pytest.mark.parametrize(("call", "field"), CASES)
def test_bad_input_is_a_validation_error_naming_the_field(
    call: Callable[[], object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        call()
    assert caught.value.field == field


@pytest.mark.parametrize("seed", [0, 7, -3, 10**30, "run-1", b"\x00\xff", bytearray(b"ab")])
def test_accepted_seeds_reproduce(seed: Any) -> None:
    def draws() -> list[int]:
        mock = MockTransport(seed=seed).with_response(200).with_failure_rate(0.5)
        limits = TransportLimits(timeout=1.0, max_response_bytes=1000)
        request = Request("GET", "https://h/x")
        return [mock.handle(request, limits, False).status for _ in range(20)]

    first = draws()
    assert first == draws()
    assert set(first) <= {200, 503}


def test_good_inputs_still_work() -> None:
    clock = SimClock(5)
    clock.advance(1)
    clock.sleep(-1)  # a negative wait is a no-op, as before
    clock.sleep(math.nan)
    assert clock.now() == 6.0
    with pytest.raises(ValidationError, match="backwards"):
        clock.advance(-1)
    assert Failure(status=429, retry_after=None).status == 429
    assert sse_body(["a", {"event": "e", "data": {"k": 1}}]) == (
        b'data: a\n\nevent: e\ndata: {"k":1}\n\n'
    )
    mock = MockTransport().route(None, "/x", sse=["a"], headers={"Content-Type": "text/x"})
    limits = TransportLimits(timeout=1.0, max_response_bytes=1000)
    response = mock.handle(Request("GET", "https://h/x"), limits, False)
    assert response.headers.get_all("content-type") == ["text/x"]
    assert response.content == b"data: a\n\n"
