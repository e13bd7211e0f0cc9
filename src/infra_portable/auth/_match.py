"""Wildcard patterns for resources, actions, subjects and allow-listed paths.

* ``*`` on its own matches everything;
* otherwise ``*`` matches any run of characters within one ``/``-separated
  segment, and ``**`` any run including ``/``;
* every other character is literal (there is no ``?`` and no escaping).

So ``models/*`` matches ``models/gpt-4`` but neither ``models`` nor
``models/gpt-4/versions/2``, while ``models/**`` matches anything under
``models/`` at any depth. Mind this in *deny* rules: ``models/secret/*`` does not
cover ``models/secret/a/b``; write ``models/secret/**``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from infra_portable.errors import ValidationError

__all__ = ["check_pattern", "match_pattern", "wildcard_match"]

MAX_PATTERN_LENGTH = 1024


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            parts.append(".*")
            i += 2
            while i < len(pattern) and pattern[i] == "*":
                i += 1
        elif pattern[i] == "*":
            parts.append("[^/]*")
            i += 1
        else:
            j = pattern.find("*", i)
            end = len(pattern) if j < 0 else j
            parts.append(re.escape(pattern[i:end]))
            i = end
    return re.compile("".join(parts), re.DOTALL)


def wildcard_match(pattern: str, value: str) -> bool:
    """Whether ``value`` matches ``pattern`` (see the module docstring).

    ValidationError when either is not a string (``field`` ``pattern`` or
    ``value``). Rules check their patterns once when built and call the
    unchecked :func:`match_pattern` per request.
    """
    for field, given in (("pattern", pattern), ("value", value)):
        if not isinstance(given, str):
            raise ValidationError(
                f"wildcard_match needs a string {field}",
                field=field,
                expected="str",
                actual=repr(given),
            )
    return match_pattern(pattern, value)


def match_pattern(pattern: str, value: str) -> bool:
    """:func:`wildcard_match` without the type checks, for patterns checked already."""
    if pattern == "*":
        return True
    if "*" not in pattern:
        return pattern == value
    return _compile(pattern).fullmatch(value) is not None


def check_pattern(pattern: object, field: str) -> str:
    """``pattern`` if it is a usable pattern, else ValidationError naming ``field``."""
    if not isinstance(pattern, str) or not pattern:
        raise ValidationError(
            "a pattern must be a non-empty string", field=field, actual=repr(pattern)
        )
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValidationError(
            f"a pattern is at most {MAX_PATTERN_LENGTH} characters",
            field=field,
            actual=f"{len(pattern)} characters",
        )
    return pattern
