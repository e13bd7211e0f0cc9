"""Streamed bodies and Server-Sent Events, read back with the client's aiter_sse/iter_sse."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from infra_portable.errors import ValidationError
from infra_portable.http import ServerSentEvent, SseDecoder
from infra_portable.http.server import (
    App,
    HttpProblem,
    ServerRequest,
    SseResponse,
    StreamingResponse,
    encode_sse,
)


async def _tokens(n: int) -> Any:
    for i in range(n):
        await asyncio.sleep(0)  # yields to the loop without waiting on a real event
        yield {"index": i, "token": f"t{i}"}


def _app() -> App:
    app = App()

    @app.get("/bytes")
    async def chunks(request: ServerRequest) -> Any:
        async def gen() -> Any:
            yield b"ab"
            yield "c\u00e9"
            yield b""
            yield b"d"

        return StreamingResponse(gen(), media_type="text/plain")

    @app.get("/sync")
    async def sync_chunks(request: ServerRequest) -> Any:
        return StreamingResponse(iter([b"1", b"2", "3"]))

    @app.post("/v1/chat")
    async def chat(request: ServerRequest) -> Any:
        body = await request.json()
        return SseResponse(_tokens(int(body["n"])))

    @app.get("/events")
    async def events(request: ServerRequest) -> Any:
        return SseResponse(
            [
                ServerSentEvent("plain"),
                ServerSentEvent("multi\nline\r\ndata", event="delta", id="7", retry=1500),
                "a str",
                [1, 2],
                b"event: raw\ndata: framed upstream\n\n",
                "[DONE]",
            ]
        )

    @app.get("/failing")
    async def failing(request: ServerRequest) -> Any:
        async def gen() -> Any:
            yield {"token": "ok"}
            raise HttpProblem("model overloaded", status=503, retry_after_s=1)

        return SseResponse(gen())

    @app.get("/crashing")
    async def crashing(request: ServerRequest) -> Any:
        async def gen() -> Any:
            yield "first"
            raise RuntimeError("internal detail 42")

        return SseResponse(gen())

    return app


def test_streaming_response_bytes_and_text(client_for: Any) -> None:
    client = client_for(_app())
    response = client.get("/bytes")
    assert response.status == 200
    assert response.content == "abc\u00e9d".encode()
    assert response.headers.get("content-length") is None
    assert response.headers.get("content-type") == "text/plain; charset=utf-8"
    assert client.get("/sync").content == b"123"


def test_streaming_chunks_arrive_as_separate_messages(run_coro: Any, asgi: Any, scope: Any) -> None:
    call = run_coro(asgi(_app(), scope("GET", "/bytes")))
    bodies = [m["body"] for m in call.messages[1:]]
    assert bodies == [b"ab", "c\u00e9".encode(), b"d", b""]
    assert [m["more_body"] for m in call.messages[1:]] == [True, True, True, False]


def test_sse_token_stream_read_with_aiter_sse(run_async: Any, async_client_for: Any) -> None:
    async def go() -> list[Any]:
        async with (
            async_client_for(_app()) as client,
            client.stream("POST", "/v1/chat", json={"n": 5}) as response,
        ):
            assert response.status == 200
            assert response.headers.get("content-type") == "text/event-stream; charset=utf-8"
            assert response.headers.get("cache-control") == "no-cache"
            return [event.json() async for event in response.aiter_sse()]

    assert run_async(go()) == [{"index": i, "token": f"t{i}"} for i in range(5)]


def test_sse_fields_read_with_iter_sse(client_for: Any) -> None:
    with client_for(_app()).stream("GET", "/events") as response:
        events = list(response.iter_sse())
    assert events == [
        ServerSentEvent("plain"),
        ServerSentEvent("multi\nline\ndata", event="delta", id="7", retry=1500),
        ServerSentEvent("a str", id="7", retry=1500),
        ServerSentEvent("[1,2]", id="7", retry=1500),
        ServerSentEvent("framed upstream", event="raw", id="7", retry=1500),
        ServerSentEvent("[DONE]", id="7", retry=1500),
    ]


def test_sse_error_mid_stream_becomes_an_error_event(client_for: Any) -> None:
    events = list(client_for(_app()).get("/failing").iter_sse())
    assert events[0].json() == {"token": "ok"}
    assert events[1].event == "error"
    problem = events[1].json()
    assert (problem["status"], problem["message"], problem["retry_after"]) == (
        503,
        "model overloaded",
        1,
    )


def test_sse_foreign_error_mid_stream_hides_details(client_for: Any) -> None:
    response = client_for(_app()).get("/crashing")
    assert "internal detail" not in response.text()
    events = list(response.iter_sse())
    assert events[0].data == "first"
    assert (events[1].event, events[1].json()["status"]) == ("error", 500)


def test_sse_error_event_none_reraises(run_coro: Any, asgi: Any, scope: Any) -> None:
    async def gen() -> Any:
        yield "x"
        raise RuntimeError("boom")

    app = App()
    app.route("GET", "/", lambda request: SseResponse(gen(), error_event=None))
    with pytest.raises(RuntimeError):
        run_coro(asgi(app, scope("GET", "/")))


def test_head_on_a_stream_sends_no_body_and_closes_the_generator(
    run_coro: Any, asgi: Any, scope: Any
) -> None:
    closed: list[bool] = []

    async def gen() -> Any:
        try:
            yield b"never"
        finally:
            closed.append(True)

    app = App()
    stream = gen()
    app.route("GET", "/", lambda request: StreamingResponse(stream))
    run_coro(stream.asend(None))  # started, so closing runs its finally
    call = run_coro(asgi(app, scope("HEAD", "/")))
    assert call.status == 200
    assert call.body == b""
    assert closed == [True]


@pytest.mark.parametrize(
    "event",
    [
        ServerSentEvent("x", event="bad\nname"),
        ServerSentEvent("x", id="a\nb"),
        ServerSentEvent("x", id="a\x00b"),
        object(),
    ],
)
def test_encode_sse_refuses_injection_and_unknown_values(event: Any) -> None:
    with pytest.raises(ValidationError):
        encode_sse(event)


def test_encode_sse_round_trips_through_the_decoder() -> None:
    events = [
        ServerSentEvent("a\nb", event="e", id="1"),
        ServerSentEvent("", id="1"),
        ServerSentEvent("{}", id="1"),
    ]
    decoder = SseDecoder()
    wire = b"".join(encode_sse(e) for e in events)
    decoded = [e for i in range(len(wire)) for e in decoder.feed(wire[i : i + 1])]
    assert decoded == events


def test_streaming_response_refuses_non_iterables() -> None:
    for content in (b"bytes", "str", 5):
        with pytest.raises(ValidationError):
            StreamingResponse(content)  # type: ignore[arg-type]


def test_bad_chunks_fail_the_stream(run_coro: Any, asgi: Any, scope: Any) -> None:
    app = App()
    app.route("GET", "/", lambda request: StreamingResponse(iter([b"ok", 5])))
    with pytest.raises(ValidationError):
        run_coro(asgi(app, scope("GET", "/")))


@pytest.mark.skip_runtime(
    "wasi", reason="watching for a disconnect needs asyncio tasks; WASI has no event loop"
)
def test_a_stream_stops_when_the_client_disconnects(run_async: Any) -> None:
    produced: list[int] = []
    closed: list[bool] = []

    async def endless() -> Any:
        try:
            for i in range(10_000):
                produced.append(i)
                await asyncio.sleep(0)
                yield f"{i}\n"
        finally:
            closed.append(True)

    async def go() -> list[dict[str, Any]]:
        gone = asyncio.Event()
        sent: list[dict[str, Any]] = []
        inbox = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> dict[str, Any]:
            if inbox:
                return inbox.pop(0)
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)
            if len(sent) == 4:
                gone.set()  # the client leaves after three chunks

        response = StreamingResponse(endless(), watch_disconnect=True)
        await asyncio.wait_for(response({"type": "http", "method": "GET"}, receive, send), 10)
        return sent

    sent = run_async(go())
    assert closed == [True]
    assert len(produced) < 100  # stopped soon after the disconnect, not at 10 000
    assert len(sent) < 100
