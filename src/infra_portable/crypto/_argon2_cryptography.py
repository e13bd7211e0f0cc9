"""Argon2id through the cryptography package (OpenSSL 3.2+'s Argon2id KDF).

Native CPython only. Needs cryptography 44 or later, built against an OpenSSL
with Argon2 (the wheels are); otherwise importing this module raises
ImportError, so the registry skips it with that reason. OpenSSL takes the
secret key and associated data of RFC 9106 directly.
"""

from __future__ import annotations

from cryptography.exceptions import UnsupportedAlgorithm

from infra_portable.crypto._argon2_base import Argon2Backend
from infra_portable.errors import CryptoError, CryptoOperation

try:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
except ImportError as exc:  # cryptography < 44
    raise ImportError(
        "cryptography.hazmat.primitives.kdf.argon2 (needs cryptography >= 44)",
        name="cryptography.hazmat.primitives.kdf.argon2",
    ) from exc

try:  # The class exists even where the linked OpenSSL lacks Argon2.
    Argon2id(salt=b"\0" * 8, length=4, iterations=1, lanes=1, memory_cost=8)
except UnsupportedAlgorithm as exc:
    raise ImportError(
        f"cryptography's OpenSSL has no Argon2id ({exc})", name="cryptography Argon2id"
    ) from exc

__all__ = ["BACKEND", "CryptographyArgon2"]


class CryptographyArgon2:
    """Argon2id via ``cryptography.hazmat.primitives.kdf.argon2.Argon2id``."""

    name = "cryptography"

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
        try:
            kdf = Argon2id(
                salt=salt,
                length=hash_len,
                iterations=time_cost,
                lanes=parallelism,
                memory_cost=memory_cost_kib,
                ad=associated_data or None,
                secret=secret or None,
            )
            return kdf.derive(password)
        except (ValueError, TypeError, UnsupportedAlgorithm, MemoryError) as exc:
            raise CryptoError(
                f"cryptography Argon2id: {exc}", operation=CryptoOperation.HASH
            ) from exc


BACKEND = CryptographyArgon2()
_: Argon2Backend = BACKEND
