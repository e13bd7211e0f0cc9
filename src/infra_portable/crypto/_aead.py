"""Authenticated encryption: :class:`Aes256Gcm` and :class:`ChaCha20Poly1305` (seed 002 §2.7).

Both take a 32-byte key and, for :meth:`~_AeadCipher.encrypt`, a 12-byte nonce
that must never repeat under one key; :meth:`~_AeadCipher.seal` picks a random
96-bit nonce and prepends it (``nonce || ciphertext || tag``), the seed's
``Cipher::encrypt`` format. Every backend (``cryptography``, ``pycryptodome``,
``pure``) gives byte-identical output; the backend is the registry's choice for
this runtime unless named.

The ``*_async`` methods use WebCrypto for AES-GCM in Pyodide (unless a backend
was named explicitly) and the sync backend everywhere else; WebCrypto has no
ChaCha20-Poly1305, so that cipher's async methods always use the sync backend.

Any failure to authenticate (tampered ciphertext, tag, nonce or associated
data, a wrong key, input shorter than the tag) is ``CryptoError`` with
``operation=DECRYPT``; bad key or nonce sizes are ``ValidationError``.

Deriving a key from a passphrase is not here: use the password-hashing module
(Argon2id) to derive 32 bytes, then pass them as the key.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar, Self

from infra_portable.crypto import _aead_webcrypto as webcrypto
from infra_portable.crypto._aead_base import (
    KEY_SIZE,
    NONCE_SIZE,
    TAG_SIZE,
    AeadBackend,
    KeyedAead,
    authentication_failed,
    check_key,
    check_nonce,
    decrypt_error,
    encrypt_error,
    nonce_error,
)
from infra_portable.errors import InfraError, ValidationError
from infra_portable.runtime import REGISTRY, is_pyodide

__all__ = ["KEY_SIZE", "NONCE_SIZE", "TAG_SIZE", "Aes256Gcm", "ChaCha20Poly1305"]

CAPABILITY = "crypto-aead"
_SEALED_MIN = NONCE_SIZE + TAG_SIZE


def _split_sealed(sealed: object) -> tuple[bytes, bytes]:
    """``(nonce, ciphertext || tag)`` of a sealed message, or why it cannot be one."""
    if not isinstance(sealed, bytes | bytearray | memoryview):
        raise ValidationError(
            "a sealed message must be bytes",
            field="sealed",
            expected="bytes",
            actual=type(sealed).__name__,
        )
    data = bytes(sealed)
    if len(data) < _SEALED_MIN:
        raise authentication_failed(
            f"a sealed message is at least {_SEALED_MIN} bytes (nonce + tag), got {len(data)}"
        )
    return data[:NONCE_SIZE], data[NONCE_SIZE:]


class _AeadCipher:
    """One AEAD algorithm under one key; subclasses pick the algorithm."""

    algorithm: ClassVar[str]
    # Whether WebCrypto implements this algorithm (for the async methods).
    _webcrypto: ClassVar[bool] = False

    __slots__ = ("_backend", "_cipher", "_decrypt", "_encrypt", "_explicit", "_js_key", "_key")

    def __init__(self, key: bytes, *, backend: str | None = None) -> None:
        self._key = check_key(key)
        chosen: AeadBackend = REGISTRY.resolve(CAPABILITY, backend)
        self._backend = chosen
        self._explicit = backend is not None
        self._cipher = self._keyed(chosen, self._key)
        # Bound methods cached: each encrypt/decrypt is one Python call away
        # from the backend's C code.
        self._encrypt = self._cipher.encrypt
        self._decrypt = self._cipher.decrypt
        self._js_key: Any = None

    @staticmethod
    def _keyed(backend: AeadBackend, key: bytes) -> KeyedAead:
        raise NotImplementedError

    @classmethod
    def generate(cls, *, backend: str | None = None) -> Self:
        """A cipher under a fresh random 32-byte key (read it back with :attr:`key`)."""
        return cls(os.urandom(KEY_SIZE), backend=backend)

    @property
    def key(self) -> bytes:
        """The raw 32-byte key (secret: store it as carefully as the data it protects)."""
        return self._key

    @property
    def backend(self) -> str:
        """The name of the implementation in use (``"cryptography"``, ``"pure"``...)."""
        return self._backend.name

    def __repr__(self) -> str:
        return f"{type(self).__name__}(backend={self.backend!r})"

    # -- explicit nonce ------------------------------------------------------
    def encrypt(self, nonce: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
        """``ciphertext || tag`` (16 bytes) for a 12-byte ``nonce`` never reused with this key."""
        # The hot path is one length check and one call into the backend; type
        # errors surface from the backend and are diagnosed in the except branch.
        try:
            if len(nonce) == NONCE_SIZE:
                return self._encrypt(nonce, plaintext, aad)
        except InfraError:
            raise
        except Exception as exc:
            raise encrypt_error(exc, nonce, plaintext, aad) from exc
        raise nonce_error(nonce)

    def decrypt(self, nonce: bytes, ciphertext: bytes, aad: bytes = b"") -> bytes:
        """The plaintext of ``ciphertext || tag``; CryptoError if it does not authenticate."""
        try:
            if len(nonce) == NONCE_SIZE:
                return self._decrypt(nonce, ciphertext, aad)
        except InfraError:
            raise
        except Exception as exc:
            raise decrypt_error(exc, nonce, ciphertext, aad) from exc
        raise nonce_error(nonce)

    # -- random nonce, prepended -------------------------------------------
    def seal(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        """``nonce || ciphertext || tag`` with a fresh random 96-bit nonce."""
        nonce = os.urandom(NONCE_SIZE)
        return nonce + self.encrypt(nonce, plaintext, aad)

    def open(self, sealed: bytes, aad: bytes = b"") -> bytes:
        """The plaintext of :meth:`seal`'s output; CryptoError if it does not authenticate."""
        nonce, rest = _split_sealed(sealed)
        return self.decrypt(nonce, rest, aad)

    # -- async: WebCrypto in Pyodide ---------------------------------------
    def _use_webcrypto(self) -> bool:
        return self._webcrypto and not self._explicit and is_pyodide() and webcrypto.available()

    async def _js_cipher_key(self) -> Any:
        if self._js_key is None:
            self._js_key = await webcrypto.import_key(self._key)
        return self._js_key

    async def encrypt_async(self, nonce: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
        """:meth:`encrypt`, through WebCrypto in Pyodide (same bytes)."""
        if not self._use_webcrypto():
            return self.encrypt(nonce, plaintext, aad)
        nonce = check_nonce(nonce)
        js_key = await self._js_cipher_key()
        try:
            return await webcrypto.encrypt(js_key, nonce, plaintext, aad)
        except InfraError:
            raise
        except Exception as exc:
            raise encrypt_error(exc, nonce, plaintext, aad) from exc

    async def decrypt_async(self, nonce: bytes, ciphertext: bytes, aad: bytes = b"") -> bytes:
        """:meth:`decrypt`, through WebCrypto in Pyodide."""
        if not self._use_webcrypto():
            return self.decrypt(nonce, ciphertext, aad)
        nonce = check_nonce(nonce)
        js_key = await self._js_cipher_key()
        try:
            return await webcrypto.decrypt(js_key, nonce, ciphertext, aad)
        except InfraError:
            raise
        except Exception as exc:
            raise decrypt_error(exc, nonce, ciphertext, aad) from exc

    async def seal_async(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        """:meth:`seal`, through WebCrypto in Pyodide."""
        nonce = os.urandom(NONCE_SIZE)
        return nonce + await self.encrypt_async(nonce, plaintext, aad)

    async def open_async(self, sealed: bytes, aad: bytes = b"") -> bytes:
        """:meth:`open`, through WebCrypto in Pyodide."""
        nonce, rest = _split_sealed(sealed)
        return await self.decrypt_async(nonce, rest, aad)


class Aes256Gcm(_AeadCipher):
    """AES-256-GCM (NIST SP 800-38D) with 96-bit nonces and 128-bit tags."""

    algorithm = "AES-256-GCM"
    _webcrypto = True
    __slots__ = ()

    @staticmethod
    def _keyed(backend: AeadBackend, key: bytes) -> KeyedAead:
        return backend.aes_gcm(key)


class ChaCha20Poly1305(_AeadCipher):
    """ChaCha20-Poly1305 (RFC 8439). Not in WebCrypto: async methods use the sync backend."""

    algorithm = "ChaCha20-Poly1305"
    __slots__ = ()

    @staticmethod
    def _keyed(backend: AeadBackend, key: bytes) -> KeyedAead:
        return backend.chacha20_poly1305(key)
