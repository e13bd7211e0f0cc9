"""Snowflake: bit layout, sequence overflow, clock regression, decompose, validation."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra_portable.errors import ConfigError, ExternalError, ValidationError
from infra_portable.id import (
    SNOWFLAKE_WORKER_ID_ENV,
    TWITTER_EPOCH_MS,
    SnowflakeGenerator,
    SnowflakeParts,
    _snowflake,
    decompose_snowflake,
    snowflake,
)

NOW = 1_700_000_000_000


class FakeClock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def test_layout_by_hand() -> None:
    gen = SnowflakeGenerator(7, clock=FakeClock(TWITTER_EPOCH_MS + 12345))
    first, second = gen.next_int(), gen.next_int()
    # 0 | 41-bit ms since the epoch | 10-bit worker | 12-bit sequence
    assert first == 12345 << 22 | 7 << 12 | 0 == 51_778_682_880 + 28_672
    assert second == first + 1
    assert gen.decompose(second) == SnowflakeParts(TWITTER_EPOCH_MS + 12345, 7, 1)


def test_known_answer_for_a_twitter_epoch_id() -> None:
    # 2023-11-14 22:13:20 UTC (Unix ms 1_700_000_000_000) is 411_165_025_343 ms
    # after Twitter's epoch; worker 35, sequence 10:
    # 411_165_025_343 * 2**22 + 35 * 2**12 + 10 = 1_724_551_110_456_389_642.
    assert 411_165_025_343 * 2**22 + 35 * 2**12 + 10 == 1_724_551_110_456_389_642
    gen = SnowflakeGenerator(35, clock=FakeClock(NOW))
    for _ in range(10):
        gen.next_int()
    assert gen.generate() == "1724551110456389642"
    assert decompose_snowflake("1724551110456389642") == SnowflakeParts(NOW, 35, 10)


def test_custom_epoch() -> None:
    gen = SnowflakeGenerator(1023, epoch_ms=NOW - 1000, clock=FakeClock(NOW))
    value = gen.next_int()
    assert value == 1000 << 22 | 1023 << 12
    assert gen.epoch_ms == NOW - 1000
    assert gen.worker_id == 1023
    assert decompose_snowflake(value, epoch_ms=NOW - 1000).timestamp_ms == NOW
    assert gen.generate() == str(value + 1)


def test_sequence_overflow_borrows_the_next_millisecond_without_waiting() -> None:
    gen = SnowflakeGenerator(3, clock=FakeClock(NOW))
    made = [gen.next_int() for _ in range(4097)]
    assert decompose_snowflake(made[4095]) == SnowflakeParts(NOW, 3, 4095)
    assert decompose_snowflake(made[4096]) == SnowflakeParts(NOW + 1, 3, 0)
    assert all(a < b for a, b in itertools.pairwise(made))


def test_running_ahead_of_a_frozen_clock_is_not_a_regression() -> None:
    gen = SnowflakeGenerator(clock=FakeClock(NOW), max_clock_regression_ms=0)
    made = [gen.next_int() for _ in range(4096 * 8)]  # 7 ms ahead of the clock
    assert decompose_snowflake(made[-1]).timestamp_ms == NOW + 7
    assert len(set(made)) == len(made)


def test_small_regression_keeps_issuing_from_the_last_timestamp() -> None:
    clock = FakeClock(NOW)
    gen = SnowflakeGenerator(clock=clock, max_clock_regression_ms=5)
    first = gen.next_int()
    clock.now = NOW - 5
    second = gen.next_int()
    assert decompose_snowflake(second) == SnowflakeParts(NOW, 0, 1)
    assert second > first


def test_large_regression_raises_a_retryable_error_then_recovers() -> None:
    clock = FakeClock(NOW)
    gen = SnowflakeGenerator(clock=clock, max_clock_regression_ms=5)
    first = gen.next_int()
    clock.now = NOW - 2005
    with pytest.raises(ExternalError) as info:
        gen.next_int()
    error = info.value
    assert error.service == "clock"
    assert error.is_retryable
    assert error.retry_after == pytest.approx(2.0)
    clock.now = NOW - 5  # back within the tolerance
    assert gen.next_int() > first
    clock.now = NOW + 1
    assert decompose_snowflake(gen.next_int()) == SnowflakeParts(NOW + 1, 0, 0)


def test_a_clock_before_the_epoch_is_a_config_error() -> None:
    gen = SnowflakeGenerator(epoch_ms=NOW + 60_000, clock=FakeClock(NOW))
    with pytest.raises(ConfigError) as info:
        gen.next_int()
    assert info.value.key == "epoch_ms"


def test_a_clock_beyond_41_bits_is_a_config_error() -> None:
    gen = SnowflakeGenerator(epoch_ms=0, clock=FakeClock(2**41))
    with pytest.raises(ConfigError):
        gen.next_int()


def test_borrowing_past_41_bits_is_a_config_error() -> None:
    gen = SnowflakeGenerator(epoch_ms=0, clock=FakeClock(2**41 - 1))
    for _ in range(4096):
        gen.next_int()
    with pytest.raises(ConfigError):
        gen.next_int()


@pytest.mark.parametrize("reading", ["now", None, 1.7e12])
def test_a_clock_returning_nonsense_is_a_config_error(reading: object) -> None:
    gen = SnowflakeGenerator(clock=lambda: reading)  # type: ignore[arg-type, return-value]
    with pytest.raises(ConfigError):
        gen.next_int()


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"worker_id": -1}, "worker_id"),
        ({"worker_id": 1024}, "worker_id"),
        ({"worker_id": True}, "worker_id"),
        ({"worker_id": "1"}, "worker_id"),
        ({"worker_id": 1.0}, "worker_id"),
        ({"epoch_ms": -1}, "epoch_ms"),
        ({"epoch_ms": "2010"}, "epoch_ms"),
        ({"max_clock_regression_ms": -1}, "max_clock_regression_ms"),
    ],
)
def test_bad_arguments_are_validation_errors(arguments: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        SnowflakeGenerator(**arguments)  # type: ignore[arg-type]
    assert info.value.field == field


def test_clock_must_be_callable() -> None:
    with pytest.raises(ConfigError):
        SnowflakeGenerator(clock=NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value", [-1, 2**63, "-1", "", " 12", "12 ", "1e5", "0x10", "1" * 20, "\u0661", 1.5, None, True]
)
def test_decompose_rejects_non_snowflakes(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        decompose_snowflake(value)  # type: ignore[arg-type]
    assert info.value.field == "snowflake"


def test_decompose_accepts_the_extremes() -> None:
    assert decompose_snowflake(0) == SnowflakeParts(TWITTER_EPOCH_MS, 0, 0)
    assert decompose_snowflake(str(2**63 - 1)) == SnowflakeParts(
        TWITTER_EPOCH_MS + 2**41 - 1, 1023, 4095
    )


@settings(max_examples=25)
@given(
    steps=st.lists(
        st.tuples(st.integers(min_value=-5, max_value=3), st.integers(1, 600)),
        min_size=1,
        max_size=12,
    ),
    worker=st.integers(0, 1023),
)
def test_bursts_are_strictly_increasing_and_decompose(
    steps: list[tuple[int, int]], worker: int
) -> None:
    clock = FakeClock(NOW)
    gen = SnowflakeGenerator(worker, clock=clock, max_clock_regression_ms=100)
    made: list[int] = []
    for delta, count in steps:
        clock.now += delta
        made += [gen.next_int() for _ in range(count)]
    assert all(a < b for a, b in itertools.pairwise(made))
    assert all(0 < value < 2**63 for value in made)
    assert {decompose_snowflake(str(value)).worker_id for value in made} == {worker}


# -- the process-wide generator --------------------------------------------------


def test_snowflake_function_gives_increasing_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_snowflake, "_default", None)
    monkeypatch.delenv(SNOWFLAKE_WORKER_ID_ENV, raising=False)
    made = [snowflake() for _ in range(2000)]
    assert all(a < b for a, b in itertools.pairwise(made))
    assert decompose_snowflake(made[0]).worker_id == 0


def test_snowflake_worker_id_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_snowflake, "_default", None)
    monkeypatch.setenv(SNOWFLAKE_WORKER_ID_ENV, "42")
    assert decompose_snowflake(snowflake()).worker_id == 42


@pytest.mark.parametrize("raw", ["1024", "-1", "two", "", "1" * 5000])
def test_bad_worker_id_in_the_environment_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setattr(_snowflake, "_default", None)
    monkeypatch.setenv(SNOWFLAKE_WORKER_ID_ENV, raw)
    with pytest.raises(ConfigError) as info:
        snowflake()
    assert info.value.key == SNOWFLAKE_WORKER_ID_ENV
