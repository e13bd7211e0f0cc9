"""Normalized Paths (RFC 9535 §2.7): the one canonical query naming a node.

A Normalized Path is ``$`` followed by ``['name']`` for object members and
``[index]`` (non-negative) for array elements. Inside a name, only these are
escaped, and always the same way: ``\\b \\f \\n \\r \\t \\' \\\\`` and, for the
other control characters, ``\\u00XX`` with lowercase hex. Every other character,
DEL and non-ASCII included, is written as itself.

A Python ``str`` may hold a lone surrogate, which §2.7 has no spelling for; it
is written as ``\\udXXX`` (lowercase), the only readable choice, and reads back
as the same character only where unpaired surrogates are accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from infra_portable.errors import ValidationError
from infra_portable.json._jsonpath._eval import Location

__all__ = ["escape_name", "location_keys", "normalized_path", "path_of"]

_NEEDS_ESCAPE = re.compile("[\x00-\x1f'\\\\\ud800-\udfff]")
_ESCAPES = {
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "'": "\\'",
    "\\": "\\\\",
}


def _escape_match(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04x}"


def escape_name(name: str) -> str:
    """A member name as it appears between the quotes of ``['...']``."""
    if _NEEDS_ESCAPE.search(name) is None:
        return name
    return _NEEDS_ESCAPE.sub(_escape_match, name)


def _part(key: str | int) -> str:
    return f"[{key}]" if isinstance(key, int) else f"['{escape_name(key)}']"


def normalized_path(location: Iterable[str | int]) -> str:
    """The Normalized Path of the node reached by following ``location`` from the root.

    ``location`` holds member names (str) and array indices (int >= 0), as in
    :attr:`Node.location`: ``normalized_path(["a", 0, "b\\n"])`` is
    ``"$['a'][0]['b\\\\n']"``.
    """
    parts = ["$"]
    for key in location:
        if isinstance(key, str):
            parts.append(f"['{escape_name(key)}']")
        elif isinstance(key, int) and not isinstance(key, bool) and key >= 0:
            parts.append(f"[{key}]")
        else:
            raise ValidationError(
                "a location holds member names and non-negative array indices",
                field="location",
                expected="str or int >= 0",
                actual=repr(key),
            )
    return "".join(parts)


def location_keys(location: Location) -> tuple[str | int, ...]:
    """The keys of an evaluation location chain, root first."""
    keys: list[str | int] = []
    while location is not None:
        key, location = location
        keys.append(key)
    keys.reverse()
    return tuple(keys)


def path_of(location: Location) -> str:
    """The Normalized Path of an evaluation location chain."""
    parts: list[str] = []
    while location is not None:
        key, location = location
        parts.append(_part(key))
    parts.append("$")
    parts.reverse()
    return "".join(parts)
