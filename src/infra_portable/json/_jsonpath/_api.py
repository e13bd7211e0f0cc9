"""The public face of JSONPath: compiled queries, result nodes and one-call helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from infra_portable.errors import ValidationError
from infra_portable.json._jsonpath._ast import Query
from infra_portable.json._jsonpath._eval import Found, evaluate
from infra_portable.json._jsonpath._normalized import location_keys, path_of
from infra_portable.json._jsonpath._parser import parse_query

__all__ = [
    "JsonPath",
    "Node",
    "compile_path",
    "query",
    "query_nodes",
    "query_one",
    "query_paths",
]

_CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class Node:
    """One node a query selected: its Normalized Path, the same as keys, and its value.

    ``location`` holds member names (str) and array indices (int), root first;
    ``path`` is the RFC 9535 §2.7 Normalized Path for it, e.g. ``$['a'][0]``.
    """

    path: str
    location: tuple[str | int, ...]
    value: Any

    def __hash__(self) -> int:
        # The value is usually a dict or list, which cannot be hashed; equal
        # nodes have equal paths, so the path alone is a valid hash.
        return hash(self.path)


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A parsed RFC 9535 JSONPath query; get one from :func:`compile_path`.

    The query methods take any document of decoded JSON (dict, list, str, int,
    float, bool, None; tuples count as arrays) and return results in the order
    the RFC defines. They never modify the document, and the values they return
    are the document's own objects, not copies.
    """

    path: str
    _query: Query = field(repr=False, compare=False)

    @property
    def singular(self) -> bool:
        """True when the query selects at most one node from any document (§2.3.5.1)."""
        return self._query.singular_keys is not None

    def query(self, document: Any) -> list[Any]:
        """The values of the selected nodes."""
        return [value for value, _ in self._evaluate(document)]

    def query_paths(self, document: Any) -> list[str]:
        """The Normalized Paths of the selected nodes, such as ``$['a'][0]``."""
        return [path_of(location) for _, location in self._evaluate(document)]

    def query_nodes(self, document: Any) -> list[Node]:
        """The selected nodes, each with its path, location and value."""
        return [
            Node(path_of(location), location_keys(location), value)
            for value, location in self._evaluate(document)
        ]

    def query_one(self, document: Any, default: Any = None) -> Any:
        """The value of the first selected node, or ``default`` when there is none."""
        found = self._evaluate(document)
        return found[0][0] if found else default

    def _evaluate(self, document: Any) -> list[Found]:
        try:
            return evaluate(self._query, document)
        except RecursionError:
            # Query nesting is capped well below the limit, but a caller may
            # already be deep in its own stack.
            raise ValidationError(
                "the query nests too deeply for the remaining Python stack",
                field="path",
                actual=_short(self.path),
            ) from None


def compile_path(path: str) -> JsonPath:
    """Parse an RFC 9535 JSONPath query once; repeated calls come from a cache.

    Raises ValidationError (``field="path"``) for a query that is not well-formed
    and valid, with the character offset of the problem in the message.
    """
    if not isinstance(path, str):
        raise ValidationError(
            "a JSONPath query must be a string",
            field="path",
            expected="str",
            actual=type(path).__name__,
        )
    return _compile(path)


@lru_cache(maxsize=_CACHE_SIZE)
def _compile(path: str) -> JsonPath:
    try:
        return JsonPath(path, parse_query(path))
    except RecursionError:
        raise ValidationError(
            "the query nests too deeply for the remaining Python stack",
            field="path",
            actual=_short(path),
        ) from None


def _short(path: str) -> str:
    return path if len(path) <= 80 else path[:77] + "..."


def _compiled(path: str | JsonPath) -> JsonPath:
    return path if isinstance(path, JsonPath) else compile_path(path)


def query(document: Any, path: str | JsonPath) -> list[Any]:
    """The values ``path`` selects from ``document``: ``query(doc, "$..author")``."""
    return _compiled(path).query(document)


def query_paths(document: Any, path: str | JsonPath) -> list[str]:
    """The Normalized Paths of the nodes ``path`` selects from ``document``."""
    return _compiled(path).query_paths(document)


def query_nodes(document: Any, path: str | JsonPath) -> list[Node]:
    """The nodes (path, location, value) ``path`` selects from ``document``."""
    return _compiled(path).query_nodes(document)


def query_one(document: Any, path: str | JsonPath, default: Any = None) -> Any:
    """The first value ``path`` selects from ``document``, or ``default``."""
    return _compiled(path).query_one(document, default)
