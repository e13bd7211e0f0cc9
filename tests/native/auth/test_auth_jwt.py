"""JwtAuthenticator with static keys: every algorithm family, claims, and what must be refused.

crypto has a pure-Python implementation of every JWS algorithm, so each one
runs in every runtime (natively ``cryptography`` does the work unless
INFRA_PORTABLE_BLOCK_NATIVE=1).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from auth_support import ASYMMETRIC, HMAC_SECRET, NOW, public_jwk, signer

from infra_portable.auth import (
    AuthMethod,
    Credentials,
    Identity,
    JwtAuthenticator,
)
from infra_portable.crypto import Claims, RsaPublicKey, b64url_decode, b64url_encode
from infra_portable.errors import AuthError, AuthErrorKind, ValidationError

RunCoro = Callable[[Coroutine[Any, Any, Any]], Any]
ALGORITHMS = ("HS256", "HS384", "HS512", *ASYMMETRIC)
INVALID = AuthErrorKind.INVALID_TOKEN


def _verifying_key(alg: str) -> Any:
    return HMAC_SECRET if alg.startswith("HS") else public_jwk(alg)


def _auth(alg: str = "HS256", **kwargs: Any) -> JwtAuthenticator:
    kwargs.setdefault("clock", lambda: NOW)
    kwargs.setdefault("algorithms", [alg])
    return JwtAuthenticator(kwargs.pop("keys", _verifying_key(alg)), **kwargs)


def _token(claims: dict[str, Any] | None = None, *, alg: str = "HS256", **kwargs: Any) -> str:
    kwargs.setdefault("expires_in", 300)
    kwargs.setdefault("subject", "alice")
    return signer(alg).sign(claims or {}, **kwargs)


def _refused(auth: JwtAuthenticator, token: str, kind: AuthErrorKind = INVALID) -> AuthError:
    with pytest.raises(AuthError) as info:
        auth.verify(token)
    assert info.value.auth_kind is kind, info.value
    return info.value


def _b64(data: bytes) -> str:
    return b64url_encode(data)


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_every_algorithm_family_authenticates(alg: str, run_coro: RunCoro) -> None:
    token = _token({"roles": ["reader"], "scope": "models:read models:list"}, alg=alg, issuer="idp")
    identity = run_coro(_auth(alg, issuer="idp").authenticate(Credentials.bearer(token)))
    assert identity == Identity(
        "alice",
        AuthMethod.JWT,
        {"reader"},
        {"models:read", "models:list"},
        identity.attributes,
        issuer="idp",
        expires_at=NOW + 300,
    )
    assert identity.attributes["sub"] == "alice"
    assert identity.attributes["iss"] == "idp"


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_a_tampered_payload_or_signature_is_refused(alg: str) -> None:
    auth = _auth(alg)
    head, body, sig = _token(alg=alg).split(".")
    forged_body = _b64(json.dumps({"sub": "mallory", "exp": NOW + 300}).encode())
    _refused(auth, f"{head}.{forged_body}.{sig}")
    raw = bytearray(b64url_decode(sig))
    raw[len(raw) // 2] ^= 0x01
    _refused(auth, f"{head}.{body}.{_b64(bytes(raw))}")


def test_expiry_honours_leeway() -> None:
    token = _token(expires_in=60)
    assert _auth(clock=lambda: NOW + 59).verify(token).subject == "alice"
    _refused(_auth(clock=lambda: NOW + 60), token, AuthErrorKind.TOKEN_EXPIRED)
    assert _auth(clock=lambda: NOW + 80, leeway=30).verify(token).subject == "alice"
    error = _refused(_auth(clock=lambda: NOW + 90, leeway=30), token, AuthErrorKind.TOKEN_EXPIRED)
    assert error.http_status == 401


def test_not_before_and_issued_at_in_the_future_are_refused() -> None:
    early = _token(not_before=NOW + 100)
    _refused(_auth(), early)
    assert _auth(leeway=100).verify(early).subject == "alice"
    _refused(_auth(), _token({"iat": NOW + 100}))


def test_a_token_without_exp_is_refused_unless_not_required() -> None:
    token = signer("HS256").sign({"sub": "svc"})
    _refused(_auth(), token)
    assert _auth(required_claims=()).verify(token).subject == "svc"


def test_issuer_and_audience_must_match() -> None:
    token = _token(issuer="https://idp.example", audience=["api", "other"])
    ok = _auth(issuer="https://idp.example", audience="api")
    assert ok.verify(token).attributes["aud"] == ["api", "other"]
    _refused(_auth(issuer="https://evil.example", audience="api"), token)
    _refused(_auth(issuer="https://idp.example", audience="billing"), token)
    # A token for an audience is not accepted by a verifier that serves none.
    _refused(_auth(issuer="https://idp.example"), token)


def test_alg_none_and_unlisted_algorithms_are_refused() -> None:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    body = _b64(json.dumps({"sub": "mallory", "exp": NOW + 300}).encode())
    _refused(_auth(), f"{header}.{body}.")
    _refused(_auth(), f"{header}.{body}.{_b64(b'x' * 32)}")
    # Signed correctly, but with an algorithm this authenticator does not allow.
    _refused(_auth("HS256"), _token(alg="HS512"))


def test_rsa_public_key_used_as_hmac_secret_is_refused() -> None:
    """The classic algorithm-confusion forgery: HS256 keyed with the RSA public key."""
    public = public_jwk("RS256")
    pem = RsaPublicKey.from_jwk(public).to_pem()
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps({"sub": "mallory", "exp": NOW + 300}).encode())
    mac = hmac.digest(pem, f"{header}.{body}".encode(), hashlib.sha256)
    forged = f"{header}.{body}.{_b64(mac)}"
    # Even with HS256 in the allow-list, an RSA key never verifies HMAC tokens.
    _refused(_auth("RS256", keys=public, algorithms=["RS256", "HS256"]), forged)
    _refused(_auth("RS256", keys=pem, algorithms=["RS256", "HS256"]), forged)
    # And a PEM public key is refused outright as an HMAC secret.
    with pytest.raises(ValidationError):
        JwtAuthenticator(pem, algorithms=["HS256"])


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c.d", "!!.e30.e30", "e30.e30.e30", "WzFd.e30.e30", "tok€n.a.b"],
)
def test_malformed_tokens_are_invalid_tokens(token: str) -> None:
    _refused(_auth(), token)


def test_non_bearer_credentials_are_refused(run_coro: RunCoro) -> None:
    auth = _auth()
    with pytest.raises(AuthError) as info:
        run_coro(auth.authenticate(Credentials.api_key("ipk_x")))
    assert info.value.auth_kind is AuthErrorKind.INVALID_CREDENTIALS
    with pytest.raises(AuthError) as missing:
        run_coro(auth.authenticate(None))  # type: ignore[arg-type]
    assert missing.value.auth_kind is AuthErrorKind.MISSING_CREDENTIALS
    assert auth.accepts(Credentials.bearer(_token()))
    assert not auth.accepts(Credentials.bearer("ipk_abc"))
    assert not auth.accepts(Credentials.basic("a", "b.c.d"))
    assert auth.authenticate_sync(Credentials.bearer(_token())).subject == "alice"


def test_roles_and_scopes_come_from_configurable_claims() -> None:
    token = _token({"realm_access": {"roles": ["admin", "ops"]}, "scp": ["a", "b"]})
    identity = _auth(roles_claim="realm_access.roles").verify(token)
    assert identity.roles == {"admin", "ops"}
    assert identity.scopes == {"a", "b"}
    assert _auth(roles_claim=None).verify(token).roles == frozenset()
    spaced = _token({"roles": "admin ops", "scope": "x y"})
    assert _auth().verify(spaced).roles == {"admin", "ops"}
    custom = _token({"client_id": "svc-1"}, subject=None)
    assert _auth(subject_claim="client_id", required_claims=()).verify(custom).subject == "svc-1"


@pytest.mark.parametrize(
    "claims",
    [{"roles": [1, 2]}, {"roles": {"a": 1}}, {"scope": 5}, {"roles": [""]}],
)
def test_malformed_role_and_scope_claims_are_invalid_tokens(claims: dict[str, Any]) -> None:
    _refused(_auth(), _token(claims))


def test_a_token_without_subject_is_refused() -> None:
    _refused(_auth(), signer("HS256").sign({"roles": []}, expires_in=60))


def test_identity_factory_replaces_the_mapping() -> None:
    def factory(claims: Claims) -> Identity:
        return Identity(f"user:{claims.sub}", roles={"custom"})

    identity = _auth(identity_factory=factory).verify(_token())
    assert (identity.subject, identity.roles) == ("user:alice", {"custom"})
    bad = _auth(identity_factory=lambda claims: "alice")  # type: ignore[arg-type,return-value]
    with pytest.raises(ValidationError):
        bad.verify(_token())


def test_configuration_mistakes_are_validation_errors() -> None:
    with pytest.raises(ValidationError):
        JwtAuthenticator(HMAC_SECRET, algorithms=[])
    with pytest.raises(ValidationError):
        JwtAuthenticator(HMAC_SECRET, algorithms=["ES512"])
    with pytest.raises(ValidationError):
        JwtAuthenticator(HMAC_SECRET, algorithms=["none"])
    with pytest.raises(ValidationError):  # an HMAC secret cannot verify ES256
        JwtAuthenticator(HMAC_SECRET, algorithms=["ES256"])
    with pytest.raises(ValidationError):
        JwtAuthenticator(b"short", algorithms=["HS256"])
    with pytest.raises(ValidationError):
        JwtAuthenticator(HMAC_SECRET, algorithms=["HS256"], leeway=-1)
    with pytest.raises(ValidationError):
        JwtAuthenticator(HMAC_SECRET, algorithms=["HS256"], subject_claim="")


def test_a_key_set_picks_the_key_by_kid() -> None:
    keys = {"keys": [public_jwk("ES256", "ec-1"), public_jwk("EdDSA", "ed-1")]}
    auth = _auth("ES256", keys=keys, algorithms=["ES256", "EdDSA"])
    assert auth.verify(signer("EdDSA", kid="ed-1").sign(subject="a", expires_in=60)).subject == "a"
    # The right key type under the wrong kid is refused.
    _refused(auth, signer("EdDSA", kid="ec-1").sign(subject="a", expires_in=60))
    _refused(auth, signer("EdDSA", kid="nope").sign(subject="a", expires_in=60))
