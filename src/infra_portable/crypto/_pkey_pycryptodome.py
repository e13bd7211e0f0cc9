"""``crypto-pkey`` on pycryptodome: native CPython only.

ECDSA signatures are randomised (FIPS 186-3 mode). pycryptodome's PSS verifier
needs the exact salt length, so ``salt_length=None`` (auto-detect) is verified
with the public-key operation and the pure EMSA-PSS decoder instead.
"""

from __future__ import annotations

from Crypto.Hash import SHA256
from Crypto.PublicKey import ECC, RSA
from Crypto.Signature import DSS, pkcs1_15, pss

from infra_portable.crypto import _rsa_pure
from infra_portable.crypto._pkey_base import (
    EcSigner,
    EcVerifier,
    PkeyBackend,
    RsaPrivateNumbers,
    RsaSigner,
    RsaVerifier,
)
from infra_portable.errors import CryptoError, CryptoOperation

__all__ = ["BACKEND", "PycryptodomePkeyBackend"]

_CURVE = "P-256"


class _EcSigner:
    __slots__ = ("_signer",)

    def __init__(self, d: int) -> None:
        try:
            self._signer = DSS.new(ECC.construct(curve=_CURVE, d=d), "fips-186-3")
        except ValueError as exc:
            raise CryptoError(f"invalid P-256 private key: {exc}", operation="sign") from None

    def sign(self, message: bytes) -> bytes:
        return bytes(self._signer.sign(SHA256.new(message)))


class _EcVerifier:
    __slots__ = ("_verifier",)

    def __init__(self, x: int, y: int) -> None:
        try:
            key = ECC.construct(curve=_CURVE, point_x=x, point_y=y)
        except ValueError as exc:
            raise CryptoError(f"invalid P-256 public key: {exc}", operation="verify") from None
        self._verifier = DSS.new(key, "fips-186-3")

    def verify(self, r: int, s: int, message: bytes) -> bool:
        try:
            self._verifier.verify(
                SHA256.new(message), r.to_bytes(32, "big") + s.to_bytes(32, "big")
            )
        except ValueError:
            return False
        return True


class _RsaSigner:
    __slots__ = ("_key",)

    def __init__(self, k: RsaPrivateNumbers) -> None:
        try:
            self._key = RSA.construct((k.n, k.e, k.d, k.p, k.q))
        except ValueError as exc:
            raise CryptoError(f"invalid RSA private key: {exc}", operation="sign") from None

    def sign_pkcs1v15(self, message: bytes) -> bytes:
        return bytes(pkcs1_15.new(self._key).sign(SHA256.new(message)))

    def sign_pss(self, message: bytes, salt_length: int) -> bytes:
        try:
            return bytes(pss.new(self._key, salt_bytes=salt_length).sign(SHA256.new(message)))
        except ValueError as exc:
            raise CryptoError(str(exc), operation=CryptoOperation.SIGN) from None


class _RsaVerifier:
    __slots__ = ("_key", "_pkcs1v15")

    def __init__(self, n: int, e: int) -> None:
        try:
            self._key = RSA.construct((n, e))
        except ValueError as exc:
            raise CryptoError(f"invalid RSA public key: {exc}", operation="verify") from None
        self._pkcs1v15 = pkcs1_15.new(self._key)

    def verify_pkcs1v15(self, signature: bytes, message: bytes) -> bool:
        try:
            self._pkcs1v15.verify(SHA256.new(message), signature)
        except ValueError:
            return False
        return True

    def verify_pss(self, signature: bytes, message: bytes, salt_length: int | None) -> bool:
        if salt_length is None:
            return _rsa_pure.verify_pss(
                int(self._key.n), int(self._key.e), signature, message, None
            )
        try:
            pss.new(self._key, salt_bytes=salt_length).verify(SHA256.new(message), signature)
        except ValueError:
            return False
        return True


class PycryptodomePkeyBackend:
    name = "pycryptodome"

    def ec_generate(self) -> int:
        return int(ECC.generate(curve=_CURVE).d)

    def ec_public(self, d: int) -> tuple[int, int]:
        point = ECC.construct(curve=_CURVE, d=d).pointQ
        return int(point.x), int(point.y)

    def ec_signer(self, d: int) -> EcSigner:
        return _EcSigner(d)

    def ec_verifier(self, x: int, y: int) -> EcVerifier:
        return _EcVerifier(x, y)

    def rsa_generate(self, bits: int, public_exponent: int) -> RsaPrivateNumbers:
        try:
            key = RSA.generate(bits, e=public_exponent)
        except ValueError as exc:
            raise CryptoError(str(exc), operation=CryptoOperation.KEY_GENERATION) from None
        return _rsa_pure.private_numbers(int(key.n), int(key.e), int(key.d), int(key.p), int(key.q))

    def rsa_signer(self, key: RsaPrivateNumbers) -> RsaSigner:
        return _RsaSigner(key)

    def rsa_verifier(self, n: int, e: int) -> RsaVerifier:
        return _RsaVerifier(n, e)


BACKEND: PkeyBackend = PycryptodomePkeyBackend()
