"""JSONPath (RFC 9535): the RFC's own examples, comparison rules, errors, limits, properties.

The compliance suite (test_jsonpath_cts.py) covers the grammar case by case; this
file checks the examples the RFC gives in its tables, the points where Python's
own semantics differ from JSONPath's (``True == 1``), the error contract, deep
queries and documents, and round trips of Normalized Paths.
"""

from __future__ import annotations

import copy
import inspect
import sys
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra_portable.errors import InfraError, ValidationError
from infra_portable.json._jsonpath import (
    MAX_NESTING,
    JsonPath,
    Node,
    compile_path,
    normalized_path,
    query,
    query_nodes,
    query_one,
    query_paths,
)
from infra_portable.runtime import current

# RFC 9535 Figure 1.
BOOKSTORE: dict[str, Any] = {
    "store": {
        "book": [
            {
                "category": "reference",
                "author": "Nigel Rees",
                "title": "Sayings of the Century",
                "price": 8.95,
            },
            {
                "category": "fiction",
                "author": "Evelyn Waugh",
                "title": "Sword of Honour",
                "price": 12.99,
            },
            {
                "category": "fiction",
                "author": "Herman Melville",
                "title": "Moby Dick",
                "isbn": "0-553-21311-3",
                "price": 8.99,
            },
            {
                "category": "fiction",
                "author": "J. R. R. Tolkien",
                "title": "The Lord of the Rings",
                "isbn": "0-395-19395-8",
                "price": 22.99,
            },
        ],
        "bicycle": {"color": "red", "price": 399},
    }
}
BOOKS = BOOKSTORE["store"]["book"]
AUTHORS = ["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.store.book[*].author", AUTHORS),
        ("$..author", AUTHORS),
        ("$.store.*", [BOOKS, BOOKSTORE["store"]["bicycle"]]),
        ("$.store..price", [8.95, 12.99, 8.99, 22.99, 399]),
        ("$..book[2]", [BOOKS[2]]),
        ("$..book[2].author", ["Herman Melville"]),
        ("$..book[2].publisher", []),
        ("$..book[-1]", [BOOKS[3]]),
        ("$..book[0,1]", BOOKS[:2]),
        ("$..book[:2]", BOOKS[:2]),
        ("$..book[?@.isbn]", BOOKS[2:]),
        ("$..book[?@.price<10]", [BOOKS[0], BOOKS[2]]),
        ("$.store.book[?length(@.author) > 12].title", ["Moby Dick", "The Lord of the Rings"]),
        ("$.store[?count(@.*) == 2]", [BOOKSTORE["store"]["bicycle"]]),
        ("$.store.book[?search(@.author, '[BR]ob|Rees')].title", ["Sayings of the Century"]),
        ("$.store.book[?match(@.isbn, '0-[0-9]{3}-.*')].price", [8.99, 22.99]),
        ("$.store[?value(@..color) == 'red']", [BOOKSTORE["store"]["bicycle"]]),
    ],
)
def test_bookstore_examples(path: str, expected: list[Any]) -> None:
    """The examples of RFC 9535 §1.5, plus one for each function extension."""
    assert query(BOOKSTORE, path) == expected


def test_bookstore_all_nodes_in_document_order() -> None:
    paths = query_paths(BOOKSTORE, "$..*")
    assert paths[:3] == ["$['store']", "$['store']['book']", "$['store']['bicycle']"]
    assert len(paths) == 1 + 2 + 4 + 4 * 4 + 2 + 2  # store, its members, books, fields
    assert len(set(paths)) == len(paths)


NAMES_DOC = {"o": {"j j": {"k.k": 3}}, "'": {"@": 2}}
WILDCARD_DOC = {"o": {"j": 1, "k": 2}, "a": [5, 3]}
DESCENDANT_DOC = {"o": {"j": 1, "k": 2}, "a": [5, 3, [{"j": 4}, {"k": 6}]]}
NULL_DOC = {"a": None, "b": [None], "c": [{}], "null": 1}
SELECTOR_EXAMPLES = [
    # §2.3.1.3 examples
    (NAMES_DOC, "$.o['j j']", [{"k.k": 3}], ["$['o']['j j']"]),
    (NAMES_DOC, '$.o["j j"]["k.k"]', [3], ["$['o']['j j']['k.k']"]),
    (NAMES_DOC, '$["\'"]["@"]', [2], ["$['\\'']['@']"]),
    # §2.3.2.3 examples
    (WILDCARD_DOC, "$.o[*, *]", [1, 2, 1, 2], ["$['o']['j']", "$['o']['k']"] * 2),
    (WILDCARD_DOC, "$.a[*]", [5, 3], ["$['a'][0]", "$['a'][1]"]),
    # §2.3.3.3 examples
    (["a", "b"], "$[1]", ["b"], ["$[1]"]),
    (["a", "b"], "$[-2]", ["a"], ["$[0]"]),
    # §2.3.4.3 examples
    (list("abcdefg"), "$[1:3]", ["b", "c"], ["$[1]", "$[2]"]),
    (list("abcdefg"), "$[5:]", ["f", "g"], ["$[5]", "$[6]"]),
    (list("abcdefg"), "$[1:5:2]", ["b", "d"], ["$[1]", "$[3]"]),
    (list("abcdefg"), "$[5:1:-2]", ["f", "d"], ["$[5]", "$[3]"]),
    (list("abcdefg"), "$[::-1]", list("gfedcba"), [f"$[{i}]" for i in range(6, -1, -1)]),
    (list("abcdefg"), "$[::0]", [], []),
    (list("abcdefg"), "$[-100:100:3]", ["a", "d", "g"], ["$[0]", "$[3]", "$[6]"]),
    # §2.5.2.3 examples: descendants, in document order
    (DESCENDANT_DOC, "$..j", [1, 4], ["$['o']['j']", "$['a'][2][0]['j']"]),
    (DESCENDANT_DOC, "$..[0]", [5, {"j": 4}], ["$['a'][0]", "$['a'][2][0]"]),
    (
        DESCENDANT_DOC,
        "$.a..[0, 1]",
        [5, 3, {"j": 4}, {"k": 6}],
        ["$['a'][0]", "$['a'][1]", "$['a'][2][0]", "$['a'][2][1]"],
    ),
    # §2.6.1 examples: null is a value, not absence
    (NULL_DOC, "$.a", [None], ["$['a']"]),
    (NULL_DOC, "$.a[0]", [], []),
    (NULL_DOC, "$.b[?@==null]", [None], ["$['b'][0]"]),
    (NULL_DOC, "$.c[?@.d==null]", [], []),
    (NULL_DOC, "$.null", [1], ["$['null']"]),
]


@pytest.mark.parametrize(("document", "path", "values", "paths"), SELECTOR_EXAMPLES)
def test_rfc_selector_examples(
    document: Any, path: str, values: list[Any], paths: list[str]
) -> None:
    nodes = query_nodes(document, path)
    assert [n.value for n in nodes] == values
    assert [n.path for n in nodes] == paths


FILTER_DOC: dict[str, Any] = {
    "a": [3, 5, 1, 2, 4, 6, {"b": "j"}, {"b": "k"}, {"b": {}}, {"b": "kilo"}],
    "o": {"p": 1, "q": 2, "r": 3, "s": 5, "t": {"u": 6}},
    "e": "f",
}


@pytest.mark.parametrize(
    ("path", "paths"),
    [
        # §2.3.5.3 examples
        ("$.a[?@.b == 'kilo']", ["$['a'][9]"]),
        ("$.a[?(@.b == 'kilo')]", ["$['a'][9]"]),
        ("$.a[?@>3.5]", ["$['a'][1]", "$['a'][4]", "$['a'][5]"]),
        ("$.a[?@.b]", ["$['a'][6]", "$['a'][7]", "$['a'][8]", "$['a'][9]"]),
        ("$[?@.*]", ["$['a']", "$['o']"]),
        ("$[?@[?@.b]]", ["$['a']"]),
        ("$.o[?@<3, ?@<3]", ["$['o']['p']", "$['o']['q']", "$['o']['p']", "$['o']['q']"]),
        ('$.a[?@<2 || @.b == "k"]', ["$['a'][2]", "$['a'][7]"]),
        ('$.a[?match(@.b, "[jk]")]', ["$['a'][6]", "$['a'][7]"]),
        ('$.a[?search(@.b, "[jk]")]', ["$['a'][6]", "$['a'][7]", "$['a'][9]"]),
        ("$.o[?@>1 && @<4]", ["$['o']['q']", "$['o']['r']"]),
        ("$.o[?@.u || @.x]", ["$['o']['t']"]),
        ("$.a[?@.b == $.x]", [f"$['a'][{i}]" for i in range(6)]),
        ("$.a[?@ == @]", [f"$['a'][{i}]" for i in range(10)]),
        # precedence: ! binds tighter than &&, which binds tighter than ||
        ("$.o[?@ == 1 || @ == 2 && @ == 3]", ["$['o']['p']"]),
        ("$.o[?(@ == 1 || @ == 2) && !(@ == 1)]", ["$['o']['q']"]),
    ],
)
def test_rfc_filter_examples(path: str, paths: list[str]) -> None:
    assert query_paths(FILTER_DOC, path) == paths


@pytest.mark.parametrize(
    ("expr", "holds"),
    [
        # §2.3.5.3 examples, evaluated on {"obj": {"x": "y"}, "arr": [2, 3]}
        ("$.absent1 == $.absent2", True),
        ("$.absent1 <= $.absent2", True),
        ("$.absent == 'g'", False),
        ("$.absent1 != $.absent2", False),
        ("$.absent != 'g'", True),
        ("1 <= 2", True),
        ("1 > 2", False),
        ("13 == '13'", False),
        ("'a' <= 'b'", True),
        ("'a' > 'b'", False),
        ("$.obj == $.arr", False),
        ("$.obj != $.arr", True),
        ("$.obj == $.obj", True),
        ("$.obj != $.obj", False),
        ("$.arr == $.arr", True),
        ("$.arr != $.arr", False),
        ("$.obj == 17", False),
        ("$.obj != 17", True),
        ("$.obj <= $.arr", False),
        ("$.obj < $.arr", False),
        ("$.obj <= $.obj", True),
        ("$.arr <= $.arr", True),
        ("1 <= $.arr", False),
        ("1 >= $.arr", False),
        ("1 > $.arr", False),
        ("1 < $.arr", False),
        ("true <= true", True),
        ("true > true", False),
        # numbers compare by value, whatever their spelling
        ("1 == 1.0", True),
        ("100 == 1e2", True),
        ("-0 == 0", True),
        ("0.1 < 1E-0", True),
        # strings compare by code point: U+1F600 sorts after U+FFFF (UTF-16 would not)
        ("'\\uD83D\\uDE00' > '\\uFFFF'", True),
        ("null == null", True),
        ("null == false", False),
    ],
)
def test_rfc_comparison_table(expr: str, holds: bool) -> None:
    document = {"obj": {"x": "y"}, "arr": [2, 3]}
    assert len(query(document, f"$[?{expr}]")) == (2 if holds else 0)


def test_booleans_are_not_numbers() -> None:
    values = [True, 1, 1.0, False, 0, "1", None]
    assert query_paths(values, "$[?@ == 1]") == ["$[1]", "$[2]"]
    assert query_paths(values, "$[?@ == true]") == ["$[0]"]
    assert query_paths(values, "$[?@ == 0]") == ["$[4]"]
    assert query_paths(values, "$[?@ > 0]") == ["$[1]", "$[2]"]
    assert query_paths(values, "$[?@ != false]") == ["$[0]", "$[1]", "$[2]", "$[4]", "$[5]", "$[6]"]
    # and not inside containers either, where Python's == would also say yes
    assert query([{"a": [True], "b": [1]}], "$[?@.a == @.b]") == []
    assert query([{"a": {"k": [1, 2.0]}, "b": {"k": [1.0, 2]}}], "$[?@.a == @.b]") != []


def test_deep_equality_ignores_member_order_but_not_element_order() -> None:
    doc = [{"a": {"x": 1, "y": [1, 2]}, "b": {"y": [1, 2], "x": 1}}, {"a": [1, 2], "b": [2, 1]}]
    assert query_paths(doc, "$[?@.a == @.b]") == ["$[0]"]


def test_function_results_and_nothing() -> None:
    doc = [{"s": "héllo", "l": [1, 2], "o": {"a": 1}, "n": 5}]
    assert query(doc, "$[?length(@.s) == 5].n") == [5]  # code points, not bytes
    assert query(doc, "$[?length(@.l) == 2 && length(@.o) == 1].n") == [5]
    assert query(doc, "$[?length(@.n) == 1]") == []  # Nothing for a number
    assert query(doc, "$[?length(@.missing) == length(@.n)]") == doc  # Nothing == Nothing
    assert query(doc, "$[?value(@.*) == 1]") == []  # several nodes: Nothing
    assert query(doc, "$[?count(@..*) == 7]") == doc  # s, l, 1, 2, o, 1, n


@pytest.mark.parametrize(
    ("pattern", "subject", "matches", "searches"),
    [
        ("a.c", "abc", True, True),
        ("a.c", "a\nc", False, False),  # '.' is not \n or \r (RFC 9485 §5.3)
        ("a.c", "a\rc", False, False),
        ("a.c", "a\u2028c", True, True),
        ("b", "abc", False, True),  # match is whole-string, search is substring
        ("^ab", "abc", False, True),
        ("bc$", "abc", False, True),
        ("bc$", "abc\n", False, False),  # $ is the very end, not before a final newline
        ("\\p{Lu}+", "ÀB", True, True),
        ("\\P{L}", "1", True, True),
        ("[\\p{Nd}a-c]+", "a1٣", True, True),
        ("[^\\p{L}]", "é", False, False),
        ("[a-]", "-", True, True),
        ("a{2,3}", "aaa", True, True),
        ("(ab|cd)*", "abcdab", True, True),
        ("\\.\\\\", ".\\", True, True),
        ("[\\n\\t]", "\t", True, True),
        # not I-Regexp: LogicalFalse, never an error
        ("(a", "a", False, False),
        ("a**", "a", False, False),
        ("a*?", "a", False, False),
        ("\\d", "1", False, False),
        ("\\w", "a", False, False),
        ("[]", "a", False, False),
        ("[a--]", "a", False, False),
        ("a{2,1}", "aa", False, False),
        ("(?:a)", "a", False, False),
        ("\\p{Xx}", "a", False, False),
        ("\\p{Cs}", "a", False, False),
        ("(" * 100 + "a" + ")" * 100, "a", False, False),
    ],
)
def test_iregexp(pattern: str, subject: str, matches: bool, searches: bool) -> None:
    doc = {"s": subject, "p": pattern}
    assert bool(query([doc], "$[?match(@.s, @.p)]")) is matches
    assert bool(query([doc], "$[?search(@.s, @.p)]")) is searches


def test_regex_on_non_strings_is_false() -> None:
    doc = [1, None, ["a"], {"a": "a"}, "a"]
    assert query(doc, "$[?match(@, 'a')]") == ["a"]
    assert query(doc, "$[?search(@, 1)]") == []


# -- Normalized Paths (§2.7) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "document", "normalized"),
    [
        # §2.7.1 examples
        ("$.a", {"a": 1}, "$['a']"),
        ("$[1]", [0, 1], "$[1]"),
        ("$[-3]", [0, 1, 2, 3, 4], "$[2]"),
        ("$.a.b[1:2]", {"a": {"b": [0, 1, 2]}}, "$['a']['b'][1]"),
        ('$["\\u000B"]', {"\x0b": 1}, "$['\\u000b']"),
        ('$["\\u0061"]', {"a": 1}, "$['a']"),
    ],
)
def test_normalized_path_examples(path: str, document: Any, normalized: str) -> None:
    assert query_paths(document, path) == [normalized]


def test_normalized_path_escapes() -> None:
    key = "\b\f\n\r\t'\\\x00\x1f\x7f é/\"😀\ud800"
    expected = "$['\\b\\f\\n\\r\\t\\'\\\\\\u0000\\u001f\x7f é/\"😀\\ud800'][0]"
    assert normalized_path([key, 0]) == expected
    assert query_paths({key: [1]}, "$.*[0]") == [expected]
    with pytest.raises(ValidationError):
        normalized_path(["a", -1])
    with pytest.raises(ValidationError):
        normalized_path([True])


def test_node_shape() -> None:
    (node,) = query_nodes({"a": [{"b\n": 7}]}, "$.a[0]['b\\n']")
    assert node == Node("$['a'][0]['b\\n']", ("a", 0, "b\n"), 7)
    assert hash(node) == hash(Node(node.path, node.location, node.value))
    assert {query_nodes({"a": [1]}, "$.a")[0]}  # hashable even with a list value
    with pytest.raises(AttributeError):
        node.value = 8  # type: ignore[misc]


# -- API ----------------------------------------------------------------------------------


def test_compiled_paths_are_cached_and_reusable() -> None:
    compiled = compile_path("$.store.book[?@.price < 10].title")
    assert compile_path("$.store.book[?@.price < 10].title") is compiled
    assert isinstance(compiled, JsonPath)
    assert compiled.path == "$.store.book[?@.price < 10].title"
    assert compiled.query(BOOKSTORE) == ["Sayings of the Century", "Moby Dick"]
    assert query(BOOKSTORE, compiled) == compiled.query(BOOKSTORE)
    assert not compiled.singular
    assert compile_path("$.a[0]['b']").singular


def test_query_one() -> None:
    assert query_one(BOOKSTORE, "$..price") == 8.95
    assert query_one(BOOKSTORE, "$..nothing") is None
    assert query_one(BOOKSTORE, "$..nothing", default="none") == "none"
    assert query_one({"a": None}, "$.a", default=1) is None  # a null found is not "absent"


def test_results_are_the_documents_own_objects() -> None:
    doc = {"a": {"b": [1]}}
    assert query(doc, "$.a")[0] is doc["a"]
    assert query(doc, "$")[0] is doc


def test_python_values_outside_json() -> None:
    """Tuples are arrays; dict subclasses are objects; non-str keys are not members."""
    marker = object()
    doc = OrderedDict(a=(1, (2, 3)), b=marker, c=marker)
    doc[1] = "int key"  # type: ignore[index]
    assert query(doc, "$.a[1][-1]") == [3]
    assert query_paths(doc, "$.a[1][::-1]") == ["$['a'][1][1]", "$['a'][1][0]"]
    assert query_paths(doc, "$.*") == ["$['a']", "$['b']", "$['c']"]
    assert "int key" not in query(doc, "$..*")
    # an opaque value is equal only to itself, and never ordered
    assert query([{"x": marker, "y": marker}, {"x": marker, "y": object()}], "$[?@.x == @.y]") == [
        {"x": marker, "y": marker}
    ]
    assert query([marker], "$[?@ < 1 || @ >= 1 || @ == 1]") == []


# -- invalid queries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "offset", "actual"),
    [
        ("$.a[?@.b", 8, "end of path"),
        ("$.a[?@.b]]", 9, "']'"),
        (" $", 0, "' '"),
        ("$ ", 1, "' '"),
        ("$. a", 2, "' '"),
        ("$[01]", 2, "'0'"),
        ("$[-0]", 2, "'-'"),
        ("$[9007199254740992]", 2, "'9'"),
        ("$[-9007199254740992:]", 2, "'-'"),
        ("$['\\uDC00']", 3, "'\\\\'"),
        ("$['a\\\"']", 4, "'\\\\'"),  # \" is not an escape inside single quotes
        ("$[?length(@.a)]", 3, "'l'"),  # ValueType as a test
        ("$[?length(@.*) < 3]", 10, "'@'"),  # non-singular query as a value
        ("$[?count(1) == 1]", 9, "'1'"),
        ("$[?match(@.a, 'x') == true]", 3, "'m'"),  # LogicalType compared
        ("$[?value(@..color)]", 3, "'v'"),
        ("$[?@.* == 1]", 3, "'@'"),
        ("$[?nope(@)]", 3, "'n'"),
        ("$[?length(@, @)]", 3, "'l'"),
        ("$[?!!@.a]", 4, "'!'"),
        ("$[?1]", 3, "'1'"),
        ("$[?True]", 3, "'T'"),
        ("$[?@.a == 1 == 1]", 12, "'='"),
    ],
)
def test_invalid_paths_name_the_offset(path: str, offset: int, actual: str) -> None:
    with pytest.raises(ValidationError) as caught:
        compile_path(path)
    error = caught.value
    assert error.field == "path"
    assert f"at offset {offset} in" in error.message
    assert error.actual == actual
    assert error.expected


@pytest.mark.parametrize("path", [None, 1, b"$", ["$"], {"$": 1}])
def test_non_string_paths(path: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        compile_path(path)
    assert caught.value.field == "path"
    with pytest.raises(ValidationError):
        query({}, path)


@pytest.mark.parametrize(
    "path",
    [
        "$" + "[?@" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1),
        "$[?" + "(" * 10_000 + "@" + ")" * 10_000 + "]",
        "$[?" + "!(" * 10_000 + "@" + ")" * 10_000 + "]",
        "$[?" + "length(" * 10_000 + "@" + ")" * 10_000 + " == 1]",
        "$" + "[?@" * 10_000,
    ],
    ids=["just-too-deep", "parens", "not", "functions", "unclosed"],
)
def test_absurd_nesting_is_a_validation_error(path: str) -> None:
    with pytest.raises(ValidationError, match="nested more than"):
        compile_path(path)


def test_maximum_nesting_works() -> None:
    doc: Any = 1
    for _ in range(MAX_NESTING):
        doc = [doc]
    path = "$" + "[?@" * MAX_NESTING + "]" * MAX_NESTING
    assert len(query([doc], path)) == 1
    parens = "$[?" + "(" * (MAX_NESTING - 1) + "@" + ")" * (MAX_NESTING - 1) + "]"
    assert query([1, 2], parens) == [1, 2]


def test_deep_queries_from_a_deep_caller_stack() -> None:
    """Whatever the caller's stack, the result is a result or an InfraError."""
    compiled = compile_path("$" + "[?@" * MAX_NESTING + "]" * MAX_NESTING)
    # Not compiled before, so the parser really runs under the low limit.
    uncached = "$" + "[?@" * (MAX_NESTING - 1) + "[?@.x]" + "]" * (MAX_NESTING - 1)
    limit = sys.getrecursionlimit()
    depth = len(inspect.stack(0))
    sys.setrecursionlimit(depth + 60)
    try:
        with pytest.raises(InfraError, match="stack"):
            compiled.query(_nested(MAX_NESTING + 1, 1))
        with pytest.raises(InfraError, match="stack"):
            compile_path(uncached)
    finally:
        sys.setrecursionlimit(limit)


# -- deep documents -----------------------------------------------------------------------------


def _nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


# Pyodide's CPython itself overflows its (JavaScript) stack freeing a list nested
# ~6,000 deep, whatever built it; elsewhere 10,000 levels are no problem.
DEEP = 2_000 if current().value == "pyodide" else 10_000


def test_descendants_of_a_very_deep_document() -> None:
    doc = {"a": _nested(DEEP, "x"), "b": _nested(DEEP, "x")}
    assert len(query(doc, "$..*")) == 2 * DEEP + 2
    assert query_one(doc, "$..[?@ == 'x']") == "x"
    deepest = query_nodes({"a": _nested(DEEP, "x")}, "$..[?@ == 'x']")
    assert len(deepest) == 1
    assert len(deepest[0].location) == DEEP + 1
    assert deepest[0].path == "$['a']" + "[0]" * DEEP
    # deep equality is iterative too
    assert len(query([doc], "$[?@.a == @.b]")) == 1
    doc["b"] = _nested(DEEP, "y")
    assert query([doc], "$[?@.a == @.b]") == []


# -- properties -----------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=25,
)


def _walk(document: Any, location: tuple[str | int, ...]) -> Any:
    for key in location:
        document = document[key]
    return document


@given(JSON_VALUES)
def test_every_normalized_path_leads_back_to_its_node(document: Any) -> None:
    nodes = query_nodes(document, "$..*")
    assert len({node.path for node in nodes}) == len(nodes)
    for node in nodes:
        assert _walk(document, node.location) is node.value
        assert normalized_path(node.location) == node.path
        # a Normalized Path is itself a query selecting exactly that node
        assert query_paths(document, node.path) == [node.path]
        assert query(document, node.path)[0] is node.value


@given(JSON_VALUES)
def test_every_value_equals_itself_and_its_copy(document: Any) -> None:
    twin = copy.deepcopy(document)
    assert query([{"a": document, "b": twin}], "$[?@.a == @.b]") != []
    assert query([{"a": document, "b": [twin]}], "$[?@.a == @.b]") == []
