"""The browser transport: ``fetch()`` through Pyodide's JS FFI; Pyodide only.

``handle_async`` awaits ``fetch``; the body is read from ``response.body``'s
reader chunk by chunk, so the size limit holds while reading and ``stream=True``
yields chunks as they arrive (Server-Sent Events included). ``handle`` (the
synchronous client) has two ways to wait in a browser:

* ``"jspi"``: JS promise integration (``pyodide.ffi.run_sync``) suspends Python
  until the promise settles, so the synchronous client gets exactly the async
  path, streaming included. It needs a Python stack entered through a promising
  call (``runPythonAsync``, an async function, ``callPromising``).
* ``"xhr"``: a synchronous ``XMLHttpRequest``, the fallback without JSPI. It cannot
  stream (the body is returned read) and, on a page's main thread, it cannot
  time out (browsers forbid ``timeout`` there; a worker honours it) and it
  freezes the page while it waits. Binary bodies come through the
  ``x-user-defined`` charset on the main thread, an ``ArrayBuffer`` in a worker.

``FetchTransport(sync_mode="auto")`` picks JSPI when ``can_run_sync()`` says so at
the call, else XHR; ``"jspi"`` or ``"xhr"`` forces one.

What a page cannot do, whatever the transport does:

* Redirects: a page never sees a redirect's status or ``Location`` (fetch gives
  an opaque answer), so the browser follows them itself, up to its own limit of
  20; the client's ``max_redirects`` cannot be counted hop by hop. When the
  limits say not to follow (``follow_redirects`` false or ``max_redirects`` 0,
  when the client passes them), fetch runs with ``redirect: "manual"`` and a
  redirect becomes an HttpError (status 0, what the browser reports); XHR always
  follows, so it raises after the fact. ``Response.url`` is the final URL.
* Forbidden request headers (``Host``, ``Content-Length``, ``Connection``,
  ``Cookie``, ``Origin``, ``Sec-*``, ``Proxy-*``...; see the Fetch standard) are
  the browser's to set: they are dropped silently, as fetch itself would. So is
  ``User-Agent``, which some browsers ignore and others turn into a CORS
  preflight.
* CORS: a cross-origin server must answer with ``Access-Control-Allow-Origin``
  (and allow the methods and headers used); otherwise the browser hides the
  answer and fetch fails with a bare ``TypeError``, reported as an HttpError
  that says so. Response headers are the ones the server exposes; repeated
  headers arrive joined with ", " and ``Set-Cookie`` never arrives.
* The browser decodes ``Content-Encoding`` itself; the HTTP cache is bypassed
  (``cache: "no-store"``) so every call reaches the server, as natively.

The timeout applies to each wait: the response head, then each chunk of the
body (an AbortController aborted by a timer), like httpx's read timeout. Every
JS failure becomes an HttpError with the URL; ``js`` objects are named ``js_...``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from infra_portable.errors import HttpError, ValidationError
from infra_portable.http._limits import check_declared_length, limited_async, too_large
from infra_portable.http._transport import TransportLimits
from infra_portable.http._types import Headers, Request, Response

__all__ = ["FORBIDDEN_REQUEST_HEADERS", "FetchTransport", "SyncMode"]

SyncMode = Literal["auto", "jspi", "xhr"]
_SYNC_MODES = ("auto", "jspi", "xhr")
_CREDENTIALS = ("omit", "same-origin", "include")
T = TypeVar("T")

# The Fetch standard's forbidden request-header names (plus User-Agent, see above).
FORBIDDEN_REQUEST_HEADERS = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "access-control-request-private-network",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "via",
    }
)
_FORBIDDEN_PREFIXES = ("proxy-", "sec-")
_MAX_TIMER_MS = 2**31 - 1  # setTimeout's ceiling


def _sendable(headers: Headers) -> list[tuple[str, str]]:
    """The headers a page may set (the rest are the browser's)."""
    return [
        (name, value)
        for name, value in headers.items()
        if name.lower() not in FORBIDDEN_REQUEST_HEADERS
        and not name.lower().startswith(_FORBIDDEN_PREFIXES)
    ]


def _timeout_ms(seconds: float) -> int:
    return max(1, min(_MAX_TIMER_MS, round(seconds * 1000)))


def _is_nullish(value: Any) -> bool:
    """JS ``null``/``undefined`` as the FFI hands them over (None or ``jsnull``)."""
    return value is None or type(value).__name__ == "JsNull"


def _wants_follow(limits: TransportLimits) -> tuple[bool, str]:
    """Whether redirects may be followed, and why not (from the client's limits, when given)."""
    if not limits.follow_redirects:
        return False, "the client does not follow redirects"
    if limits.max_redirects == 0:
        return False, "too many redirects (more than 0)"
    return True, ""


def _redirect_refused(why: str, url: str) -> HttpError:
    return HttpError(
        f"{why}: the server answered with a redirect, and a browser page cannot see a "
        "redirect's status or Location, so it can neither be returned nor followed here",
        status=0,
        url=url,
    )


def _check_body(request: Request) -> None:
    if request.body and request.method in ("GET", "HEAD"):
        raise HttpError(
            f"the browser cannot send a body with {request.method}: use POST or PUT",
            url=request.url,
        )


def _js_error(exc: Any, request: Request, doing: str, timed_out: bool, timeout: float) -> HttpError:
    """The HttpError for a failed JS call (raise it ``from`` the JsException)."""
    name = str(getattr(exc, "name", "") or type(exc).__name__)
    message = str(getattr(exc, "message", "") or exc)
    if timed_out or name == "TimeoutError":
        text = f"timed out after {timeout:g}s {doing}"
    elif name in ("TypeError", "NetworkError"):
        text = (
            f"network error {doing} ({name}: {message}): the server is unreachable, "
            "or it refused this page's origin (CORS: check Access-Control-Allow-Origin "
            "and the allowed methods and headers)"
        )
    elif name == "AbortError":
        text = f"the request was aborted {doing}"
    else:
        text = f"{name}: {message} ({doing})"
    return HttpError(text, url=request.url)


class _Exchange:
    """One fetch: its AbortController, the timer that aborts it, and the body's reader.

    The timer is armed for each wait (the head, each chunk) and cleared after it.
    ``cancel`` aborts the request (closing a stream early, or a cancelled task).
    """

    __slots__ = ("_js_controller", "_js_reader", "_timer", "cancelled", "request", "timeout")

    def __init__(self, request: Request, timeout: float) -> None:
        import js

        self.request = request
        self.timeout = timeout
        self.cancelled = False
        self._js_controller = js.AbortController.new()
        self._js_reader: Any = None
        self._timer: Any = None

    @property
    def js_signal(self) -> Any:
        return self._js_controller.signal

    @property
    def timed_out(self) -> bool:
        return bool(self._js_controller.signal.aborted) and not self.cancelled

    def arm(self) -> None:
        import js

        self.disarm()
        js_abort = self._js_controller.abort.bind(self._js_controller)
        self._timer = js.setTimeout(js_abort, _timeout_ms(self.timeout))

    def disarm(self) -> None:
        if self._timer is not None:
            import js

            js.clearTimeout(self._timer)
            self._timer = None

    async def wait(self, js_promise: Any, doing: str) -> Any:
        """Await ``js_promise`` within the timeout; every failure is an HttpError."""
        import asyncio

        from pyodide.ffi import JsException

        self.arm()
        try:
            return await js_promise
        except JsException as exc:
            raise _js_error(exc, self.request, doing, self.timed_out, self.timeout) from exc
        except asyncio.CancelledError:
            self.cancel()
            raise
        finally:
            self.disarm()

    async def head(self, js_init: Any) -> Any:
        import js

        return await self.wait(js.fetch(self.request.url, js_init), "waiting for the response")

    def start_body(self, js_response: Any) -> None:
        js_body = js_response.body
        self._js_reader = None if _is_nullish(js_body) else js_body.getReader()

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body's chunks as they arrive; the request is aborted if not read to the end."""
        try:
            while self._js_reader is not None:
                js_result = await self.wait(self._js_reader.read(), "reading the body")
                if js_result.done:
                    self._js_reader = None
                    return
                chunk: bytes = js_result.value.to_bytes()
                if chunk:
                    yield chunk
        finally:
            if self._js_reader is not None:
                self.cancel()

    def cancel(self) -> None:
        """Abort the request (idempotent): the connection closes, pending reads fail."""
        self.disarm()
        if not self.cancelled:
            self.cancelled = True
            self._js_reader = None
            self._js_controller.abort()

    async def acancel(self) -> None:
        self.cancel()


@dataclass(slots=True)
class _Opened:
    """A response head, and its body still to read."""

    status: int
    headers: Headers
    url: str
    chunks: AsyncIterator[bytes]
    exchange: _Exchange


class FetchTransport:
    """The browser's ``fetch`` (async, and sync through JSPI) or synchronous XHR.

    ``sync_mode`` chooses how ``handle`` waits: ``"auto"`` (JSPI when available at
    the call, else XHR), ``"jspi"`` or ``"xhr"``. ``credentials`` is fetch's option
    (``"same-origin"``, ``"include"`` to send cookies cross-origin, ``"omit"``).
    """

    name = "fetch"

    def __init__(
        self,
        *,
        sync_mode: SyncMode = "auto",
        credentials: Literal["omit", "same-origin", "include"] = "same-origin",
    ) -> None:
        if sync_mode not in _SYNC_MODES:
            raise ValidationError(
                "unknown fetch transport sync_mode",
                field="sync_mode",
                expected=" | ".join(_SYNC_MODES),
                actual=repr(sync_mode),
            )
        if credentials not in _CREDENTIALS:
            raise ValidationError(
                "unknown fetch credentials mode",
                field="credentials",
                expected=" | ".join(_CREDENTIALS),
                actual=repr(credentials),
            )
        self.sync_mode: SyncMode = sync_mode
        self.credentials = credentials

    # -- async: fetch -----------------------------------------------------------
    async def handle_async(
        self, request: Request, limits: TransportLimits, stream: bool
    ) -> Response:
        opened = await self._open(request, limits)
        status, headers, url = opened.status, opened.headers, opened.url
        if stream:
            return Response(
                status,
                headers,
                url=url,
                request=request,
                astream=opened.chunks,
                aclose=opened.exchange.acancel,
            )
        try:
            content = b"".join([chunk async for chunk in opened.chunks])
        finally:
            opened.exchange.cancel()
        return Response(status, headers, content, url=url, request=request)

    async def _open(self, request: Request, limits: TransportLimits) -> _Opened:
        """Send the request and await the response head (the body is read later)."""
        _require_pyodide(request)
        import js
        from pyodide.ffi import to_js

        _check_body(request)
        follow, why = _wants_follow(limits)
        exchange = _Exchange(request, request.timeout or limits.timeout)
        init: dict[str, Any] = {
            "method": request.method,
            "headers": _js_headers(request),
            "redirect": "follow" if follow else "manual",
            "credentials": self.credentials,
            "cache": "no-store",
            "signal": exchange.js_signal,
        }
        if request.body is not None:
            init["body"] = to_js(request.body)
        js_response = await exchange.head(to_js(init, dict_converter=js.Object.fromEntries))
        if str(js_response.type) == "opaqueredirect":
            exchange.cancel()
            raise _redirect_refused(why, request.url)
        status = int(js_response.status)
        headers = Headers([(str(p[0]), str(p[1])) for p in js_response.headers.entries()])
        url = str(js_response.url) if js_response.redirected else request.url
        try:
            check_declared_length(
                headers.get("content-length"), limits.max_response_bytes, status, url
            )
        except HttpError:
            exchange.cancel()
            raise
        exchange.start_body(js_response)
        chunks = limited_async(exchange.chunks(), limits.max_response_bytes, status, url)
        return _Opened(status, headers, url, chunks, exchange)

    # -- sync: JSPI or XHR --------------------------------------------------------
    def handle(self, request: Request, limits: TransportLimits, stream: bool) -> Response:
        _require_pyodide(request)
        from pyodide.ffi import can_run_sync

        jspi = bool(can_run_sync())
        if self.sync_mode == "jspi" and not jspi:
            raise HttpError(
                "sync_mode='jspi' but JS promise integration is not available on this call "
                "stack (enter Python through runPythonAsync or an async function, or use "
                "sync_mode='auto' to fall back to synchronous XHR)",
                url=request.url,
            )
        if self.sync_mode == "xhr" or not jspi:
            return _xhr_exchange(request, limits)
        if not stream:
            return _run_sync(self.handle_async(request, limits, stream=False))
        opened = _run_sync(self._open(request, limits))
        return Response(
            opened.status,
            opened.headers,
            url=opened.url,
            request=request,
            stream=_sync_chunks(opened.chunks),
            close=opened.exchange.cancel,
        )

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


def _require_pyodide(request: Request) -> None:
    from infra_portable.runtime import is_pyodide

    if not is_pyodide():
        raise HttpError(
            "the fetch transport runs only in Pyodide (no browser here); "
            "use the default transport (HttpClient() picks one for this runtime)",
            url=request.url,
        )


def _js_headers(request: Request) -> Any:
    """A JS ``Headers`` of the sendable headers; a value the browser refuses is an HttpError."""
    import js
    from pyodide.ffi import JsException

    js_headers = js.Headers.new()
    for name, value in _sendable(request.headers):
        try:
            js_headers.append(name, value)
        except JsException as exc:
            raise _refused_header(name, exc, request) from exc
    return js_headers


def _refused_header(name: str, exc: Any, request: Request) -> HttpError:
    return HttpError(f"the browser refused the request header {name!r}: {exc}", url=request.url)


def _xhr_exchange(request: Request, limits: TransportLimits) -> Response:
    """One synchronous XMLHttpRequest: the body comes read, redirects come followed."""
    import js
    from pyodide.ffi import JsException, to_js

    from infra_portable.runtime import in_worker

    _check_body(request)
    follow, why = _wants_follow(limits)
    timeout = request.timeout or limits.timeout
    if getattr(js, "XMLHttpRequest", None) is None:
        raise HttpError(
            "no XMLHttpRequest here (Node.js?): synchronous HTTP needs JS promise "
            "integration; use AsyncHttpClient, or enter Python through runPythonAsync",
            url=request.url,
        )
    worker = in_worker()
    js_xhr = js.XMLHttpRequest.new()
    try:
        js_xhr.open(request.method, request.url, False)
        if worker:  # a worker may time out and read an ArrayBuffer; a page may not
            js_xhr.responseType = "arraybuffer"
            js_xhr.timeout = _timeout_ms(timeout)
        else:
            js_xhr.overrideMimeType("text/plain; charset=x-user-defined")
    except JsException as exc:
        raise _js_error(exc, request, "preparing the request", False, timeout) from exc
    for name, value in _sendable(request.headers):
        try:
            js_xhr.setRequestHeader(name, value)
        except JsException as exc:
            raise _refused_header(name, exc, request) from exc
    try:
        js_xhr.send(None if request.body is None else to_js(request.body))
    except JsException as exc:
        raise _js_error(exc, request, "waiting for the response", False, timeout) from exc
    status = int(js_xhr.status)
    if status == 0:
        raise HttpError(
            "network error (the XMLHttpRequest got no answer): the server is unreachable, "
            "or it refused this page's origin (CORS)",
            url=request.url,
        )
    final = str(js_xhr.responseURL or "")
    redirected = bool(final) and final != str(js.URL.new(request.url).href)
    if redirected and not follow:
        raise _redirect_refused(why, request.url)
    url = final if redirected else request.url
    headers = _parse_raw_headers(str(js_xhr.getAllResponseHeaders()))
    check_declared_length(headers.get("content-length"), limits.max_response_bytes, status, url)
    if worker:
        js_buffer = js_xhr.response
        content = b"" if _is_nullish(js_buffer) else bytes(js.Uint8Array.new(js_buffer).to_bytes())
    else:
        # x-user-defined decodes byte b as U+00bb (b < 0x80) or U+F700+b: the low byte
        # of each UTF-16 code unit is the byte.
        content = str(js_xhr.responseText).encode("utf-16-le")[::2]
    if len(content) > limits.max_response_bytes:
        raise too_large(limits.max_response_bytes, status, url)
    return Response(status, headers, content, url=url, request=request)


def _run_sync(awaitable: Coroutine[Any, Any, T]) -> T:
    from pyodide.ffi import run_sync

    return run_sync(awaitable)  # type: ignore[no-any-return]


async def _next_chunk(chunks: AsyncIterator[bytes]) -> bytes | None:
    try:
        return await chunks.__anext__()
    except StopAsyncIteration:
        return None


def _sync_chunks(chunks: AsyncIterator[bytes]) -> Iterator[bytes]:
    """An async body read synchronously, each chunk awaited through JSPI."""
    while (chunk := _run_sync(_next_chunk(chunks))) is not None:
        yield chunk


def _parse_raw_headers(raw: str) -> Headers:
    """``getAllResponseHeaders()``'s ``name: value`` CRLF lines as Headers."""
    pairs: list[tuple[str, str]] = []
    for line in raw.split("\r\n"):
        name, sep, value = line.partition(":")
        if sep and name.strip():
            pairs.append((name.strip(), value.strip()))
    return Headers(pairs)
