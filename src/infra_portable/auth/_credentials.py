"""Credentials and reading them from HTTP headers.

Understood: ``Authorization: Bearer <token>`` (RFC 6750), ``Authorization:
Basic <base64 user:password>`` (RFC 7617) and an API key header
(``X-API-Key`` by default). Scheme names are case-insensitive (RFC 9110
§11.1). What is refused, as ``AuthError``:

* a malformed bearer token (not RFC 6750 ``b64token`` syntax): INVALID_TOKEN;
* another scheme, malformed Basic, an empty or repeated header, or an
  Authorization header *and* an API key header together (which one would be
  meant is a guess): INVALID_CREDENTIALS.

No credentials at all is ``None`` from :func:`credentials_from_headers` and
``AuthError(MISSING_CREDENTIALS)`` from :meth:`Credentials.from_headers`.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from infra_portable.errors import AuthError, AuthErrorKind, ValidationError

__all__ = [
    "API_KEY_HEADER",
    "CredentialKind",
    "Credentials",
    "HeaderSource",
    "credentials_from_headers",
    "header_pairs",
]

API_KEY_HEADER = "x-api-key"
# Far above any real token; stops a megabyte header from reaching a parser.
MAX_CREDENTIAL_LENGTH = 16 * 1024
# RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")

HeaderSource = Any  # Headers | Mapping[str, str] | Iterable[(str|bytes, str|bytes)]


class CredentialKind(StrEnum):
    BEARER = "bearer"
    API_KEY = "api_key"
    BASIC = "basic"


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a caller presented. ``secret`` is the token, key or password.

    The secret never appears in ``repr`` (logs and tracebacks print it).
    """

    kind: CredentialKind
    secret: str = field(repr=False)
    username: str | None = None
    source: str | None = None  # the header it came from, lower-cased

    @classmethod
    def bearer(cls, token: str) -> Credentials:
        return cls(CredentialKind.BEARER, token, source="authorization")

    @classmethod
    def api_key(cls, key: str, *, source: str = API_KEY_HEADER) -> Credentials:
        return cls(CredentialKind.API_KEY, key, source=source)

    @classmethod
    def basic(cls, username: str, password: str) -> Credentials:
        return cls(CredentialKind.BASIC, password, username=username, source="authorization")

    @classmethod
    def from_headers(
        cls, headers: HeaderSource, *, api_key_header: str = API_KEY_HEADER
    ) -> Credentials:
        """The credentials in ``headers``; AuthError(MISSING_CREDENTIALS) when there are none."""
        found = credentials_from_headers(headers, api_key_header=api_key_header)
        if found is None:
            raise AuthError(
                f"no credentials: send 'Authorization: Bearer <token>' or '{api_key_header}'",
                auth_kind=AuthErrorKind.MISSING_CREDENTIALS,
            )
        return found


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes | bytearray) else str(value)


def header_pairs(headers: HeaderSource) -> list[tuple[str, str]]:
    """(lower-cased name, value) pairs from Headers, a mapping, or ASGI byte pairs."""
    if headers is None:
        return []
    items = getattr(headers, "items", None)
    source: Iterable[Any] = items() if callable(items) else headers
    try:
        if isinstance(source, str | bytes | bytearray):  # would iterate as characters
            raise TypeError
        iterator = iter(source)
    except TypeError:
        raise AuthError(
            f"headers must be a mapping or name/value pairs, not {type(headers).__name__}",
            auth_kind=AuthErrorKind.INVALID_CREDENTIALS,
        ) from None
    pairs: list[tuple[str, str]] = []
    for item in iterator:
        try:
            name, value = item
        except (TypeError, ValueError):
            raise AuthError(
                "headers must be name/value pairs", auth_kind=AuthErrorKind.INVALID_CREDENTIALS
            ) from None
        pairs.append((_text(name).lower(), _text(value)))
    return pairs


def _invalid(message: str) -> AuthError:
    return AuthError(message, auth_kind=AuthErrorKind.INVALID_CREDENTIALS)


def _single(pairs: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in pairs if k == name]
    if not values:
        return None
    if len(values) > 1:
        raise _invalid(f"more than one {name!r} header")
    value = values[0].strip()
    if not value:
        raise _invalid(f"the {name!r} header is empty")
    if len(value) > MAX_CREDENTIAL_LENGTH:
        raise _invalid(f"the {name!r} header is longer than {MAX_CREDENTIAL_LENGTH} characters")
    return value


def _basic(encoded: str) -> Credentials:
    try:
        raw = binascii.a2b_base64(encoded.encode("ascii"), strict_mode=True)
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeError):
        raise _invalid("Basic credentials must be base64 of UTF-8 'user:password'") from None
    username, colon, password = text.partition(":")
    if not colon:
        raise _invalid("Basic credentials must be 'user:password'")
    return Credentials.basic(username, password)


def _authorization(value: str) -> Credentials:
    scheme, _, rest = value.partition(" ")
    rest = rest.strip()
    lowered = scheme.lower()
    if lowered == "bearer":
        if not rest:
            raise AuthError("the bearer token is empty", auth_kind=AuthErrorKind.INVALID_TOKEN)
        if not _B64TOKEN.fullmatch(rest):
            raise AuthError(
                "the bearer token has characters RFC 6750 does not allow",
                auth_kind=AuthErrorKind.INVALID_TOKEN,
            )
        return Credentials.bearer(rest)
    if lowered == "basic":
        if not rest:
            raise _invalid("the Basic credentials are empty")
        return _basic(rest)
    raise _invalid(f"unsupported authorization scheme {scheme[:32]!r} (use Bearer or Basic)")


def credentials_from_headers(
    headers: HeaderSource, *, api_key_header: str = API_KEY_HEADER
) -> Credentials | None:
    """The credentials in ``headers``, ``None`` if there are none, AuthError if malformed."""
    if not isinstance(api_key_header, str) or not api_key_header:
        raise ValidationError(
            "api_key_header must be a header name",
            field="api_key_header",
            expected="non-empty str",
            actual=repr(api_key_header),
        )
    pairs = header_pairs(headers)
    key_header = api_key_header.lower()
    authorization = _single(pairs, "authorization")
    api_key = _single(pairs, key_header)
    if authorization is not None and api_key is not None:
        raise _invalid(f"both 'authorization' and {key_header!r} were sent: send one")
    if authorization is not None:
        return _authorization(authorization)
    if api_key is not None:
        return Credentials.api_key(api_key, source=key_header)
    return None
