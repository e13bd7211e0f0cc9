"""Server-Sent Events: an incremental decoder for ``text/event-stream`` (WHATWG HTML §9.2.6).

Bytes go in as they arrive, in chunks split anywhere (inside a line, inside a
UTF-8 sequence, between CR and LF); complete events come out. LLM token streams
(``data: {...}`` lines, ``data: [DONE]``) are the main user.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Any

from infra_portable.errors import HttpError

__all__ = ["ServerSentEvent", "SseDecoder"]


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event: its type, data (lines joined by LF), last event ID and retry hint."""

    data: str
    event: str = "message"
    id: str = ""
    retry: int | None = None

    def json(self) -> Any:
        from infra_portable.json import loads

        return loads(self.data)


class SseDecoder:
    """Feed bytes with :meth:`feed`, get events; :meth:`close` at the end of the stream.

    ``max_line_bytes`` bounds one line (and the buffered data of one event), so a
    stream without newlines cannot grow memory without bound.
    """

    def __init__(self, max_line_bytes: int = 1 << 20) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        self._buffer = ""
        self._started = False
        self._pending_cr = False
        self._data: list[str] = []
        self._data_size = 0
        self._event = ""
        self._last_id = ""
        self._retry: int | None = None
        self._max = max_line_bytes

    @property
    def last_event_id(self) -> str:
        return self._last_id

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        text = self._utf8.decode(chunk)
        return self._lines(text)

    def close(self) -> list[ServerSentEvent]:
        """The end of the stream: an unterminated last line is processed; an undispatched
        event (no blank line after it) is dropped, as the standard says."""
        events = self._lines(self._utf8.decode(b"", final=True))
        if self._buffer:
            line, self._buffer = self._buffer, ""
            self._line(line, events)
        return events

    def _lines(self, text: str) -> list[ServerSentEvent]:
        if not self._started and text:
            self._started = True
            if text.startswith("\ufeff"):
                text = text[1:]
        if not text:
            return []
        if self._pending_cr and text.startswith("\n"):
            text = text[1:]
        self._pending_cr = False
        events: list[ServerSentEvent] = []
        buffer = self._buffer + text
        start = 0
        length = len(buffer)
        while True:
            cr = buffer.find("\r", start)
            lf = buffer.find("\n", start)
            if cr == -1 and lf == -1:
                break
            if lf == -1 or (cr != -1 and cr < lf):
                end, nxt = cr, cr + 1
                if nxt < length and buffer[nxt] == "\n":
                    nxt += 1
                elif nxt == length:
                    self._pending_cr = True  # an LF may follow in the next chunk
            else:
                end, nxt = lf, lf + 1
            self._line(buffer[start:end], events)
            start = nxt
        self._buffer = buffer[start:]
        if len(self._buffer) > self._max:
            raise HttpError(f"server-sent event line longer than {self._max} characters")
        return events

    def _line(self, line: str, events: list[ServerSentEvent]) -> None:
        if not line:
            self._dispatch(events)
            return
        if line.startswith(":"):
            return  # a comment (keep-alive)
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._data_size += len(value) + 1
            if self._data_size > self._max:
                raise HttpError(f"server-sent event data longer than {self._max} characters")
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry" and value.isdigit() and value.isascii():
            self._retry = int(value)
        # any other field is ignored

    def _dispatch(self, events: list[ServerSentEvent]) -> None:
        if not self._data:
            self._event = ""
            return
        events.append(
            ServerSentEvent(
                data="\n".join(self._data),
                event=self._event or "message",
                id=self._last_id,
                retry=self._retry,
            )
        )
        self._data = []
        self._data_size = 0
        self._event = ""
