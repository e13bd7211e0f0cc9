"""The browser transport (FetchTransport) against the real loopback server, in Pyodide.

Every exchange crosses origins (the page and the server listen on different
loopback ports), so CORS is part of each test. The three ways in are covered:
``AsyncHttpClient`` (fetch), and ``HttpClient`` through JSPI and through
synchronous XHR (``sync_mode``). Elsewhere only the construction checks and the
"not in a browser" error run.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Coroutine
from types import SimpleNamespace
from typing import Any

import pytest

from infra_portable.errors import HttpError, ValidationError
from infra_portable.http import (
    AsyncHttpClient,
    HttpClient,
    HttpClientConfig,
    Request,
    TransportLimits,
)
from infra_portable.http._transport_fetch import FetchTransport

RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]
IN_BROWSER = pytest.mark.pyodide_only(reason="FetchTransport calls the browser's fetch/XHR")
ALL_BYTES = bytes(range(256))
# A port nothing listens on (the discard port; Chromium refuses it outright).
UNREACHABLE = "http://127.0.0.1:9/echo"


def config(**changes: Any) -> HttpClientConfig:
    """No retries: each test sees one exchange's result, fast."""
    return HttpClientConfig(**{"max_retries": 0, **changes})


class Way:
    """One way into the transport, the same calls for each: sync (jspi/xhr) or async."""

    def __init__(self, mode: str, run_async: RunAsync) -> None:
        self.mode = mode
        self.run_async = run_async

    def send(self, request: Request, cfg: HttpClientConfig | None = None) -> Any:
        cfg = cfg or config()
        if self.mode == "async":

            async def go() -> Any:
                async with AsyncHttpClient(cfg, transport=FetchTransport()) as client:
                    return await client.send(request)

            return self.run_async(go())
        with HttpClient(cfg, transport=FetchTransport(sync_mode=self.mode)) as client:  # type: ignore[arg-type]
            return client.send(request)


@pytest.fixture(params=["jspi", "xhr", "async"])
def way(request: pytest.FixtureRequest, run_async: RunAsync) -> Way:
    return Way(request.param, run_async)


# -- everywhere -------------------------------------------------------------------


def test_unknown_options_are_validation_errors() -> None:
    with pytest.raises(ValidationError) as info:
        FetchTransport(sync_mode="threads")  # type: ignore[arg-type]
    assert info.value.field == "sync_mode"
    assert "jspi" in (info.value.expected or "")
    with pytest.raises(ValidationError) as info:
        FetchTransport(credentials="always")  # type: ignore[arg-type]
    assert info.value.field == "credentials"


@pytest.mark.skip_runtime("pyodide", reason="checks the error raised outside a browser")
def test_outside_pyodide_it_says_so(run_async: RunAsync) -> None:
    transport = FetchTransport()
    request = Request.get("http://127.0.0.1:1/x").build()
    limits = TransportLimits(1.0, 1000)
    with pytest.raises(HttpError, match="only in Pyodide") as info:
        transport.handle(request, limits, False)
    assert info.value.url == request.url
    with pytest.raises(HttpError, match="only in Pyodide"):
        run_async(transport.handle_async(request, limits, True))


# -- in the browser ------------------------------------------------------------------


@IN_BROWSER
def test_the_default_transport_is_fetch() -> None:
    with HttpClient() as client:
        assert client.transport.name == "fetch"


@IN_BROWSER
def test_get_and_post_json(way: Way, http_url: str) -> None:
    reply = way.send(Request.get(f"{http_url}/echo").query({"q": "a b"}).build())
    assert reply.status == 200
    echoed = reply.json()
    assert echoed["method"] == "GET"
    assert echoed["query"] == {"q": "a b"}
    sent = {"model": "m", "messages": [{"role": "user", "content": "héllo ✓"}]}
    reply = way.send(Request.post(f"{http_url}/echo").json(sent).build())
    echoed = reply.json()
    assert echoed["method"] == "POST"
    assert json.loads(echoed["body"]) == sent
    assert echoed["headers"]["content-type"] == "application/json"


@IN_BROWSER
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "HEAD"])
def test_other_methods(way: Way, http_url: str, method: str) -> None:
    reply = way.send(Request.builder(method, f"{http_url}/echo").build())
    assert reply.status == 200
    if method == "HEAD":
        assert reply.content == b""
        assert int(reply.headers["content-length"]) > 0
    else:
        assert reply.json()["method"] == method


@IN_BROWSER
def test_binary_round_trip_of_every_byte_value(way: Way, http_url: str) -> None:
    body = ALL_BYTES * 4
    reply = way.send(
        Request.post(f"{http_url}/echo")
        .header("Content-Type", "application/octet-stream")
        .body(body)
        .build()
    )
    assert base64.b64decode(reply.json()["body_b64"]) == body
    reply = way.send(Request.get(f"{http_url}/bytes/1024").build())
    assert reply.content == ALL_BYTES * 4
    assert reply.headers["content-type"] == "application/octet-stream"


@IN_BROWSER
def test_status_and_response_headers_come_through(way: Way, http_url: str) -> None:
    reply = way.send(Request.get(f"{http_url}/status/503?retry_after=7").build())
    assert reply.status == 503
    with pytest.raises(HttpError) as info:
        reply.error_for_status()
    assert (info.value.status, info.value.retry_after_s) == (503, 7.0)
    reply = way.send(Request.get(f"{http_url}/headers?x-trace-id=abc123").build())
    assert reply.headers.get("X-Trace-Id") == "abc123"


@IN_BROWSER
def test_custom_headers_reach_the_server_after_a_preflight(way: Way, http_url: str) -> None:
    request = Request.get(f"{http_url}/echo").bearer_auth("tok").header("X-Api-Key", "k").build()
    echoed = way.send(request).json()
    assert echoed["headers"]["authorization"] == "Bearer tok"
    assert echoed["headers"]["x-api-key"] == "k"


@IN_BROWSER
def test_forbidden_headers_are_dropped_not_fatal(way: Way, http_url: str) -> None:
    request = (
        Request.post(f"{http_url}/echo")
        .header("Host", "evil.example")
        .header("Content-Length", "999")
        .header("Connection", "close")
        .header("User-Agent", "not-a-browser")
        .header("Sec-Fetch-Mode", "navigate")
        .header("X-Kept", "yes")
        .body(b"abc")
        .build()
    )
    echoed = way.send(request).json()
    headers = echoed["headers"]
    assert echoed["body"] == "abc"
    assert headers["host"] == http_url.removeprefix("http://")
    assert headers["content-length"] == "3"
    assert headers["user-agent"] != "not-a-browser"
    assert headers["x-kept"] == "yes"


@IN_BROWSER
def test_a_header_value_the_browser_refuses_is_an_http_error(way: Way, http_url: str) -> None:
    # Request() itself does not check (the builder and the client's methods do): a
    # transport may still be handed such a request, by middleware say.
    url = f"{http_url}/echo"
    for headers in ({"X-Note": "price: 5 €"}, {"Bad Name": "x"}):
        with pytest.raises(HttpError, match="refused the request header") as info:
            way.send(Request("GET", url, headers=headers))
        assert info.value.url == url


@IN_BROWSER
def test_a_body_with_get_is_refused_clearly(way: Way, http_url: str) -> None:
    with pytest.raises(HttpError, match="cannot send a body with GET"):
        way.send(Request.get(f"{http_url}/echo").body(b"x").build())


@IN_BROWSER
def test_the_browser_follows_redirects_and_reports_the_final_url(way: Way, http_url: str) -> None:
    reply = way.send(Request.post(f"{http_url}/redirect/2").body(b"x").build())
    assert reply.status == 200
    assert reply.url == f"{http_url}/echo"
    assert reply.json()["method"] == "GET"  # 302 after POST becomes a GET, as natively


@IN_BROWSER
@pytest.mark.parametrize("mode", ["jspi", "xhr", "async"])
@pytest.mark.parametrize(
    ("limits_changes", "message"),
    [
        ({"follow_redirects": False}, "does not follow redirects"),
        ({"max_redirects": 0}, "too many redirects"),
    ],
)
def test_redirects_the_limits_forbid_are_http_errors(
    mode: str,
    http_url: str,
    run_async: RunAsync,
    limits_changes: dict[str, Any],
    message: str,
) -> None:
    # Limits as the client passes them when it forwards its redirect settings.
    limits = SimpleNamespace(
        timeout=5.0, max_response_bytes=10_000, **{"follow_redirects": True, **limits_changes}
    )
    request = Request.get(f"{http_url}/redirect/1").build()
    transport = FetchTransport(sync_mode="auto" if mode == "async" else mode)  # type: ignore[arg-type]

    def exchange() -> Any:
        if mode == "async":
            return run_async(transport.handle_async(request, limits, False))  # type: ignore[arg-type]
        return transport.handle(request, limits, False)  # type: ignore[arg-type]

    with pytest.raises(HttpError, match=message) as info:
        exchange()
    assert info.value.url == request.url
    assert not info.value.is_retryable


@IN_BROWSER
def test_timeout_is_an_http_error_that_says_so(http_url: str, run_async: RunAsync) -> None:
    request = Request.get(f"{http_url}/slow?ms=3000").timeout(0.2).build()
    # Synchronous XHR cannot time out on a page's main thread, so the sync client uses JSPI.
    with HttpClient(config(), transport=FetchTransport(sync_mode="jspi")) as client:
        with pytest.raises(HttpError, match=r"timed out after 0\.2s") as info:
            client.send(request)
        assert info.value.status is None
        assert info.value.is_retryable

    async def go() -> None:
        async with AsyncHttpClient(config(timeout=0.2), transport=FetchTransport()) as client:
            await client.get(f"{http_url}/slow?ms=3000")

    with pytest.raises(HttpError, match="timed out"):
        run_async(go())


@IN_BROWSER
def test_the_timeout_also_bounds_each_wait_for_a_chunk(http_url: str, run_async: RunAsync) -> None:
    # The head and a first comment arrive at once, then the server pauses 200 ms per event.
    url = f"{http_url}/sse?n=3&delay_ms=200"

    async def go() -> None:
        async with (
            AsyncHttpClient(config(timeout=0.05), transport=FetchTransport()) as client,
            client.stream("GET", url) as reply,
        ):
            async for _ in reply.aiter_bytes():
                pass

    with pytest.raises(HttpError, match="timed out") as info:
        run_async(go())
    assert info.value.url == url
    with (
        pytest.raises(HttpError, match="timed out"),
        HttpClient(config(timeout=0.05), transport=FetchTransport(sync_mode="jspi")) as client,
        client.stream("GET", url) as reply,
    ):
        reply.read()


@IN_BROWSER
def test_a_slow_answer_within_the_timeout_arrives(way: Way, http_url: str) -> None:
    reply = way.send(Request.get(f"{http_url}/slow?ms=150").timeout(3).build())
    assert reply.json() == {"slow": True}


@IN_BROWSER
def test_unreachable_server_is_an_http_error_hinting_at_cors(way: Way) -> None:
    with pytest.raises(HttpError) as info:
        way.send(Request.get(UNREACHABLE).build())
    assert info.value.url == UNREACHABLE
    assert info.value.status is None
    assert "unreachable" in info.value.message
    assert "CORS" in info.value.message


@IN_BROWSER
def test_a_cors_refusal_is_an_http_error_that_says_cors(way: Way, http_url: str) -> None:
    # A second Allow-Origin value makes the header "*, https://elsewhere.example": the browser
    # hides the answer from this page, as it would from any origin the server does not allow.
    url = f"{http_url}/headers?Access-Control-Allow-Origin=https://elsewhere.example"
    with pytest.raises(HttpError, match="CORS") as info:
        way.send(Request.get(url).build())
    assert info.value.status is None
    assert info.value.url == url


@IN_BROWSER
@pytest.mark.parametrize("endpoint", ["bytes", "chunked"])
def test_response_size_limit(way: Way, http_url: str, endpoint: str) -> None:
    small = config(max_response_bytes=1000)
    with pytest.raises(HttpError, match="larger than the 1000-byte limit") as info:
        way.send(Request.get(f"{http_url}/{endpoint}/5000").build(), small)
    assert info.value.status == 200
    reply = way.send(Request.get(f"{http_url}/{endpoint}/1000").build(), small)
    assert reply.content == bytes(i % 256 for i in range(1000))


@IN_BROWSER
def test_async_stream_arrives_in_chunks_before_the_end(http_url: str, run_async: RunAsync) -> None:
    async def go() -> tuple[bytes, list[bytes]]:
        async with (
            AsyncHttpClient(config(), transport=FetchTransport()) as client,
            client.stream("GET", f"{http_url}/sse?n=3&delay_ms=150") as reply,
        ):
            assert reply.is_streaming
            chunks = [chunk async for chunk in reply.aiter_bytes()]
            return chunks[0], chunks

    first, chunks = run_async(go())
    # The server pauses 150 ms between events: a buffered body would hold "[DONE]" at once.
    assert b"[DONE]" not in first
    assert all(isinstance(c, bytes) and c for c in chunks)
    assert b"".join(chunks).endswith(b"data: [DONE]\n\n")


@IN_BROWSER
def test_large_chunked_stream_is_complete(http_url: str, run_async: RunAsync) -> None:
    n = 300_000

    async def go() -> bytes:
        async with (
            AsyncHttpClient(config(), transport=FetchTransport()) as client,
            client.stream("GET", f"{http_url}/chunked/{n}") as reply,
        ):
            return await reply.aread()

    assert run_async(go()) == bytes(i % 256 for i in range(n))


@IN_BROWSER
def test_async_sse(http_url: str, run_async: RunAsync) -> None:
    async def go() -> list[Any]:
        async with (
            AsyncHttpClient(config(), transport=FetchTransport()) as client,
            client.stream("POST", f"{http_url}/sse?n=4&delay_ms=20", json={"stream": True}) as r,
        ):
            assert r.headers["content-type"] == "text/event-stream"
            return [event async for event in r.aiter_sse()]

    events = run_async(go())
    assert [e.data for e in events[-1:]] == ["[DONE]"]
    tokens = events[:-1]
    assert [e.id for e in tokens] == ["0", "1", "2", "3"]
    assert {e.event for e in tokens} == {"token"}
    assert [json.loads(e.data)["text"] for e in tokens] == ["tok0", "tok1", "tok2", "tok3"]


@IN_BROWSER
def test_sync_sse_through_jspi_streams(http_url: str) -> None:
    with (
        HttpClient(config(), transport=FetchTransport(sync_mode="jspi")) as client,
        client.stream("GET", f"{http_url}/sse?n=3&delay_ms=100") as reply,
    ):
        assert reply.is_streaming
        events = reply.iter_sse()
        first = next(events)
        rest = list(events)
    assert first.event == "token"
    assert first.id == "0"
    assert [e.data for e in rest][-1] == "[DONE]"
    assert len(rest) == 3


@IN_BROWSER
def test_sync_xhr_returns_a_stream_read_whole(http_url: str) -> None:
    with (
        HttpClient(config(), transport=FetchTransport(sync_mode="xhr")) as client,
        client.stream("GET", f"{http_url}/sse?n=2") as reply,
    ):
        chunks = list(reply.iter_bytes())
    assert len(chunks) == 1
    assert chunks[0].endswith(b"data: [DONE]\n\n")


@IN_BROWSER
def test_closing_a_stream_early_then_reusing_the_transport(
    http_url: str, run_async: RunAsync
) -> None:
    transport = FetchTransport()

    async def go() -> Any:
        async with AsyncHttpClient(config(), transport=transport) as client:
            async with client.stream("GET", f"{http_url}/sse?n=50&delay_ms=50") as reply:
                async for chunk in reply.aiter_bytes():
                    assert chunk
                    break
            return (await client.get(f"{http_url}/echo")).json()

    assert run_async(go())["method"] == "GET"
    with (
        HttpClient(config(), transport=FetchTransport(sync_mode="jspi")) as client,
        client.stream("GET", f"{http_url}/sse?n=50&delay_ms=50") as reply,
    ):
        assert next(reply.iter_bytes())
    assert client.get(f"{http_url}/echo").status == 200


@IN_BROWSER
def test_streamed_size_limit(http_url: str, run_async: RunAsync) -> None:
    async def go() -> None:
        async with (
            AsyncHttpClient(config(max_response_bytes=20_000), transport=FetchTransport()) as c,
            c.stream("GET", f"{http_url}/chunked/100000") as reply,
        ):
            async for _ in reply.aiter_bytes():
                pass

    with pytest.raises(HttpError, match="20000-byte limit"):
        run_async(go())


@IN_BROWSER
def test_retries_go_through_the_transport(way: Way, http_url: str) -> None:
    # The endpoint answers 503 with Retry-After: 0 twice, so the client waits 0 s between tries.
    reply = way.send(
        Request.get(f"{http_url}/fail-times/fetch-{way.mode}/2").build(), config(max_retries=3)
    )
    assert reply.json() == {"attempt": 3}
