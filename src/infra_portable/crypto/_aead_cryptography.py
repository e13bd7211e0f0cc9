"""AEAD with the ``cryptography`` package (OpenSSL); native CPython only.

The keyed ciphers are ``cryptography``'s own AESGCM and ChaCha20Poly1305
objects, returned as they are so each call costs nothing beyond OpenSSL's work;
their ``InvalidTag`` is translated by the caller (``guard_decrypt``).
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

from infra_portable.crypto._aead_base import AeadBackend, AeadBackendBase, KeyedAead

__all__ = ["BACKEND", "CryptographyAead"]


class CryptographyAead(AeadBackendBase):
    name = "cryptography"

    def aes_gcm(self, key: bytes) -> KeyedAead:
        return AESGCM(key)

    def chacha20_poly1305(self, key: bytes) -> KeyedAead:
        return ChaCha20Poly1305(key)


BACKEND: AeadBackend = CryptographyAead()
