"""The client against a real loopback server, over this runtime's default transport.

Natively that is httpx (the standard library's http.client when native
dependencies are blocked), in Pyodide Chromium's fetch, under WASI the host's
HTTP bridge: the same tests, the same server, every runtime.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra_portable.errors import HttpError, InfraError
from infra_portable.http import AsyncHttpClient, HttpClient, HttpClientConfig, Response
from infra_portable.runtime import current

RUNTIME = current().value
BROWSER_REDIRECTS = "the browser's fetch follows redirects itself (Fetch's limit of 20)"
_keys = itertools.count()


def fresh_key(name: str) -> str:
    """A key no other test (or earlier run against the same server) used."""
    import os

    return f"{name}-{os.getpid()}-{next(_keys)}-{id(_keys)}"


FAST = HttpClientConfig(retry_delay=0.0, timeout=10.0)


class Caller:
    """Runs one client call sync or async, so every test covers both APIs."""

    def __init__(self, mode: str, run_async: Callable[[Coroutine[Any, Any, Any]], Any]) -> None:
        self.mode = mode
        self._run = run_async

    def __call__(
        self, method: str, url: str, config: HttpClientConfig = FAST, **kwargs: Any
    ) -> Response:
        if self.mode == "sync":
            with HttpClient(config) as client:
                return client.request(method, url, **kwargs)

        async def go() -> Response:
            async with AsyncHttpClient(config) as client:
                return await client.request(method, url, **kwargs)

        return self._run(go())  # type: ignore[no-any-return]

    def stream_chunks(self, url: str, config: HttpClientConfig = FAST) -> list[bytes]:
        if self.mode == "sync":
            with HttpClient(config) as client, client.stream("GET", url) as response:
                response.error_for_status()
                return list(response.iter_bytes())

        async def go() -> list[bytes]:
            async with AsyncHttpClient(config) as client, client.stream("GET", url) as response:
                response.error_for_status()
                return [chunk async for chunk in response.aiter_bytes()]

        return self._run(go())  # type: ignore[no-any-return]

    def sse(self, url: str) -> list[Any]:
        if self.mode == "sync":
            with HttpClient(FAST) as client, client.stream("GET", url) as response:
                return list(response.iter_sse())

        async def go() -> list[Any]:
            async with AsyncHttpClient(FAST) as client, client.stream("GET", url) as response:
                return [event async for event in response.aiter_sse()]

        return self._run(go())  # type: ignore[no-any-return]


@pytest.fixture(params=["sync", "async"])
def call(
    request: pytest.FixtureRequest, run_async: Callable[[Coroutine[Any, Any, Any]], Any]
) -> Caller:
    return Caller(request.param, run_async)


def test_get_json_with_query_and_headers(call: Caller, http_url: str) -> None:
    response = call(
        "GET", f"{http_url}/echo", params={"q": "a b", "n": 1}, headers={"X-Trace": "t-1"}
    )
    assert response.status == 200
    assert response.is_success
    echoed = response.json()
    assert echoed["method"] == "GET"
    assert echoed["query"] == {"q": "a b", "n": "1"}
    assert echoed["headers"]["x-trace"] == "t-1"
    assert response.headers.get("content-type") == "application/json"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_json_bodies_on_every_method(call: Caller, http_url: str, method: str) -> None:
    body = {"model": "m-1", "messages": [{"role": "user", "content": "héllo ✓"}]}
    echoed = call(method, f"{http_url}/echo", json=body).error_for_status().json()
    assert echoed["method"] == method
    assert echoed["headers"]["content-type"] == "application/json"
    from infra_portable.json import loads

    assert loads(echoed["body"]) == body


def test_binary_bodies_round_trip(call: Caller, http_url: str) -> None:
    payload = bytes(range(256)) * 4
    echoed = call(
        "POST",
        f"{http_url}/echo",
        content=payload,
        headers={"Content-Type": "application/octet-stream"},
    ).json()
    assert base64.b64decode(echoed["body_b64"]) == payload
    assert echoed["body_sha256"] == hashlib.sha256(payload).hexdigest()
    got = call("GET", f"{http_url}/bytes/70000").content
    assert got == bytes(i % 256 for i in range(70000))


def test_head_has_no_body(call: Caller, http_url: str) -> None:
    response = call("HEAD", f"{http_url}/bytes/100")
    assert response.status == 200
    assert response.content == b""


def test_error_statuses_are_returned_then_raised(call: Caller, http_url: str) -> None:
    response = call("GET", f"{http_url}/status/404")
    assert response.status == 404
    with pytest.raises(HttpError) as info:
        response.error_for_status()
    assert info.value.status == 404
    assert info.value.url == f"{http_url}/status/404"
    assert not info.value.is_retryable


def test_retryable_statuses_are_retried_until_success(call: Caller, http_url: str) -> None:
    key = fresh_key("retry")
    response = call("GET", f"{http_url}/fail-times/{key}/2")  # 503 twice, then 200
    assert response.status == 200
    assert response.json()["attempt"] == 3


def test_retries_give_up_with_a_retryable_error(call: Caller, http_url: str) -> None:
    key = fresh_key("give-up")
    config = HttpClientConfig(retry_delay=0.0, max_retries=1)
    response = call("GET", f"{http_url}/fail-times/{key}/5", config=config)
    assert response.status == 503
    with pytest.raises(HttpError) as info:
        response.error_for_status()
    assert info.value.is_retryable
    assert info.value.retry_after == 0.0
    assert call("GET", f"{http_url}/count/{key}").json()["count"] == 2  # one try + one retry


def test_a_retry_after_beyond_the_limit_is_not_waited_for(call: Caller, http_url: str) -> None:
    key = fresh_key("retry-after")
    config = HttpClientConfig(retry_delay=0.0, max_retry_after=1.0)
    response = call(
        "GET", f"{http_url}/fail-times/{key}/5", params={"retry_after": "3600"}, config=config
    )
    assert response.status == 503
    assert response.headers["retry-after"] == "3600"
    assert call("GET", f"{http_url}/count/{key}").json()["count"] == 1  # no retry was made


def test_under_thirty_percent_failures_every_call_succeeds_or_ends_retryable(
    call: Caller, http_url: str
) -> None:
    key = fresh_key("flaky")
    config = HttpClientConfig(retry_delay=0.0, max_retries=3)
    outcomes = {"ok": 0, "retryable": 0, "other": 0}
    for i in range(12):
        response = call(
            "GET", f"{http_url}/flaky/{key}-{i}", params={"rate": "0.3", "seed": "7"}, config=config
        )
        error = _status_error(response)
        outcome = "ok" if error is None else "retryable" if error.is_retryable else "other"
        outcomes[outcome] += 1
    assert outcomes["other"] == 0
    assert outcomes["ok"] + outcomes["retryable"] == 12
    assert outcomes["ok"] >= 10  # 4 tries at 30 %: a call fails in 0.8 % of cases


def _status_error(response: Response) -> InfraError | None:
    try:
        response.error_for_status()
    except InfraError as exc:
        return exc
    return None


@pytest.mark.skip_runtime("pyodide", reason=BROWSER_REDIRECTS)
def test_redirects_are_followed_up_to_the_limit(call: Caller, http_url: str) -> None:
    echoed = call("GET", f"{http_url}/redirect/3").json()
    assert echoed["path"] == "/echo"
    with pytest.raises(HttpError, match="too many redirects") as info:
        call("GET", f"{http_url}/redirect/5", config=HttpClientConfig(max_redirects=2))
    assert info.value.status == 302
    unfollowed = call(
        "GET", f"{http_url}/redirect/1", config=HttpClientConfig(follow_redirects=False)
    )
    assert unfollowed.status == 302
    assert unfollowed.headers["location"].startswith("/redirect/0")


def test_redirects_within_the_browser_limit_arrive(call: Caller, http_url: str) -> None:
    assert call("GET", f"{http_url}/redirect/2").json()["path"] == "/echo"


@pytest.mark.skip_runtime("pyodide", reason=BROWSER_REDIRECTS)
def test_303_turns_a_post_into_a_get_and_307_keeps_it(call: Caller, http_url: str) -> None:
    seen = call("POST", f"{http_url}/redirect/1", params={"status": "303"}, json={"a": 1}).json()
    assert seen["method"] == "GET"
    assert seen["body"] == ""
    kept = call("POST", f"{http_url}/redirect/1", params={"status": "307"}, json={"a": 1}).json()
    assert kept["method"] == "POST"
    assert kept["body"] == '{"a":1}'


def test_the_response_size_limit(call: Caller, http_url: str) -> None:
    small = HttpClientConfig(max_response_bytes=1000, max_retries=0)
    assert len(call("GET", f"{http_url}/bytes/1000", config=small).content) == 1000
    for path in ("/bytes/5000", "/chunked/50000"):
        with pytest.raises(HttpError, match="limit") as info:
            call("GET", f"{http_url}{path}", config=small)
        assert info.value.url == f"{http_url}{path}"


def test_streamed_bodies_arrive_whole(call: Caller, http_url: str) -> None:
    chunks = call.stream_chunks(f"{http_url}/chunked/100000")
    assert b"".join(chunks) == bytes(i % 256 for i in range(100000))
    with pytest.raises(HttpError, match="limit"):
        call.stream_chunks(
            f"{http_url}/chunked/100000", config=HttpClientConfig(max_response_bytes=50000)
        )


def test_server_sent_events(call: Caller, http_url: str) -> None:
    events = call.sse(f"{http_url}/sse?n=5")
    assert [e.event for e in events] == ["token"] * 5 + ["message"]
    assert [e.json()["i"] for e in events[:5]] == [0, 1, 2, 3, 4]
    assert events[3].id == "3"
    assert events[-1].data == "[DONE]"


def test_a_timeout_is_a_retryable_http_error(call: Caller, http_url: str) -> None:
    config = HttpClientConfig(timeout=0.3, max_retries=0)
    with pytest.raises(HttpError) as info:
        call("GET", f"{http_url}/slow", params={"ms": "3000"}, config=config)
    assert "timed out" in str(info.value).lower() or "timeout" in str(info.value).lower()
    assert info.value.status is None
    assert info.value.is_retryable
    assert info.value.url is not None
    assert "/slow" in info.value.url


def test_an_unreachable_server_is_a_retryable_http_error(call: Caller, http_url: str) -> None:
    dead = "http://127.0.0.1:9/echo"  # the discard port: nothing listens on loopback
    with pytest.raises(HttpError) as info:
        call("GET", dead, config=HttpClientConfig(max_retries=0, timeout=5.0))
    assert info.value.status is None
    assert info.value.is_retryable
    assert info.value.url == dead


def test_bad_input_is_refused_before_anything_is_sent(call: Caller, http_url: str) -> None:
    with pytest.raises(HttpError, match="header"):
        call("GET", f"{http_url}/echo", headers={"X-Bad": "a\r\nInjected: 1"})
    with pytest.raises(HttpError, match="scheme"):
        call("GET", "file:///etc/passwd")


@settings(max_examples=25)
@given(
    value=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    # "." and ".." are dot-segments every URL parser removes (RFC 3986 §5.2.4)
    path=st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20).filter(
        lambda p: p not in (".", "..")
    ),
)
def test_any_header_value_and_path_arrive_as_sent(http_url: str, value: str, path: str) -> None:
    from urllib.parse import quote

    quoted = quote(path, safe="")
    with HttpClient(FAST) as client:
        echoed = client.get(f"{http_url}/echo/{quoted}", headers={"X-Value": value}).json()
    assert echoed["headers"]["x-value"] == value.strip(
        " \t"
    )  # RFC 9110 §5.5: no surrounding whitespace
    assert echoed["path"] == f"/echo/{quoted}"
