"""Secret configuration values, held sealed with AES-256-GCM while in memory.

A :class:`Secret` keeps only the ciphertext (the key's dotted name is the
associated data, so a sealed value moved to another key fails to open) and
shows ``***`` wherever Python turns it into text: ``repr``, ``str``, f-strings
with any format spec, ``%s`` logging. ``reveal()`` is the one way back.

Keys come from a :class:`KeyProvider`. The default is a random key made once per
process, so sealed values never outlive it; :class:`EnvKeyProvider` reads a
base64url key from the environment when several processes must agree (the
checksum of a config holding secrets is then the same everywhere).

Sealing and equality use a keyed fingerprint (HMAC-SHA256 under a key derived
from the sealing key), never a bare hash: a bare hash of a weak password in a
published checksum could be brute-forced offline.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, runtime_checkable

from infra_portable.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "CONFIG_KEY_ENV",
    "MASK",
    "EnvKeyProvider",
    "KeyProvider",
    "RandomKeyProvider",
    "Secret",
    "SecretBox",
    "StaticKeyProvider",
]

MASK = "***"
CONFIG_KEY_ENV = "INFRA_PORTABLE_CONFIG_KEY"
KEY_SIZE = 32
_FINGERPRINT_LABEL = b"infra_portable.config fingerprint v1\x00"


@runtime_checkable
class KeyProvider(Protocol):
    """Supplies the 32-byte AES-256-GCM key that seals secret values."""

    def get_key(self) -> bytes:
        """The key (32 bytes); raise ConfigError when it is unavailable."""
        ...


class RandomKeyProvider:
    """A random key made on first use and kept for the life of the process."""

    _process_key: bytes | None = None

    def get_key(self) -> bytes:
        if RandomKeyProvider._process_key is None:
            RandomKeyProvider._process_key = os.urandom(KEY_SIZE)
        return RandomKeyProvider._process_key


class StaticKeyProvider:
    """A key the caller already holds (from a vault, a host function...)."""

    def __init__(self, key: bytes) -> None:
        self._key = _checked(bytes(key), "key")

    def get_key(self) -> bytes:
        return self._key

    def __repr__(self) -> str:
        return "StaticKeyProvider(***)"


class EnvKeyProvider:
    """The key from an environment variable holding 32 bytes in base64url (padding optional)."""

    def __init__(self, var: str = CONFIG_KEY_ENV, *, environ: Mapping[str, str] | None = None):
        self.var = var
        self._environ = environ

    def get_key(self) -> bytes:
        environ = os.environ if self._environ is None else self._environ
        text = environ.get(self.var)
        if not text:
            raise ConfigError("the config encryption key variable is not set", key=self.var)
        try:
            key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
        except (binascii.Error, ValueError):
            raise ConfigError("the config encryption key is not base64url", key=self.var) from None
        return _checked(key, self.var)

    def __repr__(self) -> str:
        return f"EnvKeyProvider({self.var!r})"


def _checked(key: bytes, name: str) -> bytes:
    if len(key) != KEY_SIZE:
        raise ConfigError(f"the config encryption key must be {KEY_SIZE} bytes", key=name)
    return key


class SecretBox:
    """Seals and opens secret values under one key (AES-256-GCM, the key name as AAD)."""

    def __init__(self, provider: KeyProvider | None = None) -> None:
        self._provider = provider if provider is not None else RandomKeyProvider()
        self._cipher: Any = None
        self._fingerprint_key = b""

    def _aead(self) -> Any:
        if self._cipher is None:
            try:
                from infra_portable.crypto._aead import Aes256Gcm
            except ImportError as exc:
                raise ConfigError(
                    f"secret values need infra_portable.crypto's AES-256-GCM ({exc})"
                ) from None
            key = _checked(self._provider.get_key(), "key")
            self._fingerprint_key = hashlib.sha256(_FINGERPRINT_LABEL + key).digest()
            self._cipher = Aes256Gcm(key)
        return self._cipher

    def fingerprint(self, plaintext: str) -> bytes:
        """A keyed digest of ``plaintext``: equal values, equal fingerprints (same key)."""
        self._aead()
        return hmac.new(self._fingerprint_key, plaintext.encode(), hashlib.sha256).digest()

    def seal(self, name: str, plaintext: str) -> Secret:
        """A Secret for the value of key ``name``."""
        sealed: bytes = self._aead().seal(plaintext.encode(), name.encode())
        return Secret(sealed, name=name, box=self, fingerprint=self.fingerprint(plaintext))

    def open(self, name: str, sealed: bytes) -> str:
        """The plaintext of ``sealed``; CryptoError when it was altered or moved."""
        plaintext: bytes = self._aead().open(bytes(sealed), name.encode())
        return plaintext.decode()

    def __repr__(self) -> str:
        return f"SecretBox({self._provider!r})"


class Secret:
    """A configuration value that prints as ``***`` and opens only with :meth:`reveal`."""

    __slots__ = ("_box", "_fingerprint", "_name", "_sealed")

    def __init__(self, sealed: bytes, *, name: str, box: SecretBox, fingerprint: bytes) -> None:
        # Made by SecretBox.seal / Secret.from_sealed, which vouch for the fingerprint.
        self._sealed = bytes(sealed)
        self._name = name
        self._box = box
        self._fingerprint = fingerprint

    @classmethod
    def from_sealed(cls, box: SecretBox, name: str, sealed: bytes) -> Secret:
        """Restore a sealed value, checking it opens (CryptoError if tampered)."""
        plaintext = box.open(name, sealed)
        return cls(sealed, name=name, box=box, fingerprint=box.fingerprint(plaintext))

    @property
    def name(self) -> str:
        """The dotted key this value was sealed for."""
        return self._name

    @property
    def sealed(self) -> bytes:
        """The ciphertext (nonce, encrypted value, tag); safe to show."""
        return self._sealed

    @property
    def fingerprint(self) -> bytes:
        """Keyed digest of the value, for equality and checksums."""
        return self._fingerprint

    def reveal(self) -> str:
        """The plaintext. CryptoError if the sealed bytes were altered."""
        return self._box.open(self._name, self._sealed)

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        # Width and alignment apply to the mask; a numeric spec gets the bare mask.
        try:
            return format(MASK, spec)
        except ValueError:
            return MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._fingerprint, other._fingerprint)

    def __hash__(self) -> int:
        return hash(self._fingerprint)

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        # A pickle would carry the box and with it the key: refuse.
        raise TypeError("Secret values cannot be pickled; reveal() and re-seal instead")
