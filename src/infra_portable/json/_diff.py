"""Structural diff of two JSON documents (seed 002 §2.4) and its JSON Patch form.

``diff(a, b)`` lists what changed as ``Added``/``Removed``/``Changed`` entries
whose ``path`` is a JSON Pointer (RFC 6901). Objects are compared key by key
(order ignored), arrays index by index: a longer ``b`` adds its tail, a shorter
one removes ``a``'s tail, last index first, so the list applies in order.
Equality is JSON's (``json_equal``): ``1`` → ``true`` is a change.

``to_json_patch(diffs)`` turns the list into RFC 6902 operations, and
``apply_patch(a, make_patch(a, b)) == b`` for any two documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra_portable.errors import ValidationError
from infra_portable.json._pointer import format_pointer
from infra_portable.json._values import json_equal

__all__ = ["Added", "Changed", "JsonDiff", "Removed", "diff", "make_patch", "to_json_patch"]


@dataclass(frozen=True, slots=True)
class Added:
    path: str
    value: Any


@dataclass(frozen=True, slots=True)
class Removed:
    path: str
    value: Any


@dataclass(frozen=True, slots=True)
class Changed:
    path: str
    old: Any
    new: Any


JsonDiff = Added | Removed | Changed


def diff(a: Any, b: Any) -> list[JsonDiff]:
    """What turns ``a`` into ``b``, as a list of changes addressed by JSON Pointer."""
    out: list[JsonDiff] = []
    try:
        _diff(a, b, [], out)
    except RecursionError:
        raise ValidationError("documents nested too deeply to diff", field="document") from None
    return out


def _diff(a: Any, b: Any, path: list[str | int], out: list[JsonDiff]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key, new in b.items():
            if key in a:
                _diff(a[key], new, [*path, key], out)
            else:
                out.append(Added(format_pointer([*path, key]), new))
        for key, old in a.items():
            if key not in b:
                out.append(Removed(format_pointer([*path, key]), old))
    elif isinstance(a, list | tuple) and isinstance(b, list | tuple):
        common = min(len(a), len(b))
        for i in range(common):
            _diff(a[i], b[i], [*path, i], out)
        for i in range(common, len(b)):
            out.append(Added(format_pointer([*path, i]), b[i]))
        for i in range(len(a) - 1, common - 1, -1):
            out.append(Removed(format_pointer([*path, i]), a[i]))
    elif not json_equal(a, b):
        out.append(Changed(format_pointer(path), a, b))


def to_json_patch(diffs: list[JsonDiff]) -> list[dict[str, Any]]:
    """RFC 6902 operations (``add``/``remove``/``replace``) equivalent to ``diffs``."""
    ops: list[dict[str, Any]] = []
    for d in diffs:
        if isinstance(d, Added):
            ops.append({"op": "add", "path": d.path, "value": d.value})
        elif isinstance(d, Removed):
            ops.append({"op": "remove", "path": d.path})
        else:
            ops.append({"op": "replace", "path": d.path, "value": d.new})
    return ops


def make_patch(a: Any, b: Any) -> list[dict[str, Any]]:
    """The RFC 6902 patch that turns ``a`` into ``b``."""
    return to_json_patch(diff(a, b))
