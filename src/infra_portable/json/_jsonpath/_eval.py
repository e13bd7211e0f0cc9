"""Evaluation of a parsed query over Python values decoded from JSON (RFC 9535 §2.3-2.5).

The data model: ``dict`` (and subclasses) are objects, ``list`` and ``tuple`` are
arrays, ``str`` strings, ``int``/``float`` numbers, ``bool`` booleans, ``None``
null. Members whose key is not a ``str`` are not JSON members: wildcards,
filters and ``..`` skip them. Any other Python object is an opaque value: it can
be selected, is equal only to itself, and is never less than anything.

A node is carried as ``(value, location)`` where the location is a linked list
``(key, parent_location)`` ending in None at the start node. Sharing the parent
link keeps ``..`` over deep documents linear; the full key tuple is only built
when the caller asks for paths.

Nothing here recurses over the document: ``..`` and deep equality use explicit
stacks, so a 10,000-deep document is fine (Pyodide's interpreter cannot even free
lists nested ~6,000 deep, but that is before any query). Recursion follows only
the nesting of the query, which the parser caps. Documents must be trees, as
decoded JSON is: a list that contains itself would make ``..`` run forever.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeAlias, cast

from infra_portable.json._jsonpath._ast import (
    NOTHING,
    And,
    Comparable,
    Comparison,
    Exists,
    Expr,
    ExprType,
    FilterSelector,
    FunctionCall,
    IndexSelector,
    Literal,
    LogicalExpr,
    NameSelector,
    Not,
    Or,
    Query,
    Segment,
    Selector,
    SliceSelector,
)

__all__ = ["Found", "Location", "evaluate", "json_equal"]

Location: TypeAlias = "tuple[str | int, Location] | None"
Found: TypeAlias = tuple[Any, Location]

_ARRAY = (list, tuple)


def evaluate(query: Query, root: Any) -> list[Found]:
    """The nodes ``query`` selects from the document ``root``, in result order."""
    return _run(query.segments, root, None, root)


def _run(segments: tuple[Segment, ...], value: Any, location: Location, root: Any) -> list[Found]:
    nodes: list[Found] = [(value, location)]
    for segment in segments:
        out: list[Found] = []
        selectors = segment.selectors
        if segment.descendant:
            for node_value, node_location in nodes:
                for item, item_location in _descendants(node_value, node_location):
                    for selector in selectors:
                        _select(selector, item, item_location, root, out)
        else:
            for node_value, node_location in nodes:
                for selector in selectors:
                    _select(selector, node_value, node_location, root, out)
        if not out:
            return out
        nodes = out
    return nodes


def _descendants(value: Any, location: Location) -> Iterator[Found]:
    """``value`` and everything below it, parents before children (§2.5.2.2)."""
    stack: list[Found] = [(value, location)]
    while stack:
        node = stack.pop()
        yield node
        item, item_location = node
        if isinstance(item, dict):
            children: list[Found] = [
                (child, (key, item_location)) for key, child in item.items() if isinstance(key, str)
            ]
            children.reverse()
            stack.extend(children)
        elif isinstance(item, _ARRAY):
            stack.extend((item[i], (i, item_location)) for i in range(len(item) - 1, -1, -1))


def _select(
    selector: Selector, value: Any, location: Location, root: Any, out: list[Found]
) -> None:
    if isinstance(selector, NameSelector):
        name = selector.name
        if isinstance(value, dict) and name in value:
            out.append((value[name], (name, location)))
    elif isinstance(selector, IndexSelector):
        if isinstance(value, _ARRAY):
            index = selector.index
            if index < 0:
                index += len(value)
            if 0 <= index < len(value):
                out.append((value[index], (index, location)))
    elif isinstance(selector, FilterSelector):
        expr = selector.expr
        if isinstance(value, dict):
            for key, child in value.items():
                if isinstance(key, str) and _holds(expr, child, root):
                    out.append((child, (key, location)))
        elif isinstance(value, _ARRAY):
            for index, child in enumerate(value):
                if _holds(expr, child, root):
                    out.append((child, (index, location)))
    elif isinstance(selector, SliceSelector):
        if isinstance(value, _ARRAY):
            for index in _slice_indices(selector, len(value)):
                out.append((value[index], (index, location)))
    elif isinstance(value, dict):  # the wildcard
        out.extend((child, (key, location)) for key, child in value.items() if isinstance(key, str))
    elif isinstance(value, _ARRAY):
        out.extend((child, (index, location)) for index, child in enumerate(value))


def _slice_indices(selector: SliceSelector, length: int) -> range:
    """The indices a slice selects, in order (§2.3.4.2.2)."""
    step = 1 if selector.step is None else selector.step
    if step == 0:
        return range(0)
    if step > 0:
        start = 0 if selector.start is None else selector.start
        end = length if selector.end is None else selector.end
        lower = min(max(_normalize(start, length), 0), length)
        upper = min(max(_normalize(end, length), 0), length)
        return range(lower, upper, step)
    start = length - 1 if selector.start is None else selector.start
    end = -length - 1 if selector.end is None else selector.end
    upper = min(max(_normalize(start, length), -1), length - 1)
    lower = min(max(_normalize(end, length), -1), length - 1)
    return range(upper, lower, step)


def _normalize(index: int, length: int) -> int:
    return index if index >= 0 else length + index


# -- filter expressions (§2.3.5.2) ------------------------------------------------


def _holds(expr: LogicalExpr, current: Any, root: Any) -> bool:
    """Whether the logical expression is true for the current node ``@``."""
    if isinstance(expr, Comparison):
        left = _value(expr.left, current, root)
        right = _value(expr.right, current, root)
        return _compare(expr.op, left, right)
    if isinstance(expr, Exists):
        return _exists(expr.query, current, root)
    if isinstance(expr, And):
        return all(_holds(operand, current, root) for operand in expr.operands)
    if isinstance(expr, Or):
        return any(_holds(operand, current, root) for operand in expr.operands)
    if isinstance(expr, Not):
        return not _holds(expr.operand, current, root)
    call = expr.call  # a FunctionTest
    result = _call(call, current, root)
    if call.spec.result is ExprType.LOGICAL:
        return bool(result)
    return len(result) > 0  # NodesType converts to LogicalType by non-emptiness


def _exists(query: Query, current: Any, root: Any) -> bool:
    start = root if query.absolute else current
    if query.singular_keys is not None:
        return _walk(query.singular_keys, start) is not NOTHING
    return bool(_run(query.segments, start, None, root))


def _value(expr: Comparable, current: Any, root: Any) -> Any:
    """A ValueType operand: the value, or NOTHING when a query selects no node."""
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Query):
        keys = expr.singular_keys
        # The parser admits only singular queries here.
        return _walk(keys if keys is not None else (), root if expr.absolute else current)
    return _call(expr, current, root)


def _walk(keys: tuple[str | int, ...], value: Any) -> Any:
    """Follow a singular query's keys down from ``value``; NOTHING if one is missing."""
    for key in keys:
        if isinstance(key, str):
            if not isinstance(value, dict) or key not in value:
                return NOTHING
            value = value[key]
        else:
            if not isinstance(value, _ARRAY):
                return NOTHING
            index = key + len(value) if key < 0 else key
            if not 0 <= index < len(value):
                return NOTHING
            value = value[index]
    return value


def _nodes(expr: Expr, current: Any, root: Any) -> list[Any]:
    """A NodesType argument: the values of the nodes it selects."""
    if isinstance(expr, Query):
        start = root if expr.absolute else current
        return [value for value, _ in _run(expr.segments, start, None, root)]
    return cast(list[Any], _call(cast(FunctionCall, expr), current, root))


def _call(call: FunctionCall, current: Any, root: Any) -> Any:
    args: list[Any] = []
    for param, arg in zip(call.spec.params, call.args, strict=True):
        if param is ExprType.VALUE:
            args.append(_value(cast(Comparable, arg), current, root))
        elif param is ExprType.NODES:
            args.append(_nodes(arg, current, root))
        else:
            args.append(_holds(cast(LogicalExpr, arg), current, root))
    return call.spec.call(*args)


# -- comparison (§2.3.5.2.2) ----------------------------------------------------------


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "==":
        return json_equal(left, right)
    if op == "!=":
        return not json_equal(left, right)
    if op == "<":
        return _less(left, right)
    if op == ">":
        return _less(right, left)
    if op == "<=":
        return _less(left, right) or json_equal(left, right)
    return _less(right, left) or json_equal(left, right)  # ">="


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _less(left: Any, right: Any) -> bool:
    # Only two numbers or two strings are ordered; strings by code point, which
    # is how Python compares str.
    if _is_number(left) and _is_number(right):
        return bool(left < right)
    if isinstance(left, str) and isinstance(right, str):
        return left < right
    return False


def json_equal(left: Any, right: Any) -> bool:
    """Equality as RFC 9535 defines it: 1 == 1.0, but true != 1; deep for containers.

    NOTHING equals only NOTHING. Iterative, so any depth is fine.
    """
    stack = [(left, right)]
    while stack:
        a, b = stack.pop()
        # Identity settles None, booleans and NOTHING (singletons), and shared
        # subtrees; what is left must match by kind.
        if a is b:
            continue
        if isinstance(a, bool) or isinstance(b, bool):
            return False
        if (_is_number(a) and _is_number(b)) or (isinstance(a, str) and isinstance(b, str)):
            if a != b:
                return False
        elif isinstance(a, _ARRAY) and isinstance(b, _ARRAY):
            if len(a) != len(b):
                return False
            stack.extend(zip(a, b, strict=True))
        elif isinstance(a, dict) and isinstance(b, dict):
            if len(a) != len(b) or a.keys() != b.keys():
                return False
            stack.extend((value, b[key]) for key, value in a.items())
        else:
            return False
    return True
