"""HttpClient and AsyncHttpClient: one API over every transport.

The client owns what must behave the same everywhere: building and checking
requests, default headers, following redirects (with a limit, dropping
credentials across origins), retrying retryable failures and statuses (the
server's ``Retry-After`` first, else backoff with jitter), and the response size
limit. The transport only performs one exchange.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from urllib.parse import urljoin, urlsplit

from infra_portable.errors import HttpError, InfraError, ValidationError
from infra_portable.http._config import HttpClientConfig
from infra_portable.http._transport import Transport, TransportLimits
from infra_portable.http._types import Headers, Request, Response, make_request, retry_after_of

__all__ = ["AsyncHttpClient", "HttpClient", "resolve_transport"]

_UNSET: Any = object()
HeaderInput = Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None


def resolve_transport(transport: Transport | str | None) -> Transport:
    """A transport instance: the one given, or the ``http`` capability's choice (by name)."""
    if transport is None or isinstance(transport, str):
        from infra_portable.runtime import REGISTRY

        factory = REGISTRY.resolve("http", transport)
        return factory()  # type: ignore[no-any-return]
    if not isinstance(transport, Transport):
        raise HttpError(f"transport must implement http.Transport, not {type(transport).__name__}")
    return transport


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


class _ClientBase:
    def __init__(
        self,
        config: HttpClientConfig | None = None,
        *,
        transport: Transport | str | None = None,
        rand: Callable[[], float] | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_retry: Callable[[InfraError | Response, int, float], object] | None = None,
    ) -> None:
        self.config = config or HttpClientConfig()
        self.transport = resolve_transport(transport)
        self._limits = self._make_limits(self.config.timeout)
        self._rand = rand or random.Random().random
        self._clock = clock
        self._on_retry = on_retry
        base = Headers.checked(self.config.headers)
        base.setdefault("User-Agent", self.config.user_agent)
        self._default_headers = base

    # -- building -------------------------------------------------------------
    def build_request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        headers: HeaderInput = None,
        json: Any = _UNSET,
        content: bytes | str | None = None,
        timeout: float | None = None,
    ) -> Request:
        """A checked request with the client's base URL and default headers applied."""
        if (
            self.config.base_url
            and isinstance(url, str)
            and not url.startswith(("http://", "https://"))
        ):
            url = self.config.base_url.rstrip("/") + "/" + url.lstrip("/")
        merged = self._default_headers.copy()
        body: bytes | None = None
        if json is not _UNSET:
            from infra_portable.json import dumpb

            body = dumpb(json)
            merged.set("Content-Type", "application/json")
        elif content is not None:
            body = content.encode() if isinstance(content, str) else bytes(content)
        if headers is not None:
            try:
                given = Headers(headers)
            except ValidationError as exc:
                # The same kind as a bad header name in make_request: a request check.
                raise HttpError(exc.message, url=url if isinstance(url, str) else None) from exc
            for name, value in given.items():
                merged.set(name, value)
        return make_request(method, url, merged, body, timeout, params)

    def _prepare(self, request: Request) -> Request:
        if not isinstance(request, Request):
            raise HttpError(f"send() takes an http.Request, not {type(request).__name__}")
        for name, value in self._default_headers.items():
            request.headers.setdefault(name, value)
        return request

    def _make_limits(self, timeout: float) -> TransportLimits:
        config = self.config
        return TransportLimits(
            timeout,
            config.max_response_bytes,
            follow_redirects=config.follow_redirects,
            max_redirects=config.max_redirects,
        )

    def _limits_for(self, request: Request) -> TransportLimits:
        if request.timeout is None:
            return self._limits
        return self._make_limits(request.timeout)

    # -- redirects ------------------------------------------------------------
    def _redirect(self, request: Request, response: Response, hops: int) -> Request | None:
        if not (self.config.follow_redirects and response.is_redirect):
            return None
        if hops >= self.config.max_redirects:
            raise HttpError(
                f"too many redirects (more than {self.config.max_redirects})",
                status=response.status,
                url=request.url,
            )
        location = response.headers.get("location") or ""
        target = urljoin(request.url, location)
        if urlsplit(target).scheme not in ("http", "https"):
            raise HttpError(
                f"redirect to a non-http URL {location!r}", status=response.status, url=request.url
            )
        method, body = request.method, request.body
        # 303, and 301/302 after a POST (what every browser does), become a GET without a body.
        if (response.status == 303 and method != "HEAD") or (
            response.status in (301, 302) and method == "POST"
        ):
            method, body = "GET", None
        headers = request.headers.copy()
        if body is None:
            headers.remove("content-type")
            headers.remove("content-length")
        if _origin(target) != _origin(request.url):
            headers.remove("authorization")
            headers.remove("cookie")
        return request.copy(method=method, url=target, body=body, headers=headers)

    # -- retries --------------------------------------------------------------
    def _may_retry(self, request: Request, attempt: int) -> bool:
        methods = self.config.retry_methods
        return attempt <= self.config.max_retries and (methods is None or request.method in methods)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.config.max_retry_delay, self.config.retry_delay * 2.0 ** (attempt - 1))
        return ceiling * (1.0 - self.config.retry_jitter * self._rand())

    def _retry_delay_for_error(
        self, request: Request, exc: InfraError, attempt: int
    ) -> float | None:
        if not (exc.is_retryable and self._may_retry(request, attempt)):
            return None
        hinted = exc.retry_after
        delay = self._backoff(attempt) if hinted is None else hinted
        return None if delay > self.config.max_retry_after else delay

    def _retry_delay_for_status(
        self, request: Request, response: Response, attempt: int
    ) -> float | None:
        if response.status not in self.config.retry_statuses or not self._may_retry(
            request, attempt
        ):
            return None
        hinted = retry_after_of(response.headers)
        delay = self._backoff(attempt) if hinted is None else hinted
        return None if delay > self.config.max_retry_after else delay

    def _note(self, exc: InfraError, attempts: int) -> None:
        if attempts > 1:
            exc.add_context(f"gave up after {attempts} attempts")


class HttpClient(_ClientBase):
    """A synchronous HTTP client. ``with HttpClient() as client: client.get(url)``."""

    def __init__(
        self,
        config: HttpClientConfig | None = None,
        *,
        transport: Transport | str | None = None,
        sleep: Callable[[float], object] = time.sleep,
        rand: Callable[[], float] | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_retry: Callable[[InfraError | Response, int, float], object] | None = None,
    ) -> None:
        super().__init__(config, transport=transport, rand=rand, clock=clock, on_retry=on_retry)
        self._sleep = sleep

    @classmethod
    def from_config(cls, config: Any, **kwargs: Any) -> HttpClient:
        return cls(HttpClientConfig.from_config(config), **kwargs)

    def send(self, request: Request, *, stream: bool = False) -> Response:
        """Send ``request`` with the client's redirects and retries; any status is returned."""
        return self._send(self._prepare(request), stream)

    def _send(self, request: Request, stream: bool) -> Response:
        """``send`` for a request that has the client's defaults already (build_request's)."""
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._follow(request, stream)
            except InfraError as exc:
                delay = self._retry_delay_for_error(request, exc, attempt)
                if delay is None:
                    self._note(exc, attempt)
                    raise
                if self._on_retry is not None:
                    self._on_retry(exc, attempt, delay)
                self._sleep(delay)
                continue
            delay = self._retry_delay_for_status(request, response, attempt)
            if delay is None:
                return response
            response.close()
            if self._on_retry is not None:
                self._on_retry(response, attempt, delay)
            self._sleep(delay)

    def _follow(self, request: Request, stream: bool) -> Response:
        hops = 0
        while True:
            response = self.transport.handle(request, self._limits_for(request), stream)
            response.request = request
            try:
                following = self._redirect(request, response, hops)
            except InfraError:
                response.close()
                raise
            if following is None:
                return response
            response.close()
            request, hops = following, hops + 1

    def request(self, method: str, url: str, **kwargs: Any) -> Response:
        """Build and send: ``params``, ``headers``, ``json``, ``content``, ``timeout``."""
        return self._send(self.build_request(method, url, **kwargs), False)

    def get(self, url: str, **kwargs: Any) -> Response:
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> Response:
        return self.request("HEAD", url, **kwargs)

    def options(self, url: str, **kwargs: Any) -> Response:
        return self.request("OPTIONS", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Response:
        return self.request("DELETE", url, **kwargs)

    @contextmanager
    def stream(self, method: str, url: str, **kwargs: Any) -> Iterator[Response]:
        """``with client.stream("GET", url) as r: for chunk in r.iter_bytes(): ...``"""
        response = self._send(self.build_request(method, url, **kwargs), True)
        try:
            yield response
        finally:
            response.close()

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _asyncio_sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


class AsyncHttpClient(_ClientBase):
    """The asynchronous client: the same API, awaited."""

    def __init__(
        self,
        config: HttpClientConfig | None = None,
        *,
        transport: Transport | str | None = None,
        sleep: Callable[[float], Any] = _asyncio_sleep,
        rand: Callable[[], float] | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_retry: Callable[[InfraError | Response, int, float], object] | None = None,
    ) -> None:
        super().__init__(config, transport=transport, rand=rand, clock=clock, on_retry=on_retry)
        self._sleep = sleep

    @classmethod
    def from_config(cls, config: Any, **kwargs: Any) -> AsyncHttpClient:
        return cls(HttpClientConfig.from_config(config), **kwargs)

    async def send(self, request: Request, *, stream: bool = False) -> Response:
        return await self._send(self._prepare(request), stream)

    async def _send(self, request: Request, stream: bool) -> Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._follow(request, stream)
            except InfraError as exc:
                delay = self._retry_delay_for_error(request, exc, attempt)
                if delay is None:
                    self._note(exc, attempt)
                    raise
                if self._on_retry is not None:
                    self._on_retry(exc, attempt, delay)
                await self._sleep(delay)
                continue
            delay = self._retry_delay_for_status(request, response, attempt)
            if delay is None:
                return response
            await response.aclose()
            if self._on_retry is not None:
                self._on_retry(response, attempt, delay)
            await self._sleep(delay)

    async def _follow(self, request: Request, stream: bool) -> Response:
        hops = 0
        while True:
            response = await self.transport.handle_async(request, self._limits_for(request), stream)
            response.request = request
            try:
                following = self._redirect(request, response, hops)
            except InfraError:
                await response.aclose()
                raise
            if following is None:
                return response
            await response.aclose()
            request, hops = following, hops + 1

    async def request(self, method: str, url: str, **kwargs: Any) -> Response:
        return await self._send(self.build_request(method, url, **kwargs), False)

    async def get(self, url: str, **kwargs: Any) -> Response:
        return await self.request("GET", url, **kwargs)

    async def head(self, url: str, **kwargs: Any) -> Response:
        return await self.request("HEAD", url, **kwargs)

    async def options(self, url: str, **kwargs: Any) -> Response:
        return await self.request("OPTIONS", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> Response:
        return await self.request("POST", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> Response:
        return await self.request("PUT", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> Response:
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> Response:
        return await self.request("DELETE", url, **kwargs)

    @asynccontextmanager
    async def stream(self, method: str, url: str, **kwargs: Any) -> AsyncIterator[Response]:
        """``async with client.stream("POST", url, json=...) as r: async for e in r.aiter_sse(): ...``"""
        response = await self._send(self.build_request(method, url, **kwargs), True)
        try:
            yield response
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def __aenter__(self) -> AsyncHttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
