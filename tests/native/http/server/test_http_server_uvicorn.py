"""The same app over a real socket: uvicorn on 127.0.0.1, reached with the real HttpClient.

Native only: uvicorn needs listening sockets and a thread to run in. The client
is the runtime's default transport (httpx; the standard library's http.client
when INFRA_PORTABLE_BLOCK_NATIVE=1 hides httpx). In Pyodide and WASI ``serve``
refuses with an HttpError that points at AsgiTransport (the last tests).
"""

from __future__ import annotations

import asyncio
import http.client
import socket
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from infra_portable.errors import ConfigError, HttpError
from infra_portable.http import HttpClient, HttpClientConfig
from infra_portable.http.server import (
    App,
    HttpServer,
    HttpServerConfig,
    RequestIdMiddleware,
    ServerRequest,
    SseResponse,
    serve,
    serving,
)

NEEDS_SOCKETS = "uvicorn listens on a socket from a thread; Pyodide and WASI have neither"


STREAM_CLOSED: list[bool] = []


def _app() -> App:
    app = App(max_body_bytes=1024)
    app.add_middleware(RequestIdMiddleware)

    @app.get("/v1/models/{name}")
    async def model(request: ServerRequest) -> Any:
        return {"name": request.path_params["name"], "q": request.query.get_all("q")}

    @app.post("/v1/echo")
    async def echo(request: ServerRequest) -> Any:
        return {"got": await request.json()}

    @app.get("/v1/stream")
    async def stream(request: ServerRequest) -> Any:
        async def tokens() -> Any:
            for i in range(3):
                await asyncio.sleep(0.001)
                yield {"i": i}

        return SseResponse(tokens())

    @app.get("/v1/endless")
    async def endless(request: ServerRequest) -> Any:
        async def tokens() -> Any:
            try:
                for i in range(100_000):
                    await asyncio.sleep(0.005)
                    yield {"i": i}
            finally:
                STREAM_CLOSED.append(True)

        return SseResponse(tokens())

    @app.get("/v1/slow")
    async def slow(request: ServerRequest) -> Any:
        await asyncio.sleep(30)
        return "late"

    @app.get("/v1/crash")
    async def crash(request: ServerRequest) -> Any:
        raise RuntimeError("secret internals")

    return app


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    pytest.importorskip("uvicorn", reason="the server extra is not installed (or is blocked)")
    if sys.platform in ("emscripten", "wasi"):
        pytest.skip(NEEDS_SOCKETS)
    config = HttpServerConfig(port=0, log_level="warning", request_timeout=0.5)
    with serving(_app(), config) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[HttpClient]:
    with HttpClient(HttpClientConfig(max_retries=0, base_url=base_url)) as client:
        yield client


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_json_over_a_real_socket(client: HttpClient, base_url: str) -> None:
    assert urlsplit(base_url).hostname == "127.0.0.1"
    response = client.get("/v1/models/a%2Fb?q=1&q=2")
    assert response.status == 200
    assert response.json() == {"name": "a/b", "q": ["1", "2"]}
    assert response.headers.get("x-request-id")
    assert client.post("/v1/echo", json={"x": [1]}).json() == {"got": {"x": [1]}}
    head = client.head("/v1/models/x")
    assert (head.status, head.content) == (200, b"")


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_malformed_json_over_a_real_socket(client: HttpClient) -> None:
    response = client.post(
        "/v1/echo", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status == 400
    assert response.headers.get("content-type") == "application/problem+json"
    assert response.json()["kind"] == "serialization"
    assert (
        client.post("/v1/echo", content=b"{}", headers={"content-type": "text/csv"}).status == 415
    )


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_oversize_body_over_a_real_socket(client: HttpClient) -> None:
    response = client.post(
        "/v1/echo",
        content=b"[" + b"1," * 5000 + b"1]",
        headers={"content-type": "application/json"},
    )
    assert response.status == 413
    assert response.json()["status"] == 413


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_oversize_chunked_body_is_refused_while_it_arrives(base_url: str) -> None:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        chunks = (b"x" * 512 for _ in range(8))  # 4 KiB, no Content-Length
        connection.request(
            "POST",
            "/v1/echo",
            body=chunks,
            headers={"content-type": "application/json"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        assert response.status == 413
        assert b"1024-byte" in response.read()
    finally:
        connection.close()


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_sse_over_a_real_socket(client: HttpClient) -> None:
    with client.stream("GET", "/v1/stream") as response:
        assert response.headers.get("content-type") == "text/event-stream; charset=utf-8"
        assert [event.json() for event in response.iter_sse()] == [{"i": 0}, {"i": 1}, {"i": 2}]


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_a_stream_stops_when_the_client_leaves(client: HttpClient) -> None:
    import time

    with client.stream("GET", "/v1/endless") as response:
        events = response.iter_sse()
        assert [next(events).json() for _ in range(2)] == [{"i": 0}, {"i": 1}]
    deadline = time.monotonic() + 10  # uvicorn notices the closed socket, the generator is closed
    while not STREAM_CLOSED and time.monotonic() < deadline:
        time.sleep(0.02)
    assert STREAM_CLOSED == [True]


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_request_timeout_and_500_over_a_real_socket(client: HttpClient) -> None:
    slow = client.get("/v1/slow")
    assert slow.status == 504
    assert slow.json()["status"] == 504
    crash = client.get("/v1/crash")
    assert crash.status == 500
    assert "secret" not in crash.text()
    assert "Traceback" not in crash.text()


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_http_server_seed_api_serves_and_stops() -> None:
    pytest.importorskip("uvicorn", reason="the server extra is not installed (or is blocked)")
    server = HttpServer(HttpServerConfig(port=0, log_level="warning", max_connections=8))
    server.get("/health", lambda request: {"ok": True})
    with server.serving() as url, HttpClient(HttpClientConfig(max_retries=0)) as client:
        assert client.get(url + "/health").json() == {"ok": True}
        port = urlsplit(url).port
    with socket.socket() as probe:  # stopped: the port no longer accepts connections
        probe.settimeout(2)
        assert probe.connect_ex(("127.0.0.1", port or 0)) != 0


@pytest.mark.native_only(reason=NEEDS_SOCKETS)
def test_a_busy_port_is_an_http_error() -> None:
    pytest.importorskip("uvicorn", reason="the server extra is not installed (or is blocked)")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            pytest.raises(HttpError, match="cannot listen"),
            serving(App(), HttpServerConfig(port=port)),
        ):
            pass


@pytest.mark.native_only(
    reason="the missing-uvicorn message is only reachable where serving is possible"
)
def test_missing_uvicorn_is_an_http_error_with_a_hint(
    monkeypatch: pytest.MonkeyPatch, run_async: Any
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # makes `import uvicorn` fail
    with pytest.raises(HttpError, match=r"infra-portable\[server\]"):
        run_async(serve(App()))


@pytest.mark.skip_runtime(
    "native", reason="CPython has sockets: serving works there (the tests above)"
)
def test_serving_outside_native_points_at_asgi_transport(run_coro: Any) -> None:
    with pytest.raises(HttpError, match="AsgiTransport"):
        run_coro(serve(App()))
    with pytest.raises(HttpError, match="AsgiTransport"), serving(App()):
        pass
    with pytest.raises(HttpError, match="AsgiTransport"):
        HttpServer().run()


def test_server_config() -> None:
    config = HttpServerConfig()
    assert (config.host, config.port, config.bind_addr) == ("127.0.0.1", 8000, "127.0.0.1:8000")
    v6 = HttpServerConfig.from_bind_addr("[::1]:9000", max_connections=10)
    assert (v6.host, v6.port, v6.bind_addr, v6.max_connections) == ("::1", 9000, "[::1]:9000", 10)
    assert v6.url == "http://[::1]:9000"
    for bad in (
        {"port": 70000},
        {"port": -1},
        {"host": ""},
        {"max_connections": 0},
        {"request_timeout": 0},
        {"request_timeout": float("nan")},
        {"log_level": "loud"},
    ):
        with pytest.raises(ConfigError):
            HttpServerConfig(**bad)
    for bad_addr in ("nohost", ":80", "host:http"):
        with pytest.raises(ConfigError):
            HttpServerConfig.from_bind_addr(bad_addr)
    assert HttpServerConfig(request_timeout=None).request_timeout is None


@pytest.mark.native_only(
    reason="building a uvicorn config imports uvicorn, which only serves natively"
)
def test_config_maps_onto_uvicorn() -> None:
    pytest.importorskip("uvicorn", reason="the server extra is not installed (or is blocked)")
    from infra_portable.http.server._serve import uvicorn_config

    config = HttpServerConfig(
        host="0.0.0.0", port=8123, max_connections=64, log_level="error", request_timeout=None
    )
    built = uvicorn_config(App(), config)
    assert (built.host, built.port, built.limit_concurrency, built.log_level) == (
        "0.0.0.0",
        8123,
        64,
        "error",
    )
    assert built.access_log is False
