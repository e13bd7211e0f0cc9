"""retry/retry_async with injected clock and sleep, and CircuitBreaker transitions."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra_portable.errors import (
    CircuitBreaker,
    CircuitState,
    ExternalError,
    HttpError,
    RetryPolicy,
    ValidationError,
    check_int,
    check_items,
    check_number,
    check_seed,
    retry,
    retry_async,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def flaky(failures: list[Exception], result: str = "ok") -> Callable[[], str]:
    calls = iter(failures)

    def call() -> str:
        error = next(calls, None)
        if error is not None:
            raise error
        return result

    return call


def test_retries_retryable_errors_with_exponential_backoff() -> None:
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=4, base_delay=0.5, jitter=0.0)
    fn = flaky([HttpError("x", status=503)] * 3)
    assert retry(fn, policy, clock=clock, sleep=clock.sleep) == "ok"
    assert clock.sleeps == [0.5, 1.0, 2.0]


def test_gives_up_after_max_attempts_with_the_last_error() -> None:
    clock = FakeClock()
    errors: list[Exception] = [HttpError(f"e{i}", status=500) for i in range(5)]
    with pytest.raises(HttpError) as info:
        retry(flaky(errors), RetryPolicy(max_attempts=3, jitter=0), clock=clock, sleep=clock.sleep)
    assert info.value.message == "e2"
    assert "gave up after 3 attempts" in str(info.value)
    assert len(clock.sleeps) == 2


def test_non_retryable_error_is_raised_at_once() -> None:
    clock = FakeClock()
    with pytest.raises(HttpError):
        retry(flaky([HttpError("nf", status=404)]), clock=clock, sleep=clock.sleep)
    assert clock.sleeps == []
    with pytest.raises(KeyError):
        retry(flaky([KeyError("foreign")]), clock=clock, sleep=clock.sleep)


def test_honours_retry_after() -> None:
    clock = FakeClock()
    fn = flaky([HttpError("slow down", status=429, retry_after_s=7.0)])
    assert retry(fn, RetryPolicy(base_delay=0.1), clock=clock, sleep=clock.sleep) == "ok"
    assert clock.sleeps == [7.0]


def test_deadline_stops_before_sleeping_past_it() -> None:
    clock = FakeClock()
    errors: list[Exception] = [HttpError("x", status=503)] * 10
    policy = RetryPolicy(max_attempts=10, base_delay=1.0, jitter=0, deadline=5.0)
    with pytest.raises(HttpError):
        retry(flaky(errors), policy, clock=clock, sleep=clock.sleep)
    # 1 + 2 = 3 s slept; the next wait (4 s) would end past the 5 s deadline.
    assert clock.sleeps == [1.0, 2.0]


def test_max_delay_caps_backoff_and_jitter_shortens_it() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, jitter=0.5)
    assert policy.backoff(10, rand=0.0) == 5.0
    assert policy.backoff(10, rand=1.0) == 2.5
    assert policy.backoff(1, rand=0.5) == 0.75


@given(attempt=st.integers(1, 60), rand=st.floats(0, 1, exclude_max=True), jitter=st.floats(0, 1))
def test_backoff_is_always_within_bounds(attempt: int, rand: float, jitter: float) -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=30.0, jitter=jitter)
    delay = policy.backoff(attempt, rand)
    assert 0.0 <= delay <= 30.0


def test_on_retry_hook_sees_each_failure() -> None:
    clock = FakeClock()
    seen: list[tuple[str, int, float]] = []
    retry(
        flaky([HttpError("a", status=502), HttpError("b", status=502)]),
        RetryPolicy(jitter=0, base_delay=1),
        clock=clock,
        sleep=clock.sleep,
        on_retry=lambda e, n, d: seen.append((str(e.args[0]), n, d)),
    )
    assert seen == [("a", 1, 1.0), ("b", 2, 2.0)]


def test_async_retry(run_coro: Callable[[Coroutine[Any, Any, str]], str]) -> None:
    clock = FakeClock()
    attempts = 0

    async def call() -> str:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise ExternalError("busy", service="llm", retry_after_s=0.25)
        return "done"

    coro = retry_async(call, RetryPolicy(max_attempts=5), clock=clock, sleep=clock.async_sleep)
    assert run_coro(coro) == "done"
    assert clock.sleeps == [0.25, 0.25]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"base_delay": -1},
        {"max_delay": -1},
        {"multiplier": 0.5},
        {"jitter": 1.5},
        {"deadline": 0},
    ],
)
def test_bad_policy_is_validation_error(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValidationError) as info:
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == next(iter(kwargs))


# -- circuit breaker ------------------------------------------------------------


def failing() -> None:
    raise HttpError("down", status=503)


def test_breaker_opens_after_threshold_and_fails_fast() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("llm", failure_threshold=3, recovery_timeout=10, clock=clock)
    for _ in range(3):
        with pytest.raises(HttpError):
            breaker.call(failing)
    assert breaker.state is CircuitState.OPEN
    clock.now += 4
    with pytest.raises(ExternalError) as info:
        breaker.call(lambda: "never called")
    assert info.value.is_retryable
    assert info.value.retry_after == pytest.approx(6.0)


def test_breaker_half_opens_then_closes_on_success() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, recovery_timeout=5, clock=clock)
    with pytest.raises(HttpError):
        breaker.call(failing)
    clock.now += 5
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.call(lambda: 42) == 42
    assert breaker.state is CircuitState.CLOSED


def test_breaker_reopens_on_half_open_failure() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, recovery_timeout=5, clock=clock)
    with pytest.raises(HttpError):
        breaker.call(failing)
    clock.now += 5
    with pytest.raises(HttpError):
        breaker.call(failing)
    assert breaker.state is CircuitState.OPEN
    clock.now += 4.9
    assert breaker.state is CircuitState.OPEN


def test_half_open_admits_limited_trial_calls() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(
        failure_threshold=1,
        recovery_timeout=1,
        half_open_max_calls=1,
        success_threshold=2,
        clock=clock,
    )
    breaker.record_failure()
    clock.now += 1
    breaker.acquire()  # the one trial call
    with pytest.raises(ExternalError):
        breaker.acquire()
    breaker.record_success()
    assert breaker.state is CircuitState.HALF_OPEN  # needs two successes
    breaker.acquire()
    breaker.record_success()
    assert breaker.state is CircuitState.CLOSED


def test_a_released_trial_call_frees_its_slot_and_counts_nothing() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(
        failure_threshold=1, recovery_timeout=1, half_open_max_calls=1, clock=clock
    )
    breaker.record_failure()
    clock.now += 1
    breaker.acquire()
    breaker.release()  # the trial was cancelled
    assert breaker.state is CircuitState.HALF_OPEN
    breaker.acquire()  # the slot is free again
    breaker.record_success()
    assert breaker.state is CircuitState.CLOSED


def test_success_resets_consecutive_failures() -> None:
    breaker = CircuitBreaker(failure_threshold=2, clock=FakeClock())
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state is CircuitState.CLOSED


def test_client_errors_do_not_trip_the_breaker() -> None:
    breaker = CircuitBreaker(failure_threshold=1, clock=FakeClock())
    with pytest.raises(ValidationError):
        breaker.call(lambda: (_ for _ in ()).throw(ValidationError("bad input")))
    assert breaker.state is CircuitState.CLOSED


def test_breaker_composes_with_retry() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=2, recovery_timeout=3, clock=clock)
    calls = 0

    def call() -> str:
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise HttpError("down", status=503)
        return "up"

    policy = RetryPolicy(max_attempts=5, base_delay=0.1, jitter=0)
    assert retry(lambda: breaker.call(call), policy, clock=clock, sleep=clock.sleep) == "up"
    # Two failures (backoff 0.1, 0.2) open it; retry then waits out exactly the rest
    # of the breaker's recovery time, which the fast-fail error's retry_after carries.
    assert clock.sleeps[:3] == [0.1, 0.2, pytest.approx(2.8)]
    assert sum(clock.sleeps) == pytest.approx(3.1)
    assert breaker.state is CircuitState.CLOSED


def test_async_call(run_coro: Callable[[Coroutine[Any, Any, int]], int]) -> None:
    breaker = CircuitBreaker(clock=FakeClock())

    async def work() -> int:
        return 7

    assert run_coro(breaker.call_async(work)) == 7


def test_bad_breaker_settings() -> None:
    with pytest.raises(ValidationError):
        CircuitBreaker(failure_threshold=0)
    with pytest.raises(ValidationError):
        CircuitBreaker(recovery_timeout=-1)


@pytest.mark.parametrize(
    ("value", "minimum"), [("3", 0), (True, 0), (2.0, 0), (-1, 0), (0, 1), (None, 0)]
)
def test_check_int_refuses_the_wrong_type_and_range(value: object, minimum: int) -> None:
    with pytest.raises(ValidationError) as info:
        check_int("n", value, minimum=minimum)
    assert info.value.field == "n"
    assert info.value.expected == f"integer >= {minimum}"


@pytest.mark.parametrize(
    ("value", "options"),
    [
        ("1.5", {}),
        (False, {}),
        (float("nan"), {}),
        (float("inf"), {}),
        (-0.1, {}),
        (0, {"strict": True}),
        (1.5, {"maximum": 1.0}),
        (float("nan"), {"allow_infinity": True}),
        (10**400, {}),  # beyond the float range: not an OverflowError
        (-(10**400), {"allow_infinity": True}),
    ],
)
def test_check_number_refuses_the_wrong_type_and_range(value: object, options: Any) -> None:
    with pytest.raises(ValidationError) as info:
        check_number("x", value, **options)
    assert info.value.field == "x"


def test_check_int_maximum() -> None:
    assert check_int("n", 10, maximum=10) == 10
    with pytest.raises(ValidationError) as info:
        check_int("n", 10**30, maximum=2**31)
    assert info.value.expected == f"integer >= 0 and <= {2**31}"


@pytest.mark.parametrize("value", [True, 1.5, [], {}, None, object()])
def test_check_seed_refuses_what_random_cannot_reproduce(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        check_seed("seed", value)
    assert info.value.field == "seed"


def test_check_seed_passes_reproducible_seeds() -> None:
    for seed in (0, -3, 10**30, "run-1", b"\x00"):
        assert check_seed("seed", seed) == seed
    assert check_seed("seed", bytearray(b"ab")) == b"ab"
    assert check_seed("seed", None, allow_none=True) is None


@pytest.mark.parametrize("value", [None, 3, "ab", b"ab", bytearray(b"ab"), {"a": 1}])
def test_check_items_refuses_what_is_not_a_list(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        check_items("ids", value)
    assert info.value.field == "ids"


def test_check_items_takes_any_iterable() -> None:
    assert check_items("ids", ["a", "b"]) == ("a", "b")
    assert check_items("ids", (n for n in range(3))) == (0, 1, 2)
    assert check_items("ids", frozenset({"x"})) == ("x",)


def test_checks_pass_good_values_through() -> None:
    assert check_int("n", 3, minimum=1) == 3
    assert check_number("x", 2) == 2.0
    assert check_number("x", 0.5, strict=True, maximum=1.0) == 0.5
    assert check_number("x", float("inf"), allow_infinity=True) == float("inf")
    assert check_number("x", 10**400, allow_infinity=True) == float("inf")
    assert check_number("x", 10**300) == 1e300
