"""The parsed form of a JSONPath query (RFC 9535 §2), as frozen dataclasses.

A query is a list of segments; a segment is a list of selectors applied to each
input node (or, for a descendant segment, to the input node and everything below
it). Filter selectors hold a logical expression whose leaves are comparisons,
existence tests and function calls.

The parser does all checking, so evaluation can trust what it finds here: every
comparison operand is comparable, every function argument already has the form
its parameter's type asks for (§2.4.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from infra_portable.json._jsonpath._functions import FunctionSpec

__all__ = [
    "And",
    "Comparable",
    "Comparison",
    "Exists",
    "Expr",
    "ExprType",
    "FilterSelector",
    "FunctionCall",
    "FunctionTest",
    "IndexSelector",
    "Literal",
    "LogicalExpr",
    "NOTHING",
    "NameSelector",
    "Not",
    "Nothing",
    "Or",
    "Query",
    "Segment",
    "Selector",
    "SliceSelector",
    "WILDCARD",
    "WildcardSelector",
]


class ExprType(Enum):
    """The three types of the function extension type system (§2.4.1)."""

    VALUE = "ValueType"
    LOGICAL = "LogicalType"
    NODES = "NodesType"


class Nothing(Enum):
    """The special result "Nothing" of ValueType: no JSON value at all (§2.4.1)."""

    NOTHING = "Nothing"


NOTHING = Nothing.NOTHING


# -- selectors (§2.3) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameSelector:
    """``'name'`` or ``.name``: the member of an object with that name."""

    name: str


@dataclass(frozen=True, slots=True)
class WildcardSelector:
    """``*``: every member value of an object, every element of an array."""


WILDCARD = WildcardSelector()


@dataclass(frozen=True, slots=True)
class IndexSelector:
    """``3`` or ``-1``: one element of an array, negative counting from the end."""

    index: int


@dataclass(frozen=True, slots=True)
class SliceSelector:
    """``start:end:step``: a run of array elements; a missing part is None."""

    start: int | None
    end: int | None
    step: int | None


@dataclass(frozen=True, slots=True)
class FilterSelector:
    """``?expr``: the children for which the logical expression holds."""

    expr: LogicalExpr


Selector: TypeAlias = (
    NameSelector | WildcardSelector | IndexSelector | SliceSelector | FilterSelector
)


@dataclass(frozen=True, slots=True)
class Segment:
    """A child segment (``[a,b]``, ``.a``) or, when ``descendant``, a ``..`` segment."""

    selectors: tuple[Selector, ...]
    descendant: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A query from the root (``$``, ``absolute``) or, in a filter, from ``@``.

    ``singular_keys`` is set when the query is singular (§2.3.5.1): only child
    segments, each with one name or index selector. Those keys are the whole
    query, which lets evaluation walk straight down without building node lists.
    """

    absolute: bool
    segments: tuple[Segment, ...]
    singular_keys: tuple[str | int, ...] | None


# -- filter expressions (§2.3.5) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    """A string, number, ``true``, ``false`` or ``null`` written in the query."""

    value: Any


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """A function extension applied to arguments already shaped for its parameters."""

    spec: FunctionSpec
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """``left op right`` with op one of ``== != < <= > >=``."""

    op: str
    left: Comparable
    right: Comparable


@dataclass(frozen=True, slots=True)
class Exists:
    """A filter query used as a test: true when it selects at least one node."""

    query: Query


@dataclass(frozen=True, slots=True)
class FunctionTest:
    """A LogicalType or NodesType function used as a test."""

    call: FunctionCall


@dataclass(frozen=True, slots=True)
class Not:
    """``!expr``."""

    operand: LogicalExpr


@dataclass(frozen=True, slots=True)
class And:
    """``a && b && ...``."""

    operands: tuple[LogicalExpr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """``a || b || ...``."""

    operands: tuple[LogicalExpr, ...]


LogicalExpr: TypeAlias = Comparison | Exists | FunctionTest | Not | And | Or
# What may stand on either side of a comparison (§2.3.5.1): the query singular,
# the function returning ValueType.
Comparable: TypeAlias = Literal | Query | FunctionCall
# A function argument: ValueType parameters get a Comparable, NodesType ones a
# Query or FunctionCall, LogicalType ones a LogicalExpr.
Expr: TypeAlias = LogicalExpr | Literal | Query | FunctionCall
