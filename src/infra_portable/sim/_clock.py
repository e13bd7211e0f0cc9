"""SimClock: virtual time for simulations, so latency costs nothing and runs reproduce."""

from __future__ import annotations

import time

from infra_portable.errors import ValidationError

__all__ = ["SimClock"]


class SimClock:
    """A clock the simulators advance instead of sleeping.

    ``now()`` is the virtual time in seconds; ``sleep(s)`` and ``await
    asleep(s)`` advance it at once. Pass ``clock.now`` and ``clock.sleep`` to a
    client, a breaker or a retry loop and a whole failure scenario runs in
    microseconds, identically every time. ``SimClock(real=True)`` really waits
    (for demos against real clients), still counting the time it simulated.
    """

    __slots__ = ("_now", "real", "slept")

    def __init__(self, start: float = 0.0, *, real: bool = False) -> None:
        self._now = float(start)
        self.real = real
        self.slept = 0.0

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValidationError(
                "a clock cannot move backwards",
                field="seconds",
                expected=">= 0",
                actual=repr(seconds),
            )
        self._now += seconds
        self.slept += seconds

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            if self.real:
                time.sleep(seconds)
            self.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        if seconds > 0:
            if self.real:
                import asyncio

                await asyncio.sleep(seconds)
            self.advance(seconds)

    def __repr__(self) -> str:
        return f"SimClock(now={self._now:.6f})"
