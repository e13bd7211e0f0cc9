"""What the sync and async OAuth clients share: settings, request building, the token cache.

Nothing here does I/O; ``_oauth`` adds it over ``HttpClient``/``AsyncHttpClient``.
"""

from __future__ import annotations

import binascii
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Generic, TypeVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from infra_portable.auth._checks import check_strings
from infra_portable.auth._oauth_token import (
    OAuthError,
    OAuthToken,
    error_from_params,
    parse_token_response,
)
from infra_portable.auth._pkce import Pkce
from infra_portable.crypto import constant_time_equals, token_urlsafe
from infra_portable.errors import (
    AuthError,
    AuthErrorKind,
    InfraError,
    ValidationError,
    check_number,
)
from infra_portable.http import AsyncHttpClient, HttpClient, Response

__all__ = [
    "CLIENT_AUTH_METHODS",
    "AuthorizationRequest",
    "OAuthBase",
    "renewable",
    "scopes_of",
]

CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """An authorization redirect in progress: where to send the user, and what to check after."""

    url: str
    state: str
    redirect_uri: str | None
    scopes: tuple[str, ...]
    code_verifier: str = field(repr=False)


def _url(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise ValidationError(f"{name} must be an http(s) URL", field=name, actual=repr(value))
    return value


def scopes_of(value: Iterable[str] | str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    items = value.split() if isinstance(value, str) else check_strings("scopes", value)
    for scope in items:
        if not isinstance(scope, str) or not _SCOPE_TOKEN.fullmatch(scope):
            raise ValidationError(
                "a scope is printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3)",
                field="scopes",
                actual=repr(scope),
            )
    return tuple(dict.fromkeys(items))  # drop repeats, keep order


def _token_params(value: object) -> dict[str, str]:
    """Extra form fields for every token request: a mapping of strings to strings."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationError(
            "token_params must be a mapping of strings to strings, or None",
            field="token_params",
            expected="mapping of str to str",
            actual=repr(value),
        )
    return dict(value)


def _callback_params(callback: str | Mapping[str, str]) -> dict[str, str]:
    if isinstance(callback, Mapping):
        return {str(k): str(v) for k, v in callback.items()}
    if not isinstance(callback, str):
        raise ValidationError(
            "the callback is the redirect URL or its query parameters", field="callback"
        )
    query = urlsplit(callback).query if "?" in callback or "://" in callback else callback
    params: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in params:  # RFC 6749 §3.1: parameters MUST NOT repeat
            raise AuthError(
                f"the callback repeats the parameter {name!r}",
                auth_kind=AuthErrorKind.INVALID_CREDENTIALS,
            )
        params[name] = value
    return params


C = TypeVar("C", HttpClient, AsyncHttpClient)


class OAuthBase(Generic[C]):
    """Settings, request building, the token cache: everything but the I/O.

    ``C`` is the HTTP client the subclass does its I/O with (``client_type``).
    """

    client_type: ClassVar[type[HttpClient] | type[AsyncHttpClient]]

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str | None = None,
        authorization_url: str | None = None,
        redirect_uri: str | None = None,
        scopes: Iterable[str] | str = (),
        auth_method: str = "client_secret_basic",
        expiry_skew: float = 30.0,
        token_params: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        http: C | None = None,
    ) -> None:
        self.token_url = _url(token_url, "token_url")
        if not isinstance(client_id, str) or not client_id:
            raise ValidationError("client_id must be a non-empty string", field="client_id")
        if auth_method not in CLIENT_AUTH_METHODS:
            raise ValidationError(
                "unknown client authentication method",
                field="auth_method",
                expected=", ".join(CLIENT_AUTH_METHODS),
                actual=repr(auth_method),
            )
        if auth_method != "none" and not client_secret:
            raise ValidationError(
                f"{auth_method} needs a client_secret (or use auth_method='none')",
                field="client_secret",
            )
        skew = check_number("expiry_skew", expiry_skew, allow_infinity=True)
        self.client_id = client_id
        self._client_secret = client_secret
        self.authorization_url = (
            None if authorization_url is None else _url(authorization_url, "authorization_url")
        )
        if redirect_uri is not None and (not isinstance(redirect_uri, str) or not redirect_uri):
            raise ValidationError(
                "redirect_uri must be a URL or None",
                field="redirect_uri",
                actual=repr(redirect_uri),
            )
        if not callable(clock):
            raise ValidationError("clock must be callable", field="clock", actual=repr(clock))
        self.redirect_uri = redirect_uri
        self.scopes = scopes_of(scopes, ())
        self.auth_method = auth_method
        self.expiry_skew = skew
        self.token_params = _token_params(token_params)
        self._clock = clock
        self._cache: dict[tuple[str, ...], OAuthToken] = {}
        if http is not None and not isinstance(http, self.client_type):
            raise ValidationError(
                f"http must be an {self.client_type.__name__}",
                field="http",
                actual=type(http).__name__,
            )
        self._http: C | None = http  # the runtime's default client is made on first use

    def __repr__(self) -> str:
        return f"{type(self).__name__}(client_id={self.client_id!r}, token_url={self.token_url!r})"

    # -- requests ---------------------------------------------------------------------------
    def _token_request(self, grant: dict[str, str]) -> tuple[bytes, dict[str, str]]:
        """The form body and headers of a token request, with client authentication."""
        params = {**self.token_params, **grant}
        headers = {"Content-Type": _FORM, "Accept": "application/json"}
        if self.auth_method == "client_secret_basic":
            assert self._client_secret is not None
            pair = f"{quote(self.client_id, safe='')}:{quote(self._client_secret, safe='')}"
            basic = binascii.b2a_base64(pair.encode("ascii"), newline=False).decode("ascii")
            headers["Authorization"] = "Basic " + basic
        else:
            params["client_id"] = self.client_id
            if self.auth_method == "client_secret_post":
                assert self._client_secret is not None
                params["client_secret"] = self._client_secret
        return urlencode(params).encode("ascii"), headers

    def _parse(
        self,
        response: Response,
        grant: str,
        requested: tuple[str, ...],
        *,
        sent_at: float,
        previous_refresh_token: str | None = None,
    ) -> OAuthToken:
        return parse_token_response(
            response,
            now=sent_at,  # the lifetime counts from the request: never optimistic
            requested_scopes=requested,
            where=f"{grant} token request to {self.token_url}",
            previous_refresh_token=previous_refresh_token,
        )

    @staticmethod
    def _client_credentials_grant(scopes: tuple[str, ...]) -> dict[str, str]:
        grant = {"grant_type": "client_credentials"}
        if scopes:
            grant["scope"] = " ".join(scopes)
        return grant

    @staticmethod
    def _refresh_grant(refresh_token: str, scopes: tuple[str, ...]) -> dict[str, str]:
        grant = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        if scopes:
            grant["scope"] = " ".join(scopes)
        return grant

    @staticmethod
    def _refresh_token_of(token: OAuthToken | str) -> str:
        value = token.refresh_token if isinstance(token, OAuthToken) else token
        if not isinstance(value, str) or not value:
            raise AuthError(
                "there is no refresh token to use", auth_kind=AuthErrorKind.INVALID_CREDENTIALS
            )
        return value

    # -- authorization code + PKCE ------------------------------------------------------------
    def authorization_request(
        self,
        scopes: Iterable[str] | str | None = None,
        *,
        state: str | None = None,
        redirect_uri: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> AuthorizationRequest:
        """The authorize URL to send the user to, with a fresh state and PKCE S256 challenge."""
        if self.authorization_url is None:
            raise ValidationError("this client has no authorization_url", field="authorization_url")
        chosen = scopes_of(scopes, self.scopes)
        pkce = Pkce.generate()
        state = state if state is not None else token_urlsafe(24)
        if not isinstance(state, str) or not state:
            raise ValidationError("state must be a non-empty string", field="state")
        target = redirect_uri if redirect_uri is not None else self.redirect_uri
        query: dict[str, str] = {"response_type": "code", "client_id": self.client_id}
        if target is not None:
            query["redirect_uri"] = target
        if chosen:
            query["scope"] = " ".join(chosen)
        query.update(state=state, code_challenge=pkce.challenge, code_challenge_method=pkce.method)
        query.update(params or {})
        separator = "&" if urlsplit(self.authorization_url).query else "?"
        url = self.authorization_url + separator + urlencode(query)
        return AuthorizationRequest(url, state, target, chosen, pkce.verifier)

    @staticmethod
    def callback_code(request: AuthorizationRequest, callback: str | Mapping[str, str]) -> str:
        """The code in a callback, after checking its state and error (raises AuthError)."""
        params = _callback_params(callback)
        state = params.get("state")
        if state is None or not constant_time_equals(state, request.state):
            raise AuthError(
                "the callback's state does not match the request (forged or stale callback)",
                auth_kind=AuthErrorKind.INVALID_CREDENTIALS,
            )
        if "error" in params:
            raise error_from_params(params, where="authorization request")
        code = params.get("code")
        if not code:
            raise AuthError(
                "the callback has no authorization code",
                auth_kind=AuthErrorKind.INVALID_CREDENTIALS,
            )
        return code

    def _code_grant(self, request: AuthorizationRequest, code: str) -> dict[str, str]:
        grant = {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": request.code_verifier,
        }
        if request.redirect_uri is not None:
            grant["redirect_uri"] = request.redirect_uri
        return grant

    # -- the cache ---------------------------------------------------------------------------
    def _due(self, token: OAuthToken) -> bool:
        return token.expires_within(self.expiry_skew, self._clock())

    def _cached(self, key: tuple[str, ...]) -> OAuthToken | None:
        token = self._cache.get(key)
        return token if token is not None and not self._due(token) else None

    @staticmethod
    def _key(scopes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(scopes))

    def clear_cache(self) -> None:
        """Forget every cached token."""
        self._cache.clear()


def renewable(exc: InfraError) -> bool:
    """Whether a failed refresh of a cached token should fall back to a new grant."""
    return isinstance(exc, OAuthError) and exc.error == "invalid_grant"
