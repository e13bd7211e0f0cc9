"""ECDSA P-256 and RSA signatures: vectors, cross-backend checks, key formats, strictness.

Every contract runs against every ``crypto-pkey`` backend this runtime has; the
ones it lacks are skipped with the registry's reason. Vectors: RFC 6979 A.2.5,
NIST CAVS (ECDSA SigVer, RSA SigGen15 / SigGenPSS, via cryptography_vectors) and
RFC 7515 A.2 / A.3. Fixed keys keep the suite fast under WASI.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra_portable.crypto import _der
from infra_portable.crypto._p256_pure import N
from infra_portable.crypto._pem import pem_decode
from infra_portable.crypto._pkey import (
    EcdsaP256PrivateKey,
    EcdsaP256PublicKey,
    RsaPrivateKey,
    RsaPublicKey,
    load_private_key,
    load_public_key,
)
from infra_portable.errors import CryptoError, CryptoOperation, InfraError, ValidationError
from infra_portable.runtime import REGISTRY, current

T = TypeVar("T")
RunAsync = Callable[[Coroutine[Any, Any, T]], T]
DATA = Path(__file__).parent / "data"
RFC = json.loads((DATA / "pkey_rfc.json").read_text())
NIST = json.loads((DATA / "pkey_nist.json").read_text())
BACKENDS = [impl.name for impl in REGISTRY.capability("crypto-pkey").implementations]


def _available(name: str) -> tuple[bool, str]:
    candidates = {c.name: c for c in REGISTRY.explain("crypto-pkey")}
    return candidates[name].available, candidates[name].reason


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each crypto-pkey backend in turn; one that cannot load here is skipped with the reason."""
    name: str = request.param
    ok, reason = _available(name)
    if not ok:
        pytest.skip(f"{name} unavailable on {current().value}: {reason}")
    return name


def _b64u(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _rfc6979_key(backend: str | None = None) -> EcdsaP256PrivateKey:
    return EcdsaP256PrivateKey.from_int(int(RFC["rfc6979"]["d"], 16), backend=backend)


def _rs256_key(backend: str | None = None) -> RsaPrivateKey:
    return RsaPrivateKey.from_jwk(RFC["rfc7515"]["rs256_jwk"], backend=backend)


# -- ECDSA vectors ------------------------------------------------------------


@pytest.mark.parametrize("case", RFC["rfc6979"]["signatures"], ids=lambda c: c["message"])
def test_rfc6979_pure_signatures_are_exact(case: dict[str, str]) -> None:
    signature = _rfc6979_key("pure").sign(case["message"].encode())
    assert signature == bytes.fromhex(case["r"] + case["s"])


@pytest.mark.parametrize("case", RFC["rfc6979"]["signatures"], ids=lambda c: c["message"])
def test_rfc6979_signatures_verify_on_every_backend(backend: str, case: dict[str, str]) -> None:
    key = _rfc6979_key(backend)
    public = key.public_key()
    assert (public.x, public.y) == (int(RFC["rfc6979"]["ux"], 16), int(RFC["rfc6979"]["uy"], 16))
    raw = bytes.fromhex(case["r"] + case["s"])
    public.verify(raw, case["message"].encode())
    der = _der.sequence(_der.integer(int(case["r"], 16)), _der.integer(int(case["s"], 16)))
    public.verify(der, case["message"].encode(), encoding="der")
    with pytest.raises(CryptoError) as info:
        public.verify(raw, b"other message")
    assert info.value.operation is CryptoOperation.VERIFY


def test_rfc6979_pem_keys_load() -> None:
    # OpenSSL test files wrap base64 at 76 columns and omit the public key in PKCS#8.
    key = EcdsaP256PrivateKey.from_pem(RFC["rfc6979"]["private_pem"])
    assert key.to_int() == int(RFC["rfc6979"]["d"], 16)
    public = EcdsaP256PublicKey.from_pem(RFC["rfc6979"]["public_pem"])
    assert public == key.public_key()


@pytest.mark.parametrize("case", NIST["ecdsa_sigver"], ids=lambda c: c["comment"][:12])
def test_nist_ecdsa_sigver(backend: str, case: dict[str, Any]) -> None:
    signature = bytes.fromhex(case["r"] + case["s"])
    message = bytes.fromhex(case["msg"])
    try:
        public = EcdsaP256PublicKey(int(case["qx"], 16), int(case["qy"], 16), backend=backend)
    except ValidationError:
        assert not case["valid"]
        return
    if case["valid"]:
        public.verify(signature, message)
    else:
        with pytest.raises(CryptoError):
            public.verify(signature, message)


def test_rfc7515_a3_es256_verifies(backend: str) -> None:
    jose = RFC["rfc7515"]
    public = EcdsaP256PublicKey.from_jwk(jose["es256_jwk"], backend=backend)
    public.verify(_b64u(jose["es256_signature"]), jose["es256_signing_input"].encode())
    private = EcdsaP256PrivateKey.from_jwk(jose["es256_jwk"], backend=backend)
    assert private.public_key() == public
    assert private.to_jwk() == jose["es256_jwk"]


# -- RSA vectors -------------------------------------------------------------


def test_rfc7515_a2_rs256_is_exact(backend: str) -> None:
    jose = RFC["rfc7515"]
    key = _rs256_key(backend)
    expected = _b64u(jose["rs256_signature"])
    assert key.sign_pkcs1v15(jose["signing_input"].encode()) == expected
    key.public_key().verify_pkcs1v15(expected, jose["signing_input"].encode())
    assert key.to_jwk() == jose["rs256_jwk"]


@pytest.mark.parametrize("group", NIST["rsa_pkcs1v15_siggen"], ids=lambda g: str(len(g["n"]) * 4))
def test_nist_rsa_pkcs1v15_sha256(backend: str, group: dict[str, Any]) -> None:
    public = RsaPublicKey(int(group["n"], 16), int(group["e"], 16), backend=backend)
    for vector in group["vectors"]:
        message, signature = bytes.fromhex(vector["msg"]), bytes.fromhex(vector["s"])
        public.verify_pkcs1v15(signature, message)
        with pytest.raises(CryptoError):
            public.verify_pkcs1v15(signature, message + b"!")


@pytest.mark.parametrize("group", NIST["rsa_pss_siggen"], ids=lambda g: str(len(g["n"]) * 4))
def test_nist_rsa_pss_sha256(backend: str, group: dict[str, Any]) -> None:
    public = RsaPublicKey(int(group["n"], 16), int(group["e"], 16), backend=backend)
    for vector in group["vectors"]:
        message, signature = bytes.fromhex(vector["msg"]), bytes.fromhex(vector["s"])
        salt = len(bytes.fromhex(vector["salt"]))
        public.verify_pss(signature, message, salt_length=salt)
        public.verify_pss(signature, message, salt_length=None)
        with pytest.raises(CryptoError):
            public.verify_pss(signature, message, salt_length=32)


# -- round trips and cross-backend -------------------------------------------


def test_ecdsa_sign_verify_round_trip(backend: str) -> None:
    key = EcdsaP256PrivateKey.generate(backend=backend)
    public = key.public_key()
    for encoding in ("raw", "der"):
        signature = key.sign(b"payload", encoding=encoding)
        public.verify(signature, b"payload", encoding=encoding)
    assert len(key.sign(b"payload")) == 64


def test_rsa_pss_round_trip(backend: str) -> None:
    key = _rs256_key(backend)
    public = key.public_key()
    max_salt = (key.key_size - 1 + 7) // 8 - 34
    for salt in (0, 32, max_salt):
        signature = key.sign_pss(b"payload", salt_length=salt)
        public.verify_pss(signature, b"payload", salt_length=salt)
        public.verify_pss(signature, b"payload", salt_length=None)
    with pytest.raises(ValidationError):
        key.sign_pss(b"payload", salt_length=max_salt + 1)


def _other_backends(backend: str) -> list[str]:
    return [b for b in BACKENDS if b != backend and _available(b)[0]]


@settings(max_examples=4)
@given(message=st.binary(max_size=64))
def test_cross_backend_signatures_verify(message: bytes) -> None:
    names = [b for b in BACKENDS if _available(b)[0]]
    ec = {name: _rfc6979_key(name) for name in names}
    rsa = {name: _rs256_key(name) for name in names}
    for signer in names:
        ec_sig = ec[signer].sign(message)
        pss_sig = rsa[signer].sign_pss(message)
        for verifier in names:
            ec[verifier].public_key().verify(ec_sig, message)
            rsa[verifier].public_key().verify_pss(pss_sig, message)


def test_pure_ecdsa_is_deterministic_and_others_verify() -> None:
    key = _rfc6979_key("pure")
    assert key.sign(b"x") == key.sign(b"x")
    for name in BACKENDS:
        if _available(name)[0]:
            _rfc6979_key(name).public_key().verify(key.sign(b"x"), b"x")


# -- key formats -------------------------------------------------------------


def test_ec_formats_round_trip() -> None:
    key = _rfc6979_key()
    public = key.public_key()
    assert EcdsaP256PrivateKey.from_pem(key.to_pem()).to_int() == key.to_int()
    assert EcdsaP256PrivateKey.from_der(key.to_der()).to_int() == key.to_int()
    assert EcdsaP256PublicKey.from_pem(public.to_pem()) == public
    assert EcdsaP256PublicKey.from_der(public.to_der()) == public
    assert EcdsaP256PublicKey.from_bytes(public.to_bytes()) == public
    compressed = public.to_bytes(compressed=True)
    assert len(compressed) == 33
    assert EcdsaP256PublicKey.from_bytes(compressed) == public
    assert EcdsaP256PublicKey.from_jwk(public.to_jwk()) == public


def test_ec_sec1_private_key_loads() -> None:
    key = _rfc6979_key()
    sec1 = _der.sequence(
        _der.integer(1),
        _der.octet_string(key.to_int().to_bytes(32, "big")),
        _der.context(0, _der.oid("1.2.840.10045.3.1.7")),
    )
    pem = (
        b"-----BEGIN EC PRIVATE KEY-----\n"
        + base64.b64encode(sec1)
        + b"\n-----END EC PRIVATE KEY-----\n"
    )
    assert EcdsaP256PrivateKey.from_pem(pem).to_int() == key.to_int()
    loaded = load_private_key(pem)
    assert isinstance(loaded, EcdsaP256PrivateKey)


def test_ec_pkcs8_v2_with_public_key_loads() -> None:
    key = _rfc6979_key()
    point = key.public_key().to_bytes()
    v1 = _der.decode(key.to_der()).sequence()
    v2 = _der.sequence(
        _der.integer(1),
        _der.sequence(_der.oid("1.2.840.10045.2.1"), _der.oid("1.2.840.10045.3.1.7")),
        _der.octet_string(v1[2].octet_string()),
        bytes((0x81, len(point) + 1, 0)) + point,  # [1] IMPLICIT BIT STRING
    )
    assert EcdsaP256PrivateKey.from_der(v2).to_int() == key.to_int()
    assert load_private_key(v2).public_key() == key.public_key()
    with pytest.raises(ValidationError):
        EcdsaP256PrivateKey.from_der(v2[:-68] + bytes((0x82, 66, 0)) + point)


def test_rsa_formats_round_trip() -> None:
    key = _rs256_key()
    public = key.public_key()
    assert RsaPrivateKey.from_pem(key.to_pem()).numbers == key.numbers
    assert RsaPrivateKey.from_der(key.to_der()).numbers == key.numbers
    assert RsaPublicKey.from_pem(public.to_pem()) == public
    pkcs1 = _der.sequence(_der.integer(public.n), _der.integer(public.e))
    assert RsaPublicKey.from_der(pkcs1) == public
    k = key.numbers
    private_pkcs1 = _der.sequence(
        *(_der.integer(v) for v in (0, k.n, k.e, k.d, k.p, k.q, k.dp, k.dq, k.qi))
    )
    assert RsaPrivateKey.from_der(private_pkcs1).numbers == k
    assert public.key_size == 2048


@pytest.mark.native_only(reason="compares with the cryptography package's serialisation")
def test_formats_interoperate_with_cryptography() -> None:
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    for ours in (_rfc6979_key(), _rs256_key()):
        theirs = serialization.load_pem_private_key(ours.to_pem(), password=None)
        pem = theirs.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        assert pem == ours.to_pem()
        public_pem = theirs.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        assert public_pem == ours.public_key().to_pem()
        traditional = theirs.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        assert load_private_key(traditional).to_pem() == ours.to_pem()


def test_load_dispatches_on_the_key_itself() -> None:
    ec, rsa = _rfc6979_key(), _rs256_key()
    for key, kind in ((ec, EcdsaP256PrivateKey), (rsa, RsaPrivateKey)):
        for form in (key.to_pem(), key.to_pem().decode(), key.to_der(), key.to_jwk()):
            assert isinstance(load_private_key(form), kind)
        public = key.public_key()
        for form in (public.to_pem(), public.to_der(), public.to_jwk()):
            assert load_public_key(form) == public
    with pytest.raises(ValidationError) as info:
        load_public_key(ec.to_jwk())
    assert info.value.field == "jwk.d"


def test_load_okp_keys_through_eddsa() -> None:
    eddsa = pytest.importorskip("infra_portable.crypto._eddsa")
    key = eddsa.Ed25519PrivateKey.generate()
    assert isinstance(load_private_key(key.to_pem()), eddsa.Ed25519PrivateKey)
    assert isinstance(load_private_key(key.to_jwk()), eddsa.Ed25519PrivateKey)
    public = key.public_key()
    assert load_public_key(public.to_pem()) == public
    assert load_public_key(public.to_jwk()) == public


# -- strictness ----------------------------------------------------------------


def test_ecdsa_rejects_out_of_range_and_bad_lengths() -> None:
    public = _rfc6979_key().public_key()
    r = int(RFC["rfc6979"]["signatures"][0]["r"], 16)
    for bad_r, bad_s in ((0, 1), (r, 0), (N, 1), (r, N)):
        with pytest.raises(CryptoError, match="outside"):
            public.verify(bad_r.to_bytes(32, "big") + bad_s.to_bytes(32, "big"), b"sample")
    for size in (0, 63, 65):
        with pytest.raises(CryptoError, match="64 bytes"):
            public.verify(b"\x01" * size, b"sample")


@pytest.mark.parametrize(
    "signature",
    [
        "3006020101020101ff",  # trailing data
        "30800201010201010000",  # indefinite length
        "300702020001020101",  # non-minimal INTEGER
        "30810602010102010100",  # non-minimal length
        "3006020101020181",  # negative s
        "3003020101",  # one member
    ],
)
def test_ecdsa_rejects_malformed_der(signature: str) -> None:
    public = _rfc6979_key().public_key()
    with pytest.raises(CryptoError) as info:
        public.verify(bytes.fromhex(signature), b"m", encoding="der")
    assert info.value.operation is CryptoOperation.VERIFY


def test_points_must_be_on_the_curve() -> None:
    public = _rfc6979_key().public_key()
    raw = bytearray(public.to_bytes())
    raw[-1] ^= 1
    with pytest.raises(ValidationError) as info:
        EcdsaP256PublicKey.from_bytes(bytes(raw))
    assert info.value.field == "public_key"
    with pytest.raises(ValidationError):
        EcdsaP256PublicKey.from_bytes(b"\x00")  # infinity has no affine form
    with pytest.raises(ValidationError):
        EcdsaP256PublicKey.from_bytes(b"\x02" + b"\xff" * 32)
    jwk = public.to_jwk()
    jwk["y"] = jwk["x"]
    with pytest.raises(ValidationError):
        EcdsaP256PublicKey.from_jwk(jwk)


@pytest.mark.parametrize("bad", ["text", 5, None])
def test_non_bytes_inputs_are_validation_errors(bad: Any) -> None:
    ec, rsa = _rfc6979_key(), _rs256_key()
    calls: list[Callable[[], object]] = [
        lambda: ec.sign(bad),
        lambda: ec.public_key().verify(bad, b"m"),
        lambda: ec.public_key().verify(ec.sign(b"m"), bad),
        lambda: rsa.sign_pkcs1v15(bad),
        lambda: rsa.public_key().verify_pss(bad, b"m"),
        lambda: EcdsaP256PublicKey.from_bytes(bad),
        lambda: RsaPublicKey.from_pem(bad),
    ]
    for call in calls:
        with pytest.raises(ValidationError):
            call()


def test_rsa_rejects_bad_signature_sizes() -> None:
    public = _rs256_key().public_key()
    with pytest.raises(CryptoError, match="256 bytes"):
        public.verify_pkcs1v15(b"\x01" * 255, b"m")
    with pytest.raises(CryptoError, match="below n"):
        public.verify_pkcs1v15(b"\xff" * 256, b"m")
    with pytest.raises(CryptoError, match="below n"):
        public.verify_pss(public.n.to_bytes(256, "big"), b"m")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kty": "RSA"}, "jwk.kty"),
        ({"crv": "P-384"}, "jwk.crv"),
        ({"x": None}, "jwk.x"),
        ({"x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU="}, "jwk.x"),
        ({"x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEV"}, "jwk.x"),  # stray bits
        ({"x": "AAAA"}, "jwk.x"),
        ({"d": "jpsQnnGQmL+YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}, "jwk.d"),
    ],
)
def test_ec_jwk_strictness(change: dict[str, Any], field: str) -> None:
    jwk = dict(RFC["rfc7515"]["es256_jwk"])
    for name, value in change.items():
        if value is None:
            del jwk[name]
        else:
            jwk[name] = value
    with pytest.raises(ValidationError) as info:
        EcdsaP256PrivateKey.from_jwk(jwk)
    assert info.value.field == field


def test_rsa_jwk_strictness() -> None:
    jwk = dict(RFC["rfc7515"]["rs256_jwk"])
    for name in ("p", "qi"):
        broken = {k: v for k, v in jwk.items() if k != name}
        with pytest.raises(ValidationError) as info:
            RsaPrivateKey.from_jwk(broken)
        assert info.value.field == f"jwk.{name}"
    with pytest.raises(ValidationError, match="minimum octets"):
        RsaPublicKey.from_jwk({"kty": "RSA", "n": "AA" + jwk["n"][2:], "e": "AQAB"})
    with pytest.raises(ValidationError, match="inconsistent"):
        RsaPrivateKey.from_jwk(dict(jwk, dp=jwk["dq"]))


def test_pem_strictness() -> None:
    pem = _rfc6979_key().public_key().to_pem()
    with pytest.raises(ValidationError, match="labels differ"):
        pem_decode(pem.replace(b"END PUBLIC KEY", b"END PRIVATE KEY"))
    with pytest.raises(ValidationError):
        EcdsaP256PrivateKey.from_pem(pem)  # a public key where a private one belongs
    with pytest.raises(ValidationError):
        pem_decode(pem + pem)
    with pytest.raises(ValidationError):
        pem_decode(pem.replace(b"\n-----END", b"!\n-----END"))


@settings(max_examples=30)
@given(data=st.binary(max_size=120))
def test_garbage_never_escapes_as_foreign_exceptions(data: bytes) -> None:
    der = _rs256_key().public_key().to_der()
    for blob in (data, der[: len(data) % len(der)], der[:4] + data):
        for loader in (load_private_key, load_public_key, EcdsaP256PublicKey.from_bytes):
            with contextlib.suppress(InfraError):
                loader(blob)


# -- key generation ------------------------------------------------------------


def test_rsa_generation_minimum() -> None:
    with pytest.raises(ValidationError) as info:
        RsaPrivateKey.generate(1024)
    assert info.value.field == "bits"


def test_rsa_generation(backend: str) -> None:
    start = time.perf_counter()
    key = RsaPrivateKey.generate(2048, backend=backend)
    elapsed = time.perf_counter() - start
    assert key.key_size == 2048
    assert key.public_key().e == 65537
    signature = key.sign_pkcs1v15(b"m")
    _rs256_key(backend)  # the backend can still load fixed keys afterwards
    key.public_key().verify_pkcs1v15(signature, b"m")
    assert elapsed < 60


# -- async -------------------------------------------------------------------------


def test_async_variants(run_async: RunAsync[Any]) -> None:
    ec, rsa = _rfc6979_key(), _rs256_key()

    async def scenario() -> None:
        signature = await ec.sign_async(b"async")
        ec.public_key().verify(signature, b"async")
        await ec.public_key().verify_async(signature, b"async")
        await ec.public_key().verify_async(
            ec.sign(b"async", encoding="der"), b"async", encoding="der"
        )
        with pytest.raises(CryptoError):
            await ec.public_key().verify_async(signature, b"other")
        pkcs1 = await rsa.sign_pkcs1v15_async(b"async")
        assert pkcs1 == rsa.sign_pkcs1v15(b"async")  # deterministic in every runtime
        await rsa.public_key().verify_pkcs1v15_async(pkcs1, b"async")
        pss = await rsa.sign_pss_async(b"async")
        rsa.public_key().verify_pss(pss, b"async", salt_length=None)
        await rsa.public_key().verify_pss_async(pss, b"async")
        with pytest.raises(CryptoError):
            await rsa.public_key().verify_pkcs1v15_async(pkcs1, b"other")

    run_async(scenario())


@pytest.mark.pyodide_only(reason="WebCrypto backs the async methods only in the browser")
def test_async_uses_webcrypto_in_pyodide(run_async: RunAsync[Any]) -> None:
    key = _rfc6979_key()
    first = run_async(key.sign_async(b"m"))
    second = run_async(key.sign_async(b"m"))
    # WebCrypto's nonces are random; the pure backend's (RFC 6979) are not.
    assert first != second
    assert key.sign(b"m") == key.sign(b"m")
    for signature in (first, second):
        key.public_key().verify(signature, b"m")
    pss = run_async(_rs256_key().sign_pss_async(b"m", salt_length=20))
    _rs256_key("pure").public_key().verify_pss(pss, b"m", salt_length=20)


@pytest.mark.parametrize("r", [1, 0x7F, 0x80, N - 1, 1 << 250])
def test_cryptography_der_to_raw_slicing(r: int) -> None:
    backend = pytest.importorskip("infra_portable.crypto._pkey_cryptography")
    s = N - r
    der = _der.sequence(_der.integer(r), _der.integer(s))
    assert backend._der_to_raw(der) == r.to_bytes(32, "big") + s.to_bytes(32, "big")
