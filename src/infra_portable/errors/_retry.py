"""Retrying a call with exponential backoff and jitter (seed 002 §3.2).

A failure is retried when ``policy.retry_on(exc)`` says so (by default: an
InfraError whose ``is_retryable`` is true). The wait before attempt n+1 is
``min(max_delay, base_delay * multiplier**(n-1))``, shortened by a random
fraction up to ``jitter`` (0 = none, 1 = "full jitter"); when the error carries
``retry_after``, that wait is used instead, as the server asked. If the next
attempt would start after ``deadline`` seconds from the first one, the last
error is raised at once rather than sleeping in vain.

Clock, sleep and randomness are injectable, so tests run instantly and
deterministically.
"""

from __future__ import annotations

import random as _random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from infra_portable.errors._base import InfraError, ValidationError

__all__ = ["RetryPolicy", "default_retry_on", "retry", "retry_async"]

T = TypeVar("T")


def default_retry_on(exc: BaseException) -> bool:
    """Retry InfraErrors that say they are retryable; nothing else."""
    return isinstance(exc, InfraError) and exc.is_retryable


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry."""

    max_attempts: int = 3
    base_delay: float = 0.1
    max_delay: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.5
    deadline: float | None = None
    retry_on: Callable[[BaseException], bool] = field(default=default_retry_on)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValidationError(
                "must allow at least one attempt",
                field="max_attempts",
                expected=">= 1",
                actual=str(self.max_attempts),
            )
        for name in ("base_delay", "max_delay"):
            if getattr(self, name) < 0:
                raise ValidationError("must not be negative", field=name)
        if self.multiplier < 1:
            raise ValidationError("must be at least 1", field="multiplier")
        if not 0 <= self.jitter <= 1:
            raise ValidationError(
                "must be between 0 and 1", field="jitter", actual=str(self.jitter)
            )
        if self.deadline is not None and self.deadline <= 0:
            raise ValidationError("must be positive", field="deadline")

    def backoff(self, attempt: int, rand: float = 0.0) -> float:
        """Wait after failed attempt ``attempt`` (1-based), for a random draw in [0, 1)."""
        ceiling = min(self.max_delay, self.base_delay * self.multiplier ** (attempt - 1))
        return ceiling * (1.0 - self.jitter * rand)

    def delay_for(self, exc: BaseException, attempt: int, rand: float = 0.0) -> float:
        """The wait before the next attempt, honouring the error's retry_after."""
        hinted = exc.retry_after if isinstance(exc, InfraError) else None
        return hinted if hinted is not None else self.backoff(attempt, rand)


def _note_give_up(exc: BaseException, attempts: int) -> None:
    if isinstance(exc, InfraError) and attempts > 1:
        exc.add_context(f"retrying, gave up after {attempts} attempts")


def retry(
    fn: Callable[[], T],
    policy: RetryPolicy | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
    rand: Callable[[], float] = _random.random,
    on_retry: Callable[[BaseException, int, float], object] | None = None,
) -> T:
    """Call ``fn()`` until it succeeds or the policy gives up; re-raises the last error."""
    policy = policy or RetryPolicy()
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except Exception as exc:
            delay = _next_delay(policy, exc, attempt, started, clock, rand)
            if delay is None:
                _note_give_up(exc, attempt)
                raise
            if on_retry is not None:
                on_retry(exc, attempt, delay)
            sleep(delay)


async def retry_async(
    fn: Callable[[], Awaitable[T]],
    policy: RetryPolicy | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] | None = None,
    rand: Callable[[], float] = _random.random,
    on_retry: Callable[[BaseException, int, float], object] | None = None,
) -> T:
    """Async :func:`retry`: awaits ``fn()`` and ``sleep`` (default ``asyncio.sleep``)."""
    if sleep is None:
        # Imported here: asyncio costs ~40 ms at startup, and every module imports errors.
        import asyncio

        sleep = asyncio.sleep
    policy = policy or RetryPolicy()
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            return await fn()
        except Exception as exc:
            delay = _next_delay(policy, exc, attempt, started, clock, rand)
            if delay is None:
                _note_give_up(exc, attempt)
                raise
            if on_retry is not None:
                on_retry(exc, attempt, delay)
            await sleep(delay)


def _next_delay(
    policy: RetryPolicy,
    exc: BaseException,
    attempt: int,
    started: float,
    clock: Callable[[], float],
    rand: Callable[[], float],
) -> float | None:
    """Seconds to wait before retrying, or None to give up."""
    if attempt >= policy.max_attempts or not policy.retry_on(exc):
        return None
    delay = policy.delay_for(exc, attempt, rand())
    if policy.deadline is not None and clock() - started + delay > policy.deadline:
        return None
    return delay
