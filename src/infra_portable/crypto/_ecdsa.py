"""ECDSA over P-256 with SHA-256 (JWS ``ES256``): the public key classes.

Signatures are ``raw`` (r‖s, 64 bytes, what JWS and WebCrypto use) or ``der``
(X.509 / OpenSSL). Verification raises ``CryptoError(operation=VERIFY)`` for a
signature that does not match, has the wrong length or has r or s outside
[1, n-1]; malformed keys raise ``ValidationError`` naming the field.
"""

from __future__ import annotations

from typing import Any, Literal

from infra_portable.crypto import _der
from infra_portable.crypto import _pkey_formats as fmt
from infra_portable.crypto._p256_pure import N, on_curve
from infra_portable.crypto._pem import pem_decode, pem_encode
from infra_portable.crypto._pkey_base import (
    EcSigner,
    EcVerifier,
    resolve_backend,
    uses_webcrypto,
)
from infra_portable.errors import CryptoError, CryptoOperation, ValidationError
from infra_portable.runtime import REGISTRY

__all__ = ["EcdsaP256PrivateKey", "EcdsaP256PublicKey", "SignatureEncoding"]

SignatureEncoding = Literal["raw", "der"]
_WEBCRYPTO_ALGORITHM = "ECDSA"


def _encode_signature(r: int, s: int, encoding: SignatureEncoding) -> bytes:
    if encoding == "raw":
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if encoding == "der":
        return _der.sequence(_der.integer(r), _der.integer(s))
    raise ValidationError("unknown signature encoding", field="encoding", expected="raw or der")


def _decode_signature(signature: bytes, encoding: SignatureEncoding) -> tuple[int, int]:
    if encoding == "raw":
        if len(signature) != 64:
            raise CryptoError(
                f"an ES256 signature is 64 bytes (r||s), got {len(signature)}",
                operation=CryptoOperation.VERIFY,
            )
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    elif encoding == "der":
        try:
            r_el, s_el = _der.decode(signature, "signature").sequence(min_items=2, max_items=2)
            r, s = r_el.integer(), s_el.integer()
        except ValidationError as exc:
            raise CryptoError(
                f"malformed DER signature: {exc.message}", operation=CryptoOperation.VERIFY
            ) from None
    else:
        raise ValidationError("unknown signature encoding", field="encoding", expected="raw or der")
    if not (1 <= r < N and 1 <= s < N):
        raise CryptoError("signature r or s is outside [1, n-1]", operation=CryptoOperation.VERIFY)
    return r, s


class EcdsaP256PublicKey:
    """A P-256 public point; verifies ES256 signatures."""

    __slots__ = ("_backend", "_js_key", "_verifier", "x", "y")

    def __init__(self, x: int, y: int, *, backend: str | None = None) -> None:
        """From affine coordinates (checked to be on the curve)."""
        if not (isinstance(x, int) and isinstance(y, int) and on_curve(x, y)):
            raise ValidationError("point is not on the P-256 curve", field="public_key")
        self.x, self.y = x, y
        self._backend = backend
        self._verifier: tuple[int, EcVerifier] | None = None
        self._js_key: Any = None

    # -- formats ---------------------------------------------------------
    @classmethod
    def from_bytes(cls, data: bytes, *, backend: str | None = None) -> EcdsaP256PublicKey:
        """From a SEC1 point: 65 bytes uncompressed or 33 bytes compressed."""
        return cls(*fmt.ec_decode_point(fmt.as_bytes(data, "public_key")), backend=backend)

    def to_bytes(self, compressed: bool = False) -> bytes:
        return fmt.ec_encode_point(self.x, self.y, compressed)

    @classmethod
    def from_der(cls, data: bytes, *, backend: str | None = None) -> EcdsaP256PublicKey:
        """From DER SubjectPublicKeyInfo."""
        oid, params, key = fmt.decode_spki(data)
        if oid != fmt.OID_EC_PUBLIC_KEY:
            raise ValidationError("not an EC public key", field="algorithm", actual=oid)
        return cls(*fmt.ec_decode_spki_parts(params, key), backend=backend)

    def to_der(self) -> bytes:
        return fmt.ec_encode_spki(self.x, self.y)

    @classmethod
    def from_pem(cls, data: bytes | str, *, backend: str | None = None) -> EcdsaP256PublicKey:
        label, der = pem_decode(data)
        if label != "PUBLIC KEY":
            raise ValidationError(
                "wrong PEM label", field="pem", expected="PUBLIC KEY", actual=label
            )
        return cls.from_der(der, backend=backend)

    def to_pem(self) -> bytes:
        return pem_encode("PUBLIC KEY", self.to_der())

    @classmethod
    def from_jwk(cls, jwk: Any, *, backend: str | None = None) -> EcdsaP256PublicKey:
        x, y, _ = fmt.ec_from_jwk(jwk, private=False)
        return cls(x, y, backend=backend)

    def to_jwk(self) -> dict[str, str]:
        return fmt.ec_to_jwk(self.x, self.y)

    # -- verification ------------------------------------------------------
    def _get_verifier(self) -> EcVerifier:
        # Keyed on the registry generation: a hot path costs one comparison,
        # and REGISTRY.reset() (a changed backend choice) rebuilds the handle.
        cached = self._verifier
        if cached is None or cached[0] != REGISTRY.generation:
            backend = resolve_backend(self._backend)
            cached = (REGISTRY.generation, backend.ec_verifier(self.x, self.y))
            self._verifier = cached
        return cached[1]

    def verify(
        self, signature: bytes, message: bytes, *, encoding: SignatureEncoding = "raw"
    ) -> None:
        """Return if ``signature`` signs SHA-256(message); else raise CryptoError(VERIFY)."""
        r, s = _decode_signature(fmt.as_bytes(signature, "signature"), encoding)
        if not self._get_verifier().verify(r, s, fmt.as_bytes(message, "message")):
            raise CryptoError("ECDSA signature does not match", operation=CryptoOperation.VERIFY)

    async def verify_async(
        self, signature: bytes, message: bytes, *, encoding: SignatureEncoding = "raw"
    ) -> None:
        """:meth:`verify`, through WebCrypto in Pyodide (the sync backend elsewhere)."""
        r, s = _decode_signature(fmt.as_bytes(signature, "signature"), encoding)
        if not uses_webcrypto(self._backend):
            self.verify(signature, message, encoding=encoding)
            return
        from infra_portable.crypto import _pkey_webcrypto as webcrypto

        if self._js_key is None:
            self._js_key = await webcrypto.import_key(self.to_jwk(), _WEBCRYPTO_ALGORITHM)
        raw = _encode_signature(r, s, "raw")
        if not await webcrypto.verify(
            self._js_key, _WEBCRYPTO_ALGORITHM, raw, fmt.as_bytes(message, "message")
        ):
            raise CryptoError("ECDSA signature does not match", operation=CryptoOperation.VERIFY)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EcdsaP256PublicKey):
            return NotImplemented
        return (self.x, self.y) == (other.x, other.y)

    def __hash__(self) -> int:
        return hash((self.x, self.y))

    def __repr__(self) -> str:
        return f"EcdsaP256PublicKey(x=0x{self.x:064x})"


class EcdsaP256PrivateKey:
    """A P-256 private scalar; signs ES256 (SHA-256) messages."""

    __slots__ = ("_backend", "_d", "_js_key", "_public", "_signer")

    def __init__(self, d: int, *, backend: str | None = None) -> None:
        """From the private scalar d, 1 <= d < n (see also :meth:`from_int`)."""
        if not isinstance(d, int) or not 1 <= d < N:
            raise ValidationError("P-256 private scalar must be in [1, n-1]", field="d")
        self._d = d
        self._backend = backend
        self._signer: tuple[int, EcSigner] | None = None
        self._public: EcdsaP256PublicKey | None = None
        self._js_key: Any = None

    @classmethod
    def generate(cls, *, backend: str | None = None) -> EcdsaP256PrivateKey:
        return cls(resolve_backend(backend).ec_generate(), backend=backend)

    @classmethod
    def from_int(cls, d: int, *, backend: str | None = None) -> EcdsaP256PrivateKey:
        return cls(d, backend=backend)

    def to_int(self) -> int:
        return self._d

    def public_key(self) -> EcdsaP256PublicKey:
        if self._public is None:
            x, y = resolve_backend(self._backend).ec_public(self._d)
            self._public = EcdsaP256PublicKey(x, y, backend=self._backend)
        return self._public

    # -- formats ---------------------------------------------------------
    @classmethod
    def from_der(cls, data: bytes, *, backend: str | None = None) -> EcdsaP256PrivateKey:
        """From DER PKCS#8, or SEC1 ``ECPrivateKey`` (RFC 5915)."""
        top = _der.decode(data).sequence(min_items=2)
        # SEC1 has the scalar's OCTET STRING second; PKCS#8 (v1 or v2) an AlgorithmIdentifier.
        if top[1].tag == _der.OCTET_STRING:
            return cls(fmt.ec_decode_sec1(data), backend=backend)
        oid, params, inner = fmt.decode_pkcs8(data)
        if oid != fmt.OID_EC_PUBLIC_KEY:
            raise ValidationError("not an EC private key", field="algorithm", actual=oid)
        if params is None:
            raise ValidationError("EC key without curve parameters", field="curve")
        return cls(fmt.ec_decode_sec1(inner, params), backend=backend)

    def to_der(self) -> bytes:
        """DER PKCS#8 (with the public point, as OpenSSL writes it)."""
        public = self.public_key()
        return fmt.ec_encode_pkcs8(self._d, public.x, public.y)

    @classmethod
    def from_pem(cls, data: bytes | str, *, backend: str | None = None) -> EcdsaP256PrivateKey:
        """From ``PRIVATE KEY`` (PKCS#8) or ``EC PRIVATE KEY`` (SEC1) PEM."""
        label, der = pem_decode(data)
        if label not in ("PRIVATE KEY", "EC PRIVATE KEY"):
            raise ValidationError(
                "wrong PEM label", field="pem", expected="PRIVATE KEY", actual=label
            )
        return cls.from_der(der, backend=backend)

    def to_pem(self) -> bytes:
        return pem_encode("PRIVATE KEY", self.to_der())

    @classmethod
    def from_jwk(cls, jwk: Any, *, backend: str | None = None) -> EcdsaP256PrivateKey:
        """From an EC P-256 JWK with ``d``; x and y must match d."""
        x, y, d = fmt.ec_from_jwk(jwk, private=True)
        assert d is not None
        key = cls(d, backend=backend)
        if (key.public_key().x, key.public_key().y) != (x, y):
            raise ValidationError("JWK x/y do not match d", field="jwk.d")
        return key

    def to_jwk(self) -> dict[str, str]:
        public = self.public_key()
        return fmt.ec_to_jwk(public.x, public.y, self._d)

    # -- signing ---------------------------------------------------------
    def _get_signer(self) -> EcSigner:
        # Keyed on the registry generation: a hot path costs one comparison,
        # and REGISTRY.reset() (a changed backend choice) rebuilds the handle.
        cached = self._signer
        if cached is None or cached[0] != REGISTRY.generation:
            backend = resolve_backend(self._backend)
            cached = (REGISTRY.generation, backend.ec_signer(self._d))
            self._signer = cached
        return cached[1]

    def sign(self, message: bytes, *, encoding: SignatureEncoding = "raw") -> bytes:
        """ECDSA over SHA-256(message): ``raw`` r‖s (64 bytes, JWS) or ``der``."""
        if encoding not in ("raw", "der"):
            raise ValidationError("unknown signature encoding", field="encoding")
        raw = self._get_signer().sign(fmt.as_bytes(message, "message"))
        if encoding == "raw":
            return raw
        return _encode_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"), encoding
        )

    async def sign_async(self, message: bytes, *, encoding: SignatureEncoding = "raw") -> bytes:
        """:meth:`sign`, through WebCrypto in Pyodide (randomised nonces there)."""
        if not uses_webcrypto(self._backend):
            return self.sign(message, encoding=encoding)
        from infra_portable.crypto import _pkey_webcrypto as webcrypto

        if self._js_key is None:
            self._js_key = await webcrypto.import_key(self.to_jwk(), _WEBCRYPTO_ALGORITHM)
        raw = await webcrypto.sign(
            self._js_key, _WEBCRYPTO_ALGORITHM, fmt.as_bytes(message, "message")
        )
        if encoding == "raw":
            return raw
        return _encode_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"), encoding
        )

    def __repr__(self) -> str:
        return "EcdsaP256PrivateKey(<private>)"
