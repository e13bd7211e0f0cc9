"""BLAKE3 in pure Python: every mode and output length, in every runtime.

A direct rendering of the reference implementation (the BLAKE3 paper's
``reference_impl.rs``): 1 KiB chunks hashed block by block, chunk chaining
values merged into a binary tree through a stack, and the root node's
compression re-run with an incrementing counter for extended (XOF) output.

Runtime caveats: it is roughly a thousand times slower than the ``blake3``
package (about 0.5 MB/s natively, a few times less under WASI), so it is the
fallback where that compiled package cannot load (Pyodide, WASI), not a choice.
It is not constant-time with respect to the data's length (no implementation is).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Self

from infra_portable.errors import ValidationError

if TYPE_CHECKING:
    from infra_portable.crypto._hash import Blake3Backend, Blake3State

__all__ = [
    "BACKEND",
    "MAX_OUTPUT_LENGTH",
    "PureBlake3",
    "PureBlake3State",
    "check_context",
    "check_key",
    "check_length",
]

_MASK = 0xFFFFFFFF
_OUT_LEN = 32
_KEY_LEN = 32
_BLOCK_LEN = 64
_CHUNK_LEN = 1024

_CHUNK_START = 1 << 0
_CHUNK_END = 1 << 1
_PARENT = 1 << 2
_ROOT = 1 << 3
_KEYED_HASH = 1 << 4
_DERIVE_KEY_CONTEXT = 1 << 5
_DERIVE_KEY_MATERIAL = 1 << 6

_IV = (
    0x6A09E667,
    0xBB67AE85,
    0x3C6EF372,
    0xA54FF53A,
    0x510E527F,
    0x9B05688C,
    0x1F83D9AB,
    0x5BE0CD19,
)
_MSG_PERMUTATION = (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8)
# The state words each G call mixes: four columns, then four diagonals.
_QUARTERS = (
    (0, 4, 8, 12),
    (1, 5, 9, 13),
    (2, 6, 10, 14),
    (3, 7, 11, 15),
    (0, 5, 10, 15),
    (1, 6, 11, 12),
    (2, 7, 8, 13),
    (3, 4, 9, 14),
)


def _schedule() -> tuple[tuple[tuple[int, int, int, int, int, int], ...], ...]:
    """Per round, each G call's (a, b, c, d, x, y): the permutations applied up front.

    Permuting message indices once here, instead of the message words in every
    compression, is the single biggest saving in pure Python.
    """
    order = list(range(16))
    rounds = []
    for _ in range(7):
        rounds.append(
            tuple(
                (a, b, c, d, order[2 * i], order[2 * i + 1])
                for i, (a, b, c, d) in enumerate(_QUARTERS)
            )
        )
        order = [order[p] for p in _MSG_PERMUTATION]
    return tuple(rounds)


_ROUNDS = _schedule()
_WORDS16 = struct.Struct("<16I")
_WORDS8 = struct.Struct("<8I")


def _compress(
    cv: tuple[int, ...] | list[int],
    m: tuple[int, ...] | list[int],
    counter: int,
    block_len: int,
    flags: int,
) -> list[int]:
    """The BLAKE3 compression function; returns all 16 output words."""
    mask = _MASK  # a local: global lookups dominate this loop in CPython
    v = [
        *cv,
        0x6A09E667,
        0xBB67AE85,
        0x3C6EF372,
        0xA54FF53A,
        counter & mask,
        (counter >> 32) & mask,
        block_len,
        flags,
    ]
    for round_ in _ROUNDS:
        for a, b, c, d, x, y in round_:
            va = (v[a] + v[b] + m[x]) & mask
            vd = v[d] ^ va
            vd = ((vd >> 16) | (vd << 16)) & mask
            vc = (v[c] + vd) & mask
            vb = v[b] ^ vc
            vb = ((vb >> 12) | (vb << 20)) & mask
            va = (va + vb + m[y]) & mask
            vd ^= va
            vd = ((vd >> 8) | (vd << 24)) & mask
            vc = (vc + vd) & mask
            vb ^= vc
            v[a] = va
            v[b] = ((vb >> 7) | (vb << 25)) & mask
            v[c] = vc
            v[d] = vd
    for i in range(8):
        v[i] ^= v[i + 8]
        v[i + 8] ^= cv[i]
    return v


class _Output:
    """A node's compression inputs, kept so the root can be squeezed to any length."""

    __slots__ = ("block_len", "counter", "cv", "flags", "words")

    def __init__(
        self, cv: tuple[int, ...], words: tuple[int, ...], counter: int, block_len: int, flags: int
    ) -> None:
        self.cv = cv
        self.words = words
        self.counter = counter
        self.block_len = block_len
        self.flags = flags

    def chaining_value(self) -> tuple[int, ...]:
        return tuple(_compress(self.cv, self.words, self.counter, self.block_len, self.flags)[:8])

    def root_bytes(self, length: int) -> bytes:
        out = bytearray()
        block_counter = 0
        while len(out) < length:
            words = _compress(
                self.cv, self.words, block_counter, self.block_len, self.flags | _ROOT
            )
            out += _WORDS16.pack(*words)
            block_counter += 1
        return bytes(out[:length])


class _ChunkState:
    __slots__ = ("block", "blocks_compressed", "chunk_counter", "cv", "flags")

    def __init__(self, key: tuple[int, ...], chunk_counter: int, flags: int) -> None:
        self.cv = key
        self.chunk_counter = chunk_counter
        self.block = bytearray()
        self.blocks_compressed = 0
        self.flags = flags

    def __len__(self) -> int:
        return _BLOCK_LEN * self.blocks_compressed + len(self.block)

    def _start_flag(self) -> int:
        return _CHUNK_START if self.blocks_compressed == 0 else 0

    def update(self, data: memoryview) -> None:
        pos = 0
        end = len(data)
        while pos < end:
            # A full block is compressed only once more input follows: the last
            # block of a chunk needs CHUNK_END, which is not known until then.
            if len(self.block) == _BLOCK_LEN:
                words = _WORDS16.unpack(self.block)
                flags = self.flags | self._start_flag()
                self.cv = tuple(
                    _compress(self.cv, words, self.chunk_counter, _BLOCK_LEN, flags)[:8]
                )
                self.blocks_compressed += 1
                self.block = bytearray()
            take = min(_BLOCK_LEN - len(self.block), end - pos)
            self.block += data[pos : pos + take]
            pos += take

    def output(self) -> _Output:
        block = bytes(self.block) + bytes(_BLOCK_LEN - len(self.block))
        return _Output(
            self.cv,
            _WORDS16.unpack(block),
            self.chunk_counter,
            len(self.block),
            self.flags | self._start_flag() | _CHUNK_END,
        )

    def copy(self) -> _ChunkState:
        twin = _ChunkState(self.cv, self.chunk_counter, self.flags)
        twin.block = bytearray(self.block)
        twin.blocks_compressed = self.blocks_compressed
        return twin


def _parent_output(
    left: tuple[int, ...], right: tuple[int, ...], key: tuple[int, ...], flags: int
) -> _Output:
    return _Output(key, left + right, 0, _BLOCK_LEN, _PARENT | flags)


class PureBlake3State:
    """An incremental BLAKE3 hasher (``update`` any number of times, then ``digest``)."""

    __slots__ = ("_chunk", "_flags", "_key", "_stack")

    def __init__(self, key: tuple[int, ...], flags: int) -> None:
        self._key = key
        self._flags = flags
        self._chunk = _ChunkState(key, 0, flags)
        self._stack: list[tuple[int, ...]] = []

    def _push_chunk(self, cv: tuple[int, ...], total_chunks: int) -> None:
        # Each trailing zero bit of the chunk count completes one subtree: merge it.
        while total_chunks & 1 == 0:
            cv = _parent_output(self._stack.pop(), cv, self._key, self._flags).chaining_value()
            total_chunks >>= 1
        self._stack.append(cv)

    def update(self, data: bytes | bytearray | memoryview) -> None:
        """Absorb more input."""
        view = _byte_view(data)
        pos = 0
        end = len(view)
        while pos < end:
            if len(self._chunk) == _CHUNK_LEN:
                cv = self._chunk.output().chaining_value()
                total = self._chunk.chunk_counter + 1
                self._push_chunk(cv, total)
                self._chunk = _ChunkState(self._key, total, self._flags)
            take = min(_CHUNK_LEN - len(self._chunk), end - pos)
            self._chunk.update(view[pos : pos + take])
            pos += take

    def digest(self, length: int = _OUT_LEN) -> bytes:
        """``length`` bytes of output; the state is unchanged, so more input may follow."""
        length = check_length(length)
        output = self._chunk.output()
        for cv in reversed(self._stack):
            output = _parent_output(cv, output.chaining_value(), self._key, self._flags)
        return output.root_bytes(length)

    def copy(self) -> Self:
        """An independent hasher in the same state."""
        twin = type(self)(self._key, self._flags)
        twin._chunk = self._chunk.copy()
        twin._stack = list(self._stack)
        return twin


# Longest output accepted: BLAKE3 allows 2**64 bytes, but anything near this is a bug.
MAX_OUTPUT_LENGTH = 2**31 - 1


def check_length(length: object) -> int:
    """``length`` if it is a valid output length (1 .. 2**31 - 1), else ValidationError."""
    if (
        not isinstance(length, int)
        or isinstance(length, bool)
        or not 1 <= length <= MAX_OUTPUT_LENGTH
    ):
        raise ValidationError(
            "BLAKE3 output length must be a positive integer",
            field="length",
            expected=f"int 1..{MAX_OUTPUT_LENGTH}",
            actual=repr(length),
        )
    return length


def check_key(key: bytes | bytearray | memoryview) -> bytes:
    """``key`` as bytes if it is exactly 32 bytes long, else ValidationError."""
    # Checked first: bytes(32) would be a valid-looking all-zero key.
    if not isinstance(key, bytes | bytearray | memoryview):
        raise ValidationError(
            "a BLAKE3 key must be bytes-like",
            field="key",
            expected="32 bytes",
            actual=type(key).__name__,
        )
    raw = bytes(key)
    if len(raw) != _KEY_LEN:
        raise ValidationError(
            "a BLAKE3 key is exactly 32 bytes",
            field="key",
            expected="32 bytes",
            actual=f"{len(raw)} bytes",
        )
    return raw


def check_context(context: object) -> bytes:
    """The derive-key context as UTF-8, if it is text that encodes, else ValidationError."""
    if isinstance(context, str):
        try:
            return context.encode("utf-8")
        except UnicodeEncodeError:
            pass
    raise ValidationError(
        "the derive-key context must be a str (valid Unicode)",
        field="context",
        expected="str",
        actual=type(context).__name__,
    )


def _byte_view(data: object) -> memoryview:
    try:
        return memoryview(data).cast("B")  # type: ignore[arg-type]
    except TypeError:
        raise ValidationError(
            "BLAKE3 input must be bytes-like",
            field="data",
            expected="bytes, bytearray or memoryview",
            actual=type(data).__name__,
        ) from None


def _key_words(key: bytes | bytearray | memoryview) -> tuple[int, ...]:
    return _WORDS8.unpack(check_key(key))


class PureBlake3:
    """The ``blake3`` capability in pure Python."""

    name = "pure"

    def new(
        self, *, key: bytes | bytearray | memoryview | None = None, context: str | None = None
    ) -> PureBlake3State:
        """An incremental hasher: plain, keyed (``key``) or key-derivation (``context``)."""
        if key is not None and context is not None:
            raise ValidationError(
                "BLAKE3 takes a key or a derive-key context, not both",
                field="key",
                expected="key or context",
                actual="both",
            )
        if key is not None:
            return PureBlake3State(_key_words(key), _KEYED_HASH)
        if context is not None:
            context_state = PureBlake3State(_IV, _DERIVE_KEY_CONTEXT)
            context_state.update(check_context(context))
            context_key = _WORDS8.unpack(context_state.digest(_KEY_LEN))
            return PureBlake3State(context_key, _DERIVE_KEY_MATERIAL)
        return PureBlake3State(_IV, 0)

    def hash(
        self,
        data: bytes | bytearray | memoryview,
        *,
        key: bytes | bytearray | memoryview | None = None,
        length: int = _OUT_LEN,
    ) -> bytes:
        """BLAKE3 of ``data`` (keyed when ``key`` is given), ``length`` bytes long."""
        length = check_length(length)
        state = self.new(key=key)
        state.update(data)
        return state.digest(length)

    def derive_key(
        self, context: str, material: bytes | bytearray | memoryview, length: int = _OUT_LEN
    ) -> bytes:
        """BLAKE3's key derivation mode: a key for ``context`` from ``material``."""
        length = check_length(length)
        state = self.new(context=context)
        state.update(material)
        return state.digest(length)


BACKEND = PureBlake3()

if TYPE_CHECKING:
    _conforms: Blake3Backend = BACKEND
    _state_conforms: Blake3State = PureBlake3State(_IV, 0)
