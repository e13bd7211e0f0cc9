"""Wrong argument types to the auth constructors and helpers fail as InfraErrors naming the argument.

Found by throwing junk values (None, ints, strings, mappings) at the public
API: each used to escape as a TypeError, ValueError or AttributeError from deep
inside (``tuple(-1)``, ``dict("x")``, ``"*" in None``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from auth_support import HMAC_SECRET, NOW, signer

from infra_portable.auth import (
    AsyncOAuthClient,
    Identity,
    JwtAuthenticator,
    OAuthClient,
    PolicyAuthorizer,
    Resource,
    allow,
    credentials_from_headers,
    deny,
    wildcard_match,
)
from infra_portable.errors import AuthError, AuthErrorKind, ValidationError
from infra_portable.http import AsyncHttpClient, HttpClient
from infra_portable.sim import MockTransport


def _jwt(**overrides: Any) -> JwtAuthenticator:
    options: dict[str, Any] = {"algorithms": ["HS256"], **overrides}
    return JwtAuthenticator(HMAC_SECRET, **options)


def _oauth(**overrides: Any) -> OAuthClient:
    options: dict[str, Any] = {
        "token_url": "https://as.example/token",
        "client_id": "c",
        "client_secret": "s",
        **overrides,
    }
    return OAuthClient(**options)


def _async_oauth(**overrides: Any) -> AsyncOAuthClient:
    options: dict[str, Any] = {
        "token_url": "https://as.example/token",
        "client_id": "c",
        "client_secret": "s",
        **overrides,
    }
    return AsyncOAuthClient(**options)


# (what to call, the ValidationError's field)
VALIDATION_CASES: list[tuple[str, Callable[[], object], str]] = [
    ("jwt algorithms int", lambda: _jwt(algorithms=-1), "algorithms"),
    ("jwt algorithms None", lambda: _jwt(algorithms=None), "algorithms"),
    ("jwt algorithms one string", lambda: _jwt(algorithms="HS256"), "algorithms"),
    ("jwt algorithms empty", lambda: _jwt(algorithms=[]), "algorithms"),
    ("jwt algorithms non-string item", lambda: _jwt(algorithms=[256]), "algorithms"),
    ("jwt algorithms mapping", lambda: _jwt(algorithms={"HS256": 1}), "algorithms"),
    ("jwt issuer int", lambda: _jwt(issuer=-1), "issuer"),
    ("jwt issuer bytes", lambda: _jwt(issuer=b"iss"), "issuer"),
    ("jwt issuer non-string item", lambda: _jwt(issuer=["a", None]), "issuer"),
    ("jwt audience int", lambda: _jwt(audience=-1), "audience"),
    ("jwt audience float", lambda: _jwt(audience=1.5), "audience"),
    ("jwt required_claims int", lambda: _jwt(required_claims=-1), "required_claims"),
    ("jwt scope_claims None", lambda: _jwt(scope_claims=None), "scope_claims"),
    ("jwt roles_claim int", lambda: _jwt(roles_claim=7), "roles_claim"),
    ("jwt identity_factory", lambda: _jwt(identity_factory="x"), "identity_factory"),
    ("jwt clock", lambda: _jwt(clock=None), "clock"),
    ("oauth scopes int", lambda: _oauth(scopes=-1), "scopes"),
    ("oauth scopes mapping", lambda: _oauth(scopes={"read": True}), "scopes"),
    ("oauth scopes non-string item", lambda: _oauth(scopes=["read", 1]), "scopes"),
    ("oauth token_params int", lambda: _oauth(token_params=-1), "token_params"),
    ("oauth token_params str", lambda: _oauth(token_params="x"), "token_params"),
    ("oauth token_params pairs", lambda: _oauth(token_params=[("a", "b")]), "token_params"),
    ("oauth token_params value", lambda: _oauth(token_params={"a": 1}), "token_params"),
    ("oauth redirect_uri", lambda: _oauth(redirect_uri=-1), "redirect_uri"),
    ("oauth clock", lambda: _oauth(clock="now"), "clock"),
    ("async oauth scopes int", lambda: _async_oauth(scopes=-1), "scopes"),
    ("async oauth token_params", lambda: _async_oauth(token_params="x"), "token_params"),
    (
        "oauth http async client",
        lambda: _oauth(http=AsyncHttpClient(transport=MockTransport())),
        "http",
    ),
    (
        "async oauth http sync client",
        lambda: _async_oauth(http=HttpClient(transport=MockTransport())),
        "http",
    ),
    ("oauth expiry_skew NaN", lambda: _oauth(expiry_skew=float("nan")), "expiry_skew"),
    ("oauth expiry_skew str", lambda: _oauth(expiry_skew="30"), "expiry_skew"),
    ("allow actions None", lambda: allow(None, "*"), "rule.actions"),  # type: ignore[arg-type]
    ("allow resources None", lambda: allow("read", None), "rule.resources"),  # type: ignore[arg-type]
    ("allow actions int", lambda: allow(-1, "*"), "rule.actions"),  # type: ignore[arg-type]
    ("allow roles None", lambda: allow("read", "*", roles=None), "rule.roles"),  # type: ignore[arg-type]
    ("allow roles int", lambda: allow("read", "*", roles=-1), "rule.roles"),  # type: ignore[arg-type]
    ("allow subjects None", lambda: allow("read", "*", subjects=None), "rule.subjects"),  # type: ignore[arg-type]
    ("allow scopes None", lambda: allow("read", "*", scopes=None), "rule.scopes"),  # type: ignore[arg-type]
    ("allow when int", lambda: allow("read", "*", when=-1), "rule.when"),  # type: ignore[arg-type]
    ("allow when str", lambda: allow("read", "*", when="x"), "rule.when"),  # type: ignore[arg-type]
    ("allow when list", lambda: allow("read", "*", when=[]), "rule.when"),  # type: ignore[arg-type]
    ("allow name int", lambda: allow("read", "*", name=5), "rule.name"),  # type: ignore[arg-type]
    ("deny named rule roles None", lambda: deny("read", "*", roles=None, name="r1"), "r1.roles"),  # type: ignore[arg-type]
    ("deny resources int", lambda: deny("read", 3), "rule.resources"),  # type: ignore[arg-type]
    ("wildcard_match pattern None", lambda: wildcard_match(None, "x"), "pattern"),  # type: ignore[arg-type]
    ("wildcard_match value None", lambda: wildcard_match("a*", None), "value"),  # type: ignore[arg-type]
    ("wildcard_match literal value int", lambda: wildcard_match("a", 1), "value"),  # type: ignore[arg-type]
    (
        "headers api_key_header",
        lambda: credentials_from_headers({}, api_key_header=None),  # type: ignore[arg-type]
        "api_key_header",
    ),
]


@pytest.mark.parametrize(
    ("call", "field"),
    [pytest.param(call, field, id=name) for name, call, field in VALIDATION_CASES],
)
def test_bad_argument_is_a_validation_error_naming_it(
    call: Callable[[], object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        call()
    assert caught.value.field == field
    assert caught.value.message  # says what is wrong, not just that something is


@pytest.mark.parametrize("headers", [-1, 1.5, object(), "authorization", b"x"])
def test_headers_that_are_not_headers_are_invalid_credentials(headers: object) -> None:
    # The sibling check (items that are not name/value pairs) is already an AuthError:
    # headers come from the wire, so a refusal is a 401, not a 422.
    with pytest.raises(AuthError) as caught:
        credentials_from_headers(headers)
    assert caught.value.auth_kind is AuthErrorKind.INVALID_CREDENTIALS


def test_an_infinite_expiry_skew_is_allowed() -> None:
    assert _oauth(expiry_skew=float("inf")).expiry_skew == float("inf")  # always due


def test_the_reported_actual_value_is_the_given_one() -> None:
    with pytest.raises(ValidationError) as caught:
        _jwt(issuer=-1)
    assert caught.value.actual == "-1"


def test_a_single_string_names_one_claim_not_its_characters() -> None:
    assert _jwt(scope_claims="scp").scope_claims == ("scp",)
    # required_claims="jti": a token without 'jti' is refused, one with it passes.
    auth = _jwt(required_claims="jti", clock=lambda: NOW)
    token = signer("HS256").sign({"sub": "svc"}, expires_in=60)
    with pytest.raises(AuthError) as caught:
        auth.verify(token)
    assert "jti" in caught.value.message
    with_jti = signer("HS256").sign({"sub": "svc", "jti": "1"}, expires_in=60)
    assert auth.verify(with_jti).subject == "svc"


def test_rules_take_any_iterable_of_strings(run_coro: Callable[..., Any]) -> None:
    rule = allow((a for a in ["read", "list"]), iter(["docs/*"]), roles={"reader"})
    authorizer = PolicyAuthorizer([rule])
    reader = Identity("s", roles=frozenset({"reader"}))
    assert run_coro(authorizer.authorize(reader, Resource("docs/1"), "list")) is True
    assert run_coro(authorizer.authorize(reader, Resource("docs/1"), "write")) is False
