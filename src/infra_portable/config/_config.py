"""``Config``: the merged result of a load, read with dotted keys.

A Config never changes after it is built. Reads hand out copies of tables and
lists, so a caller editing what it got cannot change what others see. Secret
values come back as :class:`Secret` objects (printing ``***``); ``to_dict``
masks them and ``reveal`` opens them.

A key whose value is ``null`` (JSON/YAML ``null``, an env value ``null``) counts
as missing for ``require``, the typed getters and the loader's required keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar, overload

from infra_portable.config._coerce import coerce
from infra_portable.config._secret import MASK, Secret
from infra_portable.config._sources import ConfigSource
from infra_portable.config._tree import (
    MISSING,
    _Missing,
    deep_copy,
    deep_merge,
    flatten,
    get_path,
    split_key,
)
from infra_portable.errors import ConfigError, ValidationError

__all__ = ["Config"]

T = TypeVar("T")
D = TypeVar("D")


class Config(Mapping[str, Any]):
    """Configuration values by dotted key (``config.get("http.timeout_secs")``).

    As a Mapping it iterates over the top-level keys; ``config["a.b"]`` and
    ``"a.b" in config`` accept dotted keys.
    """

    __slots__ = ("_checksum", "_data", "_loaded_at", "_sources")

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        sources: Mapping[str, ConfigSource] | None = None,
        loaded_at: float | None = None,
    ) -> None:
        self._data: dict[str, Any] = deep_merge({}, data or {})
        self._sources = dict(sources or {})
        self._loaded_at = time.time() if loaded_at is None else loaded_at
        self._checksum: str | None = None

    @classmethod
    def _trusted(
        cls, data: dict[str, Any], sources: dict[str, ConfigSource], loaded_at: float
    ) -> Config:
        # The loader's freshly merged tree is already private: skip the copy.
        config = cls.__new__(cls)
        config._data = data
        config._sources = sources
        config._loaded_at = loaded_at
        config._checksum = None
        return config

    # -- Mapping ---------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        value = self._lookup(key)
        if value is MISSING:
            raise KeyError(key)
        return deep_copy(value)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._lookup(key) is not MISSING

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Config({self.to_dict()!r})"

    def _lookup(self, key: str) -> Any:
        # A top-level name containing dots (a quoted TOML key) is still reachable.
        if key in self._data:
            return self._data[key]
        return get_path(self._data, split_key(key))

    # -- reading -----------------------------------------------------------------
    @overload
    def get(self, key: str, default: Any = None) -> Any: ...
    @overload
    def get(self, key: str, *, type: type[T]) -> T | None: ...
    @overload
    def get(self, key: str, default: D, *, type: type[T]) -> T | D: ...
    def get(self, key: str, default: Any = None, *, type: Any = None) -> Any:
        """The value at ``key`` (or ``default``), converted to ``type`` when given.

        Conversion follows ``_coerce``'s rules ("5" -> 5, "true" -> True,
        "250ms" -> timedelta); a value that does not convert raises
        ValidationError(field=key, expected=..., actual=...).
        """
        value = self._lookup(key)
        if value is MISSING or value is None:
            return default
        if type is None:
            return deep_copy(value)
        return self._convert(key, value, type)

    def get_or(self, key: str, default: T) -> T | Any:
        """The value at ``key``, or ``default`` when it is missing or null."""
        return self.get(key, default)

    def require(self, key: str) -> Any:
        """The value at ``key``; ConfigError(key=key) when it is missing or null."""
        value = self._lookup(key)
        if value is MISSING or value is None:
            raise ConfigError("required configuration key not found", key=key)
        return deep_copy(value)

    def _typed(self, key: str, target: type[T], default: T | _Missing) -> T:
        value = self._lookup(key)
        if value is MISSING or value is None:
            if isinstance(default, _Missing):
                raise ConfigError("required configuration key not found", key=key)
            return default
        converted: T = self._convert(key, value, target)
        return converted

    def _convert(self, key: str, value: Any, target: type[T]) -> T:
        if isinstance(value, Secret):
            raise ValidationError(
                "secret values are read with reveal()",
                field=key,
                expected=target.__name__,
                actual="Secret",
            )
        converted: T = coerce(value, target, key)
        return converted

    def get_int(self, key: str, default: int | _Missing = MISSING) -> int:
        """The value as an int; without ``default`` a missing key is a ConfigError."""
        return self._typed(key, int, default)

    def get_float(self, key: str, default: float | _Missing = MISSING) -> float:
        """The value as a float (ints widen)."""
        return self._typed(key, float, default)

    def get_bool(self, key: str, default: bool | _Missing = MISSING) -> bool:
        """The value as a bool (``true/false/yes/no/on/off/1/0`` text converts)."""
        return self._typed(key, bool, default)

    def get_str(self, key: str, default: str | _Missing = MISSING) -> str:
        """The value as text (numbers and bools as their JSON text)."""
        return self._typed(key, str, default)

    def get_list(self, key: str, default: list[Any] | _Missing = MISSING) -> list[Any]:
        """The value as a list (JSON-array or comma-separated text converts)."""
        return self._typed(key, list, default)

    def get_duration(self, key: str, default: dt.timedelta | _Missing = MISSING) -> dt.timedelta:
        """The value as a timedelta: numbers are seconds, text like ``"1.5s"``/``"250ms"``."""
        return self._typed(key, dt.timedelta, default)

    def section(self, key: str) -> Config:
        """The table at ``key`` as a Config (empty when absent); keys are relative to it."""
        value = self._lookup(key)
        if value is MISSING or value is None:
            value = {}
        if not isinstance(value, dict):
            raise ConfigError(f"not a table but a {type(value).__name__}", key=key)
        prefix = key + "."
        sources = {k[len(prefix) :]: s for k, s in self._sources.items() if k.startswith(prefix)}
        return Config(value, sources=sources, loaded_at=self._loaded_at)

    def reveal(self, key: str) -> str:
        """The plaintext of the secret at ``key`` (a plain text value is returned as is)."""
        value = self.require(key)
        if isinstance(value, Secret):
            return value.reveal()
        if isinstance(value, str):
            return value
        raise ValidationError(
            "only secrets and text can be revealed",
            field=key,
            expected="Secret",
            actual=type(value).__name__,
        )

    def is_secret(self, key: str) -> bool:
        """Whether the value at ``key`` is held sealed."""
        return isinstance(self._lookup(key), Secret)

    # -- whole-config views ------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A plain copy of the tree with every secret shown as ``"***"``."""
        masked: dict[str, Any] = _masked(self._data)
        return masked

    def flat(self) -> dict[str, Any]:
        """``{dotted key: leaf}`` with secrets as Secret objects (empty tables are leaves)."""
        return dict(flatten(self._data))

    @property
    def sources(self) -> Mapping[str, ConfigSource]:
        """For each leaf key, the source that set it (file, env variable, dict, remote)."""
        return dict(self._sources)

    def source_of(self, key: str) -> ConfigSource | None:
        """The source that set the leaf ``key``."""
        return self._sources.get(key)

    @property
    def loaded_at(self) -> float:
        """When the load finished (seconds since the epoch)."""
        return self._loaded_at

    @property
    def checksum(self) -> str:
        """SHA-256 (hex) of the canonical JSON of the data (sorted keys, compact).

        A secret contributes its keyed fingerprint, never its value, so two
        processes get the same checksum only if they share the sealing key.
        """
        if self._checksum is None:
            from infra_portable.json import dumpb

            canonical = dumpb(_fingerprinted(self._data), sort_keys=True)
            self._checksum = hashlib.sha256(canonical).hexdigest()
        return self._checksum


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return MASK if isinstance(value, Secret) else value


def _fingerprinted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _fingerprinted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fingerprinted(v) for v in value]
    if isinstance(value, Secret):
        return {"$secret": value.fingerprint.hex()}
    return value
