"""``ConfigLoader``: layered sources, environment overrides, secrets, required keys.

    config = (
        ConfigLoader()
        .with_file("config.toml")
        .with_file("local.json", required=False)
        .with_dict({"http": {"retries": 3}})
        .with_env_prefix("LLM_")            # LLM_HTTP__TIMEOUT_SECS=5 -> http.timeout_secs
        .with_secret_keys("*.api_key", "db.password")
        .require("db.url")
        .load()
    )

Sources apply in the order they were added, each deep-merged over the previous
ones; environment overrides apply last, whatever the order of the calls. Unlike
the seed, no prefix is read unless ``with_env_prefix`` is called: a library
should not pick up ``LLM_*`` variables its caller did not ask for.
"""

from __future__ import annotations

import fnmatch
import os
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self

from infra_portable.config._config import Config
from infra_portable.config._secret import KeyProvider, Secret, SecretBox
from infra_portable.config._sources import (
    CallableSource,
    ConfigSource,
    DictSource,
    FileSource,
    SourceData,
    env_overrides,
)
from infra_portable.config._tree import MISSING, get_path, leaf_keys, merge_into, split_key
from infra_portable.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from infra_portable.config._watch import ConfigWatcher

__all__ = ["ConfigLoader"]


class _Source(Protocol):
    def load(self) -> SourceData: ...


class ConfigLoader:
    """Builds a :class:`Config` from layered sources; each ``with_*`` returns the loader."""

    def __init__(self) -> None:
        self._sources: list[_Source] = []
        self._env_prefix: str | None = None
        self._environ: Mapping[str, str] | None = None
        self._secret_patterns: list[str] = []
        self._required: list[str] = []
        self._key_provider: KeyProvider | None = None
        self._box: SecretBox | None = None

    # -- building ----------------------------------------------------------------
    def with_file(
        self, path: str | os.PathLike[str], *, required: bool = True, format: str | None = None
    ) -> Self:
        """A TOML/JSON/YAML file, format by extension unless ``format`` says.

        A missing required file fails the load with ConfigError(key=path); a
        missing optional one is skipped (and picked up by a watcher once it appears).
        """
        self._sources.append(FileSource(os.fspath(path), required, format))
        return self

    def with_dict(self, data: Mapping[str, Any], *, name: str = "dict") -> Self:
        """An in-memory table (copied at each load, so later edits to it do count)."""
        self._sources.append(DictSource(data, name))
        return self

    def with_source(self, fetch: Callable[[], Mapping[str, Any]], *, name: str = "remote") -> Self:
        """A callable returning a table, called at every load (remote JSON, a config service)."""
        self._sources.append(CallableSource(fetch, name))
        return self

    def with_env_prefix(self, prefix: str, *, environ: Mapping[str, str] | None = None) -> Self:
        """Override keys from ``PREFIX_A__B`` variables (read from ``environ``, default os.environ)."""
        self._env_prefix = prefix
        self._environ = environ
        return self

    def with_secret_keys(self, *patterns: str) -> Self:
        """Seal the values of keys matching these globs (``"*.api_key"``; any case)."""
        self._secret_patterns += [p.lower() for p in patterns]
        return self

    def with_key_provider(self, provider: KeyProvider) -> Self:
        """Where the sealing key comes from (default: a random per-process key)."""
        self._key_provider = provider
        self._box = None
        return self

    def require(self, *keys: str) -> Self:
        """Keys that must be present (and not null); a load lists every missing one."""
        for key in keys:
            split_key(key)
        self._required += keys
        return self

    @property
    def files(self) -> list[str]:
        """The paths of the file sources, in order (what a watcher watches)."""
        return [s.path for s in self._sources if isinstance(s, FileSource)]

    @property
    def secret_box(self) -> SecretBox:
        """The box sealing this loader's secrets (made on first use)."""
        if self._box is None:
            self._box = SecretBox(self._key_provider)
        return self._box

    # -- loading -----------------------------------------------------------------
    def load(self) -> Config:
        """Read every source now and merge them; ConfigError on any failure."""
        merged: dict[str, Any] = {}
        origins: dict[str, ConfigSource] = {}
        marked: set[str] = set()
        for source in self._sources:
            part = source.load()
            merge_into(merged, part.data, owned=part.owned)
            origins.update(dict.fromkeys(leaf_keys(part.data, "", []), part.origin))
            marked |= part.secret_keys
        if self._env_prefix is not None:
            environ = os.environ if self._environ is None else self._environ
            origins.update(env_overrides(merged, self._env_prefix, environ))
        if marked or self._secret_patterns:
            merged = self._sealed(merged, "", marked)
        missing = [k for k in self._required if get_path(merged, split_key(k)) in (MISSING, None)]
        if missing:
            raise ConfigError(
                f"missing required configuration keys: {', '.join(missing)}",
                key=", ".join(missing),
            )
        sources = {key: origins[key] for key in leaf_keys(merged, "", []) if key in origins}
        return Config._trusted(merged, sources, time.time())

    def _is_secret(self, path: str, marked: set[str]) -> bool:
        if path in marked:
            return True
        folded = path.lower()
        return any(fnmatch.fnmatchcase(folded, p) for p in self._secret_patterns)

    def _sealed(self, node: dict[str, Any], prefix: str, marked: set[str]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in node.items():
            path = prefix + key
            if self._is_secret(path, marked):
                result[key] = self._seal_value(path, value)
            elif isinstance(value, dict):
                result[key] = self._sealed(value, path + ".", marked)
            else:
                result[key] = value
        return result

    def _seal_value(self, path: str, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self._seal_value(f"{path}.{k}", v) for k, v in value.items()}
        if value is None or isinstance(value, Secret):
            return value
        if isinstance(value, str):
            text = value
        else:
            from infra_portable.json import dumps

            text = dumps(value)
        return self.secret_box.seal(path, text)

    # -- watching ------------------------------------------------------------------
    def watch(
        self,
        interval: float = 1.0,
        *,
        backend: Literal["auto", "poll", "watchfiles"] = "auto",
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> ConfigWatcher:
        """Load now and return a watcher that reloads when the files change.

        ``clock`` (default ``time.monotonic``) and ``sleep`` (default
        ``asyncio.sleep``) are injectable so tests drive polling without waiting.
        """
        from infra_portable.config._watch import ConfigWatcher

        return ConfigWatcher(self, interval=interval, backend=backend, clock=clock, sleep=sleep)
