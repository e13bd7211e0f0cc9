"""Ed25519 / X25519: RFC vectors, encodings, strictness and agreement of every backend.

Each contract test runs once per ``crypto-eddsa`` backend; a backend that cannot
load in this runtime is skipped with the registry's reason. Cross-backend tests
compare every loadable backend with each other on random and adversarial input.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra_portable.crypto import _curve25519_pure as curve
from infra_portable.crypto._eddsa import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
    X25519PrivateKey,
    X25519PublicKey,
    eddsa_backend,
)
from infra_portable.crypto._eddsa_base import SMALL_ORDER_ENCODINGS
from infra_portable.errors import CryptoError, CryptoOperation, ValidationError
from infra_portable.runtime import REGISTRY, current

T = TypeVar("T")
RunAsync = Callable[[Coroutine[Any, Any, T]], T]

RUNTIME = current().value
VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "eddsa_vectors.json").read_text()
)
BACKENDS = [impl.name for impl in REGISTRY.capability("crypto-eddsa").implementations]
P, L = curve.P, curve.L
# Pure curve arithmetic is ~5x slower under WASI and in Pyodide.
EXAMPLES = 20 if RUNTIME == "native" else 3


def _available() -> list[str]:
    return [c.name for c in REGISTRY.explain("crypto-eddsa") if c.available]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend in turn; one that cannot load here is skipped with the reason."""
    name: str = request.param
    candidate = {c.name: c for c in REGISTRY.explain("crypto-eddsa")}[name]
    if not candidate.available:
        pytest.skip(f"{name} unavailable on {RUNTIME}: {candidate.reason}")
    return name


def _enc(y: int, sign: int = 0) -> bytes:
    return (y | sign << 255).to_bytes(32, "little")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# -- RFC 8032 §7.1 -----------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS["ed25519"], ids=lambda v: v["name"])
def test_rfc8032_vectors(backend: str, vector: dict[str, str]) -> None:
    key = Ed25519PrivateKey.from_bytes(bytes.fromhex(vector["seed"]), backend=backend)
    message = bytes.fromhex(vector["message"])
    assert key.backend == backend
    assert key.public_key().to_bytes().hex() == vector["public"]
    assert key.sign(message).hex() == vector["signature"]
    public = Ed25519PublicKey.from_bytes(bytes.fromhex(vector["public"]), backend=backend)
    public.verify(bytes.fromhex(vector["signature"]), message)
    with pytest.raises(CryptoError) as info:
        public.verify(bytes.fromhex(vector["signature"]), message + b"!")
    assert info.value.operation is CryptoOperation.VERIFY


# -- RFC 7748 ----------------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS["x25519_scalar_mult"], ids=["5.2-1", "5.2-2"])
def test_rfc7748_scalar_mult(backend: str, vector: dict[str, str]) -> None:
    key = X25519PrivateKey.from_bytes(bytes.fromhex(vector["scalar"]), backend=backend)
    peer = X25519PublicKey.from_bytes(bytes.fromhex(vector["u"]))
    assert key.exchange(peer).hex() == vector["output"]


def test_rfc7748_iterated(backend: str) -> None:
    # 1,000 pure ladders take seconds (minutes in WASM). Where a compiled backend
    # exists, test_backends_agree_on_random_keys checks pure against it instead.
    pure_alone = RUNTIME == "native" and _available() == ["pure"]
    rounds = 1000 if backend != "pure" or pure_alone else 1
    k = u = (9).to_bytes(32, "little")
    for i in range(rounds):
        k, u = (
            X25519PrivateKey.from_bytes(k, backend=backend).exchange(X25519PublicKey.from_bytes(u)),
            k,
        )
        if i == 0:
            assert k.hex() == VECTORS["x25519_iterated"]["1"]
    if rounds == 1000:
        assert k.hex() == VECTORS["x25519_iterated"]["1000"]


def test_rfc7748_diffie_hellman(backend: str) -> None:
    v = VECTORS["x25519_dh"]
    alice = X25519PrivateKey.from_bytes(bytes.fromhex(v["alice_private"]), backend=backend)
    bob = X25519PrivateKey.from_bytes(bytes.fromhex(v["bob_private"]), backend=backend)
    assert alice.public_key().to_bytes().hex() == v["alice_public"]
    assert bob.public_key().to_bytes().hex() == v["bob_public"]
    assert alice.exchange(bob.public_key()).hex() == v["shared"]
    assert bob.exchange(alice.public_key()).hex() == v["shared"]


SMALL_ORDER_U = [
    0,
    1,
    325606250916557431795983626356110631294008115727848805560023387167927233504,
    39382357235489614581723060781553021112529911719440698176882885853963445705823,
    P - 1,
    P,  # non-canonical 0
    P + 1,  # non-canonical 1
]


@pytest.mark.parametrize("u", SMALL_ORDER_U, ids=lambda u: f"u{u % 1000}")
def test_x25519_small_order_peer_rejected(backend: str, u: int) -> None:
    key = X25519PrivateKey.generate(backend=backend)
    with pytest.raises(CryptoError, match="small order"):
        key.exchange(X25519PublicKey.from_bytes(u.to_bytes(32, "little")))


def test_x25519_peer_encoding_rules(backend: str) -> None:
    """RFC 7748 §5: the top bit is ignored and u >= p is reduced, on every backend."""
    v = VECTORS["x25519_dh"]
    alice = X25519PrivateKey.from_bytes(bytes.fromhex(v["alice_private"]), backend=backend)
    u = int.from_bytes(bytes.fromhex(v["bob_public"]), "little")
    assert alice.exchange(X25519PublicKey.from_bytes(_enc(u, 1))).hex() == v["shared"]
    other = X25519PrivateKey.from_bytes(bytes(range(32)), backend=backend)
    assert other.exchange(X25519PublicKey.from_bytes((9 + P).to_bytes(32, "little"))) == (
        other.public_key().to_bytes()
    )


# -- RFC 8037 (JWK) ----------------------------------------------------------------


def test_rfc8037_ed25519_jwk_and_jws(backend: str) -> None:
    v = VECTORS["rfc8037"]
    key = Ed25519PrivateKey.from_jwk(v["ed25519_jwk"], backend=backend)
    assert key.to_jwk() == v["ed25519_jwk"]
    assert key.public_key().to_jwk() == {k: v["ed25519_jwk"][k] for k in ("kty", "crv", "x")}
    signature = key.sign(v["jws_signing_input"].encode())
    assert _b64url(signature) == v["jws_signature"]
    public = Ed25519PublicKey.from_jwk(v["ed25519_jwk"], backend=backend)
    public.verify(signature, v["jws_signing_input"].encode())


def test_rfc8037_x25519(backend: str) -> None:
    v = VECTORS["rfc8037"]
    bob = X25519PublicKey.from_jwk(v["x25519_bob_jwk"], backend=backend)
    ephemeral = X25519PrivateKey.from_bytes(
        bytes.fromhex(v["x25519_ephemeral_private"]), backend=backend
    )
    assert ephemeral.public_key().to_jwk()["x"] == v["x25519_ephemeral_jwk_x"]
    assert ephemeral.exchange(bob).hex() == v["x25519_shared"]
    round_trip = X25519PrivateKey.from_jwk(ephemeral.to_jwk(), backend=backend)
    assert round_trip == ephemeral
    assert round_trip.to_jwk()["crv"] == "X25519"


# -- DER / PEM ---------------------------------------------------------------------

KEY_CLASSES = [Ed25519PrivateKey, Ed25519PublicKey, X25519PrivateKey, X25519PublicKey]


def _some_key(cls: type[Any]) -> Any:
    seed = bytes(range(1, 33))
    if cls is Ed25519PrivateKey or cls is Ed25519PublicKey:
        private: Any = Ed25519PrivateKey.from_bytes(seed)
    else:
        private = X25519PrivateKey.from_bytes(seed)
    return private if cls in (Ed25519PrivateKey, X25519PrivateKey) else private.public_key()


@pytest.mark.parametrize("cls", KEY_CLASSES, ids=lambda c: c.__name__)
def test_der_pem_round_trip(cls: type[Any]) -> None:
    key = _some_key(cls)
    der = key.to_der()
    assert len(der) in (44, 48)
    assert cls.from_der(der) == key
    pem = key.to_pem()
    label = b"PRIVATE KEY" if len(der) == 48 else b"PUBLIC KEY"
    assert pem.startswith(b"-----BEGIN " + label + b"-----\n")
    assert pem.endswith(b"-----END " + label + b"-----\n")
    assert cls.from_pem(pem) == key
    assert cls.from_pem(pem.decode().replace("\n", "\r\n")) == key
    assert cls.from_jwk(key.to_jwk()) == key


@pytest.mark.native_only(reason="compares with the cryptography package's serializers")
@pytest.mark.parametrize("cls", KEY_CLASSES, ids=lambda c: c.__name__)
def test_der_pem_match_cryptography(cls: type[Any]) -> None:
    cryptography = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    key = _some_key(cls)
    if "Private" in cls.__name__:
        theirs = cryptography.load_der_private_key(key.to_der(), password=None)
        assert (
            theirs.private_bytes(
                cryptography.Encoding.PEM,
                cryptography.PrivateFormat.PKCS8,
                cryptography.NoEncryption(),
            )
            == key.to_pem()
        )
    else:
        theirs = cryptography.load_der_public_key(key.to_der())
        assert (
            theirs.public_bytes(
                cryptography.Encoding.PEM, cryptography.PublicFormat.SubjectPublicKeyInfo
            )
            == key.to_pem()
        )


def test_der_pem_rejects_other_algorithms_and_garbage() -> None:
    ed = Ed25519PrivateKey.from_bytes(bytes(32))
    x = X25519PrivateKey.from_bytes(bytes(32))
    with pytest.raises(ValidationError) as info:
        Ed25519PrivateKey.from_der(x.to_der())
    assert info.value.field == "der"
    with pytest.raises(ValidationError):
        X25519PublicKey.from_pem(ed.public_key().to_pem())
    with pytest.raises(ValidationError):
        Ed25519PrivateKey.from_der(ed.to_der() + b"\x00")
    with pytest.raises(ValidationError):
        Ed25519PrivateKey.from_der(ed.to_der()[:-1])
    with pytest.raises(ValidationError, match="label") as info:
        Ed25519PrivateKey.from_pem(ed.public_key().to_pem())
    assert info.value.field == "pem"
    bad_body = ed.to_pem().replace(b"MC4C", b"MC4!")
    with pytest.raises(ValidationError, match="base64"):
        Ed25519PrivateKey.from_pem(bad_body)
    for junk in (b"", b"not pem", "\u00e9".encode(), 42):
        with pytest.raises(ValidationError):
            Ed25519PrivateKey.from_pem(junk)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Ed25519PublicKey.from_der("text")  # type: ignore[arg-type]


def test_jwk_is_strict() -> None:
    jwk = dict(VECTORS["rfc8037"]["ed25519_jwk"])
    cases: list[tuple[dict[str, Any] | object, str]] = [
        ({**jwk, "x": jwk["x"] + "="}, "jwk.x"),  # padding
        ({**jwk, "x": jwk["x"][:-1] + "p"}, "jwk.x"),  # non-zero trailing bits
        ({**jwk, "x": jwk["x"].replace("_", "/")}, "jwk.x"),  # standard alphabet
        ({**jwk, "x": jwk["x"][:-4]}, "jwk.x"),  # too short
        ({**jwk, "kty": "EC"}, "jwk.kty"),
        ({**jwk, "crv": "X25519"}, "jwk.crv"),
        ({k: v for k, v in jwk.items() if k != "x"}, "jwk.x"),
        ({**jwk, "x": 12}, "jwk.x"),
        ("not a dict", "jwk"),
    ]
    for bad, field in cases:
        with pytest.raises(ValidationError) as info:
            Ed25519PublicKey.from_jwk(bad)
        assert info.value.field == field, bad
    with pytest.raises(ValidationError) as info:
        Ed25519PrivateKey.from_jwk({k: v for k, v in jwk.items() if k != "d"})
    assert info.value.field == "jwk.d"


# -- lengths, types, errors --------------------------------------------------------


def test_wrong_lengths_and_types(backend: str) -> None:
    for cls in KEY_CLASSES:
        for raw in (b"", bytes(31), bytes(33)):
            with pytest.raises(ValidationError):
                cls.from_bytes(raw, backend=backend)
        with pytest.raises(ValidationError):
            cls.from_bytes("x" * 32, backend=backend)  # type: ignore[arg-type]
    key = Ed25519PrivateKey.from_bytes(bytearray(32), backend=backend)
    public = key.public_key()
    signature = key.sign(memoryview(b"msg"))
    public.verify(bytearray(signature), b"msg")
    for bad in (b"", signature[:63], signature + b"\x00"):
        with pytest.raises(CryptoError) as info:
            public.verify(bad, b"msg")
        assert info.value.operation is CryptoOperation.VERIFY
    with pytest.raises(ValidationError):
        public.verify(signature, "msg")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        public.verify("sig", b"msg")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        key.sign("msg")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        X25519PrivateKey.generate(backend=backend).exchange(public)  # type: ignore[arg-type]


def test_foreign_exceptions_are_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    key = Ed25519PrivateKey.from_bytes(bytes(32), backend="pure")

    def broken(seed: bytes) -> Any:
        raise RuntimeError("backend bug")

    monkeypatch.setattr(type(eddsa_backend("pure")), "ed25519_signer", lambda self, seed: broken)
    with pytest.raises(CryptoError) as info:
        key.sign(b"m")
    assert info.value.operation is CryptoOperation.SIGN
    assert isinstance(info.value.__cause__, RuntimeError)


def test_repr_hides_secrets_and_equality() -> None:
    seed = bytes(range(32))
    key = Ed25519PrivateKey.from_bytes(seed)
    assert seed.hex() not in repr(key)
    assert "secret" in repr(key)
    assert key.public_key().to_bytes().hex() in repr(key.public_key())
    assert key == Ed25519PrivateKey.from_bytes(seed)
    assert key != X25519PrivateKey.from_bytes(seed)
    assert len({key.public_key(), Ed25519PublicKey.from_bytes(key.public_key().to_bytes())}) == 1


def test_default_backend_is_the_best_available() -> None:
    available = _available()
    assert eddsa_backend().name == available[0]
    # Pyodide may have loaded its build of cryptography; WASI never can.
    if os.environ.get("INFRA_PORTABLE_BLOCK_NATIVE") == "1" or RUNTIME == "wasi":
        assert eddsa_backend().name == "pure"
    assert Ed25519PrivateKey.generate().backend == available[0]


# -- strictness (RFC 8032 §5.1.7), the same on every backend -------------------------


def _small_order_points() -> list[bytes]:
    return sorted(SMALL_ORDER_ENCODINGS)


def test_small_order_constant_is_exactly_the_torsion_points() -> None:
    for encoding in _small_order_points():
        point = curve.decode_point(encoding)
        assert point is not None
        for _ in range(3):
            point = curve._add(point, point)
        assert curve.encode_point(point) == _enc(1)
    assert len(SMALL_ORDER_ENCODINGS) == 8


def _forge_cases() -> list[tuple[str, bytes, bytes, bytes]]:
    """(name, public key, signature, message) that no backend may accept."""
    seed = bytes(range(32))
    key = Ed25519PrivateKey.from_bytes(seed, backend="pure")
    public = key.public_key().to_bytes()
    message = b"edge"
    signature = key.sign(message)
    s = int.from_bytes(signature[32:], "little")
    r_y = int.from_bytes(signature[:32], "little")
    cases = [
        ("S+L (malleable)", public, signature[:32] + (s + L).to_bytes(32, "little"), message),
        ("S = 2^256-1", public, signature[:32] + b"\xff" * 32, message),
        (
            "R non-canonical",
            public,
            _enc((r_y & ((1 << 255) - 1)) + P, r_y >> 255)[:32] + signature[32:],
            message,
        ),
    ]
    # A = identity with R = identity, S = 0 "verifies" every message under OpenSSL.
    for a in _small_order_points():
        for r in _small_order_points():
            cases.append((f"small A {a[:2].hex()} R {r[:2].hex()}", a, r + bytes(32), message))
    # A with a non-canonical y (y + p) or x = 0 carrying the sign bit.
    cases.append(("A y=p+1 (identity)", _enc(P + 1), _enc(1) + bytes(32), message))
    cases.append(("A identity, sign set", _enc(1, 1), _enc(1) + bytes(32), message))
    cases.append(("A order 2, sign set", _enc(P - 1, 1), _enc(1) + bytes(32), message))
    cases.append(("A off curve", _enc(2), signature, message))
    return cases


@pytest.mark.parametrize("case", _forge_cases(), ids=lambda c: c[0])
def test_edge_signatures_rejected_everywhere(case: tuple[str, bytes, bytes, bytes]) -> None:
    _, public, signature, message = case
    for name in _available():
        with pytest.raises(CryptoError):
            Ed25519PublicKey.from_bytes(public, backend=name).verify(signature, message)


@pytest.mark.native_only(reason="documents what raw OpenSSL accepts that we refuse")
def test_stricter_than_raw_cryptography() -> None:
    ed25519 = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed25519")
    identity = _enc(1)
    forged = identity + bytes(32)
    ed25519.Ed25519PublicKey.from_public_bytes(identity).verify(forged, b"any message")
    with pytest.raises(CryptoError):
        Ed25519PublicKey.from_bytes(identity, backend="cryptography").verify(forged, b"any message")


def _mixed_order_key(seed: bytes, torsion: bytes) -> tuple[int, bytes, bytes]:
    """(a, A + T encoding, prefix): an honest scalar with a torsion point added to A."""
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little") & ((1 << 254) - 8) | (1 << 254)
    point_t = curve.decode_point(torsion)
    assert point_t is not None
    return a, curve.encode_point(curve._add(curve.base_mul(a), point_t)), h[32:]


def _sign_raw(a: int, public: bytes, prefix: bytes, message: bytes, r_add: bytes | None) -> bytes:
    r = int.from_bytes(hashlib.sha512(prefix + message).digest(), "little") % L
    big_r = curve.base_mul(r)
    if r_add is not None:
        extra = curve.decode_point(r_add)
        assert extra is not None
        big_r = curve._add(big_r, extra)
    r_bytes = curve.encode_point(big_r)
    k = int.from_bytes(hashlib.sha512(r_bytes + public + message).digest(), "little") % L
    return r_bytes + ((r + k * a) % L).to_bytes(32, "little")


@settings(max_examples=EXAMPLES)
@given(
    seed=st.binary(min_size=32, max_size=32),
    message=st.binary(max_size=64),
    torsion_a=st.sampled_from(sorted(SMALL_ORDER_ENCODINGS)),
    torsion_r=st.sampled_from([None, *sorted(SMALL_ORDER_ENCODINGS)]),
)
def test_mixed_order_inputs_get_one_verdict(
    seed: bytes, message: bytes, torsion_a: bytes, torsion_r: bytes | None
) -> None:
    """Torsion components are where cofactored and cofactorless verifiers differ.

    Every backend must give the cofactorless (OpenSSL) answer; pycryptodome's
    own cofactored verifier would accept some of these.
    """
    a, public, prefix = _mixed_order_key(seed, torsion_a)
    signature = _sign_raw(a, public, prefix, message, torsion_r)
    verdicts = {}
    for name in _available():
        try:
            Ed25519PublicKey.from_bytes(public, backend=name).verify(signature, message)
            verdicts[name] = True
        except CryptoError:
            verdicts[name] = False
    assert len(set(verdicts.values())) == 1, verdicts


def test_pure_verifier_comb_path_matches_straus() -> None:
    """A pure verifier switches to a per-key comb table after a few calls: same verdicts."""
    from infra_portable.crypto._eddsa_pure import BACKEND, COMB_AFTER

    for i, torsion in enumerate([None, *sorted(SMALL_ORDER_ENCODINGS)[:3]]):
        seed = bytes([i + 1]) * 32
        sign: Callable[[bytes], bytes]
        if torsion is None:
            key = Ed25519PrivateKey.from_bytes(seed, backend="pure")
            public, sign = key.public_key().to_bytes(), key.sign
        else:
            a, public, prefix = _mixed_order_key(seed, torsion)
            sign = functools.partial(_sign_raw, a, public, prefix, r_add=None)
        bound = BACKEND.ed25519_verifier(public)
        for n in range(COMB_AFTER + 3):
            message = bytes([n])
            signature = sign(message)
            forged = signature[:-1] + bytes([signature[-1] ^ 1])
            for sig in (signature, forged):
                assert bound(sig, message) == BACKEND.ed25519_verify(public, sig, message)
            if torsion is None:
                assert bound(signature, message)


# -- cross-backend agreement ---------------------------------------------------------


@settings(max_examples=EXAMPLES)
@given(
    seed=st.binary(min_size=32, max_size=32),
    message=st.binary(max_size=200),
    bit=st.integers(0, 511),
)
def test_backends_agree_on_random_keys(seed: bytes, message: bytes, bit: int) -> None:
    names = _available()
    signatures = {Ed25519PrivateKey.from_bytes(seed, backend=n).sign(message) for n in names}
    assert len(signatures) == 1
    signature = signatures.pop()
    flipped = bytearray(signature)
    flipped[bit // 8] ^= 1 << (bit % 8)
    for name in names:
        public = Ed25519PrivateKey.from_bytes(seed, backend=name).public_key()
        public.verify(signature, message)
        with pytest.raises(CryptoError):
            public.verify(bytes(flipped), message)
        with pytest.raises(CryptoError):
            public.verify(signature, message + b"\x00")
    shared = {
        X25519PrivateKey.from_bytes(seed, backend=n).exchange(
            X25519PublicKey.from_bytes(hashlib.sha256(seed).digest())
        )
        for n in names
    }
    assert len(shared) == 1


# -- async (WebCrypto in Pyodide) --------------------------------------------------


def test_async_variants_match_sync(run_async: RunAsync[Any]) -> None:
    v = VECTORS["ed25519"][2]
    key = Ed25519PrivateKey.from_bytes(bytes.fromhex(v["seed"]))
    message = bytes.fromhex(v["message"])

    async def scenario() -> bytes:
        signature = await key.sign_async(message)
        await key.public_key().verify_async(signature, message)
        with pytest.raises(CryptoError):
            await key.public_key().verify_async(signature, message + b"x")
        # The shared input rules apply before WebCrypto sees anything.
        with pytest.raises(CryptoError):
            await Ed25519PublicKey.from_bytes(_enc(1)).verify_async(_enc(1) + bytes(32), b"m")
        dh = VECTORS["x25519_dh"]
        alice = X25519PrivateKey.from_bytes(bytes.fromhex(dh["alice_private"]))
        shared = await alice.exchange_async(
            X25519PublicKey.from_bytes(bytes.fromhex(dh["bob_public"]))
        )
        assert shared.hex() == dh["shared"]
        with pytest.raises(CryptoError, match="small order"):
            await alice.exchange_async(X25519PublicKey.from_bytes(bytes(32)))
        return signature

    assert run_async(scenario()).hex() == v["signature"]


@pytest.mark.pyodide_only(reason="WebCrypto is only reachable from Pyodide")
def test_webcrypto_matches_vectors(run_async: RunAsync[Any]) -> None:
    from infra_portable.crypto import _eddsa_webcrypto as webcrypto

    async def scenario() -> None:
        assert await webcrypto.available(), "Chromium 137+ implements Ed25519 and X25519"
        for v in VECTORS["ed25519"]:
            seed, message = bytes.fromhex(v["seed"]), bytes.fromhex(v["message"])
            der = Ed25519PrivateKey.from_bytes(seed).to_der()
            assert (await webcrypto.ed25519_sign(der, message)).hex() == v["signature"]
            public, signature = bytes.fromhex(v["public"]), bytes.fromhex(v["signature"])
            assert await webcrypto.ed25519_verify(public, signature, message)
            assert not await webcrypto.ed25519_verify(public, signature, message + b"x")
        for v in VECTORS["x25519_scalar_mult"]:
            der = X25519PrivateKey.from_bytes(bytes.fromhex(v["scalar"])).to_der()
            assert (await webcrypto.x25519(der, bytes.fromhex(v["u"]))).hex() == v["output"]
        der = X25519PrivateKey.generate().to_der()
        assert await webcrypto.x25519(der, bytes(32)) == bytes(32)

    run_async(scenario())


@pytest.mark.pyodide_only(reason="WebCrypto is only reachable from Pyodide")
def test_webcrypto_agrees_on_mixed_order_inputs(run_async: RunAsync[Any]) -> None:
    from infra_portable.crypto import _eddsa_webcrypto as webcrypto

    async def scenario() -> None:
        for i, torsion in enumerate(sorted(SMALL_ORDER_ENCODINGS)):
            a, public, prefix = _mixed_order_key(bytes([i]) * 32, torsion)
            for message in (b"a", b"b", b"c"):
                signature = _sign_raw(a, public, prefix, message, None)
                ours = Ed25519PublicKey.from_bytes(public, backend="pure")
                try:
                    ours.verify(signature, message)
                    expected = True
                except CryptoError:
                    expected = False
                assert await webcrypto.ed25519_verify(public, signature, message) == expected

    run_async(scenario())
