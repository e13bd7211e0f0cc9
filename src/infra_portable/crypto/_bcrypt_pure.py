"""bcrypt (OpenBSD's EksBlowfish) in pure Python, for verifying legacy hashes in every runtime.

Blowfish starts from the hexadecimal digits of pi (18 subkeys and four
256-entry S-boxes, 1,042 words). Rather than carry that table, it is computed
once, on first use, with Machin's formula on Python integers (~75 ms natively)
and checked against the table's first and last words.

Measured on CPython 3.11 (x86-64, CPU time): cost 4 takes ~0.1 s (the bcrypt
package: ~1.1 ms) and each extra cost step doubles it, so cost 10 (a common
default) takes ~6.5 s, and WASI or Pyodide roughly 4-6x that. That is
acceptable for migrating a few logins to Argon2id; install the ``bcrypt``
package natively for more.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from functools import cache

from infra_portable.crypto._bcrypt_base import CHECKSUM_LEN, MAX_PASSWORD_LEN, BcryptBackend

__all__ = ["BACKEND", "PureBcrypt", "blowfish_initial_state"]

_M32 = 0xFFFFFFFF
_WORDS = 18 + 4 * 256
_MAGIC = struct.unpack(">6I", b"OrpheanBeholderScryDoubt")


@cache
def blowfish_initial_state() -> tuple[int, ...]:
    """P1..P18 then S1..S4: the first 1,042 32-bit words of pi's fractional part."""
    bits = 32 * _WORDS + 64  # 64 guard bits absorb the series' rounding errors
    one = 1 << bits

    def arctan_inverse(x: int) -> int:  # arctan(1/x) in fixed point
        term = one // x
        total, n, sign, x2 = term, 1, -1, x * x
        while term:
            term //= x2
            n += 2
            total += sign * (term // n)
            sign = -sign
        return total

    fraction = (16 * arctan_inverse(5) - 4 * arctan_inverse(239) - 3 * one) >> 64
    words = tuple((fraction >> (32 * (_WORDS - 1 - i))) & _M32 for i in range(_WORDS))
    if words[0] != 0x243F6A88 or words[-1] != 0x3AC372E6:  # pragma: no cover - arithmetic guard
        raise AssertionError("pi digits for Blowfish are wrong")
    return words


def _words(data: bytes, count: int) -> list[int]:
    """``count`` big-endian words read cyclically from ``data`` (Blowfish's stream2word)."""
    repeated = data * (4 * count // len(data) + 1)
    return list(struct.unpack(f">{count}I", repeated[: 4 * count]))


def _encipher(
    left: int, right: int, p: list[int], s0: list[int], s1: list[int], s2: list[int], s3: list[int]
) -> tuple[int, int]:
    """One Blowfish block: 16 Feistel rounds, two per iteration so no swaps are needed."""
    for j in range(0, 16, 2):
        left ^= p[j]
        right ^= (
            (((s0[left >> 24] + s1[(left >> 16) & 0xFF]) & _M32) ^ s2[(left >> 8) & 0xFF])
            + s3[left & 0xFF]
        ) & _M32
        right ^= p[j + 1]
        left ^= (
            (((s0[right >> 24] + s1[(right >> 16) & 0xFF]) & _M32) ^ s2[(right >> 8) & 0xFF])
            + s3[right & 0xFF]
        ) & _M32
    return right ^ p[17], left ^ p[16]


def _build_fill_boxes() -> Callable[..., tuple[int, int]]:
    """The S-box half of the key expansion (512 of its 521 encryptions), generated.

    P is constant while the S-boxes are rewritten, so its 18 words become local
    variables and the 16 rounds are written out: about twice as fast as
    :func:`_encipher` in a loop. The salt words alternate (2, 3), (0, 1) here
    because the S-boxes start at word 18 of the key stream.
    """

    def rounds(indent: str) -> str:
        lines = []
        for j in range(0, 16, 2):
            for a, b, pj in (("left", "right", j), ("right", "left", j + 1)):
                lines.append(f"{a} ^= p{pj}")
                lines.append(
                    f"{b} ^= ((((s0[{a} >> 24] + s1[({a} >> 16) & 255]) & {_M32}) "
                    f"^ s2[({a} >> 8) & 255]) + s3[{a} & 255]) & {_M32}"
                )
        lines.append("left, right = right ^ p17, left ^ p16")
        return "".join(f"{indent}{line}\n" for line in lines)

    pad = " " * 12
    source = (
        "def fill_boxes(p, s0, s1, s2, s3, salt, left, right):\n"
        f"    {', '.join(f'p{i}' for i in range(18))} = p\n"
        "    salt0, salt1, salt2, salt3 = salt\n"
        "    for box in (s0, s1, s2, s3):\n"
        "        for k in range(0, 256, 4):\n"
        f"{pad}left ^= salt2\n{pad}right ^= salt3\n{rounds(pad)}"
        f"{pad}box[k] = left\n{pad}box[k + 1] = right\n"
        f"{pad}left ^= salt0\n{pad}right ^= salt1\n{rounds(pad)}"
        f"{pad}box[k + 2] = left\n{pad}box[k + 3] = right\n"
        "    return left, right\n"
    )
    namespace: dict[str, object] = {}
    exec(compile(source, "<bcrypt fill_boxes>", "exec"), namespace)
    fill: Callable[..., tuple[int, int]] = namespace["fill_boxes"]  # type: ignore[assignment]
    return fill


_fill_boxes = _build_fill_boxes()
_NO_SALT = (0, 0, 0, 0)


def _expand(p: list[int], boxes: list[list[int]], key: list[int], salt: list[int] | None) -> None:
    """Blowfish key expansion, optionally salted (``salt`` is 4 words, used cyclically)."""
    for i in range(18):
        p[i] ^= key[i]
    salt_words = _NO_SALT if salt is None else tuple(salt)
    left = right = 0
    # Each encryption writes the next two words of P, then of the S-boxes, and
    # the following encryption already reads the rewritten tables.
    for i in range(0, 18, 2):
        left ^= salt_words[i & 3]
        right ^= salt_words[(i + 1) & 3]
        left, right = _encipher(left, right, p, *boxes)
        p[i], p[i + 1] = left, right
    _fill_boxes(p, *boxes, salt_words, left, right)


class PureBcrypt:
    """bcrypt in pure Python (see the module docstring for speed)."""

    name = "pure"

    def checksum(self, password: bytes, cost: int, salt: bytes) -> bytes:
        state = blowfish_initial_state()
        p = list(state[:18])
        boxes = [list(state[18 + 256 * b : 18 + 256 * (b + 1)]) for b in range(4)]
        # The key is the C string: the password and its NUL, read cyclically.
        key = _words(password[:MAX_PASSWORD_LEN] + b"\0", 18)
        salt_words = _words(salt, 4)
        _expand(p, boxes, key, salt_words)
        salt_key = _words(salt, 18)  # the salt used as a key, also cyclic
        for _ in range(1 << cost):
            _expand(p, boxes, key, None)
            _expand(p, boxes, salt_key, None)
        text = list(_MAGIC)
        for half in (0, 2, 4):
            left, right = text[half], text[half + 1]
            for _ in range(64):
                left, right = _encipher(left, right, p, *boxes)
            text[half], text[half + 1] = left, right
        return struct.pack(">6I", *text)[:CHECKSUM_LEN]


BACKEND = PureBcrypt()
_: BcryptBackend = BACKEND
