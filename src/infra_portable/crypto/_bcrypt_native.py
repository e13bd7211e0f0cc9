"""bcrypt checksums through the ``bcrypt`` package (pyca, Rust); native CPython only.

The package refuses passwords over 72 bytes and salts whose unused bits are
set, so it is handed the same truncated password and the canonical salt the
pure backend would use; the two always agree.
"""

from __future__ import annotations

import bcrypt

from infra_portable.crypto._bcrypt_base import (
    CHECKSUM_LEN,
    MAX_PASSWORD_LEN,
    BcryptBackend,
    bcrypt_b64_decode,
    bcrypt_b64_encode,
)
from infra_portable.errors import CryptoError, CryptoOperation

__all__ = ["BACKEND", "NativeBcrypt"]


class NativeBcrypt:
    """bcrypt via ``bcrypt.hashpw``."""

    name = "native"

    def checksum(self, password: bytes, cost: int, salt: bytes) -> bytes:
        setting = f"$2b${cost:02d}${bcrypt_b64_encode(salt)}".encode("ascii")
        try:
            hashed = bcrypt.hashpw(password[:MAX_PASSWORD_LEN], setting)
        except ValueError as exc:
            raise CryptoError(f"bcrypt: {exc}", operation=CryptoOperation.VERIFY) from exc
        return bcrypt_b64_decode(hashed[-31:].decode("ascii"))[:CHECKSUM_LEN]


BACKEND = NativeBcrypt()
_: BcryptBackend = BACKEND
