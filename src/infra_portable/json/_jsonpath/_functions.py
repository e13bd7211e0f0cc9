"""The five function extensions of RFC 9535 §2.4: length, count, match, search, value.

Each is described by a :class:`FunctionSpec` giving its parameter and result
types, which the parser uses for the well-typedness checks of §2.4.3. The
implementations receive arguments already converted for their parameter types:
a value (or NOTHING) for ValueType, a list of values for NodesType, a bool for
LogicalType.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infra_portable.json._jsonpath._ast import NOTHING, ExprType
from infra_portable.json._jsonpath._iregexp import compile_iregexp

__all__ = ["FUNCTIONS", "FunctionSpec"]


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """A function extension: its name, typed signature and implementation."""

    name: str
    params: tuple[ExprType, ...]
    result: ExprType
    call: Callable[..., Any]


def _length(value: Any) -> Any:
    # §2.4.4: characters of a string (code points), elements, members; else Nothing.
    if isinstance(value, str | list | tuple | dict):
        return len(value)
    return NOTHING


def _count(nodes: list[Any]) -> int:
    return len(nodes)


def _match(value: Any, pattern: Any) -> bool:
    # §2.4.6: the whole string must match; a non-string or an invalid I-Regexp
    # gives LogicalFalse rather than an error.
    if not isinstance(value, str) or not isinstance(pattern, str):
        return False
    regex = compile_iregexp(pattern)
    return regex is not None and regex.fullmatch(value) is not None


def _search(value: Any, pattern: Any) -> bool:
    # §2.4.7: some substring must match.
    if not isinstance(value, str) or not isinstance(pattern, str):
        return False
    regex = compile_iregexp(pattern)
    return regex is not None and regex.search(value) is not None


def _value(nodes: list[Any]) -> Any:
    # §2.4.8: the value of the only node, or Nothing for zero or several.
    return nodes[0] if len(nodes) == 1 else NOTHING


_V, _L, _N = ExprType.VALUE, ExprType.LOGICAL, ExprType.NODES

FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec("length", (_V,), _V, _length),
        FunctionSpec("count", (_N,), _V, _count),
        FunctionSpec("match", (_V, _V), _L, _match),
        FunctionSpec("search", (_V, _V), _L, _search),
        FunctionSpec("value", (_N,), _V, _value),
    )
}
