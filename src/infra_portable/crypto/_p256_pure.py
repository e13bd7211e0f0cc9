"""NIST P-256 arithmetic and ECDSA with SHA-256 in pure Python.

Points are Jacobian ``(X, Y, Z)`` (``x = X/Z², y = Y/Z³``; ``Z == 0`` is the point
at infinity) so a multiplication needs one field inversion, not one per step.
The base point uses a comb table (``j·16^i·G`` for every 4-bit window, built on
first use), so ``k·G`` is 64 mixed additions and no doublings; verification uses
Straus-Shamir interleaving of ``u1·G + u2·Q`` with 4-bit windows.

Signing uses RFC 6979 deterministic nonces, so this backend's signatures are
reproducible and match the RFC's vectors. ``s`` is *not* normalised to the low
half: JOSE (RFC 7518 §3.4) and X9.62 accept either, and normalising would break
the RFC 6979 vectors; verifiers here accept both. Python integers are not
constant-time: this backend is for runtimes without a native one.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = [
    "N",
    "P",
    "decompress",
    "ecdsa_sign",
    "ecdsa_verify",
    "on_curve",
    "public_point",
]

P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5

Jacobian = tuple[int, int, int]
Affine = tuple[int, int]
_INFINITY: Jacobian = (1, 1, 0)
_WINDOW = 4
_WINDOWS = 256 // _WINDOW

_base_table: list[list[Affine]] | None = None


def on_curve(x: int, y: int) -> bool:
    """Whether (x, y) is a point of P-256 with coordinates in [0, p)."""
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x - 3 * x + B)) % P == 0


def decompress(x: int, odd: bool) -> int | None:
    """The y with parity ``odd`` for x, or None when x is not on the curve."""
    if not 0 <= x < P:
        return None
    rhs = (x * x * x - 3 * x + B) % P
    y = pow(rhs, (P + 1) // 4, P)  # p ≡ 3 (mod 4): one exponentiation gives the root
    if y * y % P != rhs:
        return None
    return P - y if (y & 1) != odd and y else y


def _double(pt: Jacobian) -> Jacobian:
    x1, y1, z1 = pt
    if z1 == 0 or y1 == 0:
        return _INFINITY
    # dbl-2001-b for a = -3.
    delta = z1 * z1 % P
    gamma = y1 * y1 % P
    beta = x1 * gamma % P
    alpha = 3 * (x1 - delta) * (x1 + delta) % P
    x3 = (alpha * alpha - 8 * beta) % P
    z3 = ((y1 + z1) ** 2 - gamma - delta) % P
    y3 = (alpha * (4 * beta - x3) - 8 * gamma * gamma) % P
    return x3, y3, z3


def _add_affine(pt: Jacobian, x2: int, y2: int) -> Jacobian:
    x1, y1, z1 = pt
    if z1 == 0:
        return x2, y2, 1
    # madd-2007-bl.
    z1z1 = z1 * z1 % P
    u2 = x2 * z1z1 % P
    s2 = y2 * z1 * z1z1 % P
    h = (u2 - x1) % P
    r = 2 * (s2 - y1) % P
    if h == 0:
        return _double(pt) if r == 0 else _INFINITY
    hh = h * h % P
    i = 4 * hh
    j = h * i % P
    v = x1 * i % P
    x3 = (r * r - j - 2 * v) % P
    y3 = (r * (v - x3) - 2 * y1 * j) % P
    z3 = ((z1 + h) ** 2 - z1z1 - hh) % P
    return x3, y3, z3


def _to_affine(pt: Jacobian) -> Affine | None:
    x, y, z = pt
    if z == 0:
        return None
    zi = pow(z, -1, P)
    zi2 = zi * zi % P
    return x * zi2 % P, y * zi2 * zi % P


def _batch_affine(points: list[Jacobian]) -> list[Affine]:
    """Affine forms of finite points with one inversion in all (Montgomery's trick)."""
    prefix = [1]
    for _, _, z in points:
        prefix.append(prefix[-1] * z % P)
    inverse = pow(prefix[-1], -1, P)
    out: list[Affine] = [(0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z = points[i]
        zi = inverse * prefix[i] % P
        inverse = inverse * z % P
        zi2 = zi * zi % P
        out[i] = (x * zi2 % P, y * zi2 * zi % P)
    return out


def _multiples_jacobian(x: int, y: int) -> list[Jacobian]:
    """[1·Q, 2·Q, ..., 15·Q]; none is infinity since the group order is a large prime."""
    out: list[Jacobian] = [(x, y, 1)]
    for _ in range((1 << _WINDOW) - 2):
        out.append(_add_affine(out[-1], x, y))
    return out


def _multiples(x: int, y: int) -> list[Affine]:
    return _batch_affine(_multiples_jacobian(x, y))


def _table() -> list[list[Affine]]:
    """Comb rows: row i holds j·16^i·G for j = 1..15 (built once, on first use)."""
    global _base_table
    if _base_table is None:
        rows: list[Jacobian] = []
        x, y = GX, GY
        for _ in range(_WINDOWS):
            rows += _multiples_jacobian(x, y)
            affine = _to_affine(_double(_double(_double(_double((x, y, 1))))))
            assert affine is not None
            x, y = affine
        flat = _batch_affine(rows)
        size = (1 << _WINDOW) - 1
        _base_table = [flat[i : i + size] for i in range(0, len(flat), size)]
    return _base_table


def _mul_base(k: int) -> Jacobian:
    acc = _INFINITY
    for row in _table():
        digit = k & 0xF
        if digit:
            acc = _add_affine(acc, *row[digit - 1])
        k >>= _WINDOW
    return acc


def public_point(d: int) -> Affine:
    """d·G for a private scalar 1 <= d < n."""
    affine = _to_affine(_mul_base(d))
    assert affine is not None  # d is in [1, n)
    return affine


def _hash_int(message: bytes) -> int:
    # bits2int for a 256-bit hash and a 256-bit order is just the integer.
    return int.from_bytes(hashlib.sha256(message).digest(), "big")


def ecdsa_sign(d: int, message: bytes) -> tuple[int, int]:
    """(r, s) for SHA-256(message) with the RFC 6979 nonce."""
    e = _hash_int(message)
    x_octets = d.to_bytes(32, "big")
    h_octets = (e % N).to_bytes(32, "big")
    v = b"\x01" * 32
    key = b"\x00" * 32
    key = hmac.digest(key, v + b"\x00" + x_octets + h_octets, "sha256")
    v = hmac.digest(key, v, "sha256")
    key = hmac.digest(key, v + b"\x01" + x_octets + h_octets, "sha256")
    v = hmac.digest(key, v, "sha256")
    while True:
        v = hmac.digest(key, v, "sha256")
        k = int.from_bytes(v, "big")
        if 1 <= k < N:
            point = _to_affine(_mul_base(k))
            assert point is not None
            r = point[0] % N
            s = pow(k, -1, N) * (e + r * d) % N
            if r and s:
                return r, s
        key = hmac.digest(key, v + b"\x00", "sha256")
        v = hmac.digest(key, v, "sha256")


def ecdsa_verify(x: int, y: int, r: int, s: int, message: bytes) -> bool:
    """Whether (r, s) signs SHA-256(message) for the public point (x, y)."""
    if not (1 <= r < N and 1 <= s < N):
        return False
    w = pow(s, -1, N)
    u1 = _hash_int(message) * w % N
    u2 = r * w % N
    g_row = _table()[0]
    q_row = _multiples(x, y)
    acc = _INFINITY
    for shift in range(256 - _WINDOW, -1, -_WINDOW):
        for _ in range(_WINDOW):
            acc = _double(acc)
        digit = (u1 >> shift) & 0xF
        if digit:
            acc = _add_affine(acc, *g_row[digit - 1])
        digit = (u2 >> shift) & 0xF
        if digit:
            acc = _add_affine(acc, *q_row[digit - 1])
    point = _to_affine(acc)
    return point is not None and point[0] % N == r
