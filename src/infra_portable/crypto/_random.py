"""Cryptographically secure randomness from the operating system's generator.

``os.urandom`` is the one source in every runtime: ``getrandom(2)`` natively,
``crypto.getRandomValues`` in Pyodide (Emscripten routes ``/dev/urandom`` and
``getentropy`` there) and the ``random_get`` import under WASI. ``secrets`` is
built on it too. Failures (no entropy source) surface as CryptoError.
"""

from __future__ import annotations

import os
import secrets

from infra_portable.crypto._encoding import b64url_encode
from infra_portable.errors import CryptoError, CryptoOperation, ValidationError

__all__ = ["random_bytes", "random_int_below", "token_urlsafe"]

# Default token size: 256 bits, as secrets.token_urlsafe recommends for session tokens.
DEFAULT_TOKEN_BYTES = 32


def _count(value: object, field: str, *, minimum: int) -> int:
    # bool is an int subclass; True as a byte count is always a bug.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(
            f"{field} must be an integer",
            field=field,
            expected="int",
            actual=type(value).__name__,
        )
    if value < minimum:
        raise ValidationError(
            f"{field} must be at least {minimum}",
            field=field,
            expected=f">= {minimum}",
            actual=str(value),
        )
    return value


def random_bytes(n: int) -> bytes:
    """``n`` random bytes from the system CSPRNG."""
    count = _count(n, "n", minimum=0)
    try:
        return os.urandom(count)
    except (OverflowError, MemoryError):
        raise ValidationError(
            "too many random bytes requested",
            field="n",
            expected="a size that fits in memory",
            actual=str(count),
        ) from None
    except (OSError, NotImplementedError) as exc:
        raise CryptoError(
            f"the system random source failed: {exc}", operation=CryptoOperation.KEY_GENERATION
        ) from exc


def token_urlsafe(nbytes: int = DEFAULT_TOKEN_BYTES) -> str:
    """A random URL-safe text token carrying ``nbytes`` random bytes (base64url, unpadded)."""
    return b64url_encode(random_bytes(_count(nbytes, "nbytes", minimum=1)))


def random_int_below(n: int) -> int:
    """A uniformly random integer in ``[0, n)`` (no modulo bias)."""
    upper = _count(n, "n", minimum=1)
    try:
        return secrets.randbelow(upper)
    except (OSError, NotImplementedError) as exc:
        raise CryptoError(
            f"the system random source failed: {exc}", operation=CryptoOperation.KEY_GENERATION
        ) from exc
