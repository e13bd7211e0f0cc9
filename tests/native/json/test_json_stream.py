"""JsonStreamParser: chunk boundaries anywhere, NDJSON and concatenated values, errors, limits."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Coroutine, Iterable
from typing import Any, TypeAlias

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra_portable.errors import SerializationError, ValidationError
from infra_portable.json._stream import JsonStreamParser, aiter_json_values, iter_json_values

Chunk: TypeAlias = bytes | bytearray | memoryview | str

DOC = '{"a": "x}]\\"y{[", "b": [1, 2.5e3, -0.5E-2, {"c": null}], "d": "\\u00e9\u20ac\U0001f600", "e": [true, false]}'


def parse_all(chunks: Iterable[Chunk], **limits: int) -> list[Any]:
    parser = JsonStreamParser(**limits)
    values: list[Any] = []
    for chunk in chunks:
        values += parser.feed(chunk)
    return values + parser.close()


def split(data: Any, points: Iterable[int]) -> list[Any]:
    cuts = [0, *sorted(points), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(cuts)]


def feed_each(parser: JsonStreamParser, chunks: Iterable[Chunk]) -> None:
    for chunk in chunks:
        parser.feed(chunk)


def error_of(chunks: Iterable[Chunk], **limits: int) -> SerializationError:
    with pytest.raises(SerializationError) as info:
        parse_all(chunks, **limits)
    return info.value


# -- chunk boundaries -----------------------------------------------------------


def test_every_two_way_split_of_text_and_bytes() -> None:
    expected = [json.loads(DOC)]
    data = DOC.encode()
    for i in range(len(DOC) + 1):
        assert parse_all(split(DOC, [i])) == expected
    for i in range(len(data) + 1):  # includes splits inside multibyte UTF-8 sequences
        assert parse_all(split(data, [i])) == expected


def test_one_byte_and_one_char_chunks() -> None:
    expected = [json.loads(DOC)]
    data = DOC.encode()
    assert parse_all(data[i : i + 1] for i in range(len(data))) == expected
    assert parse_all(DOC) == expected  # a str iterates as 1-character chunks


def test_escapes_split_across_chunks() -> None:
    assert parse_all(['"a\\', '"b"']) == ['a"b']
    assert parse_all(['["\\u12', '34", "\\\\', '"]']) == [["\u1234", "\\"]]
    assert parse_all(['"\\ud83d', '\\ude00"']) == ["\U0001f600"]


def test_values_are_returned_by_the_chunk_that_completes_them() -> None:
    parser = JsonStreamParser()
    assert parser.feed('{"a": [1, ') == []
    assert parser.feed('2]}\n{"b"') == [{"a": [1, 2]}]
    assert parser.feed(": 3}") == [{"b": 3}]
    assert parser.close() == []


def test_concatenated_values_without_separators() -> None:
    parser = JsonStreamParser()
    assert parser.feed('{"a":1}{"b":2}[3]"x"4 5') == [{"a": 1}, {"b": 2}, [3], "x", 4]
    assert parser.close() == [5]


def test_top_level_scalars_wait_for_a_delimiter() -> None:
    parser = JsonStreamParser()
    assert parser.feed("12") == []
    assert parser.feed("3") == []
    assert parser.feed("\n") == [123]
    assert parser.feed("tru") == []
    assert parser.feed("e[") == [True]
    assert parser.feed("]null") == [[]]
    assert parser.close() == [None]


def test_ndjson_with_crlf_and_blank_lines() -> None:
    text = '{"a": 1}\r\n\r\n[2]\n\t"three"\n4.5\n'
    assert parse_all([text]) == [{"a": 1}, [2], "three", 4.5]


def test_bom_is_skipped_even_when_split() -> None:
    data = b'\xef\xbb\xbf{"a": 1}'
    assert parse_all(data[i : i + 1] for i in range(len(data))) == [{"a": 1}]
    assert parse_all(["\ufeff[1]"]) == [[1]]
    assert parse_all(["", "\ufeff[1]"]) == [[1]]
    # Only at the very start: later it is just an invalid character.
    assert error_of(["[1] \ufeff"]).column == 5


def test_mixing_bytes_and_str_is_rejected() -> None:
    parser = JsonStreamParser()
    parser.feed(b"[1")
    with pytest.raises(ValidationError):
        parser.feed("]")
    with pytest.raises(ValidationError):
        JsonStreamParser().feed(123)  # type: ignore[arg-type]


def test_bytearray_and_memoryview_chunks() -> None:
    assert parse_all([bytearray(b"[1,"), memoryview(b"2]")]) == [[1, 2]]


def test_big_and_huge_numbers() -> None:
    assert parse_all(["[1e400, -0, 12345678901234567890]"]) == [
        [float("inf"), 0, 12345678901234567890]
    ]
    # Python caps int parsing at 4300 digits; that must surface as our error.
    assert "4300" in error_of(["[" + "1" * 5000 + "]"]).message


# -- errors ---------------------------------------------------------------------


# A trailing comma is reported at the comma by Python 3.13+ and at the closing
# bracket before that; both are right.
@pytest.mark.parametrize(
    ("text", "offsets"),
    [
        ("[1,]", (2, 3)),
        ('{"a" 1}', (5,)),
        ('{"a": 1,}', (7, 8)),
        ("01", (1,)),
        ("[01]", (2,)),
        ("NaN", (0,)),
        ("-Infinity ", (0,)),
        ('[1, {"x": Infinity}]', (10,)),
        ("['a']", (1,)),
        ('"a\tb"', (2,)),
        ('"a\\x"', (2,)),
        ("[}", (1,)),
        ("]", (0,)),
        ("@", (0,)),
        ("truex ", (4,)),
        ('{"a": 1}\n{"b": 1}\n  {"c" 2}', (25,)),
        ("[\n  1,\n  2,\n]", (10, 12)),
    ],
)
def test_malformed_input_raises_with_stream_position(text: str, offsets: tuple[int, ...]) -> None:
    error = error_of([text])
    assert error.offset in offsets, error
    line = text.count("\n", 0, error.offset) + 1
    column = error.offset - text.rfind("\n", 0, error.offset)
    assert (error.line, error.column) == (line, column), error


def test_error_position_counts_earlier_chunks() -> None:
    error = error_of(['{"a": 1}\n', "[1, 2", ", ,]"])
    assert (error.line, error.column, error.offset) == (2, 8, 16)


def test_nan_message_names_the_rule() -> None:
    assert "NaN" in error_of(['{"a": NaN}']).message


def test_a_failed_parser_stays_failed() -> None:
    parser = JsonStreamParser()
    with pytest.raises(SerializationError):
        parser.feed("[1,]")
    with pytest.raises(SerializationError, match="already failed"):
        parser.feed("[1]")
    with pytest.raises(SerializationError, match="already failed"):
        parser.close()


@pytest.mark.parametrize("text", ["[1", '{"a": "b', '"abc', "tru", "-", "1.", "1e+", '"a\\'])
def test_incomplete_value_at_close(text: str) -> None:
    parser = JsonStreamParser()
    assert parser.feed(text) == []
    with pytest.raises(SerializationError, match="unexpected end of input") as info:
        parser.close()
    assert (info.value.line, info.value.column, info.value.offset) == (1, len(text) + 1, len(text))


def test_close_is_final() -> None:
    parser = JsonStreamParser()
    parser.feed("[1] 2")
    assert parser.close() == [2]
    assert parser.close() == []
    with pytest.raises(SerializationError, match="after close"):
        parser.feed("3")


def test_invalid_utf8_split_across_chunks() -> None:
    error = error_of([b'["ok", "\xe2', b'\x28"]'])
    assert "UTF-8" in error.message
    assert (error.line, error.column, error.offset) == (1, 9, 8)
    assert "UTF-8" in error_of([b"[1, \xff]"]).message


def test_truncated_utf8_at_close() -> None:
    error = error_of([b'"\xe2\x82'])
    assert "UTF-8" in error.message


# -- limits ---------------------------------------------------------------------


def test_depth_bomb_fails_at_the_first_bracket_too_deep() -> None:
    parser = JsonStreamParser()
    with pytest.raises(SerializationError, match="max_depth=512") as info:
        parser.feed("[" * 100_000)
    assert (info.value.line, info.value.column, info.value.offset) == (1, 513, 512)


def test_depth_at_the_limit_is_fine() -> None:
    text = "[" * 512 + "]" * 512
    assert parse_all([text]) == [json.loads(text)]
    assert parse_all(['{"a": [1]}'], max_depth=2) == [{"a": [1]}]
    with pytest.raises(SerializationError, match="max_depth=2"):
        parse_all(['{"a": [[1]]}'], max_depth=2)


def test_depth_bomb_fed_one_bracket_at_a_time_stops_reading_at_the_limit() -> None:
    chunks = iter(["["] * 100_000)
    with pytest.raises(SerializationError, match="max_depth=64"):
        feed_each(JsonStreamParser(max_depth=64), chunks)
    assert len(list(chunks)) == 100_000 - 65


def test_huge_string_beyond_max_value_size_fails_before_it_ends() -> None:
    chunks = iter(['"', *["a" * 100] * 1000])
    with pytest.raises(SerializationError, match="max_value_size=1000") as info:
        feed_each(JsonStreamParser(max_value_size=1000), chunks)
    assert info.value.offset == 1000
    assert len(list(chunks)) == 1000 - 10


def test_max_value_size_is_per_value() -> None:
    values = parse_all(['[1, 2, 3]\n"abcdef"\n' * 100], max_value_size=9)
    assert len(values) == 200
    with pytest.raises(SerializationError, match="max_value_size=9"):
        parse_all(["[1, 2, 3, 4]"], max_value_size=9)


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        JsonStreamParser(max_depth=0)
    with pytest.raises(ValidationError):
        JsonStreamParser(max_value_size=-1)


# -- scale (linear work; no timing assertions) ----------------------------------


def test_long_string_fed_one_byte_at_a_time() -> None:
    data = ('"' + "é" * 20_000 + '"').encode()
    assert parse_all(data[i : i + 1] for i in range(len(data))) == ["é" * 20_000]


def test_many_tiny_ndjson_values() -> None:
    data = "".join(f'{{"i":{i}}}\n' for i in range(10_000)).encode()
    values = parse_all(data[i : i + 4096] for i in range(0, len(data), 4096))
    assert values == [{"i": i} for i in range(10_000)]


# -- helpers --------------------------------------------------------------------


def test_iter_json_values() -> None:
    assert list(iter_json_values([b'{"a"', b": 1}\n[2", b"] 3"])) == [{"a": 1}, [2], 3]
    with pytest.raises(SerializationError, match="max_depth=1"):
        list(iter_json_values(["[[1]]"], max_depth=1))


def run_sync(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that never really suspends (no event loop: Pyodide has none)."""
    try:
        while True:
            awaited = coro.send(None)
            coro.close()
            pytest.fail(f"the coroutine awaited a real future: {awaited!r}")
    except StopIteration as stop:
        return stop.value


async def _chunks(items: list[bytes | str]) -> AsyncIterator[bytes | str]:
    for item in items:
        yield item


async def _collect(items: list[bytes | str], **limits: int) -> list[Any]:
    return [value async for value in aiter_json_values(_chunks(items), **limits)]


def test_aiter_json_values() -> None:
    assert run_sync(_collect([b'{"a"', b": 1}\n[2", b"] 3"])) == [{"a": 1}, [2], 3]
    with pytest.raises(SerializationError, match="unexpected end of input"):
        run_sync(_collect(["[1"]))


# -- properties -----------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=15,
)
dump_options = st.fixed_dictionaries(
    {"indent": st.sampled_from([None, 2]), "ensure_ascii": st.booleans()}
)


@settings(max_examples=60)
@given(value=json_values, options=dump_options, data=st.data())
def test_random_document_over_random_chunkings(
    value: Any, options: dict[str, Any], data: st.DataObject
) -> None:
    doc = json.dumps(value, **options)
    encoded = doc.encode()
    text_cuts = data.draw(st.lists(st.integers(0, len(doc)), max_size=8))
    byte_cuts = data.draw(st.lists(st.integers(0, len(encoded)), max_size=8))
    expected = [json.loads(doc)]
    assert parse_all(split(doc, text_cuts)) == expected
    assert parse_all(split(encoded, byte_cuts)) == expected


@settings(max_examples=30)
@given(
    values=st.lists(json_values, min_size=1, max_size=6),
    separator=st.sampled_from(["\n", "\r\n", " ", "\n\n"]),
    data=st.data(),
)
def test_random_ndjson_over_random_chunkings(
    values: list[Any], separator: str, data: st.DataObject
) -> None:
    doc = separator.join(json.dumps(v) for v in values)
    encoded = doc.encode()
    cuts = data.draw(st.lists(st.integers(0, len(encoded)), max_size=10))
    assert parse_all(split(encoded, cuts)) == [json.loads(json.dumps(v)) for v in values]
