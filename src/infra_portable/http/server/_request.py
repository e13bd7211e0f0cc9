"""ServerRequest: what a handler receives — method, path, params, query, headers, body.

Everything is read lazily from the ASGI scope (headers and query are parsed on
first use), and the body is read from ``receive`` on the first ``await
request.body()``, counting bytes as they arrive: a body over the limit is
refused with 413 as soon as it crosses it, not after it is all in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl

from infra_portable.errors import SerializationError
from infra_portable.http._types import Headers
from infra_portable.http.server._asgi import Receive, Scope, scope_header, scope_state
from infra_portable.http.server._problems import HttpProblem

__all__ = ["DEFAULT_MAX_BODY_BYTES", "QueryParams", "ServerRequest", "body_too_large"]

DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024


def body_too_large(limit: int, path: str | None = None) -> HttpProblem:
    return HttpProblem(f"request body larger than the {limit}-byte limit", status=413, url=path)


def check_declared_length(scope: Scope, limit: int) -> None:
    """413 at once when Content-Length already says the body is over ``limit``."""
    declared = scope_header(scope, b"content-length")
    if declared is not None:
        text = declared.strip()
        if not text.isdigit():
            raise HttpProblem("Content-Length is not a number", status=400, url=scope.get("path"))
        if int(text) > limit:
            raise body_too_large(limit, scope.get("path"))


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or any ``+json`` type (``application/problem+json``...)."""
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class QueryParams:
    """The query string: ``get`` gives the first value, ``get_all`` every value, in order."""

    __slots__ = ("_items",)

    def __init__(self, query: str | bytes = "") -> None:
        text = query.decode("latin-1") if isinstance(query, bytes) else query
        self._items = parse_qsl(text, keep_blank_values=True)

    def get(self, name: str, default: str | None = None) -> str | None:
        for key, value in self._items:
            if key == name:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        return [v for k, v in self._items if k == name]

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return any(k == name for k, _ in self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(k for k, _ in self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"QueryParams({self._items!r})"


class ServerRequest:
    """One incoming HTTP request, as a handler sees it.

    ``state`` is the per-request dict middleware fill (``request_id``, an
    identity...); ``extensions`` is the server's ASGI extensions.
    """

    __slots__ = (
        "_body",
        "_headers",
        "_query",
        "_receive",
        "max_body_bytes",
        "path_params",
        "scope",
    )

    def __init__(
        self,
        scope: Scope,
        receive: Receive,
        path_params: dict[str, Any] | None = None,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.scope = scope
        self._receive = receive
        self.path_params: dict[str, Any] = path_params if path_params is not None else {}
        self.max_body_bytes = max_body_bytes
        self._body: bytes | None = None
        self._headers: Headers | None = None
        self._query: QueryParams | None = None

    # -- the request line and headers ----------------------------------------
    @property
    def method(self) -> str:
        return str(self.scope["method"])

    @property
    def path(self) -> str:
        """The decoded path (without the query string)."""
        return str(self.scope.get("path", "/"))

    @property
    def query_string(self) -> str:
        return bytes(self.scope.get("query_string", b"")).decode("latin-1")

    @property
    def query(self) -> QueryParams:
        if self._query is None:
            self._query = QueryParams(self.scope.get("query_string", b""))
        return self._query

    @property
    def headers(self) -> Headers:
        """Case-insensitive request headers."""
        if self._headers is None:
            self._headers = Headers(
                (bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
                for k, v in self.scope.get("headers", ())
            )
        return self._headers

    def header(self, name: str) -> str | None:
        return scope_header(self.scope, name.lower().encode("latin-1"))

    @property
    def content_type(self) -> str | None:
        return scope_header(self.scope, b"content-type")

    @property
    def client(self) -> tuple[str, int] | None:
        """The peer's (host, port), when the server knows it."""
        client = self.scope.get("client")
        return (str(client[0]), int(client[1])) if client else None

    @property
    def url(self) -> str:
        """The full URL as the client asked for it (scheme, Host header, path, query)."""
        from urllib.parse import quote

        scheme = self.scope.get("scheme", "http")
        host = self.header("host")
        if not host:
            server = self.scope.get("server")
            host = f"{server[0]}:{server[1]}" if server else "localhost"
        query = self.query_string
        raw = self.scope.get("raw_path")
        path = bytes(raw).decode("latin-1") if raw else quote(self.path)
        return f"{scheme}://{host}{path}{'?' + query if query else ''}"

    @property
    def state(self) -> dict[str, Any]:
        return scope_state(self.scope)

    @property
    def request_id(self) -> str | None:
        """The ID the request-ID middleware gave this request, if it ran."""
        value = self.state.get("request_id")
        return None if value is None else str(value)

    @property
    def extensions(self) -> dict[str, Any]:
        return self.scope.get("extensions") or {}

    # -- the body -------------------------------------------------------------
    async def stream(self) -> AsyncIterator[bytes]:
        """The body in chunks as they arrive, within ``max_body_bytes``."""
        if self._body is not None:
            if self._body:
                yield self._body
            return
        limit = self.max_body_bytes
        check_declared_length(self.scope, limit)
        seen = 0
        while True:
            message = await self._receive()
            kind = message.get("type")
            if kind == "http.disconnect":
                raise HttpProblem(
                    "the client went away before sending the whole body", status=400, url=self.path
                )
            chunk = bytes(message.get("body", b""))
            seen += len(chunk)
            if seen > limit:
                raise body_too_large(limit, self.path)
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                self._body = b""  # consumed: a second read is empty, not a hang
                return

    async def body(self) -> bytes:
        """The whole body (read once, then cached)."""
        if self._body is None:
            self._body = b"".join([chunk async for chunk in self.stream()])
        return self._body

    async def text(self) -> str:
        from infra_portable.http._types import _charset

        body = await self.body()
        charset = _charset(self.content_type) or "utf-8"
        try:
            return body.decode(charset)
        except (UnicodeDecodeError, LookupError):
            raise HttpProblem(
                f"the body is not valid {charset} text", status=400, url=self.path
            ) from None

    async def json(self) -> Any:
        """The body parsed as JSON: 415 for another content type, 400 when malformed.

        A request without Content-Type is read as JSON (non-browser clients
        often omit it; a browser's cross-site "simple" request always sends one).
        """
        content_type = self.content_type
        if content_type is not None and not is_json_media_type(content_type):
            raise HttpProblem(
                f"expected an application/json body, got {content_type.partition(';')[0].strip() or 'none'}",
                status=415,
                url=self.path,
                headers=[("accept-post", "application/json")],
            )
        body = await self.body()
        if not body.strip():
            raise SerializationError("the request body is empty; a JSON value was expected")
        from infra_portable.json import loads

        return loads(body)

    def __repr__(self) -> str:
        return f"<ServerRequest {self.method} {self.path}>"
