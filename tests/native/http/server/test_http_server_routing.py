"""Routing: methods, typed path params, 404/405 with Allow, HEAD, sub-routers, mounts."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra_portable.errors import InfraError, ValidationError
from infra_portable.http.server import App, HttpServer, Router, ServerRequest, ServerResponse


def _app() -> App:
    app = App()

    @app.get("/v1/models")
    async def models(request: ServerRequest) -> Any:
        return {"models": ["a", "b"]}

    @app.get("/v1/models/{name}")
    async def model(request: ServerRequest) -> Any:
        return {"name": request.path_params["name"]}

    @app.delete("/v1/models/{name}")
    async def drop(request: ServerRequest) -> Any:
        return None

    @app.get("/v1/jobs/{id:int}")
    async def job(request: ServerRequest) -> Any:
        return {"id": request.path_params["id"]}

    @app.get("/v1/scores/{x:float}")
    async def score(request: ServerRequest) -> Any:
        return {"x": request.path_params["x"]}

    @app.get("/v1/runs/{run:uuid}")
    async def run(request: ServerRequest) -> Any:
        return {
            "run": str(request.path_params["run"]),
            "type": type(request.path_params["run"]).__name__,
        }

    @app.get("/files/{path:path}")
    async def files(request: ServerRequest) -> Any:
        return {"path": request.path_params["path"]}

    return app


def test_static_and_param_routes(client_for: Any) -> None:
    client = client_for(_app())
    assert client.get("/v1/models").json() == {"models": ["a", "b"]}
    assert client.get("/v1/models/llama-3").json() == {"name": "llama-3"}
    assert client.get("/v1/jobs/42").json() == {"id": 42}
    assert client.get("/v1/scores/0.5").json() == {"x": 0.5}
    run = uuid.UUID(int=12345)
    assert client.get(f"/v1/runs/{run}").json() == {"run": str(run), "type": "UUID"}
    assert client.get("/files/a/b/c.txt").json() == {"path": "a/b/c.txt"}
    assert client.get("/files/").json() == {"path": ""}


@pytest.mark.parametrize(
    "path",
    [
        "/v1/jobs/abc",
        "/v1/jobs/-1",
        "/v1/jobs/",
        "/v1/scores/1e5",
        "/v1/runs/not-a-uuid",
        "/v1/models/a/b",
        "/v1/model",
        "/files",
        "/",
    ],
)
def test_unmatched_paths_are_404_problems(client_for: Any, path: str) -> None:
    response = client_for(_app()).get(path)
    assert response.status == 404
    assert response.headers.get("content-type") == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404
    assert problem["title"] == "Not Found"
    assert problem["instance"] == path


def test_wrong_method_is_405_with_allow(client_for: Any) -> None:
    client = client_for(_app())
    response = client.post("/v1/models/x", json={})
    assert response.status == 405
    assert response.headers.get("allow") == "DELETE, GET, HEAD"
    assert response.json()["status"] == 405
    assert client.delete("/v1/models/x").status == 204
    assert client.put("/v1/models", content=b"").headers.get("allow") == "GET, HEAD"


def test_head_is_served_by_get_without_body(client_for: Any) -> None:
    client = client_for(_app())
    full = client.get("/v1/models/abc")
    head = client.head("/v1/models/abc")
    assert head.status == 200
    assert head.content == b""
    assert (
        head.headers.get("content-length")
        == full.headers.get("content-length")
        == str(len(full.content))
    )
    assert head.headers.get("content-type") == "application/json"


def test_a_head_route_wins_over_get(client_for: Any) -> None:
    app = App()
    app.route("GET", "/x", lambda request: "get")
    app.route("HEAD", "/x", lambda request: ServerResponse(b"", 299))
    assert client_for(app).head("/x").status == 299


def test_percent_encoded_params_are_decoded_after_matching(client_for: Any) -> None:
    client = client_for(_app())
    assert client.get("/v1/models/a%2Fb").json() == {"name": "a/b"}
    assert client.get("/v1/models/%E2%9C%93%20ok").json() == {"name": "\u2713 ok"}
    assert client.get("/v1/%6Dodels").json() == {"models": ["a", "b"]}  # an encoded literal
    assert client.get("/v1%2Fmodels").status == 404  # %2F is data, not a separator
    assert client.get("/files/a%2Fb/c").json() == {"path": "a/b/c"}


def test_invalid_utf8_in_path_is_400(client_for: Any) -> None:
    response = client_for(_app()).get("/v1/models/%FF%FE")
    assert response.status == 400
    assert "UTF-8" in response.json()["message"]


@given(st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s))
def test_any_text_round_trips_through_a_str_param(value: str) -> None:
    from infra_portable.http import AsgiTransport, HttpClient, HttpClientConfig

    client = HttpClient(HttpClientConfig(max_retries=0), transport=AsgiTransport(_app()))
    response = client.get("http://testserver/v1/models/" + quote(value, safe=""))
    assert response.status == 200
    assert response.json() == {"name": value}


@given(st.integers(min_value=0, max_value=10**30))
def test_int_params_round_trip(value: int) -> None:
    from infra_portable.http import AsgiTransport, HttpClient, HttpClientConfig

    client = HttpClient(HttpClientConfig(max_retries=0), transport=AsgiTransport(_app()))
    assert client.get(f"http://testserver/v1/jobs/{value}").json() == {"id": value}


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd", "Cs"]), min_size=1, max_size=10))
def test_non_digits_never_match_an_int_param(value: str) -> None:
    from infra_portable.http import AsgiTransport, HttpClient, HttpClientConfig

    client = HttpClient(HttpClientConfig(max_retries=0), transport=AsgiTransport(_app()))
    response = client.get("http://testserver/v1/jobs/" + quote(value, safe=""))
    assert response.status in (400, 404)  # 400 only for undecodable bytes, never 200


@given(
    st.lists(
        st.text(min_size=1, max_size=8).filter(lambda s: "\x00" not in s), min_size=1, max_size=4
    )
)
def test_path_params_take_the_rest(parts: list[str]) -> None:
    from infra_portable.http import AsgiTransport, HttpClient, HttpClientConfig

    client = HttpClient(HttpClientConfig(max_retries=0), transport=AsgiTransport(_app()))
    url = "http://testserver/files/" + "/".join(quote(p, safe="") for p in parts)
    assert client.get(url).json() == {"path": "/".join(parts)}


def test_seed_route_api_and_handler_objects(client_for: Any) -> None:
    class Health:
        async def handle(self, request: ServerRequest) -> Any:
            return {"ok": True, "method": request.method}

    def sync_handler(request: ServerRequest) -> Any:
        return "plain"

    app = App()
    assert app.route("GET", "/health", Health()) is app
    app.route(["PUT", "PATCH"], "/sync", sync_handler)
    client = client_for(app)
    assert client.get("/health").json() == {"ok": True, "method": "GET"}
    assert client.put("/sync", content=b"").text() == "plain"
    assert client.patch("/sync", content=b"").text() == "plain"

    server = HttpServer()
    assert server.get("/a", sync_handler).post("/b", Health()) is server
    client = client_for(server.app)
    assert client.get("/a").text() == "plain"
    assert client.post("/b", content=b"").json()["method"] == "POST"


def test_include_router_with_prefix(client_for: Any) -> None:
    v1 = Router()

    @v1.get("/models/{name}")
    async def model(request: ServerRequest) -> Any:
        return {"v1": request.path_params["name"]}

    @v1.post("/chat", max_body_bytes=4)
    async def chat(request: ServerRequest) -> Any:
        return await request.body()

    app = App()
    app.include_router(v1, prefix="/v1")
    client = client_for(app)
    assert client.get("/v1/models/m").json() == {"v1": "m"}
    assert client.get("/models/m").status == 404
    assert client.post("/v1/chat", content=b"1234").content == b"1234"
    assert (
        client.post("/v1/chat", content=b"12345").status == 413
    )  # the route's own limit went along


def test_mount_passes_root_path_to_the_sub_app(client_for: Any) -> None:
    admin = App()

    @admin.get("/users/{id:int}")
    async def user(request: ServerRequest) -> Any:
        return {
            "id": request.path_params["id"],
            "root": request.scope["root_path"],
            "path": request.path,
        }

    app = App()
    app.mount("/admin", admin)
    client = client_for(app)
    assert client.get("/admin/users/7").json() == {
        "id": 7,
        "root": "/admin",
        "path": "/admin/users/7",
    }
    assert client.get("/admin/nope").status == 404
    assert client.get("/administrator").status == 404


@pytest.mark.parametrize(
    "template",
    ["no-slash", "/a/{", "/a/x{name}", "/a/{1bad}", "/a/{x}/{x}", "/a/{x:nope}", "/a/{p:path}/b"],
)
def test_bad_templates_are_validation_errors(template: str) -> None:
    with pytest.raises(ValidationError) as caught:
        App().route("GET", template, lambda request: None)
    assert caught.value.field == "path"


def test_registration_errors() -> None:
    app = App()
    app.route("GET", "/x", lambda request: None)
    with pytest.raises(ValidationError, match="has a handler already"):
        app.route("GET", "/x", lambda request: None)
    with pytest.raises(ValidationError) as caught:
        app.route("FETCH", "/y", lambda request: None)
    assert caught.value.field == "method"
    with pytest.raises(ValidationError) as caught:
        app.route("GET", "/z", 42)  # type: ignore[arg-type]
    assert caught.value.field == "handler"
    with pytest.raises(InfraError):
        app.include_router(Router(), prefix="v1")
    with pytest.raises(InfraError):
        app.mount("/{x}", App())
