"""Ed25519 and X25519 through pycryptodome.

Native CPython only in practice (a compiled extension). pycryptodome's own
``eddsa`` verifier uses the cofactored equation ([8]R = [8]([S]B - [k]A)),
which accepts some signatures OpenSSL rejects; so verification here computes
the cofactorless check ``encode([S]B - [k]A) == R`` with pycryptodome's
(compiled) point arithmetic, the way OpenSSL and the pure backend do.
pycryptodome refuses small-order X25519 peers at import; that is answered with
the all-zero secret the other backends compute.
"""

from __future__ import annotations

import hashlib

from Crypto.Protocol import DH
from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa

from infra_portable.crypto._curve25519_pure import BASE, L, P, decode_point
from infra_portable.crypto._eddsa_base import EddsaBackend, Exchanger, Signer, Verifier

__all__ = ["BACKEND", "PycryptodomeEddsa"]

_ZERO = bytes(32)


def _identity(secret: bytes) -> bytes:
    return secret


class PycryptodomeEddsa:
    """The pycryptodome backend."""

    name = "pycryptodome"

    def ed25519_public_key(self, seed: bytes) -> bytes:
        key = ECC.construct(curve="Ed25519", seed=seed)
        raw: bytes = key.public_key().export_key(format="raw")
        return raw

    def ed25519_sign(self, seed: bytes, message: bytes) -> bytes:
        return self.ed25519_signer(seed)(message)

    def ed25519_signer(self, seed: bytes) -> Signer:
        signer = eddsa.new(ECC.construct(curve="Ed25519", seed=seed), "rfc8032")

        def sign(message: bytes) -> bytes:
            signature: bytes = signer.sign(message)
            return signature

        return sign

    def ed25519_verify(self, public: bytes, signature: bytes, message: bytes) -> bool:
        return self.ed25519_verifier(public)(signature, message)

    def ed25519_verifier(self, public: bytes) -> Verifier:
        # Decoding A costs one square root in Python, once per bound verifier.
        point = decode_point(public)
        if point is None:
            return _reject
        neg_a = EccPoint((P - point[0]) % P, point[1], curve="Ed25519")

        def verify(signature: bytes, message: bytes) -> bool:
            s = int.from_bytes(signature[32:], "little")
            if s >= L:
                return False
            big_r = signature[:32]
            k = int.from_bytes(hashlib.sha512(big_r + public + message).digest(), "little") % L
            x, y = (_GENERATOR * s + neg_a * k).xy
            return (int(y) | (int(x) & 1) << 255).to_bytes(32, "little") == big_r

        return verify

    def x25519_public_key(self, private: bytes) -> bytes:
        key = DH.import_x25519_private_key(private)
        raw: bytes = key.public_key().export_key(format="raw")
        return raw

    def x25519(self, private: bytes, peer_public: bytes) -> bytes:
        return self.x25519_exchanger(private)(peer_public)

    def x25519_exchanger(self, private: bytes) -> Exchanger:
        key = DH.import_x25519_private_key(private)

        def agree(peer_public: bytes) -> bytes:
            try:
                peer = DH.import_x25519_public_key(peer_public)
            except ValueError:
                # Raised exactly for the small-order u-coordinates, whose shared
                # secret is all zeros on the other backends.
                return _ZERO
            secret: bytes = DH.key_agreement(static_priv=key, static_pub=peer, kdf=_identity)
            return secret

        return agree


# Re-exported by ECC at run time but missing from its stubs.
EccPoint = ECC.EccPoint  # type: ignore[attr-defined]
_GENERATOR = EccPoint(BASE[0], BASE[1], curve="Ed25519")


def _reject(signature: bytes, message: bytes) -> bool:
    return False


BACKEND: EddsaBackend = PycryptodomeEddsa()
