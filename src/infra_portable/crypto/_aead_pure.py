"""AEAD in pure Python: works in every runtime (CPython, Pyodide, WASI).

AES-256-GCM follows NIST SP 800-38D with 96-bit nonces only (J0 = nonce ||
0^31 || 1); ChaCha20-Poly1305 follows RFC 8439 §2.8. Outputs are byte-identical
to OpenSSL's. On decryption the tag is recomputed over the ciphertext and
compared with ``hmac.compare_digest`` *before* any plaintext is produced.

Limits of "constant time" here: AES and GHASH use lookup tables indexed by
secret-dependent bytes (cache-timing leaks), and CPython's int arithmetic takes
time that depends on the values. Against an attacker who can time this process
precisely, use a compiled backend.

Speed (``benchmarks/bench_crypto_aead.py``, CPython 3.11 on a quiet machine):
AES-GCM about 13,000 encryptions/s of 64 bytes but only about 1,000/s of 1 KB,
since each 16-byte block costs ~14 round computations of 16 table lookups;
ChaCha20-Poly1305, whose blocks are computed side by side in big ints, about
4,000/s of 1 KB. WASI is several times slower.
"""

from __future__ import annotations

import hmac

from infra_portable.crypto import _chacha_pure as chacha
from infra_portable.crypto._aead_base import (
    TAG_SIZE,
    AeadBackend,
    AeadBackendBase,
    KeyedAead,
    authentication_failed,
)
from infra_portable.crypto._aes_pure import ctr_keystream, encrypt_block, expand_key
from infra_portable.crypto._ghash_pure import GhashKey

__all__ = ["BACKEND", "PureAead", "PureAesGcm", "PureChaCha20Poly1305"]


class PureAesGcm:
    """AES-256-GCM under one key: the round keys and GHASH tables are built once."""

    __slots__ = ("_ghash", "_round_keys")

    def __init__(self, key: bytes) -> None:
        self._round_keys = expand_key(key)
        self._ghash = GhashKey(int.from_bytes(encrypt_block(self._round_keys, bytes(16)), "big"))

    def _tag(self, mask: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        # The first keystream block, E(K, J0), masks the GHASH value.
        return (self._ghash.digest(aad, ciphertext) ^ int.from_bytes(mask, "big")).to_bytes(
            16, "big"
        )

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None, /) -> bytes:
        aad = _as_bytes(associated_data)
        data = _as_bytes(data)
        size = len(data)
        prefix = int.from_bytes(nonce, "big") << 32
        # Block 1 (J0) masks the tag; blocks 2, 3... encrypt the data.
        stream = ctr_keystream(self._round_keys, prefix, 1, 1 + (size + 15) // 16)
        if size:
            mixed = int.from_bytes(data, "big") ^ int.from_bytes(stream[16 : 16 + size], "big")
            ciphertext = mixed.to_bytes(size, "big")
        else:
            ciphertext = b""
        return ciphertext + self._tag(stream[:16], ciphertext, aad)

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None, /) -> bytes:
        if len(data) < TAG_SIZE:
            raise authentication_failed("the input is shorter than the tag")
        aad = _as_bytes(associated_data)
        data = _as_bytes(data)
        ciphertext, tag = data[:-TAG_SIZE], data[-TAG_SIZE:]
        prefix = int.from_bytes(nonce, "big") << 32
        mask = ctr_keystream(self._round_keys, prefix, 1, 1)
        if not hmac.compare_digest(self._tag(mask, ciphertext, aad), tag):
            raise authentication_failed()
        size = len(ciphertext)
        if not size:
            return b""
        stream = ctr_keystream(self._round_keys, prefix, 2, (size + 15) // 16)
        mixed = int.from_bytes(ciphertext, "big") ^ int.from_bytes(stream[:size], "big")
        return mixed.to_bytes(size, "big")


def _pad16(data: bytes) -> bytes:
    return bytes(-len(data) % 16)


def _as_bytes(data: object) -> bytes:
    # bytearray and memoryview are accepted; the arithmetic below needs bytes.
    if data is None:
        return b""
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    # Anything else (bytes(42) would be 42 zero bytes) is the caller's type error.
    raise TypeError(f"expected bytes, got {type(data).__name__}")


class PureChaCha20Poly1305:
    """ChaCha20-Poly1305 (RFC 8439 §2.8) under one key."""

    __slots__ = ("_key_words",)

    def __init__(self, key: bytes) -> None:
        self._key_words = chacha.key_words(key)

    @staticmethod
    def _tag(one_time_key: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        lengths = len(aad).to_bytes(8, "little") + len(ciphertext).to_bytes(8, "little")
        message = aad + _pad16(aad) + ciphertext + _pad16(ciphertext) + lengths
        return chacha.poly1305(one_time_key, message)

    def _stream(self, nonce: bytes, size: int) -> bytes:
        # Block 0 gives the Poly1305 key, blocks 1, 2... the keystream: one batch.
        return chacha.keystream(
            self._key_words, 0, chacha.nonce_words(nonce), 1 + (size + 63) // 64
        )

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None, /) -> bytes:
        data = _as_bytes(data)
        stream = self._stream(nonce, len(data))
        ciphertext = chacha.xor(data, stream[64:])
        return ciphertext + self._tag(stream[:32], ciphertext, _as_bytes(associated_data))

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None, /) -> bytes:
        if len(data) < TAG_SIZE:
            raise authentication_failed("the input is shorter than the tag")
        data = _as_bytes(data)
        ciphertext, tag = data[:-TAG_SIZE], data[-TAG_SIZE:]
        stream = self._stream(nonce, len(ciphertext))
        # Keystream is not plaintext: nothing is decrypted until the tag checks out.
        if not hmac.compare_digest(
            self._tag(stream[:32], ciphertext, _as_bytes(associated_data)), tag
        ):
            raise authentication_failed()
        return chacha.xor(ciphertext, stream[64:])


class PureAead(AeadBackendBase):
    name = "pure"

    def aes_gcm(self, key: bytes) -> KeyedAead:
        return PureAesGcm(key)

    def chacha20_poly1305(self, key: bytes) -> KeyedAead:
        return PureChaCha20Poly1305(key)


BACKEND: AeadBackend = PureAead()
