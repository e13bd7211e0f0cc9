"""The Argon2id backend interface (RFC 9106) and the parameter checks every backend relies on.

Backends compute raw Argon2id version 0x13 tags. They trust their arguments:
:func:`check_params` runs first, in the public layer, so every backend rejects
the same inputs with the same :class:`ValidationError`, and a backend error is
always a :class:`CryptoError` (never a foreign exception).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from infra_portable.errors import ValidationError

__all__ = [
    "MAX_MEMORY_KIB",
    "MAX_PARALLELISM",
    "MIN_HASH_LEN",
    "MIN_SALT_LEN",
    "Argon2Backend",
    "check_params",
]

# Far above any sensible setting, yet each bound is one an attacker-supplied hash
# string could otherwise abuse to exhaust memory or CPU on verify.
MAX_MEMORY_KIB = 4 * 1024 * 1024  # 4 GiB
MAX_TIME_COST = 2**32 - 1
MAX_PARALLELISM = 255
MIN_HASH_LEN = 4
MAX_HASH_LEN = 2**32 - 1
# RFC 9106 allows any salt; the reference C code and OpenSSL require 8 bytes, so
# requiring it everywhere keeps the backends interchangeable.
MIN_SALT_LEN = 8


@runtime_checkable
class Argon2Backend(Protocol):
    """Computes raw Argon2id (version 0x13) tags."""

    name: str

    def argon2id(
        self,
        password: bytes,
        salt: bytes,
        *,
        time_cost: int,
        memory_cost_kib: int,
        parallelism: int,
        hash_len: int,
        secret: bytes = b"",
        associated_data: bytes = b"",
    ) -> bytes:
        """The ``hash_len``-byte tag; arguments have passed :func:`check_params`."""
        ...


def _bad(field: str, expected: str, actual: object, what: str) -> ValidationError:
    return ValidationError(
        f"Argon2id {what} out of range", field=field, expected=expected, actual=str(actual)
    )


def check_params(
    *,
    time_cost: int,
    memory_cost_kib: int,
    parallelism: int,
    hash_len: int,
    salt_len: int,
    field: str | None = None,
) -> None:
    """Raise ValidationError unless the parameters are ones every backend accepts.

    The error names the parameter, or ``field`` when given (``"hash"`` for the
    parameters of a parsed PHC string).
    """
    for name, value in (
        ("time_cost", time_cost),
        ("memory_cost_kib", memory_cost_kib),
        ("parallelism", parallelism),
        ("hash_len", hash_len),
        ("salt_len", salt_len),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(
                "Argon2id parameters must be integers",
                field=field or name,
                expected="int",
                actual=type(value).__name__,
            )
    if not 1 <= time_cost <= MAX_TIME_COST:
        raise _bad(field or "time_cost", f"1..{MAX_TIME_COST}", time_cost, "time cost")
    if not 1 <= parallelism <= MAX_PARALLELISM:
        raise _bad(field or "parallelism", f"1..{MAX_PARALLELISM}", parallelism, "parallelism")
    if not 8 * parallelism <= memory_cost_kib <= MAX_MEMORY_KIB:
        raise _bad(
            field or "memory_cost_kib",
            f"8 * parallelism ({8 * parallelism})..{MAX_MEMORY_KIB} KiB",
            memory_cost_kib,
            "memory cost",
        )
    if not MIN_HASH_LEN <= hash_len <= MAX_HASH_LEN:
        raise _bad(field or "hash_len", f">= {MIN_HASH_LEN} bytes", hash_len, "tag length")
    if salt_len < MIN_SALT_LEN:
        raise _bad(field or "salt_len", f">= {MIN_SALT_LEN} bytes", salt_len, "salt length")
