"""The shared types of auth: who someone is, what they touch, and the two interfaces.

Seed 002 §2.8 defines the two traits; here they are Protocols::

    class Authenticator(Protocol):
        async def authenticate(self, credentials: Credentials) -> Identity: ...

    class Authorizer(Protocol):
        async def authorize(self, identity, resource, action) -> bool: ...

An authenticator either returns an :class:`Identity` or raises
``AuthError`` (its ``auth_kind`` says why: MISSING_CREDENTIALS, INVALID_TOKEN,
TOKEN_EXPIRED, INVALID_CREDENTIALS...). An authorizer answers yes or no; the
authorizers here also offer ``check``/``require``, which raise
``AuthError(INSUFFICIENT_PERMISSIONS)`` naming what was refused.

A :class:`Resource` is a slash-separated name (``"models/gpt-4"``) with
attributes for attribute-based rules; an action is a plain string (``"read"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypeAlias, runtime_checkable

from infra_portable.auth._credentials import Credentials
from infra_portable.errors import ValidationError

__all__ = [
    "Action",
    "AuthMethod",
    "Authenticator",
    "Authorizer",
    "Identity",
    "Resource",
    "names",
]

Action: TypeAlias = str
"""What is done to a resource: ``"read"``, ``"write"``, ``"models:invoke"``..."""


class AuthMethod(StrEnum):
    """How an identity was established."""

    JWT = "jwt"
    API_KEY = "api_key"
    OAUTH = "oauth"
    BASIC = "basic"
    CUSTOM = "custom"


def names(value: str | Iterable[str] | None, field_name: str) -> frozenset[str]:
    """A set of non-empty strings from one string or many (ValidationError otherwise)."""
    if value is None:
        return frozenset()
    items = (value,) if isinstance(value, str) else value
    try:
        result = frozenset(items)
    except TypeError:
        raise ValidationError(
            f"{field_name} must be a string or strings",
            field=field_name,
            actual=type(value).__name__,
        ) from None
    for item in result:
        if not isinstance(item, str) or not item:
            raise ValidationError(
                f"{field_name} must be non-empty strings", field=field_name, actual=repr(item)
            )
    return result


def _plain(value: Any) -> Any:
    """A JSON-safe copy of claim-like data (sets become sorted lists)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Identity:
    """An authenticated principal.

    ``subject`` is the stable id (a JWT's ``sub``, an API key's owner).
    ``roles`` feed role-based rules, ``scopes`` OAuth-style grants, and
    ``attributes`` everything else (a JWT's claims, an API key's metadata) for
    attribute-based rules. ``expires_at`` is a POSIX time when known.
    """

    subject: str
    method: str = AuthMethod.CUSTOM
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    attributes: Mapping[str, Any] = field(default_factory=dict, hash=False)
    issuer: str | None = None
    expires_at: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.subject, str) or not self.subject:
            raise ValidationError(
                "an identity needs a non-empty subject", field="subject", actual=repr(self.subject)
            )
        object.__setattr__(self, "method", str(self.method))
        object.__setattr__(self, "roles", names(self.roles, "roles"))
        object.__setattr__(self, "scopes", names(self.scopes, "scopes"))
        if not isinstance(self.attributes, Mapping):
            raise ValidationError(
                "identity attributes must be a mapping",
                field="attributes",
                actual=type(self.attributes).__name__,
            )

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe form (roles and scopes sorted)."""
        return {
            "subject": self.subject,
            "method": self.method,
            "roles": sorted(self.roles),
            "scopes": sorted(self.scopes),
            "attributes": _plain(self.attributes),
            "issuer": self.issuer,
            "expires_at": self.expires_at,
        }


@dataclass(frozen=True, slots=True)
class Resource:
    """Something an action is done to: a slash-separated ``name`` and its attributes."""

    name: str
    attributes: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValidationError(
                "a resource needs a non-empty name", field="resource", actual=repr(self.name)
            )
        if not isinstance(self.attributes, Mapping):
            raise ValidationError(
                "resource attributes must be a mapping",
                field="attributes",
                actual=type(self.attributes).__name__,
            )

    @property
    def type(self) -> str:
        """The first segment of the name (``"models"`` for ``"models/gpt-4"``)."""
        return self.name.split("/", 1)[0]

    @classmethod
    def of(cls, value: Resource | str) -> Resource:
        """``value`` as a Resource (a string becomes its name)."""
        return value if isinstance(value, Resource) else cls(value)


@runtime_checkable
class Authenticator(Protocol):
    """Turns credentials into an identity, or raises AuthError."""

    async def authenticate(self, credentials: Credentials) -> Identity: ...


@runtime_checkable
class Authorizer(Protocol):
    """Decides whether an identity may do an action to a resource (deny by default)."""

    async def authorize(
        self, identity: Identity, resource: Resource | str, action: Action
    ) -> bool: ...
