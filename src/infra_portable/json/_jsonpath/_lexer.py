"""Character-level scanning of a JSONPath query: literals, names, blanks and errors.

The grammar of RFC 9535 is sensitive to where blanks may go (``$ .a`` is valid,
``$. a`` is not), so the parser reads characters itself, through this scanner,
rather than a token stream. Every error names the offset it was found at.
"""

from __future__ import annotations

import re

from infra_portable.errors import ValidationError

__all__ = ["BLANKS", "DIGITS", "INT_START", "Scanner", "MAX_EXACT_INT"]

# §2.1: "B" is space, tab, line feed and carriage return; nothing else.
BLANKS = frozenset(" \t\n\r")
DIGITS = frozenset("0123456789")
INT_START = DIGITS | {"-"}
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
# §2.1: indices and slice bounds must lie in the I-JSON exact-integer range.
MAX_EXACT_INT = 2**53 - 1
# Longer digit runs cannot be in range; checking first keeps int() cheap (and
# within CPython's int-from-string digit limit).
_MAX_INT_DIGITS = 16
# A number literal longer than this is read as a float (it is out of I-JSON range
# anyway) so CPython's 4300-digit int parsing limit never trips.
_MAX_LITERAL_INT_DIGITS = 4000

_MEMBER_NAME = re.compile(
    "[A-Za-z_\u0080-\ud7ff\ue000-\U0010ffff][A-Za-z0-9_\u0080-\ud7ff\ue000-\U0010ffff]*"
)
_FUNCTION_NAME = re.compile("[a-z][a-z0-9_]*")
# A run of characters that stand for themselves in either kind of string literal.
_PLAIN_RUN = re.compile("[^\"'\\\\\x00-\x1f\ud800-\udfff]+")
_SIMPLE_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "/": "/", "\\": "\\"}
_EXCERPT = 60


class Scanner:
    """A cursor over the query text; ``pos`` is the offset of the next character."""

    __slots__ = ("pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    # -- looking ---------------------------------------------------------------
    def peek(self, ahead: int = 0) -> str:
        """The character ``ahead`` places on, or ``""`` past the end."""
        i = self.pos + ahead
        return self.text[i] if i < len(self.text) else ""

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip_blanks(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in BLANKS:
            pos += 1
        self.pos = pos

    def take(self, literal: str) -> bool:
        """Consume ``literal`` if it comes next."""
        if self.text.startswith(literal, self.pos):
            self.pos += len(literal)
            return True
        return False

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.unexpected(repr(char))
        self.pos += 1

    # -- errors ----------------------------------------------------------------
    def error(
        self, message: str, *, at: int | None = None, expected: str | None = None
    ) -> ValidationError:
        """The ValidationError for an invalid query, naming the offset (for ``raise``)."""
        at = self.pos if at is None else at
        found = repr(self.text[at]) if at < len(self.text) else "end of path"
        return ValidationError(
            f"{message} at offset {at} in {_excerpt(self.text, at)}",
            field="path",
            expected=expected,
            actual=found,
        )

    def unexpected(self, expected: str, *, at: int | None = None) -> ValidationError:
        at = self.pos if at is None else at
        found = repr(self.text[at]) if at < len(self.text) else "end of path"
        return self.error(f"unexpected {found}", at=at, expected=expected)

    # -- tokens ------------------------------------------------------------------
    def read_member_name(self) -> str | None:
        """A ``member-name-shorthand`` (§2.5.1.1), or None when none starts here."""
        match = _MEMBER_NAME.match(self.text, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        return match.group()

    def read_function_name(self) -> str | None:
        match = _FUNCTION_NAME.match(self.text, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        return match.group()

    def read_int(self) -> int:
        """An ``int`` (§2.1): no leading zeros, no ``-0``, within ±(2^53 - 1)."""
        start = self.pos
        negative = self.take("-")
        first = self.peek()
        if first == "0":
            self.pos += 1
            if negative:
                raise self.error("'-0' is not a valid integer", at=start, expected="an integer")
            if self.peek() in DIGITS:
                raise self.error("leading zeros are not allowed", at=start, expected="an integer")
            return 0
        if first not in DIGITS:
            raise self.unexpected("a digit")
        digits_start = self.pos
        self._skip_digits()
        if self.pos - digits_start > _MAX_INT_DIGITS:
            raise self._out_of_range(start)
        value = int(self.text[start : self.pos])
        if abs(value) > MAX_EXACT_INT:
            raise self._out_of_range(start)
        return value

    def _out_of_range(self, start: int) -> ValidationError:
        return self.error(
            "integer out of range",
            at=start,
            expected=f"an integer from -{MAX_EXACT_INT} to {MAX_EXACT_INT}",
        )

    def read_number(self) -> int | float:
        """A ``number`` literal (§2.3.5.1): JSON's number syntax, ``-0`` allowed."""
        start = self.pos
        self.take("-")
        first = self.peek()
        if first == "0":
            self.pos += 1
            if self.peek() in DIGITS:
                raise self.error("leading zeros are not allowed", at=start, expected="a number")
        elif first in DIGITS:
            self._skip_digits()
        else:
            raise self.unexpected("a digit")
        is_float = False
        if self.take("."):
            is_float = True
            self._require_digits("a digit after '.'")
        if self.peek() in ("e", "E"):
            is_float = True
            self.pos += 1
            if self.peek() in ("+", "-"):
                self.pos += 1
            self._require_digits("a digit in the exponent")
        text = self.text[start : self.pos]
        if is_float or len(text) > _MAX_LITERAL_INT_DIGITS:
            return float(text)
        return int(text)

    def _skip_digits(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in DIGITS:
            pos += 1
        self.pos = pos

    def _require_digits(self, expected: str) -> None:
        if self.peek() not in DIGITS:
            raise self.unexpected(expected)
        self._skip_digits()

    def read_string(self) -> str:
        """A ``string-literal`` (§2.3.1.1) in single or double quotes, unescaped."""
        text = self.text
        quote = text[self.pos]
        start = self.pos
        self.pos += 1
        parts: list[str] = []
        while True:
            run = _PLAIN_RUN.match(text, self.pos)
            if run is not None:
                parts.append(run.group())
                self.pos = run.end()
            char = self.peek()
            if char == quote:
                self.pos += 1
                return "".join(parts)
            if char == "":
                raise self.error(
                    "unterminated string literal", at=start, expected=f"closing {quote}"
                )
            if char in ("'", '"'):  # the other quote stands for itself
                parts.append(char)
                self.pos += 1
            elif char == "\\":
                parts.append(self._read_escape(quote))
            else:
                what = "a surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
                raise self.error(f"{what} must be escaped in a string literal")

    def _read_escape(self, quote: str) -> str:
        at = self.pos
        code = self.peek(1)
        if code == quote:
            self.pos += 2
            return quote
        simple = _SIMPLE_ESCAPES.get(code)
        if simple is not None:
            self.pos += 2
            return simple
        if code != "u":
            raise self.error(
                "invalid escape sequence",
                at=at,
                expected="one of \\b \\f \\n \\r \\t \\/ \\\\ \\u or an escaped quote",
            )
        self.pos += 2
        unit = self._read_hex4(at)
        if 0xDC00 <= unit <= 0xDFFF:
            raise self.error("unpaired low surrogate", at=at, expected="a high surrogate first")
        if 0xD800 <= unit <= 0xDBFF:
            if not self.take("\\u"):
                raise self.error(
                    "unpaired high surrogate", at=at, expected="\\u and a low surrogate"
                )
            low = self._read_hex4(at)
            if not 0xDC00 <= low <= 0xDFFF:
                raise self.error(
                    "unpaired high surrogate", at=at, expected="a low surrogate after it"
                )
            return chr(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
        return chr(unit)

    def _read_hex4(self, at: int) -> int:
        digits = self.text[self.pos : self.pos + 4]
        if len(digits) != 4 or not all(d in HEX_DIGITS for d in digits):
            raise self.error("invalid \\u escape", at=at, expected="four hex digits after \\u")
        self.pos += 4
        return int(digits, 16)


def _excerpt(text: str, at: int) -> str:
    """The query for an error message, cut around ``at`` when it is long."""
    if len(text) <= 2 * _EXCERPT:
        return repr(text)
    lo = max(0, at - _EXCERPT)
    hi = min(len(text), at + _EXCERPT)
    head = "..." if lo > 0 else ""
    tail = "..." if hi < len(text) else ""
    return f"{head}{text[lo:hi]!r}{tail}"
