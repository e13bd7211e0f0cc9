"""Routes: ``METHOD /path/{param}`` templates matched against the request path.

A template is literal segments and whole-segment parameters::

    /v1/models/{name}        any non-empty segment, as str
    /v1/jobs/{id:int}        digits, as int
    /v1/scores/{x:float}     digits with an optional fraction, as float
    /v1/runs/{run:uuid}      a UUID, as uuid.UUID
    /files/{path:path}       the rest of the path, slashes included (last only)

Matching works on the raw (still percent-encoded) path, one segment at a time,
and decodes a parameter after it matched: ``/v1/models/a%2Fb`` gives
``name == "a/b"`` instead of missing the route. Literal routes are found with
one dict lookup; templates are tried in the order they were added. A path that
matches no template is 404; one that matches but not for this method is 405
with an ``Allow`` header. ``HEAD`` is served by the ``GET`` handler when there
is no ``HEAD`` route (the response drops its body). Trailing slashes are
significant: ``/a/`` is not ``/a``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, TypeVar
from urllib.parse import quote, unquote_to_bytes

from infra_portable.errors import ValidationError
from infra_portable.http._types import METHODS
from infra_portable.http.server._asgi import AsgiApp, Scope
from infra_portable.http.server._problems import HttpProblem
from infra_portable.http.server._request import ServerRequest

__all__ = ["Endpoint", "Handler", "HandlerFunc", "Match", "Route", "Router"]

HandlerFunc = Callable[[ServerRequest], Any]


class Handler(Protocol):
    """The seed's Handler trait: an object with ``async handle(request)``."""

    def handle(self, request: ServerRequest) -> Awaitable[Any]: ...


F = TypeVar("F", bound=HandlerFunc)
_NO = object()  # "this segment does not fit the converter"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_FLOAT = re.compile(r"[0-9]+(\.[0-9]+)?\Z")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def _decode(segment: str) -> str:
    if "%" not in segment and segment.isascii():
        return segment
    try:
        return unquote_to_bytes(segment.encode("latin-1")).decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise HttpProblem(
            "the request path is not valid percent-encoded UTF-8", status=400
        ) from None


def _as_str(value: str) -> Any:
    return value if value else _NO


def _as_int(value: str) -> Any:
    return int(value) if value.isascii() and value.isdigit() else _NO


def _as_float(value: str) -> Any:
    return float(value) if _FLOAT.match(value) else _NO


def _as_uuid(value: str) -> Any:
    return uuid.UUID(value) if _UUID.match(value) else _NO


CONVERTERS: dict[str, Callable[[str], Any]] = {
    "str": _as_str,
    "int": _as_int,
    "float": _as_float,
    "uuid": _as_uuid,
}


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A handler and how to call it."""

    call: Callable[[ServerRequest], Any]
    name: str
    max_body_bytes: int | None = None


class Match(NamedTuple):
    """The endpoint a request goes to and its decoded path parameters."""

    endpoint: Endpoint
    params: dict[str, Any]


def _bad_template(path: str, why: str) -> ValidationError:
    return ValidationError(f"bad route template: {why}", field="path", actual=repr(path))


class Route:
    """One template and its handlers by method."""

    __slots__ = ("handlers", "is_static", "parts", "rest", "template")

    def __init__(self, template: str) -> None:
        if not isinstance(template, str) or not template.startswith("/"):
            raise _bad_template(str(template), "a path starts with '/'")
        self.template = template
        parts: list[tuple[str, Callable[[str], Any] | None]] = []
        self.rest: str | None = None
        names: set[str] = set()
        segments = template[1:].split("/")
        for index, segment in enumerate(segments):
            if not (segment.startswith("{") and segment.endswith("}")):
                if "{" in segment or "}" in segment:
                    raise _bad_template(template, "a parameter is a whole segment: /{name}")
                parts.append((segment, None))
                continue
            name, _, kind = segment[1:-1].partition(":")
            kind = kind or "str"
            if not _NAME.match(name) or name in names:
                raise _bad_template(template, f"parameter name {name!r} is not a unique identifier")
            names.add(name)
            if kind == "path":
                if index != len(segments) - 1:
                    raise _bad_template(template, "a {name:path} parameter comes last")
                self.rest = name
                continue
            if kind not in CONVERTERS:
                raise _bad_template(
                    template, f"unknown converter {kind!r}; use {', '.join([*CONVERTERS, 'path'])}"
                )
            parts.append((name, CONVERTERS[kind]))
        self.parts = tuple(parts)
        self.is_static = self.rest is None and all(c is None for _, c in parts)
        self.handlers: dict[str, Endpoint] = {}

    def match(self, segments: list[str]) -> dict[str, Any] | None:
        """The parameters when the encoded ``segments`` fit this template, else None."""
        parts = self.parts
        count = len(parts)
        if self.rest is None:
            if len(segments) != count:
                return None
        elif len(segments) < count + 1:
            return None
        params: dict[str, Any] = {}
        for (text, convert), segment in zip(parts, segments, strict=False):
            if convert is None:
                if segment != text and _decode(segment) != text:
                    return None
                continue
            value = convert(_decode(segment))
            if value is _NO:
                return None
            params[text] = value
        if self.rest is not None:
            params[self.rest] = _decode("/".join(segments[count:]))
        return params

    def allowed(self) -> set[str]:
        methods = set(self.handlers)
        if "GET" in methods:
            methods.add("HEAD")
        return methods

    def endpoint_for(self, method: str) -> Endpoint | None:
        found = self.handlers.get(method)
        if found is None and method == "HEAD":
            return self.handlers.get("GET")
        return found


def _endpoint(handler: Any, max_body_bytes: int | None) -> Endpoint:
    call = handler
    if not callable(handler):
        handle = getattr(handler, "handle", None)
        if not callable(handle):
            raise ValidationError(
                "a handler is a function of the request or an object with handle(request)",
                field="handler",
                actual=type(handler).__name__,
            )
        call = handle
    if max_body_bytes is not None and not (isinstance(max_body_bytes, int) and max_body_bytes >= 0):
        raise ValidationError(
            "max_body_bytes is a number of bytes",
            field="max_body_bytes",
            actual=repr(max_body_bytes),
        )
    name = getattr(call, "__qualname__", None) or type(handler).__name__
    return Endpoint(call, str(name), max_body_bytes)


def _methods(method: str | Iterable[str]) -> list[str]:
    names = [method] if isinstance(method, str) else list(method)
    out = []
    for name in names:
        upper = str(name).upper()
        if upper not in METHODS:
            raise ValidationError(
                "unknown HTTP method",
                field="method",
                expected=", ".join(sorted(METHODS)),
                actual=repr(name),
            )
        out.append(upper)
    return out


def split_route_path(scope: Scope) -> tuple[str, list[str]]:
    """The path the router sees (``root_path`` removed), raw when the server gives it,
    and its segments after the leading slash."""
    root = scope.get("root_path") or ""
    raw = scope.get("raw_path")
    path = None
    if raw is not None:
        path = bytes(raw).decode("latin-1")
        if root:
            encoded_root = quote(root)
            path = path[len(encoded_root) :] if path.startswith(encoded_root) else None
    if path is None:  # no raw path (or it disagrees with root_path): the decoded one
        path = str(scope.get("path") or "/")
        if root and path.startswith(root):
            path = path[len(root) :]
        path = quote(path, safe="/:@!$&'()*+,;=-._~")
    if not path.startswith("/"):
        path = "/" + path
    return path, path[1:].split("/")


class Router:
    """Routes by method and path template; mount one in another with ``include_router``.

    Register with decorators (``@router.get("/v1/models/{name}")``) or with the
    seed's ``router.route("GET", path, handler)`` (chainable). A handler is an
    ``async def handler(request)`` (a plain ``def`` runs inline and must not
    block), or an object with ``handle(request)``.
    """

    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}
        self._static: dict[str, Route] = {}
        self._static_segments: dict[tuple[str, ...], Route] = {}
        self._dynamic: list[Route] = []
        self._mounts: list[tuple[str, list[str], AsgiApp]] = []

    # -- registering ------------------------------------------------------------
    def add_route(
        self,
        method: str | Iterable[str],
        path: str,
        handler: HandlerFunc | Handler,
        *,
        max_body_bytes: int | None = None,
    ) -> Route:
        """Register ``handler`` for ``method`` (one name or several) on ``path``."""
        return self._add(_methods(method), path, _endpoint(handler, max_body_bytes))

    def _add(self, methods: list[str], path: str, endpoint: Endpoint) -> Route:
        route = self._routes.get(path)
        if route is None:
            route = Route(path)
            self._routes[path] = route
            if route.is_static:
                self._static[path] = route
                self._static_segments[tuple(text for text, _ in route.parts)] = route
            else:
                self._dynamic.append(route)
        for name in methods:
            if name in route.handlers:
                raise ValidationError(
                    f"{name} {path} has a handler already", field="path", actual=path
                )
        for name in methods:
            route.handlers[name] = endpoint
        return route

    def route(
        self,
        method: str | Iterable[str],
        path: str,
        handler: HandlerFunc | Handler | None = None,
        *,
        max_body_bytes: int | None = None,
    ) -> Any:
        """``route(method, path, handler)`` registers and returns ``self`` (the seed's API);
        ``route(method, path)`` returns a decorator."""
        if handler is not None:
            self.add_route(method, path, handler, max_body_bytes=max_body_bytes)
            return self

        def register(func: F) -> F:
            self.add_route(method, path, func, max_body_bytes=max_body_bytes)
            return func

        return register

    def _decorator(self, method: str, path: str, max_body_bytes: int | None) -> Callable[[F], F]:
        def register(func: F) -> F:
            self.add_route(method, path, func, max_body_bytes=max_body_bytes)
            return func

        return register

    def get(self, path: str, *, max_body_bytes: int | None = None) -> Callable[[F], F]:
        return self._decorator("GET", path, max_body_bytes)

    def post(self, path: str, *, max_body_bytes: int | None = None) -> Callable[[F], F]:
        return self._decorator("POST", path, max_body_bytes)

    def put(self, path: str, *, max_body_bytes: int | None = None) -> Callable[[F], F]:
        return self._decorator("PUT", path, max_body_bytes)

    def patch(self, path: str, *, max_body_bytes: int | None = None) -> Callable[[F], F]:
        return self._decorator("PATCH", path, max_body_bytes)

    def delete(self, path: str, *, max_body_bytes: int | None = None) -> Callable[[F], F]:
        return self._decorator("DELETE", path, max_body_bytes)

    def options(self, path: str, *, max_body_bytes: int | None = None) -> Callable[[F], F]:
        return self._decorator("OPTIONS", path, max_body_bytes)

    def include_router(self, router: Router, prefix: str = "") -> None:
        """Copy ``router``'s routes (and mounts) here, under ``prefix`` (``"/v1"``)."""
        if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
            raise _bad_template(prefix, "a prefix starts with '/' and does not end with one")
        for route in router._routes.values():
            for method, endpoint in route.handlers.items():
                self._add([method], prefix + route.template, endpoint)
        for mount_prefix, _, app in router._mounts:
            self.mount(prefix + mount_prefix, app)

    def mount(self, prefix: str, app: AsgiApp) -> None:
        """Send every request under ``prefix`` to another ASGI app.

        The app sees ``root_path`` extended by ``prefix`` and the full ``path``
        (ASGI's convention; an :class:`App` strips its ``root_path`` itself).
        """
        if not prefix.startswith("/") or prefix.endswith("/") or "{" in prefix:
            raise _bad_template(prefix, "a mount prefix is a literal path like '/admin'")
        self._mounts.append((prefix, prefix[1:].split("/"), app))

    # -- matching -------------------------------------------------------------
    def match(self, method: str, path: str, segments: list[str]) -> Match:
        """The endpoint and parameters for this request, or HttpProblem 404/405."""
        route = self._static.get(path)
        if route is None and ("%" in path or not path.isascii()):
            route = self._static_segments.get(tuple(_decode(s) for s in segments))
        if route is not None:
            endpoint = route.endpoint_for(method)
            if endpoint is not None:
                return Match(endpoint, {})
        matched = [route] if route is not None else []
        for candidate in self._dynamic:
            params = candidate.match(segments)
            if params is None:
                continue
            endpoint = candidate.endpoint_for(method)
            if endpoint is not None:
                return Match(endpoint, params)
            matched.append(candidate)
        if matched:
            allowed = sorted(set().union(*(r.allowed() for r in matched)))
            raise HttpProblem(
                f"{method} is not allowed here; use {', '.join(allowed)}",
                status=405,
                url=path,
                headers=[("allow", ", ".join(allowed))],
            )
        raise HttpProblem("no route matches this path", status=404, url=path)

    def find_mount(self, segments: list[str]) -> tuple[str, AsgiApp] | None:
        for prefix, prefix_segments, app in self._mounts:
            if segments[: len(prefix_segments)] == prefix_segments:
                return prefix, app
        return None

    @property
    def routes(self) -> list[Route]:
        return list(self._routes.values())
