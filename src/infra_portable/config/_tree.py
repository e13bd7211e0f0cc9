"""Plain-dict helpers: deep merge, dotted paths, flattening.

A configuration tree is nested ``dict[str, Any]``. Tables merge recursively;
every other value (lists included) is a leaf that a later source replaces whole,
because merging lists element by element has no answer users agree on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from infra_portable.errors import ConfigError

__all__ = [
    "MISSING",
    "deep_copy",
    "deep_merge",
    "flatten",
    "get_path",
    "leaf_keys",
    "merge_into",
    "set_path",
    "split_key",
]


class _Missing:
    """The type of ``MISSING``: "no value here", distinct from ``None``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()


def split_key(key: str) -> list[str]:
    """``"http.timeout_secs"`` -> ``["http", "timeout_secs"]``; empty parts are rejected."""
    parts = key.split(".")
    if not key or any(not part for part in parts):
        raise ConfigError("a configuration key is dot-separated non-empty names", key=key)
    return parts


def deep_copy(value: Any) -> Any:
    """Copy the dicts and lists of a tree; leaves (immutable scalars, Secrets) are shared."""
    if isinstance(value, dict):
        return {k: deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep_copy(v) for v in value]
    return value


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """A new tree: ``override`` on top of ``base``. Neither input is modified.

    Two tables under the same key merge recursively; otherwise the override's
    value replaces the base's (a list replaces a list, a scalar replaces a table).
    """
    merged = {k: deep_copy(v) for k, v in base.items()}
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            merged[key] = deep_merge(current, value)
        elif isinstance(value, Mapping):
            merged[key] = deep_merge({}, value)
        else:
            merged[key] = deep_copy(value)
    return merged


def merge_into(target: dict[str, Any], override: Mapping[str, Any], *, owned: bool) -> None:
    """``deep_merge`` in place: ``target`` (which the caller owns) takes ``override``.

    With ``owned`` the override's subtrees are adopted instead of copied: the
    loader owns each source's freshly parsed table, and copying 200 keys per
    source per load is most of a load's own cost.
    """
    for key, value in override.items():
        current = target.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            merge_into(current, value, owned=owned)
        elif owned and not isinstance(value, Mapping):
            target[key] = value
        elif isinstance(value, Mapping):
            target[key] = value if owned and isinstance(value, dict) else deep_merge({}, value)
        else:
            target[key] = deep_copy(value)


def leaf_keys(tree: Mapping[str, Any], prefix: str, out: list[str]) -> list[str]:
    """Append the dotted keys of ``tree``'s leaves to ``out`` (as ``flatten``, keys only)."""
    for key, value in tree.items():
        if isinstance(value, Mapping) and value:
            leaf_keys(value, f"{prefix}{key}.", out)
        else:
            out.append(prefix + key)
    return out


def get_path(tree: Mapping[str, Any], parts: list[str]) -> Any:
    """The value at ``parts``, or ``MISSING``."""
    node: Any = tree
    for part in parts:
        if not isinstance(node, Mapping):
            return MISSING
        node = node.get(part, MISSING)
        if node is MISSING:
            return MISSING
    return node


def set_path(
    tree: dict[str, Any], parts: list[str], value: Any, *, fold_case: bool = False
) -> list[str]:
    """Set ``value`` at ``parts`` (creating tables); returns the path actually used.

    With ``fold_case`` a part matches an existing key that differs only in case,
    so ``LLM_HTTP__TIMEOUTSECS`` can reach a file's ``timeoutSecs``.
    """
    used: list[str] = []
    node = tree
    for index, part in enumerate(parts):
        name = _existing_name(node, part) if fold_case else part
        used.append(name)
        if index == len(parts) - 1:
            node[name] = value
            break
        child = node.get(name)
        if child is None:
            child = node[name] = {}
        elif not isinstance(child, dict):
            raise ConfigError(
                f"cannot set a nested key under '{'.'.join(used)}', which is not a table",
                key=".".join(parts),
            )
        node = child
    return used


def _existing_name(node: Mapping[str, Any], part: str) -> str:
    if part in node:
        return part
    folded = part.lower()
    for name in node:
        if name.lower() == folded:
            return name
    return part


def flatten(tree: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(dotted key, leaf)`` pairs; an empty table counts as a leaf so its removal shows."""
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from flatten(value, path + ".")
        else:
            yield path, value
