"""AES-256 (FIPS 197) in pure Python: encryption only, as CTR and GCM need.

Speed comes from whole-round tables on 128-bit ints: for each of the 16 state
byte positions, a 256-entry table gives that byte's contribution to the next
state after SubBytes, ShiftRows and MixColumns, so one round is 16 lookups
XORed together with the round key (and a second set of tables for the last
round, which has no MixColumns). The tables (32 x 256 ints, ~0.4 MB) are built
once, at import.

Side channels: table lookups indexed by secret bytes leak through the CPU cache,
and Python's big-int arithmetic is not constant time. This is the best a pure
Python AES can do; prefer a compiled backend where one is available.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ctr_keystream", "encrypt_block", "expand_key"]

Tables = tuple[tuple[int, ...], ...]


def _sbox() -> tuple[int, ...]:
    """The S-box from its definition: inverse in GF(2^8), then the affine map."""
    exp = [0] * 255
    log = [0] * 256
    x = 1
    for i in range(255):
        exp[i] = x
        log[x] = i
        # Multiply by the generator 3: x * 2 (xtime) ^ x.
        x ^= ((x << 1) ^ (0x11B if x & 0x80 else 0)) & 0xFF
    box = []
    for b in range(256):
        inv = 0 if b == 0 else exp[(255 - log[b]) % 255]
        s = inv
        for shift in range(1, 5):
            s ^= ((inv << shift) | (inv >> (8 - shift))) & 0xFF
        box.append(s ^ 0x63)
    return tuple(box)


SBOX = _sbox()


def _xtime(b: int) -> int:
    return ((b << 1) ^ (0x11B if b & 0x80 else 0)) & 0xFF


def _tables() -> tuple[Tables, Tables]:
    """Round tables (with MixColumns) and last-round tables, per input byte position.

    The state is a 128-bit big-endian int of the 16 bytes in FIPS order
    (column-major: byte ``4*c + r`` is row ``r`` of column ``c``).
    """
    # MixColumns matrix row i, column r; multiplying by 3 is xtime(s) ^ s.
    mix = ((2, 3, 1, 1), (1, 2, 3, 1), (1, 1, 2, 3), (3, 1, 1, 2))
    rounds: list[tuple[int, ...]] = []
    last: list[tuple[int, ...]] = []
    for j in range(16):
        c_in, r = divmod(j, 4)
        c_out = (c_in - r) % 4  # ShiftRows moves row r left by r columns
        round_table = []
        last_table = []
        for b in range(256):
            s = SBOX[b]
            times = {1: s, 2: _xtime(s), 3: _xtime(s) ^ s}
            value = 0
            for i in range(4):
                value |= times[mix[i][r]] << (8 * (15 - (4 * c_out + i)))
            round_table.append(value)
            last_table.append(s << (8 * (15 - (4 * c_out + r))))
        rounds.append(tuple(round_table))
        last.append(tuple(last_table))
    return tuple(rounds), tuple(last)


_ROUND, _LAST = _tables()


def expand_key(key: bytes) -> tuple[int, ...]:
    """The 15 round keys of AES-256 as 128-bit ints (FIPS 197 §5.2)."""
    if len(key) != 32:
        raise ValueError("AES-256 needs a 32-byte key")
    words = [int.from_bytes(key[i : i + 4], "big") for i in range(0, 32, 4)]
    rcon = 1
    for i in range(8, 60):
        t = words[i - 1]
        if i % 8 == 0:
            t = ((t << 8) & 0xFFFFFFFF) | (t >> 24)  # RotWord
            t = _sub_word(t) ^ (rcon << 24)
            rcon = _xtime(rcon)
        elif i % 8 == 4:
            t = _sub_word(t)
        words.append(words[i - 8] ^ t)
    return tuple(
        (words[4 * r] << 96)
        | (words[4 * r + 1] << 64)
        | (words[4 * r + 2] << 32)
        | words[4 * r + 3]
        for r in range(15)
    )


def _sub_word(w: int) -> int:
    return (
        (SBOX[w >> 24] << 24)
        | (SBOX[(w >> 16) & 0xFF] << 16)
        | (SBOX[(w >> 8) & 0xFF] << 8)
        | SBOX[w & 0xFF]
    )


def ctr_keystream(round_keys: Sequence[int], prefix: int, first: int, count: int) -> bytes:
    """``count`` blocks of E(K, prefix || ctr32) for ctr = first, first+1, ... (wrapping).

    ``prefix`` is the 96-bit nonce already shifted left by 32 bits.
    """
    t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15 = _ROUND
    f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15 = _LAST
    middle = round_keys[2:14]
    k_last = round_keys[14]
    # The counter sits in the low 32 bits (bytes 12-15), where the prefix is
    # zero: after the first AddRoundKey, bytes 0-11 are the same for every
    # block, so their 12 first-round lookups are done once per call.
    base = prefix ^ round_keys[0]
    h = base.to_bytes(16, "big")
    fixed = (
        t0[h[0]]
        ^ t1[h[1]]
        ^ t2[h[2]]
        ^ t3[h[3]]
        ^ t4[h[4]]
        ^ t5[h[5]]
        ^ t6[h[6]]
        ^ t7[h[7]]
        ^ t8[h[8]]
        ^ t9[h[9]]
        ^ t10[h[10]]
        ^ t11[h[11]]
        ^ round_keys[1]
    )
    low = base & 0xFFFFFFFF
    out = []
    for n in range(first, first + count):
        x = low ^ (n & 0xFFFFFFFF)
        b = (
            fixed ^ t12[x >> 24] ^ t13[(x >> 16) & 0xFF] ^ t14[(x >> 8) & 0xFF] ^ t15[x & 0xFF]
        ).to_bytes(16, "big")
        for k in middle:
            b = (
                t0[b[0]]
                ^ t1[b[1]]
                ^ t2[b[2]]
                ^ t3[b[3]]
                ^ t4[b[4]]
                ^ t5[b[5]]
                ^ t6[b[6]]
                ^ t7[b[7]]
                ^ t8[b[8]]
                ^ t9[b[9]]
                ^ t10[b[10]]
                ^ t11[b[11]]
                ^ t12[b[12]]
                ^ t13[b[13]]
                ^ t14[b[14]]
                ^ t15[b[15]]
                ^ k
            ).to_bytes(16, "big")
        out.append(
            (
                f0[b[0]]
                ^ f1[b[1]]
                ^ f2[b[2]]
                ^ f3[b[3]]
                ^ f4[b[4]]
                ^ f5[b[5]]
                ^ f6[b[6]]
                ^ f7[b[7]]
                ^ f8[b[8]]
                ^ f9[b[9]]
                ^ f10[b[10]]
                ^ f11[b[11]]
                ^ f12[b[12]]
                ^ f13[b[13]]
                ^ f14[b[14]]
                ^ f15[b[15]]
                ^ k_last
            ).to_bytes(16, "big")
        )
    return b"".join(out)


def encrypt_block(round_keys: Sequence[int], block: bytes) -> bytes:
    """One AES block encryption (used for GCM's hash key H = E(K, 0^128))."""
    value = int.from_bytes(block, "big")
    return ctr_keystream(round_keys, (value >> 32) << 32, value & 0xFFFFFFFF, 1)
