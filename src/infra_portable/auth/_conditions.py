"""Attribute conditions of rules: ``when`` maps a path to an expected value.

Paths: ``action``, ``identity.subject|method|issuer|roles|scopes``,
``identity.attributes.<a>.<b>``, ``resource.name|type`` and
``resource.attributes.<a>.<b>``. The expected value is a JSON scalar, a list
(any of), or ``"${path}"`` (the value at another path). A collection on the
left (roles, scopes, a list attribute) holds when it contains the expected
value (or any of them). A missing attribute never holds. Comparison is JSON's:
``true`` is not ``1``, ``1`` is ``1.0``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra_portable.auth._base import Identity, Resource
from infra_portable.errors import ValidationError

__all__ = ["AttributeCheck"]

_IDENTITY_FIELDS = frozenset({"subject", "method", "issuer", "roles", "scopes"})
_RESOURCE_FIELDS = frozenset({"name", "type"})
_MISSING: Any = object()


def _check_path(path: object, where: str) -> tuple[str, ...]:
    if not isinstance(path, str) or not path:
        raise ValidationError("a condition path must be a non-empty string", field=where)
    parts = tuple(path.split("."))
    root = parts[0]
    ok = (
        (root == "action" and len(parts) == 1)
        or (
            root == "identity"
            and (
                (len(parts) == 2 and parts[1] in _IDENTITY_FIELDS)
                or (len(parts) >= 3 and parts[1] == "attributes")
            )
        )
        or (
            root == "resource"
            and (
                (len(parts) == 2 and parts[1] in _RESOURCE_FIELDS)
                or (len(parts) >= 3 and parts[1] == "attributes")
            )
        )
    )
    if not ok or any(not p for p in parts):
        raise ValidationError(
            "unknown condition path",
            field=where,
            expected="action, identity.<field>|attributes.<name>, resource.<field>|attributes.<name>",
            actual=repr(path),
        )
    return parts


def _resolve(parts: tuple[str, ...], identity: Identity, resource: Resource, action: str) -> Any:
    root = parts[0]
    if root == "action":
        return action
    if root == "identity":
        if parts[1] != "attributes":
            return getattr(identity, parts[1])
        node: Any = identity.attributes
    else:
        if parts[1] != "attributes":
            return getattr(resource, parts[1])
        node = resource.attributes
    for part in parts[2:]:
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _same(a: Any, b: Any) -> bool:
    # JSON semantics: true is not 1, 1 is 1.0.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    try:
        return bool(a == b)
    except Exception:  # an attribute with an odd __eq__ is simply not equal
        return False


def _holds(actual: Any, expected: list[Any]) -> bool:
    if actual is _MISSING:
        return False
    if isinstance(actual, list | tuple | set | frozenset):
        return any(_same(a, e) for a in actual for e in expected)
    return any(_same(actual, e) for e in expected)


_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True, slots=True)
class AttributeCheck:
    path: tuple[str, ...]
    expected: tuple[Any, ...]  # literals, or one reference
    reference: tuple[str, ...] | None = None

    @classmethod
    def parse(cls, path: object, value: object, where: str) -> AttributeCheck:
        parts = _check_path(path, where)
        if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
            return cls(parts, (), _check_path(value[2:-1], where))
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if not isinstance(item, _SCALARS):
                raise ValidationError(
                    "a condition value is a JSON scalar, a list of them, or '${path}'",
                    field=where,
                    actual=type(item).__name__,
                )
        return cls(parts, tuple(values))

    def holds(self, identity: Identity, resource: Resource, action: str) -> bool:
        actual = _resolve(self.path, identity, resource, action)
        if self.reference is None:
            return _holds(actual, list(self.expected))
        other = _resolve(self.reference, identity, resource, action)
        if other is _MISSING:
            return False
        wanted = list(other) if isinstance(other, list | tuple | set | frozenset) else [other]
        return _holds(actual, wanted)
