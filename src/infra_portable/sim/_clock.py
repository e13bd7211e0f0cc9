"""SimClock: virtual time for simulations, so latency costs nothing and runs reproduce."""

from __future__ import annotations

import sys
import time

from infra_portable.errors import ValidationError, check_number

__all__ = ["SimClock"]


class SimClock:
    """A clock the simulators advance instead of sleeping.

    ``now()`` is the virtual time in seconds; ``sleep(s)`` and ``await
    asleep(s)`` advance it at once. Pass ``clock.now`` and ``clock.sleep`` to a
    client, a breaker or a retry loop and a whole failure scenario runs in
    microseconds, identically every time. ``SimClock(real=True)`` really waits
    (for demos against real clients), still counting the time it simulated.
    ``start`` is the first reading: a finite number >= 0 (a ValidationError otherwise).
    """

    __slots__ = ("_now", "real", "slept")

    def __init__(self, start: float = 0.0, *, real: bool = False) -> None:
        self._now = check_number("start", start)
        self.real = real
        self.slept = 0.0

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if not (type(seconds) is float or type(seconds) is int) or not 0 <= seconds <= _MAX:
            seconds = _checked_advance(seconds)
        self._now += seconds
        self.slept += seconds

    def sleep(self, seconds: float) -> None:
        if type(seconds) is not float and type(seconds) is not int:
            seconds = _number(seconds)
        if seconds > 0:
            if self.real:
                time.sleep(seconds)
            self.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        if type(seconds) is not float and type(seconds) is not int:
            seconds = _number(seconds)
        if seconds > 0:
            if self.real:
                import asyncio

                await asyncio.sleep(seconds)
            self.advance(seconds)

    def __repr__(self) -> str:
        return f"SimClock(now={self._now:.6f})"


_MAX = sys.float_info.max


def _number(value: object) -> float:
    """``value`` if it is a number of seconds (an int or float, not a bool), else a
    ValidationError (field ``seconds``); zero, negative and NaN waits are no-ops."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return check_number("seconds", value)  # raises: not a number


def _checked_advance(value: object) -> float:
    """``value`` as seconds to move the clock on (the slow path: odd types, bad values)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        raise ValidationError(
            "a clock cannot move backwards", field="seconds", expected=">= 0", actual=repr(value)
        )
    return check_number("seconds", value)
