"""Turning configuration values into the type the caller asks for.

Environment variables and hand-written files carry numbers and flags as text,
so typed access converts where the intent is unambiguous and refuses the rest:

* ``int``: ints, integral floats (``5.0``), decimal text (``"5"``, ``"1_000"``).
  ``True`` is not an int here, although Python says it is.
* ``float``: ints, floats, numeric text.
* ``bool``: bools, ``0``/``1``, text ``true/false/yes/no/on/off/1/0`` (any case).
* ``str``: text; numbers and bools as their JSON text (``5``, ``true``).
* ``list``: lists; text holding a JSON array, or comma-separated items.
* ``dict``: tables.
* ``timedelta``: numbers (seconds) or text such as ``"1.5s"``, ``"250ms"``,
  ``"2m"``, ``"1h30m"``, ``"500us"``, ``"1d"``; bare numeric text is seconds.

A value that does not convert raises ValidationError with ``field`` (the key),
``expected`` and ``actual`` (type names; the value itself only in the message).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from infra_portable.errors import SerializationError, ValidationError

__all__ = ["SUPPORTED_TYPES", "coerce", "parse_duration", "parse_env_value", "type_name"]

SUPPORTED_TYPES: tuple[type, ...] = (int, float, bool, str, list, dict, dt.timedelta)

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(ns|us|µs|ms|s|m|h|d)", re.IGNORECASE)
_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}


def type_name(value: Any) -> str:
    """The name used in ``expected``/``actual`` (``"int"``, ``"NoneType"``...)."""
    return type(value).__name__


def parse_env_value(text: str) -> Any:
    """An environment value: a JSON number, ``true``/``false``/``null``, else the text.

    Only exact JSON scalars convert (``"5"`` -> 5, ``"1.5"`` -> 1.5, ``"true"``
    -> True, ``"null"`` -> None); ``"05"``, ``"True"`` or ``"1,2"`` stay text,
    so a value never changes type by accident.
    """
    stripped = text.strip()
    if stripped in ("true", "false"):
        return stripped == "true"
    if stripped == "null":
        return None
    if _JSON_NUMBER.fullmatch(stripped):
        if any(c in stripped for c in ".eE"):
            number = float(stripped)
            return number if math.isfinite(number) else text
        return int(stripped)
    return text


def parse_duration(text: str) -> dt.timedelta:
    """``"1.5s"``, ``"250ms"``, ``"1h30m"``, bare ``"5"`` (seconds); ValueError otherwise."""
    stripped = text.strip()
    try:
        return dt.timedelta(seconds=float(stripped))
    except ValueError:
        pass
    total = 0.0
    position = 0
    for match in _DURATION_PART.finditer(stripped):
        if stripped[position : match.start()].strip():
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
        position = match.end()
    if position == 0 or stripped[position:].strip():
        raise ValueError(f"not a duration: {text!r}")
    return dt.timedelta(seconds=total)


def coerce(value: Any, target: type, key: str) -> Any:
    """``value`` as ``target`` (see the module docstring), or ValidationError."""
    converter = _CONVERTERS.get(target) if isinstance(target, type) else None
    if converter is None:
        raise ValidationError(
            "unsupported configuration type",
            field=key,
            expected=", ".join(t.__name__ for t in SUPPORTED_TYPES),
            actual=getattr(target, "__name__", repr(target)),
        )
    try:
        converted = converter(value)
    except (ValueError, TypeError, OverflowError, SerializationError):
        converted = _FAILED
    if converted is _FAILED:
        shown = repr(value) if isinstance(value, str | int | float | bool) else type_name(value)
        raise ValidationError(
            f"cannot convert {shown[:80]} to {target.__name__}",
            field=key,
            expected=target.__name__,
            actual=type_name(value),
        )
    return converted


_FAILED = object()


def _to_int(value: Any) -> Any:
    if isinstance(value, bool):
        return _FAILED
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else _FAILED
    if isinstance(value, str):
        return int(value.strip())
    return _FAILED


def _to_float(value: Any) -> Any:
    if isinstance(value, bool):
        return _FAILED
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        number = float(value.strip())
        return number if math.isfinite(number) else _FAILED
    return _FAILED


def _to_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded in _TRUE or folded in _FALSE:
            return folded in _TRUE
    return _FAILED


def _to_str(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return _FAILED


def _to_list(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            from infra_portable.json import loads

            parsed = loads(stripped)
            return parsed if isinstance(parsed, list) else _FAILED
        return [item.strip() for item in stripped.split(",")] if stripped else []
    return _FAILED


def _to_dict(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else _FAILED


def _to_duration(value: Any) -> Any:
    if isinstance(value, bool):
        return _FAILED
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, int | float):
        return dt.timedelta(seconds=value)
    if isinstance(value, str):
        return parse_duration(value)
    return _FAILED


_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    int: _to_int,
    float: _to_float,
    bool: _to_bool,
    str: _to_str,
    list: _to_list,
    dict: _to_dict,
    dt.timedelta: _to_duration,
}
