"""AsgiTransport: the client calling an ASGI app in process, sync and async."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from infra_portable.errors import HttpError
from infra_portable.http import AsgiTransport, AsyncHttpClient, HttpClient, HttpClientConfig

Run = Callable[[Coroutine[Any, Any, Any]], Any]


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    message = await receive()
    body = message["body"]
    headers = dict(scope["headers"])
    if scope["path"] == "/redirect":
        await send(
            {"type": "http.response.start", "status": 307, "headers": [(b"location", b"/final")]}
        )
        await send({"type": "http.response.body", "body": b""})
        return
    reply = b"|".join(
        [
            scope["method"].encode(),
            scope["path"].encode(),
            scope["query_string"],
            headers.get(b"x-a", b""),
            body,
        ]
    )
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": reply[:5], "more_body": True})
    await send({"type": "http.response.body", "body": reply[5:]})


def test_sync_calls_drive_the_app_in_process() -> None:
    client = HttpClient(transport=AsgiTransport(echo_app))
    response = client.post("http://app/p%20q?x=1", content=b"body", headers={"X-A": "h"})
    assert response.text() == "POST|/p q|x=1|h|body"
    assert client.get("http://app/redirect").text().startswith("GET|/final")


def test_async_calls(run_async: Run) -> None:
    async def go() -> str:
        async with AsyncHttpClient(transport=AsgiTransport(echo_app)) as client:
            return (await client.put("http://app/x", json={"a": 1})).text()

    assert run_async(go()) == 'PUT|/x|||{"a":1}'


def test_app_failures_become_http_errors() -> None:
    async def crashes(scope: dict[str, Any], receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    async def silent(scope: dict[str, Any], receive: Any, send: Any) -> None:
        return None

    async def big(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x" * 2000})

    with pytest.raises(HttpError, match="RuntimeError: boom"):
        HttpClient(transport=AsgiTransport(crashes)).get("http://app/")
    with pytest.raises(HttpError, match="without a response"):
        HttpClient(transport=AsgiTransport(silent)).get("http://app/")
    with pytest.raises(HttpError, match="limit"):
        HttpClient(HttpClientConfig(max_response_bytes=1000), transport=AsgiTransport(big)).get(
            "http://app/"
        )


async def sleeps(scope: dict[str, Any], receive: Any, send: Any) -> None:
    import asyncio

    await asyncio.sleep(0.001)
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@pytest.mark.native_only(reason="a sync call runs the app on a fresh asyncio loop only natively")
def test_natively_a_sync_call_may_await_the_loop() -> None:
    assert HttpClient(transport=AsgiTransport(sleeps)).get("http://app/").status == 204


@pytest.mark.skip_runtime("native", reason="natively a sync call gets its own asyncio loop")
def test_elsewhere_an_app_that_awaits_the_loop_needs_the_async_client() -> None:
    with pytest.raises(HttpError, match="AsyncHttpClient"):
        HttpClient(HttpClientConfig(max_retries=0), transport=AsgiTransport(sleeps)).get(
            "http://app/"
        )
