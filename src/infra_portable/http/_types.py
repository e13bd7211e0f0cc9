"""Requests, responses and headers: the values every transport and the client share.

The seed's ``RequestBuilder`` is :class:`RequestBuilder` (``Request.get(url)``
starts one, ``build()`` checks it); ``Response`` carries status, headers and a
body that is either already read (``content``) or a stream the client reads.
Nothing here does I/O or imports a transport.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import SplitResult, urlencode, urlsplit

from infra_portable.errors import HttpError, SerializationError, SerializationFormat

__all__ = [
    "METHODS",
    "Headers",
    "HeadersLike",
    "Request",
    "RequestBuilder",
    "Response",
    "reason_phrase",
]

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
HeadersLike = "Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None"

_REASONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content",
    301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
    307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict",
    413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
    429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}  # fmt: skip


def reason_phrase(status: int) -> str:
    return _REASONS.get(status, "")


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")  # RFC 9110 §5.6.2
_BAD_VALUE = re.compile(r"[\r\n\0]")


def _bad_header(name: str, value: str) -> str | None:
    """Why ``name: value`` cannot be sent, or None."""
    if not _TOKEN.match(name):
        return "a header name is a token (letters, digits, !#$%&'*+-.^_`|~)"
    if _BAD_VALUE.search(value) is not None:
        return "a header value has no CR, LF or NUL"
    if not value.isascii():
        # RFC 9110 tolerates Latin-1 "obs-text", but transports disagree on it (httpx and
        # the host bridge send ASCII only); one rule everywhere: ASCII.
        return "a header value is ASCII text (encode others first, e.g. RFC 8187 or base64)"
    return None


class Headers:
    """Case-insensitive, order-keeping, multi-valued HTTP headers."""

    __slots__ = ("_items",)

    def __init__(
        self,
        items: Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        if items is None:
            self._items: list[tuple[str, str]] = []
        elif isinstance(items, Headers):
            self._items = list(items._items)
        elif isinstance(items, Mapping):
            self._items = [(str(k), str(v)) for k, v in items.items()]
        else:
            self._items = [(str(k), str(v)) for k, v in items]

    @classmethod
    def checked(
        cls, items: Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None
    ) -> Headers:
        """Headers from user input: names and values may not smuggle CR, LF or NUL."""
        headers = cls(items)
        # Surrounding spaces and tabs are not part of a field value (RFC 9110 §5.5).
        headers._items = [(name, value.strip(" \t")) for name, value in headers._items]
        for name, value in headers._items:
            problem = _bad_header(name, value)
            if problem is not None:
                raise HttpError(f"invalid header {name!r}: {problem}")
        return headers

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of ``name`` (case-insensitive), or ``default``."""
        lowered = name.lower()
        for key, value in self._items:
            if key.lower() == lowered:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [v for k, v in self._items if k.lower() == lowered]

    def set(self, name: str, value: str) -> None:
        """Replace every value of ``name`` with ``value``."""
        self.remove(name)
        self._items.append((name, value))

    def add(self, name: str, value: str) -> None:
        self._items.append((name, value))

    def setdefault(self, name: str, value: str) -> None:
        if name.lower() not in self:
            self._items.append((name, value))

    def remove(self, name: str) -> None:
        lowered = name.lower()
        self._items = [(k, v) for k, v in self._items if k.lower() != lowered]

    def items(self) -> list[tuple[str, str]]:
        """Every (name, value) pair, in order, names as given."""
        return list(self._items)

    def to_dict(self) -> dict[str, str]:
        """Lower-cased names; repeated headers joined with ", " (set-cookie kept apart by get_all)."""
        merged: dict[str, str] = {}
        for key, value in self._items:
            k = key.lower()
            merged[k] = f"{merged[k]}, {value}" if k in merged else value
        return merged

    def copy(self) -> Headers:
        return Headers(self)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        lowered = name.lower()
        return any(k.lower() == lowered for k, _ in self._items)

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(k for k, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return sorted((k.lower(), v) for k, v in self._items) == sorted(
                (k.lower(), v) for k, v in other._items
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = [(k, "[redacted]" if k.lower() in _SECRET_HEADERS else v) for k, v in self._items]
        return f"Headers({shown!r})"


_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host; otherwise an HttpError."""
    if not isinstance(url, str):
        raise HttpError(f"URL must be a string, not {type(url).__name__}")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        raise HttpError(f"invalid URL (bad port or host): {exc}", url=url) from None
    if parts.scheme not in ("http", "https"):
        raise HttpError("invalid URL: the scheme must be http or https", url=url)
    if not parts.hostname:
        raise HttpError("invalid URL: no host", url=url)
    if any(c in url for c in " \r\n\t\0"):
        raise HttpError("invalid URL: whitespace or control characters", url=url)
    if not url.isascii():
        url = _ascii_url(url, parts)
    return url


_URL_SAFE = "/%:@!$&'()*+,;=?~-._[]"


def _ascii_url(url: str, parts: SplitResult) -> str:
    """An IRI as a URL every transport sends the same way: IDNA host, percent-encoded rest."""
    from urllib.parse import quote, urlunsplit

    host = parts.hostname or ""
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        raise HttpError(
            "invalid URL: the host is not a valid internationalised name", url=url
        ) from None
    netloc = ascii_host if parts.port is None else f"{ascii_host}:{parts.port}"
    if parts.username is not None:
        userinfo = quote(parts.username, safe="")
        if parts.password is not None:
            userinfo += ":" + quote(parts.password, safe="")
        netloc = f"{userinfo}@{netloc}"
    path, query, fragment = (
        quote(p, safe=_URL_SAFE) for p in (parts.path, parts.query, parts.fragment)
    )
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


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
        for name, value in Headers(headers).items():
            self.header(name, value)
        return self

    def bearer_auth(self, token: str) -> RequestBuilder:
        return self.header("Authorization", f"Bearer {token}")

    def query(self, params: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> RequestBuilder:
        pairs = params.items() if isinstance(params, Mapping) else params
        self._params.extend((str(k), str(v)) for k, v in pairs)
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
        pairs = params.items() if isinstance(params, Mapping) else params
        query = urlencode([(str(k), str(v)) for k, v in pairs])
        url = f"{url}{'&' if '?' in url else '?'}{query}"
    if timeout is not None and not (isinstance(timeout, int | float) and timeout > 0):
        raise HttpError(f"timeout must be a positive number of seconds, not {timeout!r}", url=url)
    if body is not None and not isinstance(body, bytes):
        raise HttpError(f"body must be bytes, not {type(body).__name__}", url=url)
    return Request(
        method.upper(), url, headers=Headers.checked(headers), body=body, timeout=timeout
    )


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


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    # Not RFC delta-seconds, but some servers send a decimal: honour it.
    head, dot, tail = value.partition(".")
    if dot and head.isdigit() and tail.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime

        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    import time

    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


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


def retry_after_of(headers: Headers) -> float | None:
    """The wait a response asks for: ``retry-after-ms`` (sent by LLM APIs) or ``Retry-After``."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        seconds = parse_retry_after(millis)
        if seconds is not None:
            return seconds / 1000
    return parse_retry_after(headers.get("retry-after"))
