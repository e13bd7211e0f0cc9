"""Ed25519 and X25519 in pure Python: works in every runtime (CPython, Pyodide, WASI).

Caveats: variable-time (Python integers cannot be constant-time), and a few
hundred times slower than OpenSSL. Bound signers/verifiers keep the key's
expensive setup (scalar, prefix, public key; multiples of -A), so repeated use
of one key object costs one scalar multiplication per call.

A verifier starts with Straus's method (cheap setup, ~253 doublings per call);
from its ``COMB_AFTER``-th call on it switches to a radix-32 comb of -A, which
costs about five verifications once and then makes each call about three times
as fast as Straus's: the common case of one issuer key checking many tokens.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from infra_portable.crypto._curve25519_pure import (
    BASE_WIDTH,
    L,
    P,
    base_comb,
    base_mul,
    comb_sum,
    comb_table,
    decode_point,
    double_scalar_mul_vartime,
    encode_point,
    odd_multiples,
    x25519_ladder,
)
from infra_portable.crypto._eddsa_base import EddsaBackend, Exchanger, Signer, Verifier

__all__ = ["BACKEND", "COMB_AFTER", "PureEddsa"]

# Calls to one bound verifier before it builds the comb table of its key.
COMB_AFTER = 4
# Radix 2^5 for -A: 52 rows x 16 points (~170 KB per key), ~50 additions per call.
A_COMB_WIDTH = 5


def _expand(seed: bytes) -> tuple[int, bytes, bytes]:
    """(secret scalar a, nonce prefix, public key A) of a seed (RFC 8032 §5.1.5)."""
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:], encode_point(base_mul(a))


def _clamp_x25519(private: bytes) -> int:
    k = int.from_bytes(private, "little")
    k &= (1 << 254) - 8
    return k | 1 << 254


class PureEddsa:
    """The pure-Python backend."""

    name = "pure"

    def ed25519_public_key(self, seed: bytes) -> bytes:
        return _expand(seed)[2]

    def ed25519_sign(self, seed: bytes, message: bytes) -> bytes:
        return self.ed25519_signer(seed)(message)

    def ed25519_signer(self, seed: bytes) -> Signer:
        a, prefix, public = _expand(seed)

        def sign(message: bytes) -> bytes:
            r = int.from_bytes(hashlib.sha512(prefix + message).digest(), "little") % L
            big_r = encode_point(base_mul(r))
            k = int.from_bytes(hashlib.sha512(big_r + public + message).digest(), "little")
            s = (r + k * a) % L
            return big_r + s.to_bytes(32, "little")

        return sign

    def ed25519_verify(self, public: bytes, signature: bytes, message: bytes) -> bool:
        return self.ed25519_verifier(public)(signature, message)

    def ed25519_verifier(self, public: bytes) -> Verifier:
        point = decode_point(public)
        if point is None:
            return _reject
        x, y, z, t = point
        neg_a = ((P - x) % P, y, z, (P - t) % P)
        # Verification computes [S]B + [k](-A) and compares it with R.
        neg_odd = odd_multiples(neg_a, 8)
        state: dict[str, Any] = {"calls": 0, "comb": None}

        def verify(signature: bytes, message: bytes) -> bool:
            s = int.from_bytes(signature[32:], "little")
            if s >= L:
                return False
            big_r = signature[:32]
            k = int.from_bytes(hashlib.sha512(big_r + public + message).digest(), "little") % L
            comb = state["comb"]
            if comb is None:
                state["calls"] += 1
                if state["calls"] >= COMB_AFTER:
                    comb = state["comb"] = comb_table(neg_a, A_COMB_WIDTH)
            if comb is None:
                computed = double_scalar_mul_vartime(s, k, neg_odd)
            else:
                computed = comb_sum([(s, base_comb(), BASE_WIDTH), (k, comb, A_COMB_WIDTH)])
            return encode_point(computed) == big_r

        return verify

    def x25519_public_key(self, private: bytes) -> bytes:
        # [k]B on the Edwards curve and the birational map u = (1+y)/(1-y) is
        # several times faster than the ladder from u = 9.
        _, y, z, _ = base_mul(_clamp_x25519(private))
        u = (z + y) * pow((z - y) % P, -1, P) % P
        return u.to_bytes(32, "little")

    def x25519(self, private: bytes, peer_public: bytes) -> bytes:
        # RFC 7748 §5: ignore the top bit, accept non-canonical u (reduce mod p).
        u = (int.from_bytes(peer_public, "little") & ((1 << 255) - 1)) % P
        return x25519_ladder(_clamp_x25519(private), u).to_bytes(32, "little")

    def x25519_exchanger(self, private: bytes) -> Exchanger:
        return functools.partial(self.x25519, private)


def _reject(signature: bytes, message: bytes) -> bool:
    return False


BACKEND: EddsaBackend = PureEddsa()
