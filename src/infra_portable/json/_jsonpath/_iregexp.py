"""I-Regexp (RFC 9485) checked and translated to Python's ``re``.

RFC 9485 §5 says how to map an I-Regexp onto another regex dialect; the steps
for Python are:

* ``.`` matches any character but ``\\n`` and ``\\r`` (§5.3), so it becomes
  ``[^\\n\\r]``.
* ``\\p{..}``/``\\P{..}`` (Unicode general categories) have no ``re`` spelling;
  they become explicit character ranges computed once from ``unicodedata``.
  Every character class, escapes and negation included, is turned into a sorted
  list of code point ranges and written out as ``[\\U..-\\U..]``, so nothing in
  a class is left for ``re`` to interpret differently.
* ``^`` and ``$`` outside a class are anchors (``\\A``, ``\\Z``). The I-Regexp
  grammar lists them as ordinary characters, but the mappings of §5.3/§5.4 pass
  them through to dialects where they anchor, and the JSONPath Compliance Test
  Suite requires that ("explicit caret"/"explicit dollar"). ``\\Z`` rather than
  ``$`` because Python's ``$`` also matches before a final newline.
* Groups become non-capturing; every other ordinary character is escaped.
* ``match()`` uses ``fullmatch``; ``search()`` uses ``search`` (§5.4).

Anything outside the I-Regexp grammar (lazy or possessive quantifiers, ``\\d``,
back-references, lookarounds...) is invalid, which the function extensions turn
into LogicalFalse. Python's engine backtracks, so a pathological pattern such as
``(a*)*b`` can still take exponential time on a long subject.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

__all__ = ["compile_iregexp"]

Ranges = list[tuple[int, int]]

_MAX_CODE_POINT = 0x10FFFF
# Deeper groups are refused (as invalid) before Python's recursive regex
# compiler could run out of stack.
_MAX_GROUP_DEPTH = 64
# Characters that are not NormalChar outside a class (RFC 9485 §3).
_SPECIAL = frozenset("()*+.?[\\]{|}")
# SingleCharEsc: the characters that may follow a backslash to stand for themselves
# (or for a control character: n, r, t).
_SINGLE_CHAR_ESCAPES = frozenset("()*+-.?[\\]^{|}nrt")
_CONTROL_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}
# CCchar excludes these (besides the backslash, which starts an escape).
_NOT_CLASS_CHARS = frozenset("-[]")
# IsCategory (RFC 9485 §3): each major class alone or with one of its minors.
_MINORS = {
    "L": "lmotu",
    "M": "cen",
    "N": "dlo",
    "P": "cdefios",
    "Z": "lps",
    "S": "ckmo",
    "C": "cfno",
}
_CATEGORIES = frozenset(
    [*_MINORS, *(major + minor for major, minors in _MINORS.items() for minor in minors)]
)
_QUANTIFIER = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")
_DOT = "[^\\n\\r]"
_ANCHORS = {"^": "\\A", "$": "\\Z"}


class _Invalid(Exception):
    """The pattern is not an I-Regexp (internal: becomes a None result)."""


@lru_cache(maxsize=512)
def compile_iregexp(pattern: str) -> re.Pattern[str] | None:
    """The Python regex equivalent to an I-Regexp, or None if it is not one."""
    try:
        translated = _translate(pattern)
        return re.compile(translated)
    # re.error for limits I-Regexp does not have (e.g. a{5,2}, huge counts);
    # OverflowError/ValueError for counts too big for re or int().
    except (_Invalid, re.error, OverflowError, ValueError, RecursionError):
        return None


def _translate(pattern: str) -> str:
    out: list[str] = []
    depth = 0
    # True right after an atom: only then may a quantifier follow.
    quantifiable = False
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "(":
            depth += 1
            if depth > _MAX_GROUP_DEPTH:
                raise _Invalid
            out.append("(?:")
            quantifiable = False
            i += 1
        elif char == ")":
            if depth == 0:
                raise _Invalid
            depth -= 1
            out.append(")")
            quantifiable = True
            i += 1
        elif char == "|":
            out.append("|")
            quantifiable = False
            i += 1
        elif char in ("*", "+", "?"):
            if not quantifiable:
                raise _Invalid
            out.append(char)
            quantifiable = False
            i += 1
        elif char == "{":
            if not quantifiable:
                raise _Invalid
            quantifier, i = _range_quantifier(pattern, i)
            out.append(quantifier)
            quantifiable = False
        else:
            atom, i = _atom(pattern, i)
            out.append(atom)
            quantifiable = True
    if depth:
        raise _Invalid
    return "".join(out)


def _range_quantifier(pattern: str, i: int) -> tuple[str, int]:
    """``{n}``, ``{n,}`` or ``{n,m}`` at ``i``; and where it ends."""
    match = _QUANTIFIER.match(pattern, i)
    if match is None:
        raise _Invalid
    low = int(match.group(1))
    if match.group(2) is None:
        return f"{{{low}}}", match.end()
    high_text = match.group(3)
    if not high_text:
        return f"{{{low},}}", match.end()
    high = int(high_text)
    if high < low:
        raise _Invalid
    return f"{{{low},{high}}}", match.end()


def _atom(pattern: str, i: int) -> tuple[str, int]:
    """One NormalChar or charClass starting at ``i``, translated; and where it ends."""
    char = pattern[i]
    if char == ".":
        return _DOT, i + 1
    if char == "[":
        ranges, i = _class_expr(pattern, i + 1)
        return _emit(ranges), i
    if char == "\\":
        escape = pattern[i + 1 : i + 2]
        if escape in ("p", "P"):
            ranges, i = _category(pattern, i)
            return _emit(ranges), i
        if escape and escape in _SINGLE_CHAR_ESCAPES:
            return re.escape(_CONTROL_ESCAPES.get(escape, escape)), i + 2
        raise _Invalid
    if char in _SPECIAL or "\ud800" <= char <= "\udfff":
        raise _Invalid
    return _ANCHORS.get(char) or re.escape(char), i + 1


def _class_expr(pattern: str, i: int) -> tuple[Ranges, int]:
    """``[...]`` after its ``[``: ``[^]? ("-" / CCE1) *CCE1 ["-"] "]"``."""
    n = len(pattern)
    negate = pattern.startswith("^", i)
    if negate:
        i += 1
    ranges: Ranges = []
    first = True
    while True:
        if i >= n:
            raise _Invalid
        char = pattern[i]
        if char == "]" and not first:
            i += 1
            break
        if char == "-":
            # A literal '-' may only open or close the class.
            if first:
                ranges.append((0x2D, 0x2D))
                first = False
                i += 1
                continue
            if pattern.startswith("]", i + 1):
                ranges.append((0x2D, 0x2D))
                i += 2
                break
            raise _Invalid
        first = False
        if char == "\\" and pattern[i + 1 : i + 2] in ("p", "P"):
            category, i = _category(pattern, i)
            ranges.extend(category)
            continue
        low, i = _class_char(pattern, i)
        if pattern.startswith("-", i) and not pattern.startswith("]", i + 1) and i + 1 < n:
            high, i = _class_char(pattern, i + 1)
            if high < low:
                raise _Invalid
            ranges.append((low, high))
        else:
            ranges.append((low, low))
    merged = _merge(ranges)
    return (_complement(merged) if negate else merged), i


def _class_char(pattern: str, i: int) -> tuple[int, int]:
    """A CCchar: a plain class character or a SingleCharEsc, as a code point."""
    char = pattern[i]
    if char == "\\":
        escape = pattern[i + 1 : i + 2]
        if escape and escape in _SINGLE_CHAR_ESCAPES:
            return ord(_CONTROL_ESCAPES.get(escape, escape)), i + 2
        raise _Invalid
    if char in _NOT_CLASS_CHARS or "\ud800" <= char <= "\udfff":
        raise _Invalid
    return ord(char), i + 1


def _category(pattern: str, i: int) -> tuple[Ranges, int]:
    """``\\p{Name}`` or ``\\P{Name}`` at ``i``, as ranges."""
    if not pattern.startswith("{", i + 2):
        raise _Invalid
    end = pattern.find("}", i + 3)
    name = pattern[i + 3 : end] if end >= 0 else ""
    if name not in _CATEGORIES:
        raise _Invalid
    ranges = _category_ranges(name)
    return (_complement(ranges) if pattern[i + 1] == "P" else ranges), end + 1


@cache
def _category_ranges(name: str) -> Ranges:
    table = _category_table()
    if len(name) == 2:
        return table.get(name, [])
    # A one-letter category is the union of its two-letter ones; Unicode's C
    # includes Cs, which a Python string can hold even though I-Regexp cannot.
    return _merge([r for key, ranges in table.items() if key[0] == name for r in ranges])


@lru_cache(maxsize=1)
def _category_table() -> dict[str, Ranges]:
    # One pass over all code points (~0.2 s on CPython), done on the first \p.
    category = unicodedata.category
    table: dict[str, Ranges] = {}
    start, current = 0, category("\x00")
    for code in range(1, _MAX_CODE_POINT + 1):
        cat = category(chr(code))
        if cat != current:
            table.setdefault(current, []).append((start, code - 1))
            start, current = code, cat
    table.setdefault(current, []).append((start, _MAX_CODE_POINT))
    return table


def _merge(ranges: Ranges) -> Ranges:
    merged: Ranges = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


def _complement(ranges: Ranges) -> Ranges:
    out: Ranges = []
    next_low = 0
    for low, high in ranges:
        if low > next_low:
            out.append((next_low, low - 1))
        next_low = high + 1
    if next_low <= _MAX_CODE_POINT:
        out.append((next_low, _MAX_CODE_POINT))
    return out


def _emit(ranges: Ranges) -> str:
    if not ranges:
        # The empty class: matches nothing, and can still take a quantifier.
        return "[^\\U00000000-\\U0010ffff]"
    parts = [
        f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges
    ]
    return "[" + "".join(parts) + "]"
