"""UUID version 7: the RFC 9562 test vector, bit layout, monotonicity, parsing."""

from __future__ import annotations

import copy
import itertools
import pickle
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra_portable.errors import ConfigError, ValidationError
from infra_portable.id import UuidV7Generator, parse_uuid7, uuid7, uuid7_timestamp_ms

# RFC 9562 Appendix A.6: unix_ts_ms 0x017F22E279B0, rand_a 0xCC3,
# rand_b 0b01 then 0x8C4DC0C0C07398F.
RFC_VECTOR = "017F22E2-79B0-7CC3-98C4-DC0C0C07398F"
RFC_TIMESTAMP = 0x017F22E279B0
RFC_OCTETS_6_TO_15 = bytes.fromhex("7CC398C4DC0C0C07398F")


class FakeClock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


class Feed:
    """Scripted random bytes: hands out ``chunks`` in order, or ``fill`` bytes after."""

    def __init__(self, *chunks: bytes, fill: int = 0) -> None:
        self.chunks = list(chunks)
        self.fill = fill
        self.requests: list[int] = []

    def __call__(self, n: int) -> bytes:
        self.requests.append(n)
        if self.chunks:
            chunk = self.chunks.pop(0)
            assert len(chunk) == n
            return chunk
        return bytes([self.fill]) * n


def test_rfc9562_appendix_a6_vector() -> None:
    gen = UuidV7Generator(clock=FakeClock(RFC_TIMESTAMP), randbytes=Feed(RFC_OCTETS_6_TO_15))
    made = gen.next_uuid()
    assert made == uuid.UUID(RFC_VECTOR)
    assert str(made).upper() == RFC_VECTOR
    assert made.version == 7
    assert made.variant == uuid.RFC_4122


def test_generate_gives_the_canonical_lowercase_text() -> None:
    gen = UuidV7Generator(clock=FakeClock(RFC_TIMESTAMP), randbytes=Feed(RFC_OCTETS_6_TO_15))
    assert gen.generate() == RFC_VECTOR.lower()


def test_layout_and_counter_within_one_millisecond() -> None:
    feed = Feed(bytes(10), b"\x00\x00\x00\x05")
    gen = UuidV7Generator(clock=FakeClock(0x0123456789AB), randbytes=feed)
    first, second = gen.next_int(), gen.next_int()
    assert first >> 80 == 0x0123456789AB  # unix_ts_ms: the top 48 bits
    assert (first >> 76) & 0xF == 0b0111  # ver
    assert (first >> 62) & 0b11 == 0b10  # var
    assert first == 0x0123456789AB << 80 | 0x7 << 76 | 0b10 << 62
    # Same millisecond: the counter (just below the variant bits) adds 1 and
    # the last 32 bits are fresh random bytes.
    assert second - first == (1 << 32) + 5
    assert feed.requests == [10, 4]


def test_counter_carries_from_rand_b_into_rand_a() -> None:
    # rand_a = 0x001, and the 30 counter bits in rand_b all ones.
    seed = (0x7001 << 64 | 0b10 << 62 | (2**30 - 1) << 32).to_bytes(10, "big")
    gen = UuidV7Generator(clock=FakeClock(1000), randbytes=Feed(seed))
    first, second = gen.next_int(), gen.next_int()
    assert (first >> 64) & 0xFFF == 0x001
    assert (second >> 64) & 0xFFF == 0x002
    assert (second >> 32) & (2**30 - 1) == 0
    assert (second >> 62) & 0b11 == 0b10
    assert second > first


def test_counter_overflow_moves_one_millisecond_ahead() -> None:
    feed = Feed(b"\xff" * 10, fill=0)
    gen = UuidV7Generator(clock=FakeClock(5000), randbytes=feed)
    first = gen.next_int()
    second = gen.next_int()
    assert first >> 80 == 5000
    assert second >> 80 == 5001
    assert second > first
    assert feed.requests == [10, 10]  # a fresh seed, not a 4-byte tail


def test_clock_going_backwards_keeps_the_last_timestamp() -> None:
    clock = FakeClock(10_000)
    gen = UuidV7Generator(clock=clock, randbytes=Feed(fill=0x42))
    first = gen.next_int()
    clock.now = 9_000
    second = gen.next_int()
    clock.now = 10_001
    third = gen.next_int()
    assert [x >> 80 for x in (first, second, third)] == [10_000, 10_000, 10_001]
    assert first < second < third


def test_a_clock_before_1970_counts_as_behind() -> None:
    gen = UuidV7Generator(clock=FakeClock(-5), randbytes=Feed(fill=1))
    assert gen.next_int() >> 80 == 0


@pytest.mark.parametrize("reading", ["soon", None, 1.5e12, 2**48, float("nan")])
def test_a_clock_returning_nonsense_is_a_config_error(reading: object) -> None:
    gen = UuidV7Generator(clock=lambda: reading)  # type: ignore[arg-type, return-value]
    with pytest.raises(ConfigError):
        gen.next_int()


def test_randbytes_returning_text_is_a_config_error() -> None:
    gen = UuidV7Generator(clock=FakeClock(1), randbytes=lambda n: "x" * n)  # type: ignore[arg-type, return-value]
    with pytest.raises(ConfigError):
        gen.generate()


@pytest.mark.parametrize("argument", ["clock", "randbytes"])
def test_arguments_must_be_callable(argument: str) -> None:
    with pytest.raises(ConfigError) as info:
        UuidV7Generator(**{argument: 42})  # type: ignore[arg-type]
    assert info.value.key == argument


@settings(max_examples=25)
@given(
    steps=st.lists(
        st.tuples(st.integers(min_value=-20, max_value=3), st.integers(1, 300)),
        min_size=1,
        max_size=12,
    ),
    seed=st.binary(min_size=10, max_size=10),
)
def test_bursts_are_strictly_increasing_whatever_the_clock_does(
    steps: list[tuple[int, int]], seed: bytes
) -> None:
    clock = FakeClock(1_700_000_000_000)
    gen = UuidV7Generator(clock=clock, randbytes=Feed(seed, fill=0xA5))
    made: list[int] = []
    for delta, count in steps:
        clock.now += delta
        made += [gen.next_int() for _ in range(count)]
    assert all(a < b for a, b in itertools.pairwise(made))
    for value in made[:: max(1, len(made) // 20)]:
        assert parse_uuid7(str(uuid.UUID(int=value))).int == value


def test_a_frozen_clock_burst_of_thousands_is_unique_and_ordered() -> None:
    gen = UuidV7Generator(clock=FakeClock(1_700_000_000_000))
    made = [gen.generate() for _ in range(5000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_uuid7_function_returns_increasing_version_7_uuids() -> None:
    made = [uuid7() for _ in range(2000)]
    assert all(isinstance(u, uuid.UUID) and u.version == 7 for u in made)
    assert all(a < b for a, b in itertools.pairwise(made))


def test_uuid_objects_behave_like_stdlib_ones() -> None:
    made = uuid7()
    same = uuid.UUID(int=made.int)
    assert made == same
    assert hash(made) == hash(same)
    assert str(made) == str(same)
    assert pickle.loads(pickle.dumps(made)) == made
    assert copy.deepcopy(made) == made
    with pytest.raises(TypeError):
        made.int = 0  # type: ignore[misc]  # still immutable


# -- parsing --------------------------------------------------------------------


def test_parse_round_trips_generated_text() -> None:
    gen = UuidV7Generator()
    for _ in range(50):
        text = gen.generate()
        assert str(parse_uuid7(text)) == text


@pytest.mark.parametrize(
    "text",
    [RFC_VECTOR, RFC_VECTOR.lower(), RFC_VECTOR.replace("-", ""), uuid.UUID(RFC_VECTOR)],
)
def test_parse_accepts_the_usual_forms(text: str | uuid.UUID) -> None:
    assert parse_uuid7(text) == uuid.UUID(RFC_VECTOR)
    assert uuid7_timestamp_ms(text) == RFC_TIMESTAMP == 1645557742000


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("017F22E2-79B0-4CC3-98C4-DC0C0C07398F", "version is 4"),
        (str(uuid.uuid4()), "version is 4"),
        ("017F22E2-79B0-7CC3-D8C4-DC0C0C07398F", "variant"),  # var 0b11
        ("017F22E2-79B0-7CC3-18C4-DC0C0C07398F", "variant"),  # var 0b00 (NCS)
        ("017F22E2-79B0-7CC3-98C4-DC0C0C07398", "length"),
        ("017F22E2-79B0-7CC3-98C4-DC0C0C07398F0", "length"),
        ("017F22E279B0-7CC3-98C4-DC0C0C07398F-", "length"),  # hyphens misplaced
        ("017F22E2-79B0-7CC3-98C4-DC0C0C07398G", "hexadecimal"),
        ("017F22E2-79B0-7CC3-98C4-DC0C0C0 398F", "hexadecimal"),
        ("017F22E2-79B0-7CC3-98C4-DC0C0C0_398F", "hexadecimal"),
        ("\u0661" * 32, "hexadecimal"),  # Arabic-Indic digits, which int() would accept
        ("", "length"),
    ],
)
def test_parse_rejects_anything_but_a_v7_uuid(text: str, why: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_uuid7(text)
    assert why in info.value.message
    assert info.value.field == "uuid"
    assert info.value.actual == repr(text)[:40]


@pytest.mark.parametrize("value", [None, 42, b"\x01" * 16, ["017F22E2"]])
def test_parse_rejects_other_types(value: object) -> None:
    with pytest.raises(ValidationError):
        parse_uuid7(value)  # type: ignore[arg-type]


def test_a_non_v7_uuid_object_is_rejected() -> None:
    with pytest.raises(ValidationError):
        uuid7_timestamp_ms(uuid.uuid4())
