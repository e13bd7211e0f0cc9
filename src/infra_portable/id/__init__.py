"""Layer 1: unique IDs — UUIDv7, ULID, Snowflake and NanoID.

Pure standard library, so the same code runs on CPython, Pyodide and WASI::

    from infra_portable import id as ids
    ids.uuid7()          # uuid.UUID, time-ordered (RFC 9562 version 7)
    ids.ulid()           # "01ARZ3NDEKTSV4RRFFQ69G5FAV"-style, time-ordered
    ids.snowflake()      # 63-bit int, time-ordered (Twitter layout)
    ids.nanoid()         # 21 random URL-safe characters

Each kind also has a generator class (an :class:`IdGenerator`) whose clock and
random bytes can be injected for reproducible tests. The time-ordered
generators are monotonic: one generator's IDs strictly increase, even when the
clock stalls or steps back. Bad input raises
:class:`~infra_portable.errors.ValidationError`.
"""

from __future__ import annotations

from infra_portable.id._base import Clock, IdGenerator, RandBytes, system_clock_ms
from infra_portable.id._nanoid import NANOID_ALPHABET, NANOID_SIZE, NanoIdGenerator, nanoid
from infra_portable.id._snowflake import (
    SNOWFLAKE_WORKER_ID_ENV,
    TWITTER_EPOCH_MS,
    SnowflakeGenerator,
    SnowflakeParts,
    decompose_snowflake,
    snowflake,
)
from infra_portable.id._ulid import CROCKFORD_ALPHABET, Ulid, UlidGenerator, parse_ulid, ulid
from infra_portable.id._uuid7 import UuidV7Generator, parse_uuid7, uuid7, uuid7_timestamp_ms

__all__ = [
    # the interface and its injectable parts
    "IdGenerator",
    "Clock",
    "RandBytes",
    "system_clock_ms",
    # UUID version 7
    "uuid7",
    "UuidV7Generator",
    "parse_uuid7",
    "uuid7_timestamp_ms",
    # ULID
    "ulid",
    "Ulid",
    "UlidGenerator",
    "parse_ulid",
    "CROCKFORD_ALPHABET",
    # Snowflake
    "snowflake",
    "SnowflakeGenerator",
    "SnowflakeParts",
    "decompose_snowflake",
    "TWITTER_EPOCH_MS",
    "SNOWFLAKE_WORKER_ID_ENV",
    # NanoID
    "nanoid",
    "NanoIdGenerator",
    "NANOID_ALPHABET",
    "NANOID_SIZE",
]
