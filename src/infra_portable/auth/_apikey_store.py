"""Stored API keys: the record (a hash, never the key) and the store protocol.

A store needs three operations, all async so a database or Redis can back
it: ``get`` by key id, ``put`` (insert or replace), and ``records`` to list.
:class:`InMemoryApiKeyStore` is the reference implementation (and enough for
tests and single-process services). ``ApiKeyRecord.to_dict``/``from_dict``
give a JSON-safe form for stores that persist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

from infra_portable.auth._base import names
from infra_portable.crypto import hex_decode, hex_encode
from infra_portable.errors import InfraError, ValidationError

__all__ = ["ApiKeyRecord", "ApiKeyStore", "InMemoryApiKeyStore"]


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """What is stored for one key: its public id, the secret's hash, and its grants."""

    key_id: str
    secret_hash: bytes = field(repr=False)
    subject: str
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    created_at: float = 0.0
    expires_at: float | None = None
    revoked_at: float | None = None
    name: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        for name_ in ("key_id", "subject"):
            value = getattr(self, name_)
            if not isinstance(value, str) or not value:
                raise ValidationError(f"{name_} must be a non-empty string", field=name_)
        if not isinstance(self.secret_hash, bytes) or not self.secret_hash:
            raise ValidationError("secret_hash must be bytes", field="secret_hash")
        object.__setattr__(self, "roles", names(self.roles, "roles"))
        object.__setattr__(self, "scopes", names(self.scopes, "scopes"))

    def is_expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def revoked(self, at: float) -> ApiKeyRecord:
        """A copy revoked at ``at`` (an already revoked record keeps its time)."""
        return self if self.revoked_at is not None else replace(self, revoked_at=at)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe form (the hash as hex)."""
        return {
            "key_id": self.key_id,
            "secret_hash": hex_encode(self.secret_hash),
            "subject": self.subject,
            "roles": sorted(self.roles),
            "scopes": sorted(self.scopes),
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "revoked_at": self.revoked_at,
            "name": self.name,
            "attributes": dict(self.attributes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ApiKeyRecord:
        """The record :meth:`to_dict` described (ValidationError when malformed)."""
        if not isinstance(data, Mapping):
            raise ValidationError("an API key record is a mapping", field="record")
        try:
            return cls(
                key_id=data["key_id"],
                secret_hash=hex_decode(data["secret_hash"]),
                subject=data["subject"],
                roles=frozenset(data.get("roles") or ()),
                scopes=frozenset(data.get("scopes") or ()),
                created_at=float(data.get("created_at") or 0.0),
                expires_at=_optional_time(data.get("expires_at")),
                revoked_at=_optional_time(data.get("revoked_at")),
                name=data.get("name"),
                attributes=dict(data.get("attributes") or {}),
            )
        except KeyError as exc:
            raise ValidationError("an API key record field is missing", field=str(exc)) from None
        except InfraError:
            raise
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"malformed API key record: {exc}", field="record") from None


def _optional_time(value: Any) -> float | None:
    return None if value is None else float(value)


@runtime_checkable
class ApiKeyStore(Protocol):
    """Where API key records live."""

    async def get(self, key_id: str) -> ApiKeyRecord | None:
        """The record with this key id, or None."""
        ...

    async def put(self, record: ApiKeyRecord) -> None:
        """Insert or replace the record with ``record.key_id``."""
        ...

    async def records(self, subject: str | None = None) -> list[ApiKeyRecord]:
        """Every record, or the records of one subject."""
        ...


class InMemoryApiKeyStore:
    """Records in a dict: for tests, development and single-process services."""

    __slots__ = ("_records",)

    def __init__(self, records: list[ApiKeyRecord] | None = None) -> None:
        self._records: dict[str, ApiKeyRecord] = {r.key_id: r for r in records or ()}

    async def get(self, key_id: str) -> ApiKeyRecord | None:
        return self._records.get(key_id)

    async def put(self, record: ApiKeyRecord) -> None:
        if not isinstance(record, ApiKeyRecord):
            raise ValidationError(
                "store ApiKeyRecord objects", field="record", actual=type(record).__name__
            )
        self._records[record.key_id] = record

    async def records(self, subject: str | None = None) -> list[ApiKeyRecord]:
        return [r for r in self._records.values() if subject is None or r.subject == subject]

    def __len__(self) -> int:
        return len(self._records)
