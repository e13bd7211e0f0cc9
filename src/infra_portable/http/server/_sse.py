"""SseResponse: Server-Sent Events (``text/event-stream``) from an iterator of events.

The LLM token-stream shape: a handler returns
``SseResponse(tokens())`` where ``tokens`` yields dicts (sent as ``data:
{json}``), strings (``data:`` lines), :class:`~infra_portable.http.ServerSentEvent`
values (event name, id and retry as well) or ``bytes`` already framed as SSE
(passed through, for proxying an upstream stream). The client reads them back
with ``response.iter_sse()``/``aiter_sse()``.

An exception from the iterator after the stream has started cannot change the
status any more: the stream ends with one ``event: error`` whose data is the
problem object (a bare 500 problem for a foreign exception, which is logged),
so the client learns why instead of seeing a silent end.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from typing import Any

from infra_portable.errors import ValidationError
from infra_portable.http._sse import ServerSentEvent
from infra_portable.http.server._asgi import Scope
from infra_portable.http.server._problems import log_error, problem_body
from infra_portable.http.server._response import HeaderInput, StreamingResponse

__all__ = ["SseResponse", "encode_sse"]


def _field(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValidationError(
            f"an SSE {name} may not contain a line break", field=name, actual=repr(value)
        )
    return f"{name}: {value}\n"


def _data_lines(text: str) -> str:
    # Every line of the data is its own "data:" field; the decoder joins them with LF.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "".join(f"data: {line}\n" for line in lines)


def encode_sse(event: Any) -> bytes:
    """One event framed as ``text/event-stream`` bytes (ending with the blank line)."""
    if isinstance(event, bytes | bytearray | memoryview):
        return bytes(event)
    if isinstance(event, ServerSentEvent):
        out = ""
        if event.event and event.event != "message":
            out += _field("event", event.event)
        if event.id:
            if "\0" in event.id:
                raise ValidationError("an SSE id may not contain NUL", field="id")
            out += _field("id", event.id)
        if event.retry is not None:
            out += f"retry: {int(event.retry)}\n"
        return (out + _data_lines(event.data) + "\n").encode()
    if isinstance(event, str):
        return (_data_lines(event) + "\n").encode()
    if isinstance(event, Mapping | list | tuple | int | float | bool) or event is None:
        from infra_portable.json import dumps

        return (_data_lines(dumps(event)) + "\n").encode()
    raise ValidationError(
        "an SSE event is a ServerSentEvent, a JSON value, a str or framed bytes",
        field="event",
        actual=type(event).__name__,
    )


class SseResponse(StreamingResponse):
    """A ``text/event-stream`` response; see the module docstring.

    ``error_event`` names the event sent when the iterator fails mid-stream
    (``None`` re-raises instead, and the server aborts the connection).
    """

    media_type = "text/event-stream"
    __slots__ = ("_scope", "error_event")

    def __init__(
        self,
        events: AsyncIterable[Any] | Iterable[Any],
        status: int = 200,
        headers: HeaderInput = None,
        *,
        error_event: str | None = "error",
        watch_disconnect: bool | None = None,
    ) -> None:
        super().__init__(events, status, headers, watch_disconnect=watch_disconnect)
        self.headers.setdefault("cache-control", "no-cache")
        # Proxies such as nginx buffer responses unless told not to.
        self.headers.setdefault("x-accel-buffering", "no")
        self.error_event = error_event
        self._scope: Scope = {}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        self._scope = scope
        await super().__call__(scope, receive, send)

    async def chunks(self) -> AsyncIterator[bytes]:
        content = self.content
        try:
            if isinstance(content, AsyncIterable):
                async for event in content:
                    yield encode_sse(event)
            else:
                for event in content:
                    yield encode_sse(event)
        except Exception as exc:
            if self.error_event is None:
                raise
            status, body = problem_body(exc, self._scope)
            log_error(exc, self._scope, status)
            from infra_portable.json import dumps

            yield encode_sse(ServerSentEvent(dumps(body), event=self.error_event))
