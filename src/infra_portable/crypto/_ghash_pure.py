"""GHASH (NIST SP 800-38D §6.4) in pure Python, with per-key 8-bit tables.

Multiplying by the hash key H is linear over GF(2), so for each of the 16 byte
positions of the input block a 256-entry table holds ``(byte at that position)
* H``, already reduced. One multiplication is then 16 lookups XORed together,
with no per-bit loop and no reduction step (Shoup's method, taken to whole
bytes). The tables cost 4096 XORs and ~0.2 MB per key, built once per key.

Side channels: lookups indexed by secret-dependent bytes leak through the CPU
cache; pure Python cannot avoid that.
"""

from __future__ import annotations

__all__ = ["GhashKey"]

# x^128 + x^7 + x^2 + x + 1 in GCM's reflected bit order.
_R = 0xE1 << 120


class GhashKey:
    """GHASH under one hash key H (a 128-bit int, first block bit as the top bit)."""

    __slots__ = ("_tables",)

    def __init__(self, h: int) -> None:
        # powers[i] = H * x^i: the contribution of input bit i (bit 0 = top bit).
        powers = []
        v = h
        for _ in range(128):
            powers.append(v)
            v = (v >> 1) ^ _R if v & 1 else v >> 1
        tables = []
        for j in range(16):
            # Byte value bit 0x80 is input bit 8j, bit 0x01 is input bit 8j + 7.
            basis = {1 << (7 - k): powers[8 * j + k] for k in range(8)}
            table = [0] * 256
            for b in range(1, 256):
                low = b & -b
                table[b] = table[b ^ low] ^ basis[low]
            tables.append(tuple(table))
        self._tables = tuple(tables)

    def digest(self, aad: bytes, ciphertext: bytes) -> int:
        """GHASH_H(A || pad || C || pad || len64(A) || len64(C)) as a 128-bit int."""
        m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15 = self._tables
        lengths = ((len(aad) * 8) << 64) | (len(ciphertext) * 8)
        from_bytes = int.from_bytes
        y = 0
        for part in (aad, ciphertext):
            data = part + bytes(-len(part) % 16) if len(part) % 16 else part
            for i in range(0, len(data), 16):
                b = (y ^ from_bytes(data[i : i + 16], "big")).to_bytes(16, "big")
                y = (
                    m0[b[0]]
                    ^ m1[b[1]]
                    ^ m2[b[2]]
                    ^ m3[b[3]]
                    ^ m4[b[4]]
                    ^ m5[b[5]]
                    ^ m6[b[6]]
                    ^ m7[b[7]]
                    ^ m8[b[8]]
                    ^ m9[b[9]]
                    ^ m10[b[10]]
                    ^ m11[b[11]]
                    ^ m12[b[12]]
                    ^ m13[b[13]]
                    ^ m14[b[14]]
                    ^ m15[b[15]]
                )
        b = (y ^ lengths).to_bytes(16, "big")
        return (
            m0[b[0]]
            ^ m1[b[1]]
            ^ m2[b[2]]
            ^ m3[b[3]]
            ^ m4[b[4]]
            ^ m5[b[5]]
            ^ m6[b[6]]
            ^ m7[b[7]]
            ^ m8[b[8]]
            ^ m9[b[9]]
            ^ m10[b[10]]
            ^ m11[b[11]]
            ^ m12[b[12]]
            ^ m13[b[13]]
            ^ m14[b[14]]
            ^ m15[b[15]]
        )
