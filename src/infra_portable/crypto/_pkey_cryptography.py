"""``crypto-pkey`` on the ``cryptography`` package (OpenSSL): native CPython only.

ECDSA signatures are randomised (OpenSSL's nonces), so they differ from the
pure backend's RFC 6979 ones; both verify each other's. Parsed key handles are
built once per key object and kept by the signer/verifier.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from infra_portable.crypto._pkey_base import (
    EcSigner,
    EcVerifier,
    PkeyBackend,
    RsaPrivateNumbers,
    RsaSigner,
    RsaVerifier,
)
from infra_portable.errors import CryptoError, CryptoOperation

__all__ = ["BACKEND", "CryptographyPkeyBackend"]

_CURVE = ec.SECP256R1()
_ECDSA = ec.ECDSA(hashes.SHA256())
_SHA256 = hashes.SHA256()
_PKCS1V15 = padding.PKCS1v15()


def _der_to_raw(der: bytes) -> bytes:
    """r‖s from OpenSSL's DER signature by slicing (ES256 signing's hot path).

    A P-256 signature's DER is at most 72 bytes, so every length is one octet:
    30 L 02 Lr r 02 Ls s, with r and s at most 33 bytes (a sign pad).
    """
    r_len = der[3]
    r = der[4 : 4 + r_len]
    s = der[6 + r_len :]
    return r[-32:].rjust(32, b"\x00") + s[-32:].rjust(32, b"\x00")


def _pss(salt_length: int | None) -> padding.PSS:
    return padding.PSS(
        mgf=padding.MGF1(_SHA256),
        salt_length=padding.PSS.AUTO if salt_length is None else salt_length,
    )


class _EcSigner:
    __slots__ = ("_key",)

    def __init__(self, d: int) -> None:
        try:
            self._key = ec.derive_private_key(d, _CURVE)
        except ValueError as exc:
            raise CryptoError(f"invalid P-256 private key: {exc}", operation="sign") from None

    def sign(self, message: bytes) -> bytes:
        return _der_to_raw(self._key.sign(message, _ECDSA))


class _EcVerifier:
    __slots__ = ("_key",)

    def __init__(self, x: int, y: int) -> None:
        try:
            self._key = ec.EllipticCurvePublicNumbers(x, y, _CURVE).public_key()
        except ValueError as exc:
            raise CryptoError(f"invalid P-256 public key: {exc}", operation="verify") from None

    def verify(self, r: int, s: int, message: bytes) -> bool:
        try:
            self._key.verify(encode_dss_signature(r, s), message, _ECDSA)
        except InvalidSignature:
            return False
        return True


class _RsaSigner:
    __slots__ = ("_key",)

    def __init__(self, k: RsaPrivateNumbers) -> None:
        numbers = rsa.RSAPrivateNumbers(
            k.p, k.q, k.d, k.dp, k.dq, k.qi, rsa.RSAPublicNumbers(k.e, k.n)
        )
        try:
            self._key = numbers.private_key()
        except ValueError as exc:
            raise CryptoError(f"invalid RSA private key: {exc}", operation="sign") from None

    def sign_pkcs1v15(self, message: bytes) -> bytes:
        return self._key.sign(message, _PKCS1V15, _SHA256)

    def sign_pss(self, message: bytes, salt_length: int) -> bytes:
        try:
            return self._key.sign(message, _pss(salt_length), _SHA256)
        except ValueError as exc:
            raise CryptoError(str(exc), operation=CryptoOperation.SIGN) from None


class _RsaVerifier:
    __slots__ = ("_key",)

    def __init__(self, n: int, e: int) -> None:
        try:
            self._key = rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError as exc:
            raise CryptoError(f"invalid RSA public key: {exc}", operation="verify") from None

    def verify_pkcs1v15(self, signature: bytes, message: bytes) -> bool:
        try:
            self._key.verify(signature, message, _PKCS1V15, _SHA256)
        except InvalidSignature:
            return False
        return True

    def verify_pss(self, signature: bytes, message: bytes, salt_length: int | None) -> bool:
        try:
            self._key.verify(signature, message, _pss(salt_length), _SHA256)
        except (InvalidSignature, ValueError):
            return False
        return True


class CryptographyPkeyBackend:
    name = "cryptography"

    def ec_generate(self) -> int:
        return ec.generate_private_key(_CURVE).private_numbers().private_value

    def ec_public(self, d: int) -> tuple[int, int]:
        numbers = _EcSigner(d)._key.public_key().public_numbers()
        return numbers.x, numbers.y

    def ec_signer(self, d: int) -> EcSigner:
        return _EcSigner(d)

    def ec_verifier(self, x: int, y: int) -> EcVerifier:
        return _EcVerifier(x, y)

    def rsa_generate(self, bits: int, public_exponent: int) -> RsaPrivateNumbers:
        try:
            key = rsa.generate_private_key(public_exponent, bits)
        except ValueError as exc:
            raise CryptoError(str(exc), operation=CryptoOperation.KEY_GENERATION) from None
        k = key.private_numbers()
        return RsaPrivateNumbers(
            n=k.public_numbers.n,
            e=k.public_numbers.e,
            d=k.d,
            p=k.p,
            q=k.q,
            dp=k.dmp1,
            dq=k.dmq1,
            qi=k.iqmp,
        )

    def rsa_signer(self, key: RsaPrivateNumbers) -> RsaSigner:
        return _RsaSigner(key)

    def rsa_verifier(self, n: int, e: int) -> RsaVerifier:
        return _RsaVerifier(n, e)


BACKEND: PkeyBackend = CryptographyPkeyBackend()
