"""Middleware: request IDs, CORS (preflight and actual requests), the request deadline, lifespan."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from infra_portable.errors import ConfigError, ValidationError
from infra_portable.http.server import (
    App,
    CorsMiddleware,
    HttpProblem,
    RequestIdMiddleware,
    ServerRequest,
    TimeoutMiddleware,
)
from infra_portable.id import parse_ulid


def _app() -> App:
    app = App()

    @app.get("/id")
    async def show_id(request: ServerRequest) -> Any:
        return {"id": request.request_id, "state": request.state.get("request_id")}

    @app.get("/missing")
    async def missing(request: ServerRequest) -> Any:
        raise HttpProblem("no such thing", status=404)

    @app.post("/data")
    async def data(request: ServerRequest) -> Any:
        return await request.json()

    return app


# -- request IDs -------------------------------------------------------------------


def test_request_id_is_generated_echoed_and_in_state(client_for: Any) -> None:
    app = _app()
    app.add_middleware(RequestIdMiddleware)
    client = client_for(app)
    first = client.get("/id")
    request_id = first.headers.get("x-request-id")
    assert request_id is not None
    parse_ulid(request_id)  # a ULID
    assert first.json() == {"id": request_id, "state": request_id}
    assert client.get("/id").headers.get("x-request-id") != request_id


def test_a_safe_incoming_request_id_is_kept(client_for: Any) -> None:
    app = _app()
    app.add_middleware(RequestIdMiddleware)
    response = client_for(app).get("/id", headers={"X-Request-ID": "trace-abc.123:x"})
    assert response.headers.get("x-request-id") == "trace-abc.123:x"
    assert response.json()["id"] == "trace-abc.123:x"


@pytest.mark.parametrize("incoming", ["", "has space", "x" * 129, 'quote"', "<script>"])
def test_an_unsafe_incoming_request_id_is_replaced(client_for: Any, incoming: str) -> None:
    app = _app()
    app.add_middleware(RequestIdMiddleware, generate=lambda: "fresh")
    response = client_for(app).get("/id", headers={"X-Request-ID": incoming})
    assert response.headers.get("x-request-id") == "fresh"


def test_request_id_options_and_problems(client_for: Any) -> None:
    app = _app()
    app.add_middleware(
        RequestIdMiddleware, header="X-Trace", trust_incoming=False, generate=lambda: "mine"
    )
    response = client_for(app).get("/missing", headers={"X-Trace": "theirs"})
    assert response.status == 404
    assert response.headers.get("x-trace") == "mine"
    assert response.json()["request_id"] == "mine"  # in the problem, to quote in a bug report
    assert client_for(app).get("/no-route").json()["request_id"] == "mine"


# -- CORS ----------------------------------------------------------------------------

ORIGIN = "https://app.example"


def _cors(**options: Any) -> Any:
    app = _app()
    app.add_middleware(CorsMiddleware, **options)
    return app


def test_preflight_allowed(client_for: Any) -> None:
    app = _cors(
        allow_origins=[ORIGIN],
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Content-Type", "Authorization"],
        max_age=99,
    )
    response = client_for(app).options(
        "/data",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "DELETE",
            "Access-Control-Request-Headers": "content-type, Authorization",
        },
    )
    assert response.status == 204
    assert response.headers.get("access-control-allow-origin") == ORIGIN
    assert response.headers.get("access-control-allow-methods") == "DELETE, GET, POST"
    assert response.headers.get("access-control-allow-headers") == "content-type, authorization"
    assert response.headers.get("access-control-max-age") == "99"
    assert response.headers.get("access-control-allow-credentials") is None
    vary = response.headers.get("vary") or ""
    assert "Origin" in vary
    assert "Access-Control-Request-Method" in vary


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        {"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"},
        {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-secret",
        },
    ],
)
def test_preflight_refused_without_cors_headers(client_for: Any, headers: dict[str, str]) -> None:
    app = _cors(
        allow_origins=[ORIGIN], allow_methods=["GET", "POST"], allow_headers=["content-type"]
    )
    response = client_for(app).options("/data", headers=headers)
    assert response.status == 403
    assert response.headers.get("access-control-allow-origin") is None
    assert response.json()["status"] == 403


def test_simple_request_from_an_allowed_origin(client_for: Any) -> None:
    app = _cors(allow_origins=[ORIGIN], expose_headers=["X-Request-ID", "Retry-After"])
    app.add_middleware(RequestIdMiddleware)
    client = client_for(app)
    ok = client.get("/id", headers={"Origin": ORIGIN})
    assert ok.headers.get("access-control-allow-origin") == ORIGIN
    assert ok.headers.get("access-control-expose-headers") == "retry-after, x-request-id"
    assert ok.headers.get("vary") == "Origin"
    # errors carry the CORS headers too, so the page can read the problem
    missing = client.get("/missing", headers={"Origin": ORIGIN})
    assert missing.status == 404
    assert missing.headers.get("access-control-allow-origin") == ORIGIN
    # another origin gets the response without CORS headers (the browser hides it)
    other = client.get("/id", headers={"Origin": "https://evil.example"})
    assert other.status == 200
    assert other.headers.get("access-control-allow-origin") is None
    # no Origin: not a CORS request at all
    assert client.get("/id").headers.get("access-control-allow-origin") is None


def test_any_origin_without_credentials_uses_wildcards(client_for: Any) -> None:
    app = _cors(allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
    client = client_for(app)
    assert (
        client.get("/id", headers={"Origin": "https://x.example"}).headers.get(
            "access-control-allow-origin"
        )
        == "*"
    )
    preflight = client.options(
        "/data",
        headers={
            "Origin": "https://x.example",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "x-anything",
        },
    )
    assert preflight.status == 204
    assert preflight.headers.get("access-control-allow-origin") == "*"
    assert preflight.headers.get("access-control-allow-methods") == "*"
    assert preflight.headers.get("access-control-allow-headers") == "*"


def test_credentials_never_use_wildcards(client_for: Any) -> None:
    app = _cors(
        allow_origins=[ORIGIN], allow_methods=["*"], allow_headers=["*"], allow_credentials=True
    )
    client = client_for(app)
    simple = client.get("/id", headers={"Origin": ORIGIN})
    assert simple.headers.get("access-control-allow-origin") == ORIGIN
    assert simple.headers.get("access-control-allow-credentials") == "true"
    preflight = client.options(
        "/data",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "X-A, x-b",
        },
    )
    assert preflight.status == 204
    assert preflight.headers.get("access-control-allow-methods") == "PATCH"
    assert preflight.headers.get("access-control-allow-headers") == "x-a, x-b"
    assert preflight.headers.get("access-control-allow-credentials") == "true"


def test_non_preflight_options_reaches_the_app(client_for: Any) -> None:
    app = _cors(allow_origins=[ORIGIN])
    app.route("OPTIONS", "/opts", lambda request: "app options")
    response = client_for(app).options("/opts", headers={"Origin": ORIGIN})
    assert response.text() == "app options"
    assert response.headers.get("access-control-allow-origin") == ORIGIN


@pytest.mark.parametrize(
    "options",
    [
        {"allow_origins": ["*"], "allow_credentials": True},
        {"allow_origins": ["app.example"]},
        {"allow_origins": ["https://app.example/path"]},
        {"allow_origins": [ORIGIN], "allow_headers": "content-type"},
        {"allow_origins": [ORIGIN], "allow_methods": ["GET, POST"]},
        {"allow_origins": [ORIGIN], "max_age": -1},
    ],
)
def test_bad_cors_options_are_config_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        CorsMiddleware(_app(), **options)


def test_configured_origins_are_normalised(client_for: Any) -> None:
    app = _cors(allow_origins=["HTTPS://App.Example/", "null"])
    client = client_for(app)
    assert (
        client.get("/id", headers={"Origin": ORIGIN}).headers.get("access-control-allow-origin")
        == ORIGIN
    )
    assert (
        client.get("/id", headers={"Origin": "null"}).headers.get("access-control-allow-origin")
        == "null"
    )


# -- the request deadline -------------------------------------------------------------


def _slow_app() -> App:
    app = App()

    @app.get("/fast")
    async def fast(request: ServerRequest) -> Any:
        return {"fast": True}

    @app.get("/slow")
    async def slow(request: ServerRequest) -> Any:
        await asyncio.Event().wait()  # never set: only the deadline ends it
        return {"unreachable": True}

    return app


def test_a_fast_request_passes_the_deadline_everywhere(client_for: Any) -> None:
    app = _slow_app()
    app.add_middleware(TimeoutMiddleware, timeout=30)
    assert client_for(app).get("/fast").json() == {"fast": True}


@pytest.mark.skip_runtime(
    "wasi",
    reason="WASI drives coroutines by hand: there is no event loop, so no timer for a deadline",
)
def test_a_slow_handler_gets_504(run_async: Any, async_client_for: Any) -> None:
    app = _slow_app()
    app.add_middleware(TimeoutMiddleware, timeout=0.05)
    app.add_middleware(RequestIdMiddleware, generate=lambda: "rid")

    async def go() -> Any:
        async with async_client_for(app) as client:
            return await client.get("/slow")

    response = run_async(go())
    assert response.status == 504
    assert response.headers.get("content-type") == "application/problem+json"
    assert response.headers.get("x-request-id") == "rid"
    problem = response.json()
    assert problem["status"] == 504
    assert problem["retryable"] is True


def test_bad_timeouts() -> None:
    for timeout in (0, -1, float("inf"), float("nan"), "5", True):
        with pytest.raises(ValidationError) as info:
            TimeoutMiddleware(_app(), timeout=timeout)  # type: ignore[arg-type]
        assert info.value.field == "timeout"


# -- lifespan -------------------------------------------------------------------------


def test_lifespan_runs_hooks(run_coro: Any) -> None:
    events: list[str] = []

    async def start() -> None:
        events.append("start")

    app = App(on_startup=[start], on_shutdown=[lambda: events.append("stop")])
    inbox = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        return inbox.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])

    run_coro(app({"type": "lifespan"}, receive, send))
    assert events == ["start", "stop"]
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_lifespan_reports_a_failing_hook(run_coro: Any) -> None:
    def fail() -> None:
        raise RuntimeError("no database")

    app = App(on_startup=[fail])
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    run_coro(app({"type": "lifespan"}, receive, send))
    assert sent == [{"type": "lifespan.startup.failed", "message": "RuntimeError"}]


def test_websockets_are_refused(run_coro: Any) -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    run_coro(App()({"type": "websocket", "path": "/"}, receive, send))
    assert sent[0]["type"] == "websocket.close"
