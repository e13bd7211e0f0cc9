"""AuthMiddleware: authentication (and optionally authorization) for any ASGI app.

Plain ASGI 3, no framework. For each HTTP request (and WebSocket handshake):

1. paths matching ``allow_paths`` (wildcard patterns, see ``_match``) pass
   untouched, as do CORS preflights (``OPTIONS`` with
   ``Access-Control-Request-Method``) unless ``allow_preflight=False``;
2. the credentials are read from ``Authorization: Bearer|Basic`` or the API
   key header and given to the authenticator;
3. with an authorizer, ``resource_for(scope)`` names the (resource, action)
   (default: the path without its slashes and the lower-cased method, e.g.
   ``("models/gpt-4", "get")``); an authorizer with ``require`` (like
   :class:`PolicyAuthorizer`) explains refusals, others answer ``authorize``;
4. the app is called with the :class:`Identity` in ``scope["state"]["identity"]``
   (``request.state.identity`` in Starlette) and in ``scope["auth"]``.

Refusals are answered here as RFC 9457 problem details
(``application/problem+json``, the body is the error's ``to_dict()`` plus
``instance``): 401 with ``WWW-Authenticate: Bearer realm=...`` (and the RFC
6750 ``error`` when a credential was presented), 403 for insufficient
permissions, 429 with ``Retry-After`` when rate limited, and the error's own
status for server-side failures (an unreachable JWKS: 502). A refused
WebSocket gets the same response through the ``websocket.http.response``
extension when the server has it, else a close with code 1008.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from infra_portable.auth._authorizer import denied
from infra_portable.auth._base import Action, Authenticator, Authorizer, Identity, Resource
from infra_portable.auth._credentials import API_KEY_HEADER, Credentials, credentials_from_headers
from infra_portable.auth._match import check_pattern, match_pattern
from infra_portable.errors import AuthError, AuthErrorKind, InfraError
from infra_portable.json import dumpb

__all__ = ["AuthMiddleware", "default_resource_for"]

# The same shapes as infra_portable.http's AsgiApp, so the two plug together.
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
ResourceFor = Callable[[Mapping[str, Any]], tuple[Resource | str, Action]]

PROBLEM_JSON = b"application/problem+json"
_WS_POLICY_VIOLATION = 1008


def default_resource_for(scope: Mapping[str, Any]) -> tuple[Resource, Action]:
    """The path as the resource (``/models/gpt-4`` -> ``models/gpt-4``), the method as action."""
    name = str(scope.get("path") or "/").strip("/") or "/"
    method = str(scope.get("method") or "GET").lower()
    return Resource(name), method


def _quoted(text: str) -> str:
    """Text safe inside an RFC 6750 quoted-string (%x20-21 / %x23-5B / %x5D-7E)."""
    return "".join(c for c in text if " " <= c <= "~" and c not in '"\\')[:200]


class AuthMiddleware:
    """Wraps ``app``: only authenticated (and authorized) requests reach it."""

    def __init__(
        self,
        app: App,
        authenticator: Authenticator,
        authorizer: Authorizer | None = None,
        *,
        resource_for: ResourceFor = default_resource_for,
        allow_paths: Iterable[str] = (),
        allow_preflight: bool = True,
        realm: str = "api",
        api_key_header: str = API_KEY_HEADER,
        state_key: str = "identity",
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.authorizer = authorizer
        self.resource_for = resource_for
        self.allow_paths = tuple(
            check_pattern(p, f"allow_paths[{i}]") for i, p in enumerate(allow_paths)
        )
        self.allow_preflight = allow_preflight
        self.realm = _quoted(realm)
        self.api_key_header = api_key_header.lower()
        self.state_key = state_key

    # -- the ASGI entry point ------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind not in ("http", "websocket") or self._passes(scope):
            await self.app(scope, receive, send)
            return
        credentials: Credentials | None = None
        try:
            credentials = credentials_from_headers(
                scope.get("headers") or [], api_key_header=self.api_key_header
            )
            if credentials is None:
                raise AuthError(
                    f"authentication required: send 'Authorization: Bearer <token>'"
                    f" or '{self.api_key_header}'",
                    auth_kind=AuthErrorKind.MISSING_CREDENTIALS,
                )
            identity = await self.authenticator.authenticate(credentials)
            if self.authorizer is not None:
                await self._authorize(scope, identity)
        except InfraError as exc:
            if kind == "websocket":
                await self._refuse_websocket(scope, receive, send, exc, credentials)
            else:
                await self._refuse(scope, send, exc, credentials)
            return
        state = dict(scope.get("state") or {})
        state[self.state_key] = identity
        await self.app({**scope, "state": state, "auth": identity}, receive, send)

    def _passes(self, scope: Scope) -> bool:
        path = str(scope.get("path") or "/")
        if any(match_pattern(p, path) for p in self.allow_paths):
            return True
        if not (self.allow_preflight and scope.get("method") == "OPTIONS"):
            return False
        return any(
            bytes(name).lower() == b"access-control-request-method"
            for name, _ in scope.get("headers") or []
        )

    async def _authorize(self, scope: Scope, identity: Identity) -> None:
        assert self.authorizer is not None
        resource, action = self.resource_for(scope)
        require = getattr(self.authorizer, "require", None)
        if callable(require):
            await require(identity, resource, action)
            return
        if not await self.authorizer.authorize(identity, resource, action):
            raise denied(identity, resource, action, "the authorizer refused")

    # -- refusals ------------------------------------------------------------------------
    def _challenge(self, exc: InfraError, credentials: Credentials | None) -> str:
        challenge = f'Bearer realm="{self.realm}"'
        if not isinstance(exc, AuthError):
            return challenge
        kind = exc.auth_kind
        if kind is AuthErrorKind.MISSING_CREDENTIALS:
            return challenge  # RFC 6750 §3.1: no error code when nothing was presented
        if kind is AuthErrorKind.INSUFFICIENT_PERMISSIONS:
            code = "insufficient_scope"
        elif credentials is None:
            code = "invalid_request"  # the header itself was malformed
        else:
            code = "invalid_token"
        return f'{challenge}, error="{code}", error_description="{_quoted(exc.message)}"'

    def _problem(
        self, scope: Scope, exc: InfraError, credentials: Credentials | None
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        status = exc.http_status
        problem = exc.to_dict()
        problem["instance"] = str(scope.get("path") or "/")
        body = dumpb(problem)
        headers = [
            (b"content-type", PROBLEM_JSON),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"cache-control", b"no-store"),
        ]
        if status in (401, 403):
            headers.append((b"www-authenticate", self._challenge(exc, credentials).encode()))
        if exc.retry_after is not None:
            headers.append((b"retry-after", str(math.ceil(exc.retry_after)).encode("ascii")))
        return status, headers, body

    async def _refuse(
        self, scope: Scope, send: Send, exc: InfraError, credentials: Credentials | None
    ) -> None:
        status, headers, body = self._problem(scope, exc, credentials)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _refuse_websocket(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        exc: InfraError,
        credentials: Credentials | None,
    ) -> None:
        await receive()  # the websocket.connect message
        if "websocket.http.response" in (scope.get("extensions") or {}):
            status, headers, body = self._problem(scope, exc, credentials)
            await send(
                {"type": "websocket.http.response.start", "status": status, "headers": headers}
            )
            await send({"type": "websocket.http.response.body", "body": body, "more_body": False})
            return
        await send(
            {"type": "websocket.close", "code": _WS_POLICY_VIOLATION, "reason": exc.message[:120]}
        )
