"""ChaCha20 and Poly1305 (RFC 8439) in pure Python.

ChaCha20 computes up to 64 blocks at once: each state word is a big int with
one 64-bit lane per block, so the quarter rounds (written out as straight-line
code) cost about the same for one block as for a kilobyte. Poly1305 uses
Python's big ints directly: one add, multiply and reduction per 16 bytes.

Side channels: ChaCha20 has no secret-indexed lookups, but Python's int
arithmetic is not constant time, and neither is Poly1305's big-int reduction.
Tags are compared with ``hmac.compare_digest``.
"""

from __future__ import annotations

import functools
import itertools
import struct

__all__ = [
    "chacha20_block",
    "chacha20_xor",
    "key_words",
    "keystream",
    "nonce_words",
    "poly1305",
    "xor",
]

_M = 0xFFFFFFFF
_P1305 = (1 << 130) - 5
_CLAMP = 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF
_CONSTANTS = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)
# Blocks computed together; bigger batches amortise the interpreter's per-op cost
# further but grow the ints each op touches.
_BATCH = 64
_LANE_ONES = [sum(1 << (64 * i) for i in range(n)) for n in range(_BATCH + 1)]
_KEY_WORDS = struct.Struct("<8I")
_NONCE_WORDS = struct.Struct("<3I")


@functools.cache
def _lanes_struct(count: int) -> struct.Struct:
    return struct.Struct(f"<{count}Q")


def _blocks(
    key_words: tuple[int, ...], counter: int, nonce_words: tuple[int, ...], count: int
) -> bytes:
    """``count`` consecutive 64-byte ChaCha20 blocks (RFC 8439 §2.3), all at once.

    Each of the 16 state words is one big int holding that word of every block
    in its own 64-bit lane, so each add, XOR and rotate below works on all the
    blocks together (SIMD within a Python int). The lanes keep 32 bits: the
    mask after each step drops carries and the bits a rotation pushes past 32,
    and the 32 spare bits absorb shifts before the mask.
    """
    lanes = _LANE_ONES[count]
    mask = lanes * _M
    counters = int.from_bytes(
        _lanes_struct(count).pack(*[(counter + i) & _M for i in range(count)]), "little"
    )
    init = (
        *(w * lanes for w in _CONSTANTS),
        *(w * lanes for w in key_words),
        counters,
        *(w * lanes for w in nonce_words),
    )
    x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15 = init
    for _ in range(10):
        # Column rounds.
        x0 = (x0 + x4) & mask
        x12 = (((t := x12 ^ x0) << 16) | (t >> 16)) & mask
        x8 = (x8 + x12) & mask
        x4 = (((t := x4 ^ x8) << 12) | (t >> 20)) & mask
        x0 = (x0 + x4) & mask
        x12 = (((t := x12 ^ x0) << 8) | (t >> 24)) & mask
        x8 = (x8 + x12) & mask
        x4 = (((t := x4 ^ x8) << 7) | (t >> 25)) & mask
        x1 = (x1 + x5) & mask
        x13 = (((t := x13 ^ x1) << 16) | (t >> 16)) & mask
        x9 = (x9 + x13) & mask
        x5 = (((t := x5 ^ x9) << 12) | (t >> 20)) & mask
        x1 = (x1 + x5) & mask
        x13 = (((t := x13 ^ x1) << 8) | (t >> 24)) & mask
        x9 = (x9 + x13) & mask
        x5 = (((t := x5 ^ x9) << 7) | (t >> 25)) & mask
        x2 = (x2 + x6) & mask
        x14 = (((t := x14 ^ x2) << 16) | (t >> 16)) & mask
        x10 = (x10 + x14) & mask
        x6 = (((t := x6 ^ x10) << 12) | (t >> 20)) & mask
        x2 = (x2 + x6) & mask
        x14 = (((t := x14 ^ x2) << 8) | (t >> 24)) & mask
        x10 = (x10 + x14) & mask
        x6 = (((t := x6 ^ x10) << 7) | (t >> 25)) & mask
        x3 = (x3 + x7) & mask
        x15 = (((t := x15 ^ x3) << 16) | (t >> 16)) & mask
        x11 = (x11 + x15) & mask
        x7 = (((t := x7 ^ x11) << 12) | (t >> 20)) & mask
        x3 = (x3 + x7) & mask
        x15 = (((t := x15 ^ x3) << 8) | (t >> 24)) & mask
        x11 = (x11 + x15) & mask
        x7 = (((t := x7 ^ x11) << 7) | (t >> 25)) & mask
        # Diagonal rounds.
        x0 = (x0 + x5) & mask
        x15 = (((t := x15 ^ x0) << 16) | (t >> 16)) & mask
        x10 = (x10 + x15) & mask
        x5 = (((t := x5 ^ x10) << 12) | (t >> 20)) & mask
        x0 = (x0 + x5) & mask
        x15 = (((t := x15 ^ x0) << 8) | (t >> 24)) & mask
        x10 = (x10 + x15) & mask
        x5 = (((t := x5 ^ x10) << 7) | (t >> 25)) & mask
        x1 = (x1 + x6) & mask
        x12 = (((t := x12 ^ x1) << 16) | (t >> 16)) & mask
        x11 = (x11 + x12) & mask
        x6 = (((t := x6 ^ x11) << 12) | (t >> 20)) & mask
        x1 = (x1 + x6) & mask
        x12 = (((t := x12 ^ x1) << 8) | (t >> 24)) & mask
        x11 = (x11 + x12) & mask
        x6 = (((t := x6 ^ x11) << 7) | (t >> 25)) & mask
        x2 = (x2 + x7) & mask
        x13 = (((t := x13 ^ x2) << 16) | (t >> 16)) & mask
        x8 = (x8 + x13) & mask
        x7 = (((t := x7 ^ x8) << 12) | (t >> 20)) & mask
        x2 = (x2 + x7) & mask
        x13 = (((t := x13 ^ x2) << 8) | (t >> 24)) & mask
        x8 = (x8 + x13) & mask
        x7 = (((t := x7 ^ x8) << 7) | (t >> 25)) & mask
        x3 = (x3 + x4) & mask
        x14 = (((t := x14 ^ x3) << 16) | (t >> 16)) & mask
        x9 = (x9 + x14) & mask
        x4 = (((t := x4 ^ x9) << 12) | (t >> 20)) & mask
        x3 = (x3 + x4) & mask
        x14 = (((t := x14 ^ x3) << 8) | (t >> 24)) & mask
        x9 = (x9 + x14) & mask
        x4 = (((t := x4 ^ x9) << 7) | (t >> 25)) & mask
    final = (x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15)
    unpack = _lanes_struct(count).unpack
    size = 8 * count
    columns = [
        unpack(((a + b) & mask).to_bytes(size, "little")) for a, b in zip(final, init, strict=True)
    ]
    # columns[w][i] is word w of block i; the keystream is block 0's words, then block 1's...
    return struct.pack(
        f"<{16 * count}I", *itertools.chain.from_iterable(zip(*columns, strict=True))
    )


def chacha20_block(key_words: tuple[int, ...], counter: int, nonce_words: tuple[int, ...]) -> bytes:
    """One 64-byte ChaCha20 block (RFC 8439 §2.3)."""
    return _blocks(key_words, counter, nonce_words, 1)


def key_words(key: bytes) -> tuple[int, ...]:
    """The 32-byte key as eight little-endian words."""
    return _KEY_WORDS.unpack(key)


def nonce_words(nonce: bytes) -> tuple[int, ...]:
    """The 12-byte nonce as three little-endian words."""
    return _NONCE_WORDS.unpack(nonce)


def keystream(
    key_words: tuple[int, ...], counter: int, nonce_words: tuple[int, ...], blocks: int
) -> bytes:
    """``blocks`` 64-byte keystream blocks starting at block ``counter``."""
    return b"".join(
        _blocks(key_words, counter + first, nonce_words, min(_BATCH, blocks - first))
        for first in range(0, blocks, _BATCH)
    )


def xor(data: bytes, stream: bytes) -> bytes:
    """``data`` XOR the first ``len(data)`` bytes of ``stream``."""
    size = len(data)
    if not size:
        return b""
    mixed = int.from_bytes(data, "little") ^ int.from_bytes(stream[:size], "little")
    return mixed.to_bytes(size, "little")


def chacha20_xor(
    key_words: tuple[int, ...], counter: int, nonce_words: tuple[int, ...], data: bytes
) -> bytes:
    """``data`` XOR the ChaCha20 keystream starting at block ``counter`` (§2.4)."""
    return xor(data, keystream(key_words, counter, nonce_words, (len(data) + 63) // 64))


def poly1305(one_time_key: bytes, message: bytes) -> bytes:
    """The Poly1305 tag of ``message`` (§2.5); ``message`` is a multiple of 16 bytes."""
    r = int.from_bytes(one_time_key[:16], "little") & _CLAMP
    s = int.from_bytes(one_time_key[16:32], "little")
    acc = 0
    from_bytes = int.from_bytes
    # Every block is full (the AEAD construction pads), so the 2^128 "one" bit
    # is the same for all of them.
    high = 1 << 128
    for i in range(0, len(message), 16):
        acc = (acc + from_bytes(message[i : i + 16], "little") + high) * r % _P1305
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, "little")
