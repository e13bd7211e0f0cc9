"""OAuthClient / AsyncOAuthClient against an in-test authorization server (an ASGI app).

The fake server checks what a real one would (client authentication, PKCE
S256 with hashlib, redirect_uri binding, one-time codes) and counts token
requests, so caching and refresh are proven by counts. The same flows run
against Authlib's real server in test_auth_oauth_server.py (native only).
"""

from __future__ import annotations

import base64
import hashlib
import json
import pickle
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import pytest
from auth_support import CountingTransport, FakeClock, drive, json_response, refusing

from infra_portable.auth import (
    AsyncOAuthClient,
    AuthorizationRequest,
    OAuthClient,
    OAuthError,
    OAuthToken,
    Pkce,
    pkce_challenge,
)
from infra_portable.errors import (
    AuthError,
    AuthErrorKind,
    ExternalError,
    HttpError,
    ValidationError,
)
from infra_portable.http import (
    AsgiTransport,
    AsyncHttpClient,
    HttpClient,
    HttpClientConfig,
    Request,
    Response,
)

RunCoro = Callable[[Coroutine[Any, Any, Any]], Any]
AS = "https://as.local"
REDIRECT = "https://app.local/callback"
NO_RETRIES = HttpClientConfig(max_retries=0, follow_redirects=False)


class FakeAuthorizationServer:
    """Just enough of RFC 6749 + 7636 to tell a correct client from a sloppy one."""

    def __init__(self) -> None:
        self.clients = {"app": "s3cret", "pub": None}
        self.codes: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, Any]] = []
        self.issued = 0
        self.expires_in: Any = 3600
        self.refresh_for_client_credentials = False
        self.rotate_refresh_tokens = False
        self.forced: tuple[int, Any, dict[str, str]] | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        message = await receive()
        body = message.get("body", b"")
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        query = dict(parse_qsl(scope["query_string"].decode()))
        if scope["path"] == "/authorize":
            status, payload, extra = self.authorize(query)
        elif scope["path"] == "/token" and scope["method"] == "POST":
            status, payload, extra = self.token(headers, dict(parse_qsl(body.decode())))
        else:
            status, payload, extra = 404, {"error": "not_found"}, {}
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        response_headers = [(b"content-type", b"application/json")]
        response_headers += [(k.encode(), v.encode()) for k, v in extra.items()]
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": raw})

    def authorize(self, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        redirect = query["redirect_uri"]
        if query.get("login_hint") == "refuse":
            params = {"error": "access_denied", "error_description": "user said no"}
        else:
            assert query["response_type"] == "code"
            assert query["code_challenge_method"] == "S256"
            code = f"code-{len(self.codes)}"
            self.codes[code] = dict(query)
            params = {"code": code}
        params["state"] = query["state"]
        return 302, b"", {"location": f"{redirect}?{urlencode(params)}"}

    def _client(self, headers: dict[str, str], form: dict[str, str]) -> tuple[str, str] | None:
        auth = headers.get("authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            client_id, secret, method = unquote(user), unquote(password), "client_secret_basic"
        elif "client_secret" in form:
            client_id, secret, method = (
                form["client_id"],
                form["client_secret"],
                "client_secret_post",
            )
        else:
            client_id, secret, method = form.get("client_id", ""), None, "none"
        if client_id not in self.clients or self.clients[client_id] != secret:
            return None
        return client_id, method

    def _issue(self, client_id: str, scope: str, *, refresh: bool) -> dict[str, Any]:
        self.issued += 1
        token: dict[str, Any] = {
            "access_token": f"at-{self.issued}",
            "token_type": "bearer",
            "expires_in": self.expires_in,
        }
        if scope:
            token["scope"] = scope
        if refresh:
            rt = f"rt-{self.issued}"
            self.refresh_tokens[rt] = {"client_id": client_id, "scope": scope}
            token["refresh_token"] = rt
        return token

    def token(
        self, headers: dict[str, str], form: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        self.token_requests.append({"form": form, "headers": headers})
        if self.forced is not None:
            return self.forced
        client = self._client(headers, form)
        if client is None:
            return 401, {"error": "invalid_client", "error_description": "who are you"}, {}
        client_id, method = client
        self.token_requests[-1]["method"] = method
        grant = form.get("grant_type")
        if grant == "client_credentials":
            if form.get("scope") == "forbidden":
                return 400, {"error": "invalid_scope"}, {}
            return (
                200,
                self._issue(
                    client_id, form.get("scope", ""), refresh=self.refresh_for_client_credentials
                ),
                {},
            )
        if grant == "authorization_code":
            request = self.codes.pop(form.get("code", ""), None)  # one use only
            if request is None or request["client_id"] != client_id:
                return 400, {"error": "invalid_grant", "error_description": "bad code"}, {}
            if form.get("redirect_uri") != request["redirect_uri"]:
                return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}, {}
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if challenge != request["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE failed"}, {}
            return 200, self._issue(client_id, request.get("scope", ""), refresh=True), {}
        if grant == "refresh_token":
            held = self.refresh_tokens.get(form.get("refresh_token", ""))
            if held is None or held["client_id"] != client_id:
                return 400, {"error": "invalid_grant"}, {}
            if self.rotate_refresh_tokens:
                del self.refresh_tokens[form["refresh_token"]]
            return (
                200,
                self._issue(
                    client_id, form.get("scope", held["scope"]), refresh=self.rotate_refresh_tokens
                ),
                {},
            )
        return 400, {"error": "unsupported_grant_type"}, {}


def _sync(
    server: FakeAuthorizationServer, clock: FakeClock | None = None, **kwargs: Any
) -> OAuthClient:
    kwargs.setdefault("client_id", "app")
    kwargs.setdefault("client_secret", "s3cret")
    return OAuthClient(
        token_url=f"{AS}/token",
        authorization_url=f"{AS}/authorize",
        redirect_uri=REDIRECT,
        http=HttpClient(NO_RETRIES, transport=AsgiTransport(server)),
        clock=clock or FakeClock(),
        **kwargs,
    )


def _async(
    server: FakeAuthorizationServer, clock: FakeClock | None = None, **kwargs: Any
) -> AsyncOAuthClient:
    kwargs.setdefault("client_id", "app")
    kwargs.setdefault("client_secret", "s3cret")
    return AsyncOAuthClient(
        token_url=f"{AS}/token",
        authorization_url=f"{AS}/authorize",
        redirect_uri=REDIRECT,
        http=AsyncHttpClient(NO_RETRIES, transport=AsgiTransport(server)),
        clock=clock or FakeClock(),
        **kwargs,
    )


def _follow_authorize(server: FakeAuthorizationServer, request: AuthorizationRequest) -> str:
    """What a browser does: GET the authorize URL; the server auto-approves with a redirect."""
    browser = HttpClient(NO_RETRIES, transport=AsgiTransport(server))
    response = browser.get(request.url)
    assert response.status == 302
    location = response.headers.get("location")
    assert location is not None
    assert location.startswith(REDIRECT)
    return location


# -- client credentials ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_client_credentials_with_each_client_authentication(method: str) -> None:
    server = FakeAuthorizationServer()
    clock = FakeClock(1000.0)
    token = _sync(server, clock, auth_method=method).request_client_credentials(["a", "b"])
    assert token.access_token == "at-1"
    assert token.token_type == "Bearer"
    assert token.expires_at == 1000.0 + 3600
    assert token.scopes == ("a", "b")
    assert token.authorization == "Bearer at-1"
    sent = server.token_requests[-1]
    assert sent["method"] == method
    assert sent["form"]["grant_type"] == "client_credentials"
    assert sent["form"]["scope"] == "a b"
    assert sent["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert ("client_secret" in sent["form"]) is (method == "client_secret_post")
    assert "at-1" not in repr(token)


def test_basic_authentication_form_encodes_the_credentials() -> None:
    server = FakeAuthorizationServer()
    server.clients["odd id:1"] = "p@ss:w/rd%"
    token = _sync(
        server, client_id="odd id:1", client_secret="p@ss:w/rd%"
    ).request_client_credentials()
    assert token.access_token == "at-1"


def test_tokens_are_cached_until_the_expiry_skew() -> None:
    server = FakeAuthorizationServer()
    clock = FakeClock(0.0)
    client = _sync(server, clock, expiry_skew=60, scopes=["models:read"])
    first = client.get_token()
    assert client.get_token() is first
    assert client.access_token() == "at-1"
    assert len(server.token_requests) == 1
    clock.advance(3600 - 61)
    assert client.get_token() is first
    clock.advance(1)  # now within 60 s of expiry: replaced before it expires
    second = client.get_token()
    assert second.access_token == "at-2"
    assert len(server.token_requests) == 2
    # Different scopes are a different cache entry; the order of scopes is not.
    client.get_token(["x", "y"])
    client.get_token("y x")
    assert len(server.token_requests) == 3
    client.get_token(force_refresh=True)
    assert len(server.token_requests) == 4
    client.clear_cache()
    client.get_token()
    assert len(server.token_requests) == 5


def test_a_token_without_expiry_is_cached_indefinitely() -> None:
    server = FakeAuthorizationServer()
    server.expires_in = None
    clock = FakeClock()
    client = _sync(server, clock)
    token = client.get_token()
    clock.advance(10**7)
    assert client.get_token() is token
    assert token.expires_at is None


def test_a_cached_token_with_a_refresh_token_is_refreshed() -> None:
    server = FakeAuthorizationServer()
    server.refresh_for_client_credentials = True
    clock = FakeClock()
    client = _sync(server, clock)
    client.get_token()
    clock.advance(3600)
    renewed = client.get_token()
    assert server.token_requests[-1]["form"]["grant_type"] == "refresh_token"
    assert renewed.access_token == "at-2"
    # A refresh token the server no longer honours falls back to a new grant.
    server.refresh_tokens.clear()
    clock.advance(3600)
    assert client.get_token().access_token == "at-3"
    grants = [r["form"]["grant_type"] for r in server.token_requests]
    assert grants == ["client_credentials", "refresh_token", "refresh_token", "client_credentials"]


# -- authorization code + PKCE ----------------------------------------------------------------


def test_authorization_code_with_pkce() -> None:
    server = FakeAuthorizationServer()
    client = _sync(server, scopes=["openid", "models:read"])
    request = client.authorization_request()
    query = dict(parse_qsl(urlsplit(request.url).query))
    assert request.url.startswith(f"{AS}/authorize?")
    assert query["client_id"] == "app"
    assert query["redirect_uri"] == REDIRECT
    assert query["scope"] == "openid models:read"
    assert query["state"] == request.state
    assert query["code_challenge"] == pkce_challenge(request.code_verifier)
    assert "code_verifier" not in query
    assert request.code_verifier not in repr(request)
    token = client.exchange_code(request, _follow_authorize(server, request))
    assert token.access_token == "at-1"
    assert token.refresh_token == "rt-1"
    assert token.scopes == ("openid", "models:read")
    assert server.token_requests[-1]["form"]["code_verifier"] == request.code_verifier


def test_a_wrong_verifier_is_refused() -> None:
    server = FakeAuthorizationServer()
    client = _sync(server)
    request = client.authorization_request()
    callback = _follow_authorize(server, request)
    forged = replace(request, code_verifier=Pkce.generate().verifier)
    with pytest.raises(OAuthError) as info:
        client.exchange_code(forged, callback)
    assert info.value.auth_kind is AuthErrorKind.INVALID_CREDENTIALS
    assert info.value.error == "invalid_grant"
    assert info.value.error_description == "PKCE failed"
    assert "invalid_grant: PKCE failed" in info.value.message


def test_the_callback_state_must_match() -> None:
    server = FakeAuthorizationServer()
    client = _sync(server)
    request = client.authorization_request()
    callback = _follow_authorize(server, request)
    other = client.authorization_request()
    with pytest.raises(AuthError, match="state"):
        client.exchange_code(other, callback)
    with pytest.raises(AuthError, match="state"):
        client.exchange_code(request, {"code": "x"})
    assert server.token_requests == []  # refused before any request


def test_callback_errors_and_oddities() -> None:
    server = FakeAuthorizationServer()
    client = _sync(server)
    refused = client.authorization_request(params={"login_hint": "refuse"})
    with pytest.raises(OAuthError) as info:
        client.exchange_code(refused, _follow_authorize(server, refused))
    assert info.value.auth_kind is AuthErrorKind.INSUFFICIENT_PERMISSIONS
    assert info.value.error == "access_denied"
    request = client.authorization_request(state="fixed")
    with pytest.raises(AuthError, match="no authorization code"):
        client.exchange_code(request, "state=fixed")
    with pytest.raises(AuthError, match="repeats"):
        client.exchange_code(request, "code=a&code=b&state=fixed")
    with pytest.raises(ValidationError):
        client.exchange_code(request, 42)  # type: ignore[arg-type]
    # A code is good once.
    good = client.authorization_request()
    callback = _follow_authorize(server, good)
    client.exchange_code(good, callback)
    with pytest.raises(OAuthError, match="bad code"):
        client.exchange_code(good, callback)


def test_a_query_string_or_mapping_callback_works() -> None:
    server = FakeAuthorizationServer()
    client = _sync(server)
    request = client.authorization_request()
    params = dict(parse_qsl(urlsplit(_follow_authorize(server, request)).query))
    assert client.exchange_code(request, params).access_token == "at-1"


# -- refresh ---------------------------------------------------------------------------


def test_refresh_keeps_or_rotates_the_refresh_token() -> None:
    server = FakeAuthorizationServer()
    clock = FakeClock(0.0)
    client = _sync(server, clock, expiry_skew=30)
    request = client.authorization_request(["a"])
    token = client.exchange_code(request, _follow_authorize(server, request))
    refreshed = client.refresh(token)
    assert refreshed.access_token == "at-2"
    assert refreshed.refresh_token == "rt-1"
    assert refreshed.scopes == ("a",)
    server.rotate_refresh_tokens = True
    rotated = client.refresh("rt-1")
    assert rotated.refresh_token == "rt-3"
    with pytest.raises(OAuthError) as info:
        client.refresh("rt-1")  # rotated away
    assert info.value.error == "invalid_grant"
    with pytest.raises(AuthError, match="no refresh token"):
        client.refresh(OAuthToken("x"))
    # ensure_fresh refreshes only when due.
    assert client.ensure_fresh(rotated) is rotated
    clock.advance(3600 - 30)
    assert client.ensure_fresh(rotated).access_token == "at-4"


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("forced", "error", "kind"),
    [
        ((400, {"error": "invalid_scope"}, {}), OAuthError, AuthErrorKind.INSUFFICIENT_PERMISSIONS),
        (
            (400, {"error": "unauthorized_client"}, {}),
            OAuthError,
            AuthErrorKind.INSUFFICIENT_PERMISSIONS,
        ),
        ((400, {"error": "invalid_request"}, {}), OAuthError, AuthErrorKind.INVALID_CREDENTIALS),
        ((400, {"error": "made_up"}, {}), OAuthError, AuthErrorKind.INVALID_CREDENTIALS),
        (
            (400, {"error": "slow_down"}, {"retry-after": "5"}),
            OAuthError,
            AuthErrorKind.RATE_LIMITED,
        ),
        ((429, b"busy", {"retry-after": "9"}), OAuthError, AuthErrorKind.RATE_LIMITED),
        ((401, b"", {}), OAuthError, AuthErrorKind.INVALID_CREDENTIALS),
        ((200, {"error": "invalid_grant"}, {}), OAuthError, AuthErrorKind.INVALID_CREDENTIALS),
        ((503, {"error": "temporarily_unavailable"}, {}), HttpError, None),
        ((400, {"error": "server_error"}, {}), HttpError, None),
        ((400, b"<html>", {}), HttpError, None),
        ((200, b"not json", {}), ExternalError, None),
        ((200, [1], {}), ExternalError, None),
        ((200, {"token_type": "bearer"}, {}), ExternalError, None),
        ((200, {"access_token": "a", "token_type": "mac"}, {}), ExternalError, None),
        ((200, {"access_token": "a"}, {}), ExternalError, None),
        (
            (200, {"access_token": "a", "token_type": "Bearer", "expires_in": -1}, {}),
            ExternalError,
            None,
        ),
        (
            (200, {"access_token": "a", "token_type": "Bearer", "expires_in": "soon"}, {}),
            ExternalError,
            None,
        ),
        (
            (200, {"access_token": "a", "token_type": "Bearer", "scope": ["a"]}, {}),
            ExternalError,
            None,
        ),
        (
            (200, {"access_token": "a", "token_type": "Bearer", "refresh_token": 5}, {}),
            ExternalError,
            None,
        ),
    ],
)
def test_token_endpoint_failures_map_to_error_kinds(
    forced: tuple[int, Any, dict[str, str]], error: type[Exception], kind: AuthErrorKind | None
) -> None:
    server = FakeAuthorizationServer()
    server.forced = forced
    with pytest.raises(error) as info:
        _sync(server).request_client_credentials()
    if kind is not None:
        assert isinstance(info.value, AuthError)
        assert info.value.auth_kind is kind
    if kind is AuthErrorKind.RATE_LIMITED:
        assert isinstance(info.value, AuthError)
        assert info.value.retry_after in (5.0, 9.0)


def test_a_wrong_client_secret_is_invalid_credentials() -> None:
    server = FakeAuthorizationServer()
    with pytest.raises(OAuthError) as info:
        _sync(server, client_secret="wrong").request_client_credentials()
    assert info.value.auth_kind is AuthErrorKind.INVALID_CREDENTIALS
    problem = info.value.to_dict()
    assert problem["oauth"] == {
        "error": "invalid_client",
        "error_description": "who are you",
        "error_uri": None,
    }
    assert problem["fields"]["auth_kind"] == "invalid_credentials"
    assert problem["fields"]["error"] == "invalid_client"
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy == info.value
    assert (copy.error, copy.error_description) == ("invalid_client", "who are you")
    assert info.value.error == "invalid_client"
    assert info.value.http_status == 401


def test_an_expires_in_string_is_accepted() -> None:
    server = FakeAuthorizationServer()
    server.expires_in = "120"
    clock = FakeClock(10.0)
    assert _sync(server, clock).request_client_credentials().expires_at == 130.0


def test_an_unreachable_token_endpoint_is_an_http_error_with_context() -> None:
    client = OAuthClient(
        token_url=f"{AS}/token",
        client_id="app",
        client_secret="s",
        http=HttpClient(NO_RETRIES, transport=CountingTransport(refusing)),
    )
    with pytest.raises(HttpError) as info:
        client.get_token()
    assert any("requesting a token" in c for c in info.value.context)


def test_a_public_client_sends_only_its_id() -> None:
    server = FakeAuthorizationServer()
    client = _sync(server, client_id="pub", client_secret=None, auth_method="none")
    request = client.authorization_request()
    client.exchange_code(request, _follow_authorize(server, request))
    sent = server.token_requests[-1]
    assert sent["method"] == "none"
    assert "authorization" not in sent["headers"]


def test_configuration_is_checked() -> None:
    good: dict[str, Any] = {"token_url": f"{AS}/token", "client_id": "a", "client_secret": "s"}
    for bad in (
        {"token_url": "ftp://x"},
        {"client_id": ""},
        {"client_secret": None},
        {"auth_method": "private_key_jwt"},
        {"expiry_skew": -1},
        {"scopes": ["has space"]},
        {"scopes": ['quo"te']},
        {"authorization_url": "nope"},
    ):
        with pytest.raises(ValidationError):
            OAuthClient(**{**good, **bad})
    with pytest.raises(ValidationError):
        OAuthClient(**good, http=AsyncHttpClient())  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        AsyncOAuthClient(**good, http=HttpClient())  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="authorization_url"):
        OAuthClient(**good).authorization_request()
    with pytest.raises(ValidationError):
        OAuthClient(**good, authorization_url=f"{AS}/a").authorization_request(state="")
    assert "s3cret" not in repr(OAuthClient(**{**good, "client_secret": "s3cret"}))


def test_the_authorize_url_keeps_an_existing_query() -> None:
    client = OAuthClient(
        token_url=f"{AS}/token",
        client_id="a",
        auth_method="none",
        authorization_url=f"{AS}/authorize?tenant=t1",
    )
    request = client.authorization_request(["s"], redirect_uri="https://other/cb")
    query = dict(parse_qsl(urlsplit(request.url).query))
    assert query["tenant"] == "t1"
    assert query["redirect_uri"] == "https://other/cb"
    assert request.redirect_uri == "https://other/cb"


# -- the async client: the same flows --------------------------------------------------------


def test_async_client_credentials_and_cache(run_coro: RunCoro) -> None:
    server = FakeAuthorizationServer()
    clock = FakeClock(0.0)
    client = _async(server, clock, expiry_skew=10)
    first = run_coro(client.get_token(["a"]))
    assert run_coro(client.get_token(["a"])) is first
    assert run_coro(client.access_token(["a"])) == "at-1"
    clock.advance(3590)
    assert run_coro(client.get_token(["a"])).access_token == "at-2"
    assert len(server.token_requests) == 2
    assert run_coro(client.get_token(["a"], force_refresh=True)).access_token == "at-3"


def test_async_authorization_code_refresh_and_errors(run_coro: RunCoro) -> None:
    server = FakeAuthorizationServer()
    clock = FakeClock(0.0)
    client = _async(server, clock)
    request = client.authorization_request()
    token = run_coro(client.exchange_code(request, _follow_authorize(server, request)))
    assert token.refresh_token == "rt-1"
    assert run_coro(client.refresh(token)).access_token == "at-2"
    assert run_coro(client.ensure_fresh(token)) is token
    clock.advance(3600)
    assert run_coro(client.ensure_fresh(token)).access_token == "at-3"
    with pytest.raises(OAuthError):
        run_coro(client.refresh("unknown"))
    bad = _async(server, client_secret="wrong")
    with pytest.raises(OAuthError) as info:
        run_coro(bad.request_client_credentials())
    assert info.value.error == "invalid_client"


def test_async_refresh_of_a_cached_token(run_coro: RunCoro) -> None:
    server = FakeAuthorizationServer()
    server.refresh_for_client_credentials = True
    clock = FakeClock(0.0)
    client = _async(server, clock)
    run_coro(client.get_token())
    clock.advance(3600)
    run_coro(client.get_token())
    server.refresh_tokens.clear()
    clock.advance(3600)
    run_coro(client.get_token())
    grants = [r["form"]["grant_type"] for r in server.token_requests]
    assert grants == ["client_credentials", "refresh_token", "refresh_token", "client_credentials"]


def test_clients_close_their_http_client(run_coro: RunCoro) -> None:
    closed: list[str] = []

    class Closing(CountingTransport):
        def close(self) -> None:
            closed.append("sync")

        async def aclose(self) -> None:
            closed.append("async")

    def handler(request: Request) -> Response:
        return json_response(200, {})

    settings: dict[str, Any] = {"token_url": f"{AS}/t", "client_id": "a", "auth_method": "none"}
    with OAuthClient(**settings, http=HttpClient(transport=Closing(handler))):
        pass

    async def use() -> None:
        async with AsyncOAuthClient(**settings, http=AsyncHttpClient(transport=Closing(handler))):
            pass

    drive(use())
    assert closed == ["sync", "async"]


# -- PKCE ------------------------------------------------------------------------------


def test_pkce_matches_rfc7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert Pkce.from_verifier(verifier).challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_pkce_verifiers_are_fresh_and_valid() -> None:
    pairs = [Pkce.generate() for _ in range(20)]
    assert len({p.verifier for p in pairs}) == 20
    for pair in pairs:
        assert 43 <= len(pair.verifier) <= 128
        assert pair.method == "S256"
        assert pair.challenge == pkce_challenge(pair.verifier)
        assert pair.verifier not in repr(pair)
    for bad in ("short", "x" * 129, "x" * 42 + " ", "é" * 43, None):
        with pytest.raises(ValidationError):
            pkce_challenge(bad)  # type: ignore[arg-type]
