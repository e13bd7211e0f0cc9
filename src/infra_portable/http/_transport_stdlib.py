"""The dependency-free native transport: the standard library's http.client.

Used natively when httpx is not installed. One connection per exchange (no
pool); the async API runs the exchange in a worker thread.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

from infra_portable.errors import HttpError
from infra_portable.http._limits import check_declared_length, limited
from infra_portable.http._transport import TransportLimits
from infra_portable.http._types import Headers, Request, Response

__all__ = ["StdlibTransport"]

_CHUNK = 64 * 1024


class StdlibTransport:
    name = "stdlib"

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl = ssl_context

    def handle(self, request: Request, limits: TransportLimits, stream: bool) -> Response:
        parts = urlsplit(request.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        timeout = request.timeout or limits.timeout
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            context = self._ssl or ssl.create_default_context()
            connection = http.client.HTTPSConnection(
                parts.hostname or "", parts.port, timeout=timeout, context=context
            )
        else:
            connection = http.client.HTTPConnection(
                parts.hostname or "", parts.port, timeout=timeout
            )
        try:
            connection.putrequest(request.method, target, skip_accept_encoding=True)
            for name, value in request.headers.items():
                connection.putheader(name, value)
            if request.body is not None and "content-length" not in request.headers:
                connection.putheader("Content-Length", str(len(request.body)))
            connection.endheaders(request.body)
            raw = connection.getresponse()
        except TimeoutError as exc:
            connection.close()
            raise HttpError(f"timed out after {timeout:g}s", url=request.url) from exc
        except (OSError, http.client.HTTPException, ValueError) as exc:  # ValueError: bad bytes
            connection.close()
            raise HttpError(f"{type(exc).__name__}: {exc}", url=request.url) from exc
        headers = Headers(raw.getheaders())
        status = raw.status
        try:
            check_declared_length(
                headers.get("content-length"), limits.max_response_bytes, status, request.url
            )
        except HttpError:
            connection.close()
            raise
        chunks = limited(
            self._chunks(raw, request, timeout), limits.max_response_bytes, status, request.url
        )
        if stream:
            return Response(
                status,
                headers,
                url=request.url,
                request=request,
                stream=chunks,
                close=connection.close,
            )
        try:
            content = b"".join(chunks)
        finally:
            connection.close()
        return Response(status, headers, content, url=request.url, request=request)

    @staticmethod
    def _chunks(raw: http.client.HTTPResponse, request: Request, timeout: float) -> Iterator[bytes]:
        try:
            while True:
                chunk = raw.read1(_CHUNK) if request.method != "HEAD" else b""
                if not chunk:
                    return
                yield chunk
        except TimeoutError as exc:
            raise HttpError(
                f"timed out after {timeout:g}s reading the body", url=request.url
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise HttpError(f"{type(exc).__name__}: {exc}", url=request.url) from exc

    async def handle_async(
        self, request: Request, limits: TransportLimits, stream: bool
    ) -> Response:
        import asyncio

        # A streamed body is read synchronously by aiter_bytes (it falls back to the sync stream).
        return await asyncio.to_thread(self.handle, request, limits, stream)

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass
