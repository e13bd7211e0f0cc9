"""OAuth 2.0 tokens and errors: reading token responses (RFC 6749 §5.1) and errors (§5.2).

Error codes become ``OAuthError`` (an ``AuthError``) with the code kept in
``error``, its description in ``error_description``, and the kind:

    invalid_client                          INVALID_CREDENTIALS (wrong client id/secret)
    invalid_grant                           INVALID_CREDENTIALS (bad, used or expired code or
                                            refresh token; wrong PKCE verifier)
    invalid_request, unsupported_grant_type,
    unsupported_response_type, other codes  INVALID_CREDENTIALS
    unauthorized_client, invalid_scope,
    access_denied                           INSUFFICIENT_PERMISSIONS
    slow_down, or HTTP 429                  RATE_LIMITED (Retry-After honoured)

``server_error``/``temporarily_unavailable`` and any 5xx are ``HttpError``
(retryable); another error status without an OAuth body is ``HttpError`` too,
except 401, which is INVALID_CREDENTIALS. A 200 that is not a usable token
(no ``access_token``, a ``token_type`` other than Bearer, a bad
``expires_in``) is ``ExternalError``: the server broke the protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from infra_portable.errors import (
    AuthError,
    AuthErrorKind,
    ExternalError,
    HttpError,
    InfraError,
)
from infra_portable.http import Response, parse_retry_after

__all__ = ["OAuthError", "OAuthToken", "error_from_params", "parse_token_response", "token_error"]

_KINDS = {
    "invalid_client": AuthErrorKind.INVALID_CREDENTIALS,
    "invalid_grant": AuthErrorKind.INVALID_CREDENTIALS,
    "invalid_request": AuthErrorKind.INVALID_CREDENTIALS,
    "unsupported_grant_type": AuthErrorKind.INVALID_CREDENTIALS,
    "unsupported_response_type": AuthErrorKind.INVALID_CREDENTIALS,
    "unauthorized_client": AuthErrorKind.INSUFFICIENT_PERMISSIONS,
    "invalid_scope": AuthErrorKind.INSUFFICIENT_PERMISSIONS,
    "access_denied": AuthErrorKind.INSUFFICIENT_PERMISSIONS,
    "slow_down": AuthErrorKind.RATE_LIMITED,
}
_SERVER_SIDE = frozenset({"server_error", "temporarily_unavailable"})
_MAX_TEXT = 500  # of an error description echoed into a message


class OAuthError(AuthError):
    """An authorization server's error answer; ``error`` is its RFC 6749 code.

    The server's three members are fields like AuthError's own, so pickling,
    equality and ``repr`` carry them through InfraError's machinery.
    """

    _fields: ClassVar[tuple[str, ...]] = (
        *AuthError._fields,
        "error",
        "error_description",
        "error_uri",
    )
    error: str | None
    error_description: str | None
    error_uri: str | None

    def __init__(
        self,
        message: str,
        *,
        auth_kind: AuthErrorKind | str = AuthErrorKind.INVALID_CREDENTIALS,
        identity: str | None = None,
        retry_after_s: float | None = None,
        error: str | None = None,
        error_description: str | None = None,
        error_uri: str | None = None,
    ) -> None:
        super().__init__(
            message, auth_kind=auth_kind, identity=identity, retry_after_s=retry_after_s
        )
        self.error = error
        self.error_description = error_description
        self.error_uri = error_uri

    def to_dict(self) -> dict[str, Any]:
        """The problem object, with the server's answer as the ``oauth`` extension member."""
        problem = super().to_dict()
        problem["oauth"] = {
            "error": self.error,
            "error_description": self.error_description,
            "error_uri": self.error_uri,
        }
        return problem


def _short(value: Any) -> str | None:
    return None if not isinstance(value, str) else value[:_MAX_TEXT]


def error_from_params(
    params: Mapping[str, Any], *, where: str, retry_after: float | None = None
) -> OAuthError:
    """The OAuthError for an ``error``/``error_description``/``error_uri`` object."""
    code = _short(params.get("error")) or "unknown_error"
    description = _short(params.get("error_description"))
    kind = _KINDS.get(code, AuthErrorKind.INVALID_CREDENTIALS)
    text = f"{where}: {code}" + (f": {description}" if description else "")
    return OAuthError(
        text,
        auth_kind=kind,
        retry_after_s=retry_after if kind is AuthErrorKind.RATE_LIMITED else None,
        error=code,
        error_description=description,
        error_uri=_short(params.get("error_uri")),
    )


def token_error(response: Response, where: str) -> InfraError:
    """The error for a token endpoint's non-2xx response."""
    body: Any = None
    try:
        body = response.json()
    except InfraError:
        body = None
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    code = body.get("error") if isinstance(body, Mapping) else None
    if isinstance(code, str) and code not in _SERVER_SIDE and response.status < 500:
        return error_from_params(body, where=where, retry_after=retry_after)
    if response.status == 429:
        return OAuthError(
            f"{where}: rate limited (HTTP 429)",
            auth_kind=AuthErrorKind.RATE_LIMITED,
            retry_after_s=retry_after,
        )
    if response.status == 401:
        return OAuthError(f"{where}: HTTP 401 (client authentication failed)")
    detail = f": {code}" if isinstance(code, str) else ""
    return HttpError(
        f"{where} failed{detail}",
        status=response.status,
        url=response.url,
        retry_after_s=retry_after,
    )


@dataclass(frozen=True, slots=True)
class OAuthToken:
    """An access token, when it expires (POSIX time by the client's clock) and its extras.

    Tokens stay out of ``repr``. ``scopes`` is what the server granted, or what
    was asked for when it did not say (RFC 6749 §5.1).
    """

    access_token: str = field(repr=False)
    token_type: str = "Bearer"
    expires_at: float | None = None
    refresh_token: str | None = field(default=None, repr=False)
    scopes: tuple[str, ...] = ()
    id_token: str | None = field(default=None, repr=False)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, hash=False, compare=False)

    def expires_within(self, seconds: float, now: float) -> bool:
        """Whether the token is expired, or will be within ``seconds`` of ``now``."""
        return self.expires_at is not None and now + seconds >= self.expires_at

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value."""
        return f"Bearer {self.access_token}"


def _bad(message: str, where: str) -> ExternalError:
    return ExternalError(f"{where}: {message}", service="oauth", operation="token")


def parse_token_response(
    response: Response,
    *,
    now: float,
    requested_scopes: tuple[str, ...],
    where: str,
    previous_refresh_token: str | None = None,
) -> OAuthToken:
    """The token in a token endpoint response, or the error it describes."""
    if not 200 <= response.status < 300:
        raise token_error(response, where)
    try:
        body = response.json()
    except InfraError as exc:
        raise _bad("the token response is not JSON", where) from exc
    if not isinstance(body, Mapping):
        raise _bad("the token response is not a JSON object", where)
    if "error" in body:  # some servers answer errors with 200
        raise error_from_params(body, where=where)
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise _bad("the token response has no access_token", where)
    token_type = body.get("token_type")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise _bad(f"unsupported token_type {token_type!r} (only Bearer is understood)", where)
    expires_in = body.get("expires_in")
    expires_at: float | None = None
    if expires_in is not None:
        if isinstance(expires_in, str) and expires_in.strip().isdigit():
            expires_in = int(expires_in)  # some servers send a string
        if (
            isinstance(expires_in, bool)
            or not isinstance(expires_in, int | float)
            or expires_in < 0
        ):
            raise _bad(f"expires_in must be a non-negative number, not {expires_in!r}", where)
        expires_at = now + float(expires_in)
    scope = body.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise _bad("scope must be a space-separated string", where)
    refresh = body.get("refresh_token", previous_refresh_token)
    if refresh is not None and not isinstance(refresh, str):
        raise _bad("refresh_token must be a string", where)
    id_token = body.get("id_token")
    return OAuthToken(
        access_token=access,
        token_type="Bearer",
        expires_at=expires_at,
        refresh_token=refresh or None,
        scopes=tuple(scope.split()) if scope is not None else requested_scopes,
        id_token=id_token if isinstance(id_token, str) else None,
        raw=dict(body),
    )
