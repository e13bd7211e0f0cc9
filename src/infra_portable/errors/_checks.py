"""Checking numeric settings: the wrong type or range is a ValidationError naming the field.

Settings objects (client configs, router settings, simulators, index
parameters) take numbers from code and from configuration files; a string or a
bool where a number belongs must fail as clearly as a number out of range, not
with a TypeError from a comparison.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from infra_portable.errors._base import ValidationError

__all__ = ["check_int", "check_items", "check_number", "check_seed"]


def check_int(field: str, value: object, *, minimum: int = 0, maximum: int | None = None) -> int:
    """``value`` if it is an int (not a bool) of at least ``minimum`` and at most ``maximum``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        expected = f"integer >= {minimum}"
        if maximum is not None:
            expected += f" and <= {maximum}"
        raise ValidationError(
            f"{field} must be an {expected}", field=field, expected=expected, actual=repr(value)
        )
    return value


def check_number(
    field: str,
    value: object,
    *,
    minimum: float = 0.0,
    strict: bool = False,
    maximum: float | None = None,
    allow_infinity: bool = False,
) -> float:
    """``value`` as a float if it is an int or float (not a bool, not NaN; infinite
    only with ``allow_infinity``) of at least ``minimum`` (above it when ``strict``)
    and at most ``maximum``."""
    if isinstance(value, int) and not isinstance(value, bool):
        # An int beyond the float range would raise OverflowError in math.isnan.
        value = float(value) if abs(value) < 2**1023 else (math.inf if value > 0 else -math.inf)
    ok = (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and not math.isnan(value)
        and (allow_infinity or math.isfinite(value))
        and (value > minimum if strict else value >= minimum)
        and (maximum is None or value <= maximum)
    )
    if not ok:
        kind = "number" if allow_infinity else "finite number"
        expected = f"{kind} {'>' if strict else '>='} {minimum:g}"
        if maximum is not None:
            expected += f" and <= {maximum:g}"
        raise ValidationError(
            f"{field} must be a {expected}", field=field, expected=expected, actual=repr(value)
        )
    return float(value)  # type: ignore[arg-type]


def check_seed(field: str, value: object, *, allow_none: bool = False) -> int | str | bytes | None:
    """``value`` if ``random.Random`` reproduces a run from it: an int (not a bool), str
    or bytes; None (fresh entropy, no reproducible run) only with ``allow_none``."""
    if (
        (value is None and allow_none)
        or isinstance(value, str | bytes)
        or (isinstance(value, int) and not isinstance(value, bool))
    ):
        return value
    if isinstance(value, bytearray):
        return bytes(value)
    expected = "int, str or bytes" + (" or None" if allow_none else "")
    raise ValidationError(
        f"{field} must be an {expected}", field=field, expected=expected, actual=repr(value)[:200]
    )


def check_items(field: str, value: object) -> tuple[Any, ...]:
    """``value`` (a list of endpoints, ids, batch items...) as a tuple.

    A string, bytes or a mapping iterates too, but never as meant (characters,
    ints, keys): those and non-iterables are a ValidationError naming ``field``.
    """
    try:
        if isinstance(value, str | bytes | bytearray | Mapping):
            raise TypeError
        return tuple(value)  # type: ignore[arg-type]
    except TypeError:
        raise ValidationError(
            f"{field} must be a list", field=field, expected="list", actual=type(value).__name__
        ) from None
