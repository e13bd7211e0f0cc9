"""Metadata filters: Eq, Ne, Gt, Gte, Lt, Lte, In, Contains, Like, Exists, And, Or, Not.

The fixed cases pin the semantics stated in ``infra_portable.vector._filter``:
JSON equality (``true`` is not ``1``, ``1 == 1.0``), dotted paths with a literal
dotted key found first, missing fields matching only ``Ne``/``Not``, ordering
only within numbers or within strings, ``Contains`` on strings and lists, SQL
``LIKE`` patterns. The properties check the dict round trip, De Morgan, And/Or
against all()/any(), and ``Like`` against an independent recursive matcher.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra_portable.errors import InfraError, ValidationError
from infra_portable.vector import (
    And,
    Contains,
    Eq,
    Exists,
    Gt,
    Gte,
    In,
    Like,
    Lt,
    Lte,
    MetadataFilter,
    Ne,
    Not,
    Or,
)

ALL_OPS: dict[str, type[MetadataFilter]] = {
    "eq": Eq,
    "ne": Ne,
    "gt": Gt,
    "gte": Gte,
    "lt": Lt,
    "lte": Lte,
    "in": In,
    "contains": Contains,
    "like": Like,
    "exists": Exists,
    "and": And,
    "or": Or,
    "not": Not,
}


def _validation_error(excinfo: pytest.ExceptionInfo[ValidationError], field: str) -> None:
    error = excinfo.value
    assert isinstance(error, InfraError)
    assert type(error) is ValidationError
    assert error.field == field, error


# -- Eq / Ne: JSON equality ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stored", "equal"),
    [
        (1, 1, True),
        (1, 1.0, True),
        (1.0, 1, True),
        (0, -0.0, True),
        (2.5, 2.5, True),
        (1, 2, False),
        (True, True, True),
        (False, False, True),
        (True, 1, False),
        (1, True, False),
        (False, 0, False),
        (0, False, False),
        (1.0, True, False),
        (True, False, False),
        ("1", 1, False),
        (1, "1", False),
        ("a", "A", False),
        ("", "", True),
        (None, None, True),
        (None, 0, False),
        (None, False, False),
        (None, "", False),
        (None, [], False),
        (0, None, False),
        ([], [], True),
        ([], {}, False),
        ([1, 2], [1, 2], True),
        ([1, 2], [2, 1], False),
        ([1, 2], [1, 2, 3], False),
        ([1], [True], False),
        ([True], [1], False),
        ([1.0, "a"], [1, "a"], True),
        ((1, 2), [1, 2], True),
        ([[1]], [[1.0]], True),
        ([[1]], [[True]], False),
        ({"a": 1}, {"a": 1.0}, True),
        ({"a": 1}, {"a": True}, False),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
        ({"a": [1, {"b": None}]}, {"a": [1.0, {"b": None}]}, True),
        ({"a": [1, {"b": None}]}, {"a": [1.0, {"b": False}]}, False),
        ({}, {}, True),
        ({}, [], False),
    ],
)
def test_eq_and_ne_use_json_equality(value: Any, stored: Any, equal: bool) -> None:
    md = {"f": stored}
    assert Eq("f", value).matches(md) is equal
    assert Ne("f", value).matches(md) is not equal


def test_eq_on_null_is_not_a_test_for_missing() -> None:
    assert Eq("f", None).matches({"f": None})
    assert not Eq("f", None).matches({})
    assert not Eq("f", None).matches(None)
    assert Ne("f", None).matches({})


# -- dotted paths ----------------------------------------------------------------

NESTED = {
    "source": {"kind": "web", "meta": {"depth": 2, "tags": ["x", "y"]}},
    "a.b": "literal",
    "a": {"b": "nested", "c": 3},
    "x": 5,
    "n": None,
    "list": [{"k": 1}],
}


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (Eq("source.kind", "web"), True),
        (Eq("source.kind", "file"), False),
        (Eq("source.meta.depth", 2), True),
        (Gt("source.meta.depth", 1), True),
        (Contains("source.meta.tags", "y"), True),
        (Eq("source", {"kind": "web", "meta": {"depth": 2, "tags": ["x", "y"]}}), True),
        (Eq("source.meta", {"depth": 2.0, "tags": ["x", "y"]}), True),
        # the literal key "a.b" is found before the path a -> b
        (Eq("a.b", "literal"), True),
        (Eq("a.b", "nested"), False),
        (Like("a.b", "lit%"), True),
        # the path is still followed where no literal key matches
        (Eq("a.c", 3), True),
        # through a non-object, or past the end, nothing is found
        (Exists("x.y"), False),
        (Eq("x.y", None), False),
        (Exists("source.kind.x"), False),
        (Exists("n.x"), False),
        (Exists("source.nope"), False),
        (Exists("nope.kind"), False),
        # lists are values, not path steps
        (Exists("list.0"), False),
        (Exists("list.0.k"), False),
        (Exists("source.meta.tags.0"), False),
    ],
)
def test_dotted_paths(flt: MetadataFilter, expected: bool) -> None:
    assert flt.matches(NESTED) is expected


def test_literal_dotted_key_wins_even_when_null() -> None:
    md = {"a.b": None, "a": {"b": 1}}
    assert Eq("a.b", None).matches(md)
    assert not Eq("a.b", 1).matches(md)
    assert Exists("a.b").matches(md)


def test_dotted_path_when_no_literal_key() -> None:
    md = {"a": {"b": {"c": [1, 2]}}}
    assert Eq("a.b.c", [1, 2]).matches(md)
    assert Contains("a.b.c", 2).matches(md)
    assert Exists("a.b").matches(md)
    assert not Exists("a.c").matches(md)


# -- missing fields and metadata None -----------------------------------------

POSITIVE_ON_MISSING: list[MetadataFilter] = [
    Eq("absent", 1),
    Eq("absent", None),
    Gt("absent", 0),
    Gte("absent", 0),
    Lt("absent", 0),
    Lte("absent", ""),
    In("absent", [None, 1, "a"]),
    Contains("absent", "a"),
    Like("absent", "%"),
    Like("absent", "%", case_sensitive=False),
    Exists("absent"),
    Exists("absent.deeper"),
    Eq("other.absent", 1),
]


@pytest.mark.parametrize("md", [{}, {"other": 1, "absentx": 1}, None])
@pytest.mark.parametrize("flt", POSITIVE_ON_MISSING, ids=repr)
def test_missing_field_matches_only_ne_and_not(
    flt: MetadataFilter, md: dict[str, Any] | None
) -> None:
    assert not flt.matches(md)
    assert Not(flt).matches(md)
    assert (~flt).matches(md)
    assert not Not(Not(flt)).matches(md)


@pytest.mark.parametrize("md", [{}, {"other": 1}, None])
@pytest.mark.parametrize("value", [1, None, "a", [1], {"k": 1}, True])
def test_missing_field_matches_ne(value: Any, md: dict[str, Any] | None) -> None:
    assert Ne("absent", value).matches(md)
    assert not Not(Ne("absent", value)).matches(md)


def test_metadata_none_against_combinators() -> None:
    assert And([]).matches(None)
    assert not Or([]).matches(None)
    assert Or([Eq("a", 1), Ne("a", 1)]).matches(None)
    assert not And([Eq("a", 1), Ne("a", 1)]).matches(None)


# -- ordering -----------------------------------------------------------------

ORDER_OPS: dict[type[MetadataFilter], Callable[[Any, Any], bool]] = {
    Gt: lambda a, b: a > b,
    Gte: lambda a, b: a >= b,
    Lt: lambda a, b: a < b,
    Lte: lambda a, b: a <= b,
}


@pytest.mark.parametrize(
    ("cls", "value", "stored", "expected"),
    [
        (Gt, 1, 2, True),
        (Gt, 2, 2, False),
        (Gt, 2, 2.0, False),
        (Gt, 2, 1, False),
        (Gt, 1.5, 2, True),
        (Gt, -1, 0, True),
        (Gte, 2, 2, True),
        (Gte, 2.0, 2, True),
        (Gte, 2, 1.999, False),
        (Lt, 2, 1, True),
        (Lt, 2, 2, False),
        (Lt, 0, -0.5, True),
        (Lte, 2, 2.0, True),
        (Lte, 2, 3, False),
        (Gt, "a", "b", True),
        (Gt, "a", "ab", True),
        (Gt, "b", "a", False),
        (Gt, "a", "B", False),  # code point order: "B" < "a"
        (Lt, "9", "10", True),  # strings compare as strings
        (Gte, "", "", True),
        (Lte, "abc", "abc", True),
        (Lt, "é", "z", True),  # code point order: "z" < "é"
        (Gt, 9, 10, True),  # numbers compare as numbers
    ],
)
def test_ordering_within_a_type(
    cls: type[MetadataFilter], value: Any, stored: Any, expected: bool
) -> None:
    flt = cls("f", value)  # type: ignore[call-arg]
    assert flt.matches({"f": stored}) is expected
    assert Not(flt).matches({"f": stored}) is not expected


@pytest.mark.parametrize("cls", [Gt, Gte, Lt, Lte])
@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (1, "1"),
        (1, "2"),
        ("1", 1),
        ("1", 0),
        (0, True),
        (0, False),
        (1, True),
        (1, False),
        (0, None),
        ("", None),
        (0, [1]),
        (0, [-1]),
        ("a", ["b"]),
        (0, {"x": 1}),
        ("", {}),
    ],
)
def test_ordering_across_types_never_matches(
    cls: type[MetadataFilter], value: Any, stored: Any
) -> None:
    flt = cls("f", value)  # type: ignore[call-arg]
    assert not flt.matches({"f": stored})
    assert Not(flt).matches({"f": stored})


numbers = st.integers(-(10**6), 10**6) | st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
short_text = st.text(alphabet="aAbB0é", max_size=4)


@given(value=numbers, stored=numbers, cls=st.sampled_from(sorted(ORDER_OPS, key=str)))
def test_ordering_numbers_agrees_with_python(
    value: float, stored: float, cls: type[MetadataFilter]
) -> None:
    flt = cls("f", value)  # type: ignore[call-arg]
    assert flt.matches({"f": stored}) is ORDER_OPS[cls](stored, value)


@given(value=short_text, stored=short_text, cls=st.sampled_from(sorted(ORDER_OPS, key=str)))
def test_ordering_strings_agrees_with_python(
    value: str, stored: str, cls: type[MetadataFilter]
) -> None:
    flt = cls("f", value)  # type: ignore[call-arg]
    assert flt.matches({"f": stored}) is ORDER_OPS[cls](stored, value)


@given(value=numbers | short_text, stored=numbers | short_text)
def test_ordering_trichotomy(value: Any, stored: Any) -> None:
    md = {"f": stored}
    results = [Lt("f", value).matches(md), Eq("f", value).matches(md), Gt("f", value).matches(md)]
    if isinstance(value, str) == isinstance(stored, str):
        assert results.count(True) == 1
        assert Lte("f", value).matches(md) == (results[0] or results[1])
        assert Gte("f", value).matches(md) == (results[1] or results[2])
    else:
        assert results == [False, False, False]
        assert not Lte("f", value).matches(md)
        assert not Gte("f", value).matches(md)


# -- Contains -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stored", "expected"),
    [
        ("ell", "hello", True),
        ("hello", "hello", True),
        ("", "hello", True),
        ("", "", True),
        ("x", "hello", False),
        ("Ell", "hello", False),
        ("hello!", "hello", False),
        (1, "1", False),
        (None, "None", False),
        ("a", ["a", "b"], True),
        ("a", ["abc"], False),  # membership, not substring of an element
        ("", ["a"], False),
        (1, [1.0, 2], True),
        (1.0, [1], True),
        (True, [1], False),
        (1, [True], False),
        (None, [None], True),
        (None, [], False),
        ([1], [[1], 2], True),
        ([1], [1], False),
        ({"k": 1}, [{"k": 1.0}], True),
        ({"k": 1}, [{"k": True}], False),
        ("a", {"a": 1}, False),  # an object is not searched by key
        (2, 123, False),
        ("a", None, False),
        (True, True, False),
    ],
)
def test_contains(value: Any, stored: Any, expected: bool) -> None:
    assert Contains("f", value).matches({"f": stored}) is expected


@given(needle=short_text, hay=short_text)
def test_contains_string_is_substring(needle: str, hay: str) -> None:
    assert Contains("f", needle).matches({"f": hay}) is (needle in hay)


# -- In -----------------------------------------------------------------------

MIXED = In("f", ["a", 1, True, None, [1], {"k": "v"}])


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("a", True),
        (1, True),
        (1.0, True),
        (True, True),
        (None, True),
        ([1], True),
        ([1.0], True),
        ({"k": "v"}, True),
        ("b", False),
        ("A", False),
        ("1", False),
        ("True", False),
        (2, False),
        (False, False),
        (0, False),
        ([True], False),
        ([1, 1], False),
        ([], False),
        ({"k": "w"}, False),
        ({}, False),
    ],
)
def test_in_mixed_types(stored: Any, expected: bool) -> None:
    assert MIXED.matches({"f": stored}) is expected


def test_in_keeps_true_and_one_apart() -> None:
    assert not In("f", [1]).matches({"f": True})
    assert not In("f", [True]).matches({"f": 1})
    assert not In("f", [0]).matches({"f": False})
    assert In("f", [1.0]).matches({"f": 1})
    assert not In("f", ["1"]).matches({"f": 1})
    assert not In("f", [1]).matches({"f": "1"})


def test_in_empty_and_tuple() -> None:
    assert not In("f", []).matches({"f": None})
    flt = In("f", ("x", 2))
    assert flt.values == ("x", 2)
    assert flt == In("f", ["x", 2])
    assert flt.matches({"f": 2.0})
    assert flt.to_dict() == {"op": "in", "field": "f", "values": ["x", 2]}


# -- Like ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("abc", "abc", True),
        ("abc", "abcd", False),  # the whole string, not a prefix
        ("abc", "xabc", False),
        ("", "", True),
        ("", "a", False),
        ("%", "", True),
        ("%", "anything at all", True),
        ("%%", "", True),
        ("a%", "a", True),
        ("a%", "abc", True),
        ("a%", "ba", False),
        ("%c", "abc", True),
        ("%c", "abcd", False),
        ("%b%", "abc", True),
        ("%b%", "ac", False),
        ("a%b%c", "aXbYc", True),
        ("a%b%c", "acb", False),
        ("_", "", False),
        ("_", "a", True),
        ("_", "ab", False),
        ("__", "a", False),
        ("a_c", "abc", True),
        ("a_c", "ac", False),
        ("_%", "", False),
        ("_%", "a", True),
        ("%_", "ab", True),
        # escapes
        ("a\\%", "a%", True),
        ("a\\%", "ab", False),
        ("a\\%", "a", False),
        ("a\\_", "a_", True),
        ("a\\_", "ab", False),
        ("a\\\\", "a\\", True),
        ("a\\\\%", "a\\bc", True),
        ("\\a", "a", True),  # an escaped ordinary character is itself
        ("a\\", "a\\", True),  # a trailing backslash is a literal backslash
        ("a\\", "a", False),
        ("100\\%%", "100% sure", True),
        ("100\\%%", "1000", False),
        # regex metacharacters are literal
        (".*", "abc", False),
        (".*", ".*", True),
        ("a.c", "abc", False),
        ("a.c", "a.c", True),
        ("[ab]", "a", False),
        ("[ab]", "[ab]", True),
        ("(x)|y", "y", False),
        ("(x)|y", "(x)|y", True),
        ("a+", "aa", False),
        ("^a$", "^a$", True),
        ("a{2}", "aa", False),
        ("$1", "$1", True),
        # one character is one code point, newlines included
        ("%", "line1\nline2", True),
        ("a_b", "a\nb", True),
        ("a%b", "a\n\nb", True),
        ("_", "é", True),
        ("_", "😀", True),
        ("__", "😀", False),
        # case sensitive by default
        ("ABC", "abc", False),
        ("a%", "Abc", False),
    ],
)
def test_like(pattern: str, text: str, expected: bool) -> None:
    assert Like("f", pattern).matches({"f": text}) is expected


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("ABC", "abc", True),
        ("abc", "ABC", True),
        ("a%Z", "AbCz", True),
        ("h_llo", "HELLO", True),
        ("é", "É", True),
        ("straße", "STRASSE", False),  # one character is not two
        ("a\\%", "A%", True),
        ("a\\%", "Ab", False),
        ("abc", "abd", False),
    ],
)
def test_like_case_insensitive(pattern: str, text: str, expected: bool) -> None:
    assert Like("f", pattern, case_sensitive=False).matches({"f": text}) is expected


@pytest.mark.parametrize("stored", [1, 1.0, True, None, ["a"], {"a": "a"}])
def test_like_only_on_strings(stored: Any) -> None:
    assert not Like("f", "%").matches({"f": stored})
    assert not Like("f", str(stored)).matches({"f": stored})


def test_like_many_wildcards_stays_fast() -> None:
    # a backtracking translation takes time exponential in the number of '%'
    pattern = "%a" * 25 + "%b"
    assert not Like("f", pattern).matches({"f": "a" * 200})
    assert Like("f", pattern).matches({"f": "a" * 200 + "b"})
    assert not Like("f", pattern, case_sensitive=False).matches({"f": "A" * 200})
    assert not Like("f", "%_a" * 20 + "%_b").matches({"f": "ab" * 100 + "a"})


def _like_reference(pattern: str, text: str) -> bool:
    """SQL LIKE by recursion over (pattern token, text position)."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 < len(pattern):
                tokens.append(("char", pattern[i + 1]))
                i += 2
                continue
            tokens.append(("char", "\\"))
        elif ch == "%":
            tokens.append(("run", ""))
        elif ch == "_":
            tokens.append(("one", ""))
        else:
            tokens.append(("char", ch))
        i += 1

    @functools.cache
    def match(t: int, s: int) -> bool:
        if t == len(tokens):
            return s == len(text)
        kind, ch = tokens[t]
        if kind == "run":
            return match(t + 1, s) or (s < len(text) and match(t, s + 1))
        if s == len(text):
            return False
        if kind == "one":
            return match(t + 1, s + 1)
        return text[s] == ch and match(t + 1, s + 1)

    return match(0, 0)


def _escape_like(text: str) -> str:
    return "".join("\\" + ch if ch in "%_\\" else ch for ch in text)


like_patterns = st.text(alphabet="ab%_\\\né", max_size=8)
like_texts = st.text(alphabet="ab%_\\\né", max_size=8)


@given(pattern=like_patterns, text=like_texts)
def test_like_agrees_with_reference(pattern: str, text: str) -> None:
    assert Like("f", pattern).matches({"f": text}) is _like_reference(pattern, text)


@given(pattern=st.text(alphabet="aAbB%_\\", max_size=8), text=st.text(alphabet="aAbB", max_size=8))
def test_like_case_insensitive_agrees_with_reference(pattern: str, text: str) -> None:
    flt = Like("f", pattern, case_sensitive=False)
    assert flt.matches({"f": text}) is _like_reference(pattern.lower(), text.lower())


@given(literal=like_texts, text=like_texts)
def test_like_escaped_literal_is_equality_and_contains(literal: str, text: str) -> None:
    md = {"f": text}
    assert Like("f", _escape_like(literal)).matches(md) is (literal == text)
    assert Like("f", "%" + _escape_like(literal) + "%").matches(md) is (literal in text)
    assert Like("f", _escape_like(literal) + "%").matches(md) is text.startswith(literal)


# -- Exists -------------------------------------------------------------------


@pytest.mark.parametrize("stored", [None, False, 0, "", [], {}, "x", [None]])
def test_exists_for_any_present_value(stored: Any) -> None:
    assert Exists("f").matches({"f": stored})
    assert Exists("a.f").matches({"a": {"f": stored}})
    assert not Not(Exists("f")).matches({"f": stored})


def test_exists_missing() -> None:
    assert not Exists("f").matches({})
    assert not Exists("f").matches(None)
    assert not Exists("f").matches({"F": 1, "g": {"f": 1}})
    assert Not(Exists("f")).matches(None)


# -- And / Or / Not and the operators ------------------------------------------


@pytest.mark.parametrize("md", [None, {}, {"a": 1}, {"a": None, "b": [1]}])
def test_empty_and_matches_all_empty_or_matches_none(md: dict[str, Any] | None) -> None:
    assert And([]).matches(md)
    assert not Or([]).matches(md)
    assert not Not(And([])).matches(md)
    assert Not(Or([])).matches(md)
    assert And([And([]), Not(Or([]))]).matches(md)


def test_combinators() -> None:
    md = {"a": 1, "b": "x"}
    yes, no = Eq("a", 1), Eq("b", "y")
    assert And([yes]).matches(md)
    assert not And([no]).matches(md)
    assert not And([yes, no]).matches(md)
    assert Or([no, yes]).matches(md)
    assert not Or([no, no]).matches(md)
    assert Not(no).matches(md)
    assert not Not(yes).matches(md)


def test_operators_build_the_combinators() -> None:
    a, b, c = Eq("a", 1), Gt("b", 2), Exists("c")
    assert (a & b) == And([a, b])
    assert (a | b) == Or([a, b])
    assert (~a) == Not(a)
    assert isinstance(a & b, And)
    assert isinstance(a | b, Or)
    assert isinstance(~a, Not)
    assert (a & b & c).matches({"a": 1, "b": 3, "c": None})
    assert not (a & b & c).matches({"a": 1, "b": 3})
    assert (a | b | c).matches({"c": 0})
    assert not (a | b | c).matches({"a": 2, "b": 1})
    assert (~a & ~b).matches({"a": 2, "b": 1})
    assert (~(a | b)).matches({})
    assert (~~a).matches({"a": 1.0})
    assert ((a & b) | c).matches({"c": 1})
    assert not (a & (b | c)).matches({"c": 1})


def test_builders() -> None:
    assert MetadataFilter.eq("a", 1) == Eq("a", 1)
    assert MetadataFilter.and_([Eq("a", 1)]) == And([Eq("a", 1)])
    assert MetadataFilter.or_([Eq("a", 1)]) == Or([Eq("a", 1)])


def test_compile_gives_a_reusable_predicate() -> None:
    flt = And([Gte("score", 0.5), In("lang", ["en", "fr"]), ~Exists("deleted")])
    test = flt.compile()
    rows: list[dict[str, Any] | None] = [
        {"score": 0.9, "lang": "en"},
        {"score": 0.4, "lang": "en"},
        {"score": 1, "lang": "de"},
        {"score": 0.7, "lang": "fr", "deleted": False},
        {"score": "0.9", "lang": "fr"},
        None,
    ]
    assert [test(r) for r in rows] == [True, False, False, False, False, False]
    assert [flt.matches(r) for r in rows] == [test(r) for r in rows]


def test_filters_are_immutable() -> None:
    flt = Eq("a", 1)
    with pytest.raises(AttributeError):
        flt.field = "b"  # type: ignore[misc]
    group = And([flt])
    assert isinstance(group.filters, tuple)


# -- dict form ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("flt", "data"),
    [
        (Eq("model", "gpt-4"), {"op": "eq", "field": "model", "value": "gpt-4"}),
        (Ne("a", None), {"op": "ne", "field": "a", "value": None}),
        (Gt("a", 1), {"op": "gt", "field": "a", "value": 1}),
        (Gte("a", 1.5), {"op": "gte", "field": "a", "value": 1.5}),
        (Lt("a", "m"), {"op": "lt", "field": "a", "value": "m"}),
        (Lte("a", 0), {"op": "lte", "field": "a", "value": 0}),
        (In("a", [1, "x"]), {"op": "in", "field": "a", "values": [1, "x"]}),
        (Contains("tags", "ml"), {"op": "contains", "field": "tags", "value": "ml"}),
        (Like("a", "x%"), {"op": "like", "field": "a", "pattern": "x%"}),
        (
            Like("a", "x%", case_sensitive=False),
            {"op": "like", "field": "a", "pattern": "x%", "case_sensitive": False},
        ),
        (Exists("a.b"), {"op": "exists", "field": "a.b"}),
        (And([]), {"op": "and", "filters": []}),
        (
            Or([Eq("a", 1), Not(Exists("b"))]),
            {
                "op": "or",
                "filters": [
                    {"op": "eq", "field": "a", "value": 1},
                    {"op": "not", "filter": {"op": "exists", "field": "b"}},
                ],
            },
        ),
    ],
)
def test_dict_form(flt: MetadataFilter, data: dict[str, Any]) -> None:
    assert flt.to_dict() == data
    assert MetadataFilter.from_dict(data) == flt
    assert json.loads(json.dumps(data)) == data


def test_from_dict_accepts_explicit_case_sensitive_and_ignores_extra_keys() -> None:
    data = {"op": "like", "field": "a", "pattern": "x", "case_sensitive": True}
    assert MetadataFilter.from_dict(data) == Like("a", "x")
    assert MetadataFilter.from_dict({"op": "exists", "field": "a", "note": 1}) == Exists("a")


def test_every_op_is_registered() -> None:
    for op, cls in ALL_OPS.items():
        assert cls.op == op
    with pytest.raises(ValidationError) as excinfo:
        MetadataFilter.from_dict({"op": "equals"})
    expected = excinfo.value.expected
    assert expected is not None
    assert set(ALL_OPS) <= set(expected.split(", "))


# -- random filters and metadata ----------------------------------------------

FIELDS = st.sampled_from(["a", "b", "c", "a.b", "b.a", "a.b.c"])
SCALARS = st.sampled_from(
    [None, True, False, 0, 1, 1.0, 2, -1.5, 0.5, "", "a", "b", "ab", "B", "a%", "é"]
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "c"]), children, max_size=3)
    ),
    max_leaves=6,
)
ORDERABLE = st.sampled_from([0, 1, 1.0, 2, -1.5, 0.5, "", "a", "b", "ab", "B"])
PATTERNS = st.text(alphabet="abB%_\\", max_size=5)
METADATA = st.none() | st.dictionaries(
    st.sampled_from(["a", "b", "c", "a.b", "b.a"]), JSON_VALUES, max_size=4
)

LEAVES = st.one_of(
    st.builds(Eq, FIELDS, JSON_VALUES),
    st.builds(Ne, FIELDS, JSON_VALUES),
    st.builds(Contains, FIELDS, JSON_VALUES),
    st.builds(Gt, FIELDS, ORDERABLE),
    st.builds(Gte, FIELDS, ORDERABLE),
    st.builds(Lt, FIELDS, ORDERABLE),
    st.builds(Lte, FIELDS, ORDERABLE),
    st.builds(In, FIELDS, st.lists(JSON_VALUES, max_size=4)),
    st.builds(Like, FIELDS, PATTERNS, st.booleans()),
    st.builds(Exists, FIELDS),
)
FILTERS: st.SearchStrategy[MetadataFilter] = st.recursive(
    LEAVES,
    lambda children: (
        st.lists(children, max_size=3).map(And)
        | st.lists(children, max_size=3).map(Or)
        | children.map(Not)
    ),
    max_leaves=8,
)


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, allow_nan=False)


@given(flt=FILTERS, mds=st.lists(METADATA, min_size=1, max_size=4))
def test_dict_round_trip(flt: MetadataFilter, mds: list[dict[str, Any] | None]) -> None:
    data = flt.to_dict()
    again = MetadataFilter.from_dict(data)
    assert again == flt
    # the dataclass equality says True == 1; the JSON text does not
    assert _canonical(again.to_dict()) == _canonical(data)
    via_json = MetadataFilter.from_dict(json.loads(_canonical(data)))
    assert via_json == flt
    for md in mds:
        assert again.matches(md) is flt.matches(md)
        assert via_json.matches(md) is flt.matches(md)


@given(a=FILTERS, b=FILTERS, md=METADATA)
def test_de_morgan(a: MetadataFilter, b: MetadataFilter, md: dict[str, Any] | None) -> None:
    assert (~(a & b)).matches(md) is (~a | ~b).matches(md)
    assert (~(a | b)).matches(md) is (~a & ~b).matches(md)


@given(flt=FILTERS, md=METADATA)
def test_not_inverts(flt: MetadataFilter, md: dict[str, Any] | None) -> None:
    result = flt.matches(md)
    assert isinstance(result, bool)
    assert Not(flt).matches(md) is (not result)
    assert (~~flt).matches(md) is result
    assert flt.compile()(md) is result


@given(parts=st.lists(FILTERS, max_size=4), md=METADATA)
def test_and_or_agree_with_all_any(parts: list[MetadataFilter], md: dict[str, Any] | None) -> None:
    results = [p.matches(md) for p in parts]
    assert And(parts).matches(md) is all(results)
    assert Or(parts).matches(md) is any(results)


@given(field=FIELDS, value=JSON_VALUES, md=METADATA)
def test_ne_is_not_eq(field: str, value: Any, md: dict[str, Any] | None) -> None:
    assert Ne(field, value).matches(md) is (not Eq(field, value).matches(md))


@given(field=FIELDS, values=st.lists(JSON_VALUES, max_size=5), md=METADATA)
def test_in_is_any_eq(field: str, values: list[Any], md: dict[str, Any] | None) -> None:
    assert In(field, values).matches(md) is any(Eq(field, v).matches(md) for v in values)


@given(value=JSON_VALUES)
def test_eq_is_reflexive(value: Any) -> None:
    assert Eq("f", value).matches({"f": value})
    assert Eq("f", value).matches({"f": json.loads(json.dumps(value))})
    assert Eq("x.f", value).matches({"x": {"f": value}})
    assert In("f", [value]).matches({"f": value})
    assert Contains("f", value).matches({"f": [0, value]})


@given(leaf=LEAVES, md=METADATA)
def test_leaves_on_a_missing_field(leaf: MetadataFilter, md: dict[str, Any] | None) -> None:
    field = leaf.field  # type: ignore[attr-defined]
    if Exists(field).matches(md):
        return
    assert leaf.matches(md) is isinstance(leaf, Ne)


# -- bad input ----------------------------------------------------------------

FIELD_MAKERS: list[Callable[[Any], MetadataFilter]] = [
    lambda f: Eq(f, 1),
    lambda f: Ne(f, 1),
    lambda f: Gt(f, 1),
    lambda f: Gte(f, 1),
    lambda f: Lt(f, "a"),
    lambda f: Lte(f, "a"),
    lambda f: In(f, [1]),
    lambda f: Contains(f, "a"),
    lambda f: Like(f, "a"),
    Exists,
]


@pytest.mark.parametrize("make", FIELD_MAKERS)
@pytest.mark.parametrize("field", ["", None, 1, b"a", ["a"], ("a",)])
def test_bad_field(make: Callable[[Any], MetadataFilter], field: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make(field)
    _validation_error(excinfo, "filter.field")
    assert excinfo.value.actual == repr(field)


@pytest.mark.parametrize("cls", [Eq, Ne, Contains])
@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        (object(), "object"),
        ({1, 2}, "set"),
        (frozenset(), "frozenset"),
        (b"bytes", "bytes"),
        (bytearray(b"x"), "bytearray"),
        ({1: "a"}, "dict"),
        ([1, object()], "object"),
        ({"k": {1}}, "set"),
        ([[b"x"]], "bytes"),
        (1j, "complex"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        ([float("-inf")], "-inf"),
    ],
)
def test_non_json_value(cls: type[MetadataFilter], value: Any, type_name: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        cls("f", value)  # type: ignore[call-arg]
    _validation_error(excinfo, "filter.value")
    assert type_name in (excinfo.value.actual or "")


@pytest.mark.parametrize("cls", [Gt, Gte, Lt, Lte])
@pytest.mark.parametrize(
    "value", [[1], [], None, True, False, {"a": 1}, object(), b"a", float("nan"), float("inf")]
)
def test_ordering_needs_a_number_or_string(cls: type[MetadataFilter], value: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        cls("f", value)  # type: ignore[call-arg]
    _validation_error(excinfo, "filter.value")
    assert excinfo.value.expected == "number or string"


@pytest.mark.parametrize(
    "values", ["abc", "", b"ab", {1, 2}, {"a": 1}, 5, None, Eq("a", 1), [1, object()], [{1}]]
)
def test_in_needs_a_list_of_json_values(values: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        In("f", values)
    _validation_error(excinfo, "filter.values")


@pytest.mark.parametrize("pattern", [1, None, b"a%", ["a"], True])
def test_like_needs_a_string_pattern(pattern: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Like("f", pattern)
    _validation_error(excinfo, "filter.pattern")


@pytest.mark.parametrize("case", ["no", 0, 1, None])
def test_like_case_sensitive_must_be_a_bool(case: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Like("f", "a", case_sensitive=case)
    _validation_error(excinfo, "filter.case_sensitive")


@pytest.mark.parametrize("cls", [And, Or])
@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ([Eq("a", 1), "x"], "filter.filters[1]"),
        ([{"op": "eq", "field": "a", "value": 1}], "filter.filters[0]"),
        ([Eq("a", 1), Exists("b"), None], "filter.filters[2]"),
        ("abc", "filter.filters"),
        (None, "filter.filters"),
        (Eq("a", 1), "filter.filters"),
        ({Eq("a", 1).field}, "filter.filters"),
    ],
)
def test_combinator_needs_filters(cls: type[MetadataFilter], filters: Any, field: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        cls(filters)  # type: ignore[call-arg]
    _validation_error(excinfo, field)


def test_operators_with_a_non_filter() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Eq("a", 1) & "b"  # type: ignore[operator]
    _validation_error(excinfo, "filter.filters[1]")
    with pytest.raises(ValidationError) as excinfo:
        Eq("a", 1) | {"op": "exists", "field": "b"}  # type: ignore[operator]
    _validation_error(excinfo, "filter.filters[1]")


@pytest.mark.parametrize("inner", ["x", None, {"op": "exists", "field": "a"}, [Eq("a", 1)]])
def test_not_needs_a_filter(inner: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Not(inner)
    _validation_error(excinfo, "filter.filter")


@pytest.mark.parametrize("data", [[], "eq", None, 1, [("op", "eq")]])
def test_from_dict_needs_an_object(data: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        MetadataFilter.from_dict(data)
    _validation_error(excinfo, "filter")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "filter.op"),
        ({"op": "equals", "field": "a", "value": 1}, "filter.op"),
        ({"op": "EQ", "field": "a", "value": 1}, "filter.op"),
        ({"op": "", "field": "a", "value": 1}, "filter.op"),
        ({"op": 1}, "filter.op"),
        ({"op": None}, "filter.op"),
        ({"op": ["eq"]}, "filter.op"),
        ({"op": "eq", "value": 1}, "filter.field"),
        ({"op": "eq", "field": "a"}, "filter.value"),
        ({"op": "gt", "field": "a"}, "filter.value"),
        ({"op": "contains", "value": 1}, "filter.field"),
        ({"op": "in", "field": "a"}, "filter.values"),
        ({"op": "in", "field": "a", "value": [1]}, "filter.values"),
        ({"op": "like", "field": "a"}, "filter.pattern"),
        ({"op": "like", "pattern": "a"}, "filter.field"),
        ({"op": "exists"}, "filter.field"),
        ({"op": "and"}, "filter.filters"),
        ({"op": "or"}, "filter.filters"),
        ({"op": "not"}, "filter.filter"),
        ({"op": "and", "filters": {}}, "filter.filters"),
        ({"op": "or", "filters": "x"}, "filter.filters"),
        (
            {"op": "like", "field": "a", "pattern": "b", "case_sensitive": "no"},
            "filter.case_sensitive",
        ),
        ({"op": "eq", "field": "", "value": 1}, "filter.field"),
        ({"op": "eq", "field": 1, "value": 1}, "filter.field"),
        ({"op": "gt", "field": "a", "value": [1]}, "filter.value"),
        ({"op": "in", "field": "a", "values": "ab"}, "filter.values"),
        ({"op": "like", "field": "a", "pattern": 5}, "filter.pattern"),
    ],
)
def test_from_dict_bad_input(data: Any, field: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        MetadataFilter.from_dict(data)
    _validation_error(excinfo, field)


NESTED_BAD: list[tuple[dict[str, Any], str]] = [
    ({"op": "and", "filters": [{"op": "bogus"}]}, "filter.filters[0].op"),
    (
        {"op": "and", "filters": [{"op": "eq", "field": "a", "value": 1}, {}]},
        "filter.filters[1].op",
    ),
    ({"op": "or", "filters": [7]}, "filter.filters[0]"),
    ({"op": "not", "filter": "x"}, "filter.filter"),
    ({"op": "not", "filter": {"op": "nope"}}, "filter.filter.op"),
    (
        {
            "op": "or",
            "filters": [
                {"op": "eq", "field": "a", "value": 1},
                {"op": "not", "filter": {"op": "eq", "field": "a"}},
            ],
        },
        "filter.filters[1].filter.value",
    ),
    ({"op": "and", "filters": [{"op": "and", "filters": [1]}]}, "filter.filters[0].filters[0]"),
    ({"op": "and", "filters": [{"op": "or"}]}, "filter.filters[0].filters"),
    # the constructors' own checks, named where they sit in the tree
    ({"op": "and", "filters": [{"op": "eq", "field": "", "value": 1}]}, "filter.filters[0].field"),
    ({"op": "not", "filter": {"op": "gt", "field": "a", "value": [1]}}, "filter.filter.value"),
    (
        {
            "op": "or",
            "filters": [
                {"op": "exists", "field": "a"},
                {"op": "in", "field": "a", "values": "ab"},
            ],
        },
        "filter.filters[1].values",
    ),
    (
        {"op": "or", "filters": [{"op": "like", "field": "a", "pattern": 1}]},
        "filter.filters[0].pattern",
    ),
    (
        {"op": "and", "filters": [{"op": "not", "filter": {"op": "exists", "field": 3}}]},
        "filter.filters[0].filter.field",
    ),
    (
        {
            "op": "and",
            "filters": [
                {"op": "and", "filters": []},
                {
                    "op": "and",
                    "filters": [{"op": "like", "field": "a", "pattern": "x", "case_sensitive": 1}],
                },
            ],
        },
        "filter.filters[1].filters[0].case_sensitive",
    ),
]


@pytest.mark.parametrize(("data", "field"), NESTED_BAD)
def test_from_dict_nested_errors_name_the_path(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        MetadataFilter.from_dict(data)
    _validation_error(excinfo, field)


def test_from_dict_custom_root_name() -> None:
    with pytest.raises(ValidationError) as excinfo:
        MetadataFilter.from_dict({"op": "and", "filters": [{"op": "x"}]}, "search.filter")
    _validation_error(excinfo, "search.filter.filters[0].op")
    with pytest.raises(ValidationError) as excinfo:
        MetadataFilter.from_dict({"op": "eq", "field": "", "value": 1}, "search.filter")
    _validation_error(excinfo, "search.filter.field")
    with pytest.raises(ValidationError) as excinfo:
        MetadataFilter.from_dict("x", "search.filter")  # type: ignore[arg-type]
    _validation_error(excinfo, "search.filter")
