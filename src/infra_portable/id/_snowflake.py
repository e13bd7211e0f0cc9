"""Snowflake IDs (Twitter's layout): 63-bit integers that sort by creation time.

Layout, most significant bit first::

    0:1 | milliseconds since the epoch:41 | worker_id:10 | sequence:12

The worker id is one 10-bit number (0..1023). Deployments that think in Twitter's
5-bit datacenter and 5-bit worker pass ``datacenter << 5 | worker``: same bits.
The epoch defaults to Twitter's (2010-11-04 01:42:54.657 UTC); 41 bits of
milliseconds last about 69 years from it.

A worker id must belong to one generator at a time (one per process, forked
children included): two generators with the same worker id can issue the same ID.

The sequence starts at 0 in each millisecond. After 4096 IDs in one millisecond
the timestamp moves 1 ms ahead of the clock rather than waiting for it, so the
generator never blocks or spins, even on a frozen test clock; pure Python cannot
sustain 4 million IDs a second, so the clock soon catches up.

A clock that goes back by at most ``max_clock_regression_ms`` (default 5) keeps
issuing from the last timestamp. Further back, ``next_int`` raises
:class:`~infra_portable.errors.ExternalError` (``service="clock"``) with
``retry_after_s`` set to when the clock will be back within the tolerance. That
kind because the fault is the environment's, neither the caller's input
(ValidationError) nor its configuration (ConfigError), and it heals by itself:
the error is retryable and says when, so ``infra_portable.errors.retry`` waits it out.

Runs unchanged on CPython, Pyodide and WASI.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from infra_portable.errors import ConfigError, ExternalError, ValidationError
from infra_portable.id._base import (
    Clock,
    IdGenerator,
    bad_clock,
    clock_source,
    not_an_id,
    reset_after_fork,
    system_clock_ms,
)

__all__ = [
    "SNOWFLAKE_WORKER_ID_ENV",
    "TWITTER_EPOCH_MS",
    "SnowflakeGenerator",
    "SnowflakeParts",
    "decompose_snowflake",
    "snowflake",
]

TWITTER_EPOCH_MS = 1288834974657
"""Twitter's Snowflake epoch, 2010-11-04 01:42:54.657 UTC, in Unix milliseconds."""

SNOWFLAKE_WORKER_ID_ENV = "INFRA_PORTABLE_SNOWFLAKE_WORKER_ID"
"""Environment variable giving :func:`snowflake`'s worker id (default 0)."""

_TS_LIMIT = 1 << 41
_WORKER_MAX = (1 << 10) - 1
_SEQUENCE_MAX = (1 << 12) - 1
_EXPECTED = "a decimal or integer snowflake in 0..2**63-1"


@dataclass(frozen=True, slots=True)
class SnowflakeParts:
    """The fields of a snowflake ID; ``timestamp_ms`` is Unix milliseconds."""

    timestamp_ms: int
    worker_id: int
    sequence: int


def _check_int(value: object, field: str, low: int, high: int | None) -> int:
    if type(value) is not int or value < low or (high is not None and value > high):
        expected = f"an integer in {low}..{high}" if high is not None else f"an integer >= {low}"
        raise ValidationError(
            f"{field} out of range", field=field, expected=expected, actual=repr(value)[:40]
        )
    return value


class SnowflakeGenerator:
    """Makes snowflake IDs for one worker; safe to share between threads.

    ``clock`` returns Unix milliseconds; inject it for reproducible IDs. Raises
    ValidationError for a worker id outside 0..1023, a negative epoch or tolerance.
    """

    __slots__ = (
        "__weakref__",
        "_clock",
        "_clock_divisor",
        "_epoch",
        "_last",
        "_lock",
        "_seen",
        "_sequence",
        "_tolerance",
        "_worker_bits",
        "_worker_id",
    )

    def __init__(
        self,
        worker_id: int = 0,
        *,
        epoch_ms: int = TWITTER_EPOCH_MS,
        clock: Clock = system_clock_ms,
        max_clock_regression_ms: int = 5,
    ) -> None:
        self._worker_id = _check_int(worker_id, "worker_id", 0, _WORKER_MAX)
        self._epoch = _check_int(epoch_ms, "epoch_ms", 0, None)
        self._tolerance = _check_int(max_clock_regression_ms, "max_clock_regression_ms", 0, None)
        self._clock, self._clock_divisor = clock_source(clock)
        self._worker_bits = worker_id << 12
        self._lock = threading.Lock()
        # Timestamp of the last ID (may run ahead of the clock after a burst) and
        # the latest clock reading; regressions are measured against the latter.
        # Before the first ID both sit 1 ms before the epoch, sequence exhausted.
        self._last = self._seen = self._epoch - 1
        self._sequence = _SEQUENCE_MAX
        reset_after_fork(self)

    @property
    def worker_id(self) -> int:
        return self._worker_id

    @property
    def epoch_ms(self) -> int:
        return self._epoch

    def next_int(self) -> int:
        """The next ID as an integer (always below 2**63)."""
        now = self._clock()
        lock = self._lock
        lock.acquire()  # not `with`: this is the hot path, and acquire/release is ~2x cheaper
        try:
            now //= self._clock_divisor
            if now > self._last:
                if type(now) is not int or now - self._epoch >= _TS_LIMIT:
                    raise bad_clock(now)
                self._last = self._seen = now
                self._sequence = 0
                return (now - self._epoch) << 22 | self._worker_bits
            if now < self._seen - self._tolerance:
                raise self._regression(now)
            self._seen = max(self._seen, now)
            sequence = self._sequence + 1
            if sequence > _SEQUENCE_MAX:
                # Sequence exhausted: borrow the next millisecond.
                if self._last + 1 - self._epoch >= _TS_LIMIT:
                    raise bad_clock(self._last + 1)
                self._last += 1
                sequence = 0
            self._sequence = sequence
            return (self._last - self._epoch) << 22 | self._worker_bits | sequence
        except TypeError as exc:
            raise ConfigError("the clock returned a value of the wrong type", key="clock") from exc
        finally:
            lock.release()

    def generate(self) -> str:
        """The next ID as a decimal string."""
        return str(self.next_int())

    def decompose(self, snowflake: int | str) -> SnowflakeParts:
        """The timestamp, worker id and sequence of an ID made with this epoch."""
        return decompose_snowflake(snowflake, epoch_ms=self._epoch)

    def _after_fork_in_child(self) -> None:
        # A lock another thread held at the fork would stay held for ever. (The
        # child still needs its own worker id: see the module docstring.)
        self._lock = threading.Lock()

    def _regression(self, now: int) -> ConfigError | ExternalError:
        if self._seen < self._epoch:
            return ConfigError(
                f"the clock reads {now}, before the snowflake epoch {self._epoch}", key="epoch_ms"
            )
        behind = self._seen - now
        return ExternalError(
            f"the clock went back {behind} ms, more than the {self._tolerance} ms tolerated; "
            "refusing to risk duplicate IDs until it catches up",
            service="clock",
            operation="snowflake",
            retry_after_s=(behind - self._tolerance) / 1000,
        )


def decompose_snowflake(
    snowflake: int | str, *, epoch_ms: int = TWITTER_EPOCH_MS
) -> SnowflakeParts:
    """Split an ID (int or decimal string) into timestamp, worker id and sequence.

    ``epoch_ms`` must be the epoch the ID was made with. Raises ValidationError
    for anything that is not an integer in 0..2**63-1.
    """
    _check_int(epoch_ms, "epoch_ms", 0, None)
    if isinstance(snowflake, str) and 0 < len(snowflake) <= 19 and snowflake.isascii():
        if not snowflake.isdigit():
            raise not_an_id(
                "snowflake",
                "not decimal digits",
                field="snowflake",
                expected=_EXPECTED,
                text=snowflake,
            )
        value = int(snowflake)
    elif type(snowflake) is int:
        value = snowflake
    else:
        raise not_an_id(
            "snowflake", "not an integer", field="snowflake", expected=_EXPECTED, text=snowflake
        )
    if not 0 <= value < 1 << 63:
        raise not_an_id(
            "snowflake", "out of range", field="snowflake", expected=_EXPECTED, text=snowflake
        )
    return SnowflakeParts(
        timestamp_ms=(value >> 22) + epoch_ms,
        worker_id=(value >> 12) & _WORKER_MAX,
        sequence=value & _SEQUENCE_MAX,
    )


_default: SnowflakeGenerator | None = None
_default_lock = threading.Lock()


def _default_generator() -> SnowflakeGenerator:
    global _default
    with _default_lock:
        if _default is None:
            raw = os.environ.get(SNOWFLAKE_WORKER_ID_ENV, "0").strip()
            if not (len(raw) <= 4 and raw.isascii() and raw.isdigit() and int(raw) <= _WORKER_MAX):
                raise ConfigError(
                    f"must be an integer in 0..{_WORKER_MAX}, got {raw[:40]!r}",
                    key=SNOWFLAKE_WORKER_ID_ENV,
                )
            _default = SnowflakeGenerator(int(raw))
        return _default


def snowflake() -> int:
    """A new snowflake ID from the process-wide generator.

    Its worker id comes from ``INFRA_PORTABLE_SNOWFLAKE_WORKER_ID`` (default 0),
    read on first use; give each process its own.
    """
    generator = _default or _default_generator()
    return generator.next_int()


if TYPE_CHECKING:
    _conforms: type[IdGenerator] = SnowflakeGenerator
