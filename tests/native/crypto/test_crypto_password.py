"""Password hashing: Argon2id on every backend, PHC strings, bcrypt verification.

Every runtime has the pure backends; native CPython adds argon2-cffi,
cryptography and the bcrypt package, and checks them against each other.
Parameters stay tiny except in the native-only OWASP test: pure Argon2id at
OWASP's defaults takes ~9.5 s natively and about a minute under WASI or Pyodide.
"""

from __future__ import annotations

import importlib
from typing import TypedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra_portable.crypto._argon2_base import Argon2Backend
from infra_portable.crypto._bcrypt_base import BcryptBackend, parse_bcrypt
from infra_portable.crypto._bcrypt_pure import blowfish_initial_state
from infra_portable.crypto._password import (
    PasswordHasher,
    argon2_backend,
    argon2id_raw,
    bcrypt_backend,
)
from infra_portable.crypto._phc import PhcArgon2id, format_phc, parse_phc
from infra_portable.errors import ConfigError, CryptoError, ValidationError
from infra_portable.runtime import REGISTRY, current

ARGON2_NAMES = [impl.name for impl in REGISTRY.capability("crypto-password").implementations]
BCRYPT_NAMES = ["native", "pure"]


class _Params(TypedDict):
    time_cost: int
    memory_cost_kib: int
    parallelism: int


TINY: _Params = {"time_cost": 1, "memory_cost_kib": 64, "parallelism": 1}


def _available_argon2() -> list[str]:
    return [c.name for c in REGISTRY.explain("crypto-password") if c.available]


@pytest.fixture(params=ARGON2_NAMES)
def argon2_name(request: pytest.FixtureRequest) -> str:
    """Each Argon2id backend in turn; one that cannot load here is skipped with the reason."""
    name: str = request.param
    candidates = {c.name: c for c in REGISTRY.explain("crypto-password")}
    if not candidates[name].available:
        pytest.skip(f"{name} unavailable on {current().value}: {candidates[name].reason}")
    return name


@pytest.fixture(params=BCRYPT_NAMES)
def bcrypt_name(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    try:
        bcrypt_backend(name)
    except ConfigError as exc:
        pytest.skip(exc.message)
    return name


# -- Argon2id: known answers ---------------------------------------------------

RFC9106_TAG = "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"

# Computed with argon2-cffi (the reference C code): several lanes with a memory
# size that is not a multiple of 4p, a tag longer than one BLAKE2b output, and a
# segment of 130 blocks, which needs two blocks of data-independent addresses.
PINNED = [
    (b"password", b"somesalt", 2, 64, 2, 80,
     "780307769c0246431a5d001c10e7037de3909a8c2694d989d1f98c2493d4f711e8946db8943c940d"
     "236f30586dd1485eb04fd4dce9f43d7d7a58e20727b18893879bf6d3eb93c3f7100deb05ca2b54d1"),
    (b"password", b"somesalt", 1, 520, 1, 32,
     "4a2e4ab948938db07c43f4b16e6919c3aa4f9dc6da0af0d9e1a7c8f128329feb"),
    ("\U0001f511 key".encode(), b"0123456789abcdef", 2, 37, 3, 16,
     "0bf5edbc2bc8a4dcdd23699312152155"),
]  # fmt: skip

# argon2-cffi's PasswordHasher(time_cost=1, memory_cost=64, parallelism=2,
# hash_len=24, salt_len=12).hash("correct horse battery staple").
ARGON2_CFFI_PHC = "$argon2id$v=19$m=64,t=1,p=2$0bl8U/3aRaX+Hrv9$qWenKsxru4ZfE4I63hO5Hl7JpJ4tvLmv"


def test_rfc9106_test_vector(argon2_name: str) -> None:
    tag = argon2id_raw(
        b"\x01" * 32,
        b"\x02" * 16,
        secret=b"\x03" * 8,
        associated_data=b"\x04" * 12,
        time_cost=3,
        memory_cost_kib=32,
        parallelism=4,
        hash_len=32,
        backend=argon2_name,
    )
    assert tag.hex() == RFC9106_TAG


@pytest.mark.parametrize(("password", "salt", "t", "m", "p", "hash_len", "expected"), PINNED)
def test_pinned_reference_tags(
    argon2_name: str,
    password: bytes,
    salt: bytes,
    t: int,
    m: int,
    p: int,
    hash_len: int,
    expected: str,
) -> None:
    tag = argon2id_raw(
        password,
        salt,
        time_cost=t,
        memory_cost_kib=m,
        parallelism=p,
        hash_len=hash_len,
        backend=argon2_name,
    )
    assert tag.hex() == expected


@settings(max_examples=8)
@given(
    password=st.binary(max_size=40),
    salt=st.binary(min_size=8, max_size=24),
    secret=st.binary(max_size=16),
    associated_data=st.binary(max_size=16),
    time_cost=st.integers(1, 2),
    parallelism=st.integers(1, 3),
    extra_kib=st.integers(0, 40),
    hash_len=st.integers(4, 100),
)
def test_backends_agree(
    password: bytes,
    salt: bytes,
    secret: bytes,
    associated_data: bytes,
    time_cost: int,
    parallelism: int,
    extra_kib: int,
    hash_len: int,
) -> None:
    names = _available_argon2()
    if len(names) < 2:
        pytest.skip(f"only {names} available on {current().value}")
    tags = {
        name: argon2id_raw(
            password,
            salt,
            secret=secret,
            associated_data=associated_data,
            time_cost=time_cost,
            memory_cost_kib=8 * parallelism + extra_kib,
            parallelism=parallelism,
            hash_len=hash_len,
            backend=name,
        )
        for name in names
    }
    assert len(set(tags.values())) == 1, tags


def test_native_backend_errors_are_crypto_errors(argon2_name: str) -> None:
    """A backend called around the checks still raises our error, never its own."""
    if argon2_name == "pure":
        pytest.skip("the pure backend trusts its (already checked) arguments")
    backend: Argon2Backend = argon2_backend(argon2_name)
    with pytest.raises(CryptoError):
        backend.argon2id(
            b"pw", b"short", time_cost=1, memory_cost_kib=8, parallelism=1, hash_len=32
        )


# -- PasswordHasher --------------------------------------------------------------


def test_defaults_are_owasp() -> None:
    hasher = PasswordHasher()
    assert (hasher.memory_cost_kib, hasher.time_cost, hasher.parallelism) == (19456, 2, 1)
    assert (hasher.hash_len, hasher.salt_len) == (32, 16)
    assert repr(PasswordHasher.argon2id(time_cost=3)).startswith("PasswordHasher(time_cost=3,")


def test_hash_then_verify(argon2_name: str) -> None:
    hasher = PasswordHasher(**TINY, backend=argon2_name)
    stored = hasher.hash("correct horse")
    assert stored.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert hasher.verify("correct horse", stored)
    assert hasher.verify(b"correct horse", stored)
    assert not hasher.verify("correct horsf", stored)
    assert not hasher.verify("", stored)
    assert hasher.hash("correct horse") != stored  # a fresh salt each time
    assert hasher.backend_name == argon2_name


def test_same_phc_on_every_backend(argon2_name: str) -> None:
    hasher = PasswordHasher(**TINY, backend=argon2_name)
    stored = hasher.hash("pässwörd", salt=b"fixed salt 16 b!")
    assert stored == (
        PasswordHasher(**TINY, backend="pure").hash("pässwörd".encode(), salt=b"fixed salt 16 b!")
    )


def test_verifies_a_hash_made_by_argon2_cffi(argon2_name: str) -> None:
    hasher = PasswordHasher(backend=argon2_name)
    assert hasher.verify("correct horse battery staple", ARGON2_CFFI_PHC)
    assert not hasher.verify("correct horse battery stapler", ARGON2_CFFI_PHC)
    assert hasher.needs_rehash(ARGON2_CFFI_PHC)


def test_interoperates_with_argon2_cffi_password_hasher() -> None:
    argon2 = pytest.importorskip("argon2", reason="argon2-cffi is not installed here")
    theirs = argon2.PasswordHasher(time_cost=1, memory_cost=256, parallelism=2)
    ours = PasswordHasher(time_cost=1, memory_cost_kib=256, parallelism=2)
    assert ours.verify("s3cret", theirs.hash("s3cret"))
    assert theirs.verify(ours.hash("s3cret"), "s3cret")
    assert not ours.needs_rehash(theirs.hash("s3cret"))


@pytest.mark.native_only(reason="19 MiB of Argon2id: pure Python takes minutes under WASI/Pyodide")
def test_owasp_defaults_round_trip() -> None:
    hasher = PasswordHasher()
    if hasher.backend_name == "pure":
        pytest.skip(
            "pure Argon2id at OWASP's defaults takes ~9.5 s natively (measured; see _argon2_pure)"
        )
    stored = hasher.hash("hunter2")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.verify("hunter2", stored)
    assert not hasher.needs_rehash(stored)


def test_needs_rehash() -> None:
    hasher = PasswordHasher(**TINY)
    stored = hasher.hash("pw")
    assert not hasher.needs_rehash(stored)
    assert PasswordHasher(time_cost=2, memory_cost_kib=64).needs_rehash(stored)
    assert PasswordHasher(**TINY, hash_len=16).needs_rehash(stored)
    assert PasswordHasher(**TINY, salt_len=32).needs_rehash(stored)
    assert hasher.needs_rehash("$2b$04$abcdefghijklmnopqrstuuGspVVDvTz38hS7RBjIMQOom7jxHAiA.")
    with pytest.raises(ValidationError) as info:
        hasher.needs_rehash("$argon2id$nonsense")
    assert info.value.field == "hash"


def test_backend_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRA_PORTABLE_CRYPTO_PASSWORD", "pure")
    REGISTRY.reset()
    assert PasswordHasher(**TINY).backend_name == "pure"


def test_unknown_backend_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        PasswordHasher(backend="nonesuch")
    with pytest.raises(ConfigError):
        PasswordHasher(bcrypt_backend="nonesuch").verify(
            "x", "$2b$04$abcdefghijklmnopqrstuuGspVVDvTz38hS7RBjIMQOom7jxHAiA."
        )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"time_cost": 0}, "time_cost"),
        ({"parallelism": 0}, "parallelism"),
        ({"parallelism": 256, "memory_cost_kib": 4096}, "parallelism"),
        ({"memory_cost_kib": 4 * 1024 * 1024 + 1}, "memory_cost_kib"),
        ({"memory_cost_kib": 15, "parallelism": 2}, "memory_cost_kib"),
        ({"hash_len": 3}, "hash_len"),
        ({"salt_len": 7}, "salt_len"),
        ({"time_cost": 1.5}, "time_cost"),
        ({"time_cost": True}, "time_cost"),
    ],
)
def test_absurd_parameters_are_rejected(params: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        PasswordHasher(**params)  # type: ignore[arg-type]
    assert info.value.field == field


def test_bad_inputs_are_validation_errors() -> None:
    hasher = PasswordHasher(**TINY)
    with pytest.raises(ValidationError) as info:
        hasher.hash(42)  # type: ignore[arg-type]
    assert info.value.field == "password"
    with pytest.raises(ValidationError) as info:
        hasher.hash("\udc80")
    assert info.value.field == "password"
    with pytest.raises(ValidationError) as info:
        hasher.hash("pw", salt=b"short")
    assert info.value.field == "salt_len"
    with pytest.raises(ValidationError) as info:
        argon2id_raw("pw", "not bytes", **TINY)  # type: ignore[arg-type]
    assert info.value.field == "salt"
    with pytest.raises(ValidationError) as info:
        hasher.verify("pw", 42)  # type: ignore[arg-type]
    assert info.value.field == "hash"


def test_argon2id_raw_defaults_and_str_passwords() -> None:
    tag = argon2id_raw("pässwörd", b"saltsalt", **TINY)
    assert tag == argon2id_raw("pässwörd".encode(), b"saltsalt", **TINY)
    assert len(tag) == 32


# -- PHC strings -------------------------------------------------------------------


def test_phc_round_trip() -> None:
    parsed = parse_phc(ARGON2_CFFI_PHC)
    assert (parsed.memory_cost_kib, parsed.time_cost, parsed.parallelism) == (64, 1, 2)
    assert (len(parsed.salt), len(parsed.hash), parsed.version) == (12, 24, 19)
    assert format_phc(parsed) == ARGON2_CFFI_PHC
    phc = PhcArgon2id(19456, 2, 1, b"\x00" * 16, b"\xff" * 32)
    assert format_phc(phc) == (
        "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + "/" * 42 + "8"
    )
    assert parse_phc(format_phc(phc)) == phc


GOOD_TAIL = "0bl8U/3aRaX+Hrv9$qWenKsxru4ZfE4I63hO5Hl7JpJ4tvLmv"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "argon2id$v=19$m=64,t=1,p=2$" + GOOD_TAIL,
        "$argon2id$m=64,t=1,p=2$" + GOOD_TAIL,  # no version (that is Argon2 1.0)
        "$argon2id$v=16$m=64,t=1,p=2$" + GOOD_TAIL,
        "$argon2id$v=19$t=1,m=64,p=2$" + GOOD_TAIL,  # parameter order
        "$argon2id$v=19$m=064,t=1,p=2$" + GOOD_TAIL,  # leading zero
        "$argon2id$v=19$m=+64,t=1,p=2$" + GOOD_TAIL,
        "$argon2id$v=19$m=64,t=1,p=2,keyid=abc$" + GOOD_TAIL,
        "$argon2id$v=19$m=64,t=1,p=2$0bl8U/3aRaX+Hrv9=$qWenKsxru4ZfE4I63hO5Hl7JpJ4tvLmv",
        "$argon2id$v=19$m=64,t=1,p=2$0bl8U_3aRaX-Hrv9$qWenKsxru4ZfE4I63hO5Hl7JpJ4tvLmv",
        # unused bits set: 22 characters carry 132 bits for a 128-bit salt
        "$argon2id$v=19$m=64,t=1,p=2$AAAAAAAAAAAAAAAAAAAAAB$qWenKsxru4ZfE4I63hO5Hl7JpJ4tvLmv",
        "$argon2id$v=19$m=64,t=1,p=2$0bl8U/3aRaX+Hrv9$qWenKsxru4ZfE4I63hO5Hl7JpJ4tvLmvA",
        "$argon2id$v=19$m=64,t=1,p=2$" + GOOD_TAIL + "\n",
        "$argon2id$v=19$m=٦٤,t=1,p=2$" + GOOD_TAIL,  # non-ASCII digits
        "$argon2i$v=19$m=64,t=1,p=2$" + GOOD_TAIL,
        "$argon2d$v=19$m=64,t=1,p=2$" + GOOD_TAIL,
        "$argon2id$v=19$m=64,t=0,p=2$" + GOOD_TAIL,  # parses, but t is out of range
        "$argon2id$v=19$m=8,t=1,p=2$" + GOOD_TAIL,  # m < 8p
        "$argon2id$v=19$m=64,t=1,p=2$c2FsdA$" + GOOD_TAIL.split("$")[1],  # 4-byte salt
        "$2b$03$abcdefghijklmnopqrstuuGspVVDvTz38hS7RBjIMQOom7jxHAiA.",  # cost < 4
        "$2b$32$abcdefghijklmnopqrstuuGspVVDvTz38hS7RBjIMQOom7jxHAiA.",  # cost > 31
        "$2x$05$abcdefghijklmnopqrstuuGspVVDvTz38hS7RBjIMQOom7jxHAiA.",  # buggy variant
        "$2b$04$abcdefghijklmnopqrstuuGspVVDvTz38hS7RBjIMQOom7jxHAiA",  # one char short
        "$2b$04$abcdefghijklmnopqrstuuGspVVDvTz38hS7RBjIMQOom7jxHAiA/",  # non-canonical
    ],
)
def test_malformed_hash_strings_name_the_hash(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        PasswordHasher(**TINY, bcrypt_backend="pure").verify("pw", text)
    assert info.value.field == "hash"


def test_argon2i_and_argon2d_say_why() -> None:
    with pytest.raises(ValidationError, match="only Argon2id"):
        PasswordHasher(**TINY).verify("pw", "$argon2i$v=19$m=64,t=1,p=2$" + GOOD_TAIL)


# -- bcrypt ----------------------------------------------------------------------------

# Each pure bcrypt check at cost 5 takes ~3 s under WASI: vectors that add no
# coverage there (the same code path as another vector) run natively only.
NATIVE_SPEED = pytest.mark.skip_runtime(
    "wasi", "pyodide", reason="same path as other vectors; pure bcrypt takes seconds here"
)

# OpenBSD / Openwall crypt_blowfish test vectors (cost 5), pyca bcrypt's (cost 4).
BCRYPT_VECTORS = [
    (b"U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
    pytest.param(b"U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", marks=NATIVE_SPEED),
    pytest.param(b"U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a", marks=NATIVE_SPEED),
    (b"", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"),
    (b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
     b"chars after 72 are ignored",
     "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"),
    (b"\xff\xff\xa3", "$2b$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e"),
    (b"\xa3", "$2y$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq"),
    (b"~!@#$%^&*()      ~!@#$%^&*()PNBFRD",
     "$2b$04$abcdefghijklmnopqrstuuGspVVDvTz38hS7RBjIMQOom7jxHAiA."),
    pytest.param(b"0123456789" * 8, "$2b$04$abcdefghijklmnopqrstuum2G75IXDN/xsgbNa/hCiPSKyIHQd70S", marks=NATIVE_SPEED),
]  # fmt: skip


@pytest.mark.parametrize(("password", "stored"), BCRYPT_VECTORS)
def test_bcrypt_vectors(bcrypt_name: str, password: bytes, stored: str) -> None:
    backend: BcryptBackend = bcrypt_backend(bcrypt_name)
    parsed = parse_bcrypt(stored)
    assert backend.checksum(password, parsed.cost, parsed.salt) == parsed.checksum


def test_bcrypt_through_the_hasher(bcrypt_name: str) -> None:
    hasher = PasswordHasher(**TINY, bcrypt_backend=bcrypt_name)
    stored = "$2b$04$abcdefghijklmnopqrstuuGspVVDvTz38hS7RBjIMQOom7jxHAiA."
    assert hasher.verify("~!@#$%^&*()      ~!@#$%^&*()PNBFRD", stored)
    assert not hasher.verify("~!@#$%^&*()      ~!@#$%^&*()PNBFRE", stored)
    # The 72-byte cap: only the first 72 bytes count.
    long_hash = "$2b$04$abcdefghijklmnopqrstuum2G75IXDN/xsgbNa/hCiPSKyIHQd70S"
    assert hasher.verify("0123456789" * 7 + "01" + "anything", long_hash)
    # A NUL would end the C string: never let "a\0b" stand in for "a".
    assert not hasher.verify("~!@#$%^&*()      ~!@#$%^&*()PNBFRD\0", stored)


def test_bcrypt_salt_unused_bits_are_ignored(bcrypt_name: str) -> None:
    """As in OpenBSD: the last salt character's low 4 bits carry nothing."""
    hasher = PasswordHasher(**TINY, bcrypt_backend=bcrypt_name)
    unclean = "$2b$04$abcdefghijklmnopqrstuvGspVVDvTz38hS7RBjIMQOom7jxHAiA."
    assert hasher.verify("~!@#$%^&*()      ~!@#$%^&*()PNBFRD", unclean)


def test_bcrypt_default_backend() -> None:
    try:
        importlib.import_module("bcrypt")
        expected = "native"
    except ImportError:
        expected = "pure"
    assert bcrypt_backend().name == expected


def test_blowfish_tables_are_pi() -> None:
    words = blowfish_initial_state()
    assert len(words) == 1042
    assert words[:3] == (0x243F6A88, 0x85A308D3, 0x13198A2E)
    assert words[18] == 0xD1310BA6  # S1[0]
    assert words[-1] == 0x3AC372E6  # S4[255]
