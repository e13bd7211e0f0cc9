"""An in-process transport: calls an ASGI application directly, no sockets.

This is how Pyodide and WASI code (and tests anywhere) talk to an app built
with :mod:`infra_portable.http.server`: the same client, the same app, no
server process. The response body is collected before it is returned (a
streamed response arrives as one chunk).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar, cast
from urllib.parse import unquote, urlsplit

from infra_portable.errors import HttpError
from infra_portable.http._limits import too_large
from infra_portable.http._transport import TransportLimits
from infra_portable.http._types import Headers, Request, Response

__all__ = ["AsgiApp", "AsgiTransport"]

AsgiApp = Callable[
    [
        dict[str, Any],
        Callable[[], Awaitable[dict[str, Any]]],
        Callable[[dict[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]
T = TypeVar("T")


def _drive(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never waits on a real event loop (an in-process app)."""
    try:
        while True:
            if coro.send(None) is not None:
                coro.close()
                raise HttpError(
                    "the ASGI app awaited a real event: use AsyncHttpClient with this transport"
                )
    except StopIteration as done:
        return cast(T, done.value)


class AsgiTransport:
    name = "asgi"

    def __init__(
        self, app: AsgiApp, *, client: tuple[str, int] = ("127.0.0.1", 50000), root_path: str = ""
    ) -> None:
        self.app = app
        self.client = client
        self.root_path = root_path

    def handle(self, request: Request, limits: TransportLimits, stream: bool) -> Response:
        """Natively (outside a running loop) the app runs on a fresh asyncio loop; in
        Pyodide and WASI, and inside a running loop, it is driven by hand, which works
        for apps that only await the transport's own receive/send."""
        coro = self.handle_async(request, limits, stream)
        import sys

        if sys.platform not in ("emscripten", "wasi"):
            import asyncio

            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return asyncio.run(coro)
        return _drive(coro)

    async def handle_async(
        self, request: Request, limits: TransportLimits, stream: bool
    ) -> Response:
        parts = urlsplit(request.url)
        host = parts.hostname or "localhost"
        port = parts.port or (443 if parts.scheme == "https" else 80)
        headers = request.headers.copy()
        headers.setdefault("host", parts.netloc)
        if request.body is not None:
            headers.setdefault("content-length", str(len(request.body)))
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": parts.scheme,
            "path": unquote(parts.path) or "/",
            "raw_path": (parts.path or "/").encode(),
            "query_string": parts.query.encode(),
            "root_path": self.root_path,
            "headers": [
                (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
            ],
            "client": self.client,
            "server": (host, port),
            "state": {},
        }
        body = request.body or b""
        sent_body = False
        status: int | None = None
        response_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []
        size = 0
        finished = False

        async def receive() -> dict[str, Any]:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, size, finished
            kind = message.get("type")
            if kind == "http.response.start":
                status = int(message["status"])
                response_headers.extend(
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in message.get("headers", [])
                )
            elif kind == "http.response.body":
                chunk = bytes(message.get("body", b""))
                size += len(chunk)
                if size > limits.max_response_bytes:
                    raise too_large(limits.max_response_bytes, status or 0, request.url)
                chunks.append(chunk)
                if not message.get("more_body", False):
                    finished = True

        try:
            await self.app(scope, receive, send)
        except HttpError:
            raise
        except Exception as exc:
            if status is None:
                hint = ""
                if isinstance(exc, RuntimeError) and "event loop" in str(exc):
                    hint = " (the app awaits the event loop: call it with AsyncHttpClient)"
                raise HttpError(
                    f"the ASGI app raised {type(exc).__name__}: {exc}{hint}", url=request.url
                ) from exc
            if not finished:
                raise HttpError(
                    f"the ASGI app failed mid-response: {exc}", status=status, url=request.url
                ) from exc
        if status is None:
            raise HttpError("the ASGI app returned without a response", url=request.url)
        content = b"" if request.method == "HEAD" else b"".join(chunks)
        return Response(
            status, Headers(response_headers), content, url=request.url, request=request
        )

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass
