"""Where configuration comes from: files, in-memory tables, callables, the environment.

Every source yields a plain table plus the dotted keys it marked secret with the
``{"$secret": value}`` wrapper (the wrapper is replaced by its value here; the
loader seals it after merging, so a later plain override of that key stays
secret too).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from infra_portable.config._coerce import parse_env_value
from infra_portable.config._formats import format_for, parse
from infra_portable.config._tree import set_path
from infra_portable.errors import ConfigError, InfraError, SerializationError

__all__ = [
    "SECRET_WRAPPER",
    "CallableSource",
    "ConfigSource",
    "DictSource",
    "FileSource",
    "SourceData",
    "env_overrides",
    "file_state",
]

SECRET_WRAPPER = "$secret"
SourceKind = Literal["file", "env", "dict", "remote"]


@dataclass(frozen=True, slots=True)
class ConfigSource:
    """Which source set a key: a file path, an environment variable, a dict or a remote."""

    kind: SourceKind
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


@dataclass(slots=True)
class SourceData:
    """One source's table, and the keys its ``$secret`` wrappers marked."""

    data: dict[str, Any]
    origin: ConfigSource
    secret_keys: set[str] = field(default_factory=set)
    # True when ``data`` is a fresh tree nobody else holds (the loader may adopt it).
    owned: bool = True


def unwrap_secrets(value: Any, prefix: str, found: set[str]) -> Any:
    """Replace ``{"$secret": v}`` by ``v``, recording each such key in ``found``."""
    if isinstance(value, Mapping):
        if len(value) == 1 and SECRET_WRAPPER in value and prefix:
            found.add(prefix[:-1])
            return value[SECRET_WRAPPER]
        return {str(k): unwrap_secrets(v, f"{prefix}{k}.", found) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [unwrap_secrets(v, prefix, found) for v in value]
    return value


def _table(value: Any, origin: ConfigSource) -> SourceData:
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"config source {origin} gave a {type(value).__name__}, not a table", key=origin.name
        )
    found: set[str] = set()
    return SourceData(unwrap_secrets(value, "", found), origin, found)


def file_state(path: str) -> tuple[int, int, str] | None:
    """``(mtime_ns, size, sha256)`` of a file, or None when it is absent.

    The content hash catches same-size edits within one mtime tick (in-memory
    filesystems and coarse clocks have those).
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
            stat = os.fstat(handle.fileno())
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, hashlib.sha256(data).hexdigest())


@dataclass(frozen=True, slots=True)
class FileSource:
    """A TOML, JSON or YAML file; an absent optional file contributes nothing."""

    path: str
    required: bool = True
    format: str | None = None

    def load(self) -> SourceData:
        origin = ConfigSource("file", self.path)
        fmt = format_for(self.path, self.format)
        try:
            with open(self.path, encoding="utf-8") as handle:
                text = handle.read()
        except FileNotFoundError:
            if self.required:
                raise ConfigError("required config file not found", key=self.path) from None
            return SourceData({}, origin)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read config file: {exc}", key=self.path) from None
        try:
            data = parse(text, fmt, self.path)
        except SerializationError as exc:
            where = f"line {exc.line} column {exc.column}: " if exc.line is not None else ""
            raise ConfigError(f"{self.path}: {where}{exc.message}", key=self.path) from exc
        if SECRET_WRAPPER not in text:  # skip a copy of the whole tree
            return SourceData(data, origin)
        return _table(data, origin)


@dataclass(frozen=True, slots=True)
class DictSource:
    """A table given in code (defaults, test values)."""

    data: Mapping[str, Any]
    name: str = "dict"

    def load(self) -> SourceData:
        return _table(self.data, ConfigSource("dict", self.name))


@dataclass(frozen=True, slots=True)
class CallableSource:
    """A callable returning a table: the hook for remote sources (HTTP, a config service)."""

    fetch: Callable[[], Mapping[str, Any]]
    name: str = "remote"

    def load(self) -> SourceData:
        origin = ConfigSource("remote", self.name)
        try:
            value = self.fetch()
        except InfraError as exc:
            raise ConfigError(f"config source {self.name} failed: {exc}", key=self.name) from exc
        except Exception as exc:
            raise ConfigError(
                f"config source {self.name} failed: {type(exc).__name__}: {exc}", key=self.name
            ) from exc
        return _table(value, origin)


def env_overrides(
    tree: dict[str, Any], prefix: str, environ: Mapping[str, str]
) -> dict[str, ConfigSource]:
    """Apply ``PREFIX_A__B=v`` as ``a.b = v`` to ``tree`` in place; returns key -> variable.

    The prefix matches in any case; names are lowered and each part matches an
    existing key regardless of case. Values go through ``parse_env_value``.
    Variables with an empty part (``PREFIX_A____B``) are ignored.
    """
    applied: dict[str, ConfigSource] = {}
    folded_prefix = prefix.upper()
    # Sorted so that the outcome of conflicting variables does not depend on
    # the environment's order.
    for var in sorted(environ):
        if not var.upper().startswith(folded_prefix):
            continue
        parts = var[len(prefix) :].lower().split("__")
        if not all(parts):
            continue
        used = set_path(tree, parts, parse_env_value(environ[var]), fold_case=True)
        applied[".".join(used)] = ConfigSource("env", var)
    return applied
