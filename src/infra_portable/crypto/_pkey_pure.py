"""``crypto-pkey`` in pure Python: works in every runtime (CPython, Pyodide, WASI).

ECDSA signatures are deterministic (RFC 6979); RSA-PSS salts are random. Not
constant-time (Python integers), and RSA-2048 signing is a few milliseconds
natively, tens under WASI. See ``_p256_pure`` and ``_rsa_pure`` for details.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from infra_portable.crypto import _p256_pure as p256
from infra_portable.crypto import _rsa_pure as rsa
from infra_portable.crypto._pkey_base import (
    EcSigner,
    EcVerifier,
    PkeyBackend,
    RsaPrivateNumbers,
    RsaSigner,
    RsaVerifier,
)
from infra_portable.errors import CryptoError, CryptoOperation

__all__ = ["BACKEND", "PurePkeyBackend"]


@dataclass(frozen=True, slots=True)
class _EcSigner:
    d: int

    def sign(self, message: bytes) -> bytes:
        r, s = p256.ecdsa_sign(self.d, message)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


@dataclass(frozen=True, slots=True)
class _EcVerifier:
    x: int
    y: int

    def verify(self, r: int, s: int, message: bytes) -> bool:
        return p256.ecdsa_verify(self.x, self.y, r, s, message)


@dataclass(frozen=True, slots=True)
class _RsaSigner:
    key: RsaPrivateNumbers

    def sign_pkcs1v15(self, message: bytes) -> bytes:
        try:
            return rsa.sign_pkcs1v15(self.key, message)
        except ArithmeticError as exc:
            raise CryptoError(str(exc), operation=CryptoOperation.SIGN) from None

    def sign_pss(self, message: bytes, salt_length: int) -> bytes:
        try:
            return rsa.sign_pss(self.key, message, salt_length)
        except (ArithmeticError, ValueError) as exc:
            raise CryptoError(str(exc), operation=CryptoOperation.SIGN) from None


@dataclass(frozen=True, slots=True)
class _RsaVerifier:
    n: int
    e: int

    def verify_pkcs1v15(self, signature: bytes, message: bytes) -> bool:
        return rsa.verify_pkcs1v15(self.n, self.e, signature, message)

    def verify_pss(self, signature: bytes, message: bytes, salt_length: int | None) -> bool:
        return rsa.verify_pss(self.n, self.e, signature, message, salt_length)


class PurePkeyBackend:
    name = "pure"

    def ec_generate(self) -> int:
        # 64 extra bits make the reduction's bias negligible (FIPS 186-5 A.2.1).
        return int.from_bytes(os.urandom(40), "big") % (p256.N - 1) + 1

    def ec_public(self, d: int) -> tuple[int, int]:
        return p256.public_point(d)

    def ec_signer(self, d: int) -> EcSigner:
        return _EcSigner(d)

    def ec_verifier(self, x: int, y: int) -> EcVerifier:
        return _EcVerifier(x, y)

    def rsa_generate(self, bits: int, public_exponent: int) -> RsaPrivateNumbers:
        return rsa.generate(bits, public_exponent)

    def rsa_signer(self, key: RsaPrivateNumbers) -> RsaSigner:
        return _RsaSigner(key)

    def rsa_verifier(self, n: int, e: int) -> RsaVerifier:
        return _RsaVerifier(n, e)


BACKEND: PkeyBackend = PurePkeyBackend()
