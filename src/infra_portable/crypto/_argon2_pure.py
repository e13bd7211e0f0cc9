"""Argon2id (RFC 9106, version 0x13) in pure Python: works in every runtime.

The ``p`` lanes are computed one after another (Pyodide and WASI have no
threads); the result is the same as a parallel run because, within one slice,
a lane only reads blocks of other lanes' finished slices.

Speed is the price. The compression function G is generated once as straight-
line code over 128 local 64-bit integers (the BlaMka rounds fully unrolled,
constants inlined), blocks are plain lists of ints and the reference-index
arithmetic is hoisted out of the block loop. Measured on CPython 3.11 (x86-64,
CPU time of one core, 2026-11): ~4,000 blocks/s, so the RFC 9106 test vector
(m=32 KiB, t=3, p=4) takes ~24 ms, m=64 KiB with t=1 ~15 ms (68 hashes/s), and
OWASP's defaults (m=19 MiB, t=2, p=1) ~9.4 s and ~125 MB of Python ints (peak
RSS growth); argon2-cffi takes ~23 ms for the latter. WASI and Pyodide run it
roughly 4-6x slower still, so use small parameters there (to derive a key, say)
and a native backend for login-grade hashing.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from operator import xor

from infra_portable.crypto._argon2_base import Argon2Backend

__all__ = ["BACKEND", "PureArgon2", "blake2b_long"]

_VERSION = 0x13
_ARGON2ID = 2
_WORDS = 128  # 64-bit words in one 1 KiB block
_SYNC_POINTS = 4

Block = list[int]


def blake2b_long(data: bytes, out_len: int) -> bytes:
    """H' of RFC 9106 §3.3: BLAKE2b stretched to ``out_len`` bytes."""
    prefixed = struct.pack("<I", out_len) + data
    if out_len <= 64:
        return hashlib.blake2b(prefixed, digest_size=out_len).digest()
    v = hashlib.blake2b(prefixed).digest()
    out = [v[:32]]
    # r = ceil(out_len/32) - 2 full 64-byte hashes each give their first half,
    # then one last hash gives the remaining out_len - 32r bytes.
    for _ in range((out_len + 31) // 32 - 3):
        v = hashlib.blake2b(v).digest()
        out.append(v[:32])
    out.append(hashlib.blake2b(v, digest_size=out_len - 32 * len(out)).digest())
    return b"".join(out)


def _gb_source(a: str, b: str, c: str, d: str) -> list[str]:
    """One BlaMka G: like BLAKE2b's G, with a + b + 2*lo32(a)*lo32(b) for a + b."""
    m32, m64 = "0xFFFFFFFF", "0xFFFFFFFFFFFFFFFF"
    lines = []
    for x, y, z, w, rot in ((a, b, d, c, 32), (c, d, b, a, 24), (a, b, d, c, 16), (c, d, b, a, 63)):
        lines.append(f"{x} = ({x} + {y} + (({x} & {m32}) * ({y} & {m32}) << 1)) & {m64}")
        lines.append(f"t = {z} ^ {x}")
        if rot == 63:  # rotr by 63 is rotl by 1
            lines.append(f"{z} = ((t << 1) & {m64}) | (t >> 63)")
        else:
            lines.append(f"{z} = (t >> {rot}) | ((t & {(1 << rot) - 1:#x}) << {64 - rot})")
        del w
    return lines


def _round_source(v: list[str]) -> list[str]:
    """The permutation P over 16 words (8 registers of 2 words)."""
    lines: list[str] = []
    for a, b, c, d in (
        (0, 4, 8, 12),
        (1, 5, 9, 13),
        (2, 6, 10, 14),
        (3, 7, 11, 15),
        (0, 5, 10, 15),
        (1, 6, 11, 12),
        (2, 7, 8, 13),
        (3, 4, 9, 14),
    ):
        lines += _gb_source(v[a], v[b], v[c], v[d])
    return lines


def _build_compress() -> Callable[[Block, Block], Block]:
    """G(X, Y) of RFC 9106 §3.5, as generated straight-line Python.

    Written out by hand this would be ~1,500 lines; generating it keeps the
    algorithm readable and still gives the interpreter one flat function with
    only local variables and constants, which is what makes it fast.
    """
    names = [f"v{i}" for i in range(_WORDS)]
    body = ["r = list(map(xor, x, y))", f"{', '.join(names)} = r"]
    for row in range(8):  # rows: 16 consecutive words
        body += _round_source(names[16 * row : 16 * row + 16])
    for col in range(8):  # columns: words 2c, 2c+1, 2c+16, 2c+17, ..., 2c+113
        body += _round_source([names[2 * col + 16 * k + j] for k in range(8) for j in (0, 1)])
    body.append(f"return list(map(xor, ({', '.join(names)},), r))")
    source = "def compress(x, y):\n" + "".join(f"    {line}\n" for line in body)
    namespace: dict[str, object] = {"xor": xor}
    exec(compile(source, "<argon2 compress>", "exec"), namespace)
    compress: Callable[[Block, Block], Block] = namespace["compress"]  # type: ignore[assignment]
    return compress


_compress = _build_compress()
_ZERO_BLOCK: Block = [0] * _WORDS


def _to_block(data: bytes) -> Block:
    return list(struct.unpack(f"<{_WORDS}Q", data))


def _address_blocks(
    pass_: int, lane: int, slice_: int, memory: int, passes: int, count: int
) -> list[int]:
    """The pseudo-random words of data-independent addressing (RFC 9106 §3.4.1.2)."""
    words: list[int] = []
    for counter in range(1, count + 1):
        z = [pass_, lane, slice_, memory, passes, _ARGON2ID, counter] + [0] * (_WORDS - 7)
        words += _compress(_ZERO_BLOCK, _compress(_ZERO_BLOCK, z))
    return words


class PureArgon2:
    """Argon2id in pure Python (see the module docstring for speed)."""

    name = "pure"

    def argon2id(
        self,
        password: bytes,
        salt: bytes,
        *,
        time_cost: int,
        memory_cost_kib: int,
        parallelism: int,
        hash_len: int,
        secret: bytes = b"",
        associated_data: bytes = b"",
    ) -> bytes:
        lanes = parallelism
        h0 = hashlib.blake2b(
            struct.pack("<6I", lanes, hash_len, memory_cost_kib, time_cost, _VERSION, _ARGON2ID)
            + b"".join(
                struct.pack("<I", len(f)) + f for f in (password, salt, secret, associated_data)
            )
        ).digest()
        segment = memory_cost_kib // (_SYNC_POINTS * lanes)
        lane_len = segment * _SYNC_POINTS
        blocks = lane_len * lanes
        memory: list[Block] = [_ZERO_BLOCK] * blocks
        for lane in range(lanes):
            for j in (0, 1):
                memory[lane * lane_len + j] = _to_block(
                    blake2b_long(h0 + struct.pack("<II", j, lane), 1024)
                )
        for pass_ in range(time_cost):
            for slice_ in range(_SYNC_POINTS):
                for lane in range(lanes):
                    self._fill_segment(
                        memory, pass_, slice_, lane, lanes, lane_len, segment, blocks, time_cost
                    )
        final = memory[lane_len - 1]
        for lane in range(1, lanes):
            final = list(map(xor, final, memory[lane * lane_len + lane_len - 1]))
        return blake2b_long(struct.pack(f"<{_WORDS}Q", *final), hash_len)

    @staticmethod
    def _fill_segment(
        memory: list[Block],
        pass_: int,
        slice_: int,
        lane: int,
        lanes: int,
        lane_len: int,
        segment: int,
        blocks: int,
        passes: int,
    ) -> None:
        compress = _compress
        start = 2 if pass_ == 0 and slice_ == 0 else 0
        independent = pass_ == 0 and slice_ < 2
        if independent:
            count = (segment + _WORDS - 1) // _WORDS
            addresses = _address_blocks(pass_, lane, slice_, blocks, passes, count)
        lane_base = lane * lane_len
        # The window of reference candidates: its size grows by one per block of
        # this segment, and in later passes it starts just after this segment.
        if pass_ == 0:
            same_area = slice_ * segment - 1
            other_area = slice_ * segment
            window_start = 0
        else:
            same_area = lane_len - segment - 1
            other_area = lane_len - segment
            window_start = 0 if slice_ == 3 else (slice_ + 1) * segment
        first_slice = pass_ == 0 and slice_ == 0
        cur = lane_base + slice_ * segment + start
        prev = cur - 1 if cur % lane_len else cur + lane_len - 1
        for i in range(start, segment):
            rand = addresses[i] if independent else memory[prev][0]
            ref_lane = lane if first_slice else (rand >> 32) % lanes
            area = same_area + i if ref_lane == lane else other_area - (i == 0)
            j1 = rand & 0xFFFFFFFF
            rel = area - 1 - ((area * ((j1 * j1) >> 32)) >> 32)
            ref = ref_lane * lane_len + (window_start + rel) % lane_len
            if pass_ == 0:
                memory[cur] = compress(memory[prev], memory[ref])
            else:
                memory[cur] = list(map(xor, compress(memory[prev], memory[ref]), memory[cur]))
            prev = cur
            cur += 1


BACKEND = PureArgon2()
_: Argon2Backend = BACKEND
