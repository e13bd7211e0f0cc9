"""Responses a handler returns: bytes/text, JSON, and bodies streamed as they are made.

Each response is itself an ASGI app (``await response(scope, receive, send)``),
so middleware and plain ASGI code can send one directly. A ``HEAD`` request gets
the same status and headers with no body. Handlers may also return plain values,
turned into responses by :func:`to_response`: a dict or list becomes JSON, a str
text, bytes an octet stream and ``None`` a 204.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from typing import Any, ClassVar

from infra_portable.errors import ValidationError
from infra_portable.http._headers import check_status
from infra_portable.http._types import Headers
from infra_portable.http.server._asgi import RawHeaders, Receive, Scope, Send, encode_headers
from infra_portable.json import dumpb

__all__ = [
    "LIVE_DISCONNECT",
    "JsonResponse",
    "ServerResponse",
    "StreamingResponse",
    "TextResponse",
    "to_response",
]

HeaderInput = Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None
# A scope key a server sets when its ``receive`` reports a client disconnect only
# when one happens (uvicorn does; the in-process AsgiTransport reports one as soon
# as the body is read). Streaming responses then stop when the client goes away.
LIVE_DISCONNECT = "infra_portable.live_disconnect"


def _checked_headers(headers: HeaderInput) -> Headers:
    if headers is None:
        return Headers()
    checked = Headers(headers)
    for name, value in checked.items():
        bad = not name or any(c in name for c in "\r\n:\0 ") or any(c in value for c in "\r\n\0")
        if bad or not (name.isascii() and _latin1(value)):
            raise ValidationError(
                "a response header name is a token and its value has no CR, LF or NUL",
                field="headers",
                actual=repr(name),
            )
    return checked


def _bad_media_type(media_type: object) -> None:
    """A non-str media type is a ValidationError (only called on the failure path)."""
    if isinstance(media_type, str):  # a str subclass is fine
        return
    raise ValidationError(
        "a media type is a str such as 'text/plain'",
        field="media_type",
        expected="str or None",
        actual=repr(media_type)[:200],
    )


_MEDIA_TYPES: dict[tuple[str, str], str] = {}


def _full_media_type(media: str, charset: str) -> str:
    """``media`` with ``; charset=...`` added for text types (memoised: it is per response)."""
    full = _MEDIA_TYPES.get((media, charset))
    if full is None:
        if any(c in media for c in "\r\n\0") or not _latin1(media):
            raise ValidationError(
                "a media type is header text: no CR, LF or NUL, Latin-1 only",
                field="media_type",
                expected="Latin-1 text without CR, LF or NUL",
                actual=repr(media)[:200],
            )
        full = media
        if media.startswith("text/") and "charset=" not in media:
            full = f"{media}; charset={charset}"
        if len(_MEDIA_TYPES) < 256:
            _MEDIA_TYPES[media, charset] = full
    return full


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


class ServerResponse:
    """A status, headers and a body sent at once (with Content-Length).

    ``content`` is bytes or str here, any JSON value for :class:`JsonResponse`.
    """

    media_type: ClassVar[str | None] = None
    charset: ClassVar[str] = "utf-8"
    __slots__ = ("body", "headers", "status")

    def __init__(
        self,
        content: Any = b"",
        status: int = 200,
        headers: HeaderInput = None,
        media_type: str | None = None,
    ) -> None:
        self.status = (
            status if type(status) is int and 100 <= status <= 599 else check_status(status)
        )
        self.body = self.render(content)
        if media_type is not None and type(media_type) is not str:
            _bad_media_type(media_type)
        media = media_type or self.media_type
        if headers is None:
            self.headers = Headers()
        else:
            self.headers = _checked_headers(headers)
            if "content-type" in self.headers:
                media = None
        if media is not None:
            self.headers.add("content-type", _full_media_type(media, self.charset))

    def render(self, content: Any) -> bytes:
        if content is None:
            return b""
        if isinstance(content, str):
            return content.encode(self.charset)
        if isinstance(content, bytes | bytearray | memoryview):
            return bytes(content)
        raise ValidationError(
            "a response body is bytes or str", field="content", actual=type(content).__name__
        )

    def raw_headers(self) -> RawHeaders:
        raw = encode_headers(self.headers.items())
        if self.status >= 200 and self.status not in (204, 304):
            raw.append((b"content-length", str(len(self.body)).encode()))
        return raw

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status, "headers": self.raw_headers()}
        )
        body = b"" if scope.get("method") == "HEAD" else self.body
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status}>"


class TextResponse(ServerResponse):
    media_type = "text/plain"
    __slots__ = ()


class JsonResponse(ServerResponse):
    """``content`` encoded as JSON by :func:`infra_portable.json.dumpb`."""

    media_type = "application/json"
    __slots__ = ()

    def render(self, content: Any) -> bytes:
        return dumpb(content)


class StreamingResponse(ServerResponse):
    """A body sent chunk by chunk as ``content`` yields bytes or str (no Content-Length).

    ``content`` is an async iterable (a generator of LLM tokens...) or a plain
    iterable (run inline: it must not block). When the server reports client
    disconnects as they happen (uvicorn through :func:`serve`), the stream stops
    and the generator is closed when the client goes away; ``watch_disconnect``
    forces that on or off.
    """

    media_type = "application/octet-stream"
    __slots__ = ("content", "watch_disconnect")

    def __init__(
        self,
        content: AsyncIterable[bytes | str] | Iterable[bytes | str],
        status: int = 200,
        headers: HeaderInput = None,
        media_type: str | None = None,
        *,
        watch_disconnect: bool | None = None,
    ) -> None:
        if not isinstance(content, AsyncIterable | Iterable) or isinstance(content, str | bytes):
            raise ValidationError(
                "a streamed body is an iterable of bytes or str chunks",
                field="content",
                actual=type(content).__name__,
            )
        super().__init__(b"", status, headers, media_type)
        self.content = content
        self.watch_disconnect = watch_disconnect

    def raw_headers(self) -> RawHeaders:
        return encode_headers(self.headers.items())

    def encode(self, chunk: Any) -> bytes:
        if isinstance(chunk, str):
            return chunk.encode(self.charset)
        if isinstance(chunk, bytes | bytearray | memoryview):
            return bytes(chunk)
        raise ValidationError(
            "a streamed chunk is bytes or str", field="content", actual=type(chunk).__name__
        )

    async def chunks(self) -> AsyncIterator[bytes]:
        """The encoded body chunks (subclasses such as SseResponse change the encoding)."""
        content = self.content
        if isinstance(content, AsyncIterable):
            async for chunk in content:
                yield self.encode(chunk)
        else:
            for chunk in content:
                yield self.encode(chunk)

    async def _send_body(self, send: Send) -> None:
        stream = self.chunks()
        try:
            async for chunk in stream:
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await _close(stream)
            await _close(self.content)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status, "headers": self.raw_headers()}
        )
        if scope.get("method") == "HEAD":
            await _close(self.content)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        watch = self.watch_disconnect
        if watch is None:
            watch = bool(scope.get(LIVE_DISCONNECT))
        if watch and _running_loop():
            await _until_disconnect(self._send_body(send), receive)
        else:
            await self._send_body(send)


def _running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def _close(stream: object) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()
        return
    close = getattr(stream, "close", None)
    if close is not None:
        close()


async def _until_disconnect(body: Any, receive: Receive) -> None:
    """Run ``body`` until it ends or the client disconnects (then it is cancelled)."""

    async def disconnected() -> None:
        while (await receive()).get("type") != "http.disconnect":
            pass

    streamer = asyncio.ensure_future(body)
    listener = asyncio.ensure_future(disconnected())
    try:
        await asyncio.wait({streamer, listener}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (listener, streamer):
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    if listener.done() and not listener.cancelled():
        listener.exception()  # retrieved: a failing receive only ends the watch
    if not streamer.cancelled():
        streamer.result()


def to_response(value: Any) -> ServerResponse:
    """A handler's return value as a response (see the module docstring)."""
    if isinstance(value, ServerResponse):
        return value
    if isinstance(value, dict | list):
        return JsonResponse(value)
    if isinstance(value, str):
        return TextResponse(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return ServerResponse(value, media_type="application/octet-stream")
    if value is None:
        return ServerResponse(b"", 204)
    raise TypeError(
        f"a handler returns a ServerResponse, dict, list, str, bytes or None, not {type(value).__name__}"
    )
