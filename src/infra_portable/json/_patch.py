"""JSON Patch (RFC 6902) and JSON Merge Patch (RFC 7396).

``apply_patch`` is atomic: it works on a copy and returns the patched copy, so a
failing operation leaves the caller's document untouched. Errors name the
offending operation (``patch[2].path``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from infra_portable.errors import ValidationError
from infra_portable.json._pointer import parse_pointer, pointer_get, pointer_remove, pointer_set
from infra_portable.json._values import copy_json

__all__ = ["apply_patch", "merge_patch"]

_OPS = ("add", "remove", "replace", "move", "copy", "test")


def _member(op: Mapping[str, Any], name: str, index: int) -> Any:
    if name not in op:
        raise ValidationError(
            f"operation '{op.get('op')}' needs '{name}'", field=f"patch[{index}].{name}"
        )
    return op[name]


def _patch_equal(a: Any, b: Any) -> bool:
    # RFC 6902 §4.6: numbers are equal when their values are (1 == 1.0), but a
    # boolean is never a number.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_patch_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_patch_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def apply_patch(document: Any, patch: Sequence[Mapping[str, Any]]) -> Any:
    """Apply RFC 6902 operations to a copy of ``document`` and return it."""
    if not isinstance(patch, list | tuple):
        raise ValidationError(
            "a JSON patch is an array of operations", field="patch", actual=type(patch).__name__
        )
    doc = copy_json(document)
    for i, op in enumerate(patch):
        if not isinstance(op, Mapping):
            raise ValidationError(
                "an operation must be an object", field=f"patch[{i}]", actual=type(op).__name__
            )
        name = op.get("op")
        if name not in _OPS:
            raise ValidationError(
                "unknown operation",
                field=f"patch[{i}].op",
                expected=", ".join(_OPS),
                actual=repr(name),
            )
        path = _member(op, "path", i)
        where = f"patch[{i}].path"
        if name == "add":
            doc = pointer_set(doc, path, copy_json(_member(op, "value", i)), field=where)
        elif name == "remove":
            pointer_remove(doc, path, field=where)
        elif name == "replace":
            pointer_get(doc, path, field=where)  # must exist
            if parse_pointer(path, field=where):
                pointer_remove(doc, path, field=where)
            doc = pointer_set(doc, path, copy_json(_member(op, "value", i)), field=where)
        elif name == "test":
            actual = pointer_get(doc, path, field=where)
            if not _patch_equal(actual, _member(op, "value", i)):
                raise ValidationError(
                    f"test failed at '{path}'",
                    field=f"patch[{i}].value",
                    expected=repr(op["value"])[:60],
                    actual=repr(actual)[:60],
                )
        else:  # move, copy
            source = _member(op, "from", i)
            from_where = f"patch[{i}].from"
            value = pointer_get(doc, source, field=from_where)
            if name == "move":
                if path != source and path.startswith(source + "/"):
                    raise ValidationError(
                        "cannot move a value into one of its own children",
                        field=where,
                        actual=path,
                    )
                if path == source:
                    continue
                pointer_remove(doc, source, field=from_where)
            else:
                value = copy_json(value)
            doc = pointer_set(doc, path, value, field=where)
    return doc


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: ``null`` members delete, objects merge recursively, anything else replaces.

    Returns a new value; ``target`` and ``patch`` are not modified.
    """
    if not isinstance(patch, Mapping):
        return copy_json(patch)
    result = {k: v for k, v in target.items()} if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return {k: copy_json(v) if k not in patch else v for k, v in result.items()}
