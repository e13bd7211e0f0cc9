"""RSA signatures with SHA-256: PKCS#1 v1.5 (JWS ``RS256``) and PSS (``PS256``).

PSS uses MGF1-SHA-256. Verification raises ``CryptoError(operation=VERIFY)``
for a mismatch, a signature of the wrong length or one not below n. Keys load
from 1024 bits up (old NIST vectors and legacy keys still verify); generation
starts at 2048 bits, as JOSE (RFC 7518 §3.3) requires for signing.
"""

from __future__ import annotations

from typing import Any

from infra_portable.crypto import _der
from infra_portable.crypto import _pkey_formats as fmt
from infra_portable.crypto._pem import pem_decode, pem_encode
from infra_portable.crypto._pkey_base import (
    RsaPrivateNumbers,
    RsaSigner,
    RsaVerifier,
    resolve_backend,
    uses_webcrypto,
)
from infra_portable.errors import CryptoError, CryptoOperation, ValidationError
from infra_portable.runtime import REGISTRY

__all__ = ["RsaPrivateKey", "RsaPublicKey"]

MIN_LOAD_BITS = 1024
MIN_GENERATE_BITS = 2048
_PKCS1V15 = "RSASSA-PKCS1-v1_5"
_PSS = "RSA-PSS"


def _mismatch(scheme: str) -> CryptoError:
    return CryptoError(f"RSA {scheme} signature does not match", operation=CryptoOperation.VERIFY)


class RsaPublicKey:
    """An RSA public key (n, e)."""

    __slots__ = ("_backend", "_js_keys", "_verifier", "e", "n")

    def __init__(self, n: int, e: int, *, backend: str | None = None) -> None:
        if not (isinstance(n, int) and isinstance(e, int)):
            raise ValidationError("RSA n and e must be integers", field="public_key")
        if n.bit_length() < MIN_LOAD_BITS or not n & 1:
            raise ValidationError(
                "RSA modulus must be odd and at least 1024 bits",
                field="n",
                actual=f"{n.bit_length()} bits",
            )
        if e < 3 or not e & 1 or e >= n:
            raise ValidationError("RSA public exponent must be odd, >= 3 and < n", field="e")
        self.n, self.e = n, e
        self._backend = backend
        self._verifier: tuple[int, RsaVerifier] | None = None
        self._js_keys: dict[str, Any] = {}

    @property
    def key_size(self) -> int:
        """The modulus length in bits."""
        return self.n.bit_length()

    # -- formats ---------------------------------------------------------
    @classmethod
    def from_der(cls, data: bytes, *, backend: str | None = None) -> RsaPublicKey:
        """From DER SubjectPublicKeyInfo or PKCS#1 ``RSAPublicKey``."""
        first = _der.decode(data).sequence(min_items=2)[0]
        if first.tag == _der.INTEGER:
            return cls(*fmt.rsa_decode_public(data), backend=backend)
        oid, params, key = fmt.decode_spki(data)
        if oid != fmt.OID_RSA:
            raise ValidationError("not an RSA public key", field="algorithm", actual=oid)
        fmt.rsa_check_params(params)
        return cls(*fmt.rsa_decode_public(key), backend=backend)

    def to_der(self) -> bytes:
        """DER SubjectPublicKeyInfo."""
        return fmt.rsa_encode_spki(self.n, self.e)

    @classmethod
    def from_pem(cls, data: bytes | str, *, backend: str | None = None) -> RsaPublicKey:
        """From ``PUBLIC KEY`` (SPKI) or ``RSA PUBLIC KEY`` (PKCS#1) PEM."""
        label, der = pem_decode(data)
        if label not in ("PUBLIC KEY", "RSA PUBLIC KEY"):
            raise ValidationError(
                "wrong PEM label", field="pem", expected="PUBLIC KEY", actual=label
            )
        return cls.from_der(der, backend=backend)

    def to_pem(self) -> bytes:
        return pem_encode("PUBLIC KEY", self.to_der())

    @classmethod
    def from_jwk(cls, jwk: Any, *, backend: str | None = None) -> RsaPublicKey:
        return cls(*fmt.rsa_from_jwk(jwk), backend=backend)

    def to_jwk(self) -> dict[str, str]:
        return fmt.rsa_to_jwk(self.n, self.e)

    # -- verification ------------------------------------------------------
    def _checked(self, signature: bytes) -> bytes:
        signature = fmt.as_bytes(signature, "signature")
        k = (self.n.bit_length() + 7) // 8
        if len(signature) != k:
            raise CryptoError(
                f"RSA signature must be {k} bytes, got {len(signature)}",
                operation=CryptoOperation.VERIFY,
            )
        if int.from_bytes(signature, "big") >= self.n:
            raise CryptoError("RSA signature is not below n", operation=CryptoOperation.VERIFY)
        return signature

    def _get_verifier(self) -> RsaVerifier:
        # Keyed on the registry generation: a hot path costs one comparison,
        # and REGISTRY.reset() (a changed backend choice) rebuilds the handle.
        cached = self._verifier
        if cached is None or cached[0] != REGISTRY.generation:
            backend = resolve_backend(self._backend)
            cached = (REGISTRY.generation, backend.rsa_verifier(self.n, self.e))
            self._verifier = cached
        return cached[1]

    def verify_pkcs1v15(self, signature: bytes, message: bytes) -> None:
        """Return if ``signature`` is RSASSA-PKCS1-v1_5/SHA-256 of message; else CryptoError."""
        if not self._get_verifier().verify_pkcs1v15(
            self._checked(signature), fmt.as_bytes(message, "message")
        ):
            raise _mismatch("PKCS#1 v1.5")

    def verify_pss(self, signature: bytes, message: bytes, *, salt_length: int | None = 32) -> None:
        """RSASSA-PSS/SHA-256 check; ``salt_length=None`` accepts any salt length (JOSE)."""
        if salt_length is not None and (not isinstance(salt_length, int) or salt_length < 0):
            raise ValidationError("salt length must be >= 0", field="salt_length")
        verifier = self._get_verifier()
        if not verifier.verify_pss(
            self._checked(signature), fmt.as_bytes(message, "message"), salt_length
        ):
            raise _mismatch("PSS")

    async def _webcrypto_verify(
        self, algorithm: str, signature: bytes, message: bytes, salt_length: int | None
    ) -> bool:
        from infra_portable.crypto import _pkey_webcrypto as webcrypto

        if algorithm not in self._js_keys:
            self._js_keys[algorithm] = await webcrypto.import_key(self.to_jwk(), algorithm)
        return await webcrypto.verify(
            self._js_keys[algorithm], algorithm, signature, message, salt_length
        )

    async def verify_pkcs1v15_async(self, signature: bytes, message: bytes) -> None:
        """:meth:`verify_pkcs1v15`, through WebCrypto in Pyodide."""
        if not uses_webcrypto(self._backend):
            self.verify_pkcs1v15(signature, message)
            return
        if not await self._webcrypto_verify(
            _PKCS1V15, self._checked(signature), fmt.as_bytes(message, "message"), None
        ):
            raise _mismatch("PKCS#1 v1.5")

    async def verify_pss_async(
        self, signature: bytes, message: bytes, *, salt_length: int | None = 32
    ) -> None:
        """:meth:`verify_pss`, through WebCrypto in Pyodide (which needs a fixed salt length)."""
        if salt_length is None or not uses_webcrypto(self._backend):
            self.verify_pss(signature, message, salt_length=salt_length)
            return
        if not await self._webcrypto_verify(
            _PSS, self._checked(signature), fmt.as_bytes(message, "message"), salt_length
        ):
            raise _mismatch("PSS")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RsaPublicKey):
            return NotImplemented
        return (self.n, self.e) == (other.n, other.e)

    def __hash__(self) -> int:
        return hash((self.n, self.e))

    def __repr__(self) -> str:
        return f"RsaPublicKey({self.key_size} bits, e={self.e})"


class RsaPrivateKey:
    """An RSA private key with its CRT values."""

    __slots__ = ("_backend", "_js_keys", "_numbers", "_public", "_signer")

    def __init__(self, numbers: RsaPrivateNumbers, *, backend: str | None = None) -> None:
        """From checked numbers; use :meth:`generate`, PEM, DER or JWK to make one."""
        self._public = RsaPublicKey(numbers.n, numbers.e, backend=backend)
        self._numbers = fmt.rsa_check_private(numbers)
        self._backend = backend
        self._signer: tuple[int, RsaSigner] | None = None
        self._js_keys: dict[str, Any] = {}

    @classmethod
    def generate(
        cls, bits: int = 2048, public_exponent: int = 65537, *, backend: str | None = None
    ) -> RsaPrivateKey:
        """A fresh key; ``bits`` >= 2048. The pure backend takes seconds natively."""
        if not isinstance(bits, int) or bits < MIN_GENERATE_BITS:
            raise ValidationError(
                "RSA keys must be at least 2048 bits",
                field="bits",
                expected=">= 2048",
                actual=str(bits),
            )
        if not isinstance(public_exponent, int) or public_exponent < 3 or not public_exponent & 1:
            raise ValidationError("public exponent must be odd and >= 3", field="public_exponent")
        numbers = resolve_backend(backend).rsa_generate(bits, public_exponent)
        return cls(numbers, backend=backend)

    @property
    def numbers(self) -> RsaPrivateNumbers:
        return self._numbers

    @property
    def key_size(self) -> int:
        return self._public.key_size

    def public_key(self) -> RsaPublicKey:
        return self._public

    # -- formats ---------------------------------------------------------
    @classmethod
    def from_der(cls, data: bytes, *, backend: str | None = None) -> RsaPrivateKey:
        """From DER PKCS#8 or PKCS#1 ``RSAPrivateKey``."""
        items = _der.decode(data).sequence(min_items=3)
        if len(items) == 9 and items[1].tag == _der.INTEGER:
            return cls(fmt.rsa_decode_private(data), backend=backend)
        oid, params, inner = fmt.decode_pkcs8(data)
        if oid != fmt.OID_RSA:
            raise ValidationError("not an RSA private key", field="algorithm", actual=oid)
        fmt.rsa_check_params(params)
        return cls(fmt.rsa_decode_private(inner), backend=backend)

    def to_der(self) -> bytes:
        """DER PKCS#8."""
        return fmt.rsa_encode_pkcs8(self._numbers)

    @classmethod
    def from_pem(cls, data: bytes | str, *, backend: str | None = None) -> RsaPrivateKey:
        """From ``PRIVATE KEY`` (PKCS#8) or ``RSA PRIVATE KEY`` (PKCS#1) PEM."""
        label, der = pem_decode(data)
        if label not in ("PRIVATE KEY", "RSA PRIVATE KEY"):
            raise ValidationError(
                "wrong PEM label", field="pem", expected="PRIVATE KEY", actual=label
            )
        return cls.from_der(der, backend=backend)

    def to_pem(self) -> bytes:
        return pem_encode("PRIVATE KEY", self.to_der())

    @classmethod
    def from_jwk(cls, jwk: Any, *, backend: str | None = None) -> RsaPrivateKey:
        """From an RSA JWK with d and the CRT members p, q, dp, dq, qi."""
        return cls(fmt.rsa_private_from_jwk(jwk), backend=backend)

    def to_jwk(self) -> dict[str, str]:
        return fmt.rsa_to_jwk(self._numbers.n, self._numbers.e, self._numbers)

    # -- signing ---------------------------------------------------------
    def _get_signer(self) -> RsaSigner:
        # Keyed on the registry generation: a hot path costs one comparison,
        # and REGISTRY.reset() (a changed backend choice) rebuilds the handle.
        cached = self._signer
        if cached is None or cached[0] != REGISTRY.generation:
            backend = resolve_backend(self._backend)
            cached = (REGISTRY.generation, backend.rsa_signer(self._numbers))
            self._signer = cached
        return cached[1]

    def _check_salt(self, salt_length: int) -> None:
        limit = (self.key_size - 1 + 7) // 8 - 32 - 2
        if not isinstance(salt_length, int) or not 0 <= salt_length <= limit:
            raise ValidationError(
                "PSS salt length out of range", field="salt_length", expected=f"0..{limit}"
            )

    def sign_pkcs1v15(self, message: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 with SHA-256 (deterministic)."""
        return self._get_signer().sign_pkcs1v15(fmt.as_bytes(message, "message"))

    def sign_pss(self, message: bytes, *, salt_length: int = 32) -> bytes:
        """RSASSA-PSS with SHA-256, MGF1-SHA-256 and a random salt."""
        self._check_salt(salt_length)
        return self._get_signer().sign_pss(fmt.as_bytes(message, "message"), salt_length)

    async def _webcrypto_sign(self, algorithm: str, message: bytes, salt: int | None) -> bytes:
        from infra_portable.crypto import _pkey_webcrypto as webcrypto

        if algorithm not in self._js_keys:
            self._js_keys[algorithm] = await webcrypto.import_key(self.to_jwk(), algorithm)
        return await webcrypto.sign(self._js_keys[algorithm], algorithm, message, salt)

    async def sign_pkcs1v15_async(self, message: bytes) -> bytes:
        """:meth:`sign_pkcs1v15`, through WebCrypto in Pyodide."""
        if not uses_webcrypto(self._backend):
            return self.sign_pkcs1v15(message)
        return await self._webcrypto_sign(_PKCS1V15, fmt.as_bytes(message, "message"), None)

    async def sign_pss_async(self, message: bytes, *, salt_length: int = 32) -> bytes:
        """:meth:`sign_pss`, through WebCrypto in Pyodide."""
        self._check_salt(salt_length)
        if not uses_webcrypto(self._backend):
            return self.sign_pss(message, salt_length=salt_length)
        return await self._webcrypto_sign(_PSS, fmt.as_bytes(message, "message"), salt_length)

    def __repr__(self) -> str:
        return f"RsaPrivateKey({self.key_size} bits, <private>)"
