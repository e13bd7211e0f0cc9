"""The ``IdGenerator`` interface and the pieces every generator shares.

A generator takes its time and its randomness from two injectable callables, so
tests can freeze the clock, turn it back, or replay the exact bytes of a
published test vector:

* ``clock() -> int``: milliseconds since the Unix epoch (default
  :func:`system_clock_ms`);
* ``randbytes(n) -> bytes``: ``n`` cryptographically secure random bytes
  (default ``os.urandom``: ``getrandom`` natively, ``crypto.getRandomValues``
  in Pyodide, ``random_get`` under WASI).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from time import time_ns
from typing import Protocol, runtime_checkable

from infra_portable.errors import ConfigError, ValidationError

__all__ = [
    "Clock",
    "IdGenerator",
    "RandBytes",
    "RandomPool",
    "bad_clock",
    "check_callable",
    "clock_source",
    "not_an_id",
    "pooled",
    "reset_after_fork",
    "system_clock_ms",
]

Clock = Callable[[], int]
"""Returns the current time in whole milliseconds since the Unix epoch."""

RandBytes = Callable[[int], bytes]
"""Returns ``n`` random bytes; must be cryptographically secure in production."""


@runtime_checkable
class IdGenerator(Protocol):
    """Something that makes unique identifiers.

    ``generate()`` returns the next identifier in its canonical text form. Every
    generator in this package is safe to share between threads, and the IDs one
    generator returns never repeat.
    """

    def generate(self) -> str:
        """The next identifier, as text."""
        ...


def system_clock_ms() -> int:
    """Milliseconds since the Unix epoch from the system clock."""
    return time_ns() // 1_000_000


def check_callable(value: object, key: str) -> None:
    """Raise ConfigError unless ``value`` (the ``key`` argument) can be called."""
    if not callable(value):
        raise ConfigError(f"{key} must be callable, got {type(value).__name__}", key=key)


def clock_source(clock: Clock) -> tuple[Callable[[], int], int]:
    """What a generator calls for the time, and what it divides the result by.

    The system clock is read as ``time_ns() // 1_000_000`` in the generator
    itself, saving a Python call per ID; any other clock is called as given
    (divided by 1). Raises ConfigError if ``clock`` is not callable.
    """
    check_callable(clock, "clock")
    return (time_ns, 1_000_000) if clock is system_clock_ms else (clock, 1)


def bad_clock(value: object) -> ConfigError:
    """The error for a clock that returned something that is not a usable time."""
    return ConfigError(
        f"the clock returned {repr(value)[:40]}, expected whole milliseconds since 1970 "
        "within the ID format's range",
        key="clock",
    )


def not_an_id(kind: str, why: str, *, field: str, expected: str, text: object) -> ValidationError:
    """The error for text that does not parse as a ``kind`` identifier."""
    return ValidationError(
        f"not a {kind}: {why}", field=field, expected=expected, actual=repr(text)[:40]
    )


class _ForkAware(Protocol):
    def _after_fork_in_child(self) -> None: ...


# Objects whose state a forked child must not inherit as is: a lock another
# thread held at the fork would stay held for ever, and without fresh randomness
# parent and child would continue the same monotonic sequence.
_fork_aware: weakref.WeakSet[_ForkAware] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for obj in list(_fork_aware):
        obj._after_fork_in_child()


def reset_after_fork(obj: _ForkAware) -> None:
    """Have ``obj._after_fork_in_child()`` called in every forked child process."""
    _fork_aware.add(obj)


class RandomPool:
    """Serves ``os.urandom`` bytes from a small buffer, refilled when it runs out.

    A call for random bytes is a system call natively, a call into JavaScript in
    Pyodide and a host call under WASI; buffering makes it one per few dozen IDs
    rather than one per ID. IDs are identifiers, not secrets, so holding up to
    256 future random bytes in memory costs nothing. Not locked: each generator
    owns one and uses it under its own lock. Emptied in a forked child so parent
    and child never share bytes.
    """

    __slots__ = ("__weakref__", "_buffer", "_position")

    SIZE = 256

    def __init__(self) -> None:
        self._buffer = b""
        self._position = 0
        reset_after_fork(self)

    def take(self, n: int) -> bytes:
        """``n`` fresh random bytes (never handed out twice)."""
        start = self._position
        end = start + n
        buffer = self._buffer
        if end > len(buffer):
            if n > self.SIZE:
                return os.urandom(n)
            buffer = self._buffer = os.urandom(self.SIZE)
            start, end = 0, n
        self._position = end
        return buffer[start:end]

    def _after_fork_in_child(self) -> None:
        self._buffer = b""
        self._position = 0


def pooled(randbytes: RandBytes) -> RandBytes:
    """``randbytes`` itself, or a fresh pool's ``take`` when it is ``os.urandom``.

    Injected sources are called directly, so tests see exactly the requests the
    generator documents (and can replay a test vector byte for byte).
    """
    return RandomPool().take if randbytes is os.urandom else randbytes


# Only POSIX CPython can fork; Pyodide and WASI have no register_at_fork.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
