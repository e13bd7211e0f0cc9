"""Recursive-descent parser for RFC 9535 queries, with the validity checks of §2.

Besides the grammar (Appendix A) it enforces what the ABNF cannot say:

* integers in indices and slices lie within ±(2^53 - 1) (§2.1);
* only singular queries may be compared (§2.3.5.1);
* function calls name a known function with the right number of well-typed
  arguments, and a function's result type fits where it is used (§2.4.3):
  ValueType in comparisons, LogicalType or NodesType as a test.

Nesting (brackets in filters, parentheses, function calls) is capped at
:data:`MAX_NESTING` levels, so a hostile query meets a ValidationError rather
than Python's recursion limit.
"""

from __future__ import annotations

from infra_portable.json._jsonpath._ast import (
    WILDCARD,
    And,
    Comparable,
    Comparison,
    Exists,
    Expr,
    ExprType,
    FilterSelector,
    FunctionCall,
    FunctionTest,
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
from infra_portable.json._jsonpath._functions import FUNCTIONS
from infra_portable.json._jsonpath._lexer import INT_START, Scanner

__all__ = ["MAX_NESTING", "parse_query"]

# Each level costs at most ~7 parser frames and ~5 evaluator frames: 64 levels
# stay far below CPython's default recursion limit of 1000, on every runtime.
MAX_NESTING = 64

_COMPARISON_OPS = ("==", "!=", "<=", ">=", "<", ">")
_LITERALS = {"true": True, "false": False, "null": None}
_QUOTES = frozenset("'\"")
_NUMBER_START = INT_START
_LOWERCASE = frozenset("abcdefghijklmnopqrstuvwxyz")


def parse_query(text: str) -> Query:
    """Parse a whole ``jsonpath-query``; raises ValidationError when invalid."""
    return _Parser(text).parse()


class _Parser:
    __slots__ = ("depth", "scan")

    def __init__(self, text: str) -> None:
        self.scan = Scanner(text)
        self.depth = 0

    def parse(self) -> Query:
        scan = self.scan
        if scan.peek() != "$":
            raise scan.unexpected("'$'")
        scan.pos += 1
        query = self.parse_segments(absolute=True)
        if not scan.at_end():
            raise scan.unexpected("a segment or the end of the path")
        return query

    # -- segments and selectors (§2.3, §2.5) -------------------------------------
    def parse_segments(self, *, absolute: bool) -> Query:
        scan = self.scan
        segments: list[Segment] = []
        while True:
            before_blanks = scan.pos
            scan.skip_blanks()
            if scan.take(".."):
                segments.append(Segment(self.parse_dotted_selectors(".."), descendant=True))
            elif scan.take("."):
                segments.append(Segment(self.parse_dotted_selectors(".")))
            elif scan.peek() == "[":
                segments.append(Segment(self.parse_bracketed()))
            else:
                # The blanks belong to whatever follows the query.
                scan.pos = before_blanks
                break
        return Query(absolute, tuple(segments), _singular_keys(segments))

    def parse_dotted_selectors(self, dots: str) -> tuple[Selector, ...]:
        scan = self.scan
        if scan.take("*"):
            return (WILDCARD,)
        if dots == ".." and scan.peek() == "[":
            return self.parse_bracketed()
        name = scan.read_member_name()
        if name is None:
            raise scan.unexpected(f"a member name or '*' after '{dots}'")
        return (NameSelector(name),)

    def parse_bracketed(self) -> tuple[Selector, ...]:
        scan = self.scan
        scan.pos += 1  # '['
        selectors: list[Selector] = []
        while True:
            scan.skip_blanks()
            selectors.append(self.parse_selector())
            scan.skip_blanks()
            if scan.take(","):
                continue
            if scan.take("]"):
                return tuple(selectors)
            raise scan.unexpected("',' or ']'")

    def parse_selector(self) -> Selector:
        scan = self.scan
        char = scan.peek()
        if char in _QUOTES:
            return NameSelector(scan.read_string())
        if char == "*":
            scan.pos += 1
            return WILDCARD
        if char == "?":
            scan.pos += 1
            scan.skip_blanks()
            at = scan.pos
            return FilterSelector(self.to_logical(self.parse_or(), at))
        if char in INT_START or char == ":":
            return self.parse_index_or_slice()
        raise scan.unexpected("a selector (name, '*', index, slice or filter)")

    def parse_index_or_slice(self) -> Selector:
        scan = self.scan
        start = None
        if scan.peek() != ":":
            start = scan.read_int()
            before_blanks = scan.pos
            scan.skip_blanks()
            if scan.peek() != ":":
                scan.pos = before_blanks
                return IndexSelector(start)
        scan.pos += 1  # ':'
        scan.skip_blanks()
        end = scan.read_int() if scan.peek() in INT_START else None
        scan.skip_blanks()
        step = None
        if scan.take(":"):
            scan.skip_blanks()
            if scan.peek() in INT_START:
                step = scan.read_int()
        return SliceSelector(start, end, step)

    # -- logical expressions (§2.3.5.1) ------------------------------------------
    def parse_or(self) -> Expr:
        """``logical-or-expr``; a lone operand comes back unconverted (see to_logical)."""
        scan = self.scan
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise scan.error(f"expression nested more than {MAX_NESTING} levels deep")
        operands = [(scan.pos, self.parse_and())]
        while True:
            before_blanks = scan.pos
            scan.skip_blanks()
            if not scan.take("||"):
                scan.pos = before_blanks
                break
            scan.skip_blanks()
            operands.append((scan.pos, self.parse_and()))
        self.depth -= 1
        if len(operands) == 1:
            return operands[0][1]
        return Or(tuple(self.to_logical(expr, at) for at, expr in operands))

    def parse_and(self) -> Expr:
        scan = self.scan
        operands = [(scan.pos, self.parse_basic())]
        while True:
            before_blanks = scan.pos
            scan.skip_blanks()
            if not scan.take("&&"):
                scan.pos = before_blanks
                break
            scan.skip_blanks()
            operands.append((scan.pos, self.parse_basic()))
        if len(operands) == 1:
            return operands[0][1]
        return And(tuple(self.to_logical(expr, at) for at, expr in operands))

    def parse_basic(self) -> Expr:
        """A ``basic-expr``, or a bare literal/query/call for the caller to place."""
        scan = self.scan
        if scan.take("!"):
            scan.skip_blanks()
            at = scan.pos
            if scan.peek() == "(":
                return Not(self.parse_paren())
            operand = self.parse_primary()
            if isinstance(operand, Literal):
                raise scan.error(
                    "literal after '!'", at=at, expected="a query, a function call or '('"
                )
            return Not(self.to_logical(operand, at))
        if scan.peek() == "(":
            return self.parse_paren()
        left_at = scan.pos
        left = self.parse_primary()
        before_blanks = scan.pos
        scan.skip_blanks()
        op = next((op for op in _COMPARISON_OPS if scan.take(op)), None)
        if op is None:
            scan.pos = before_blanks
            return left
        scan.skip_blanks()
        right_at = scan.pos
        right = self.parse_primary()
        return Comparison(op, self.comparable(left, left_at), self.comparable(right, right_at))

    def parse_paren(self) -> LogicalExpr:
        scan = self.scan
        scan.pos += 1  # '('
        scan.skip_blanks()
        at = scan.pos
        inner = self.to_logical(self.parse_or(), at)
        scan.skip_blanks()
        scan.expect(")")
        return inner

    def parse_primary(self) -> Literal | Query | FunctionCall:
        """A filter query, a literal or a function call."""
        scan = self.scan
        char = scan.peek()
        if char in ("@", "$"):
            scan.pos += 1
            return self.parse_segments(absolute=char == "$")
        if char in _QUOTES:
            return Literal(scan.read_string())
        if char in _NUMBER_START:
            return Literal(scan.read_number())
        if char in _LOWERCASE:
            at = scan.pos
            name = scan.read_function_name() or ""
            if scan.peek() == "(":
                return self.parse_call(name, at)
            if name in _LITERALS:
                return Literal(_LITERALS[name])
            raise scan.error(
                f"unknown name {name!r}", at=at, expected="true, false, null or a function call"
            )
        raise scan.unexpected("a query, a literal, a function call, '!' or '('")

    # -- function extensions (§2.4) -------------------------------------------------
    def parse_call(self, name: str, at: int) -> FunctionCall:
        scan = self.scan
        spec = FUNCTIONS.get(name)
        if spec is None:
            known = ", ".join(sorted(FUNCTIONS))
            raise scan.error(f"unknown function {name!r}", at=at, expected=f"one of {known}")
        scan.pos += 1  # '('
        scan.skip_blanks()
        args: list[tuple[int, Expr]] = []
        if scan.peek() != ")":
            while True:
                args.append((scan.pos, self.parse_or()))
                scan.skip_blanks()
                if not scan.take(","):
                    break
                scan.skip_blanks()
        scan.expect(")")
        if len(args) != len(spec.params):
            raise scan.error(
                f"wrong number of arguments to {name}() ({len(args)})",
                at=at,
                expected=f"{len(spec.params)} argument(s)",
            )
        checked = tuple(
            self.argument(name, n, param, expr, arg_at)
            for n, (param, (arg_at, expr)) in enumerate(zip(spec.params, args, strict=True), 1)
        )
        return FunctionCall(spec, checked)

    def argument(self, name: str, n: int, param: ExprType, expr: Expr, at: int) -> Expr:
        """Check one argument against its parameter type (§2.4.3) and shape it."""
        scan = self.scan
        where = f"argument {n} of {name}()"
        if param is ExprType.VALUE:
            if (
                isinstance(expr, Literal)
                or (isinstance(expr, Query) and expr.singular_keys is not None)
                or (isinstance(expr, FunctionCall) and expr.spec.result is ExprType.VALUE)
            ):
                return expr
            raise scan.error(
                f"{where} is not a value",
                at=at,
                expected="a literal, a singular query or a function returning a value",
            )
        if param is ExprType.NODES:
            if isinstance(expr, Query) or (
                isinstance(expr, FunctionCall) and expr.spec.result is ExprType.NODES
            ):
                return expr
            raise scan.error(f"{where} is not a query", at=at, expected="a filter query")
        return self.to_logical(expr, at, where=where)

    # -- placing operands --------------------------------------------------------
    def to_logical(self, expr: Expr, at: int, *, where: str = "a test") -> LogicalExpr:
        """``expr`` used as a test: a query tests existence; a literal cannot be one."""
        if isinstance(expr, Query):
            return Exists(expr)
        if isinstance(expr, FunctionCall):
            if expr.spec.result is ExprType.VALUE:
                raise self.scan.error(
                    f"ValueType function {expr.spec.name}() used as {where}",
                    at=at,
                    expected="a function returning LogicalType or NodesType",
                )
            return FunctionTest(expr)
        if isinstance(expr, Literal):
            raise self.scan.error(
                f"literal used as {where}",
                at=at,
                expected="a query, a comparison or a function returning LogicalType",
            )
        return expr

    def comparable(self, expr: Literal | Query | FunctionCall, at: int) -> Comparable:
        if isinstance(expr, Query) and expr.singular_keys is None:
            raise self.scan.error(
                "non-singular query in a comparison",
                at=at,
                expected="a query of names and indices only, such as @.a[0]",
            )
        if isinstance(expr, FunctionCall) and expr.spec.result is not ExprType.VALUE:
            raise self.scan.error(
                f"{expr.spec.result.value} function {expr.spec.name}() in a comparison",
                at=at,
                expected="a function returning ValueType",
            )
        return expr


def _singular_keys(segments: list[Segment]) -> tuple[str | int, ...] | None:
    keys: list[str | int] = []
    for segment in segments:
        if segment.descendant or len(segment.selectors) != 1:
            return None
        selector = segment.selectors[0]
        if isinstance(selector, NameSelector):
            keys.append(selector.name)
        elif isinstance(selector, IndexSelector):
            keys.append(selector.index)
        else:
            return None
    return tuple(keys)
