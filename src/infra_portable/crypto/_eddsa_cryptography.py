"""Ed25519 and X25519 through the ``cryptography`` package (OpenSSL).

Native CPython only in practice: Pyodide has no build of it loaded by default
and WASI cannot load compiled extensions. OpenSSL's own exceptions
(``InvalidSignature``, ``ValueError``) are answered as False / zero secrets here,
so none reaches the caller.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from infra_portable.crypto._eddsa_base import EddsaBackend, Exchanger, Signer, Verifier

__all__ = ["BACKEND", "CryptographyEddsa"]

_ZERO = bytes(32)


class CryptographyEddsa:
    """The ``cryptography`` backend: key objects are built once per bound signer/verifier."""

    name = "cryptography"

    def ed25519_public_key(self, seed: bytes) -> bytes:
        return ed25519.Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()

    def ed25519_sign(self, seed: bytes, message: bytes) -> bytes:
        return ed25519.Ed25519PrivateKey.from_private_bytes(seed).sign(message)

    def ed25519_signer(self, seed: bytes) -> Signer:
        return ed25519.Ed25519PrivateKey.from_private_bytes(seed).sign

    def ed25519_verify(self, public: bytes, signature: bytes, message: bytes) -> bool:
        return self.ed25519_verifier(public)(signature, message)

    def ed25519_verifier(self, public: bytes) -> Verifier:
        try:
            key = ed25519.Ed25519PublicKey.from_public_bytes(public)
        except ValueError:
            return _reject
        check = key.verify

        def verify(signature: bytes, message: bytes) -> bool:
            try:
                check(signature, message)
            except InvalidSignature:
                return False
            return True

        return verify

    def x25519_public_key(self, private: bytes) -> bytes:
        return x25519.X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()

    def x25519(self, private: bytes, peer_public: bytes) -> bytes:
        return self.x25519_exchanger(private)(peer_public)

    def x25519_exchanger(self, private: bytes) -> Exchanger:
        exchange = x25519.X25519PrivateKey.from_private_bytes(private).exchange
        load = x25519.X25519PublicKey.from_public_bytes

        def agree(peer_public: bytes) -> bytes:
            try:
                return exchange(load(peer_public))
            except ValueError:
                # OpenSSL refuses an all-zero result (a small-order peer); report it
                # the way the other backends do and let the public layer decide.
                return _ZERO

        return agree


def _reject(signature: bytes, message: bytes) -> bool:
    return False


BACKEND: EddsaBackend = CryptographyEddsa()
