"""The codec contract: every codec gives the reference bytes and the same errors."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import importlib.util
import json
import math
import os
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra_portable import json as ij
from infra_portable.errors import SerializationError, ValidationError
from infra_portable.json import JsonCodec
from infra_portable.runtime import REGISTRY, current

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)


def reference(value: Any, *, pretty: bool = False, sort_keys: bool = False) -> bytes:
    if pretty:
        text = json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False, sort_keys=sort_keys)
    else:
        text = json.dumps(
            value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, sort_keys=sort_keys
        )
    return text.encode("utf-8")


FIXED_CASES: list[tuple[Any, str]] = [
    ({"b": 1, "a": [True, False, None]}, '{"b":1,"a":[true,false,null]}'),
    (
        [1e16, 1e-07, 1.5e300, 1e-05, 0.0001, -0.0, 5e-324],
        "[1e+16,1e-07,1.5e+300,1e-05,0.0001,-0.0,5e-324]",
    ),
    (
        [2**64, -(2**63) - 1, 10**30],
        "[18446744073709551616,-9223372036854775809,1000000000000000000000000000000]",
    ),
    ('é😀\u2028\x00\x1f"\\/\b\f\n\r\t', '"é😀\u2028\\u0000\\u001f\\"\\\\/\\b\\f\\n\\r\\t"'),
    ({1: "int key", "s": 2}, '{"1":"int key","s":2}'),
    ((1, 2), "[1,2]"),
    ({}, "{}"),
    ([], "[]"),
]


@pytest.mark.parametrize(("value", "expected"), FIXED_CASES)
def test_known_outputs(any_codec: JsonCodec, value: Any, expected: str) -> None:
    assert any_codec.dumps(value) == expected
    assert any_codec.dumpb(value) == expected.encode("utf-8")


def test_pretty_and_sorted(any_codec: JsonCodec) -> None:
    value = {"b": [1, {}], "a": {"y": None, "x": 1.5}}
    assert any_codec.dumps(value, pretty=True) == reference(value, pretty=True).decode()
    assert any_codec.dumps(value, sort_keys=True) == '{"a":{"x":1.5,"y":null},"b":[1,{}]}'
    assert (
        any_codec.dumps(value, pretty=True, sort_keys=True)
        == reference(value, pretty=True, sort_keys=True).decode()
    )


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, [1.0, math.nan], {"a": math.inf}])
def test_non_finite_numbers_are_rejected(any_codec: JsonCodec, bad: Any) -> None:
    with pytest.raises(SerializationError):
        any_codec.dumps(bad)


def test_lone_surrogates_are_rejected(any_codec: JsonCodec) -> None:
    with pytest.raises(SerializationError):
        any_codec.dumpb(["\ud800"])
    with pytest.raises(SerializationError):
        any_codec.dumps({"k": "\udfff"})


def test_unsupported_types_and_cycles_are_rejected(any_codec: JsonCodec) -> None:
    with pytest.raises(SerializationError, match="set"):
        any_codec.dumps({1, 2})
    with pytest.raises(SerializationError):
        any_codec.dumps(b"bytes")
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(SerializationError):
        any_codec.dumps(cyclic)


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    when: dt.date


def test_common_python_types_have_one_encoding(any_codec: JsonCodec) -> None:
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    value = {
        "colour": Colour.RED,
        "id": ident,
        "at": dt.datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=dt.UTC),
        "naive": dt.datetime(2026, 1, 2, 3, 4, 5),
        "point": Point(1, dt.date(2026, 1, 2)),
    }
    assert any_codec.dumps(value) == (
        '{"colour":"red","id":"12345678-1234-5678-1234-567812345678",'
        '"at":"2026-01-02T03:04:05.006000+00:00","naive":"2026-01-02T03:04:05",'
        '"point":{"x":1,"when":"2026-01-02"}}'
    )


@given(value=json_values, pretty=st.booleans(), sort_keys=st.booleans())
def test_every_codec_gives_the_reference_bytes(value: Any, pretty: bool, sort_keys: bool) -> None:
    expected = None
    with contextlib.suppress(UnicodeEncodeError):  # hypothesis text may hold lone surrogates
        expected = reference(value, pretty=pretty, sort_keys=sort_keys)
    for candidate in REGISTRY.explain("json"):
        if not candidate.available:
            continue
        codec: JsonCodec = REGISTRY.resolve("json", candidate.name)
        if expected is None:
            with pytest.raises(SerializationError):
                codec.dumpb(value, pretty=pretty, sort_keys=sort_keys)
        else:
            assert codec.dumpb(value, pretty=pretty, sort_keys=sort_keys) == expected, (
                candidate.name
            )
            assert codec.loads(expected) == value


@given(value=st.floats(allow_nan=False, allow_infinity=False))
def test_floats_round_trip_exactly(value: float) -> None:
    text = ij.dumps(value)
    assert text == repr(value)
    assert ij.loads(text) == value


# -- decoding ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"a": [1, 2.5, "x", null, true]}', {"a": [1, 2.5, "x", None, True]}),
        ("18446744073709551616", 2**64),
        ("-9223372036854775809", -(2**63) - 1),
        ("123456789012345678901234567890", 123456789012345678901234567890),
        ('"\\ud83d\\ude00"', "😀"),
        (" \n\t[1] \r\n", [1]),
        ('{"a":1,"a":2}', {"a": 2}),
        ("-0", 0),
        ("1E2", 100.0),
    ],
)
def test_decoding(any_codec: JsonCodec, text: str, value: Any) -> None:
    assert any_codec.loads(text) == value
    assert any_codec.loads(text.encode()) == value
    result = any_codec.loads(text)
    if isinstance(value, int):
        assert type(result) is int


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("NaN", None, None),
        ("[Infinity]", None, None),
        ("[-Infinity]", None, None),
        ("1e400", None, None),
        ("[1,]", 1, 4),
        ('{"a":1,}', 1, 8),
        ("[01]", 1, 3),
        ('"\x01"', 1, 2),
        ('{"a" 1}', 1, 6),
        ("", 1, 1),
        ("[1] [2]", 1, 5),
        ('{"a": 1,\n "b": }', 2, 7),
        ("\ufeff[1]", 1, 1),
        ("'single'", 1, 1),
    ],
)
def test_invalid_json_is_serialization_error_with_position(
    any_codec: JsonCodec, text: str, line: int | None, column: int | None
) -> None:
    with pytest.raises(SerializationError) as info:
        any_codec.loads(text)
    if line is not None and column is not None:
        assert info.value.line == line
        # CPython 3.13+ points at a trailing comma itself, earlier versions just past it.
        assert info.value.column in (column - 1, column)


def test_invalid_utf8_and_wrong_types(any_codec: JsonCodec) -> None:
    with pytest.raises(SerializationError, match="UTF-8"):
        any_codec.loads(b'["\xff"]')
    with pytest.raises(SerializationError):
        any_codec.loads(b'"\\ud800' + b'"'[:0])  # truncated string
    with pytest.raises(ValidationError):
        any_codec.loads(123)  # type: ignore[arg-type]


def test_lone_surrogate_escape_decodes_the_same_everywhere(any_codec: JsonCodec) -> None:
    assert any_codec.loads('"\\ud800"') == "\ud800"


def test_deep_nesting_fails_cleanly(any_codec: JsonCodec) -> None:
    with pytest.raises(SerializationError):
        any_codec.loads("[" * 100_000 + "]" * 100_000)


@given(value=json_values)
def test_parse_dumps_round_trip(value: Any) -> None:
    try:
        text = ij.dumps(value)
    except SerializationError:
        return  # lone surrogates cannot be encoded; covered above
    assert ij.loads(text) == value
    assert ij.loads(text.encode("utf-8")) == value


# -- choosing a codec ---------------------------------------------------------


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:  # the native-dependency blocker raises here
        return False


def test_default_codec_choice_matches_runtime() -> None:
    chosen = ij.codec().name
    expected = next((name for name in ("orjson", "ujson") if _importable(name)), "stdlib")
    assert chosen == expected
    if os.environ.get("INFRA_PORTABLE_BLOCK_NATIVE") == "1" or current().value == "wasi":
        assert chosen == "stdlib"
    report = {c.name: c for c in REGISTRY.explain("json")}
    assert report[chosen].chosen
    assert report["stdlib"].available


def test_env_override_and_bad_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRA_PORTABLE_JSON", "stdlib")
    REGISTRY.reset()
    assert ij.codec().name == "stdlib"
    monkeypatch.setenv("INFRA_PORTABLE_JSON", "simdjson")
    REGISTRY.reset()
    from infra_portable.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        ij.codec()
    assert info.value.key == "INFRA_PORTABLE_JSON"
    assert "simdjson" in str(info.value)
    monkeypatch.delenv("INFRA_PORTABLE_JSON")
    REGISTRY.reset()
    assert ij.codec("stdlib").name == "stdlib"
    assert ij.loads("[1]", codec_name="stdlib") == [1]
    assert current().value in ("native", "pyodide", "wasi")
