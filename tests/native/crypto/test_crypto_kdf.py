"""HMAC (RFC 4231), HKDF (RFC 5869) and PBKDF2 (RFC 6070, RFC 7914 §11) known answers."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra_portable.crypto._hmac import (
    hmac_digest,
    hmac_sha256,
    hmac_sha384,
    hmac_sha512,
    verify_hmac,
)
from infra_portable.crypto._kdf import (
    _pbkdf2_pure,
    hkdf,
    hkdf_expand,
    hkdf_extract,
    pbkdf2_hmac,
)
from infra_portable.errors import ValidationError

# -- HMAC: RFC 4231 §4.2-4.8 ------------------------------------------------------------

RFC4231: list[tuple[str, bytes, bytes, dict[str, str]]] = [
    (
        "1",
        b"\x0b" * 20,
        b"Hi There",
        {
            "sha256": "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "sha384": "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
            "faea9ea9076ede7f4af152e8b2fa9cb6",
            "sha512": "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
            "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
        },
    ),
    (
        "2",
        b"Jefe",
        b"what do ya want for nothing?",
        {
            "sha256": "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "sha384": "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
            "8e2240ca5e69e2c78b3239ecfab21649",
            "sha512": "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
            "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        },
    ),
    (
        "3",
        b"\xaa" * 20,
        b"\xdd" * 50,
        {
            "sha256": "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            "sha384": "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
            "2a5ab39dc13814b94e3ab6e101a34f27",
            "sha512": "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
            "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
        },
    ),
    (
        "4",
        bytes(range(1, 26)),
        b"\xcd" * 50,
        {
            "sha256": "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            "sha384": "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
            "6801dd23c4a7d679ccf8a386c674cffb",
            "sha512": "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
            "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
        },
    ),
    (
        "5-truncated",
        b"\x0c" * 20,
        b"Test With Truncation",
        {
            "sha256": "a3b6167473100ee06e0c796c2955552b",
            "sha384": "3abf34c3503b2a23a46efc619baef897",
            "sha512": "415fad6271580a531d4179bc891d87a6",
        },
    ),
    (
        "6",
        b"\xaa" * 131,
        b"Test Using Larger Than Block-Size Key - Hash Key First",
        {
            "sha256": "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            "sha384": "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
            "0c2ef6ab4030fe8296248df163f44952",
            "sha512": "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
            "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
        },
    ),
    (
        "7",
        b"\xaa" * 131,
        b"This is a test using a larger than block-size key and a larger than "
        b"block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
        {
            "sha256": "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            "sha384": "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
            "a678cc31e799176d3860e6110c46523e",
            "sha512": "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
            "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
        },
    ),
]
SHORTCUTS = {"sha256": hmac_sha256, "sha384": hmac_sha384, "sha512": hmac_sha512}


@pytest.mark.parametrize(("case", "key", "data", "tags"), RFC4231, ids=[c[0] for c in RFC4231])
def test_rfc4231(case: str, key: bytes, data: bytes, tags: dict[str, str]) -> None:
    for algorithm, tag_hex in tags.items():
        tag = bytes.fromhex(tag_hex)
        full = hmac_digest(key, data, algorithm)
        assert SHORTCUTS[algorithm](key, data) == full
        if case.endswith("truncated"):
            assert full[: len(tag)] == tag
            # A truncated tag must never verify as if it were the whole one.
            assert not verify_hmac(key, data, tag, algorithm)
        else:
            assert full == tag
            assert verify_hmac(key, data, tag, algorithm)
        assert verify_hmac(key, data, full, algorithm)
        assert not verify_hmac(key, data + b"!", full, algorithm)
        assert not verify_hmac(key + b"!", data, full, algorithm)


def test_hmac_inputs() -> None:
    assert hmac_sha256("key", "msg") == hmac.digest(b"key", b"msg", "sha256")
    assert hmac_sha384(bytearray(b"k"), memoryview(b"m")) == hmac.digest(b"k", b"m", "sha384")
    assert hmac_sha512("é", b"") == hmac.digest("é".encode(), b"", "sha512")
    assert hmac_digest(b"k", b"m", "SHA-1") == hmac.digest(b"k", b"m", "sha1")
    assert hmac_digest(b"k", b"m", "sha3_256") == hmac.digest(b"k", b"m", "sha3_256")
    for fn in (hmac_sha256, hmac_sha384, hmac_sha512, hmac_digest):
        with pytest.raises(ValidationError) as info:
            fn(b"k", 7)  # type: ignore[arg-type]
        assert info.value.field == "data"
        with pytest.raises(ValidationError) as info:
            fn(None, b"m")  # type: ignore[arg-type]
        assert info.value.field == "key"
    with pytest.raises(ValidationError) as info:
        hmac_digest(b"k", b"m", "md5")
    assert info.value.field == "algorithm"
    with pytest.raises(ValidationError) as info:
        verify_hmac(b"k", b"m", "hex text")  # type: ignore[arg-type]
    assert info.value.field == "tag"


# -- HKDF: RFC 5869 appendix A -----------------------------------------------------------

RFC5869: list[tuple[str, str, bytes, bytes | None, bytes, int, str, str]] = [
    (
        "A.1",
        "sha256",
        b"\x0b" * 22,
        bytes(range(13)),
        bytes(range(0xF0, 0xFA)),
        42,
        "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    ),
    (
        "A.2",
        "sha256",
        bytes(range(0x50)),
        bytes(range(0x60, 0xB0)),
        bytes(range(0xB0, 0x100)),
        82,
        "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
        "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
        "cc30c58179ec3e87c14c01d5c1f3434f1d87",
    ),
    (
        "A.3",
        "sha256",
        b"\x0b" * 22,
        b"",
        b"",
        42,
        "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
    ),
    (
        "A.4",
        "sha1",
        b"\x0b" * 11,
        bytes(range(13)),
        bytes(range(0xF0, 0xFA)),
        42,
        "9b6c18c432a7bf8f0e71c8eb88f4b30baa2ba243",
        "085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2c22e422478d305f3f896",
    ),
    (
        "A.5",
        "sha1",
        bytes(range(0x50)),
        bytes(range(0x60, 0xB0)),
        bytes(range(0xB0, 0x100)),
        82,
        "8adae09a2a307059478d309b26c4115a224cfaf6",
        "0bd770a74d1160f7c9f12cd5912a06ebff6adcae899d92191fe4305673ba2ffe"
        "8fa3f1a4e5ad79f3f334b3b202b2173c486ea37ce3d397ed034c7f9dfeb15c5e"
        "927336d0441f4c4300e2cff0d0900b52d3b4",
    ),
    (
        "A.6",
        "sha1",
        b"\x0b" * 22,
        b"",
        b"",
        42,
        "da8c8a73c7fa77288ec6f5e7c297786aa0d32d01",
        "0ac1af7002b3d761d1e55298da9d0506b9ae52057220a306e07b6b87e8df21d0ea00033de03984d34918",
    ),
    (
        "A.7",
        "sha1",
        b"\x0c" * 22,
        None,
        b"",
        42,
        "2adccada18779e7c2077ad2eb19d3f3e731385dd",
        "2c91117204d745f3500d636a62f64f0ab3bae548aa53d423b0d1f27ebba6f5e5673a081d70cce7acfc48",
    ),
]


@pytest.mark.parametrize(
    ("case", "algorithm", "ikm", "salt", "info", "length", "prk", "okm"),
    RFC5869,
    ids=[c[0] for c in RFC5869],
)
def test_rfc5869(
    case: str,
    algorithm: str,
    ikm: bytes,
    salt: bytes | None,
    info: bytes,
    length: int,
    prk: str,
    okm: str,
) -> None:
    assert hkdf_extract(salt, ikm, algorithm).hex() == prk
    assert hkdf_expand(bytes.fromhex(prk), info, length, algorithm).hex() == okm
    assert hkdf(ikm, salt=salt, info=info, length=length, algorithm=algorithm).hex() == okm


@pytest.mark.parametrize(
    ("algorithm", "hash_len"), [("sha256", 32), ("sha384", 48), ("sha512", 64)]
)
def test_hkdf_length_limits(algorithm: str, hash_len: int) -> None:
    prk = hkdf_extract(b"salt", b"ikm", algorithm)
    assert len(prk) == hash_len
    longest = hkdf_expand(prk, b"info", 255 * hash_len, algorithm)
    assert len(longest) == 255 * hash_len
    # Each output is a prefix of any longer one (same PRK and info).
    assert hkdf_expand(prk, b"info", 7, algorithm) == longest[:7]
    for bad in (255 * hash_len + 1, 0, -1, True, 1.0):
        with pytest.raises(ValidationError) as info:
            hkdf_expand(prk, b"info", bad, algorithm)  # type: ignore[arg-type]
        assert info.value.field == "length"
        with pytest.raises(ValidationError):
            hkdf(b"ikm", length=bad, algorithm=algorithm)  # type: ignore[arg-type]


def test_hkdf_inputs() -> None:
    assert hkdf("ikm", salt="salt", info="info") == hkdf(b"ikm", salt=b"salt", info=b"info")
    # RFC 5869 §2.2: no salt means HashLen zeros, which HMAC treats like an empty key.
    assert hkdf(b"ikm", salt=None) == hkdf(b"ikm", salt=b"") == hkdf(b"ikm", salt=bytes(32))
    with pytest.raises(ValidationError) as info:
        hkdf_expand(b"short", b"", 32)
    assert info.value.field == "prk"
    with pytest.raises(ValidationError) as info:
        hkdf(b"ikm", algorithm="md5")
    assert info.value.field == "algorithm"
    with pytest.raises(ValidationError) as info:
        hkdf(42)  # type: ignore[arg-type]
    assert info.value.field == "ikm"
    with pytest.raises(ValidationError) as info:
        hkdf(b"ikm", info=4.2)  # type: ignore[arg-type]
    assert info.value.field == "info"


# -- PBKDF2: RFC 6070 (HMAC-SHA1) and RFC 7914 §11 (HMAC-SHA256) -------------------------

PBKDF2: list[tuple[str, bytes, bytes, int, int, str]] = [
    ("sha1", b"password", b"salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
    ("sha1", b"password", b"salt", 2, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
    ("sha1", b"password", b"salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1"),
    (
        "sha1",
        b"passwordPASSWORDpassword",
        b"saltSALTsaltSALTsaltSALTsaltSALTsalt",
        4096,
        25,
        "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038",
    ),
    ("sha1", b"pass\0word", b"sa\0lt", 4096, 16, "56fa6aa75548099dcc37d7f03425e0c3"),
    (
        "sha256",
        b"passwd",
        b"salt",
        1,
        64,
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
    ),
    (
        "sha256",
        b"Password",
        b"NaCl",
        80000,
        64,
        "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
        "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d",
    ),
]


@pytest.mark.parametrize(
    ("algorithm", "password", "salt", "iterations", "length", "expected"),
    PBKDF2,
    ids=[f"{c[0]}-{c[3]}-{c[4]}" for c in PBKDF2],
)
def test_pbkdf2_vectors(
    algorithm: str, password: bytes, salt: bytes, iterations: int, length: int, expected: str
) -> None:
    assert pbkdf2_hmac(password, salt, iterations, length, algorithm).hex() == expected
    if iterations <= 4096:
        # The fallback used where hashlib has no pbkdf2_hmac (builds without OpenSSL).
        assert _pbkdf2_pure(algorithm, password, salt, iterations, length).hex() == expected


@settings(max_examples=15)
@given(
    password=st.binary(max_size=80),
    salt=st.binary(max_size=40),
    iterations=st.integers(1, 20),
    length=st.integers(1, 100),
    algorithm=st.sampled_from(["sha256", "sha512", "sha1"]),
)
def test_pbkdf2_fallback_matches_hashlib(
    password: bytes, salt: bytes, iterations: int, length: int, algorithm: str
) -> None:
    got = _pbkdf2_pure(algorithm, password, salt, iterations, length)
    assert got == pbkdf2_hmac(password, salt, iterations, length, algorithm)
    if hasattr(hashlib, "pbkdf2_hmac"):
        assert got == hashlib.pbkdf2_hmac(algorithm, password, salt, iterations, length)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"iterations": 0}, "iterations"),
        ({"iterations": True}, "iterations"),
        ({"iterations": 1.5}, "iterations"),
        ({"iterations": 2**31}, "iterations"),
        ({"length": 0}, "length"),
        ({"length": 2**31}, "length"),
        ({"algorithm": "md5"}, "algorithm"),
        ({"password": 1}, "password"),
        ({"salt": None}, "salt"),
    ],
)
def test_pbkdf2_validation(kwargs: dict[str, Any], field: str) -> None:
    args: dict[str, Any] = {
        "password": b"pw",
        "salt": b"salt",
        "iterations": 1,
        "length": 32,
        "algorithm": "sha256",
    }
    args.update(kwargs)
    with pytest.raises(ValidationError) as info:
        pbkdf2_hmac(**args)
    assert info.value.field == field


def test_pbkdf2_str_inputs() -> None:
    assert pbkdf2_hmac("pässword", "salt", 2) == pbkdf2_hmac("pässword".encode(), b"salt", 2)
