"""Key derivation: HKDF (RFC 5869) and PBKDF2-HMAC (RFC 8018).

HKDF is built on ``hmac.digest`` and so runs everywhere. PBKDF2 uses
``hashlib.pbkdf2_hmac`` when the interpreter has it (it needs OpenSSL since
CPython 3.12) and otherwise a pure-Python loop over the same HMAC, which gives
the same bytes, only slower (WASI builds without OpenSSL).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from infra_portable.crypto._encoding import BytesLike, to_bytes
from infra_portable.crypto._hash import normalize_algorithm
from infra_portable.crypto._hmac import HMAC_ALGORITHMS, hmac_digest
from infra_portable.crypto._hmac import _legacy as _alias_sha1
from infra_portable.errors import ValidationError

__all__ = [
    "KDF_ALGORITHMS",
    "MAX_PBKDF2_ITERATIONS",
    "MAX_PBKDF2_LENGTH",
    "hkdf",
    "hkdf_expand",
    "hkdf_extract",
    "pbkdf2_hmac",
]

Data = BytesLike | str

KDF_ALGORITHMS = HMAC_ALGORITHMS
_HKDF_MAX_BLOCKS = 255
# OpenSSL takes both as a C int; larger values would surface as OverflowError.
MAX_PBKDF2_ITERATIONS = 2**31 - 1
MAX_PBKDF2_LENGTH = 2**31 - 1


def _algorithm(algorithm: str) -> tuple[str, int]:
    name = normalize_algorithm(_alias_sha1(algorithm), KDF_ALGORITHMS)
    return name, hashlib.new(name).digest_size


def _positive(value: object, field: str, maximum: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(
            f"{field} must be an integer", field=field, expected="int", actual=type(value).__name__
        )
    if value < 1 or (maximum is not None and value > maximum):
        expected = f"1..{maximum}" if maximum is not None else ">= 1"
        raise ValidationError(
            f"{field} is out of range", field=field, expected=expected, actual=str(value)
        )
    return value


def hkdf_extract(salt: Data | None, ikm: Data, algorithm: str = "sha256") -> bytes:
    """HKDF-Extract: a pseudorandom key from input keying material (RFC 5869 §2.2).

    A missing or empty ``salt`` means HashLen zero bytes, as the RFC specifies.
    """
    name, hash_len = _algorithm(algorithm)
    raw_salt = b"" if salt is None else to_bytes(salt, "salt")
    return hmac_digest(raw_salt or bytes(hash_len), to_bytes(ikm, "ikm"), name)


def hkdf_expand(
    prk: BytesLike, info: Data = b"", length: int = 32, algorithm: str = "sha256"
) -> bytes:
    """HKDF-Expand: ``length`` bytes of output keying material from ``prk`` (RFC 5869 §2.3).

    ``length`` is at most 255 times the hash length; ``prk`` is at least one hash long.
    """
    name, hash_len = _algorithm(algorithm)
    size = _positive(length, "length", _HKDF_MAX_BLOCKS * hash_len)
    raw_prk = to_bytes(prk, "prk", allow_str=False)
    if len(raw_prk) < hash_len:
        raise ValidationError(
            "the HKDF pseudorandom key is shorter than the hash",
            field="prk",
            expected=f">= {hash_len} bytes",
            actual=f"{len(raw_prk)} bytes",
        )
    raw_info = to_bytes(info, "info")
    blocks = []
    block = b""
    for counter in range(1, -(-size // hash_len) + 1):
        block = hmac.digest(raw_prk, block + raw_info + bytes((counter,)), name)
        blocks.append(block)
    return b"".join(blocks)[:size]


def hkdf(
    ikm: Data,
    *,
    salt: Data | None = None,
    info: Data = b"",
    length: int = 32,
    algorithm: str = "sha256",
) -> bytes:
    """HKDF extract-then-expand (RFC 5869): ``length`` bytes of keying material."""
    name, hash_len = _algorithm(algorithm)
    _positive(length, "length", _HKDF_MAX_BLOCKS * hash_len)
    return hkdf_expand(hkdf_extract(salt, ikm, name), info, length, name)


_INNER_PAD = bytes(x ^ 0x36 for x in range(256))
_OUTER_PAD = bytes(x ^ 0x5C for x in range(256))


def _pbkdf2_pure(name: str, password: bytes, salt: bytes, iterations: int, dklen: int) -> bytes:
    """RFC 8018 §5.2 on bare hash states (what CPython's removed fallback did).

    The HMAC pads are absorbed once; each iteration then copies two hash states
    instead of building an ``hmac.HMAC``, which roughly halves the cost.
    """
    block_size = hashlib.new(name).block_size
    if len(password) > block_size:
        password = hashlib.new(name, password).digest()
    password = password.ljust(block_size, b"\0")
    inner = hashlib.new(name, password.translate(_INNER_PAD))
    outer = hashlib.new(name, password.translate(_OUTER_PAD))
    hash_len = inner.digest_size

    def prf(message: bytes) -> bytes:
        state = inner.copy()
        state.update(message)
        result = outer.copy()
        result.update(state.digest())
        return result.digest()

    out = bytearray()
    for index in range(1, -(-dklen // hash_len) + 1):
        u = prf(salt + index.to_bytes(4, "big"))
        acc = int.from_bytes(u, "big")
        for _ in range(iterations - 1):
            u = prf(u)
            acc ^= int.from_bytes(u, "big")
        out += acc.to_bytes(hash_len, "big")
    return bytes(out[:dklen])


_NATIVE_PBKDF2: Callable[..., bytes] | None = getattr(hashlib, "pbkdf2_hmac", None)


def pbkdf2_hmac(
    password: Data,
    salt: Data,
    iterations: int,
    length: int = 32,
    algorithm: str = "sha256",
) -> bytes:
    """PBKDF2 with HMAC-``algorithm``: ``length`` bytes from a password (RFC 8018 §5.2)."""
    name, _ = _algorithm(algorithm)
    rounds = _positive(iterations, "iterations", MAX_PBKDF2_ITERATIONS)
    size = _positive(length, "length", MAX_PBKDF2_LENGTH)
    raw_password = to_bytes(password, "password")
    raw_salt = to_bytes(salt, "salt")
    if _NATIVE_PBKDF2 is not None:
        return _NATIVE_PBKDF2(name, raw_password, raw_salt, rounds, size)
    return _pbkdf2_pure(name, raw_password, raw_salt, rounds, size)
