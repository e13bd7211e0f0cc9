"""Credentials from headers, and the Identity/Resource values every authenticator returns."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra_portable.auth import (
    AuthMethod,
    CredentialKind,
    Credentials,
    Identity,
    Resource,
    credentials_from_headers,
)
from infra_portable.errors import AuthError, AuthErrorKind, ValidationError
from infra_portable.http import Headers


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _kind_of(headers: object) -> AuthErrorKind:
    with pytest.raises(AuthError) as info:
        credentials_from_headers(headers)
    return info.value.auth_kind


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_bearer_scheme_is_case_insensitive(scheme: str) -> None:
    found = credentials_from_headers({"Authorization": f"{scheme} abc.def-ghi_~+/="})
    assert found == Credentials(CredentialKind.BEARER, "abc.def-ghi_~+/=", source="authorization")


def test_headers_objects_mappings_and_asgi_pairs_all_work() -> None:
    expected = Credentials.api_key("ipk_x")
    assert credentials_from_headers(Headers({"X-API-Key": "ipk_x"})) == expected
    assert credentials_from_headers({"x-api-key": " ipk_x "}) == expected
    assert credentials_from_headers([(b"x-api-key", b"ipk_x")]) == expected
    custom = credentials_from_headers({"X-Token": "k"}, api_key_header="X-Token")
    assert custom == Credentials.api_key("k", source="x-token")


def test_basic_credentials_are_decoded() -> None:
    found = credentials_from_headers({"authorization": _basic("alice", "pa:ss wörd")})
    assert found is not None
    assert (found.kind, found.username, found.secret) == (
        CredentialKind.BASIC,
        "alice",
        "pa:ss wörd",
    )


@given(
    user=st.text(st.characters(blacklist_characters=":", blacklist_categories=["Cs"]), max_size=20),
    password=st.text(st.characters(blacklist_categories=["Cs"]), max_size=40),
)
def test_basic_round_trips_any_user_without_colon(user: str, password: str) -> None:
    found = credentials_from_headers({"authorization": _basic(user, password)})
    assert found == Credentials.basic(user, password)


def test_no_credentials_is_none_or_missing_credentials() -> None:
    assert credentials_from_headers({"accept": "*/*"}) is None
    assert credentials_from_headers(None) is None
    with pytest.raises(AuthError) as info:
        Credentials.from_headers({})
    assert info.value.auth_kind is AuthErrorKind.MISSING_CREDENTIALS
    assert info.value.http_status == 401


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ({"authorization": "Bearer"}, AuthErrorKind.INVALID_TOKEN),
        ({"authorization": "Bearer a b"}, AuthErrorKind.INVALID_TOKEN),
        ({"authorization": "Bearer tok€n"}, AuthErrorKind.INVALID_TOKEN),
        ({"authorization": "Bearer =abc"}, AuthErrorKind.INVALID_TOKEN),
        ({"authorization": "Digest realm=x"}, AuthErrorKind.INVALID_CREDENTIALS),
        ({"authorization": "   "}, AuthErrorKind.INVALID_CREDENTIALS),
        ({"authorization": "Basic"}, AuthErrorKind.INVALID_CREDENTIALS),
        ({"authorization": "Basic !!!"}, AuthErrorKind.INVALID_CREDENTIALS),
        (
            {"authorization": "Basic " + base64.b64encode(b"nocolon").decode()},
            AuthErrorKind.INVALID_CREDENTIALS,
        ),
        (
            {"authorization": "Basic " + base64.b64encode(b"\xff:x").decode()},
            AuthErrorKind.INVALID_CREDENTIALS,
        ),
        ({"x-api-key": ""}, AuthErrorKind.INVALID_CREDENTIALS),
        ({"authorization": "Bearer a", "x-api-key": "k"}, AuthErrorKind.INVALID_CREDENTIALS),
        (
            [("authorization", "Bearer a"), ("Authorization", "Bearer b")],
            AuthErrorKind.INVALID_CREDENTIALS,
        ),
        ({"x-api-key": "k" * 20000}, AuthErrorKind.INVALID_CREDENTIALS),
        ([("x-api-key",)], AuthErrorKind.INVALID_CREDENTIALS),
    ],
)
def test_malformed_headers_are_refused_with_a_kind(headers: object, kind: AuthErrorKind) -> None:
    assert _kind_of(headers) is kind


def test_secrets_never_appear_in_repr() -> None:
    for credentials in (
        Credentials.bearer("s3cr3t-token"),
        Credentials.api_key("s3cr3t-token"),
        Credentials.basic("alice", "s3cr3t-token"),
    ):
        assert "s3cr3t" not in repr(credentials)
    assert "alice" in repr(Credentials.basic("alice", "x"))


def test_identity_normalises_and_validates() -> None:
    identity = Identity("alice", AuthMethod.JWT, ["admin", "admin", "reader"], "read write")
    assert identity.roles == frozenset({"admin", "reader"})
    assert identity.scopes == frozenset({"read write"})  # one string is one scope here
    assert identity.has_role("admin")
    assert not identity.has_role("root")
    assert identity.method == "jwt"
    assert identity.to_dict()["roles"] == ["admin", "reader"]
    assert hash(identity) == hash(Identity("alice", "jwt", {"reader", "admin"}, ["read write"]))
    with pytest.raises(ValidationError) as info:
        Identity("")
    assert info.value.field == "subject"
    with pytest.raises(ValidationError, match="roles"):
        Identity("a", roles=[""])
    with pytest.raises(ValidationError, match="roles"):
        Identity("a", roles=[1])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="attributes"):
        Identity("a", attributes=[])  # type: ignore[arg-type]


def test_identity_to_dict_is_json_safe() -> None:
    import json

    identity = Identity("bob", attributes={"groups": frozenset({"b", "a"}), "n": (1, 2)})
    assert json.loads(json.dumps(identity.to_dict()))["attributes"] == {
        "groups": ["a", "b"],
        "n": [1, 2],
    }


def test_resource_type_and_coercion() -> None:
    resource = Resource("models/gpt-4", {"owner": "alice"})
    assert resource.type == "models"
    assert Resource.of("models/x") == Resource("models/x")
    assert Resource.of(resource) is resource
    with pytest.raises(ValidationError):
        Resource("")
    with pytest.raises(ValidationError):
        Resource("x", attributes="owner")  # type: ignore[arg-type]
