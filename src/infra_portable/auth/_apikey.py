"""ApiKeyAuthenticator: issues, verifies and revokes API keys held only as hashes.

Why a fast hash and not Argon2/bcrypt: those are for *passwords*, which people
choose and which can be guessed, so each guess is made expensive. An API key's
secret is 256 bits from the CSPRNG: nobody can guess it however fast the hash,
so a slow hash buys no security, while it would cost every API request tens of
milliseconds and megabytes (a denial-of-service lever), and far more in WASI
and Pyodide, where Argon2 is pure Python. So the stored value is
HMAC-SHA256(pepper, ``<key id>.<secret>``) when a ``pepper`` (a server-side
secret kept outside the store) is configured, and SHA-256 of the same otherwise. The
pepper makes a leaked store useless even for checking a stolen key; binding the
key id stops a hash being swapped between records.

Verification: the key's format and checksum first (no lookup for garbage),
then the record by its public id, then the hashes compared in constant time
(``crypto.constant_time_equals``; an unknown id is compared against a dummy
hash so it takes the same path). Only a key whose secret matched learns that
it was revoked or expired.

Errors (``AuthError``): malformed, unknown, wrong secret, revoked:
INVALID_CREDENTIALS; past ``expires_at``: TOKEN_EXPIRED.

Keys arrive as ``X-API-Key: <key>``, as ``Authorization: Bearer <key>`` (what
LLM API clients send) or as the password (or user name) of Basic credentials.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra_portable.auth._apikey_format import (
    DEFAULT_PREFIX,
    check_prefix,
    generate_api_key,
    parse_api_key,
)
from infra_portable.auth._apikey_store import ApiKeyRecord, ApiKeyStore, InMemoryApiKeyStore
from infra_portable.auth._base import AuthMethod, Identity, names
from infra_portable.auth._credentials import CredentialKind, Credentials
from infra_portable.crypto import constant_time_equals, hmac_sha256, sha256
from infra_portable.errors import AuthError, AuthErrorKind, ValidationError, check_number

__all__ = ["ApiKeyAuthenticator", "IssuedApiKey"]

_DUMMY_HASH = b"\0" * 32


@dataclass(frozen=True, slots=True)
class IssuedApiKey:
    """A newly created key: ``key`` is shown to its owner once and never stored."""

    key: str = field(repr=False)
    record: ApiKeyRecord

    @property
    def key_id(self) -> str:
        return self.record.key_id


def _invalid(message: str = "invalid API key") -> AuthError:
    return AuthError(message, auth_kind=AuthErrorKind.INVALID_CREDENTIALS)


class ApiKeyAuthenticator:
    """API keys over an :class:`ApiKeyStore` (in memory unless given)."""

    method = AuthMethod.API_KEY

    def __init__(
        self,
        store: ApiKeyStore | None = None,
        *,
        prefix: str = DEFAULT_PREFIX,
        pepper: bytes | str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store: ApiKeyStore = store if store is not None else InMemoryApiKeyStore()
        self.prefix = check_prefix(prefix)
        if pepper is not None and (not isinstance(pepper, bytes | str) or len(pepper) < 16):
            raise ValidationError("a pepper is a secret of at least 16 bytes", field="pepper")
        self._pepper = pepper
        self._clock = clock

    def _hash(self, key_id: str, secret: str) -> bytes:
        material = f"{key_id}.{secret}"
        if self._pepper is None:
            return sha256(material)
        return hmac_sha256(self._pepper, material)

    # -- issuing and revoking -------------------------------------------------------------
    async def create(
        self,
        subject: str,
        *,
        roles: Iterable[str] = (),
        scopes: Iterable[str] = (),
        expires_in: float | None = None,
        name: str | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> IssuedApiKey:
        """A new key for ``subject``; its record is stored, the key itself only returned."""
        if expires_in is not None:
            check_number("expires_in", expires_in, strict=True, allow_infinity=True)
        key, parts = generate_api_key(self.prefix)
        now = self._clock()
        record = ApiKeyRecord(
            key_id=parts.key_id,
            secret_hash=self._hash(parts.key_id, parts.secret),
            subject=subject,
            roles=names(list(roles), "roles"),
            scopes=names(list(scopes), "scopes"),
            created_at=now,
            expires_at=None if expires_in is None else now + expires_in,
            name=name,
            attributes=dict(attributes or {}),
        )
        await self.store.put(record)
        return IssuedApiKey(key, record)

    async def revoke(self, key_or_id: str) -> bool:
        """Revoke by key id (or the full key). True when a live key was revoked.

        A full key is parsed first, so a malformed one is AuthError(INVALID_CREDENTIALS).
        """
        key_id = key_or_id
        if isinstance(key_or_id, str) and key_or_id.startswith(self.prefix + "_"):
            key_id = parse_api_key(key_or_id, prefix=self.prefix).key_id
        record = await self.store.get(key_id)
        if record is None or record.is_revoked:
            return False
        await self.store.put(record.revoked(self._clock()))
        return True

    # -- verifying ------------------------------------------------------------------------
    async def verify(self, key: str) -> Identity:
        """The identity of a valid, live key; AuthError otherwise."""
        parts = parse_api_key(key, prefix=self.prefix)
        record = await self.store.get(parts.key_id)
        computed = self._hash(parts.key_id, parts.secret)
        expected = record.secret_hash if record is not None else _DUMMY_HASH
        matched = constant_time_equals(computed, expected)
        if record is None or not matched:
            raise _invalid()
        if record.is_revoked:
            raise _invalid("the API key was revoked")
        if record.is_expired(self._clock()):
            raise AuthError("the API key has expired", auth_kind=AuthErrorKind.TOKEN_EXPIRED)
        attributes = {"key_id": record.key_id, **record.attributes}
        if record.name is not None:
            attributes["key_name"] = record.name
        return Identity(
            record.subject,
            AuthMethod.API_KEY,
            record.roles,
            record.scopes,
            attributes,
            expires_at=record.expires_at,
        )

    def _key_from(self, credentials: Credentials) -> str | None:
        kind = credentials.kind
        if kind is CredentialKind.API_KEY or kind is CredentialKind.BEARER:
            return credentials.secret
        # Basic: the key as password (any user name), or as user name with no password.
        return credentials.secret or credentials.username

    def accepts(self, credentials: Credentials) -> bool:
        """Whether these credentials carry a key with this authenticator's prefix."""
        key = self._key_from(credentials)
        return key is not None and key.startswith(self.prefix + "_")

    async def authenticate(self, credentials: Credentials) -> Identity:
        if not isinstance(credentials, Credentials):
            raise AuthError("no credentials given", auth_kind=AuthErrorKind.MISSING_CREDENTIALS)
        key = self._key_from(credentials)
        if not key:
            raise _invalid("no API key in the credentials")
        return await self.verify(key)
