"""Serving an ASGI app over sockets with uvicorn — natively only.

Pyodide and WASI have no listening sockets: there :func:`serve`,
:meth:`HttpServer.serve` and :func:`serving` raise an HttpError that says so,
and the same app is called in process with
``HttpClient(transport=AsgiTransport(app))``. uvicorn (the ``server`` extra) is
imported only when serving starts.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from infra_portable.errors import ConfigError, HttpError
from infra_portable.http.server._app import App
from infra_portable.http.server._asgi import AsgiApp, Receive, Scope, Send
from infra_portable.http.server._middleware import TimeoutMiddleware
from infra_portable.http.server._response import LIVE_DISCONNECT
from infra_portable.http.server._routing import Handler, HandlerFunc

__all__ = ["HttpServer", "HttpServerConfig", "serve", "serving"]

_LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


@dataclass(frozen=True, slots=True)
class HttpServerConfig:
    """Where and how to serve (seed 002 §2.6 ``HttpServerConfig``).

    ``max_connections`` caps concurrent connections and requests (uvicorn's
    ``limit_concurrency``: past it new requests get 503). ``request_timeout``
    is the seconds an app has to start its response (504 after it; ``None``
    for no deadline). ``port=0`` asks the OS for a free port.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    max_connections: int | None = None
    request_timeout: float | None = 30.0
    log_level: str = "info"
    access_log: bool = False
    keep_alive_timeout: float = 5.0
    graceful_shutdown_timeout: float = 10.0

    def __post_init__(self) -> None:
        if not (isinstance(self.host, str) and self.host):
            raise ConfigError("the host is a name or address", key="host")
        if not (isinstance(self.port, int) and 0 <= self.port <= 65535):
            raise ConfigError(f"the port is 0-65535, not {self.port!r}", key="port")
        if self.max_connections is not None and not (
            isinstance(self.max_connections, int) and self.max_connections > 0
        ):
            raise ConfigError("max_connections is a positive integer", key="max_connections")
        for key in ("request_timeout", "keep_alive_timeout", "graceful_shutdown_timeout"):
            value = getattr(self, key)
            if value is None and key == "request_timeout":
                continue
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ConfigError(f"{key} is a positive number of seconds", key=key)
        if self.log_level not in _LOG_LEVELS:
            raise ConfigError(f"log_level is one of {', '.join(_LOG_LEVELS)}", key="log_level")

    @property
    def bind_addr(self) -> str:
        """``host:port`` (``[v6]:port`` for an IPv6 address), the seed's bind_addr."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @classmethod
    def from_bind_addr(cls, bind_addr: str, **options: Any) -> HttpServerConfig:
        """A config from ``"0.0.0.0:8080"`` or ``"[::1]:8080"``."""
        host, sep, port = str(bind_addr).rpartition(":")
        if not sep or not port.isdigit() or not host:
            raise ConfigError(f"a bind address is host:port, not {bind_addr!r}", key="bind_addr")
        return cls(host=host.strip("[]"), port=int(port), **options)

    @property
    def url(self) -> str:
        return f"http://{self.bind_addr}"


def _require_sockets() -> None:
    from infra_portable.runtime import current, is_native

    if not is_native():
        raise HttpError(
            f"an HTTP server needs listening sockets, which the {current().value} runtime does not "
            "have; call the app in process with HttpClient(transport=AsgiTransport(app))"
        )


def _uvicorn() -> Any:
    _require_sockets()
    try:
        import uvicorn
    except ImportError as exc:
        raise HttpError("serving HTTP needs uvicorn: pip install 'infra-portable[server]'") from exc
    return uvicorn


class _LiveDisconnect:
    """Marks scopes from uvicorn, whose ``receive`` reports a disconnect when it happens."""

    def __init__(self, app: AsgiApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[LIVE_DISCONNECT] = True
        await self.app(scope, receive, send)


def _asgi_for(app: AsgiApp, config: HttpServerConfig) -> AsgiApp:
    wrapped: AsgiApp = app
    if config.request_timeout is not None:
        wrapped = TimeoutMiddleware(wrapped, timeout=config.request_timeout)
    return _LiveDisconnect(wrapped)


def uvicorn_config(app: AsgiApp, config: HttpServerConfig, **overrides: Any) -> Any:
    """The ``uvicorn.Config`` serving ``app`` as ``config`` says."""
    uvicorn = _uvicorn()
    options: dict[str, Any] = {
        "host": config.host,
        "port": config.port,
        "limit_concurrency": config.max_connections,
        "log_level": config.log_level,
        "access_log": config.access_log,
        "timeout_keep_alive": config.keep_alive_timeout,
        "timeout_graceful_shutdown": config.graceful_shutdown_timeout,
        "lifespan": "auto",
    }
    options.update(overrides)
    return uvicorn.Config(_asgi_for(app, config), **options)


async def serve(app: AsgiApp, config: HttpServerConfig | None = None) -> None:
    """Serve ``app`` until the process is told to stop (SIGINT/SIGTERM). Native only."""
    uvicorn = _uvicorn()
    server = uvicorn.Server(uvicorn_config(app, config or HttpServerConfig()))
    await server.serve()


@contextmanager
def serving(
    app: AsgiApp, config: HttpServerConfig | None = None, *, startup_timeout: float = 10.0
) -> Iterator[str]:
    """Serve ``app`` from a background thread; yields the base URL; stops on exit.

    For tests and benchmarks: ``config`` defaults to 127.0.0.1 on a free port
    (``port=0``), the socket is bound before the URL is yielded, and leaving the
    block shuts uvicorn down and joins its thread. Native only.
    """
    import socket

    config = config or HttpServerConfig(port=0, log_level="warning")
    uvicorn = _uvicorn()
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
    # and without it each response (headers, then body) waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((config.host, config.port))
    except OSError as exc:
        sock.close()
        raise HttpError(f"cannot listen on {config.bind_addr}: {exc}") from None
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(app, config, port=port))
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the caller below
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"infra-portable-http-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        if not server.started:
            reason = f": {failure[0]!r}" if failure else ""
            raise HttpError(f"the server on port {port} did not start{reason}")
        host = f"[{config.host}]" if ":" in config.host else config.host
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=config.graceful_shutdown_timeout + 5)
        sock.close()


class HttpServer:
    """The seed's HttpServer: routes registered on it, then ``serve()``.

    ::

        server = HttpServer(HttpServerConfig(port=8080))
        server.get("/health", health).post("/v1/chat", chat)
        await server.serve()        # or server.run() from synchronous code

    ``server.app`` is the underlying :class:`App` (add middleware to it, or call it
    in process with AsgiTransport in any runtime); serving is native only.
    """

    def __init__(self, config: HttpServerConfig | None = None, app: App | None = None) -> None:
        self.config = config or HttpServerConfig()
        self.app = app if app is not None else App()

    def route(self, method: str, path: str, handler: HandlerFunc | Handler) -> HttpServer:
        self.app.add_route(method, path, handler)
        return self

    def get(self, path: str, handler: HandlerFunc | Handler) -> HttpServer:
        return self.route("GET", path, handler)

    def post(self, path: str, handler: HandlerFunc | Handler) -> HttpServer:
        return self.route("POST", path, handler)

    def put(self, path: str, handler: HandlerFunc | Handler) -> HttpServer:
        return self.route("PUT", path, handler)

    def patch(self, path: str, handler: HandlerFunc | Handler) -> HttpServer:
        return self.route("PATCH", path, handler)

    def delete(self, path: str, handler: HandlerFunc | Handler) -> HttpServer:
        return self.route("DELETE", path, handler)

    async def serve(self) -> None:
        await serve(self.app, self.config)

    def run(self) -> None:
        """Serve from synchronous code (blocks until stopped)."""
        _require_sockets()
        asyncio.run(self.serve())

    @contextmanager
    def serving(self) -> Iterator[str]:
        """This server's app on ``config`` (``port=0`` for a free one) from a thread."""
        with serving(self.app, self.config) as url:
            yield url
