"""App: an ASGI 3 application made of routes, middleware and lifespan hooks.

::

    from infra_portable.http.server import App, JsonResponse

    app = App()

    @app.get("/v1/models/{name}")
    async def model(request):
        return {"name": request.path_params["name"]}

    @app.post("/v1/chat")
    async def chat(request):
        body = await request.json()          # 415 / 400 / 413 handled for you
        return JsonResponse({"echo": body}, status=201)

It runs natively under uvicorn (:func:`serve`) and, with no server at all, in
process in every runtime: ``HttpClient(transport=AsgiTransport(app))``.

Every failure becomes a problem response (see ``_problems``): handler errors
inside the middleware (so request IDs and CORS headers are on error responses
too), anything else by the :class:`ErrorMiddleware` the App wraps around
everything.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from infra_portable.errors import ValidationError
from infra_portable.http.server._asgi import AsgiApp, Receive, Scope, Send
from infra_portable.http.server._middleware import ErrorMiddleware
from infra_portable.http.server._problems import LOGGER, send_problem
from infra_portable.http.server._request import DEFAULT_MAX_BODY_BYTES, ServerRequest
from infra_portable.http.server._response import to_response
from infra_portable.http.server._routing import Router, split_route_path

__all__ = ["App"]

Hook = Callable[[], Any]


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


class App(Router):
    """Routes plus middleware, callable as an ASGI app.

    ``max_body_bytes`` bounds every request body (413 past it; a route's own
    ``max_body_bytes=`` overrides it). ``add_middleware(cls, **options)`` wraps
    the app; the middleware added last runs first. ``on_startup``/``on_shutdown``
    hooks run on the server's ASGI lifespan events.
    """

    def __init__(
        self,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        middleware: Sequence[tuple[Callable[..., AsgiApp], dict[str, Any]]] = (),
        on_startup: Sequence[Hook] = (),
        on_shutdown: Sequence[Hook] = (),
    ) -> None:
        super().__init__()
        if not (isinstance(max_body_bytes, int) and max_body_bytes >= 0):
            raise ValidationError(
                "max_body_bytes is a number of bytes",
                field="max_body_bytes",
                actual=repr(max_body_bytes),
            )
        self.max_body_bytes = max_body_bytes
        self._middleware: list[tuple[Callable[..., AsgiApp], dict[str, Any]]] = list(middleware)
        self.on_startup: list[Hook] = list(on_startup)
        self.on_shutdown: list[Hook] = list(on_shutdown)
        self._stack: AsgiApp | None = None

    def add_middleware(self, middleware: Callable[..., AsgiApp], **options: Any) -> None:
        """Wrap the app in ``middleware(app, **options)`` (outside those added before)."""
        self._middleware.append((middleware, options))
        self._stack = None

    def build_stack(self) -> AsgiApp:
        """The middleware around the router, inside an ErrorMiddleware.

        Without middleware the router is called directly: it turns handler
        errors into problems itself, and nothing else can fail before the
        response starts (responses check their status and headers when made).
        """
        if not self._middleware:
            return self._dispatch
        app: AsgiApp = self._dispatch
        for middleware, options in self._middleware:
            app = middleware(app, **options)
        return ErrorMiddleware(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            stack = self._stack
            if stack is None:
                stack = self._stack = self.build_stack()
            await stack(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":  # not served: closing before accept answers 403
            await receive()
            await send({"type": "websocket.close", "code": 1008})

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            path, segments = split_route_path(scope)
            if self._mounts:
                mounted = self.find_mount(segments)
                if mounted is not None:
                    prefix, app = mounted
                    inner = {**scope, "root_path": (scope.get("root_path") or "") + prefix}
                    await app(inner, receive, send)
                    return
            match = self.match(scope["method"], path, segments)
            limit = match.endpoint.max_body_bytes
            request = ServerRequest(
                scope,
                receive,
                match.params,
                max_body_bytes=self.max_body_bytes if limit is None else limit,
            )
            result = match.endpoint.call(request)
            if inspect.isawaitable(result):
                result = await result
            response = to_response(result)
        except Exception as exc:
            await send_problem(exc, scope, send)
            return
        await response(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            kind = message.get("type")
            if kind == "lifespan.startup":
                try:
                    for hook in self.on_startup:
                        await _maybe_await(hook())
                except Exception as exc:
                    LOGGER.error("startup hook failed", exc_info=exc)
                    await send({"type": "lifespan.startup.failed", "message": type(exc).__name__})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif kind == "lifespan.shutdown":
                try:
                    for hook in self.on_shutdown:
                        await _maybe_await(hook())
                except Exception as exc:
                    LOGGER.error("shutdown hook failed", exc_info=exc)
                    await send({"type": "lifespan.shutdown.failed", "message": type(exc).__name__})
                    return
                await send({"type": "lifespan.shutdown.complete"})
                return
