"""HMAC (RFC 2104) over SHA-2, SHA-3 and, for legacy interop, SHA-1.

``hmac.digest`` uses OpenSSL natively and the standard library's own HMAC
(HACL* or pure Python) in Pyodide and WASI; the bytes are the same. Tags are
checked with ``hmac.compare_digest`` so timing does not reveal how much matched.
"""

from __future__ import annotations

import hmac

from infra_portable.crypto._encoding import BytesLike, to_bytes
from infra_portable.crypto._hash import normalize_algorithm

__all__ = [
    "HMAC_ALGORITHMS",
    "hmac_digest",
    "hmac_sha256",
    "hmac_sha384",
    "hmac_sha512",
    "verify_hmac",
]

Data = BytesLike | str

# SHA-1 is still sound inside HMAC and is needed for old protocols (TOTP, RFC 6070).
HMAC_ALGORITHMS: tuple[str, ...] = ("sha256", "sha384", "sha512", "sha3_256", "sha3_512", "sha1")

_digest = hmac.digest


def _slow(key: Data, data: Data, algorithm: str) -> bytes:
    return _digest(to_bytes(key, "key"), to_bytes(data, "data"), algorithm)


def hmac_sha256(key: Data, data: Data) -> bytes:
    """HMAC-SHA256 of ``data`` under ``key`` (str as UTF-8)."""
    try:
        return _digest(key, data, "sha256")  # type: ignore[arg-type]
    except TypeError:
        return _slow(key, data, "sha256")


def hmac_sha384(key: Data, data: Data) -> bytes:
    """HMAC-SHA384 of ``data`` under ``key`` (str as UTF-8)."""
    try:
        return _digest(key, data, "sha384")  # type: ignore[arg-type]
    except TypeError:
        return _slow(key, data, "sha384")


def hmac_sha512(key: Data, data: Data) -> bytes:
    """HMAC-SHA512 of ``data`` under ``key`` (str as UTF-8)."""
    try:
        return _digest(key, data, "sha512")  # type: ignore[arg-type]
    except TypeError:
        return _slow(key, data, "sha512")


def hmac_digest(key: Data, data: Data, algorithm: str = "sha256") -> bytes:
    """HMAC of ``data`` under ``key`` with ``algorithm`` (one of ``HMAC_ALGORITHMS``)."""
    name = normalize_algorithm(_legacy(algorithm), HMAC_ALGORITHMS)
    return _slow(key, data, name)


def verify_hmac(key: Data, data: Data, tag: BytesLike, algorithm: str = "sha256") -> bool:
    """Whether ``tag`` is the full HMAC of ``data`` under ``key``, compared in constant time.

    Truncated tags never verify: accepting a prefix would let a short guess pass.
    """
    expected = to_bytes(tag, "tag", allow_str=False)
    return hmac.compare_digest(hmac_digest(key, data, algorithm), expected)


def _legacy(algorithm: str) -> str:
    # "SHA-1" is not in the hash module's alias table (it offers no plain SHA-1 digest).
    if isinstance(algorithm, str) and algorithm.strip().lower() in ("sha-1", "sha1"):
        return "sha1"
    return algorithm
