"""Curve25519 arithmetic in pure Python: the Ed25519 group and the X25519 ladder.

Ed25519 points use extended twisted-Edwards coordinates ``(X, Y, Z, T)`` with
``x = X/Z``, ``y = Y/Z``, ``x*y = T/Z`` (Hisil-Wong-Carter-Dawson 2008, a = -1).
Precomputed points are kept in "Niels" form ``(y+x, y-x, 2*d*x*y)`` (affine) or
"cached" form ``(Y+X, Y-X, 2*d*T, 2*Z)`` (projective), which saves multiplications
in every addition.

- Fixed-base ``[k]B`` (signing, key generation): a radix-256 comb of affine
  multiples of B, so a scalar costs ~32 mixed additions and no doublings.
- ``[s]B + [k]P`` (one-off verification): Straus/Shamir with width-8 NAF
  digits for B (64 precomputed odd multiples) and width-5 NAF digits for P,
  sharing one chain of ~253 doublings.
- ``[s]B + [k]P`` for a key verified often: a comb of P built once (a few
  verifications' worth of work), then ~85 mixed additions, no doublings.
- X25519: the RFC 7748 Montgomery ladder.

Every function here is variable-time: Python integers give no constant-time
guarantee, which is why the compiled backends come first in the registry.
Hot loops are written out inline (no helper calls) because in CPython the
interpreter overhead, not the big-integer arithmetic, dominates.
"""

from __future__ import annotations

__all__ = [
    "BASE",
    "BASE_WIDTH",
    "base_comb",
    "CombTerm",
    "comb_sum",
    "comb_table",
    "D",
    "L",
    "P",
    "Point",
    "base_mul",
    "decode_point",
    "double_scalar_mul_vartime",
    "encode_point",
    "is_canonical_scalar",
    "odd_multiples",
    "x25519_ladder",
]

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
D2 = 2 * D % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
_BY = 4 * pow(5, P - 2, P) % P

Point = tuple[int, int, int, int]
# (y+x, y-x, 2*d*x*y) of an affine point.
Niels = tuple[int, int, int]
# (Y+X, Y-X, 2*d*T, 2*Z) of a projective point.
Cached = tuple[int, int, int, int]


def _recover_x(y: int, sign: int) -> int | None:
    """The x with x^2 = (y^2-1)/(d*y^2+1) and parity ``sign`` (RFC 8032 §5.1.3)."""
    yy = y * y % P
    u = (yy - 1) % P
    v = (D * yy + 1) % P
    v3 = v * v * v % P
    x = u * v3 * pow(u * v3 * v3 * v % P, (P - 5) // 8, P) % P
    vxx = v * x * x % P
    if vxx != u:
        if vxx != P - u:
            return None
        x = x * SQRT_M1 % P
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = P - x
    return x


def decode_point(data: bytes) -> Point | None:
    """Strict RFC 8032 decoding: None for y >= p, a point off the curve or x = 0 with sign 1."""
    n = int.from_bytes(data, "little")
    y = n & ((1 << 255) - 1)
    if y >= P:
        return None
    x = _recover_x(y, n >> 255)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def encode_point(point: Point) -> bytes:
    """The canonical 32-byte encoding (y with the parity of x in the top bit)."""
    x_, y_, z, _ = point
    zi = pow(z, -1, P)
    x = x_ * zi % P
    y = y_ * zi % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def is_canonical_scalar(data: bytes) -> bool:
    """Whether a 32-byte little-endian scalar is below the group order L."""
    return int.from_bytes(data, "little") < L


BASE: Point = (_recover_x(_BY, 0) or 0, _BY, 1, (_recover_x(_BY, 0) or 0) * _BY % P)


def _add(p1: Point, p2: Point) -> Point:
    """Complete addition in extended coordinates (only used to build tables)."""
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = t1 * D2 * t2 % P
    d = z1 * 2 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _to_niels(points: list[Point]) -> list[Niels]:
    """Affine Niels forms of many points with one inversion (Montgomery's trick)."""
    prefix = [1]
    for pt in points:
        prefix.append(prefix[-1] * pt[2] % P)
    inv = pow(prefix[-1], -1, P)
    out: list[Niels] = [(0, 0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z, _ = points[i]
        zi = inv * prefix[i] % P
        inv = inv * z % P
        x = x * zi % P
        y = y * zi % P
        out[i] = ((y + x) % P, (y - x) % P, D2 * x * y % P)
    return out


def odd_multiples(point: Point, count: int) -> list[Cached]:
    """[1]P, [3]P, ... [2*count-1]P in cached form, for a width-w NAF."""
    two = _add(point, point)
    current = point
    out: list[Cached] = []
    for i in range(count):
        if i:
            current = _add(current, two)
        x, y, z, t = current
        out.append(((y + x) % P, (y - x) % P, t * D2 % P, 2 * z % P))
    return out


def comb_table(point: Point, width: int) -> list[list[Niels]]:
    """Rows i = 0..ceil(253/width) of [1..2^(width-1)] * 2^(width*i) * point, affine.

    With signed radix-2^width digits, [k]point is then one mixed addition per
    non-zero digit and no doublings. Costs ~rows * 2^(width-1) additions to build.
    """
    half = 1 << (width - 1)
    rows: list[Point] = []
    row_base = point
    count = -(-253 // width) + 1
    for _ in range(count):
        current = row_base
        for j in range(half):
            rows.append(current)
            if j < half - 1:
                current = _add(current, row_base)
        # 2^width * row_base = 2 * (2^(width-1) * row_base)
        row_base = _add(current, current)
    flat = _to_niels(rows)
    return [flat[i * half : i * half + half] for i in range(count)]


def _signed_digits(k: int, width: int, count: int) -> list[int]:
    """Radix-2^width digits in [-2^(width-1), 2^(width-1)), least significant first."""
    digits = []
    mask = (1 << width) - 1
    half = 1 << (width - 1)
    carry = 0
    for _ in range(count):
        v = (k & mask) + carry
        k >>= width
        carry = (v + half) >> width
        digits.append(v - (carry << width))
    return digits


# Radix 2^8 for B: 33 rows x 128 points (~4,200 points, ~1 MB), so [k]B is ~32
# additions. Built on first use (tens of ms natively): importing stays cheap.
BASE_WIDTH = 8
_base_comb: list[list[Niels]] | None = None
_base_odd: list[Niels] | None = None


def _base_tables() -> tuple[list[list[Niels]], list[Niels]]:
    global _base_comb, _base_odd
    if _base_comb is None or _base_odd is None:
        _base_comb = comb_table(BASE, BASE_WIDTH)
        two = _add(BASE, BASE)
        odd = [BASE]
        for _ in range(63):
            odd.append(_add(odd[-1], two))
        _base_odd = _to_niels(odd)
    return _base_comb, _base_odd


def base_mul(k: int) -> Point:
    """[k]B for any k >= 0: one mixed addition per non-zero radix-256 digit."""
    table, _ = _base_tables()
    return comb_sum([(k % L, table, BASE_WIDTH)])


# (scalar < 2^253, comb table of a point, the table's radix width)
CombTerm = tuple[int, list[list[Niels]], int]


def comb_sum(terms: list[CombTerm]) -> Point:
    """The sum of [k_i]P_i, walking each comb table: mixed additions only."""
    entries: list[Niels] = []
    p = P
    for k, table, width in terms:
        for row, e in zip(table, _signed_digits(k, width, len(table)), strict=True):
            if e > 0:
                entries.append(row[e - 1])
            elif e < 0:
                ypx, ymx, xy2d = row[-e - 1]
                entries.append((ymx, ypx, p - xy2d))
    x, y, z, t = 0, 1, 1, 0
    for ypx, ymx, xy2d in entries:
        a = (y - x) * ymx % p
        b = (y + x) * ypx % p
        c = t * xy2d % p
        d = 2 * z
        e_, f, g, h = b - a, d - c, d + c, b + a
        x, y, z, t = e_ * f % p, g * h % p, f * g % p, e_ * h % p
    return (x, y, z, t)


def base_comb() -> list[list[Niels]]:
    """The radix-256 comb table of B (built on first use)."""
    return _base_tables()[0]


def _naf(k: int, width: int) -> list[int]:
    """Width-w non-adjacent form, least significant digit first."""
    out = []
    full = 1 << width
    half = full >> 1
    while k:
        if k & 1:
            digit = k & (full - 1)
            if digit >= half:
                digit -= full
            k -= digit
        else:
            digit = 0
        out.append(digit)
        k >>= 1
    return out


def double_scalar_mul_vartime(s: int, k: int, point_odd: list[Cached]) -> Point:
    """[s]B + [k]Q where ``point_odd`` is ``odd_multiples(Q, 8)``; s, k < 2^253."""
    _, base_odd = _base_tables()
    ns = _naf(s, 8)
    nk = _naf(k, 5)
    top = max(len(ns), len(nk))
    if top == 0:
        return (0, 1, 1, 0)
    ns += [0] * (top - len(ns))
    nk += [0] * (top - len(nk))
    p = P
    x, y, z, t = 0, 1, 1, 0
    for i in range(top - 1, -1, -1):
        ds = ns[i]
        dk = nk[i]
        # Doubling (dbl-2008-hwcd); T is only needed when an addition follows.
        a = x * x % p
        b = y * y % p
        c = 2 * z * z % p
        h = a + b
        e = (h - (x + y) * (x + y)) % p
        g = a - b
        f = c + g
        x = e * f % p
        y = g * h % p
        z = f * g % p
        if ds:
            t = e * h % p
            if ds > 0:
                ypx, ymx, xy2d = base_odd[ds >> 1]
            else:
                ymx, ypx, xy2d = base_odd[(-ds) >> 1]
                xy2d = p - xy2d
            a = (y - x) * ymx % p
            b = (y + x) * ypx % p
            c = t * xy2d % p
            d = 2 * z
            e, f, g, h = b - a, d - c, d + c, b + a
            x, y, z = e * f % p, g * h % p, f * g % p
        if dk:
            t = e * h % p
            if dk > 0:
                ypx, ymx, t2d, z2 = point_odd[dk >> 1]
            else:
                ymx, ypx, t2d, z2 = point_odd[(-dk) >> 1]
                t2d = p - t2d
            a = (y - x) * ymx % p
            b = (y + x) * ypx % p
            c = t * t2d % p
            d = z * z2 % p
            e, f, g, h = b - a, d - c, d + c, b + a
            x, y, z = e * f % p, g * h % p, f * g % p
    return (x, y, z, e * h % p)


def x25519_ladder(k: int, u: int) -> int:
    """The RFC 7748 §5 Montgomery ladder: the u-coordinate of [k]u (k already clamped)."""
    p = P
    x1 = u
    x2, z2, x3, z3 = 1, 0, u, 1
    swap = 0
    for i in range(254, -1, -1):
        bit = (k >> i) & 1
        if swap ^ bit:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a = x2 + z2
        aa = a * a % p
        b = x2 - z2
        bb = b * b % p
        e = aa - bb
        c = x3 + z3
        d = x3 - z3
        da = d * a % p
        cb = c * b % p
        x3 = (da + cb) * (da + cb) % p
        z3 = x1 * ((da - cb) * (da - cb) % p) % p
        x2 = aa * bb % p
        z2 = e * (aa + 121665 * e) % p
    if swap:
        x2, z2 = x3, z3
    return x2 * pow(z2, -1, p) % p if z2 else 0
