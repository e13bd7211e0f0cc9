"""Helpers over decoded JSON values: strict equality and cheap deep copies."""

from __future__ import annotations

from typing import Any

__all__ = ["copy_json", "json_equal"]


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON text sees it: ``true`` is not ``1``, and ``1`` is not ``1.0``.

    Python's ``==`` says ``True == 1 == 1.0``; a diff built on it would miss
    a change from ``1`` to ``true``. Object key order does not matter.
    """
    if type(a) is not type(b):
        # dict/list subclasses still compare with their base type.
        if (isinstance(a, dict) and isinstance(b, dict)) or (
            isinstance(a, list | tuple) and isinstance(b, list | tuple)
        ):
            pass
        else:
            return False
    if isinstance(a, dict):
        if len(a) != len(b) or a.keys() != b.keys():
            return False
        return all(json_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON value (dicts and lists; scalars are immutable)."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [copy_json(v) for v in value]
    return value
