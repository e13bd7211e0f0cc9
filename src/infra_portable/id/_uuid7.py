"""UUID version 7 (RFC 9562 §5.7): a 48-bit Unix millisecond timestamp, then 74 random bits.

Layout, most significant bit first::

    unix_ts_ms:48 | ver:4 = 0b0111 | rand_a:12 | var:2 = 0b10 | rand_b:62

Monotonic within one generator (RFC 9562 §6.2, method 1, as CPython 3.14's
``uuid.uuid7`` does it): ``rand_a`` and the top 30 bits of ``rand_b`` form a
42-bit counter. The first ID of a millisecond fills all 74 bits with fresh
randomness; each further ID in that millisecond adds 1 to the counter and draws 32
fresh random bits for the rest of ``rand_b``. If the counter overflows (the seed
is not capped to leave headroom, so the RFC's test vector can be replayed; a
millisecond overflows about once in 2**42 / IDs-per-ms), the timestamp moves
1 ms ahead of the clock; if the clock goes backwards, the last timestamp is
kept. So one generator's IDs strictly increase and never repeat.

Runs unchanged on CPython, Pyodide and WASI (randomness from ``os.urandom``).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from infra_portable.errors import ConfigError, ValidationError
from infra_portable.id._base import (
    Clock,
    IdGenerator,
    RandBytes,
    bad_clock,
    check_callable,
    clock_source,
    not_an_id,
    pooled,
    reset_after_fork,
    system_clock_ms,
)

__all__ = ["UuidV7Generator", "parse_uuid7", "uuid7", "uuid7_timestamp_ms"]

_VERSION_AND_VARIANT = 0x7 << 76 | 0b10 << 62
_COUNTER_MAX = (1 << 42) - 1
_LOW30 = (1 << 30) - 1
# rand_a (12 bits) and rand_b (62 bits) within octets 6-15.
_RAND_BITS = 0xFFF << 64 | (1 << 62) - 1
_TS_LIMIT = 1 << 48
# Before the first ID: 1 ms before the epoch with the counter exhausted, so the
# first clock reading >= 0 seeds a fresh counter, and a reading before 1970
# counts as a clock behind the last ID (its ID gets timestamp 0).
_NO_TIMESTAMP = -1
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_EXPECTED = "a version 7, RFC 9562 variant UUID (36 or 32 hex characters)"

_UUID = uuid.UUID


def _slow_uuid(value: int) -> uuid.UUID:
    return _UUID(int=value)


def _uuid_factory() -> Callable[[int], uuid.UUID]:
    """``uuid.UUID(int=value)`` without re-validating a value we built ourselves.

    Filling the two slots through their descriptors is about 3x faster (CPython
    3.14's ``UUID._from_int`` does the same). Used only if a probe proves the
    result identical to the real constructor's; a future ``uuid.UUID`` with
    another layout gets the constructor.
    """
    try:
        new = object.__new__
        set_int = vars(_UUID)["int"].__set__
        set_is_safe = vars(_UUID)["is_safe"].__set__
        unknown = uuid.SafeUUID.unknown

        def fast_uuid(value: int) -> uuid.UUID:
            made = new(_UUID)
            set_int(made, value)
            set_is_safe(made, unknown)
            return made

        probe = 0x017F22E279B07CC398C4DC0C0C07398F
        made, reference = fast_uuid(probe), _UUID(int=probe)
        if (made, str(made), made.is_safe) == (reference, str(reference), reference.is_safe):
            return fast_uuid
    except (AttributeError, KeyError, TypeError):
        pass
    return _slow_uuid


_make_uuid = _uuid_factory()


class UuidV7Generator:
    """Makes time-ordered RFC 9562 version 7 UUIDs; safe to share between threads.

    ``clock`` returns Unix milliseconds and ``randbytes(n)`` returns ``n`` random
    bytes; inject both for reproducible IDs. The first ID of each millisecond
    takes ``randbytes(10)`` as octets 6-15 of the UUID (then sets the version and
    variant bits), which is how RFC 9562 Appendix A.6 builds its example.
    """

    __slots__ = (
        "__weakref__",
        "_clock",
        "_clock_divisor",
        "_counter",
        "_lock",
        "_ms",
        "_randbytes",
    )

    def __init__(self, *, clock: Clock = system_clock_ms, randbytes: RandBytes = os.urandom):
        check_callable(randbytes, "randbytes")
        self._clock, self._clock_divisor = clock_source(clock)
        self._randbytes = pooled(randbytes)
        self._lock = threading.Lock()
        self._ms = _NO_TIMESTAMP
        self._counter = _COUNTER_MAX
        reset_after_fork(self)

    def next_int(self) -> int:
        """The next UUID as a 128-bit integer."""
        ms = self._clock()
        lock = self._lock
        lock.acquire()  # not `with`: this is the hot path, and acquire/release is ~2x cheaper
        try:
            ms //= self._clock_divisor
            if ms <= self._ms:
                counter = self._counter + 1
                if counter <= _COUNTER_MAX:
                    self._counter = counter
                    tail = int.from_bytes(self._randbytes(4), "big")
                    return (
                        self._ms << 80
                        | (counter >> 30) << 64
                        | (counter & _LOW30) << 32
                        | tail
                        | _VERSION_AND_VARIANT
                    )
                # Counter exhausted: borrow the next millisecond.
                ms = self._ms + 1
            if type(ms) is not int or not 0 <= ms < _TS_LIMIT:
                raise bad_clock(ms)
            # Octets 6-15; the version and variant bits are overwritten below.
            rand = int.from_bytes(self._randbytes(10), "big")
            self._ms = ms
            self._counter = ((rand >> 64) & 0xFFF) << 30 | ((rand >> 32) & _LOW30)
            return ms << 80 | (rand & _RAND_BITS) | _VERSION_AND_VARIANT
        except TypeError as exc:
            raise ConfigError(
                "the clock or randbytes returned a value of the wrong type", key="clock"
            ) from exc
        finally:
            lock.release()

    def next_uuid(self) -> uuid.UUID:
        """The next ID as a ``uuid.UUID``."""
        return _make_uuid(self.next_int())

    def generate(self) -> str:
        """The next ID in canonical form: 36 lowercase characters with hyphens."""
        h = self.next_int().to_bytes(16, "big").hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _after_fork_in_child(self) -> None:
        # A lock another thread held at the fork would stay held for ever.
        self._lock = threading.Lock()
        # The next ID starts a fresh random counter (one millisecond ahead if the
        # clock has not moved), so the child cannot repeat the parent's IDs.
        self._counter = _COUNTER_MAX


_DEFAULT = UuidV7Generator()
_next_default = _DEFAULT.next_int


def uuid7() -> uuid.UUID:
    """A new UUID version 7 from the process-wide generator (monotonic per process)."""
    return _make_uuid(_next_default())


def parse_uuid7(text: str | uuid.UUID) -> uuid.UUID:
    """Parse a UUID version 7 from its 36-character form (or 32 bare hex digits).

    Raises ValidationError for anything else, including UUIDs of another version
    or variant. A ``uuid.UUID`` is accepted and checked the same way.
    """
    if isinstance(text, uuid.UUID):
        value = text.int
    elif isinstance(text, str):
        if len(text) == 36 and text[8] == text[13] == text[18] == text[23] == "-":
            digits = text[:8] + text[9:13] + text[14:18] + text[19:23] + text[24:]
        elif len(text) == 32:
            digits = text
        else:
            raise not_an_id(
                "UUID", "wrong length or layout", field="uuid", expected=_EXPECTED, text=text
            )
        if not _HEX_DIGITS.issuperset(digits):
            raise not_an_id("UUID", "not hexadecimal", field="uuid", expected=_EXPECTED, text=text)
        value = int(digits, 16)
    else:
        raise ValidationError(
            "a UUID must be given as text or uuid.UUID",
            field="uuid",
            expected=_EXPECTED,
            actual=type(text).__name__,
        )
    version = (value >> 76) & 0xF
    if version != 7:
        raise not_an_id(
            "UUIDv7", f"version is {version}", field="uuid", expected=_EXPECTED, text=text
        )
    if (value >> 62) & 0b11 != 0b10:
        raise not_an_id(
            "UUIDv7", "variant is not RFC 9562", field="uuid", expected=_EXPECTED, text=text
        )
    return text if isinstance(text, uuid.UUID) else _make_uuid(value)


def uuid7_timestamp_ms(value: str | uuid.UUID) -> int:
    """The Unix millisecond timestamp inside a UUID version 7 (validated first)."""
    return parse_uuid7(value).int >> 80


if TYPE_CHECKING:
    _conforms: type[IdGenerator] = UuidV7Generator
