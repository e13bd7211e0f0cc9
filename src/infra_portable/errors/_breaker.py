"""A circuit breaker: stop calling a failing dependency for a while.

States::

    CLOSED --(failure_threshold consecutive failures)--> OPEN
    OPEN --(recovery_timeout elapsed)--> HALF_OPEN
    HALF_OPEN --(success_threshold successes)--> CLOSED
    HALF_OPEN --(any failure)--> OPEN

While OPEN (and for calls beyond ``half_open_max_calls`` while HALF_OPEN) a call
fails fast with ``ExternalError`` whose ``retry_after`` is the time left before
the breaker half-opens, so ``retry`` waits exactly that long.

Only failures for which ``is_failure(exc)`` is true count: by default retryable
InfraErrors and foreign exceptions, not a caller's own bad input (a validation
error says nothing about the dependency's health). The clock is injectable.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TypeVar

from infra_portable.errors._base import ExternalError, InfraError, ValidationError

__all__ = ["CircuitBreaker", "CircuitState", "default_is_failure"]

T = TypeVar("T")


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


def default_is_failure(exc: BaseException) -> bool:
    """Count retryable InfraErrors and foreign exceptions as the dependency's fault."""
    return exc.is_retryable if isinstance(exc, InfraError) else True


class CircuitBreaker:
    """Tracks a dependency's health and rejects calls while it is failing."""

    def __init__(
        self,
        name: str = "dependency",
        *,
        failure_threshold: int = 5,
        recovery_timeout: float = 30.0,
        half_open_max_calls: int = 1,
        success_threshold: int = 1,
        is_failure: Callable[[BaseException], bool] = default_is_failure,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for field, value in (
            ("failure_threshold", failure_threshold),
            ("half_open_max_calls", half_open_max_calls),
            ("success_threshold", success_threshold),
        ):
            if value < 1:
                raise ValidationError(
                    "must be at least 1", field=field, expected=">= 1", actual=str(value)
                )
        if recovery_timeout < 0:
            raise ValidationError("must not be negative", field="recovery_timeout")
        self.name = name
        self.failure_threshold = failure_threshold
        self.recovery_timeout = recovery_timeout
        self.half_open_max_calls = half_open_max_calls
        self.success_threshold = success_threshold
        self._is_failure = is_failure
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._successes = 0
        self._opened_at = 0.0
        self._in_flight = 0

    # -- state --------------------------------------------------------------
    @property
    def state(self) -> CircuitState:
        """The current state (an OPEN breaker turns HALF_OPEN once its timeout passes)."""
        with self._lock:
            self._refresh()
            return self._state

    def _refresh(self) -> None:
        if (
            self._state is CircuitState.OPEN
            and self._clock() - self._opened_at >= self.recovery_timeout
        ):
            self._state = CircuitState.HALF_OPEN
            self._successes = 0
            self._in_flight = 0

    def _trip(self) -> None:
        self._state = CircuitState.OPEN
        self._opened_at = self._clock()
        self._failures = 0
        self._successes = 0

    def reset(self) -> None:
        """Close the breaker and forget its history."""
        with self._lock:
            self._state = CircuitState.CLOSED
            self._failures = self._successes = self._in_flight = 0

    # -- the protocol: acquire, then record ----------------------------------
    def acquire(self) -> None:
        """Ask to make a call; raises ExternalError (retryable) when the breaker refuses."""
        with self._lock:
            self._refresh()
            if self._state is CircuitState.CLOSED:
                return
            if self._state is CircuitState.HALF_OPEN and self._in_flight < self.half_open_max_calls:
                self._in_flight += 1
                return
            wait = max(self.recovery_timeout - (self._clock() - self._opened_at), 0.0)
            if self._state is CircuitState.HALF_OPEN:
                wait = self.recovery_timeout
            raise ExternalError(
                f"circuit '{self.name}' is {self._state.value}; not calling",
                service=self.name,
                operation="call",
                retry_after_s=wait,
            )

    def record_success(self) -> None:
        with self._lock:
            if self._state is CircuitState.HALF_OPEN:
                self._in_flight = max(self._in_flight - 1, 0)
                self._successes += 1
                if self._successes >= self.success_threshold:
                    self._state = CircuitState.CLOSED
                    self._failures = 0
            elif self._state is CircuitState.CLOSED:
                self._failures = 0

    def record_failure(self, exc: BaseException | None = None) -> None:
        """Record a failed call; ``exc`` is checked with ``is_failure`` when given."""
        if exc is not None and not self._is_failure(exc):
            self.record_success()
            return
        with self._lock:
            if self._state is CircuitState.HALF_OPEN:
                self._trip()
            elif self._state is CircuitState.CLOSED:
                self._failures += 1
                if self._failures >= self.failure_threshold:
                    self._trip()

    # -- conveniences ---------------------------------------------------------
    @contextmanager
    def guard(self) -> Iterator[None]:
        """``with breaker.guard(): ...`` acquires, then records the outcome."""
        self.acquire()
        try:
            yield
        except BaseException as exc:
            if isinstance(exc, Exception):
                self.record_failure(exc)
            else:  # cancelled or interrupted: says nothing about health
                self.release()
            raise
        self.record_success()

    def release(self) -> None:
        """Give back an acquired call without an outcome (it was cancelled): a
        half-open breaker's probe slot is free again and nothing is counted."""
        with self._lock:
            if self._state is CircuitState.HALF_OPEN:
                self._in_flight = max(self._in_flight - 1, 0)

    def call(self, fn: Callable[[], T]) -> T:
        """Call ``fn()`` through the breaker."""
        with self.guard():
            return fn()

    async def call_async(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Await ``fn()`` through the breaker."""
        with self.guard():
            return await fn()

    def __repr__(self) -> str:
        return f"CircuitBreaker({self.name!r}, state={self.state.value})"
