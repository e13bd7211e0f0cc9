"""ULID: the spec's examples decoded by hand, monotonicity, overflow, parsing."""

from __future__ import annotations

import itertools
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra_portable.errors import ConfigError, ValidationError
from infra_portable.id import CROCKFORD_ALPHABET, Ulid, UlidGenerator, parse_ulid, ulid

# The ulid/spec README's "seed time" example: ulid(1469918176385).
SPEC_SEEDED = "01ARYZ6S41TSV4RRFFQ69G5FAV"
SPEC_SEED_TIME = 1469918176385


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


def base32(values: list[int]) -> int:
    total = 0
    for value in values:
        total = total * 32 + value
    return total


def test_spec_seed_time_example_decodes_by_hand() -> None:
    # 0 1 A R Y Z 6 S 4 1 -> 0 1 10 24 30 31 6 25 4 1 in Crockford's alphabet.
    timestamp = base32([0, 1, 10, 24, 30, 31, 6, 25, 4, 1])
    assert timestamp == SPEC_SEED_TIME
    # T S V 4 R R F F Q 6 9 G 5 F A V
    randomness = base32([26, 25, 27, 4, 24, 24, 15, 15, 23, 6, 9, 16, 5, 15, 10, 27])
    parsed = parse_ulid(SPEC_SEEDED)
    assert parsed.timestamp_ms == timestamp
    assert parsed.randomness == randomness
    assert parsed.bytes == timestamp.to_bytes(6, "big") + randomness.to_bytes(10, "big")
    assert parsed.bytes.hex() == "01563df36481d6764c61efb99302bd5b"
    assert parsed.int == timestamp << 80 | randomness
    assert str(parsed) == SPEC_SEEDED
    assert str(Ulid(timestamp, randomness)) == SPEC_SEEDED


def test_spec_headline_example_decodes_by_hand() -> None:
    # 0 1 A R Z 3 N D E K -> 0 1 10 24 31 3 21 13 14 19
    parsed = parse_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert parsed.timestamp_ms == base32([0, 1, 10, 24, 31, 3, 21, 13, 14, 19]) == 1469922850259


def test_spec_monotonic_example() -> None:
    first = parse_ulid("01BX5ZZKBKACTAV9WEVGEMMVRZ")
    clock = FakeClock(first.timestamp_ms)
    gen = UlidGenerator(clock=clock, randbytes=Feed(first.randomness.to_bytes(10, "big")))
    assert gen.generate() == "01BX5ZZKBKACTAV9WEVGEMMVRZ"
    assert gen.generate() == "01BX5ZZKBKACTAV9WEVGEMMVS0"
    clock.now = 100_000  # "even if a lower timestamp is passed, it preserves sort order"
    assert gen.generate() == "01BX5ZZKBKACTAV9WEVGEMMVS1"


def test_extremes() -> None:
    assert parse_ulid("0" * 26).int == 0
    largest = parse_ulid("7" + "Z" * 25)
    assert largest.int == 2**128 - 1
    assert largest.timestamp_ms == 2**48 - 1
    assert largest.randomness == 2**80 - 1
    assert str(Ulid.from_int(2**128 - 1)) == "7" + "Z" * 25


def test_decoding_ignores_case_and_reads_crockford_aliases() -> None:
    expected = parse_ulid(SPEC_SEEDED)
    assert parse_ulid(SPEC_SEEDED.lower()) == expected
    assert parse_ulid("OLARYZ6S4ITSV4RRFFQ69G5FAV") == expected  # O->0, L->1, I->1
    assert parse_ulid("olaryz6s4itsv4rrffq69g5fav") == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("8" + "0" * 25, "128 bits"),
        ("Z" * 26, "128 bits"),
        (SPEC_SEEDED[:-1], "25 characters"),
        (SPEC_SEEDED + "A", "27 characters"),
        ("", "0 characters"),
        (SPEC_SEEDED[:-1] + "U", "Crockford"),  # U is not in the alphabet
        (SPEC_SEEDED[:-1] + "_", "Crockford"),
        (SPEC_SEEDED[:-1] + " ", "Crockford"),
        (SPEC_SEEDED[:-1] + "-", "Crockford"),
        (SPEC_SEEDED[:-1] + "é", "Crockford"),
        ("\u0661" + SPEC_SEEDED[1:], "Crockford"),
    ],
)
def test_parse_rejects_bad_text(text: str, why: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_ulid(text)
    assert why in info.value.message
    assert info.value.field == "ulid"
    assert info.value.actual == repr(text)[:40]


@pytest.mark.parametrize("value", [None, 42, SPEC_SEEDED.encode(), uuid.uuid4()])
def test_parse_rejects_other_types(value: object) -> None:
    with pytest.raises(ValidationError):
        parse_ulid(value)  # type: ignore[arg-type]


def test_conversions() -> None:
    parsed = parse_ulid(SPEC_SEEDED)
    as_uuid = parsed.to_uuid()
    assert as_uuid == uuid.UUID(bytes=parsed.bytes)
    assert Ulid.from_bytes(parsed.bytes) == parsed
    assert Ulid.from_bytes(bytearray(parsed.bytes)) == parsed
    assert Ulid.from_int(as_uuid.int) == parsed


@pytest.mark.parametrize(
    ("timestamp", "randomness", "field"),
    [
        (-1, 0, "timestamp_ms"),
        (2**48, 0, "timestamp_ms"),
        (0, 2**80, "randomness"),
        (True, 0, "timestamp_ms"),
        (0, 1.0, "randomness"),
    ],
)
def test_ulid_fields_are_range_checked(timestamp: int, randomness: int, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Ulid(timestamp, randomness)
    assert info.value.field == field


@pytest.mark.parametrize("value", [-1, 2**128, "1", 1.0])
def test_from_int_is_range_checked(value: int) -> None:
    with pytest.raises(ValidationError):
        Ulid.from_int(value)


@pytest.mark.parametrize("value", [b"\x00" * 15, b"\x00" * 17, "0" * 16, None])
def test_from_bytes_needs_16_bytes(value: bytes) -> None:
    with pytest.raises(ValidationError):
        Ulid.from_bytes(value)


@given(st.integers(0, 2**128 - 1), st.integers(0, 2**128 - 1))
def test_ulids_sort_like_their_text_and_their_integer(a: int, b: int) -> None:
    left, right = Ulid.from_int(a), Ulid.from_int(b)
    assert (left < right) == (str(left) < str(right)) == (a < b)
    assert parse_ulid(str(left)) == left
    assert len(str(left)) == 26
    assert set(str(left)) <= set(CROCKFORD_ALPHABET)


# -- the generator ---------------------------------------------------------------


def test_first_ulid_of_a_millisecond_takes_10_random_bytes() -> None:
    feed = Feed(bytes(range(1, 11)))
    gen = UlidGenerator(clock=FakeClock(SPEC_SEED_TIME), randbytes=feed)
    made = gen.next_ulid()
    assert made.timestamp_ms == SPEC_SEED_TIME
    assert made.randomness == int.from_bytes(bytes(range(1, 11)), "big")
    assert gen.next_ulid().randomness == made.randomness + 1
    assert feed.requests == [10]  # no randomness drawn within the millisecond


def test_randomness_overflow_moves_one_millisecond_ahead() -> None:
    feed = Feed(b"\xff" * 10, bytes(10))
    gen = UlidGenerator(clock=FakeClock(2000), randbytes=feed)
    first, second = gen.next_ulid(), gen.next_ulid()
    assert (first.timestamp_ms, first.randomness) == (2000, 2**80 - 1)
    assert (second.timestamp_ms, second.randomness) == (2001, 0)
    assert feed.requests == [10, 10]


def test_cached_prefix_follows_carries_into_the_high_half() -> None:
    seed = (5 << 40 | (2**40 - 1)).to_bytes(10, "big")
    gen = UlidGenerator(clock=FakeClock(SPEC_SEED_TIME), randbytes=Feed(seed))
    first, second = gen.generate(), gen.generate()
    assert parse_ulid(first).randomness == 5 << 40 | (2**40 - 1)
    assert parse_ulid(second).randomness == 6 << 40
    assert first[:10] == second[:10]
    assert first[10:18] != second[10:18]


@pytest.mark.parametrize("reading", ["now", None, 1.5, 2**48])
def test_a_clock_returning_nonsense_is_a_config_error(reading: object) -> None:
    gen = UlidGenerator(clock=lambda: reading)  # type: ignore[arg-type, return-value]
    with pytest.raises(ConfigError):
        gen.generate()


def test_generator_arguments_must_be_callable() -> None:
    with pytest.raises(ConfigError):
        UlidGenerator(randbytes=b"fixed")  # type: ignore[arg-type]


@settings(max_examples=25)
@given(
    steps=st.lists(
        st.tuples(st.integers(min_value=-20, max_value=3), st.integers(1, 300)),
        min_size=1,
        max_size=12,
    ),
    seed=st.binary(min_size=10, max_size=10),
    fill=st.sampled_from([0x00, 0x7F, 0xFF]),
)
def test_text_and_objects_agree_and_increase_whatever_the_clock_does(
    steps: list[tuple[int, int]], seed: bytes, fill: int
) -> None:
    # Two generators fed the same clock and bytes: one gives text (with its
    # cached prefix), the other objects (encoded afresh each time).
    clock = FakeClock(1_700_000_000_000)
    texts = UlidGenerator(clock=clock, randbytes=Feed(seed, fill=fill))
    objects = UlidGenerator(clock=clock, randbytes=Feed(seed, fill=fill))
    made: list[str] = []
    for delta, count in steps:
        clock.now += delta
        for _ in range(count):
            text = texts.generate()
            assert text == str(objects.next_ulid())
            made.append(text)
    assert all(a < b for a, b in itertools.pairwise(made))


def test_a_frozen_clock_burst_of_thousands_is_unique_and_ordered() -> None:
    gen = UlidGenerator(clock=FakeClock(1_700_000_000_000))
    made = [gen.generate() for _ in range(5000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert all(str(parse_ulid(text)) == text for text in made[::250])


def test_ulid_function_gives_increasing_valid_text() -> None:
    made = [ulid() for _ in range(2000)]
    assert all(a < b for a, b in itertools.pairwise(made))
    assert all(len(text) == 26 for text in made)
    parse_ulid(made[-1])
