"""NanoID: known answers, exact uniformity of mask-and-reject, the reference algorithm."""

from __future__ import annotations

import math
import random
import string
from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra_portable.errors import ConfigError, ValidationError
from infra_portable.id import NANOID_ALPHABET, NANOID_SIZE, NanoIdGenerator, nanoid


class Stream:
    """Deterministic bytes, handed out as one continuous stream whatever the request
    sizes: consecutive values from ``start`` (mod 256), or a seeded PRNG's bytes."""

    def __init__(self, start: int = 0, seed: int | None = None) -> None:
        if seed is None:
            self.data = bytes((start + i) % 256 for i in range(1 << 12))
        else:
            self.data = random.Random(seed).randbytes(1 << 12)
        self.position = 0
        self.requests: list[int] = []

    def __call__(self, n: int) -> bytes:
        self.requests.append(n)
        chunk = self.data[self.position : self.position + n]
        self.position += n
        assert len(chunk) == n, "test stream exhausted"
        return chunk


def reference(alphabet: str, size: int, randbytes: Callable[[int], bytes]) -> str:
    """The reference algorithm, written out as the nanoid packages do it."""
    mask = (2 << math.floor(math.log2(len(alphabet) - 1 | 1))) - 1
    step = math.ceil(1.6 * mask * size / len(alphabet))
    out = ""
    while True:
        for byte in randbytes(step):
            index = byte & mask
            if index < len(alphabet):
                out += alphabet[index]
                if len(out) == size:
                    return out


def test_default_alphabet_is_the_64_url_safe_characters() -> None:
    assert len(NANOID_ALPHABET) == 64
    assert set(NANOID_ALPHABET) == set(string.ascii_letters + string.digits + "_-")
    made = nanoid()
    assert len(made) == NANOID_SIZE == 21
    assert set(made) <= set(NANOID_ALPHABET)


def test_known_answer_default_alphabet() -> None:
    # 64 characters: mask 63, nothing rejected; byte b picks NANOID_ALPHABET[b & 63].
    stream = Stream(start=60)
    gen = NanoIdGenerator(randbytes=stream)
    assert gen.generate() == "WXYZ_-0123456789abcde"  # bytes 60..80: 60..63, then 0..16
    assert stream.requests == [21]


def test_known_answer_with_rejection() -> None:
    # "abc": mask 3, step ceil(1.6 * 3 * 5 / 3) = 8; bytes 0..7 mask to 0 1 2 3 0 1 2 3
    # and each 3 is rejected.
    stream = Stream(start=0)
    gen = NanoIdGenerator(alphabet="abc", size=5, randbytes=stream)
    assert gen.generate() == "abcab"
    assert stream.requests == [8]


def test_rejection_draws_more_rounds_when_needed() -> None:
    # Bytes 3, 7, 11, ... all mask to 3 (rejected) in the first round of 8.
    feed = iter([bytes([3, 7, 11, 15, 19, 23, 27, 31]), bytes([2, 1, 0, 3, 6, 5, 4, 4])])
    gen = NanoIdGenerator(alphabet="abc", size=5, randbytes=lambda n: next(feed))
    assert gen.generate() == "cbacb"


def test_non_latin1_alphabet() -> None:
    gen = NanoIdGenerator(alphabet="αβγ", size=6, randbytes=Stream(start=0))
    assert gen.generate() == "αβγαβγ"


def test_256_character_alphabet_maps_each_byte_to_itself() -> None:
    alphabet = "".join(chr(0x100 + i) for i in range(256))
    gen = NanoIdGenerator(alphabet=alphabet, size=256, randbytes=Stream(start=0))
    assert gen.generate() == alphabet


@pytest.mark.parametrize("length", [2, 3, 5, 10, 33, 63, 64, 65, 100, 129, 255, 256])
def test_every_character_equally_likely_over_all_byte_values(length: int) -> None:
    # Bytes 0..255 once each: mask-and-reject accepts exactly 256 / (mask + 1)
    # of each index and nothing else, so the counts come out exactly equal.
    alphabet = "".join(chr(0x30 + i) for i in range(length))
    mask = (2 << math.floor(math.log2(length - 1 | 1))) - 1
    per_char = 256 // (mask + 1)
    gen = NanoIdGenerator(alphabet=alphabet, size=per_char * length, randbytes=Stream(start=0))
    assert Counter(gen.generate()) == dict.fromkeys(alphabet, per_char)


@settings(max_examples=30)
@given(
    alphabet=st.lists(st.characters(), min_size=2, max_size=256, unique=True).map("".join),
    size=st.integers(1, 60),
    seed=st.integers(0, 2**32),
)
def test_same_output_as_the_reference_algorithm(alphabet: str, size: int, seed: int) -> None:
    ours = NanoIdGenerator(alphabet=alphabet, size=size, randbytes=Stream(seed=seed))
    assert ours.generate() == reference(alphabet, size, Stream(seed=seed))


def test_same_output_as_the_nanoid_package() -> None:
    method = pytest.importorskip("nanoid.method").method
    for alphabet, size in [(NANOID_ALPHABET, 21), ("0123456789", 12), ("abc", 30)]:
        ours = NanoIdGenerator(alphabet=alphabet, size=size, randbytes=Stream(seed=7))
        assert ours.generate() == method(Stream(seed=7), alphabet, size)


def test_custom_size_and_alphabet_through_the_function() -> None:
    assert len(nanoid(8)) == 8
    made = nanoid(40, "01")
    assert len(made) == 40
    assert set(made) <= {"0", "1"}
    assert nanoid(5, "αβγ") != ""


def test_generator_exposes_its_settings() -> None:
    gen = NanoIdGenerator(alphabet="0123456789", size=12)
    assert (gen.alphabet, gen.size) == ("0123456789", 12)
    assert gen.generate().isdigit()


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"alphabet": ""}, "alphabet"),
        ({"alphabet": "a"}, "alphabet"),
        ({"alphabet": "aab"}, "alphabet"),
        ({"alphabet": "".join(chr(0x100 + i) for i in range(257))}, "alphabet"),
        ({"alphabet": ["a", "b"]}, "alphabet"),
        ({"alphabet": None}, "alphabet"),
        ({"size": 0}, "size"),
        ({"size": -1}, "size"),
        ({"size": 1.5}, "size"),
        ({"size": True}, "size"),
        ({"size": "21"}, "size"),
    ],
)
def test_bad_arguments_are_validation_errors(arguments: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        NanoIdGenerator(**arguments)  # type: ignore[arg-type]
    assert info.value.field == field
    with pytest.raises(ValidationError):
        nanoid(**arguments)  # type: ignore[arg-type]


def test_randbytes_must_be_callable_and_return_bytes() -> None:
    with pytest.raises(ConfigError):
        NanoIdGenerator(randbytes=b"")  # type: ignore[arg-type]
    for alphabet in (NANOID_ALPHABET, "abc"):
        gen = NanoIdGenerator(alphabet=alphabet, randbytes=lambda n: "x" * n)  # type: ignore[arg-type, return-value]
        with pytest.raises(ConfigError):
            gen.generate()


@pytest.mark.parametrize("constant", [b"", b"\xff"])
def test_a_source_that_never_gives_usable_bytes_fails_instead_of_hanging(constant: bytes) -> None:
    # 0xFF masks to 3, outside "abc": every byte is rejected.
    gen = NanoIdGenerator(alphabet="abc", randbytes=lambda n: constant * n)
    with pytest.raises(ConfigError):
        gen.generate()


def test_many_ids_are_unique() -> None:
    made = {nanoid() for _ in range(5000)}
    assert len(made) == 5000
