"""CORS (the Fetch standard's cross-origin checks) as ASGI middleware.

A browser on another origin reads a response only when it carries
``Access-Control-Allow-Origin`` for that origin, and sends a *preflight*
``OPTIONS`` before a request that is not "simple" (a JSON POST, an
``Authorization`` header...). This middleware answers preflights itself and adds
the headers to every response for an allowed origin, errors included.

Credentials (cookies, HTTP auth) follow the standard's rules: with
``allow_credentials=True`` the response names the exact origin (never ``*``),
says ``Access-Control-Allow-Credentials: true``, and the ``*`` wildcards for
methods, headers and exposed headers are not used (the request's own are
echoed instead). Allowing credentials from every origin (``*``) would let any
site act as the user, so it is refused at construction.
"""

from __future__ import annotations

from collections.abc import Iterable

from infra_portable.errors import ConfigError
from infra_portable.http.server._asgi import (
    AsgiApp,
    Message,
    RawHeaders,
    Receive,
    Scope,
    Send,
    scope_header,
)
from infra_portable.http.server._problems import HttpProblem, send_problem

__all__ = ["CorsMiddleware"]

_SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})


def _origin(value: str) -> str:
    origin = value.strip().rstrip("/").lower()
    scheme, sep, rest = origin.partition("://")
    if origin == "null" or (sep and scheme in ("http", "https") and rest and "/" not in rest):
        return origin
    raise ConfigError(
        f"a CORS origin is scheme://host[:port] (or '*' or 'null'), not {value!r}",
        key="allow_origins",
    )


def _tokens(values: Iterable[str], key: str, *, upper: bool = False) -> frozenset[str]:
    if isinstance(values, str):
        raise ConfigError(f"{key} is a list of names, not one string", key=key)
    out = set()
    for value in values:
        name = str(value).strip()
        if not name or any(c in name for c in " ,\r\n\0"):
            raise ConfigError(f"{name!r} is not a header or method name", key=key)
        out.add(name.upper() if upper else name.lower())
    return frozenset(out)


class CorsMiddleware:
    """Cross-origin access for the listed origins (``["*"]`` for any, without credentials).

    ``allow_methods``/``allow_headers`` list what a preflight may ask for
    (``["*"]`` for anything); ``expose_headers`` are response headers the page
    may read beyond the safelisted ones; ``max_age`` is how long (seconds) the
    browser may cache a preflight answer. A preflight from an origin, for a
    method or with a header that is not allowed gets 403 without CORS headers.
    """

    def __init__(
        self,
        app: AsgiApp,
        *,
        allow_origins: Iterable[str] = (),
        allow_methods: Iterable[str] = ("GET", "HEAD", "POST"),
        allow_headers: Iterable[str] = (),
        expose_headers: Iterable[str] = (),
        allow_credentials: bool = False,
        max_age: int = 600,
    ) -> None:
        if isinstance(allow_origins, str):
            allow_origins = [allow_origins]
        origins = [str(o) for o in allow_origins]
        self.any_origin = "*" in origins
        self.origins = frozenset(_origin(o) for o in origins if o != "*")
        if self.any_origin and allow_credentials:
            raise ConfigError(
                "allow_credentials with allow_origins ['*'] would let every site act as the "
                "user; list the trusted origins instead",
                key="allow_origins",
            )
        methods = _tokens(allow_methods, "allow_methods", upper=True)
        headers = _tokens(allow_headers, "allow_headers")
        exposed = _tokens(expose_headers, "expose_headers")
        self.any_method = "*" in methods
        self.methods = methods - {"*"}
        self.any_header = "*" in headers
        self.headers = headers - {"*"}
        if not (isinstance(max_age, int) and max_age >= 0):
            raise ConfigError("max_age is a number of seconds", key="max_age")
        self.app = app
        self.credentials = bool(allow_credentials)
        self.max_age = max_age
        self.expose = ", ".join(sorted(exposed)).encode("latin-1") if exposed else b""

    def origin_allowed(self, origin: str) -> bool:
        return self.any_origin or origin.lower() in self.origins

    def _allow_origin_headers(self, origin: str) -> RawHeaders:
        if self.any_origin and not self.credentials:
            return [(b"access-control-allow-origin", b"*")]
        headers = [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin")]
        if self.credentials:
            headers.append((b"access-control-allow-credentials", b"true"))
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = scope_header(scope, b"origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        requested = scope_header(scope, b"access-control-request-method")
        if scope["method"] == "OPTIONS" and requested is not None:
            await self._preflight(scope, send, origin, requested)
            return
        if not self.origin_allowed(origin):
            await self.app(scope, receive, send)  # no CORS headers: the browser hides it
            return
        extra = self._allow_origin_headers(origin)
        if self.expose:
            extra.append((b"access-control-expose-headers", self.expose))

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", ())
                    if not k.startswith(b"access-control-allow-")
                ]
                message = {**message, "headers": _merge_vary(headers, extra)}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, scope: Scope, send: Send, origin: str, method: str) -> None:
        asked = [
            h.strip().lower()
            for h in (scope_header(scope, b"access-control-request-headers") or "").split(",")
            if h.strip()
        ]
        refusal = None
        if not self.origin_allowed(origin):
            refusal = f"origin {origin!r} is not allowed"
        elif not (self.any_method or method in self.methods or method in _SAFELISTED_METHODS):
            refusal = f"method {method!r} is not allowed"
        elif not self.any_header and any(h not in self.headers for h in asked):
            refusal = (
                f"header(s) {', '.join(h for h in asked if h not in self.headers)} not allowed"
            )
        if refusal is not None:
            await send_problem(
                HttpProblem(
                    f"CORS preflight refused: {refusal}", status=403, url=scope.get("path")
                ),
                scope,
                send,
            )
            return
        headers = self._allow_origin_headers(origin)
        wildcard = not self.credentials
        if self.any_method:
            methods = "*" if wildcard else method
        else:
            methods = ", ".join(sorted(self.methods | {method}))
        headers.append((b"access-control-allow-methods", methods.encode("latin-1")))
        if asked:
            allowed = "*" if self.any_header and wildcard else ", ".join(asked)
            headers.append((b"access-control-allow-headers", allowed.encode("latin-1")))
        headers.append((b"access-control-max-age", str(self.max_age).encode()))
        headers = _merge_vary(
            headers, [(b"vary", b"Access-Control-Request-Method, Access-Control-Request-Headers")]
        )
        headers.append((b"content-length", b"0"))
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _merge_vary(headers: RawHeaders, extra: RawHeaders) -> RawHeaders:
    """``headers`` plus ``extra``, with every ``Vary`` value folded into one header."""
    vary: list[bytes] = []
    out: RawHeaders = []
    for key, value in [*headers, *extra]:
        if key == b"vary":
            for raw in value.split(b","):
                part = raw.strip()
                if part and part.lower() not in (v.lower() for v in vary):
                    vary.append(part)
        else:
            out.append((key, value))
    if vary:
        out.append((b"vary", b", ".join(vary)))
    return out
