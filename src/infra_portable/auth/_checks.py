"""Checking "one string or several" arguments of auth constructors.

Algorithms, issuers, audiences, claim names, scopes and rule patterns arrive
from code and from configuration files. An int, None or a mapping where a list
of strings belongs must fail as a ValidationError naming the argument, not as
a TypeError from ``tuple()`` deep inside; and a lone string where a list is
wanted must not be silently split into its characters. Settings are checked
once, when the object is built, so the per-request paths stay unchecked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from infra_portable.errors import ValidationError

__all__ = ["check_strings"]


def check_strings(
    field: str, value: object, *, single: bool = True, empty: bool = True
) -> tuple[str, ...]:
    """``value`` as a tuple of strings: an iterable of strings or, when ``single``, one string.

    Bytes and mappings are refused (they iterate as ints and keys, never what
    was meant); ``empty=False`` also refuses an empty collection. Strings are
    not checked further here: each caller knows what makes one valid.
    """
    expected = "a string or a list of strings" if single else "a list of strings"
    if isinstance(value, str):
        if single:
            return (value,)
    elif isinstance(value, Iterable) and not isinstance(value, bytes | bytearray | Mapping):
        items = tuple(value)
        if all(isinstance(item, str) for item in items) and (empty or items):
            return items
        if not items:
            expected = "a non-empty list of strings"
    raise ValidationError(
        f"{field} must be {expected}", field=field, expected=expected, actual=repr(value)
    )
