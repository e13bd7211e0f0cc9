"""AuthMiddleware through AsgiTransport + HttpClient: 401/403 problem+json, identity passed on."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from auth_support import HMAC_SECRET, NOW, CountingTransport, drive, refusing, signer

from infra_portable.auth import (
    ApiKeyAuthenticator,
    AuthenticatorChain,
    AuthMiddleware,
    Credentials,
    Identity,
    JwksProvider,
    JwtAuthenticator,
    PolicyAuthorizer,
    Resource,
    allow,
    default_resource_for,
)
from infra_portable.errors import AuthError, AuthErrorKind, ValidationError
from infra_portable.http import AsgiTransport, HttpClient, HttpClientConfig, Response

RunCoro = Callable[[Coroutine[Any, Any, Any]], Any]
BASE = "http://api.local"
MISSING = "authentication required: send 'Authorization: Bearer <token>' or 'x-api-key'"
seen: list[dict[str, Any]] = []


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers with who the middleware said the caller is."""
    seen.append(scope)
    if scope["type"] == "lifespan":
        return
    identity = scope.get("state", {}).get("identity")
    body = json.dumps(
        {"subject": identity.subject if identity else None, "path": scope["path"]}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _jwt(**kwargs: Any) -> JwtAuthenticator:
    return JwtAuthenticator(HMAC_SECRET, algorithms=["HS256"], clock=lambda: NOW, **kwargs)


def _token(subject: str = "alice", expires_in: float = 300, **claims: Any) -> str:
    return signer("HS256").sign(claims, subject=subject, expires_in=expires_in)


def _client(app: Any) -> HttpClient:
    return HttpClient(HttpClientConfig(max_retries=0), transport=AsgiTransport(app))


def _problem(response: Response, status: int, kind: str) -> dict[str, Any]:
    assert response.status == status, response.text()
    assert response.headers.get("content-type") == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["kind"] == "auth"
    assert problem["fields"]["auth_kind"] == kind
    assert problem["type"] == "urn:infra-portable:error:auth"
    return problem


def test_a_valid_token_reaches_the_app_with_its_identity() -> None:
    seen.clear()
    client = _client(AuthMiddleware(echo_app, _jwt()))
    response = client.get(f"{BASE}/models", headers={"Authorization": f"Bearer {_token()}"})
    assert response.status == 200
    assert response.json() == {"subject": "alice", "path": "/models"}
    assert seen[-1]["auth"].subject == "alice"
    assert isinstance(seen[-1]["state"]["identity"], Identity)


def test_no_credentials_is_401_with_a_bare_challenge() -> None:
    client = _client(AuthMiddleware(echo_app, _jwt(), realm="models"))
    response = client.get(f"{BASE}/models")
    problem = _problem(response, 401, "missing_credentials")
    assert problem["instance"] == "/models"
    assert response.headers.get("www-authenticate") == 'Bearer realm="models"'
    assert response.headers.get("cache-control") == "no-store"


def test_bad_and_expired_tokens_are_401_invalid_token() -> None:
    client = _client(AuthMiddleware(echo_app, _jwt()))
    bad = client.get(f"{BASE}/x", headers={"Authorization": "Bearer a.b.c"})
    _problem(bad, 401, "invalid_token")
    challenge = bad.headers.get("www-authenticate") or ""
    assert challenge.startswith('Bearer realm="api", error="invalid_token", error_description="')
    expired = client.get(f"{BASE}/x", headers={"Authorization": f"Bearer {_token(expires_in=-10)}"})
    problem = _problem(expired, 401, "token_expired")
    assert "expired" in problem["detail"]
    malformed = client.get(f"{BASE}/x", headers={"Authorization": "Digest x"})
    _problem(malformed, 401, "invalid_credentials")
    assert 'error="invalid_request"' in (malformed.headers.get("www-authenticate") or "")


def test_api_keys_and_jwts_through_one_chain(run_coro: RunCoro) -> None:
    keys = ApiKeyAuthenticator()
    key = run_coro(keys.create("svc-1", roles=["reader"])).key
    client = _client(AuthMiddleware(echo_app, AuthenticatorChain([_jwt(), keys])))
    assert client.get(f"{BASE}/a", headers={"X-API-Key": key}).json()["subject"] == "svc-1"
    assert (
        client.get(f"{BASE}/a", headers={"Authorization": f"Bearer {key}"}).json()["subject"]
        == "svc-1"
    )
    by_jwt = client.get(f"{BASE}/a", headers={"Authorization": f"Bearer {_token('bob')}"})
    assert by_jwt.json()["subject"] == "bob"
    _problem(client.get(f"{BASE}/a", headers={"X-API-Key": "ipk_nope"}), 401, "invalid_credentials")
    # Credentials no authenticator accepts.
    _problem(client.get(f"{BASE}/a", headers={"X-API-Key": "other"}), 401, "invalid_credentials")


def test_the_authorizer_answers_403_naming_what_was_denied() -> None:
    policy = PolicyAuthorizer(
        [allow("get", "models/*", roles=["reader"]), allow("post", "models/*", roles=["writer"])]
    )
    client = _client(AuthMiddleware(echo_app, _jwt(), policy))
    reader = {"Authorization": f"Bearer {_token(roles=['reader'])}"}
    assert client.get(f"{BASE}/models/gpt-4", headers=reader).status == 200
    response = client.post(f"{BASE}/models/gpt-4", headers=reader, json={})
    problem = _problem(response, 403, "insufficient_permissions")
    assert "'alice' may not 'post' 'models/gpt-4'" in problem["message"]
    assert problem["fields"]["identity"] == "alice"
    assert 'error="insufficient_scope"' in (response.headers.get("www-authenticate") or "")


def test_an_authorizer_without_require_is_asked_authorize() -> None:
    class OnlyAdmins:
        async def authorize(
            self, identity: Identity, resource: Resource | str, action: str
        ) -> bool:
            return identity.has_role("admin")

    client = _client(AuthMiddleware(echo_app, _jwt(), OnlyAdmins()))
    admin = {"Authorization": f"Bearer {_token(roles=['admin'])}"}
    assert client.get(f"{BASE}/x", headers=admin).status == 200
    refused = client.get(f"{BASE}/x", headers={"Authorization": f"Bearer {_token()}"})
    assert "the authorizer refused" in _problem(refused, 403, "insufficient_permissions")["message"]


def test_a_custom_resource_mapping() -> None:
    def resource_for(scope: Any) -> tuple[Resource, str]:
        return Resource("tenants/" + scope["path"].split("/")[2]), "use"

    policy = PolicyAuthorizer(
        [allow("use", "tenants/*", when={"resource.name": "${identity.attributes.tenant_path}"})]
    )
    client = _client(AuthMiddleware(echo_app, _jwt(), policy, resource_for=resource_for))
    token = _token(tenant_path="tenants/acme")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{BASE}/t/acme/models", headers=headers).status == 200
    assert client.get(f"{BASE}/t/other/models", headers=headers).status == 403


def test_allow_listed_paths_and_preflights_pass_without_credentials() -> None:
    seen.clear()
    client = _client(AuthMiddleware(echo_app, _jwt(), allow_paths=["/health", "/public/**"]))
    assert client.get(f"{BASE}/health").json() == {"subject": None, "path": "/health"}
    assert client.get(f"{BASE}/public/docs/a.html").status == 200
    assert client.get(f"{BASE}/healthz").status == 401
    preflight = client.options(
        f"{BASE}/models", headers={"Origin": "https://app", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status == 200
    assert client.options(f"{BASE}/models").status == 401
    strict = _client(AuthMiddleware(echo_app, _jwt(), allow_preflight=False))
    assert (
        strict.options(f"{BASE}/m", headers={"Access-Control-Request-Method": "POST"}).status == 401
    )
    with pytest.raises(ValidationError):
        AuthMiddleware(echo_app, _jwt(), allow_paths=[""])


def test_rate_limited_authentication_is_429_with_retry_after() -> None:
    class Limited:
        async def authenticate(self, credentials: Credentials) -> Identity:
            raise AuthError("slow down", auth_kind=AuthErrorKind.RATE_LIMITED, retry_after_s=7.2)

    response = _client(AuthMiddleware(echo_app, Limited())).get(
        f"{BASE}/x", headers={"Authorization": "Bearer t"}
    )
    problem = _problem(response, 429, "rate_limited")
    assert response.headers.get("retry-after") == "8"
    assert problem["retryable"] is True


def test_an_unreachable_jwks_is_a_502_problem_not_a_401() -> None:
    provider = JwksProvider(
        "https://idp.example/jwks",
        http=HttpClient(HttpClientConfig(max_retries=0), transport=CountingTransport(refusing)),
    )
    auth = JwtAuthenticator(provider, algorithms=["ES256"])
    response = _client(AuthMiddleware(echo_app, auth)).get(
        f"{BASE}/x", headers={"Authorization": "Bearer e30.e30.e30"}
    )
    assert response.status == 502
    assert response.json()["kind"] == "http"
    assert "www-authenticate" not in response.headers


def test_lifespan_passes_through() -> None:
    seen.clear()

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: dict[str, Any]) -> None:
        pass

    drive(AuthMiddleware(echo_app, _jwt())({"type": "lifespan"}, receive, send))
    assert seen[-1]["type"] == "lifespan"


def _websocket(
    middleware: AuthMiddleware, headers: list[tuple[bytes, bytes]], **scope: Any
) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    full = {"type": "websocket", "path": "/ws", "headers": headers, **scope}
    drive(middleware(full, receive, send))
    return sent


def test_a_refused_websocket_is_closed_with_policy_violation() -> None:
    async def ws_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "websocket.accept", "subject": scope["auth"].subject})

    middleware = AuthMiddleware(ws_app, _jwt())
    assert _websocket(middleware, []) == [
        {"type": "websocket.close", "code": 1008, "reason": MISSING}
    ]
    accepted = _websocket(middleware, [(b"authorization", f"Bearer {_token()}".encode())])
    assert accepted == [{"type": "websocket.accept", "subject": "alice"}]
    # With the websocket.http.response extension the refusal is a problem+json response.
    sent = _websocket(middleware, [], extensions={"websocket.http.response": {}})
    assert sent[0]["type"] == "websocket.http.response.start"
    assert sent[0]["status"] == 401
    assert json.loads(sent[1]["body"])["fields"]["auth_kind"] == "missing_credentials"


def test_the_default_resource_mapping() -> None:
    assert default_resource_for({"path": "/models/gpt-4/", "method": "POST"}) == (
        Resource("models/gpt-4"),
        "post",
    )
    assert default_resource_for({"path": "/", "method": "GET"}) == (Resource("/"), "get")
