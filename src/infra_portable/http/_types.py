"""Requests and responses: the values every transport and the client share.

Headers (and Retry-After parsing) live in ``_headers``, URL checks in ``_url``.

The seed's ``RequestBuilder`` is :class:`RequestBuilder` (``Request.get(url)``
starts one, ``build()`` checks it); ``Response`` carries status, headers and a
body that is either already read (``content``) or a stream the client reads.
Nothing here does I/O or imports a transport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from infra_portable.errors import (
    HttpError,
    SerializationError,
    SerializationFormat,
    ValidationError,
)

# Re-exported: transports and the client import these from here.
from infra_portable.http._headers import (
    METHODS,
    Headers,
    check_status,
    parse_retry_after,
    reason_phrase,
    retry_after_of,
)
from infra_portable.http._url import check_url

__all__ = [
    "METHODS",
    "Headers",
    "Request",
    "RequestBuilder",
    "Response",
    "check_status",
    "check_url",
    "make_request",
    "parse_retry_after",
    "reason_phrase",
    "retry_after_of",
    "status_error",
]


class Request:
    """One HTTP request: method, absolute URL, headers, an optional body and timeout."""

    __slots__ = ("body", "extensions", "headers", "method", "timeout", "url")

    def __init__(
        self,
        method: str,
        url: str,
        *,
        headers: Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        body: bytes | None = None,
        timeout: float | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.body = body
        self.timeout = timeout
        # Per-request options a transport or middleware may read (the router's endpoint...).
        self.extensions = extensions if extensions is not None else {}

    # The seed's builder entry points: Request.get(url).header(...).build()
    @staticmethod
    def get(url: str) -> RequestBuilder:
        return RequestBuilder("GET", url)

    @staticmethod
    def post(url: str) -> RequestBuilder:
        return RequestBuilder("POST", url)

    @staticmethod
    def put(url: str) -> RequestBuilder:
        return RequestBuilder("PUT", url)

    @staticmethod
    def patch(url: str) -> RequestBuilder:
        return RequestBuilder("PATCH", url)

    @staticmethod
    def delete(url: str) -> RequestBuilder:
        return RequestBuilder("DELETE", url)

    @staticmethod
    def builder(method: str, url: str) -> RequestBuilder:
        return RequestBuilder(method, url)

    def copy(self, **changes: Any) -> Request:
        """A copy with some fields replaced (``url=``, ``method=``, ``body=``...)."""
        new = Request(
            self.method,
            self.url,
            headers=self.headers.copy(),
            body=self.body,
            timeout=self.timeout,
            extensions=dict(self.extensions),
        )
        for name, value in changes.items():
            setattr(new, name, value)
        return new

    def json(self) -> Any:
        """The body decoded as JSON (the router's content rules read it)."""
        from infra_portable.json import loads

        return loads(self.body or b"null")

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"


class RequestBuilder:
    """Builds a :class:`Request`; ``build()`` validates it and names what is wrong."""

    __slots__ = ("_body", "_headers", "_method", "_params", "_timeout", "_url")

    def __init__(self, method: str, url: str) -> None:
        self._method = method
        self._url = url
        self._headers: list[tuple[str, str]] = []
        self._body: bytes | None = None
        self._timeout: float | None = None
        self._params: list[tuple[str, str]] = []

    def header(self, name: str, value: str) -> RequestBuilder:
        self._headers = [(k, v) for k, v in self._headers if k.lower() != name.lower()]
        self._headers.append((name, value))
        return self

    def headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> RequestBuilder:
        try:
            given = Headers(headers)
        except ValidationError as exc:
            raise HttpError(
                exc.message, url=self._url if isinstance(self._url, str) else None
            ) from exc
        for name, value in given.items():
            self.header(name, value)
        return self

    def bearer_auth(self, token: str) -> RequestBuilder:
        return self.header("Authorization", f"Bearer {token}")

    def query(self, params: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> RequestBuilder:
        self._params.extend(_query_pairs(params, self._url))
        return self

    def json(self, value: Any) -> RequestBuilder:
        from infra_portable.json import dumpb

        self._body = dumpb(value)
        return self.header("Content-Type", "application/json")

    def body(self, body: bytes | bytearray | memoryview | str) -> RequestBuilder:
        self._body = body.encode() if isinstance(body, str) else bytes(body)
        return self

    def timeout(self, seconds: float) -> RequestBuilder:
        self._timeout = seconds
        return self

    def build(self) -> Request:
        return make_request(
            self._method, self._url, self._headers, self._body, self._timeout, self._params
        )


def make_request(
    method: str,
    url: str,
    headers: Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    body: bytes | None = None,
    timeout: float | None = None,
    params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
) -> Request:
    """A validated Request: known method, absolute http(s) URL, clean headers, sane timeout."""
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise HttpError(
            f"unknown HTTP method {method!r}; use one of {', '.join(sorted(METHODS))}",
            url=url if isinstance(url, str) else None,
        )
    url = check_url(url)
    if params:
        query = urlencode(_query_pairs(params, url))
        url = f"{url}{'&' if '?' in url else '?'}{query}"
    if timeout is not None and not (isinstance(timeout, int | float) and timeout > 0):
        raise HttpError(f"timeout must be a positive number of seconds, not {timeout!r}", url=url)
    if body is not None and not isinstance(body, bytes):
        raise HttpError(f"body must be bytes, not {type(body).__name__}", url=url)
    return Request(
        method.upper(), url, headers=Headers.checked(headers), body=body, timeout=timeout
    )


def _query_pairs(
    params: Mapping[str, Any] | Iterable[tuple[str, Any]], url: object
) -> list[tuple[str, str]]:
    """Query parameters as (name, value) strings; a wrong shape is an HttpError, like
    the other checks of a request being built."""
    pairs = params.items() if isinstance(params, Mapping) else params
    try:
        return [(str(k), str(v)) for k, v in pairs]
    except (TypeError, ValueError) as exc:
        raise HttpError(
            "params must be a mapping or an iterable of (name, value) pairs, "
            f"not {repr(params)[:200]} ({exc})",
            url=url if isinstance(url, str) else None,
        ) from exc


_Bytes = bytes  # Response has a bytes() method; annotations inside it use this
ByteStream = Iterator[bytes]
AsyncByteStream = AsyncIterator[bytes]


class Response:
    """A status, headers and a body.

    A response from ``client.request`` has its body read (``content``); one from
    ``client.stream`` is read as it arrives with ``iter_bytes``/``aiter_bytes`` or
    parsed as Server-Sent Events with ``iter_sse``/``aiter_sse``.
    """

    __slots__ = (
        "_aclose",
        "_astream",
        "_close",
        "_content",
        "_on_close",
        "_stream",
        "headers",
        "request",
        "status",
        "url",
    )

    def __init__(
        self,
        status: int,
        headers: Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        content: _Bytes | None = b"",
        *,
        url: str = "",
        request: Request | None = None,
        stream: ByteStream | None = None,
        astream: AsyncByteStream | None = None,
        close: Callable[[], None] | None = None,
        aclose: Callable[[], Any] | None = None,
    ) -> None:
        self.status = status
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self._content = content if stream is None and astream is None else None
        self._stream = stream
        self._astream = astream
        self._close = close
        self._aclose = aclose
        self._on_close: list[Callable[[], None]] | None = None
        self.url = url or (request.url if request is not None else "")
        self.request = request

    # -- status -------------------------------------------------------------
    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    @property
    def is_redirect(self) -> bool:
        return self.status in (301, 302, 303, 307, 308) and "location" in self.headers

    @property
    def reason(self) -> str:
        return reason_phrase(self.status)

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def error_for_status(self) -> Response:
        """``self`` when the status is 2xx; otherwise an HttpError with status, URL and Retry-After."""
        if 200 <= self.status < 300:
            return self
        raise status_error(self)

    # -- body ---------------------------------------------------------------
    @property
    def is_streaming(self) -> bool:
        return self._content is None

    @property
    def content(self) -> _Bytes:
        if self._content is None:
            raise HttpError(
                "the body of a streamed response is read with iter_bytes()/aiter_bytes() or read()/aread()",
                status=self.status,
                url=self.url,
            )
        return self._content

    def bytes(self) -> _Bytes:
        return self.content

    def text(self, encoding: str | None = None) -> str:
        charset = encoding or _charset(self.headers.get("content-type")) or "utf-8"
        try:
            return self.content.decode(charset)
        except (UnicodeDecodeError, LookupError) as exc:
            raise SerializationError(
                f"response body is not valid {charset}: {exc}",
                format=SerializationFormat.JSON,
            ) from None

    def json(self) -> Any:
        from infra_portable.json import loads

        try:
            return loads(self.content)
        except SerializationError as exc:
            exc.add_context(f"decoding the JSON body of {self.url} (HTTP {self.status})")
            raise

    def iter_bytes(self) -> Iterator[_Bytes]:
        """The body in chunks as they arrive (one chunk when it was read already)."""
        if self._content is not None:
            if self._content:
                yield self._content
            return
        if self._stream is None:
            raise HttpError("this response streams asynchronously: use aiter_bytes()", url=self.url)
        stream, self._stream = self._stream, None
        try:
            yield from stream
        finally:
            self.close()

    async def aiter_bytes(self) -> AsyncIterator[_Bytes]:
        if self._content is not None:
            if self._content:
                yield self._content
            return
        if self._astream is None:
            if self._stream is not None:  # a sync stream (WASI, a buffered transport)
                for chunk in self.iter_bytes():
                    yield chunk
                return
            raise HttpError("the body was consumed already", url=self.url)
        stream, self._astream = self._astream, None
        try:
            async for chunk in stream:
                yield chunk
        finally:
            await self.aclose()

    def read(self) -> _Bytes:
        if self._content is None:
            self._content = b"".join(self.iter_bytes())
        return self._content

    async def aread(self) -> _Bytes:
        if self._content is None:
            self._content = b"".join([c async for c in self.aiter_bytes()])
        return self._content

    def iter_sse(self) -> Iterator[Any]:
        """Server-Sent Events (``text/event-stream``) as they arrive."""
        from infra_portable.http._sse import SseDecoder

        decoder = SseDecoder()
        for chunk in self.iter_bytes():
            yield from decoder.feed(chunk)
        yield from decoder.close()

    async def aiter_sse(self) -> AsyncIterator[Any]:
        from infra_portable.http._sse import SseDecoder

        decoder = SseDecoder()
        async for chunk in self.aiter_bytes():
            for event in decoder.feed(chunk):
                yield event
        for event in decoder.close():
            yield event

    def on_close(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once, when the response is closed (a streamed body ends, is
        abandoned, or the ``with`` block exits): for bookkeeping such as in-flight counts."""
        if self._on_close is None:
            self._on_close = []
        self._on_close.append(callback)

    def close(self) -> None:
        close, self._close = self._close, None
        callbacks, self._on_close = self._on_close, None
        try:
            if close is not None:
                close()
        finally:
            for callback in callbacks or ():
                callback()

    async def aclose(self) -> None:
        aclose, self._aclose = self._aclose, None
        if aclose is not None:
            await aclose()
        self.close()

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Response:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.url}>"


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"').strip()
    return None


def status_error(response: Response) -> HttpError:
    """The HttpError for a non-2xx response: status, URL, Retry-After and a piece of the body."""
    detail = ""
    if response._content:
        snippet = response._content[:200].decode("utf-8", "replace").strip()
        detail = f": {snippet}" if snippet else ""
    return HttpError(
        f"{response.status} {reason_phrase(response.status)}".strip() + detail,
        status=response.status,
        url=response.url,
        retry_after_s=retry_after_of(response.headers),
    )
