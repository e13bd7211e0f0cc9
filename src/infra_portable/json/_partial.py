"""Best-effort values of incomplete JSON, for showing LLM output while tokens arrive.

``parse_partial('{"title": "Hel')`` gives ``{"title": "Hel"}``: what the document
says so far, with open strings, arrays and objects closed. The rules, chosen so
that a value shown to a user only grows as text arrives:

- an object key without a value yet is dropped: ``{"a": 1, "b`` and
  ``{"a": 1, "b": `` both give ``{"a": 1}``;
- a number is cut back to its longest complete prefix: ``12.`` gives ``12``,
  ``1e`` and ``1e-`` give ``1``, a lone ``-`` gives no value (so its key or
  array slot is dropped); a number at the very end may still grow (``12`` then
  ``123``), which is the one way a shown value can change rather than grow;
- an unfinished ``true``/``false``/``null`` is completed (``tru`` gives True);
- inside a string, an unfinished escape (``"ab\\u00``) is dropped, and so is a
  ``\\ud83d``-style high surrogate at the very end, until its low half arrives;
- no value at all (empty or whitespace input, or just ``-``) gives ``default``
  (None unless you pass a sentinel to tell it apart from ``null``).

A complete RFC 8259 document gives exactly ``json.loads(text)``. Malformed input (not
merely incomplete) raises :class:`SerializationError` with its position, and so
do NaN and Infinity, as in the stream parser.

:class:`PartialJsonParser` keeps its state between chunks: text is tokenized
once, completed sub-values are kept, and each ``feed`` costs the new text plus a
shallow copy of the containers still open (strings in progress are re-joined,
a C-speed copy). Treat returned values as read-only: completed sub-values are
shared between successive results.

Runtime caveats: none; pure standard library, iterative (no recursion limit).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Final, cast

from infra_portable.errors import SerializationError
from infra_portable.json._stream import (
    DEFAULT_MAX_DEPTH,
    LITERALS,
    NUMBER,
    NUMBER_PREFIX,
    check_limit,
)

__all__ = ["PartialJsonParser", "parse_partial"]

_Matcher = Callable[[str, int], "re.Match[str]"]
# Both match the empty string, so ``match`` never returns None.
_skip_whitespace = cast(_Matcher, re.compile(r"[ \t\n\r]*+").match)
_skip_string_body = cast(
    _Matcher,
    re.compile(r'(?:[^"\\\x00-\x1f]++|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*+').match,
)
_number_run = cast(_Matcher, re.compile(r"[0-9eE+\-.]*+").match)
_ESCAPE_PREFIX: Final = re.compile(r"\\(?:u[0-9a-fA-F]{0,3})?")
_HIGH_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}")
_LITERAL_BY_INITIAL: Final = {word[0]: word for word in LITERALS}
_LITERAL_VALUES: Final[dict[str, Any]] = {"true": True, "false": False, "null": None}

# Parser states: what the innermost open container (or the top level) expects next.
_TOP_VALUE, _TOP_DONE = 0, 1
_ARRAY_FIRST, _ARRAY_NEXT, _ARRAY_AFTER = 2, 3, 4  # after '[', after ',', after a value
_OBJECT_FIRST, _OBJECT_NEXT, _OBJECT_COLON, _OBJECT_VALUE, _OBJECT_AFTER = 5, 6, 7, 8, 9
_EXPECTS_VALUE: Final = frozenset({_TOP_VALUE, _ARRAY_FIRST, _ARRAY_NEXT, _OBJECT_VALUE})

_NOTHING: Final[Any] = object()  # no value yet (distinct from a JSON null)


class _Frame:
    """An open container; the top level is a frame holding at most one value."""

    __slots__ = ("container", "key", "state")

    def __init__(self, container: list[Any] | dict[str, Any], state: int) -> None:
        self.container = container
        self.state = state
        self.key = ""  # the key waiting for its value, in _OBJECT_COLON/_OBJECT_VALUE


def _to_number(token: str) -> Any:
    try:
        return float(token) if any(c in token for c in ".eE") else int(token)
    except ValueError as exc:  # an integer beyond sys.get_int_max_str_digits()
        raise SerializationError(str(exc)) from exc


class _PartialParser:
    """The tokenizer and value builder shared by the two public entry points."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = check_limit("max_depth", max_depth)
        self.frames = [_Frame([], _TOP_VALUE)]
        # Unconsumed input: an unfinished number or literal, or the unfinished
        # escape / held-back surrogate at the end of a string.
        self.tail = ""
        self.in_string = False
        self.string_is_key = False
        self.string_parts: list[str] = []
        self.line, self.column, self.offset = 1, 1, 0  # position of tail[0]
        self.failure: SerializationError | None = None

    def feed(self, chunk: str) -> None:
        if self.failure is not None:
            raise SerializationError(
                f"the document already failed: {self.failure.message}",
                line=self.failure.line,
                column=self.failure.column,
                offset=self.failure.offset,
            )
        text = self.tail + chunk if self.tail else chunk
        try:
            consumed = self._run(text)
        except SerializationError as exc:
            self.failure = exc
            raise
        self.line, self.column, self.offset = self._position(text, consumed)
        self.tail = text[consumed:]

    @property
    def done(self) -> bool:
        return len(self.frames) == 1 and self.frames[0].state == _TOP_DONE

    # -- tokenizing ---------------------------------------------------------
    def _run(self, text: str) -> int:
        """Consume ``text``; return how much was consumed (the rest is unfinished)."""
        end = len(text)
        pos = 0
        frames = self.frames
        while True:
            if self.in_string:
                pos = self._string(text, pos, end)
                if self.in_string:
                    return pos
            pos = _skip_whitespace(text, pos).end()
            if pos == end:
                return pos
            frame = frames[-1]
            state = frame.state
            char = text[pos]
            if state in _EXPECTS_VALUE:
                if char == '"':
                    self.in_string, self.string_is_key = True, False
                    pos += 1
                elif char in "{[":
                    if len(frames) > self.max_depth:
                        raise self._error(
                            text, pos, f"nesting deeper than max_depth={self.max_depth}"
                        )
                    if char == "{":
                        frames.append(_Frame({}, _OBJECT_FIRST))
                    else:
                        frames.append(_Frame([], _ARRAY_FIRST))
                    pos += 1
                elif char == "]" and state == _ARRAY_FIRST:
                    pos += 1
                    self._close()
                elif char == "-" or "0" <= char <= "9":
                    stop = _number_run(text, pos).end()
                    valid = NUMBER_PREFIX.match(text, pos, stop)
                    if valid is None or valid.end() < stop:
                        where = pos if valid is None else valid.end()
                        raise self._error(text, where, "invalid number")
                    if stop == end:
                        return pos  # the number may go on in the next chunk
                    if not NUMBER.fullmatch(text, pos, stop):
                        if text[stop] == "I" and stop == pos + 1:  # -Infinity
                            raise self._error(text, pos, "NaN and Infinity are not valid JSON")
                        raise self._error(text, stop, "incomplete number")
                    self._emit(_to_number(text[pos:stop]))
                    pos = stop
                elif char in _LITERAL_BY_INITIAL:
                    word = _LITERAL_BY_INITIAL[char]
                    piece = text[pos : pos + len(word)]
                    if piece == word:
                        self._emit(_LITERAL_VALUES[word])
                        pos += len(word)
                    elif pos + len(piece) == end and word.startswith(piece):
                        return pos
                    else:
                        raise self._error(text, pos, f"invalid literal (expected {word!r})")
                elif char in "NI":
                    raise self._error(text, pos, "NaN and Infinity are not valid JSON")
                elif char == "]" and state == _ARRAY_NEXT:
                    raise self._error(text, pos, "trailing comma before ']'")
                else:
                    raise self._error(text, pos, f"expected a value, found {char!r}")
            elif state in (_OBJECT_FIRST, _OBJECT_NEXT):
                if char == '"':
                    self.in_string, self.string_is_key = True, True
                    pos += 1
                elif char == "}" and state == _OBJECT_FIRST:
                    pos += 1
                    self._close()
                elif char == "}":
                    raise self._error(text, pos, "trailing comma before '}'")
                else:
                    raise self._error(text, pos, f"expected a string key, found {char!r}")
            elif state == _OBJECT_COLON:
                if char != ":":
                    raise self._error(text, pos, f"expected ':' after a key, found {char!r}")
                frame.state = _OBJECT_VALUE
                pos += 1
            elif state in (_ARRAY_AFTER, _OBJECT_AFTER):
                closer = "]" if state == _ARRAY_AFTER else "}"
                if char == ",":
                    frame.state = _ARRAY_NEXT if state == _ARRAY_AFTER else _OBJECT_NEXT
                elif char == closer:
                    self._close()
                else:
                    raise self._error(text, pos, f"expected ',' or {closer!r}, found {char!r}")
                pos += 1
            else:
                raise self._error(text, pos, "unexpected data after the JSON value")

    def _string(self, text: str, pos: int, end: int) -> int:
        """Consume string content from ``pos``; return where consumption stopped."""
        stop = _skip_string_body(text, pos).end()
        if stop < end:
            char = text[stop]
            if char == '"':
                self._add_string_part(text, pos, stop)
                value = "".join(self.string_parts)
                self.string_parts = []
                self.in_string = False
                if self.string_is_key:
                    frame = self.frames[-1]
                    frame.key = value
                    frame.state = _OBJECT_COLON
                else:
                    self._emit(value)
                return stop + 1
            if char != "\\":
                raise self._error(text, stop, f"control character U+{ord(char):04X} in a string")
            if not _ESCAPE_PREFIX.fullmatch(text, stop, end):
                raise self._error(text, stop, "invalid escape in a string")
            # else: an escape the next chunk finishes.
        # Hold back a trailing high surrogate: the low half may pair with it.
        if stop - pos >= 6 and _HIGH_SURROGATE_ESCAPE.fullmatch(text, stop - 6, stop):
            first = stop - 6
            while first > pos and text[first - 1] == "\\":
                first -= 1
            if (stop - 6 - first) % 2 == 0:  # its '\' is not itself escaped
                stop -= 6
        self._add_string_part(text, pos, stop)
        return stop

    def _add_string_part(self, text: str, start: int, stop: int) -> None:
        if stop > start:
            part = text[start:stop]
            # The body regex only lets complete, valid escapes through.
            self.string_parts.append(json.loads(f'"{part}"') if "\\" in part else part)

    def _emit(self, value: Any) -> None:
        """Attach a finished value to the innermost open container."""
        frame = self.frames[-1]
        if frame.state == _OBJECT_VALUE:
            cast(dict[str, Any], frame.container)[frame.key] = value
            frame.state = _OBJECT_AFTER
        else:
            cast(list[Any], frame.container).append(value)
            frame.state = _TOP_DONE if frame.state == _TOP_VALUE else _ARRAY_AFTER

    def _close(self) -> None:
        self._emit(self.frames.pop().container)

    # -- the current value ------------------------------------------------
    def snapshot(self) -> Any:
        """The best-effort value now, or _NOTHING; open containers are copied."""
        child: Any = _NOTHING
        if self.in_string:
            if not self.string_is_key:
                if len(self.string_parts) > 1:
                    self.string_parts = ["".join(self.string_parts)]
                child = self.string_parts[0] if self.string_parts else ""
        elif self.tail:
            child = _scalar_guess(self.tail)
        for frame in reversed(self.frames):
            container = frame.container
            if isinstance(container, dict):
                copied = dict(container)
                if child is not _NOTHING and frame.state == _OBJECT_VALUE:
                    copied[frame.key] = child
                child = copied
            elif frame.state in (_TOP_VALUE, _TOP_DONE):
                return container[0] if container else child
            else:
                child = [*container, child] if child is not _NOTHING else list(container)
        return child  # pragma: no cover - the loop always ends at the top frame

    def finish(self) -> Any:
        """The complete value; raises if the document is unfinished."""
        if self.failure is None and not self.in_string and len(self.frames) == 1:
            top = self.frames[0]
            if top.state == _TOP_VALUE and self.tail and NUMBER.fullmatch(self.tail):
                self._emit(_to_number(self.tail))
                self.tail = ""
            if top.state == _TOP_DONE:
                return cast(list[Any], top.container)[0]
        self.feed("")  # re-raises an earlier failure
        line, column, offset = self._position(self.tail, len(self.tail))
        raise SerializationError("unexpected end of input", line=line, column=column, offset=offset)

    # -- positions ----------------------------------------------------------
    def _position(self, text: str, index: int) -> tuple[int, int, int]:
        """``(line, column, offset)`` of ``text[index]``, ``text`` starting at tail[0]."""
        newlines = text.count("\n", 0, index)
        if newlines:
            return self.line + newlines, index - text.rfind("\n", 0, index), self.offset + index
        return self.line, self.column + index, self.offset + index

    def _error(self, text: str, index: int, message: str) -> SerializationError:
        line, column, offset = self._position(text, index)
        return SerializationError(message, line=line, column=column, offset=offset)


def _scalar_guess(tail: str) -> Any:
    """The value of an unfinished number or literal (already checked as a prefix)."""
    word = _LITERAL_BY_INITIAL.get(tail[0])
    if word is not None:
        return _LITERAL_VALUES[word]
    number = tail.rstrip("eE+-.")
    return _to_number(number) if number else _NOTHING


def parse_partial(text: str, *, default: Any = None, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """The best-effort value of a possibly incomplete JSON document (rules above).

    Returns ``default`` when ``text`` holds no value yet. Cost is linear in
    ``len(text)``; when text arrives piece by piece, :class:`PartialJsonParser`
    avoids re-reading it.
    """
    parser = _PartialParser(max_depth)
    parser.feed(text)
    value = parser.snapshot()
    return default if value is _NOTHING else value


class PartialJsonParser:
    """Incremental :func:`parse_partial`: feed text chunks, read the value so far.

    ``done`` is True once the top-level value is complete. A top-level number is
    complete only when something follows it (``12`` may become ``123``) or at
    :meth:`close`.
    """

    def __init__(self, *, default: Any = None, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        self._parser = _PartialParser(max_depth)
        self._default = default
        self._value: Any = _NOTHING
        self._stale = True

    def feed(self, chunk: str) -> Any:
        """Consume ``chunk`` and return the best-effort value so far."""
        self._parser.feed(chunk)
        self._stale = True
        return self.value

    @property
    def value(self) -> Any:
        """The best-effort value of the text fed so far (``default`` if none yet)."""
        if self._stale:
            self._value = self._parser.snapshot()
            self._stale = False
        return self._default if self._value is _NOTHING else self._value

    @property
    def done(self) -> bool:
        """Whether the top-level value is complete."""
        return self._parser.done

    def close(self) -> Any:
        """Return the complete value; raise :class:`SerializationError` if unfinished."""
        self._stale = True  # finishing may complete a top-level number
        return self._parser.finish()
