"""A real OAuth 2.0 authorization server for the native auth tests: Authlib on Flask, in a thread.

    with serving() as server:
        server.token_url, server.authorize_url, server.jwks_url, server.userinfo_url

Authlib's ``AuthorizationServer`` with in-memory models and three grants:
client credentials, authorization code with PKCE (``CodeChallenge``, S256 or
plain; required for the public client) and refresh token (rotated on use).
Access tokens are RFC 9068 JWTs signed RS256 with a key generated at start
(``kid`` ``as-key-1``), published at ``/jwks``; their ``aud`` is the client id,
``iss`` the server's base URL, and they carry ``roles`` (``["service"]`` for
client credentials, ``["reader"]`` for the user). ``/userinfo`` is guarded by
Authlib's ``ResourceProtector``.

The authorize endpoint approves at once for the one test user and answers
302 to ``redirect_uri`` with ``code`` and ``state`` (no login page), so a test
drives the flow with an HTTP client that does not follow redirects.

Clients: ``app``/``app-secret`` (confidential: client_secret_basic or
client_secret_post) and ``spa`` (public: auth method ``none``, PKCE required).

Served by werkzeug's ``make_server`` on 127.0.0.1, port 0, in a daemon thread;
leaving the ``with`` block shuts it down. Native CPython only (sockets, threads).
The WASI and Pyodide harnesses start it with ``serving_in_subprocess()`` and pass
``to_env(info)`` as ``INFRA_PORTABLE_TEST_OAUTH``; every answer carries CORS
headers so a page may call it.

``python tests/support/oauth_server.py`` runs the same server in its own
process: it prints one JSON line (``base_url``, ``public_jwks``) and serves
until its stdin closes. The tests use that when their own interpreter cannot
import Authlib's dependencies (``INFRA_PORTABLE_BLOCK_NATIVE=1`` blocks
``cryptography``), so the library's pure-Python fallbacks still meet a real
server.
"""

from __future__ import annotations

import hmac
import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

REDIRECT_URI = "http://127.0.0.1:9/callback"  # never contacted: the test reads the redirect
ENV = "INFRA_PORTABLE_TEST_OAUTH"  # JSON {base_url, public_jwks}: a server a harness started
USER_ID = "user-42"
KEY_ID = "as-key-1"


@dataclass
class OAuthServer:
    """Where the running server is and what it knows."""

    base_url: str
    public_jwks: dict[str, Any]
    client_id: str = "app"
    client_secret: str = "app-secret"
    public_client_id: str = "spa"
    redirect_uri: str = REDIRECT_URI
    user_id: str = USER_ID
    token_lifetime: int = 3600

    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    @property
    def authorize_url(self) -> str:
        return f"{self.base_url}/authorize"

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/jwks"

    @property
    def userinfo_url(self) -> str:
        return f"{self.base_url}/userinfo"


class _User:
    def __init__(self, user_id: str) -> None:
        self.id = user_id

    def get_user_id(self) -> str:
        return self.id


class _Client:
    """authlib.oauth2.rfc6749.ClientMixin, in memory."""

    def __init__(
        self,
        client_id: str,
        secret: str | None,
        auth_methods: tuple[str, ...],
        grant_types: tuple[str, ...],
    ) -> None:
        self.client_id = client_id
        self.client_secret = secret
        self.auth_methods = auth_methods
        self.grant_types = grant_types
        self.redirect_uris = (REDIRECT_URI,)
        self.scope = "openid profile models:read models:write"

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return self.client_secret is not None and hmac.compare_digest(
            client_secret.encode(), self.client_secret.encode()
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint != "token" or method in self.auth_methods

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


class _AuthorizationCode:
    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def get_redirect_uri(self) -> str:
        return str(self.redirect_uri)

    def get_scope(self) -> str:
        return str(self.scope)

    def get_auth_time(self) -> int:
        return int(self.auth_time)


class _Token:
    def __init__(self, client_id: str, user_id: str | None, data: dict[str, Any]) -> None:
        self.client_id = client_id
        self.user_id = user_id
        self.access_token = data["access_token"]
        self.refresh_token = data.get("refresh_token")
        self.scope = data.get("scope", "")
        self.expires_in = int(data.get("expires_in", 0))
        self.issued_at = int(time.time())
        self.revoked = False

    def check_client(self, client: _Client) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return str(self.scope)

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return bool(self.expires_in) and time.time() >= self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked


def build_app(info: OAuthServer, private_key: Any) -> Any:
    """The Flask app: /authorize, /token, /jwks, /userinfo."""
    from authlib.common.security import generate_token
    from authlib.integrations.flask_oauth2 import (
        AuthorizationServer,
        ResourceProtector,
        current_token,
    )
    from authlib.oauth2.rfc6749 import OAuth2Error, grants
    from authlib.oauth2.rfc6750 import BearerTokenValidator
    from authlib.oauth2.rfc7636 import CodeChallenge
    from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
    from flask import Flask, jsonify
    from flask import request as flask_request
    from joserfc.jwk import KeySet

    clients = {
        info.client_id: _Client(
            info.client_id,
            info.client_secret,
            ("client_secret_basic", "client_secret_post"),
            ("client_credentials", "authorization_code", "refresh_token"),
        ),
        info.public_client_id: _Client(
            info.public_client_id, None, ("none",), ("authorization_code", "refresh_token")
        ),
    }
    users = {USER_ID: _User(USER_ID)}
    codes: dict[str, _AuthorizationCode] = {}
    tokens: list[_Token] = []
    key_set = KeySet([private_key])

    def save_token(token: dict[str, Any], request: Any) -> None:
        user_id = request.user.get_user_id() if request.user else None
        tokens.append(_Token(request.client.client_id, user_id, token))

    class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ]

        def save_authorization_code(self, code: str, request: Any) -> None:
            data = request.payload.data
            codes[code] = _AuthorizationCode(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.scope or "",
                user_id=request.user.get_user_id(),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                auth_time=int(time.time()),
            )

        def query_authorization_code(self, code: str, client: _Client) -> Any:
            item = codes.get(code)
            return item if item is not None and item.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code: Any) -> None:
            codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: Any) -> Any:
            return users.get(authorization_code.user_id)

    class RefreshTokenGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ]
        INCLUDE_NEW_REFRESH_TOKEN = True  # rotate refresh tokens

        def authenticate_refresh_token(self, refresh_token: str) -> Any:
            for token in tokens:
                if token.refresh_token == refresh_token and not token.revoked:
                    return token
            return None

        def authenticate_user(self, refresh_token: Any) -> Any:
            return users.get(refresh_token.user_id)

        def revoke_old_credential(self, refresh_token: Any) -> None:
            refresh_token.revoked = True

    class ClientCredentialsGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = [
            "client_secret_basic",
            "client_secret_post",
        ]

    class JwtTokens(JWTBearerTokenGenerator):  # type: ignore[misc]
        def get_jwks(self) -> Any:
            return key_set

        def get_extra_claims(self, client: Any, grant_type: str, user: Any, scope: str) -> Any:
            return {"roles": ["reader"] if user else ["service"]}

    class Validator(BearerTokenValidator):  # type: ignore[misc]
        def authenticate_token(self, token_string: str) -> Any:
            return next((t for t in tokens if t.access_token == token_string), None)

    app = Flask("oauth_test_server")
    server = AuthorizationServer(app, query_client=clients.get, save_token=save_token)
    server.register_token_generator(
        "default",
        JwtTokens(
            issuer=info.issuer,
            alg="RS256",
            refresh_token_generator=lambda **kwargs: generate_token(48),
            expires_generator=lambda client, grant_type: info.token_lifetime,
        ),
    )
    server.register_grant(ClientCredentialsGrant)
    server.register_grant(AuthorizationCodeGrant, [CodeChallenge(required=True)])
    server.register_grant(RefreshTokenGrant)
    require_oauth = ResourceProtector()
    require_oauth.register_token_validator(Validator())

    # CORS, so a page (the Pyodide suite) may call the token, JWKS and userinfo
    # endpoints from its own origin; non-credentialed, so "*" is allowed.
    @app.before_request
    def preflight() -> Any:
        if flask_request.method == "OPTIONS" and flask_request.headers.get(
            "Access-Control-Request-Method"
        ):
            answer = app.make_response(("", 204))
            answer.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            answer.headers["Access-Control-Allow-Headers"] = flask_request.headers.get(
                "Access-Control-Request-Headers", "*"
            )
            answer.headers["Access-Control-Max-Age"] = "600"
            return answer
        return None

    @app.after_request
    def cors(answer: Any) -> Any:
        answer.headers["Access-Control-Allow-Origin"] = "*"
        answer.headers["Access-Control-Expose-Headers"] = "*"
        return answer

    @app.get("/authorize")
    def authorize() -> Any:
        # Auto-approve for the test user: no login page, straight to the redirect.
        user = users[USER_ID]
        try:
            grant = server.get_consent_grant(end_user=user)
        except OAuth2Error as error:
            return server.handle_error_response(None, error)
        return server.create_authorization_response(grant=grant, grant_user=user)

    @app.post("/token")
    def issue_token() -> Any:
        return server.create_token_response()

    @app.get("/jwks")
    def jwks() -> Any:
        return jsonify(info.public_jwks)

    @app.get("/userinfo")
    @require_oauth()  # type: ignore[misc]
    def userinfo() -> Any:
        token = current_token
        return jsonify({"sub": token.user_id or token.client_id, "scope": token.scope})

    return app


@contextmanager
def serving(*, token_lifetime: int = 3600) -> Iterator[OAuthServer]:
    """Run the server on 127.0.0.1 (a free port) for the duration of the block."""
    from joserfc.jwk import KeySet, RSAKey
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):  # type: ignore[misc]
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    private_key = RSAKey.generate_key(
        2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"}, private=True
    )
    public_jwks = KeySet([private_key]).as_dict(private=False)
    info = OAuthServer(base_url="", public_jwks=public_jwks, token_lifetime=token_lifetime)
    # The app needs the base URL (the issuer), which needs the port: bind first.
    holder: dict[str, Any] = {}

    def app(environ: Any, start_response: Any) -> Any:
        return holder["app"](environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    info.base_url = f"http://127.0.0.1:{server.server_port}"
    holder["app"] = build_app(info, private_key)
    thread = threading.Thread(target=server.serve_forever, name="oauth-test-server", daemon=True)
    thread.start()
    try:
        yield info
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def to_env(info: OAuthServer) -> str:
    """The value of ``ENV`` that tells a suite (in any runtime) where the server is."""
    return json.dumps({"base_url": info.base_url, "public_jwks": info.public_jwks})


def from_env(raw: str | None = None) -> OAuthServer | None:
    """The server a harness started, from ``ENV`` (or ``raw``, its value); None when none."""
    import os

    raw = os.environ.get(ENV) if raw is None else raw
    if not raw:
        return None
    data = json.loads(raw)
    return OAuthServer(data["base_url"], data["public_jwks"])


@contextmanager
def subprocess_unless(given: OAuthServer | None) -> Iterator[OAuthServer]:
    """``given`` (a harness's server) when set, else one started in its own process."""
    if given is not None:
        yield given
        return
    with serving_in_subprocess() as info:
        yield info


@contextmanager
def serving_in_subprocess(python: str | None = None) -> Iterator[OAuthServer]:
    """The same server in its own process (``python`` defaults to this one), for
    harnesses and for an interpreter that cannot import Authlib's dependencies."""
    import os
    import selectors
    import subprocess

    process = subprocess.Popen(
        [python or sys.executable, __file__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "INFRA_PORTABLE_BLOCK_NATIVE"},
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout=60):
                raise RuntimeError("the OAuth server process did not start within 60 s")
        started = json.loads(process.stdout.readline())
        yield OAuthServer(started["base_url"], started["public_jwks"])
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()


def main() -> None:
    """Serve in this process until stdin closes (see the module docstring)."""
    with serving() as info:
        print(json.dumps({"base_url": info.base_url, "public_jwks": info.public_jwks}), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
