"""The Server-Sent Events decoder against the WHATWG rules, split any way."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra_portable.errors import HttpError
from infra_portable.http import ServerSentEvent, SseDecoder


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    decoder = SseDecoder()
    events = [e for c in chunks for e in decoder.feed(c)]
    return events + decoder.close()


def test_the_standards_examples() -> None:
    # WHATWG HTML §9.2.6: "data" lines joined by LF; a trailing event without a blank line is dropped.
    stream = b"data: YHOO\ndata: +2\ndata: 10\n\n: comment\ndata\n\ndata:\ndata:\n\ndata:  two spaces\n\nevent: add\ndata: 73857293\n\ndata: unfinished"
    events = decode(stream)
    assert [e.data for e in events] == ["YHOO\n+2\n10", "", "\n", " two spaces", "73857293"]
    assert events[-1].event == "add"
    assert events[0].event == "message"


def test_ids_retry_and_line_endings() -> None:
    events = decode(
        b"\xef\xbb\xbfid: 1\r\nretry: 3000\r\ndata: a\r\n\r\nid: bad\x00id\rdata: b\r\rretry: x\ndata: c\n\n"
    )
    assert [(e.id, e.retry, e.data) for e in events] == [
        ("1", 3000, "a"),
        ("1", 3000, "b"),
        ("1", 3000, "c"),
    ]


def test_llm_token_stream() -> None:
    events = decode(b'data: {"delta": "Hel"}\n\ndata: {"delta": "lo"}\n\ndata: [DONE]\n\n')
    assert [e.json()["delta"] for e in events[:-1]] == ["Hel", "lo"]
    assert events[-1].data == "[DONE]"


def test_unicode_split_across_chunks() -> None:
    body = "data: héllo ✓\n\n".encode()
    assert decode(body[:8], body[8:9], body[9:]) == decode(body)


def test_a_line_without_end_is_bounded() -> None:
    def feed_many(decoder: SseDecoder, chunk: bytes) -> None:
        for _ in range(20):
            decoder.feed(chunk)

    with pytest.raises(HttpError, match="longer than"):
        feed_many(SseDecoder(max_line_bytes=1000), b"x" * 100)
    with pytest.raises(HttpError, match="data longer"):
        feed_many(SseDecoder(max_line_bytes=1000), b"data: " + b"y" * 90 + b"\n")


field_line = st.sampled_from(
    [
        b"data: a",
        b"data: b c",
        b"data:",
        b"event: e",
        b"id: 7",
        b"retry: 10",
        b": ping",
        b"",
        b"data: \xc3\xa9",
    ]
)
newline = st.sampled_from([b"\n", b"\r\n", b"\r"])


@given(st.lists(st.tuples(field_line, newline), max_size=30), st.data())
def test_any_split_gives_the_same_events(
    lines: list[tuple[bytes, bytes]], data: st.DataObject
) -> None:
    stream = b"".join(line + end for line, end in lines)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    pieces, last = [], 0
    for cut in cuts:
        pieces.append(stream[last:cut])
        last = cut
    pieces.append(stream[last:])
    assert decode(*pieces) == decode(stream)
    assert decode(*[stream[i : i + 1] for i in range(len(stream))]) == decode(stream)
