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
import time
import weakref
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from infra_portable.errors import ConfigError, ValidationError

__all__ = [
    "Clock",
    "IdGenerator",
    "RandBytes",
    "bad_clock",
    "check_callable",
    "not_an_id",
    "reseed_after_fork",
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
    return time.time_ns() // 1_000_000


def check_callable(value: object, key: str) -> None:
    """Raise ConfigError unless ``value`` (the ``key`` argument) can be called."""
    if not callable(value):
        raise ConfigError(f"{key} must be callable, got {type(value).__name__}", key=key)


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


class _Reseedable(Protocol):
    def _reseed(self) -> None: ...


# Generators whose state must not be shared by a forked child: without fresh
# randomness, parent and child would continue the same monotonic sequence.
_after_fork: weakref.WeakSet[_Reseedable] = weakref.WeakSet()


def _reseed_all() -> None:
    for generator in list(_after_fork):
        generator._reseed()


def reseed_after_fork(generator: _Reseedable) -> None:
    """Have ``generator`` draw fresh randomness in a forked child process."""
    _after_fork.add(generator)


# Only POSIX CPython can fork; Pyodide and WASI have no register_at_fork.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reseed_all)
