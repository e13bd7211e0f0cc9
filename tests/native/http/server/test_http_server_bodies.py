"""Request bodies and return values: JSON in and out, 400/413/415, the limit while receiving."""

from __future__ import annotations

from typing import Any

import pytest

from infra_portable.errors import InfraError, ValidationError
from infra_portable.http.server import (
    App,
    BodyLimitMiddleware,
    JsonResponse,
    ServerRequest,
    ServerResponse,
    TextResponse,
)


def _echo_app(max_body_bytes: int = 64) -> App:
    app = App(max_body_bytes=max_body_bytes)

    @app.post("/json")
    async def echo_json(request: ServerRequest) -> Any:
        return {"got": await request.json()}

    @app.post("/raw")
    async def echo_raw(request: ServerRequest) -> Any:
        return await request.body()

    @app.post("/text")
    async def echo_text(request: ServerRequest) -> Any:
        return (await request.text()).upper()

    @app.post("/ignore")
    async def ignore(request: ServerRequest) -> Any:
        return "did not read"

    return app


def test_json_in_and_out(client_for: Any) -> None:
    client = client_for(_echo_app())
    response = client.post("/json", json={"a": [1, 2], "b": "\u00e9"})
    assert response.status == 200
    assert response.headers.get("content-type") == "application/json"
    assert response.json() == {"got": {"a": [1, 2], "b": "\u00e9"}}
    # +json types and a charset parameter are JSON too; no content type is read as JSON
    for content_type in ("application/merge-patch+json", "application/json; charset=utf-8", None):
        headers = {"content-type": content_type} if content_type else {}
        assert client.post("/json", content=b"[1]", headers=headers).json() == {"got": [1]}


@pytest.mark.parametrize("body", [b"{bad", b"[1,", b"\xff\xfe", b"", b"   ", b'{"a": NaN}x'])
def test_malformed_json_is_400_problem(client_for: Any, body: bytes) -> None:
    response = client_for(_echo_app()).post(
        "/json", content=body, headers={"content-type": "application/json"}
    )
    assert response.status == 400
    assert response.headers.get("content-type") == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert problem["kind"] == "serialization"


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
    ],
)
def test_wrong_content_type_on_a_json_handler_is_415(client_for: Any, content_type: str) -> None:
    response = client_for(_echo_app()).post(
        "/json", content=b"{}", headers={"content-type": content_type}
    )
    assert response.status == 415
    assert response.headers.get("accept-post") == "application/json"
    assert response.json()["title"] == "Unsupported Media Type"


def test_body_over_the_limit_is_413(client_for: Any) -> None:
    client = client_for(_echo_app(max_body_bytes=10))
    assert client.post("/raw", content=b"x" * 10).content == b"x" * 10
    response = client.post("/raw", content=b"x" * 11)
    assert response.status == 413
    assert response.json()["title"] == "Content Too Large"
    assert "10-byte" in response.json()["message"]
    # a handler that never reads the body is not refused
    assert client.post("/ignore", content=b"x" * 100).status == 200


def test_limit_is_enforced_while_receiving(run_coro: Any, asgi: Any, scope: Any) -> None:
    app = _echo_app(max_body_bytes=10)
    chunks = [b"12345", b"67890", b"X", b"never read", b"never read"]
    call = run_coro(asgi(app, scope("POST", "/raw"), chunks))  # no Content-Length: chunked
    assert call.status == 413
    assert call.receives == 3  # stopped at the chunk that crossed the limit


def test_declared_length_over_the_limit_is_refused_before_reading(
    run_coro: Any, asgi: Any, scope: Any
) -> None:
    app = _echo_app(max_body_bytes=10)
    call = run_coro(asgi(app, scope("POST", "/raw", [("content-length", "1000")]), [b"x" * 1000]))
    assert call.status == 413
    assert call.receives == 0
    bad = run_coro(asgi(app, scope("POST", "/raw", [("content-length", "ten")]), [b"x"]))
    assert bad.status == 400


def test_body_arrives_in_chunks(run_coro: Any, asgi: Any, scope: Any) -> None:
    call = run_coro(asgi(_echo_app(), scope("POST", "/raw"), [b"ab", b"", b"cd"]))
    assert call.status == 200
    assert call.body == b"abcd"


def test_client_gone_mid_body_is_a_problem_not_a_crash(run_coro: Any, scope: Any) -> None:
    app = _echo_app()
    sent: list[dict[str, Any]] = []
    messages = [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    run_coro(app(scope("POST", "/raw"), receive, send))
    assert sent[0]["status"] == 400


def test_body_limit_middleware_bounds_any_asgi_app(run_coro: Any, asgi: Any, scope: Any) -> None:
    async def reads_everything(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    limited = BodyLimitMiddleware(reads_everything, max_body_bytes=4)
    assert run_coro(asgi(limited, scope("POST", "/"), [b"12", b"34"])).body == b"1234"
    over = run_coro(asgi(limited, scope("POST", "/"), [b"12", b"34", b"5", b"6"]))
    assert over.status == 413
    assert over.receives == 3
    declared = run_coro(asgi(limited, scope("POST", "/", [("content-length", "5")]), [b"12345"]))
    assert (declared.status, declared.receives) == (413, 0)
    with pytest.raises(ValidationError):
        BodyLimitMiddleware(reads_everything, max_body_bytes=-1)


def test_text_bodies_and_charsets(client_for: Any) -> None:
    client = client_for(_echo_app())
    latin = "caf\u00e9".encode("latin-1")
    response = client.post(
        "/text", content=latin, headers={"content-type": "text/plain; charset=latin-1"}
    )
    assert response.text() == "CAF\u00c9"
    assert response.headers.get("content-type") == "text/plain; charset=utf-8"
    bad = client.post("/text", content=b"\xff", headers={"content-type": "text/plain"})
    assert bad.status == 400


def test_return_values_become_responses(client_for: Any) -> None:
    app = App()
    app.route("GET", "/dict", lambda request: {"a": 1})
    app.route("GET", "/list", lambda request: [1, "two"])
    app.route("GET", "/str", lambda request: "hi")
    app.route("GET", "/bytes", lambda request: b"\x00\x01")
    app.route("GET", "/none", lambda request: None)
    app.route(
        "GET",
        "/created",
        lambda request: JsonResponse({"id": 1}, status=201, headers={"Location": "/x/1"}),
    )
    app.route("GET", "/text", lambda request: TextResponse("t", status=202))
    app.route("GET", "/int", lambda request: 42)
    client = client_for(app)
    assert client.get("/dict").json() == {"a": 1}
    assert client.get("/list").json() == [1, "two"]
    hi = client.get("/str")
    assert (hi.text(), hi.headers.get("content-type")) == ("hi", "text/plain; charset=utf-8")
    raw = client.get("/bytes")
    assert (raw.content, raw.headers.get("content-type")) == (
        b"\x00\x01",
        "application/octet-stream",
    )
    none = client.get("/none")
    assert (none.status, none.content, none.headers.get("content-length")) == (204, b"", None)
    created = client.get("/created")
    assert (created.status, created.headers.get("location")) == (201, "/x/1")
    assert client.get("/text").status == 202
    assert client.get("/int").status == 500  # a handler bug: a bare 500, details in the log


def test_request_fields(client_for: Any) -> None:
    app = App()

    @app.get("/inspect/{name}")
    async def inspect_request(request: ServerRequest) -> Any:
        return {
            "method": request.method,
            "path": request.path,
            "params": request.path_params,
            "q": request.query.get("q"),
            "all": request.query.get_all("tag"),
            "missing": request.query.get("nope", "default"),
            "keys": list(request.query),
            "blank": request.query["blank"],
            "header": request.headers.get("X-CUSTOM"),
            "header_via_scope": request.header("x-custom"),
            "client": list(request.client or ()),
            "url": request.url,
            "query_string": request.query_string,
        }

    response = client_for(app).get(
        "/inspect/n%20m?q=1&tag=a&tag=b&blank=", headers={"x-custom": "yes"}
    )
    assert response.json() == {
        "method": "GET",
        "path": "/inspect/n m",
        "params": {"name": "n m"},
        "q": "1",
        "all": ["a", "b"],
        "missing": "default",
        "keys": ["q", "tag", "blank"],
        "blank": "",
        "header": "yes",
        "header_via_scope": "yes",
        "client": ["127.0.0.1", 50000],
        "url": "http://testserver/inspect/n%20m?q=1&tag=a&tag=b&blank=",
        "query_string": "q=1&tag=a&tag=b&blank=",
    }


def test_body_is_read_once_and_cached(run_coro: Any, asgi: Any, scope: Any) -> None:
    app = App()

    @app.post("/twice")
    async def twice(request: ServerRequest) -> Any:
        first = await request.body()
        return {"same": first == await request.body(), "json": await request.json()}

    call = run_coro(
        asgi(app, scope("POST", "/twice", [("content-type", "application/json")]), [b"[1]"])
    )
    assert call.body == b'{"same":true,"json":[1]}'
    assert call.receives == 1


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: ServerResponse(b"", status=99), "status"),
        (lambda: ServerResponse(b"", status=True), "status"),
        (lambda: ServerResponse(b"", headers={"x": "a\r\nInjected: 1"}), "headers"),
        (lambda: ServerResponse(b"", headers={"bad name": "v"}), "headers"),
        (lambda: ServerResponse(b"", headers={"x": "\u2713"}), "headers"),
        (lambda: ServerResponse(123), "content"),
    ],
)
def test_bad_responses_are_validation_errors(make: Any, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make()
    assert caught.value.field == field


def test_bad_app_options() -> None:
    with pytest.raises(InfraError):
        App(max_body_bytes=-5)
    with pytest.raises(ValidationError):
        App().route("POST", "/x", lambda request: None, max_body_bytes=-1)
