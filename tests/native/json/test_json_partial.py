"""parse_partial and PartialJsonParser: best-effort values of incomplete JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra_portable.errors import SerializationError, ValidationError
from infra_portable.json._partial import PartialJsonParser, parse_partial

MISSING: Any = object()

DOCS = [
    '{"a": 1, "b": [true, false, null], "c": {"d": "e\\"f\\\\g\\/h\\b\\f\\n\\r\\t"}}',
    "[1, -2, 3.25, -0.5e-10, 6E+3, 0, -0, 1e400, 12345678901234567890, 0.0]",
    '"\\ud83d\\ude00 \\u00e9 \u20ac \U0001f600 \\u0000 \\uD834\\uDD1E \\\\ud83d"',
    json.dumps({"k": [{"x": [1.5e-7, "y"]}, {}], "e": "", "n": None, "t": True}, indent=2),
    "  [ ]  ",
    "{}",
    "true",
    "false",
    "null",
    "-12.5e3",
    "0",
    '"plain"',
    '[[[[]]], {"x": [{}, {"y": null}]}, "]"]',
]


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def grows(before: Any, after: Any) -> bool:
    """Whether ``after`` extends ``before``: what was shown stays, except a last number."""
    if is_number(before) and is_number(after):
        return True  # "12" may become "123" or "12.5"
    if type(before) is not type(after):
        return False
    if isinstance(before, str):
        return bool(after.startswith(before))
    if isinstance(before, list):
        return len(after) >= len(before) and all(map(grows, before, after))
    if isinstance(before, dict):
        return before.keys() <= after.keys() and all(grows(before[k], after[k]) for k in before)
    return bool(before == after)


def check_prefixes(doc: str) -> None:
    """Every prefix parses; shown values only grow; the whole doc is json.loads(doc)."""
    previous = MISSING
    for i in range(len(doc) + 1):
        value = parse_partial(doc[:i], default=MISSING)
        if previous is not MISSING:
            assert value is not MISSING, doc[:i]
            assert grows(previous, value), (doc[:i], previous, value)
        previous = value
    assert previous == json.loads(doc)


# -- the documented rules ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1, "b', {"a": 1}),
        ('{"a": 1, "b"', {"a": 1}),
        ('{"a": 1, "b": ', {"a": 1}),
        ('{"a": 1, "b": "', {"a": 1, "b": ""}),
        ('{"a": 1, "b": "xy', {"a": 1, "b": "xy"}),
        ('{"a": [1, {"b": [', {"a": [1, {"b": []}]}),
        ('{"a": -', {}),
        ("[1, 2", [1, 2]),
        ("[1, 2,", [1, 2]),
        ("[1, 2, -", [1, 2]),
        ("12.", 12),
        ("-0.", 0),
        ("1e", 1),
        ("1.5e-", 1.5),
        ("[t", [True]),
        ("[fal", [False]),
        ("nul", None),
        ('"ab\\u00', "ab"),
        ('"ab\\', "ab"),
        ('"\\ud83d', ""),
        ('"\\ud83d\\ude', ""),
        ('"\\ud83d\\ude00', "\U0001f600"),
        ('"\\ud83dx', "\ud83dx"),
        ('"\\\\ud83d', "\\ud83d"),
        ('["a\\nb', ["a\nb"]),
    ],
)
def test_rules(text: str, expected: Any) -> None:
    value = parse_partial(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("text", ["", "   \n\t", "-"])
def test_no_value_yet_gives_default(text: str) -> None:
    assert parse_partial(text) is None
    assert parse_partial(text, default=MISSING) is MISSING
    assert parse_partial("null", default=MISSING) is None


def test_complete_documents_equal_json_loads() -> None:
    for doc in DOCS:
        assert parse_partial(doc) == json.loads(doc)


@pytest.mark.parametrize("doc", DOCS)
def test_every_prefix_of_representative_documents(doc: str) -> None:
    check_prefixes(doc)


# -- malformed input -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("[1,]", 1, 4, "trailing comma"),
        ('{"a": 1,}', 1, 9, "trailing comma"),
        ('{"a" 1}', 1, 6, "':'"),
        ("01", 1, 2, "invalid number"),
        ("[1, 01", 1, 6, "invalid number"),
        ("1.e5", 1, 3, "invalid number"),
        ("[1.]", 1, 4, "incomplete number"),
        ("NaN", 1, 1, "NaN"),
        ("[1, -Infinity]", 1, 5, "NaN"),
        ("[1 2]", 1, 4, "','"),
        ("{'a': 1}", 1, 2, "string key"),
        ("{1: 2}", 1, 2, "string key"),
        ('"a\tb"', 1, 3, "control character"),
        ('"\\x"', 1, 2, "escape"),
        ('"\\u12x4"', 1, 2, "escape"),
        ("[1] x", 1, 5, "after the JSON value"),
        ("trux", 1, 1, "literal"),
        ("[nul]", 1, 2, "literal"),
        ("[}", 1, 2, "expected a value"),
        ("]", 1, 1, "expected a value"),
        ('{\n  "a": [\n    1,\n  }', 4, 3, "expected a value"),
    ],
)
def test_malformed_input_raises_with_position(
    text: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(SerializationError, match=message) as info:
        parse_partial(text)
    assert (info.value.line, info.value.column) == (line, column)
    lines = text.split("\n")
    assert info.value.offset == sum(len(x) + 1 for x in lines[: line - 1]) + column - 1


def test_malformed_input_fails_as_soon_as_it_is_seen() -> None:
    parser = PartialJsonParser()
    assert parser.feed('{"a": [1,') == {"a": [1]}
    with pytest.raises(SerializationError, match="trailing comma") as info:
        parser.feed("\n]")
    assert (info.value.line, info.value.column, info.value.offset) == (2, 1, 10)
    with pytest.raises(SerializationError, match="already failed"):
        parser.feed("}")
    with pytest.raises(SerializationError, match="already failed"):
        parser.close()


def test_depth_bomb_raises_quickly() -> None:
    with pytest.raises(SerializationError, match="max_depth=512") as info:
        parse_partial("[" * 100_000)
    assert info.value.offset == 512
    assert parse_partial("[" * 512) == json.loads("[" * 512 + "]" * 512)
    with pytest.raises(SerializationError, match="max_depth=2"):
        parse_partial('{"a": [[', max_depth=2)
    with pytest.raises(ValidationError):
        PartialJsonParser(max_depth=0)


def test_integer_beyond_python_digit_limit() -> None:
    with pytest.raises(SerializationError, match="4300"):
        parse_partial("[" + "1" * 5000 + "]")


# -- PartialJsonParser -------------------------------------------------------------


@pytest.mark.parametrize("doc", DOCS)
def test_parser_fed_one_char_at_a_time_matches_parse_partial(doc: str) -> None:
    parser = PartialJsonParser(default=MISSING)
    assert parser.value is MISSING
    for i in range(1, len(doc) + 1):
        assert parser.feed(doc[i - 1]) == parse_partial(doc[:i], default=MISSING)
    assert parser.close() == json.loads(doc)


def test_done_and_close() -> None:
    parser = PartialJsonParser()
    parser.feed('{"a": [1')
    done_before = parser.done
    parser.feed("]}")
    assert (done_before, parser.done) == (False, True)
    assert parser.close() == {"a": [1]}

    number = PartialJsonParser()
    number.feed("12")
    done_before = number.done  # False: "123" may follow
    assert number.close() == 12
    assert (done_before, number.done) == (False, True)

    spaced = PartialJsonParser()
    spaced.feed("12 ")
    assert spaced.done

    literal = PartialJsonParser()
    literal.feed("true")
    assert literal.done


@pytest.mark.parametrize("text", ["", "  ", "[1", '{"a": ', '"abc', "tru", "-", "1.", '"\\ud83d'])
def test_close_on_incomplete_input(text: str) -> None:
    parser = PartialJsonParser()
    parser.feed(text)
    with pytest.raises(SerializationError, match="unexpected end of input") as info:
        parser.close()
    assert (info.value.line, info.value.column, info.value.offset) == (1, len(text) + 1, len(text))


def test_results_are_snapshots() -> None:
    parser = PartialJsonParser()
    first = parser.feed('{"a": [1, 2')
    second = parser.feed(', 3], "b": "x')
    assert first == {"a": [1, 2]}
    assert second == {"a": [1, 2, 3], "b": "x"}
    assert parser.feed('y"}') == {"a": [1, 2, 3], "b": "xy"}
    assert second == {"a": [1, 2, 3], "b": "x"}


def test_long_string_in_many_chunks() -> None:
    parser = PartialJsonParser()
    parser.feed('{"text": "')
    for i in range(2000):
        assert parser.feed("ab\\n")["text"] == "ab\n" * (i + 1)
    assert parser.feed('"}') == {"text": "ab\n" * 2000}


# -- properties ----------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=10,
)
dump_options = st.fixed_dictionaries(
    {"indent": st.sampled_from([None, 1]), "ensure_ascii": st.booleans()}
)


@settings(max_examples=40)
@given(value=json_values, options=dump_options)
def test_every_prefix_of_random_documents(value: Any, options: dict[str, Any]) -> None:
    check_prefixes(json.dumps(value, **options))


@settings(max_examples=40)
@given(value=json_values, options=dump_options, data=st.data())
def test_parser_over_random_chunkings_matches_parse_partial(
    value: Any, options: dict[str, Any], data: st.DataObject
) -> None:
    doc = json.dumps(value, **options)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(doc)), max_size=8)))
    parser = PartialJsonParser(default=MISSING)
    fed = 0
    for cut in [*cuts, len(doc)]:
        value = parser.feed(doc[fed:cut])
        fed = cut
        assert value == parse_partial(doc[:cut], default=MISSING)
    assert parser.done or is_number(json.loads(doc))
    assert parser.close() == json.loads(doc)
