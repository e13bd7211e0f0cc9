"""The native transport: httpx, one pooled client per transport (sync and async made lazily)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from infra_portable.errors import HttpError, InfraError
from infra_portable.http._limits import check_declared_length, limited, limited_async
from infra_portable.http._transport import TransportLimits
from infra_portable.http._types import Headers, Request, Response

__all__ = ["HttpxTransport"]


def _error(exc: Exception, request: Request, limits: TransportLimits) -> HttpError:
    if isinstance(exc, httpx.TimeoutException):
        message = f"timed out after {request.timeout or limits.timeout:g}s ({type(exc).__name__})"
    else:
        message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    error = HttpError(message, url=request.url)
    error.__cause__ = exc
    return error


class HttpxTransport:
    """httpx over a connection pool; redirects and retries are the client's."""

    name = "httpx"

    def __init__(self, **client_options: Any) -> None:
        self._options = {"follow_redirects": False, **client_options}
        self._sync: httpx.Client | None = None
        self._async: httpx.AsyncClient | None = None

    def _build(
        self, client: httpx.Client | httpx.AsyncClient, request: Request, limits: TransportLimits
    ) -> httpx.Request:
        return client.build_request(
            request.method,
            request.url,
            headers=request.headers.items(),
            content=request.body,
            timeout=limits.timeout,
        )

    def handle(self, request: Request, limits: TransportLimits, stream: bool) -> Response:
        client = self._sync
        if client is None:
            client = self._sync = httpx.Client(**self._options)
        try:
            sent = client.send(self._build(client, request, limits), stream=True)
        except InfraError:
            raise
        except Exception as exc:  # httpx's and anything below it (h11): nothing foreign escapes
            raise _error(exc, request, limits) from exc
        status, url = sent.status_code, request.url
        headers = Headers(sent.headers.multi_items())
        try:
            check_declared_length(
                headers.get("content-length"), limits.max_response_bytes, status, url
            )
        except HttpError:
            sent.close()
            raise
        if stream:
            chunks = self._chunks(sent, request, limits)
            return Response(
                status, headers, url=url, request=request, stream=chunks, close=sent.close
            )
        try:
            if "content-length" in headers and "content-encoding" not in headers:
                content = sent.read()  # its length was checked against the limit above
            else:
                content = b"".join(self._chunks(sent, request, limits))
        except InfraError:
            raise
        except Exception as exc:  # httpx's and anything below it (h11): nothing foreign escapes
            raise _error(exc, request, limits) from exc
        finally:
            sent.close()
        return Response(status, headers, content, url=url, request=request)

    def _chunks(
        self, sent: httpx.Response, request: Request, limits: TransportLimits
    ) -> Iterator[bytes]:
        try:
            yield from limited(
                sent.iter_bytes(), limits.max_response_bytes, sent.status_code, request.url
            )
        except InfraError:
            raise
        except Exception as exc:  # httpx's and anything below it (h11): nothing foreign escapes
            raise _error(exc, request, limits) from exc

    async def handle_async(
        self, request: Request, limits: TransportLimits, stream: bool
    ) -> Response:
        client = self._async
        if client is None:
            client = self._async = httpx.AsyncClient(**self._options)
        try:
            sent = await client.send(self._build(client, request, limits), stream=True)
        except InfraError:
            raise
        except Exception as exc:  # httpx's and anything below it (h11): nothing foreign escapes
            raise _error(exc, request, limits) from exc
        status, url = sent.status_code, request.url
        headers = Headers(sent.headers.multi_items())
        try:
            check_declared_length(
                headers.get("content-length"), limits.max_response_bytes, status, url
            )
        except HttpError:
            await sent.aclose()
            raise
        if stream:
            achunks = self._achunks(sent, request, limits)
            return Response(
                status, headers, url=url, request=request, astream=achunks, aclose=sent.aclose
            )
        try:
            if "content-length" in headers and "content-encoding" not in headers:
                content = await sent.aread()  # its length was checked against the limit above
            else:
                content = b"".join([c async for c in self._achunks(sent, request, limits)])
        except InfraError:
            raise
        except Exception as exc:  # httpx's and anything below it (h11): nothing foreign escapes
            raise _error(exc, request, limits) from exc
        finally:
            await sent.aclose()
        return Response(status, headers, content, url=url, request=request)

    async def _achunks(
        self, sent: httpx.Response, request: Request, limits: TransportLimits
    ) -> AsyncIterator[bytes]:
        try:
            async for chunk in limited_async(
                sent.aiter_bytes(), limits.max_response_bytes, sent.status_code, request.url
            ):
                yield chunk
        except InfraError:
            raise
        except Exception as exc:  # httpx's and anything below it (h11): nothing foreign escapes
            raise _error(exc, request, limits) from exc

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()
            self._async = None
        self.close()
