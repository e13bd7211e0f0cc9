"""ULID (github.com/ulid/spec): a 48-bit Unix millisecond timestamp, then 80 random bits.

The text form is 26 Crockford base32 characters (``0-9`` and ``A-Z`` without
I, L, O, U): 10 for the timestamp, 16 for the randomness. 26 x 5 = 130 bits, so
the first character is at most ``7``. Decoding ignores case and reads I and L as
1 and O as 0, as Crockford's alphabet says.

Monotonic as the spec says: a further ULID in the same millisecond is the last
one's randomness plus 1, and a clock that goes backwards keeps the last
timestamp. The spec makes overflow of the 80-bit randomness an error; here the
timestamp moves 1 ms ahead of the clock instead and the randomness is drawn
afresh, so ULIDs stay unique and sorted and no caller handles a failure that
practically never happens. As the spec's monotonic mode implies, a ULID from the
same millisecond as the previous one is predictable from it.

Runs unchanged on CPython, Pyodide and WASI (randomness from ``os.urandom``).
"""

from __future__ import annotations

import builtins
import os
import threading
import uuid
from dataclasses import dataclass
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

__all__ = ["CROCKFORD_ALPHABET", "Ulid", "UlidGenerator", "parse_ulid", "ulid"]

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

_TS_LIMIT = 1 << 48
_RAND_MAX = (1 << 80) - 1
_LOW40 = (1 << 40) - 1
_EXPECTED = "26 Crockford base32 characters, the first 0-7"

# Ten bits -> two characters: encoding takes 13 table lookups instead of 26.
_PAIRS = tuple(a + b for a in CROCKFORD_ALPHABET for b in CROCKFORD_ALPHABET)


def _make_decode_table() -> bytes:
    # ASCII byte -> the digit int(..., 32) reads for the same value; "!" for
    # everything else, which int() rejects and we check for first.
    table = bytearray(b"!" * 256)
    for char, digit in zip(CROCKFORD_ALPHABET, "0123456789abcdefghijklmnopqrstuv", strict=True):
        table[ord(char)] = table[ord(char.lower())] = ord(digit)
    for alias, same_as in (("I", "1"), ("L", "1"), ("O", "0")):
        table[ord(alias)] = table[ord(alias.lower())] = table[ord(same_as)]
    return bytes(table)


_DECODE = _make_decode_table()


def _encode40(x: int) -> str:
    p = _PAIRS
    return p[x >> 30] + p[(x >> 20) & 1023] + p[(x >> 10) & 1023] + p[x & 1023]


def _encode_high88(high: int) -> str:
    """The first 18 characters: the timestamp and the top 40 bits of randomness."""
    return _PAIRS[high >> 80] + _encode40((high >> 40) & _LOW40) + _encode40(high & _LOW40)


def _encode(value: int) -> str:
    return _encode_high88(value >> 40) + _encode40(value & _LOW40)


def _decode(text: object) -> int:
    if not isinstance(text, str):
        raise ValidationError(
            "a ULID must be given as text",
            field="ulid",
            expected=_EXPECTED,
            actual=type(text).__name__,
        )
    if len(text) != 26:
        why = f"{len(text)} characters"
        raise not_an_id("ULID", why, field="ulid", expected=_EXPECTED, text=text)
    digits = text.encode("ascii", "replace").translate(_DECODE)
    if b"!" in digits:
        why = "not Crockford base32"
        raise not_an_id("ULID", why, field="ulid", expected=_EXPECTED, text=text)
    if digits[0] > ord("7"):
        why = "larger than 128 bits"
        raise not_an_id("ULID", why, field="ulid", expected=_EXPECTED, text=text)
    return int(digits, 32)


_object_new = object.__new__
_object_setattr = object.__setattr__


@dataclass(frozen=True, slots=True, order=True)
class Ulid:
    """One ULID: ``str()`` gives its 26-character form; sorts like that form."""

    timestamp_ms: int
    randomness: int

    def __post_init__(self) -> None:
        for name, limit in (("timestamp_ms", _TS_LIMIT), ("randomness", _RAND_MAX + 1)):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value < limit:
                raise ValidationError(
                    f"ULID {name} out of range",
                    field=name,
                    expected=f"an integer in 0..2**{limit.bit_length() - 1}-1",
                    actual=repr(value)[:40],
                )

    @classmethod
    def from_int(cls, value: builtins.int) -> Ulid:
        """The ULID whose 128-bit value is ``value``."""
        if type(value) is not builtins.int or not 0 <= value >> 80 < _TS_LIMIT:
            raise ValidationError(
                "a ULID is a 128-bit unsigned integer",
                field="ulid",
                expected="an integer in 0..2**128-1",
                actual=repr(value)[:40],
            )
        return _make_ulid(value >> 80, value & _RAND_MAX)

    @classmethod
    def from_bytes(cls, data: builtins.bytes | bytearray | memoryview) -> Ulid:
        """The ULID stored in 16 big-endian bytes."""
        if isinstance(data, bytearray | memoryview):
            data = builtins.bytes(data)
        if not isinstance(data, builtins.bytes) or len(data) != 16:
            raise ValidationError(
                "a ULID is 16 bytes",
                field="ulid",
                expected="16 bytes",
                actual=repr(data)[:40],
            )
        value = builtins.int.from_bytes(data, "big")
        return _make_ulid(value >> 80, value & _RAND_MAX)

    @property
    def int(self) -> builtins.int:
        """The 128-bit value: timestamp in the top 48 bits, randomness below."""
        return self.timestamp_ms << 80 | self.randomness

    @property
    def bytes(self) -> builtins.bytes:
        """The 16-byte big-endian binary form."""
        return (self.timestamp_ms << 80 | self.randomness).to_bytes(16, "big")

    def to_uuid(self) -> uuid.UUID:
        """The same 128 bits as a ``uuid.UUID``, e.g. for a database UUID column.

        Its version and variant bits are whatever the ULID holds.
        """
        return uuid.UUID(int=self.timestamp_ms << 80 | self.randomness)

    def __str__(self) -> str:
        return _encode(self.timestamp_ms << 80 | self.randomness)


def _make_ulid(timestamp_ms: int, randomness: int) -> Ulid:
    # Skips __post_init__: the generator and parser only build in-range values.
    made = _object_new(Ulid)
    _object_setattr(made, "timestamp_ms", timestamp_ms)
    _object_setattr(made, "randomness", randomness)
    return made


class UlidGenerator:
    """Makes monotonic ULIDs; safe to share between threads.

    ``clock`` returns Unix milliseconds and ``randbytes(n)`` returns ``n`` random
    bytes; inject both for reproducible ULIDs. The first ULID of a millisecond
    takes its randomness from ``randbytes(10)``, big-endian.
    """

    __slots__ = (
        "__weakref__",
        "_clock",
        "_clock_divisor",
        "_lock",
        "_ms",
        "_prefix",
        "_rand",
        "_randbytes",
    )

    def __init__(self, *, clock: Clock = system_clock_ms, randbytes: RandBytes = os.urandom):
        check_callable(randbytes, "randbytes")
        self._clock, self._clock_divisor = clock_source(clock)
        self._randbytes = pooled(randbytes)
        self._lock = threading.Lock()
        # Randomness exhausted 1 ms before the epoch: the first reading >= 0
        # draws fresh randomness; one before 1970 is a clock behind the last ID.
        self._ms = -1
        self._rand = _RAND_MAX
        # (value >> 40, its 18 characters): reused while only the low 40 bits change.
        self._prefix: tuple[int, str] = (-1, "")
        reset_after_fork(self)

    def next_int(self) -> int:
        """The next ULID as a 128-bit integer."""
        ms = self._clock()
        lock = self._lock
        lock.acquire()  # not `with`: this is the hot path, and acquire/release is ~2x cheaper
        try:
            ms //= self._clock_divisor
            if ms <= self._ms:
                rand = self._rand + 1
                if rand <= _RAND_MAX:
                    self._rand = rand
                    return self._ms << 80 | rand
                # Randomness exhausted: borrow the next millisecond.
                ms = self._ms + 1
            if type(ms) is not int or not 0 <= ms < _TS_LIMIT:
                raise bad_clock(ms)
            rand = int.from_bytes(self._randbytes(10), "big") & _RAND_MAX
            self._ms = ms
            self._rand = rand
            return ms << 80 | rand
        except TypeError as exc:
            raise ConfigError(
                "the clock or randbytes returned a value of the wrong type", key="clock"
            ) from exc
        finally:
            lock.release()

    def next_ulid(self) -> Ulid:
        """The next ULID as a :class:`Ulid`."""
        value = self.next_int()
        return _make_ulid(value >> 80, value & _RAND_MAX)

    def generate(self) -> str:
        """The next ULID as 26 uppercase Crockford base32 characters."""
        value = self.next_int()
        high = value >> 40
        # One tuple, swapped whole, so a thread never pairs a key with another's text.
        prefix = self._prefix
        if prefix[0] != high:
            prefix = (high, _encode_high88(high))
            self._prefix = prefix
        low = value & _LOW40
        p = _PAIRS
        return (
            prefix[1] + p[low >> 30] + p[(low >> 20) & 1023] + p[(low >> 10) & 1023] + p[low & 1023]
        )

    def _after_fork_in_child(self) -> None:
        # A lock another thread held at the fork would stay held for ever.
        self._lock = threading.Lock()
        # The next ULID draws fresh randomness (one millisecond ahead if the
        # clock has not moved) rather than the parent's last plus 1.
        self._rand = _RAND_MAX


_DEFAULT = UlidGenerator()


def ulid() -> str:
    """A new ULID string from the process-wide generator (monotonic per process)."""
    return _DEFAULT.generate()


def parse_ulid(text: str) -> Ulid:
    """Parse a 26-character ULID (any case; I and L read as 1, O as 0).

    Raises ValidationError for the wrong length, a character outside Crockford
    base32, or a first character above 7 (more than 128 bits).
    """
    value = _decode(text)
    return _make_ulid(value >> 80, value & _RAND_MAX)


if TYPE_CHECKING:
    _conforms: type[IdGenerator] = UlidGenerator
