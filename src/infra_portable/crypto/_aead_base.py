"""The AEAD capability: AES-256-GCM and ChaCha20-Poly1305 (RFC 5116 style).

Every backend produces ``ciphertext || 16-byte tag`` for a 32-byte key and a
12-byte nonce, byte-identical across backends. A backend gives a *keyed* cipher
(:class:`KeyedAead`) so per-key work (key schedule, hash tables, the OpenSSL
context) is done once; the four stateless methods of :class:`AeadBackend` are
conveniences built on it by :class:`AeadBackendBase`.

Keyed ciphers may raise anything on failure; :func:`guard_decrypt` and
:func:`guard_encrypt` are the boundary that turns foreign exceptions into
:class:`CryptoError` (authentication failures) or :class:`ValidationError`
(wrong argument types), so no backend's exception reaches a caller.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from infra_portable.errors import CryptoError, CryptoOperation, InfraError, ValidationError

__all__ = [
    "KEY_SIZE",
    "NONCE_SIZE",
    "TAG_SIZE",
    "AeadBackend",
    "AeadBackendBase",
    "KeyedAead",
    "authentication_failed",
    "check_key",
    "check_nonce",
    "guard_decrypt",
    "guard_encrypt",
    "nonce_error",
]

KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16

_BYTES_LIKE = (bytes, bytearray, memoryview)


class KeyedAead(Protocol):
    """One algorithm under one key. ``cryptography``'s AESGCM has exactly this shape."""

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None, /) -> bytes:
        """``ciphertext || tag`` of ``data``, authenticating ``associated_data`` too."""
        ...

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None, /) -> bytes:
        """The plaintext of ``ciphertext || tag``; raises if authentication fails."""
        ...


@runtime_checkable
class AeadBackend(Protocol):
    """An implementation of the ``crypto-aead`` capability."""

    name: str

    def aes_gcm(self, key: bytes) -> KeyedAead:
        """AES-256-GCM under ``key`` (32 bytes, already checked)."""
        ...

    def chacha20_poly1305(self, key: bytes) -> KeyedAead:
        """ChaCha20-Poly1305 under ``key`` (32 bytes, already checked)."""
        ...

    def aes_gcm_encrypt(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        """``ciphertext || tag`` (one-shot; prefer a keyed cipher for repeated use)."""
        ...

    def aes_gcm_decrypt(self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        """The plaintext; CryptoError(operation=DECRYPT) if authentication fails."""
        ...

    def chacha20_poly1305_encrypt(
        self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes
    ) -> bytes:
        """``ciphertext || tag`` (one-shot)."""
        ...

    def chacha20_poly1305_decrypt(
        self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes
    ) -> bytes:
        """The plaintext; CryptoError(operation=DECRYPT) if authentication fails."""
        ...


class AeadBackendBase:
    """The stateless methods, in terms of the keyed ciphers a subclass provides."""

    name: str = ""

    def aes_gcm(self, key: bytes) -> KeyedAead:
        raise NotImplementedError

    def chacha20_poly1305(self, key: bytes) -> KeyedAead:
        raise NotImplementedError

    def aes_gcm_encrypt(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        cipher = self.aes_gcm(check_key(key))
        return guard_encrypt(cipher, check_nonce(nonce), plaintext, aad)

    def aes_gcm_decrypt(self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        cipher = self.aes_gcm(check_key(key))
        return guard_decrypt(cipher, check_nonce(nonce), ciphertext, aad)

    def chacha20_poly1305_encrypt(
        self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes
    ) -> bytes:
        cipher = self.chacha20_poly1305(check_key(key))
        return guard_encrypt(cipher, check_nonce(nonce), plaintext, aad)

    def chacha20_poly1305_decrypt(
        self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes
    ) -> bytes:
        cipher = self.chacha20_poly1305(check_key(key))
        return guard_decrypt(cipher, check_nonce(nonce), ciphertext, aad)

    def __repr__(self) -> str:
        return f"<AEAD backend {self.name!r}>"


def _exact(value: object, field: str, size: int) -> bytes:
    if not isinstance(value, _BYTES_LIKE):
        raise ValidationError(
            f"the {field} must be bytes",
            field=field,
            expected=f"{size} bytes",
            actual=type(value).__name__,
        )
    data = bytes(value)
    if len(data) != size:
        raise ValidationError(
            f"the {field} must be exactly {size} bytes",
            field=field,
            expected=f"{size} bytes",
            actual=f"{len(data)} bytes",
        )
    return data


def check_key(key: object) -> bytes:
    """``key`` as bytes if it is exactly 32 bytes; ValidationError naming ``key`` otherwise."""
    return _exact(key, "key", KEY_SIZE)


def check_nonce(nonce: object) -> bytes:
    """``nonce`` as bytes if it is exactly 12 bytes; ValidationError naming ``nonce`` otherwise."""
    return _exact(nonce, "nonce", NONCE_SIZE)


def authentication_failed(detail: str = "") -> CryptoError:
    """The one error every backend reports for a message that does not authenticate."""
    message = "authentication failed: the ciphertext, tag, nonce, key or associated data is wrong"
    return CryptoError(
        message + (f" ({detail})" if detail else ""), operation=CryptoOperation.DECRYPT
    )


def nonce_error(nonce: object) -> ValidationError:
    """The error for a nonce that is not 12 bytes (or not bytes at all)."""
    try:
        check_nonce(nonce)
    except ValidationError as exc:
        return exc
    raise AssertionError("nonce_error called with a valid nonce")


def _check_types(nonce: object, data: object, aad: object, what: str) -> None:
    check_nonce(nonce)
    for field, value in ((what, data), ("aad", aad)):
        if not isinstance(value, _BYTES_LIKE):
            raise ValidationError(
                f"the {field} must be bytes",
                field=field,
                expected="bytes",
                actual=type(value).__name__,
            )


def guard_encrypt(cipher: KeyedAead, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """``cipher.encrypt`` with any foreign exception translated."""
    try:
        return cipher.encrypt(nonce, plaintext, aad)
    except InfraError:
        raise
    except Exception as exc:
        raise encrypt_error(exc, nonce, plaintext, aad) from exc


def guard_decrypt(cipher: KeyedAead, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    """``cipher.decrypt`` with any foreign exception translated (mostly: bad tag)."""
    try:
        return cipher.decrypt(nonce, ciphertext, aad)
    except InfraError:
        raise
    except Exception as exc:
        raise decrypt_error(exc, nonce, ciphertext, aad) from exc


def encrypt_error(exc: Exception, nonce: object, plaintext: object, aad: object) -> InfraError:
    """What a foreign exception from encryption means: wrong arguments, else a failure."""
    _check_types(nonce, plaintext, aad, "plaintext")
    return CryptoError(
        f"encryption failed: {type(exc).__name__}: {exc}", operation=CryptoOperation.ENCRYPT
    )


def decrypt_error(exc: Exception, nonce: object, ciphertext: object, aad: object) -> InfraError:
    """What a foreign exception from decryption means: wrong arguments, else a bad message."""
    _check_types(nonce, ciphertext, aad, "ciphertext")
    return authentication_failed()
