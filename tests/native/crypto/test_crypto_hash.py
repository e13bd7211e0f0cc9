"""Hashing, encodings and randomness: known answers, bad inputs, properties."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra_portable.crypto._encoding import (
    b64url_decode,
    b64url_encode,
    constant_time_equals,
    hex_decode,
    hex_encode,
)
from infra_portable.crypto._hash import (
    HASH_ALGORITHMS,
    Blake2bHasher,
    Blake3Hasher,
    Hasher,
    HashState,
    Sha3_256Hasher,
    Sha256Hasher,
    Sha384Hasher,
    Sha512Hasher,
    blake2b,
    digest,
    hasher,
    hexdigest,
    new_hash,
    normalize_algorithm,
    sha3_256,
    sha256,
    sha384,
    sha512,
)
from infra_portable.crypto._hash_webcrypto import digest_async, uses_webcrypto
from infra_portable.crypto._random import random_bytes, random_int_below, token_urlsafe
from infra_portable.errors import InfraError, ValidationError
from infra_portable.runtime import current

RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]

# FIPS 180-4 / FIPS 202 / RFC 7693 examples: the digests of "abc".
ABC = {
    "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "sha384": "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
    "8086072ba1e7cc2358baeca134c825a7",
    "sha512": "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    "sha3_256": "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
    "blake2b": "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
    "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
    "blake2s": "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982",
    "blake3": "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85",
}
# The BLAKE2 reference KAT (blake2b-kat.txt): key 00..3f, empty input.
BLAKE2B_KEYED_EMPTY = (
    "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786"
    "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568"
)
ONE_SHOT = {"sha256": sha256, "sha384": sha384, "sha512": sha512, "sha3_256": sha3_256}
HASHERS: list[Hasher] = [
    Sha256Hasher(),
    Sha384Hasher(),
    Sha512Hasher(),
    Sha3_256Hasher(),
    Blake2bHasher(),
    Blake3Hasher(),
]


# -- hashing ----------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", HASH_ALGORITHMS)
def test_known_answers(algorithm: str) -> None:
    expected = ABC.get(algorithm) or hashlib.new(algorithm, b"abc").hexdigest()
    assert hexdigest(b"abc", algorithm) == expected
    assert digest("abc", algorithm) == bytes.fromhex(expected)
    assert digest(bytearray(b"abc"), algorithm) == bytes.fromhex(expected)
    assert digest(memoryview(b"xabcx")[1:4], algorithm) == bytes.fromhex(expected)
    assert new_hash(algorithm, b"abc").hexdigest() == expected


@pytest.mark.parametrize("name", list(ONE_SHOT))
def test_one_shot_functions(name: str) -> None:
    fn = ONE_SHOT[name]
    assert fn(b"abc").hex() == ABC[name]
    assert fn("abc") == fn(b"abc")
    assert fn("é") == fn("é".encode())
    assert fn(bytearray(b"abc")).hex() == ABC[name]
    assert fn(memoryview(b"abc")).hex() == ABC[name]


def test_sha256_long_message() -> None:
    # FIPS 180-4 example: one million "a".
    assert sha256(b"a" * 1_000_000).hex() == (
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    )


@pytest.mark.parametrize("spelling", ["SHA-256", "sha-256", " sha256 ", "SHA256"])
def test_algorithm_aliases(spelling: str) -> None:
    assert normalize_algorithm(spelling) == "sha256"
    assert digest(b"abc", spelling).hex() == ABC["sha256"]


@pytest.mark.parametrize("bad", ["md5", "sha1", "", "sha-257", None, 256])
def test_unknown_algorithm(bad: Any) -> None:
    with pytest.raises(ValidationError) as info:
        digest(b"abc", bad)
    assert info.value.field == "algorithm"
    with pytest.raises(ValidationError):
        new_hash(bad)


@pytest.mark.parametrize("bad", [123, None, 1.5, ["a"], True, object()])
def test_bad_data_is_rejected_naming_the_field(bad: Any) -> None:
    def blake3_digest(data: Any) -> bytes:
        return digest(data, "blake3")

    fns: list[Callable[[Any], bytes]] = [*ONE_SHOT.values(), blake3_digest, blake2b]
    for fn in fns:
        with pytest.raises(ValidationError) as info:
            fn(bad)
        assert info.value.field == "data"
    with pytest.raises(ValidationError):
        new_hash("sha256").update(bad)


def test_lone_surrogate_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        sha256("\ud800")
    assert info.value.field == "data"


def test_blake2b_parameters() -> None:
    assert blake2b(b"abc").hex() == ABC["blake2b"]
    assert blake2b(b"", key=bytes(range(64))).hex() == BLAKE2B_KEYED_EMPTY
    assert blake2b(b"abc", digest_size=32) == hashlib.blake2b(b"abc", digest_size=32).digest()
    assert Blake2bHasher(digest_size=16, key=b"k").hash(b"abc") == (
        hashlib.blake2b(b"abc", digest_size=16, key=b"k").digest()
    )
    for size in (0, 65, -1, True):
        with pytest.raises(ValidationError) as info:
            blake2b(b"abc", digest_size=size)
        assert info.value.field == "digest_size"
    with pytest.raises(ValidationError) as info:
        blake2b(b"abc", key=bytes(65))
    assert info.value.field == "key"


@pytest.mark.parametrize("h", HASHERS, ids=lambda h: h.algorithm)
def test_hasher_protocol(h: Hasher) -> None:
    assert isinstance(h, Hasher)
    expected = bytes.fromhex(ABC[h.algorithm])
    assert h.hash(b"abc") == expected
    assert h.hash_hex("abc") == ABC[h.algorithm]
    assert h.verify(b"abc", expected)
    assert h.verify(b"abc", ABC[h.algorithm].upper())
    assert not h.verify(b"abd", expected)
    assert not h.verify(b"abc", expected[:-1])
    assert not h.verify(b"abc", "not hex")
    assert not h.verify(b"abc", " " + ABC[h.algorithm])
    with pytest.raises(ValidationError):
        h.verify(b"abc", 5)  # type: ignore[arg-type]


def test_hasher_factory() -> None:
    assert isinstance(hasher("SHA-512"), Sha512Hasher)
    assert hasher().algorithm == "sha256"
    with pytest.raises(ValidationError):
        hasher("blake2s")


@pytest.mark.parametrize("algorithm", HASH_ALGORITHMS)
def test_hash_state_copy(algorithm: str) -> None:
    state = new_hash(algorithm, b"ab")
    assert isinstance(state, HashState)
    twin = state.copy()
    twin.update("c")
    assert state.digest() == digest(b"ab", algorithm)
    assert twin.digest() == digest(b"abc", algorithm)
    assert state.name == normalize_algorithm(algorithm)
    assert state.digest_size == len(state.digest())


@settings(max_examples=25)
@given(
    data=st.binary(max_size=3000),
    cuts=st.lists(st.integers(0, 3000), max_size=8),
    algorithm=st.sampled_from(HASH_ALGORITHMS),
)
def test_incremental_equals_one_shot(data: bytes, cuts: list[int], algorithm: str) -> None:
    state = new_hash(algorithm)
    previous = 0
    for cut in [*sorted(c for c in cuts if c <= len(data)), len(data)]:
        state.update(memoryview(data)[previous:cut])
        previous = cut
    assert state.digest() == digest(data, algorithm)


# -- WebCrypto --------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["sha256", "SHA-384", "sha512"])
def test_digest_async_matches_hashlib(run_async: RunAsync, algorithm: str) -> None:
    name = normalize_algorithm(algorithm)
    for data in (b"", b"abc", bytes(range(256)) * 300, "héllo"):
        raw = data.encode() if isinstance(data, str) else data
        assert run_async(digest_async(data, algorithm)) == hashlib.new(name, raw).digest()


def test_digest_async_rejects_bad_input(run_async: RunAsync) -> None:
    with pytest.raises(ValidationError) as info:
        run_async(digest_async(b"abc", "sha3_256"))
    assert info.value.field == "algorithm"
    with pytest.raises(ValidationError) as info:
        run_async(digest_async(42, "sha256"))  # type: ignore[arg-type]
    assert info.value.field == "data"


def test_webcrypto_used_only_in_pyodide() -> None:
    assert uses_webcrypto() == (current().value == "pyodide")


# -- encodings --------------------------------------------------------------------------


@settings(max_examples=50)
@given(st.binary(max_size=200))
def test_b64url_round_trip(data: bytes) -> None:
    text = b64url_encode(data)
    assert "=" not in text
    assert text == base64.urlsafe_b64encode(data).decode().rstrip("=")
    assert b64url_decode(text) == data
    assert b64url_decode(text.encode()) == data
    padded = base64.urlsafe_b64encode(data).decode()
    assert b64url_decode(padded, allow_padding=True) == data
    if padded != text:
        with pytest.raises(ValidationError):
            b64url_decode(padded)


@settings(max_examples=50)
@given(st.binary(min_size=1, max_size=60))
def test_b64url_rejects_non_canonical_trailing_bits(data: bytes) -> None:
    text = b64url_encode(data)
    if len(text) % 4 == 0:
        return
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    index = alphabet.index(text[-1])
    spare = 0b1111 if len(text) % 4 == 2 else 0b11
    for bits in range(1, spare + 1):
        twin = text[:-1] + alphabet[index | bits]
        with pytest.raises(ValidationError) as info:
            b64url_decode(twin)
        assert info.value.field == "text"


@pytest.mark.parametrize(
    "text",
    [
        "QR",  # unused trailing bits set
        "QUJ",  # 'J' has its low 2 bits set
        "Q",  # length % 4 == 1
        "QUJDR",
        "QQ==",  # padding not allowed by default
        "QQ=",
        "Q=Q",
        "QU JD",  # whitespace
        "QUJD\n",
        "QU+D",  # standard-alphabet characters
        "QU/D",
        "QUJDé",
        "ЁЁ",
    ],
)
def test_b64url_strict_rejections(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        b64url_decode(text)
    assert info.value.field == "text"


@pytest.mark.parametrize("text", ["QQ=", "QQ===", "=QQ=", "QUJD=", "====", "QUI=="])
def test_b64url_padding_must_be_exact_when_allowed(text: str) -> None:
    with pytest.raises(ValidationError):
        b64url_decode(text, allow_padding=True)


def test_b64url_known_values() -> None:
    assert b64url_encode(b"") == ""
    assert b64url_decode("") == b""
    assert b64url_encode(b"\xfb\xff") == "-_8"
    assert b64url_decode("-_8") == b"\xfb\xff"
    assert b64url_decode("QQ") == b"A"
    assert b64url_decode("QUI=", allow_padding=True) == b"AB"
    # RFC 7515 appendix A.1: the JWS protected header.
    assert b64url_decode("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9") == (
        b'{"typ":"JWT",\r\n "alg":"HS256"}'
    )
    with pytest.raises(ValidationError):
        b64url_decode(b"\xff\xfe")
    with pytest.raises(ValidationError):
        b64url_decode(12)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        b64url_encode(12)  # type: ignore[arg-type]


@settings(max_examples=50)
@given(st.binary(max_size=100))
def test_hex_round_trip(data: bytes) -> None:
    assert hex_encode(data) == data.hex()
    assert hex_decode(data.hex()) == data
    assert hex_decode(data.hex().upper()) == data


@pytest.mark.parametrize("text", ["a", "abc", "zz", "0x00", "00 11", " 00", "00\n", "éé"])
def test_hex_strict_rejections(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        hex_decode(text)
    assert info.value.field == "text"


def test_constant_time_equals() -> None:
    assert constant_time_equals(b"abc", b"abc")
    assert constant_time_equals("é", "é".encode())
    assert not constant_time_equals(b"abc", b"abd")
    assert not constant_time_equals(b"abc", b"ab")
    assert constant_time_equals(bytearray(b"x"), memoryview(b"x"))
    with pytest.raises(ValidationError) as info:
        constant_time_equals(b"a", 1)  # type: ignore[arg-type]
    assert info.value.field == "b"


# -- randomness -------------------------------------------------------------------------


def test_random_bytes_one_mebibyte_is_not_constant() -> None:
    data = random_bytes(1 << 20)
    assert len(data) == 1 << 20
    # Over 1 MiB every byte value appears (a miss has probability ~256 * e^-4096).
    assert len(set(data)) == 256
    assert data != random_bytes(1 << 20)
    assert random_bytes(0) == b""


@pytest.mark.pyodide_only(reason="checks Emscripten routes os.urandom to crypto.getRandomValues")
def test_os_urandom_works_in_pyodide() -> None:
    import os

    import js

    assert js.crypto.getRandomValues is not None
    assert len(set(os.urandom(4096))) > 200


def test_token_urlsafe() -> None:
    token = token_urlsafe()
    assert len(token) == 43
    assert len(b64url_decode(token)) == 32
    assert len(token_urlsafe(16)) == 22
    assert token != token_urlsafe()


def test_random_int_below() -> None:
    values = {random_int_below(6) for _ in range(500)}
    assert values == set(range(6))
    assert random_int_below(1) == 0
    assert 0 <= random_int_below(2**200) < 2**200


@pytest.mark.parametrize("bad", [-1, True, 1.5, "3", None])
def test_random_argument_validation(bad: Any) -> None:
    with pytest.raises(ValidationError) as info:
        random_bytes(bad)
    assert info.value.field == "n"
    with pytest.raises(ValidationError):
        token_urlsafe(bad if bad != -1 else 0)
    with pytest.raises(ValidationError):
        random_int_below(bad if bad != -1 else 0)


def test_impossible_sizes_are_validation_errors() -> None:
    with pytest.raises(ValidationError) as info:
        random_bytes(2**70)
    assert info.value.field == "n"


def test_random_source_failure_is_a_crypto_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    def broken(n: int) -> bytes:
        raise OSError("no entropy")

    monkeypatch.setattr(os, "urandom", broken)
    with pytest.raises(InfraError) as info:
        random_bytes(8)
    assert info.value.error_type == "crypto"
