"""Junk arguments to the http API are InfraErrors that name what is wrong (no I/O).

The shared ``Headers`` type and server responses reject a wrong argument with a
ValidationError naming the field; the client's request-building path keeps its
own kind, HttpError (like a bad header name or URL there), with the URL.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from infra_portable.errors import ConfigError, HttpError, ValidationError
from infra_portable.http import (
    Headers,
    HttpClient,
    HttpClientConfig,
    Request,
    Response,
    ServerResponse,
    check_status,
    parse_retry_after,
    reason_phrase,
)
from infra_portable.sim import MockTransport

URL = "https://h/x"

# Not headers: not iterable, or iterable of things that are not (name, value) pairs.
BAD_HEADERS: list[Any] = [
    -1,
    1.5,
    True,
    object(),
    "x",
    b"\xff",
    [1, 2],
    [("a",)],
    [("a", "b", "c")],
]


@pytest.mark.parametrize("bad", BAD_HEADERS, ids=repr)
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(Headers, id="Headers"),
        pytest.param(lambda h: Request("GET", URL, headers=h), id="Request"),
        pytest.param(lambda h: Response(200, headers=h), id="Response"),
        pytest.param(lambda h: ServerResponse(b"", headers=h), id="ServerResponse"),
    ],
)
def test_headers_of_the_wrong_shape_are_a_validation_error(
    make: Callable[[Any], object], bad: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        make(bad)
    assert caught.value.field == "headers"
    assert caught.value.actual == repr(bad)
    # The failure that revealed the shape stays visible as the cause.
    assert isinstance(caught.value.__cause__, TypeError | ValueError)


def test_good_headers_still_build() -> None:
    assert Headers([("A", "1"), ("b", "2")]).items() == [("A", "1"), ("b", "2")]
    assert Headers({"a": 1}).get("A") == "1"
    assert Headers(None).items() == []


@pytest.mark.parametrize("bad", BAD_HEADERS, ids=repr)
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda h: HttpClient(transport=MockTransport()).get(URL, headers=h), id="get"),
        pytest.param(
            lambda h: HttpClient(transport=MockTransport()).request("GET", URL, headers=h),
            id="request",
        ),
        pytest.param(lambda h: Request.get(URL).headers(h), id="builder"),
        pytest.param(Headers.checked, id="checked"),
    ],
)
def test_request_headers_of_the_wrong_shape_are_an_http_error(
    make: Callable[[Any], object], bad: Any
) -> None:
    with pytest.raises(HttpError, match="headers must be") as caught:
        make(bad)
    assert caught.value.status is None
    assert caught.value.url in (URL, None)


def test_a_bad_header_name_is_still_an_http_error() -> None:
    with pytest.raises(HttpError, match="invalid header"):
        HttpClient(transport=MockTransport()).get(URL, headers={"a b": "x"})


@pytest.mark.parametrize("bad", [-1, 1.5, True, object(), "x", b"\xff", [1, 2], [("k",)]], ids=repr)
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda p: HttpClient(transport=MockTransport()).request("GET", URL, params=p),
            id="request",
        ),
        pytest.param(lambda p: Request.get(URL).query(p).build(), id="builder"),
    ],
)
def test_params_of_the_wrong_shape_are_an_http_error(
    make: Callable[[Any], object], bad: Any
) -> None:
    with pytest.raises(HttpError, match="params must be") as caught:
        make(bad)
    assert caught.value.url == URL


def test_good_params_still_build() -> None:
    request = HttpClient(transport=MockTransport()).build_request(
        "GET", URL, params=[("a", 1), ("b", "x y")]
    )
    assert request.url == URL + "?a=1&b=x+y"


@pytest.mark.parametrize(
    "bad", [-1, 1.5, b"\xff", object(), ["text/plain"], "text/x\r\nx-evil: 1", "text/✓"], ids=repr
)
def test_a_bad_media_type_is_a_validation_error(bad: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        ServerResponse(b"", media_type=bad)
    assert caught.value.field == "media_type"


def test_a_good_media_type_is_sent() -> None:
    response = ServerResponse(b"", media_type="text/csv")
    assert response.headers.get("content-type") == "text/csv; charset=utf-8"


@pytest.mark.parametrize("bad", [-1, 0, 1.5, True, b"\xff", b"5", [], object()], ids=repr)
def test_parse_retry_after_of_a_non_text_is_a_validation_error(bad: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_retry_after(bad)
    assert caught.value.field == "value"


@pytest.mark.parametrize("bad", ["x", -1, math.nan, True], ids=repr)
def test_parse_retry_after_with_a_bad_now_is_a_validation_error(bad: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", now=bad)
    assert caught.value.field == "now"


def test_parse_retry_after_still_returns_none_for_unparseable_text() -> None:
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("\x00") is None
    assert parse_retry_after("7") == 7.0


@pytest.mark.parametrize("bad", [[], {}, None, "200", 1.5, True, object()], ids=repr)
def test_reason_phrase_of_a_non_int_is_a_validation_error(bad: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        reason_phrase(bad)
    assert caught.value.field == "status"


def test_reason_phrase_of_an_int() -> None:
    assert reason_phrase(404) == "Not Found"
    assert reason_phrase(299) == ""
    assert reason_phrase(-1) == ""


# -- HttpClientConfig.from_config ---------------------------------------------------------
def test_client_config_from_a_mapping_and_a_config() -> None:
    from infra_portable.config import Config

    tree = {"http": {"timeout_secs": "5", "max_retries": 4, "retry_delay_ms": 250}}
    for source in (tree, Config(tree)):
        config = HttpClientConfig.from_config(source)
        assert (config.timeout, config.max_retries, config.retry_delay) == (5.0, 4, 0.25)
        assert config.max_redirects == HttpClientConfig().max_redirects


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("timeout_secs", "soon"),
        ("max_retries", "1.5"),
        ("max_retries", None),
        ("max_redirects", [3]),
        ("max_response_bytes", math.inf),
        ("retry_delay_ms", {}),
    ],
)
def test_client_config_values_that_are_not_numbers_are_config_errors(key: str, value: Any) -> None:
    with pytest.raises(ConfigError) as info:
        HttpClientConfig.from_config({"http": {key: value}})
    assert info.value.key == f"http.{key}"


def test_client_config_numbers_out_of_range_are_validation_errors() -> None:
    with pytest.raises(ValidationError) as info:
        HttpClientConfig.from_config({"http": {"timeout_secs": -1}})
    assert info.value.field == "timeout"


@pytest.mark.parametrize("bad", [99, 600, True, "200", None, 200.0])
def test_check_status_refuses_what_is_not_a_status(bad: Any) -> None:
    with pytest.raises(ValidationError) as info:
        check_status(bad)
    assert info.value.field == "status"
    assert check_status(599) == 599
