"""JWS/JWT/JWK: RFC vectors, every rejection rule, claims checks, key sets, properties.

HMAC needs only the standard library; the RS256/PS256/ES256/EdDSA tests need the
primitive modules (``_pkey``, ``_eddsa``) and skip, saying so, where they are
missing. Keys are the RFCs' fixed keys: no generation, so WASI stays fast.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra_portable.crypto._jwk import Jwk, JwkSet, jwk_thumbprint, parse_jwk
from infra_portable.crypto._jws import (
    ALGORITHMS,
    b64url_decode,
    b64url_encode,
    jws_sign,
    jws_verify,
)
from infra_portable.crypto._jwt import Claims, JwtSigner, JwtVerifier
from infra_portable.errors import (
    AuthError,
    AuthErrorKind,
    InfraError,
    SerializationError,
    ValidationError,
)

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "jose_rfc_vectors.json").read_text("utf-8")
)
A1 = VECTORS["rfc7515_a1"]
A1_SECRET = b64url_decode(A1["jwk"]["k"])
# RFC 7519 §3.1 and RFC 7515 A.1 share this token; it expires at this instant.
A1_EXP = 1300819380
SECRET = b"s" * 32
NOW = 1_700_000_000.0
INVALID = AuthErrorKind.INVALID_TOKEN


def _primitive(name: str) -> ModuleType:
    module: ModuleType = pytest.importorskip(
        f"infra_portable.crypto.{name}", reason=f"{name} not available"
    )
    return module


def _public(jwk: dict[str, Any]) -> dict[str, Any]:
    private = {"d", "p", "q", "dp", "dq", "qi"}
    return {k: v for k, v in jwk.items() if k not in private}


def _b64(data: bytes) -> str:
    return b64url_encode(data).decode("ascii")


def _forge(
    header: Any, claims: Any, secret: bytes = SECRET, *, raw_payload: bytes | None = None
) -> str:
    """An HS256 token with any header and payload, signed correctly."""
    head = _b64(json.dumps(header).encode())
    body = _b64(raw_payload if raw_payload is not None else json.dumps(claims).encode())
    alg = header.get("alg") if isinstance(header, dict) else None
    hash_name = {"HS384": "sha384", "HS512": "sha512"}.get(alg, "sha256")  # type: ignore[arg-type]
    mac = hmac.digest(secret, f"{head}.{body}".encode(), hash_name)
    return f"{head}.{body}.{_b64(mac)}"


def _verifier(**kwargs: Any) -> JwtVerifier:
    kwargs.setdefault("algorithms", ["HS256"])
    kwargs.setdefault("clock", lambda: NOW)
    return JwtVerifier(kwargs.pop("keys", SECRET), **kwargs)


def _rejects(token: str, kind: AuthErrorKind = INVALID, **kwargs: Any) -> AuthError:
    with pytest.raises(AuthError) as info:
        _verifier(**kwargs).verify(token)
    assert info.value.auth_kind is kind, info.value
    return info.value


# -- RFC vectors ----------------------------------------------------------------------


def test_rfc7515_a1_hs256_token_is_reproduced_exactly() -> None:
    header, payload = jws_verify(A1["token"], A1["jwk"], ["HS256"])
    assert header == {"typ": "JWT", "alg": "HS256"}
    assert json.loads(payload)["iss"] == "joe"
    exact_header = b64url_decode(A1["header_b64"])
    assert jws_sign(payload, A1["jwk"], "HS256", headers=exact_header) == A1["token"]
    assert jws_sign(payload, A1_SECRET, "HS256", headers=exact_header) == A1["token"]


def test_rfc7519_example_verifies_with_its_clock_and_expires_after() -> None:
    claims = JwtVerifier(A1["jwk"], algorithms=["HS256"], clock=lambda: A1_EXP - 1).verify(
        A1["token"]
    )
    assert (claims.iss, claims.exp) == ("joe", A1_EXP)
    assert claims.extra == {"http://example.com/is_root": True}
    late = JwtVerifier(A1["jwk"], algorithms=["HS256"], clock=lambda: A1_EXP)
    with pytest.raises(AuthError) as info:
        late.verify(A1["token"])
    assert info.value.auth_kind is AuthErrorKind.TOKEN_EXPIRED
    lenient = JwtVerifier(A1["jwk"], algorithms=["HS256"], leeway=30, clock=lambda: A1_EXP + 29)
    assert lenient.verify(A1["token"]).iss == "joe"


def test_rfc7515_a2_rs256_token_is_reproduced_exactly() -> None:
    _primitive("_pkey")
    vector = VECTORS["rfc7515_a2"]
    header, payload = jws_verify(vector["token"], _public(vector["jwk"]), ["RS256"])
    assert header == {"alg": "RS256"}
    assert jws_sign(payload, vector["jwk"], "RS256") == vector["token"]


def test_rfc7515_a3_es256_verifies_and_round_trips() -> None:
    _primitive("_pkey")
    vector = VECTORS["rfc7515_a3"]
    public = _public(vector["jwk"])
    _, payload = jws_verify(vector["token"], public, ["ES256"])
    token = jws_sign(payload, vector["jwk"], "ES256")  # ECDSA is randomized: verify only
    assert jws_verify(token, public, ["ES256"])[1] == payload
    head, body, sig = vector["token"].split(".")
    flipped = _b64(bytes([b64url_decode(sig)[0] ^ 1]) + b64url_decode(sig)[1:])
    with pytest.raises(AuthError):
        jws_verify(f"{head}.{body}.{flipped}", public, ["ES256"])


def test_rfc7515_a4_es512_is_rejected_as_unsupported() -> None:
    token = VECTORS["rfc7515_a4"]["token"]
    with pytest.raises(AuthError, match="unsupported JWS algorithm 'ES512'") as info:
        jws_verify(token, SECRET, ["HS256", "ES256"])
    assert info.value.auth_kind is INVALID
    with pytest.raises(ValidationError, match="ES512"):
        JwtVerifier(SECRET, algorithms=["ES512"])


def test_rfc7515_a5_unsecured_token_is_rejected() -> None:
    with pytest.raises(AuthError, match="alg 'none'") as info:
        jws_verify(VECTORS["rfc7515_a5"]["token"], SECRET, ["HS256"])
    assert info.value.auth_kind is INVALID


def test_rfc8037_eddsa_signature_is_reproduced_exactly() -> None:
    _primitive("_eddsa")
    vector = VECTORS["rfc8037_a"]
    payload = b"Example of Ed25519 signing"
    assert jws_sign(payload, vector["jwk"], "EdDSA") == vector["token"]
    header, got = jws_verify(vector["token"], _public(vector["jwk"]), ["EdDSA"])
    assert (header, got) == ({"alg": "EdDSA"}, payload)


def test_rfc7638_and_rfc8037_thumbprints() -> None:
    rsa = VECTORS["rfc7638_3_1"]
    assert jwk_thumbprint(rsa["jwk"]) == rsa["thumbprint"]
    bare = {k: rsa["jwk"][k] for k in ("kty", "n", "e")}
    assert jwk_thumbprint(bare) == rsa["thumbprint"]  # optional members do not count
    okp = VECTORS["rfc8037_a"]
    assert jwk_thumbprint(okp["jwk"]) == okp["thumbprint"]  # "d" does not count either
    oct_jwk = {"kty": "oct", "k": A1["jwk"]["k"]}
    expected = _b64(
        hashlib.sha256(json.dumps(oct_jwk, separators=(",", ":"), sort_keys=True).encode()).digest()
    )
    assert Jwk.from_dict(oct_jwk).thumbprint() == expected
    assert len(jwk_thumbprint(oct_jwk, hash_name="sha512")) == 86
    with pytest.raises(ValidationError):
        jwk_thumbprint({"kty": "RSA", "n": "AQAB"})
    with pytest.raises(ValidationError):
        jwk_thumbprint({"kty": "dsa"})
    with pytest.raises(ValidationError):
        jwk_thumbprint(oct_jwk, hash_name="not-a-hash")


# -- asymmetric algorithms through the JWT API (fixed RFC keys) -----------------------


@pytest.mark.parametrize(
    ("alg", "module", "vector"),
    [
        ("RS256", "_pkey", "rfc7515_a2"),
        ("PS256", "_pkey", "rfc7515_a2"),
        ("ES256", "_pkey", "rfc7515_a3"),
        ("EdDSA", "_eddsa", "rfc8037_a"),
    ],
)
def test_asymmetric_jwt_round_trip_and_tamper(alg: str, module: str, vector: str) -> None:
    _primitive(module)
    jwk = VECTORS[vector]["jwk"]
    token = JwtSigner(jwk, alg, kid="k1", clock=lambda: NOW).sign({"role": "admin"}, expires_in=60)
    verifier = JwtVerifier(
        {"keys": [{**_public(jwk), "kid": "k1"}]}, algorithms=[alg], clock=lambda: NOW
    )
    claims = verifier.verify(token)
    assert claims.extra == {"role": "admin"}
    assert claims.exp == NOW + 60
    head, body, sig = token.split(".")
    other = _b64(json.dumps({"role": "root", "exp": NOW + 60}).encode())
    with pytest.raises(AuthError):
        verifier.verify(f"{head}.{other}.{sig}")
    short = _b64(b64url_decode(sig)[:-1])
    with pytest.raises(AuthError, match="must be"):
        verifier.verify(f"{head}.{body}.{short}")


def test_asymmetric_key_objects_are_not_hmac_secrets() -> None:
    pkey = _primitive("_pkey")
    public = pkey.RsaPublicKey.from_jwk(_public(VECTORS["rfc7515_a2"]["jwk"]))
    with pytest.raises(AuthError, match="HMAC secret"):
        jws_verify(_forge({"alg": "HS256"}, {}), public, ["HS256", "RS256"])
    with pytest.raises(ValidationError):
        JwtVerifier(public, algorithms=["HS256"])
    with pytest.raises(ValidationError):
        JwtSigner(public, "RS256")  # a public key cannot sign


def test_pem_public_key_verifies_asymmetric_tokens() -> None:
    _primitive("_keys")
    vector = VECTORS["rfc7515_a2"]
    claims = JwtVerifier(
        vector["public_pem"], algorithms=["RS256"], clock=lambda: A1_EXP - 1
    ).verify(vector["token"])
    assert claims.iss == "joe"


# -- algorithm confusion -------------------------------------------------------------------


@pytest.mark.parametrize(
    "material",
    [
        VECTORS["rfc7515_a3"]["public_pem"],
        VECTORS["rfc7515_a2"]["public_pem"].encode(),
        VECTORS["rfc7515_a2"]["public_ssh"],
        base64.b64decode(VECTORS["rfc7515_a3"]["public_der_b64"]),
        json.dumps(_public(VECTORS["rfc7515_a3"]["jwk"])),
    ],
    ids=["pem-ec", "pem-rsa-bytes", "ssh-rsa", "der-ec", "jwk-text"],
)
def test_public_key_material_is_refused_as_hmac_secret(material: str | bytes) -> None:
    secret = material.encode() if isinstance(material, str) else material
    token = _forge({"alg": "HS256"}, {"exp": NOW + 60}, secret)  # the attacker's token
    with pytest.raises(AuthError, match="HMAC secret") as info:
        jws_verify(token, material, ["HS256", "RS256", "ES256"])
    assert info.value.auth_kind is INVALID
    with pytest.raises(ValidationError):
        jws_sign(b"{}", material, "HS256")


@pytest.mark.parametrize("kty", ["RSA", "EC", "OKP"])
def test_asymmetric_jwk_is_refused_as_hmac_secret(kty: str) -> None:
    jwk = {"kty": kty, "n": "AQAB", "e": "AQAB", "x": "AQAB", "y": "AQAB", "crv": "P-256"}
    with pytest.raises(AuthError, match="HMAC secret"):
        jws_verify(_forge({"alg": "HS256"}, {}), jwk, ["HS256"])


def test_hmac_secret_is_refused_for_asymmetric_algorithms() -> None:
    token = _forge({"alg": "RS256"}, {})
    with pytest.raises(AuthError, match="not an HMAC secret"):
        jws_verify(token, SECRET, ["HS256", "RS256"])
    with pytest.raises(ValidationError, match="not an HMAC secret"):
        jws_sign(b"{}", SECRET, "ES256")
    with pytest.raises(ValidationError, match="cannot verify any allowed algorithm"):
        JwtVerifier(SECRET, algorithms=["RS256"])


def test_verifier_key_only_serves_its_own_family() -> None:
    token = _forge({"alg": "HS384"}, {"exp": NOW + 60})
    _rejects(token, algorithms=["HS256"])  # HS384 not allowed
    good = _forge({"alg": "HS384"}, {"exp": NOW + 60}, b"k" * 48)
    assert _verifier(keys=b"k" * 48, algorithms=["HS384"]).verify(good).exp == NOW + 60


# -- header and serialization rejections -----------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_is_rejected_in_any_case(alg: str) -> None:
    head = _b64(json.dumps({"alg": alg}).encode())
    body = _b64(b'{"exp": 1800000000}')
    for token in (f"{head}.{body}.", f"{head}.{body}.{_b64(b'x' * 32)}"):
        assert "none" in str(_rejects(token, algorithms=["HS256", "HS384"], keys=KEY_B))


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"alg": "HS256", "crit": ["exp"], "exp": 1}, "critical"),
        ({"alg": "HS256", "crit": "exp"}, "crit"),
        ({"alg": "HS256", "crit": []}, "crit"),
        ({"alg": "HS256", "b64": False, "crit": ["b64"]}, "critical"),
        ({"alg": "HS256", "b64": False}, "b64"),
        ({"alg": 256}, "must be a string"),
        ({"alg": None}, "must be a string"),
        ({"typ": "JWT"}, "must be a string"),
        ({"alg": "HS999"}, "unsupported"),
        ({"alg": "RS512"}, "unsupported"),
    ],
)
def test_bad_headers_are_rejected(header: dict[str, Any], message: str) -> None:
    assert message in str(_rejects(_forge(header, {"exp": NOW + 60})))


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "..",
        ".eyJ9.c2ln",
        "eyJhbGciOiJIUzI1NiJ9.e30.",
        "eyJhbGciOiJIUzI1NiJ9.e30.c2ln.",
        "eyJhbGciOiJIUzI1NiJ9=.e30.c2ln",
        "eyJhbGciOiJIUzI1NiJ9.e30.c2l+",
        "eyJhbGciOiJIUzI1NiJ9.e30.c2l/",
        "eyJhbGciOiJIUzI1NiJ9.e30.c2l*",
        "eyJhbGciOiJIUzI1NiJ9.e30.c2lnn",
        "eyJhbGciOiJIUzI1NiJ9.e30.c2ln\u00e9",
        "eyJhbGciOiJIUzI1NiJ9 .e30.c2ln",
        "bm90IGpzb24.e30.c2ln",  # "not json"
        "WzFd.e30.c2ln",  # [1]
        "ImFsZyI.e30.c2ln",  # a JSON string
    ],
)
def test_malformed_tokens_are_rejected(token: str) -> None:
    _rejects(token)


def test_jws_allows_an_empty_payload_and_returns_header_copies() -> None:
    token = jws_sign(b"", SECRET, "HS256", headers={"kid": "k"})
    assert ".." in token
    header, payload = jws_verify(token, SECRET, ["HS256"])
    assert (header, payload) == ({"alg": "HS256", "kid": "k"}, b"")
    header["alg"] = "none"  # the caller's copy: the parsed-header cache is untouched
    assert jws_verify(token, SECRET, ["HS256"])[0]["alg"] == "HS256"
    _rejects(token)  # but an empty payload is not a claims set


def test_non_string_tokens_are_rejected() -> None:
    with pytest.raises(AuthError):
        _verifier().verify(123)  # type: ignore[arg-type]
    token = JwtSigner(SECRET, "HS256", clock=lambda: NOW).sign(expires_in=60)
    assert _verifier().verify(token.encode()).exp == NOW + 60  # bytes are fine


def test_non_canonical_trailing_bits_are_rejected() -> None:
    token = JwtSigner(SECRET, "HS256", clock=lambda: NOW).sign(expires_in=60)
    head, body, sig = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # 32 bytes -> 43 characters: the last one carries 2 unused bits.
    twin = alphabet[alphabet.index(sig[-1]) ^ 1]
    assert b64url_decode(sig[:-1] + "A")  # sanity: the prefix decodes
    _rejects(f"{head}.{body}.{sig[:-1]}{twin}")


def test_signature_length_and_value_are_checked() -> None:
    token = JwtSigner(SECRET, "HS256", clock=lambda: NOW).sign(expires_in=60)
    head, body, sig = token.split(".")
    raw = b64url_decode(sig)
    assert "32 bytes" in str(_rejects(f"{head}.{body}.{_b64(raw[:31])}"))
    assert "32 bytes" in str(_rejects(f"{head}.{body}.{_b64(raw + b'0')}"))
    assert "not valid" in str(_rejects(f"{head}.{body}.{_b64(bytes(32))}"))
    assert "not valid" in str(_rejects(token, keys=b"t" * 32))


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"[1, 2]", b'"claims"', b"", b'{"exp": NaN}', b'{"exp": 1e999}', b"\xff{}"],
)
def test_claims_must_be_a_json_object(payload: bytes) -> None:
    _rejects(_forge({"alg": "HS256"}, None, raw_payload=payload))


# -- claims ----------------------------------------------------------------------------------


def _token(claims: dict[str, Any]) -> str:
    return _forge({"alg": "HS256", "typ": "JWT"}, claims)


def test_expiry_and_leeway() -> None:
    _rejects(_token({"exp": NOW - 1}), AuthErrorKind.TOKEN_EXPIRED)
    _rejects(_token({"exp": NOW}), AuthErrorKind.TOKEN_EXPIRED)  # exp is exclusive
    assert _verifier(leeway=5).verify(_token({"exp": NOW - 4})).exp == NOW - 4
    _rejects(_token({"exp": NOW - 6}), AuthErrorKind.TOKEN_EXPIRED, leeway=5)
    assert _verifier().verify(_token({"exp": NOW + 0.5})).exp == NOW + 0.5


def test_not_before_and_issued_at_in_the_future() -> None:
    assert "nbf" in str(_rejects(_token({"exp": NOW + 60, "nbf": NOW + 10})))
    assert "iat" in str(_rejects(_token({"exp": NOW + 60, "iat": NOW + 10})))
    ok = _verifier(leeway=10).verify(_token({"exp": NOW + 60, "nbf": NOW + 10, "iat": NOW + 10}))
    assert (ok.nbf, ok.iat) == (NOW + 10, NOW + 10)


@pytest.mark.parametrize("name", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("value", ["1800000000", True, None, [1], {"t": 1}])
def test_numeric_dates_must_be_numbers(name: str, value: Any) -> None:
    claims = {"exp": NOW + 60, name: value}
    assert "must be a number" in str(_rejects(_token(claims)))


def test_required_claims() -> None:
    assert "'exp'" in str(_rejects(_token({"sub": "u"})))
    assert _verifier(required_claims=()).verify(_token({"sub": "u"})).sub == "u"
    assert "'jti'" in str(_rejects(_token({"exp": NOW + 60}), required_claims=("exp", "jti")))


def test_issuer() -> None:
    good = _token({"exp": NOW + 60, "iss": "https://a"})
    assert _verifier(issuer="https://a").verify(good).iss == "https://a"
    assert _verifier(issuer=["https://b", "https://a"]).verify(good).iss == "https://a"
    assert "issuer" in str(_rejects(good, issuer="https://b"))
    _rejects(_token({"exp": NOW + 60}), issuer="https://a")
    _rejects(_token({"exp": NOW + 60, "iss": 7}))


def test_audience_string_or_list() -> None:
    single = _token({"exp": NOW + 60, "aud": "api"})
    many = _token({"exp": NOW + 60, "aud": ["web", "api"]})
    assert _verifier(audience="api").verify(single).aud == ("api",)
    assert _verifier(audience="api").verify(many).aud == ("web", "api")
    assert _verifier(audience=["x", "web"]).verify(many).aud == ("web", "api")
    _rejects(single, audience="other")
    _rejects(_token({"exp": NOW + 60}), audience="api")  # audience expected, none given
    assert "audience=" in str(_rejects(single))  # audience given, none expected
    for bad in (7, [], ["api", 7], {"a": 1}):
        _rejects(_token({"exp": NOW + 60, "aud": bad}), audience="api")


def test_string_claims_are_typed() -> None:
    for name in ("sub", "jti", "iss"):
        _rejects(_token({"exp": NOW + 60, name: 42}))
        _rejects(_token({"exp": NOW + 60, name: None}))


def test_claims_object() -> None:
    claims = _verifier(audience="api").verify(
        _token(
            {
                "sub": "u1",
                "iss": "i",
                "aud": "api",
                "exp": NOW + 60,
                "nbf": NOW,
                "iat": NOW,
                "jti": "j",
                "role": "admin",
                "n": [1, 2],
            }
        )
    )
    assert claims == Claims(
        sub="u1",
        iss="i",
        aud=("api",),
        exp=NOW + 60,
        nbf=NOW,
        iat=NOW,
        jti="j",
        extra={"role": "admin", "n": [1, 2]},
    )
    assert claims.get("role") == "admin"
    assert claims.get("missing", 3) == 3
    assert claims.to_dict()["aud"] == "api"
    with pytest.raises(AttributeError):
        claims.sub = "other"  # type: ignore[misc]


# -- signer ----------------------------------------------------------------------------------


def test_signer_sets_header_and_registered_claims() -> None:
    signer = JwtSigner(SECRET, "HS256", kid="key-1", headers={"cty": "x"}, clock=lambda: NOW)
    token = signer.sign(
        {"role": "r", "sub": "ignored"},
        expires_in=300,
        not_before=NOW - 1,
        issuer="iss",
        audience=["a", "b"],
        subject="user",
        jwt_id="id-1",
    )
    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header == {"alg": "HS256", "typ": "JWT", "kid": "key-1", "cty": "x"}
    claims = _verifier(audience="b", issuer="iss").verify(token)
    assert (claims.sub, claims.jti, claims.aud) == ("user", "id-1", ("a", "b"))
    assert (claims.iat, claims.exp, claims.nbf) == (int(NOW), int(NOW + 300), NOW - 1)
    kept = signer.sign({"iat": 5, "exp": NOW + 1})
    assert _verifier().verify(kept).iat == 5
    assert _verifier(required_claims=()).verify(signer.sign()).exp is None


@pytest.mark.parametrize(("alg", "size"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
def test_hmac_keys_shorter_than_the_hash_are_refused(alg: str, size: int) -> None:
    with pytest.raises(ValidationError, match="RFC 7518"):
        JwtSigner(b"k" * (size - 1), alg)
    with pytest.raises(ValidationError, match="RFC 7518"):
        JwtVerifier(b"k" * (size - 1), algorithms=[alg])
    weak = _forge({"alg": alg}, {}, b"k" * (size - 1))
    with pytest.raises(ValidationError):
        jws_verify(weak, b"k" * (size - 1), [alg])
    token = JwtSigner(b"k" * size, alg, clock=lambda: NOW).sign(expires_in=1)
    assert _verifier(keys=b"k" * size, algorithms=[alg]).verify(token).exp == NOW + 1


def test_signer_input_errors() -> None:
    with pytest.raises(ValidationError):
        JwtSigner(SECRET, "none")
    with pytest.raises(ValidationError):
        JwtSigner(SECRET, "ES512")
    with pytest.raises(ValidationError):
        JwtSigner(SECRET, "HS256", headers={"crit": ["x"]})
    with pytest.raises(ValidationError):
        JwtSigner(SECRET, "HS256", headers={"alg": "HS512"})
    with pytest.raises(ValidationError):
        JwtSigner(12345, "HS256")
    signer = JwtSigner(SECRET, "HS256")
    with pytest.raises(ValidationError):
        signer.sign({1: "x"})  # type: ignore[dict-item]
    with pytest.raises(SerializationError):
        signer.sign({"x": object()})
    with pytest.raises(SerializationError):
        signer.sign({"x": float("nan")})
    with pytest.raises(ValidationError):
        signer.sign(expires_in=float("inf"))
    with pytest.raises(ValidationError):
        jws_sign(b"{}", SECRET, "HS256", headers=b'{"alg":"HS512"}')
    with pytest.raises(ValidationError):
        jws_sign(b"{}", SECRET, "HS256", headers=b"not json")


def test_verifier_configuration_errors() -> None:
    bad_lists: list[Any] = [[], "HS256", ["HS256", "none"], ["ES384"]]
    for algorithms in bad_lists:
        with pytest.raises(ValidationError):
            JwtVerifier(SECRET, algorithms=algorithms)
    with pytest.raises(ValidationError):
        JwtVerifier(SECRET, algorithms=["HS256"], leeway=-1)
    with pytest.raises(ValidationError):
        JwtVerifier(SECRET, algorithms=["HS256"], audience=[])
    with pytest.raises(ValidationError):
        JwtVerifier(object(), algorithms=["HS256"])
    # Wrong shapes are ValidationErrors naming the option, not TypeErrors from iterating.
    shapes: list[tuple[dict[str, Any], str]] = [
        ({"algorithms": -1}, "algorithms"),
        ({"algorithms": None}, "algorithms"),
        ({"issuer": -1}, "issuer"),
        ({"audience": [["a"]]}, "audience"),
        ({"required_claims": -1}, "required_claims"),
        ({"required_claims": ["exp", 1]}, "required_claims"),
    ]
    for options, field in shapes:
        with pytest.raises(ValidationError) as info:
            JwtVerifier(SECRET, **{"algorithms": ["HS256"], **options})
        assert info.value.field == field


def test_a_lone_required_claim_is_one_name() -> None:
    verifier = JwtVerifier(SECRET, algorithms=["HS256"], required_claims="sub", clock=lambda: NOW)
    token = JwtSigner(SECRET, "HS256", clock=lambda: NOW).sign(expires_in=60)
    with pytest.raises(AuthError, match="sub"):
        verifier.verify(token)  # it used to require the claims "s", "u" and "b"
    signed = JwtSigner(SECRET, "HS256", clock=lambda: NOW).sign({"sub": "me"}, expires_in=60)
    assert verifier.verify(signed).sub == "me"


# -- key sets and resolvers -------------------------------------------------------------------

KEY_A = b"a" * 32
KEY_B = b"b" * 64


def _jwks() -> dict[str, Any]:
    return {
        "keys": [
            {"kty": "oct", "kid": "a", "k": _b64(KEY_A), "alg": "HS256"},
            {"kty": "oct", "kid": "b", "k": _b64(KEY_B)},
            {"kty": "oct", "kid": "enc", "k": _b64(KEY_A), "use": "enc"},
            {"kty": "RSA", "kid": "wrap", "n": "AQAB", "e": "AQAB", "alg": "RSA-OAEP"},
            {"kty": "EC", "kid": "p384", "crv": "P-384", "x": "AQAB", "y": "AQAB"},
            {"kty": "OKP", "kid": "x", "crv": "X25519", "x": "AQAB"},
            {"kty": "oct", "kid": "ops", "k": _b64(KEY_A), "key_ops": ["encrypt"]},
            {"kty": "future-kty", "kid": "f"},
        ]
    }


def test_jwks_parsing_skips_what_is_not_for_signing() -> None:
    jwks = JwkSet.from_dict(_jwks())
    assert jwks.kids() == ["a", "b"]
    assert len(jwks) == 2
    assert len(jwks.skipped) == 6
    assert any("'enc'" in note for note in jwks.skipped)
    assert any("RSA-OAEP" in note for note in jwks.skipped)
    assert any("P-384" in note for note in jwks.skipped)
    assert any("future-kty" in note for note in jwks.skipped)
    got = jwks.get("b")
    assert got is not None
    assert got.key == KEY_B
    assert "JwkSet" in repr(jwks)
    assert [k.kid for k in jwks] == ["a", "b"]
    assert JwkSet.from_json(json.dumps(_jwks())).kids() == ["a", "b"]


@pytest.mark.parametrize(
    "entry",
    [
        {"kty": "oct", "kid": "bad", "k": "not*base64"},
        {"kty": "oct", "kid": "bad"},
        {"kty": "oct", "kid": 7, "k": "AQAB"},
        {"kid": "no-kty", "k": "AQAB"},
        {"kty": "RSA", "kid": "bad", "n": "AQAB"},
        {"kty": "EC", "kid": "bad", "crv": "P-256", "x": "AQ=="},
        "not an object",
    ],
)
def test_malformed_supported_keys_fail_the_set(entry: Any) -> None:
    with pytest.raises(ValidationError):
        JwkSet.from_dict({"keys": [entry]})


def test_jwks_shape_errors() -> None:
    shapes: list[Any] = [{}, {"keys": {}}, []]
    for data in shapes:
        with pytest.raises(ValidationError):
            JwkSet.from_dict(data)
    with pytest.raises(ValidationError):
        parse_jwk({"kty": "dsa"})
    with pytest.raises(ValidationError):
        parse_jwk("x")  # type: ignore[arg-type]


def test_jwks_lookup_by_kid() -> None:
    verifier = _verifier(keys=_jwks(), algorithms=["HS256", "HS512"])
    token_a = _forge({"alg": "HS256", "kid": "a"}, {"exp": NOW + 60}, KEY_A)
    token_b = _forge({"alg": "HS512", "kid": "b"}, {"exp": NOW + 60}, KEY_B)
    assert verifier.verify(token_a).exp == NOW + 60
    assert verifier.verify(token_a).exp == NOW + 60  # prepared key reused
    assert verifier.verify(token_b).exp == NOW + 60
    unknown = _forge({"alg": "HS256", "kid": "zzz"}, {"exp": NOW + 60}, KEY_A)
    with pytest.raises(AuthError, match="unknown key id 'zzz'") as info:
        verifier.verify(unknown)
    assert info.value.auth_kind is INVALID
    # key "a" is pinned to HS256 by its "alg" member
    wrong_alg = _forge({"alg": "HS512", "kid": "a"}, {"exp": NOW + 60}, KEY_A)
    with pytest.raises(AuthError, match="cannot verify HS512"):
        verifier.verify(wrong_alg)
    with pytest.raises(AuthError, match="'kid' must be a string"):
        verifier.verify(_forge({"alg": "HS256", "kid": 1}, {"exp": NOW + 60}, KEY_A))
    with pytest.raises(AuthError, match="not valid"):
        verifier.verify(_forge({"alg": "HS256", "kid": "a"}, {"exp": NOW + 60}, KEY_B))


def test_jwks_without_kid_tries_fitting_keys() -> None:
    jwks = JwkSet.from_dict(_jwks())
    verifier = _verifier(keys=jwks, algorithms=["HS256", "HS384"])
    for key in (KEY_A, KEY_B):
        assert verifier.verify(_forge({"alg": "HS256"}, {"exp": NOW + 60}, key)).exp
    with pytest.raises(AuthError, match="not valid"):
        verifier.verify(_forge({"alg": "HS256"}, {"exp": NOW + 60}, b"c" * 32))
    only_a = _verifier(keys={"keys": [_jwks()["keys"][0]]}, algorithms=["HS256", "HS384"])
    with pytest.raises(AuthError, match="no key in the key set"):
        only_a.verify(_forge({"alg": "HS384"}, {"exp": NOW + 60}, KEY_B))


def test_jwks_short_secret_for_the_token_algorithm() -> None:
    verifier = _verifier(keys={"keys": [{"kty": "oct", "k": _b64(KEY_A)}]}, algorithms=["HS512"])
    with pytest.raises(ValidationError, match="RFC 7518"):
        verifier.verify(_forge({"alg": "HS512"}, {"exp": NOW + 60}, KEY_A))


def test_single_jwk_and_jwk_object_keys() -> None:
    jwk = {"kty": "oct", "k": _b64(KEY_A)}
    token = _forge({"alg": "HS256"}, {"exp": NOW + 60}, KEY_A)
    assert _verifier(keys=jwk).verify(token).exp == NOW + 60
    assert _verifier(keys=Jwk.from_dict(jwk)).verify(token).exp == NOW + 60
    pinned = Jwk.from_dict({**jwk, "alg": "HS384"})
    with pytest.raises(ValidationError, match="cannot verify any allowed algorithm"):
        _verifier(keys=pinned)
    not_lists: list[Any] = ["HS256", []]
    for algorithms in not_lists:
        with pytest.raises(ValidationError):
            jws_verify(token, KEY_A, algorithms)
    assert JwtSigner(jwk, "HS256").sign()


def test_resolver_callable() -> None:
    seen: list[dict[str, Any]] = []

    def resolve(header: dict[str, Any]) -> Any:
        seen.append(header)
        return {"a": KEY_A, "j": Jwk.from_dict({"kty": "oct", "k": _b64(KEY_A), "alg": "HS384"})}[
            header["kid"]
        ]

    verifier = _verifier(keys=resolve, algorithms=["HS256"])
    assert verifier.verify(_forge({"alg": "HS256", "kid": "a"}, {"exp": NOW + 60}, KEY_A)).exp
    assert seen == [{"alg": "HS256", "kid": "a"}]
    with pytest.raises(AuthError, match="resolver failed: KeyError"):
        verifier.verify(_forge({"alg": "HS256", "kid": "nope"}, {"exp": NOW + 60}, KEY_A))
    with pytest.raises(AuthError, match="cannot verify HS256"):
        verifier.verify(_forge({"alg": "HS256", "kid": "j"}, {"exp": NOW + 60}, KEY_A))
    nothing = _verifier(keys=lambda header: None)
    with pytest.raises(AuthError, match="no key"):
        nothing.verify(_forge({"alg": "HS256"}, {"exp": NOW + 60}))


# -- base64url -----------------------------------------------------------------------------


@given(st.binary(max_size=80))
def test_b64url_round_trip(data: bytes) -> None:
    encoded = b64url_encode(data)
    assert b"=" not in encoded
    assert b64url_decode(encoded) == data
    assert b64url_decode(encoded.decode()) == data


@pytest.mark.parametrize("text", ["QQ==", "QQ=", "Q", "QR", "QQ+", "Q/Q", "Q Q", "QQ\n", "é"])
def test_b64url_rejects_non_canonical(text: str) -> None:
    with pytest.raises(ValidationError):
        b64url_decode(text)


# -- properties -------------------------------------------------------------------------------

# A small alphabet that still needs JSON escaping and multi-byte UTF-8: drawing
# from all of Unicode makes generation, not the code under test, the cost
# under WASI.
TEXT = st.text(alphabet='az\u00e9\u20ac\U0001f600"\\\n /', max_size=10)
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
JSON_VALUES = (
    JSON_SCALARS
    | st.lists(JSON_SCALARS, max_size=3)
    | st.dictionaries(TEXT, JSON_SCALARS | st.lists(JSON_SCALARS, max_size=2), max_size=3)
)
REGISTERED = {"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}
PRIVATE_CLAIMS = st.dictionaries(
    TEXT.filter(lambda name: name not in REGISTERED), JSON_VALUES, max_size=5
)


@settings(max_examples=40)  # generating nested JSON dominates; 40 covers the shapes
@given(claims=PRIVATE_CLAIMS, alg=st.sampled_from(["HS256", "HS384", "HS512"]))
def test_sign_verify_round_trip(claims: dict[str, Any], alg: str) -> None:
    token = JwtSigner(KEY_B, alg, clock=lambda: NOW).sign(claims, expires_in=60, subject="s")
    got = _verifier(keys=KEY_B, algorithms=[alg]).verify(token)
    assert got.extra == claims
    assert (got.sub, got.exp, got.iat) == ("s", int(NOW + 60), int(NOW))


FIXED_TOKEN = JwtSigner(SECRET, "HS256", kid="k", clock=lambda: NOW).sign(
    {"role": "admin", "n": 1}, expires_in=600, audience="api"
)


B64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@given(
    index=st.integers(min_value=0, max_value=len(FIXED_TOKEN) - 1),
    char=st.sampled_from(B64URL_ALPHABET + ".=+/ "),
)
def test_any_single_character_change_is_rejected(index: int, char: str) -> None:
    mutated = FIXED_TOKEN[:index] + char + FIXED_TOKEN[index + 1 :]
    verifier = _verifier(audience="api")
    if mutated == FIXED_TOKEN:
        assert verifier.verify(mutated).extra == {"role": "admin", "n": 1}
        return
    with pytest.raises(AuthError):
        verifier.verify(mutated)


@settings(max_examples=50)
@given(
    st.text(alphabet=B64URL_ALPHABET + ".=+/ \u00e9", max_size=60)
    | st.binary(max_size=60).map(lambda b: _b64(b) + "." + _b64(b) + ".x")
)
def test_garbage_only_ever_raises_auth_error(token: str) -> None:
    try:
        _verifier(keys=_jwks(), algorithms=["HS256"]).verify(token)
    except AuthError:
        pass
    except InfraError as exc:  # pragma: no cover - would be a bug
        pytest.fail(f"unexpected {exc!r}")


def test_algorithm_table_is_what_the_docs_say() -> None:
    assert sorted(ALGORITHMS) == sorted(
        ["HS256", "HS384", "HS512", "RS256", "PS256", "ES256", "EdDSA"]
    )
