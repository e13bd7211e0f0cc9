"""AEAD with pycryptodome; native CPython only.

pycryptodome's cipher objects are single-use, so the keyed cipher keeps the key
and makes one per message. Its ``ValueError("MAC check failed")`` is translated
by the caller (``guard_decrypt``).
"""

from __future__ import annotations

from Crypto.Cipher import AES
from Crypto.Cipher import ChaCha20_Poly1305 as _ChaChaPoly

from infra_portable.crypto._aead_base import (
    TAG_SIZE,
    AeadBackend,
    AeadBackendBase,
    KeyedAead,
    authentication_failed,
)

__all__ = ["BACKEND", "PycryptodomeAead"]


class _Gcm:
    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        self._key = key

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None, /) -> bytes:
        cipher = AES.new(self._key, AES.MODE_GCM, nonce=nonce, mac_len=TAG_SIZE)
        cipher.update(associated_data or b"")
        ciphertext, tag = cipher.encrypt_and_digest(data)
        return ciphertext + tag

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None, /) -> bytes:
        if len(data) < TAG_SIZE:
            raise authentication_failed("the input is shorter than the tag")
        cipher = AES.new(self._key, AES.MODE_GCM, nonce=nonce, mac_len=TAG_SIZE)
        cipher.update(associated_data or b"")
        return cipher.decrypt_and_verify(data[:-TAG_SIZE], data[-TAG_SIZE:])


class _ChaCha:
    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        self._key = key

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None, /) -> bytes:
        cipher = _ChaChaPoly.new(key=self._key, nonce=nonce)
        cipher.update(associated_data or b"")
        ciphertext, tag = cipher.encrypt_and_digest(data)
        return ciphertext + tag

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None, /) -> bytes:
        if len(data) < TAG_SIZE:
            raise authentication_failed("the input is shorter than the tag")
        cipher = _ChaChaPoly.new(key=self._key, nonce=nonce)
        cipher.update(associated_data or b"")
        return cipher.decrypt_and_verify(data[:-TAG_SIZE], data[-TAG_SIZE:])


class PycryptodomeAead(AeadBackendBase):
    name = "pycryptodome"

    def aes_gcm(self, key: bytes) -> KeyedAead:
        return _Gcm(key)

    def chacha20_poly1305(self, key: bytes) -> KeyedAead:
        return _ChaCha(key)


BACKEND: AeadBackend = PycryptodomeAead()
