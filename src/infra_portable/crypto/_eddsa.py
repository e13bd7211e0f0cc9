"""Ed25519 signatures (RFC 8032) and X25519 key agreement (RFC 7748).

Every backend of the ``crypto-eddsa`` capability gives byte-identical results
and accepts exactly the same signatures (see ``_eddsa_base``). Keys bind their
backend's per-key setup once (OpenSSL key objects, the pure backend's
precomputed multiples), so reuse a key object for repeated signing/verifying.

The ``*_async`` methods use WebCrypto in Pyodide when the browser has the
algorithm, and the synchronous backend everywhere else.
"""

from __future__ import annotations

import os
from typing import Any, Self

from infra_portable.crypto import _eddsa_webcrypto as webcrypto
from infra_portable.crypto._eddsa_base import (
    EddsaBackend,
    Exchanger,
    Signer,
    Verifier,
    signature_is_well_formed,
)
from infra_portable.crypto._eddsa_encoding import (
    ED25519,
    X25519,
    Algorithm,
    b64url_encode,
    der_from_pem,
    jwk_key_bytes,
    key_bytes,
    pem_from_der,
    private_der,
    private_from_der,
    public_der,
    public_from_der,
)
from infra_portable.errors import CryptoError, CryptoOperation, InfraError, ValidationError
from infra_portable.runtime import REGISTRY

__all__ = [
    "Ed25519PrivateKey",
    "Ed25519PublicKey",
    "X25519PrivateKey",
    "X25519PublicKey",
    "eddsa_backend",
]

CAPABILITY = "crypto-eddsa"
# Every method that takes bytes also takes the other read-only buffers.
Bytes = bytes | bytearray | memoryview


def eddsa_backend(name: str | None = None) -> EddsaBackend:
    """The backend named ``name``, or the one chosen for this runtime (cached)."""
    backend: EddsaBackend = REGISTRY.resolve(CAPABILITY, name)
    return backend


def _message(data: object) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    raise ValidationError(
        "message must be bytes", field="message", expected="bytes", actual=type(data).__name__
    )


def _guard(operation: CryptoOperation, what: str) -> _Translate:
    return _Translate(operation, what)


class _Translate:
    """Turns any non-InfraError a backend raises into CryptoError (raised ``from`` it)."""

    __slots__ = ("operation", "what")

    def __init__(self, operation: CryptoOperation, what: str) -> None:
        self.operation = operation
        self.what = what

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, Exception) and not isinstance(exc, InfraError):
            raise _foreign(exc, self.operation, self.what) from exc


def _foreign(exc: Exception, operation: CryptoOperation, what: str) -> CryptoError:
    """The CryptoError that stands for a backend's own exception (chained by the caller)."""
    return CryptoError(f"{what} failed: {exc}", operation=operation)


class _Key:
    """What every key class shares: 32 raw bytes, a backend, and encodings."""

    __slots__ = ("_backend", "_raw")
    _alg: Algorithm
    _private: bool

    def __init__(self, raw: bytes, backend: str | None = None) -> None:
        self._raw = raw
        self._backend = eddsa_backend(backend)

    @property
    def backend(self) -> str:
        """The name of the backend this key uses."""
        return self._backend.name

    def to_bytes(self) -> bytes:
        """The raw 32-byte key (the seed for Ed25519 private keys)."""
        return self._raw

    def to_der(self) -> bytes:
        """PKCS#8 (private keys) or SubjectPublicKeyInfo (public keys) DER, per RFC 8410."""
        if self._private:
            return private_der(self._alg, self._raw)
        return public_der(self._alg, self._raw)

    def to_pem(self) -> bytes:
        """The DER in PEM armour (``PRIVATE KEY`` / ``PUBLIC KEY``)."""
        return pem_from_der(self.to_der(), "PRIVATE KEY" if self._private else "PUBLIC KEY")

    @classmethod
    def _from_raw(cls, raw: bytes, backend: str | None) -> Self:
        return cls(raw, backend)

    @classmethod
    def from_bytes(cls, data: Bytes, *, backend: str | None = None) -> Self:
        """A key from its raw 32 bytes."""
        return cls._from_raw(
            key_bytes(data, "private_key" if cls._private else "public_key"), backend
        )

    @classmethod
    def from_der(cls, data: Bytes, *, backend: str | None = None) -> Self:
        """A key from RFC 8410 DER (PKCS#8 v1 or SubjectPublicKeyInfo)."""
        parse = private_from_der if cls._private else public_from_der
        return cls._from_raw(parse(cls._alg, data), backend)

    @classmethod
    def from_pem(cls, data: Bytes | str, *, backend: str | None = None) -> Self:
        """A key from one PEM block (strict base64)."""
        label = "PRIVATE KEY" if cls._private else "PUBLIC KEY"
        return cls.from_der(der_from_pem(data, label), backend=backend)

    @classmethod
    def from_jwk(cls, jwk: Any, *, backend: str | None = None) -> Self:
        """A key from an RFC 8037 OKP JWK (``d`` for private keys, ``x`` for public)."""
        return cls._from_raw(jwk_key_bytes(jwk, cls._alg, "d" if cls._private else "x"), backend)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Key)
        return self._raw == other._raw

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._raw))

    def __repr__(self) -> str:
        if self._private:
            # Never show secret material, even in logs and tracebacks.
            return f"{type(self).__name__}(<secret>, backend={self.backend!r})"
        return f"{type(self).__name__}({self._raw.hex()!r}, backend={self.backend!r})"


class Ed25519PublicKey(_Key):
    """An Ed25519 public key (32 bytes)."""

    __slots__ = ("_verifier",)
    _alg = ED25519
    _private = False

    def __init__(self, raw: bytes, backend: str | None = None) -> None:
        super().__init__(raw, backend)
        self._verifier: Verifier | None = None

    def to_jwk(self) -> dict[str, str]:
        """``{"kty": "OKP", "crv": "Ed25519", "x": ...}`` (RFC 8037)."""
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(self._raw)}

    def _check(self, signature: object, message: object) -> tuple[bytes, bytes]:
        if not isinstance(signature, bytes | bytearray | memoryview):
            raise ValidationError(
                "signature must be bytes",
                field="signature",
                expected="bytes",
                actual=type(signature).__name__,
            )
        sig = bytes(signature)
        if len(sig) != 64:
            raise CryptoError(
                f"an Ed25519 signature is 64 bytes, got {len(sig)}",
                operation=CryptoOperation.VERIFY,
            )
        return sig, _message(message)

    def _is_valid(self, sig: bytes, msg: bytes) -> bool:
        if not signature_is_well_formed(self._raw, sig):
            return False
        verifier = self._verifier
        if verifier is None:
            with _guard(CryptoOperation.VERIFY, "Ed25519 verification"):
                verifier = self._verifier = self._backend.ed25519_verifier(self._raw)
        # try/except rather than _guard on the hot path: it costs nothing unless raised.
        try:
            return verifier(sig, msg)
        except InfraError:
            raise
        except Exception as exc:
            raise _foreign(exc, CryptoOperation.VERIFY, "Ed25519 verification") from exc

    def verify(self, signature: Bytes, message: Bytes) -> None:
        """Return if ``signature`` is valid for ``message``, else raise CryptoError(VERIFY)."""
        sig, msg = self._check(signature, message)
        if not self._is_valid(sig, msg):
            raise CryptoError("Ed25519 signature does not match", operation=CryptoOperation.VERIFY)

    async def verify_async(self, signature: Bytes, message: Bytes) -> None:
        """:meth:`verify` through WebCrypto in Pyodide when available."""
        sig, msg = self._check(signature, message)
        if await webcrypto.available():
            ok = signature_is_well_formed(self._raw, sig) and await webcrypto.ed25519_verify(
                self._raw, sig, msg
            )
        else:
            ok = self._is_valid(sig, msg)
        if not ok:
            raise CryptoError("Ed25519 signature does not match", operation=CryptoOperation.VERIFY)


class Ed25519PrivateKey(_Key):
    """An Ed25519 private key: the 32-byte seed of RFC 8032 §5.1.5."""

    __slots__ = ("_public", "_signer")
    _alg = ED25519
    _private = True

    def __init__(self, raw: bytes, backend: str | None = None) -> None:
        super().__init__(raw, backend)
        self._signer: Signer | None = None
        self._public: Ed25519PublicKey | None = None

    @classmethod
    def generate(cls, *, backend: str | None = None) -> Self:
        """A new random key (os.urandom: getrandom, getRandomValues or WASI random_get)."""
        return cls(os.urandom(32), backend)

    def public_key(self) -> Ed25519PublicKey:
        """The matching public key (computed once)."""
        if self._public is None:
            with _guard(CryptoOperation.KEY_GENERATION, "Ed25519 public key derivation"):
                raw = self._backend.ed25519_public_key(self._raw)
            self._public = Ed25519PublicKey(raw, self._backend.name)
        return self._public

    def sign(self, message: Bytes) -> bytes:
        """The deterministic 64-byte signature of ``message``."""
        msg = _message(message)
        signer = self._signer
        if signer is None:
            with _guard(CryptoOperation.SIGN, "Ed25519 signing"):
                signer = self._signer = self._backend.ed25519_signer(self._raw)
        try:
            return signer(msg)
        except InfraError:
            raise
        except Exception as exc:
            raise _foreign(exc, CryptoOperation.SIGN, "Ed25519 signing") from exc

    async def sign_async(self, message: Bytes) -> bytes:
        """:meth:`sign` through WebCrypto in Pyodide when available (same bytes)."""
        msg = _message(message)
        if await webcrypto.available():
            return await webcrypto.ed25519_sign(self.to_der(), msg)
        return self.sign(msg)

    def to_jwk(self) -> dict[str, str]:
        """``{"kty": "OKP", "crv": "Ed25519", "x": ..., "d": ...}`` (RFC 8037)."""
        return {**self.public_key().to_jwk(), "d": b64url_encode(self._raw)}


class X25519PublicKey(_Key):
    """An X25519 public key: a 32-byte u-coordinate."""

    __slots__ = ()
    _alg = X25519
    _private = False

    def to_jwk(self) -> dict[str, str]:
        """``{"kty": "OKP", "crv": "X25519", "x": ...}`` (RFC 8037)."""
        return {"kty": "OKP", "crv": "X25519", "x": b64url_encode(self._raw)}


class X25519PrivateKey(_Key):
    """An X25519 private key: 32 bytes, clamped when used (RFC 7748 §5)."""

    __slots__ = ("_exchanger", "_public")
    _alg = X25519
    _private = True

    def __init__(self, raw: bytes, backend: str | None = None) -> None:
        super().__init__(raw, backend)
        self._public: X25519PublicKey | None = None
        self._exchanger: Exchanger | None = None

    @classmethod
    def generate(cls, *, backend: str | None = None) -> Self:
        """A new random key."""
        return cls(os.urandom(32), backend)

    def public_key(self) -> X25519PublicKey:
        """The matching public key (computed once)."""
        if self._public is None:
            with _guard(CryptoOperation.KEY_GENERATION, "X25519 public key derivation"):
                raw = self._backend.x25519_public_key(self._raw)
            self._public = X25519PublicKey(raw, self._backend.name)
        return self._public

    def to_jwk(self) -> dict[str, str]:
        """``{"kty": "OKP", "crv": "X25519", "x": ..., "d": ...}`` (RFC 8037)."""
        return {**self.public_key().to_jwk(), "d": b64url_encode(self._raw)}

    def _peer(self, peer: object) -> bytes:
        if not isinstance(peer, X25519PublicKey):
            raise ValidationError(
                "peer must be an X25519PublicKey",
                field="peer",
                expected="X25519PublicKey",
                actual=type(peer).__name__,
            )
        return peer.to_bytes()

    def exchange(self, peer: X25519PublicKey) -> bytes:
        """The 32-byte shared secret; CryptoError for a small-order peer (RFC 7748 §6.1)."""
        raw_peer = self._peer(peer)
        exchanger = self._exchanger
        if exchanger is None:
            with _guard(CryptoOperation.KEY_GENERATION, "X25519 key agreement"):
                exchanger = self._exchanger = self._backend.x25519_exchanger(self._raw)
        try:
            secret = exchanger(raw_peer)
        except InfraError:
            raise
        except Exception as exc:
            raise _foreign(exc, CryptoOperation.KEY_GENERATION, "X25519 key agreement") from exc
        return _nonzero(secret)

    async def exchange_async(self, peer: X25519PublicKey) -> bytes:
        """:meth:`exchange` through WebCrypto in Pyodide when available."""
        raw_peer = self._peer(peer)
        if await webcrypto.available():
            return _nonzero(await webcrypto.x25519(self.to_der(), raw_peer))
        return self.exchange(peer)


def _nonzero(secret: bytes) -> bytes:
    # An all-zero secret means the peer sent a small-order point: its value is
    # known to anyone, so the exchange contributes nothing (RFC 7748 §6.1).
    if secret == bytes(32):
        raise CryptoError(
            "X25519 shared secret is all zeros (the peer's public key has small order)",
            operation=CryptoOperation.KEY_GENERATION,
        )
    return secret
