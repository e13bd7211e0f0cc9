"""Layer 1: configuration from layered sources, with secrets and hot reload (seed 002 §2.2).

* :class:`ConfigLoader` (builder): ``with_file`` (TOML by the stdlib, JSON by
  ``infra_portable.json``, YAML with the ``config-yaml`` extra), ``with_dict``,
  ``with_source`` (a callable, for remote sources), ``with_env_prefix``
  (``LLM_HTTP__TIMEOUT_SECS=5`` -> ``http.timeout_secs = 5``),
  ``with_secret_keys``, ``require``; ``load()`` deep-merges them in order (later
  wins, tables merge, lists replace).
* :class:`Config`: read-only, dotted keys, typed getters that convert
  (``get_int``, ``get_duration``, ``get(key, type=...)``), ``section``,
  ``to_dict`` (secrets masked), ``sources`` (who set each key), ``checksum``.
* :class:`Secret`: a value held sealed with AES-256-GCM that prints as ``***``;
  keys from a :class:`KeyProvider` (per-process random by default,
  :class:`EnvKeyProvider` for ``INFRA_PORTABLE_CONFIG_KEY``).
* :class:`ConfigWatcher` (``loader.watch()``): ``poll()``, ``async for``,
  ``on_change``/``on_error``; ``start()`` a background thread natively
  (watchfiles when installed).

Errors: ConfigError (missing or unreadable sources and keys; a parse error has
the SerializationError with line and column as its ``__cause__``),
ValidationError (a value that does not convert), CryptoError (a tampered secret).
"""

from __future__ import annotations

from infra_portable.config._coerce import parse_duration, parse_env_value
from infra_portable.config._config import Config
from infra_portable.config._loader import ConfigLoader
from infra_portable.config._secret import (
    CONFIG_KEY_ENV,
    MASK,
    EnvKeyProvider,
    KeyProvider,
    RandomKeyProvider,
    Secret,
    SecretBox,
    StaticKeyProvider,
)
from infra_portable.config._sources import ConfigSource
from infra_portable.config._tree import deep_merge
from infra_portable.config._watch import ChangeKind, ConfigChange, ConfigWatcher, diff_configs

__all__ = [
    # loading and reading
    "ConfigLoader",
    "Config",
    "ConfigSource",
    "deep_merge",
    "parse_duration",
    "parse_env_value",
    # secrets
    "Secret",
    "SecretBox",
    "KeyProvider",
    "RandomKeyProvider",
    "EnvKeyProvider",
    "StaticKeyProvider",
    "CONFIG_KEY_ENV",
    "MASK",
    # hot reload
    "ConfigWatcher",
    "ConfigChange",
    "ChangeKind",
    "diff_configs",
]
