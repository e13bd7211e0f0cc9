"""Complete JSON values out of a byte or text stream cut at arbitrary points.

:class:`JsonStreamParser` takes chunks as they arrive (from a socket, a file, an
HTTP body) and returns each top-level value as soon as its last character is
seen. Values may be separated by JSON whitespace (NDJSON, JSON Lines) or simply
concatenated (``{"a":1}{"b":2}[3]"x"4 5``).

How it works: compiled regexes skip string bodies and everything that is not a
bracket, so Python code runs once per bracket or string boundary, not once per
character. The scanner tracks only nesting, in-string and escape state across
chunks; when a value's closing character arrives, its text goes to one decoder
seam, :func:`_decode`, which does the real validation at C speed. Work and
memory are linear in the input: no chunk is scanned twice, and at most one
value's text (bounded by ``max_value_size``) is buffered.

Runtime caveats: none. It is pure standard library with no threads, so it runs
the same on CPython, Pyodide and WASI.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import Any, Final, cast

from infra_portable.errors import SerializationError, ValidationError

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_VALUE_SIZE",
    "JsonStreamParser",
    "aiter_json_values",
    "iter_json_values",
]

DEFAULT_MAX_DEPTH: Final = 512
DEFAULT_MAX_VALUE_SIZE: Final = 64 * 1024 * 1024  # characters

# All of these match the empty string, so ``match`` never returns None.
_Matcher = Callable[[str, int], "re.Match[str]"]
_skip_whitespace = cast(_Matcher, re.compile(r"[ \t\n\r]*+").match)
# Inside a container: everything up to the next bracket, stepping over whole
# strings (which may hold brackets). Stops at the '"' of a string this chunk
# does not finish.
_skip_to_bracket = cast(
    _Matcher, re.compile(r'(?:[^"\[\]{}]++|"(?:[^"\\]++|\\.)*+")*+', re.DOTALL).match
)
# The rest of a string body; stops at the closing '"' or at a '\' that ends the chunk.
_skip_string_body = cast(_Matcher, re.compile(r'(?:[^"\\]++|\\.)*+', re.DOTALL).match)
_skip_scalar = cast(_Matcher, re.compile(r"[A-Za-z0-9+\-.]*+").match)
_skip_to_constant = cast(
    _Matcher, re.compile(r'(?:[^"NI]++|"(?:[^"\\]++|\\.)*+")*+', re.DOTALL).match
)

# Shared with _partial, which validates numbers and literals itself.
NUMBER: Final = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
# Every prefix of a valid number, and nothing else.
NUMBER_PREFIX: Final = re.compile(
    r"-?(?:(?:0|[1-9][0-9]*)(?:\.(?:[0-9]+(?:[eE][-+]?[0-9]*)?)?|[eE][-+]?[0-9]*)?)?"
)
LITERALS: Final = ("true", "false", "null")

# A top-level scalar starts with one of these; N and I are let through so that
# NaN and Infinity get their own message from the decoder.
_SCALAR_START: Final = frozenset("-0123456789tfnNI")
_CLOSER: Final = {"[": "]", "{": "}"}


class _NonFiniteConstant(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise _NonFiniteConstant(name)


# One decoder built once: json.loads(text, parse_constant=...) would build a
# new decoder and scanner per call, which dominates the cost of small values.
_JSON_DECODER: Final = json.JSONDecoder(parse_constant=_reject_constant)


def _text_position(text: str, index: int) -> tuple[int, int, int]:
    """``(line, column, offset)`` of ``text[index]``: 1-based line and column."""
    newlines = text.count("\n", 0, index)
    return newlines + 1, index - text.rfind("\n", 0, index), index


def _decode(text: str) -> Any:
    """Decode one complete JSON text (RFC 8259: no NaN or Infinity).

    This is the single seam to the codec. Errors are :class:`SerializationError`
    with positions relative to ``text``; the stream parser shifts them.
    """
    try:
        return _JSON_DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise SerializationError(
            exc.msg, line=exc.lineno, column=exc.colno, offset=exc.pos
        ) from exc
    except _NonFiniteConstant as exc:
        index = _skip_to_constant(text, 0).end()
        if index and text[index - 1] == "-":
            index -= 1
        line, column, offset = _text_position(text, index)
        raise SerializationError(
            f"{exc} is not valid JSON (RFC 8259 has no NaN or Infinity)",
            line=line,
            column=column,
            offset=offset,
        ) from None
    except RecursionError:
        raise SerializationError(
            "JSON nested too deeply to decode", line=1, column=1, offset=0
        ) from None
    except ValueError as exc:  # e.g. an integer beyond sys.get_int_max_str_digits()
        raise SerializationError(str(exc), line=1, column=1, offset=0) from exc


def check_limit(name: str, value: int) -> int:
    """Validate a positive integer limit argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            f"{name} must be a positive integer", field=name, expected=">= 1", actual=repr(value)
        )
    return value


class JsonStreamParser:
    """Incremental parser: feed chunks, get every top-level value they complete.

    ``feed`` accepts bytes-like chunks (decoded as strict UTF-8; multibyte
    sequences may be split anywhere; a leading BOM is skipped) or ``str``, but a
    parser takes one kind: mixing them raises :class:`ValidationError`, because a
    ``str`` cannot continue a split UTF-8 sequence. A top-level number or literal
    is complete only once a delimiter (whitespace or the next value) follows it,
    or at :meth:`close`.

    Errors are :class:`SerializationError` with ``line``/``column`` (1-based)
    and ``offset`` (0-based, in characters, not counting a BOM) relative to the
    whole stream. After an error the parser is failed: ``feed`` and ``close``
    raise again. A chunk that raises returns no values, including ones it
    completed before the error.

    Limits: ``max_depth`` is checked at each opening bracket, before the rest of
    the value is read; ``max_value_size`` bounds the characters buffered for one
    value (whitespace between values is not buffered).
    """

    def __init__(
        self,
        *,
        max_depth: int = DEFAULT_MAX_DEPTH,
        max_value_size: int = DEFAULT_MAX_VALUE_SIZE,
    ) -> None:
        self._max_depth = check_limit("max_depth", max_depth)
        self._max_value_size = check_limit("max_value_size", max_value_size)
        self._input_type: type | None = None
        self._started = False  # a str stream has seen its first character (BOM check)
        self._bytes_decoder: codecs.IncrementalDecoder | None = None
        # Expected closing brackets of the current value, innermost last.
        self._closers: list[str] = []
        self._in_value = False
        self._in_string = False
        self._escape = False  # the chunk ended right after a '\' in a string
        self._in_scalar = False
        # Text of the current value from earlier chunks (None: starts in this one).
        self._pending: io.StringIO | None = None
        self._pending_size = 0
        self._value_line = self._value_column = 1
        self._value_offset = 0
        # Stream position: the current chunk starts at offset _base; newlines
        # are counted lazily up to index _cursor of the chunk.
        self._base = 0
        self._cursor = 0
        self._line = 1
        self._line_start = 0
        self._failure: SerializationError | None = None
        self._closed = False

    # -- public API -------------------------------------------------------
    def feed(self, chunk: bytes | bytearray | memoryview | str) -> list[Any]:
        """Consume ``chunk``; return the top-level values it completes, in order."""
        self._check_open("feed")
        try:
            return self._scan(self._text_of(chunk))
        except SerializationError as exc:
            self._failure = exc
            raise

    def close(self) -> list[Any]:
        """End the stream: return a final pending number or literal, if any.

        Raises :class:`SerializationError` ("unexpected end of input") if a value
        is incomplete. Calling ``close`` again returns ``[]``.
        """
        if self._closed and self._failure is None:
            return []
        self._check_open("close")
        self._closed = True
        try:
            values: list[Any] = []
            if self._bytes_decoder is not None:
                try:
                    values += self._scan(self._bytes_decoder.decode(b"", True))
                except UnicodeDecodeError:
                    raise self._error_here("unexpected end of input in a UTF-8 sequence") from None
            if self._in_scalar:
                values.append(self._finish_scalar_at_end())
            elif self._in_value:
                raise self._error_here(
                    "unexpected end of input: the value starting at line "
                    f"{self._value_line} column {self._value_column} is incomplete"
                )
            return values
        except SerializationError as exc:
            self._failure = exc
            raise

    # -- input ------------------------------------------------------------
    def _check_open(self, operation: str) -> None:
        if self._failure is not None:
            failure = self._failure
            raise SerializationError(
                f"the stream already failed: {failure.message}",
                line=failure.line,
                column=failure.column,
                offset=failure.offset,
            )
        if self._closed:
            raise SerializationError(f"{operation}() called after close()")

    def _text_of(self, chunk: bytes | bytearray | memoryview | str) -> str:
        if isinstance(chunk, str):
            self._check_input_type(str)
            if not self._started and chunk:
                self._started = True
                if chunk[0] == "\ufeff":
                    return chunk[1:]
            return chunk
        # Checked at run time too: callers without a type checker pass anything.
        if not isinstance(cast(object, chunk), bytes | bytearray | memoryview):
            raise ValidationError(
                "a chunk must be bytes or str", field="chunk", actual=type(chunk).__name__
            )
        self._check_input_type(bytes)
        if self._bytes_decoder is None:
            # utf-8-sig drops a BOM at the very start, even one split across chunks.
            self._bytes_decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        try:
            return self._bytes_decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            # Scan the valid part first: an earlier JSON error is the one to report,
            # and it moves the position to where the bad byte is.
            self._scan(bytes(exc.object[: exc.start]).decode("utf-8"))
            bad = exc.object[exc.start]
            raise self._error_here(f"invalid UTF-8 ({exc.reason}, byte 0x{bad:02x})") from None

    def _check_input_type(self, kind: type) -> None:
        if self._input_type is None:
            self._input_type = kind
        elif self._input_type is not kind:
            raise ValidationError(
                "a stream is either bytes or str: do not mix them",
                field="chunk",
                expected=self._input_type.__name__,
                actual=kind.__name__,
            )

    # -- scanning ---------------------------------------------------------
    def _scan(self, text: str) -> list[Any]:
        values: list[Any] = []
        closers = self._closers
        end = len(text)
        pos = 0
        start = 0  # where the current value's text begins in this chunk
        while pos < end:
            if self._in_string:
                if self._escape:
                    self._escape = False
                    pos += 1
                    continue
                pos = _skip_string_body(text, pos).end()
                if pos == end:
                    break
                pos += 1
                if text[pos - 1] == "\\":  # the body stops at a '\' only at chunk end
                    self._escape = True
                    continue
                self._in_string = False
                if not closers:
                    values.append(self._finish(text, start, pos))
            elif closers:
                pos = _skip_to_bracket(text, pos).end()
                if pos == end:
                    break
                char = text[pos]
                if char == '"':
                    self._in_string = True
                elif char in _CLOSER:
                    closers.append(_CLOSER[char])
                    if len(closers) > self._max_depth:
                        raise self._too_deep(text, pos)
                else:
                    expected = closers.pop()
                    if char != expected:
                        raise self._error(text, pos, f"unexpected {char!r} (expected {expected!r})")
                    if not closers:
                        values.append(self._finish(text, start, pos + 1))
                pos += 1
            elif self._in_scalar:
                pos = _skip_scalar(text, pos).end()
                if pos == end:
                    break
                self._in_scalar = False
                values.append(self._finish(text, start, pos))
            else:
                pos = _skip_whitespace(text, pos).end()
                if pos == end:
                    break
                start = pos
                self._begin_value(text, pos)
                char = text[pos]
                if char in _CLOSER:
                    closers.append(_CLOSER[char])
                    if len(closers) > self._max_depth:
                        raise self._too_deep(text, pos)
                    pos += 1
                elif char == '"':
                    self._in_string = True
                    pos += 1
                elif char in _SCALAR_START:
                    self._in_scalar = True
                else:
                    raise self._error(text, pos, f"unexpected character {char!r}")
        if self._in_value:
            self._keep(text, start)
        self._end_chunk(text)
        return values

    def _begin_value(self, text: str, pos: int) -> None:
        self._in_value = True
        self._value_line, self._value_column, self._value_offset = self._locate(text, pos)

    def _keep(self, text: str, start: int) -> None:
        """Buffer the current value's text from ``start`` to the end of the chunk."""
        piece = text[start:]
        size = self._pending_size + len(piece)
        if size > self._max_value_size:
            raise self._too_large(text, start)
        if self._pending is None:
            self._pending = io.StringIO()
        self._pending.write(piece)
        self._pending_size = size

    def _finish(self, text: str, start: int, stop: int) -> Any:
        """Decode the value that ends at ``text[stop - 1]``."""
        if self._pending_size + stop - start > self._max_value_size:
            raise self._too_large(text, start)
        if self._pending is None:
            value_text = text[start:stop]
        else:
            self._pending.write(text[start:stop])
            value_text = self._pending.getvalue()
            self._pending = None
        self._pending_size = 0
        self._in_value = False
        return self._decode_value(value_text)

    def _finish_scalar_at_end(self) -> Any:
        token = self._pending.getvalue() if self._pending is not None else ""
        self._pending = None
        self._in_value = self._in_scalar = False
        if token in LITERALS or NUMBER.fullmatch(token):
            return self._decode_value(token)
        if NUMBER_PREFIX.fullmatch(token) or any(w.startswith(token) for w in LITERALS):
            raise self._error_here(f"unexpected end of input in {token!r}")
        return self._decode_value(token)

    def _decode_value(self, value_text: str) -> Any:
        try:
            return _decode(value_text)
        except SerializationError as exc:
            # Shift the value-relative position to the stream.
            line, column, offset = exc.line or 1, exc.column or 1, exc.offset or 0
            if line == 1:
                column += self._value_column - 1
            raise SerializationError(
                exc.message,
                line=self._value_line + line - 1,
                column=column,
                offset=self._value_offset + offset,
            ) from exc

    # -- positions and errors ---------------------------------------------
    def _locate(self, text: str, index: int) -> tuple[int, int, int]:
        """``(line, column, offset)`` of ``text[index]``; indexes only move forward."""
        newlines = text.count("\n", self._cursor, index)
        if newlines:
            self._line += newlines
            self._line_start = self._base + text.rindex("\n", self._cursor, index) + 1
        self._cursor = index
        offset = self._base + index
        return self._line, offset - self._line_start + 1, offset

    def _end_chunk(self, text: str) -> None:
        self._locate(text, len(text))
        self._base += len(text)
        self._cursor = 0

    def _error(self, text: str, index: int, message: str) -> SerializationError:
        line, column, offset = self._locate(text, index)
        return SerializationError(message, line=line, column=column, offset=offset)

    def _error_here(self, message: str) -> SerializationError:
        """An error at the end of the input consumed so far."""
        return self._error("", 0, message)

    def _too_deep(self, text: str, index: int) -> SerializationError:
        return self._error(text, index, f"nesting deeper than max_depth={self._max_depth}")

    def _too_large(self, text: str, start: int) -> SerializationError:
        index = start + self._max_value_size - self._pending_size
        return self._error(
            text,
            max(index, start),
            f"value starting at line {self._value_line} column {self._value_column} "
            f"is larger than max_value_size={self._max_value_size} characters",
        )


def iter_json_values(
    chunks: Iterable[bytes | bytearray | memoryview | str],
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_value_size: int = DEFAULT_MAX_VALUE_SIZE,
) -> Iterator[Any]:
    """Yield each top-level JSON value of a chunked stream as soon as it is complete."""
    parser = JsonStreamParser(max_depth=max_depth, max_value_size=max_value_size)
    for chunk in chunks:
        yield from parser.feed(chunk)
    yield from parser.close()


async def aiter_json_values(
    chunks: AsyncIterable[bytes | bytearray | memoryview | str],
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_value_size: int = DEFAULT_MAX_VALUE_SIZE,
) -> AsyncIterator[Any]:
    """Async form of :func:`iter_json_values`; it awaits only ``chunks``."""
    parser = JsonStreamParser(max_depth=max_depth, max_value_size=max_value_size)
    async for chunk in chunks:
        for value in parser.feed(chunk):
            yield value
    for value in parser.close():
        yield value
