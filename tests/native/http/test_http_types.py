"""Requests, headers and responses: building, validation, decoding (no I/O)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra_portable.errors import HttpError, InfraError, SerializationError
from infra_portable.http import Headers, Request, Response, parse_retry_after


def test_builder_makes_the_seed_request() -> None:
    request = (
        Request.post("https://api.example/v1/chat")
        .header("X-Trace", "abc")
        .bearer_auth("tok")
        .json({"model": "m", "n": 1})
        .timeout(5)
        .query({"stream": "true"})
        .build()
    )
    assert request.method == "POST"
    assert request.url == "https://api.example/v1/chat?stream=true"
    assert request.headers["authorization"] == "Bearer tok"
    assert request.headers.get("content-type") == "application/json"
    assert request.json() == {"model": "m", "n": 1}
    assert request.timeout == 5


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("not a url", "scheme"),
        ("ftp://host/x", "scheme"),
        ("http://", "no host"),
        ("http://host:99999/", "port"),
        ("http://host/a b", "whitespace"),
        ("/relative/path", "scheme"),
    ],
)
def test_bad_urls_are_http_errors_naming_the_url(url: str, fragment: str) -> None:
    with pytest.raises(HttpError) as info:
        Request.get(url).build()
    assert fragment in str(info.value)
    assert info.value.url == url


def test_bad_method_timeout_and_body() -> None:
    with pytest.raises(HttpError, match="unknown HTTP method"):
        Request.builder("FETCH", "http://h/").build()
    with pytest.raises(HttpError, match="timeout"):
        Request.get("http://h/").timeout(0).build()
    with pytest.raises(HttpError, match="timeout"):
        Request.get("http://h/").timeout(-1).build()


TOKEN_CHARS = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@given(st.text(min_size=1, max_size=20), st.text(max_size=20))
def test_header_injection_is_refused(name: str, value: str) -> None:
    sendable = set(name) <= TOKEN_CHARS and value.isascii() and not set(value) & set("\r\n\0")
    if not sendable:
        with pytest.raises(HttpError, match="invalid header"):
            Request.get("http://h/").header(name, value).build()
    else:
        sent = Request.get("http://h/").header(name, value).build().headers[name]
        assert sent == value.strip(" \t")  # surrounding whitespace is not part of a value


def test_iris_become_ascii_urls() -> None:
    assert (
        Request.get("http://bücher.example/päth?q=ü").build().url
        == "http://xn--bcher-kva.example/p%C3%A4th?q=%C3%BC"
    )
    assert (
        Request.get("http://h/already%20quoted?a=b").build().url == "http://h/already%20quoted?a=b"
    )


def test_headers_are_case_insensitive_and_multi_valued() -> None:
    headers = Headers([("Set-Cookie", "a=1"), ("set-cookie", "b=2"), ("X-One", "1")])
    assert headers.get_all("SET-COOKIE") == ["a=1", "b=2"]
    assert headers["x-one"] == "1"
    assert "X-ONE" in headers
    headers.set("x-one", "2")
    assert headers.get_all("X-One") == ["2"]
    assert headers.to_dict()["set-cookie"] == "a=1, b=2"
    assert "secret" not in repr(Headers({"Authorization": "Bearer secret"}))
    with pytest.raises(KeyError):
        headers["missing"]


def test_response_status_and_error_for_status() -> None:
    ok = Response(204, url="http://h/x")
    assert ok.error_for_status() is ok
    failed = Response(429, {"Retry-After": "7"}, b'{"error": "slow down"}', url="http://h/x")
    with pytest.raises(HttpError) as info:
        failed.error_for_status()
    error = info.value
    assert (error.status, error.url, error.retry_after) == (429, "http://h/x", 7.0)
    assert error.is_retryable
    assert "slow down" in str(error)
    with pytest.raises(HttpError) as info:
        Response(404, url="http://h/y").error_for_status()
    assert not info.value.is_retryable


def test_response_decoding_errors_are_infra_errors() -> None:
    response = Response(200, {"Content-Type": "text/plain; charset=latin-1"}, "é".encode("latin-1"))
    assert response.text() == "é"
    with pytest.raises(SerializationError):
        Response(200, {}, b"\xff\xfe\xfd").text()
    with pytest.raises(InfraError):
        Response(200, {}, b"{not json").json()


def test_a_streamed_body_is_not_content() -> None:
    response = Response(200, stream=iter([b"ab", b"cd"]))
    with pytest.raises(HttpError, match="streamed"):
        _ = response.content
    assert response.read() == b"abcd"
    assert response.content == b"abcd"


def test_retry_after_forms() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 3 ") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None
    assert parse_retry_after("1.5") == 1.5
    with pytest.raises(HttpError) as info:
        Response(503, {"retry-after-ms": "250", "Retry-After": "9"}).error_for_status()
    assert info.value.retry_after == 0.25
    # an HTTP-date 30 s after "now"
    now = 1_700_000_000.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", now=now) == pytest.approx(30.0)
    assert parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now=now) == 0.0


def test_close_callbacks_run_once_when_a_stream_ends(run_coro: Any) -> None:
    seen: list[str] = []
    response = Response(200, stream=iter([b"a", b"b"]), close=lambda: seen.append("transport"))
    response.on_close(lambda: seen.append("hook"))
    assert list(response.iter_bytes()) == [b"a", b"b"]
    response.close()
    assert seen == ["transport", "hook"]

    async def chunks() -> Any:
        yield b"x"

    streamed = Response(200, astream=chunks())
    streamed.on_close(lambda: seen.append("async hook"))
    run_coro(streamed.aclose())
    run_coro(streamed.aclose())
    assert seen == ["transport", "hook", "async hook"]


@pytest.mark.parametrize(
    "options",
    [
        {"timeout": "5"},
        {"timeout": 0},
        {"timeout": float("nan")},
        {"max_retries": True},
        {"max_retries": -1},
        {"retry_jitter": 2},
        {"max_response_bytes": 0},
        {"max_redirects": "3"},
    ],
)
def test_bad_client_settings_are_validation_errors_naming_the_field(options: Any) -> None:
    from infra_portable.errors import ValidationError
    from infra_portable.http import HttpClientConfig

    with pytest.raises(ValidationError) as info:
        HttpClientConfig(**options)
    assert info.value.field == next(iter(options))
