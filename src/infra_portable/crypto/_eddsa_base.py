"""The interface every Ed25519/X25519 backend implements, and the checks they share.

Backends see raw bytes of the right length only (the public layer in
``_eddsa.py`` checks lengths and formats first) and must not raise foreign
exceptions: ``ed25519_verify`` answers False, key agreement raises CryptoError.

Verification is the same on every backend: the cofactorless check
``encode([S]B - [k]A) == R`` that OpenSSL (``cryptography``) does, after the
stricter input rules of :func:`signature_is_well_formed`, which the public
layer applies before any backend runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from infra_portable.crypto._curve25519_pure import L, P

__all__ = [
    "SMALL_ORDER_ENCODINGS",
    "EddsaBackend",
    "Exchanger",
    "Signer",
    "Verifier",
    "signature_is_well_formed",
]

Signer = Callable[[bytes], bytes]
# (signature, message) -> valid?
Verifier = Callable[[bytes, bytes], bool]
# peer public key -> raw shared secret
Exchanger = Callable[[bytes], bytes]


class EddsaBackend(Protocol):
    """Ed25519 (RFC 8032, pure variant) and X25519 (RFC 7748) on raw byte strings."""

    name: str

    def ed25519_public_key(self, seed: bytes) -> bytes:
        """The 32-byte public key of a 32-byte private seed."""
        ...

    def ed25519_sign(self, seed: bytes, message: bytes) -> bytes:
        """The deterministic 64-byte signature of ``message``."""
        ...

    def ed25519_verify(self, public: bytes, signature: bytes, message: bytes) -> bool:
        """Whether ``signature`` (64 bytes) is valid for ``message`` under ``public``."""
        ...

    def ed25519_signer(self, seed: bytes) -> Signer:
        """``ed25519_sign`` bound to one key, with the key's setup done once."""
        ...

    def ed25519_verifier(self, public: bytes) -> Verifier:
        """``ed25519_verify`` bound to one key, with the key's setup done once."""
        ...

    def x25519_public_key(self, private: bytes) -> bytes:
        """The 32-byte u-coordinate of the (clamped) private scalar times 9."""
        ...

    def x25519(self, private: bytes, peer_public: bytes) -> bytes:
        """The raw 32-byte shared secret (may be all zeros for a small-order peer)."""
        ...

    def x25519_exchanger(self, private: bytes) -> Exchanger:
        """``x25519`` bound to one private key, with the key's setup done once."""
        ...


# y of two of the points of order 8; the other two have y = p - this.
_Y_ORDER_8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022


def _encode(y: int, sign: int) -> bytes:
    return (y | sign << 255).to_bytes(32, "little")


# The canonical encodings of the 8 points of small order (1, 2, 4 and 8).
SMALL_ORDER_ENCODINGS = frozenset(
    [_encode(1, 0), _encode(P - 1, 0), _encode(0, 0), _encode(0, 1)]
    + [_encode(y, sign) for y in (_Y_ORDER_8, P - _Y_ORDER_8) for sign in (0, 1)]
)


def signature_is_well_formed(public: bytes, signature: bytes) -> bool:
    """Input rules every backend applies identically before verifying.

    - S must be below L (RFC 8032 §5.1.7; stops signature malleability).
    - A's y must be canonical (below p) and x = 0 must not carry the sign bit
      (RFC 8032 §5.1.3); OpenSSL silently accepts both.
    - A must not be one of the 8 small-order points: OpenSSL accepts them, and
      with A = identity, R = identity, S = 0 verifies for *every* message.
    - R needs no check: comparing the canonical encoding of the computed R
      with the given bytes already rejects a non-canonical or off-curve R.
    """
    if int.from_bytes(signature[32:], "little") >= L:
        return False
    n = int.from_bytes(public, "little")
    y = n & ((1 << 255) - 1)
    if y >= P or (n >> 255 and y in (1, P - 1)):
        return False
    return public not in SMALL_ORDER_ENCODINGS
