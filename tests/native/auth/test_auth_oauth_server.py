"""The OAuth clients and JwtAuthenticator against a real authorization server (Authlib).

tests/support/oauth_server.py runs Authlib's Flask AuthorizationServer on a
loopback socket. Natively the tests start it in a thread; under
INFRA_PORTABLE_BLOCK_NATIVE=1 this interpreter cannot import Authlib's
``cryptography``, so it runs in its own process, and the library's fallbacks
(the standard-library transport, pure-Python RSA) meet the real server. The WASI
and Pyodide harnesses start it as a process too and pass its address in
``INFRA_PORTABLE_TEST_OAUTH``: the guest reaches it through the host's HTTP
bridge, the page through Chromium's fetch (the server answers CORS).

Requests are counted on the client side, by a transport wrapper around the
runtime's default transport: "the second call makes no request" is a count.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from auth_support import FakeClock

from infra_portable.auth import (
    AsyncOAuthClient,
    AuthMiddleware,
    AuthorizationRequest,
    JwksProvider,
    JwtAuthenticator,
    OAuthClient,
    OAuthError,
    Pkce,
)
from infra_portable.errors import AuthError, AuthErrorKind
from infra_portable.http import (
    AsgiTransport,
    AsyncHttpClient,
    HttpClient,
    HttpClientConfig,
    Request,
    Response,
    TransportLimits,
    resolve_transport,
)
from infra_portable.runtime import current

RUNTIME = current().value
BROWSER_REDIRECT = (
    "a page cannot read a redirect's Location (fetch hides it); a browser app gets the "
    "code by navigating to the authorize URL and back"
)
RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]
SUPPORT = Path(__file__).resolve().parents[2] / "support"
NO_REDIRECTS = HttpClientConfig(max_retries=0, follow_redirects=False)


class CountingTransport:
    """The runtime's real transport, with every request's path recorded."""

    name = "counting-real"

    def __init__(self) -> None:
        self.inner = resolve_transport(None)
        self.paths: list[str] = []

    def count(self, path: str) -> int:
        return self.paths.count(path)

    def handle(self, request: Request, limits: TransportLimits, stream: bool) -> Response:
        self.paths.append(urlsplit(request.url).path)
        return self.inner.handle(request, limits, stream)

    async def handle_async(
        self, request: Request, limits: TransportLimits, stream: bool
    ) -> Response:
        self.paths.append(urlsplit(request.url).path)
        return await self.inner.handle_async(request, limits, stream)

    def close(self) -> None:
        self.inner.close()

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    if str(SUPPORT) not in sys.path:
        sys.path.insert(0, str(SUPPORT))
    import oauth_server

    started = oauth_server.from_env()  # the WASI and Pyodide harnesses start one
    if started is not None:
        yield started
    elif RUNTIME != "native":
        pytest.skip(f"no authorization server: this runtime's harness sets {oauth_server.ENV}")
    elif os.environ.get("INFRA_PORTABLE_BLOCK_NATIVE") == "1":
        with oauth_server.serving_in_subprocess() as info:
            yield info
    else:
        with oauth_server.serving() as info:
            yield info


@pytest.fixture
def transport() -> Iterator[CountingTransport]:
    counting = CountingTransport()
    yield counting
    counting.close()


def _client(server: Any, transport: CountingTransport, **kwargs: Any) -> OAuthClient:
    kwargs.setdefault("client_id", server.client_id)
    kwargs.setdefault("client_secret", server.client_secret)
    return OAuthClient(
        token_url=server.token_url,
        authorization_url=server.authorize_url,
        redirect_uri=server.redirect_uri,
        http=HttpClient(HttpClientConfig(max_retries=0), transport=transport),
        **kwargs,
    )


def _verifier(server: Any, transport: CountingTransport, audience: str) -> JwtAuthenticator:
    provider = JwksProvider(
        server.jwks_url, http=HttpClient(HttpClientConfig(max_retries=0), transport=transport)
    )
    return JwtAuthenticator(
        provider, algorithms=["RS256"], issuer=server.issuer, audience=audience, leeway=5
    )


def _authorize(request: AuthorizationRequest, transport: CountingTransport) -> str:
    """The browser's part, without a browser: GET authorize, read the redirect, do not follow it."""
    response = HttpClient(NO_REDIRECTS, transport=transport).get(request.url)
    assert response.status == 302, response.text()
    location = response.headers.get("location")
    assert location is not None
    assert location.startswith(request.redirect_uri or "")
    return location


def test_client_credentials_token_verifies_through_the_jwks(
    server: Any, transport: CountingTransport
) -> None:
    token = _client(server, transport).request_client_credentials(["models:read"])
    assert token.scopes == ("models:read",)
    assert token.refresh_token is None
    assert token.expires_at is not None
    assert token.expires_at > time.time() + 3000
    identity = _verifier(server, transport, server.client_id).verify(token.access_token)
    assert identity.subject == server.client_id
    assert identity.roles == {"service"}
    assert identity.scopes == {"models:read"}
    assert identity.issuer == server.issuer
    assert identity.attributes["client_id"] == server.client_id
    assert transport.count("/jwks") == 1


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_both_client_authentication_methods(
    server: Any, transport: CountingTransport, method: str
) -> None:
    token = _client(server, transport, auth_method=method).request_client_credentials()
    assert token.access_token.count(".") == 2


def test_the_token_is_cached_and_renewed_before_expiry(
    server: Any, transport: CountingTransport
) -> None:
    clock = FakeClock(time.time())
    client = _client(server, transport, clock=clock, expiry_skew=60)
    first = client.get_token()
    assert client.get_token() is first
    assert transport.count("/token") == 1  # the second call made no request
    clock.advance(server.token_lifetime - 61)
    assert client.access_token() == first.access_token
    assert transport.count("/token") == 1
    clock.advance(1)  # within the skew now
    second = client.get_token()
    assert second.access_token != first.access_token
    assert transport.count("/token") == 2


@pytest.mark.skip_runtime("pyodide", reason=BROWSER_REDIRECT)
def test_authorization_code_with_pkce_then_refresh(
    server: Any, transport: CountingTransport
) -> None:
    client = _client(server, transport, scopes=["profile", "models:read"])
    request = client.authorization_request()
    token = client.exchange_code(request, _authorize(request, transport))
    assert token.refresh_token
    assert token.scopes == ("profile", "models:read")
    identity = _verifier(server, transport, server.client_id).verify(token.access_token)
    assert (identity.subject, identity.roles) == (server.user_id, {"reader"})
    # The resource server (Authlib's ResourceProtector) accepts the token.
    me = HttpClient(HttpClientConfig(max_retries=0), transport=transport).get(
        server.userinfo_url, headers={"Authorization": token.authorization}
    )
    assert me.status == 200
    assert me.json()["sub"] == server.user_id
    # Refresh: a new access token, and the server rotates the refresh token.
    refreshed = client.refresh(token)
    assert refreshed.access_token != token.access_token
    assert refreshed.refresh_token
    assert refreshed.refresh_token != token.refresh_token
    with pytest.raises(OAuthError) as info:
        client.refresh(token)  # the old refresh token was revoked by the rotation
    assert info.value.error == "invalid_grant"
    assert info.value.auth_kind is AuthErrorKind.INVALID_CREDENTIALS


@pytest.mark.skip_runtime("pyodide", reason=BROWSER_REDIRECT)
def test_a_public_client_uses_pkce_alone(server: Any, transport: CountingTransport) -> None:
    client = _client(
        server, transport, client_id=server.public_client_id, client_secret=None, auth_method="none"
    )
    request = client.authorization_request(["openid"])
    token = client.exchange_code(request, _authorize(request, transport))
    audience = server.public_client_id
    assert (
        _verifier(server, transport, audience).verify(token.access_token).subject == server.user_id
    )


@pytest.mark.skip_runtime("pyodide", reason=BROWSER_REDIRECT)
def test_a_wrong_code_verifier_is_rejected(server: Any, transport: CountingTransport) -> None:
    client = _client(server, transport)
    request = client.authorization_request()
    callback = _authorize(request, transport)
    with pytest.raises(OAuthError) as info:
        client.exchange_code(replace(request, code_verifier=Pkce.generate().verifier), callback)
    assert info.value.auth_kind is AuthErrorKind.INVALID_CREDENTIALS
    assert info.value.error == "invalid_grant"


@pytest.mark.skip_runtime("pyodide", reason=BROWSER_REDIRECT)
def test_a_forged_callback_state_is_rejected_before_the_server_is_asked(
    server: Any, transport: CountingTransport
) -> None:
    client = _client(server, transport)
    request = client.authorization_request()
    callback = _authorize(request, transport)
    code = dict(parse_qsl(urlsplit(callback).query))["code"]
    before = transport.count("/token")
    with pytest.raises(AuthError, match="state"):
        client.exchange_code(request, {"code": code, "state": "forged"})
    assert transport.count("/token") == before


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_an_invalid_client_is_invalid_credentials(
    server: Any, transport: CountingTransport, method: str
) -> None:
    client = _client(server, transport, client_secret="wrong", auth_method=method)
    with pytest.raises(OAuthError) as info:
        client.get_token()
    assert info.value.auth_kind is AuthErrorKind.INVALID_CREDENTIALS
    assert info.value.error == "invalid_client"
    unknown = _client(server, transport, client_id="nobody", auth_method=method)
    with pytest.raises(OAuthError):
        unknown.get_token()


def test_tokens_for_another_audience_or_tampered_are_refused(
    server: Any, transport: CountingTransport
) -> None:
    token = _client(server, transport).request_client_credentials().access_token
    with pytest.raises(AuthError) as wrong_audience:
        _verifier(server, transport, "billing-api").verify(token)
    assert wrong_audience.value.auth_kind is AuthErrorKind.INVALID_TOKEN
    head, body, signature = token.split(".")
    tampered = f"{head}.{body}.{signature[:-4]}AAAA"
    with pytest.raises(AuthError) as bad_signature:
        _verifier(server, transport, server.client_id).verify(tampered)
    assert bad_signature.value.auth_kind is AuthErrorKind.INVALID_TOKEN


def test_the_async_client_and_middleware_with_real_tokens(
    server: Any, transport: CountingTransport, run_async: RunAsync
) -> None:
    async def flow() -> tuple[str, int]:
        async with AsyncOAuthClient(
            token_url=server.token_url,
            client_id=server.client_id,
            client_secret=server.client_secret,
            http=AsyncHttpClient(HttpClientConfig(max_retries=0), transport=transport),
        ) as client:
            token = await client.get_token(["models:write"])
            again = await client.get_token(["models:write"])
            assert again is token
        # The client closed its transport on leaving the block: the JWKS gets its own.
        jwks_http = AsyncHttpClient(HttpClientConfig(max_retries=0), transport=CountingTransport())
        provider = JwksProvider(server.jwks_url, http=jwks_http)
        authenticator = JwtAuthenticator(
            provider, algorithms=["RS256"], issuer=server.issuer, audience=server.client_id
        )

        async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            body = scope["state"]["identity"].subject.encode()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body})

        api = AsyncHttpClient(transport=AsgiTransport(AuthMiddleware(app, authenticator)))
        response = await api.get(
            "http://api.local/models", headers={"Authorization": token.authorization}
        )
        await jwks_http.aclose()
        return response.text(), response.status

    assert run_async(flow()) == (server.client_id, 200)
    assert transport.count("/token") == 1
