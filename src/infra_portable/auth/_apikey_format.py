"""The API key format: ``<prefix>_<key id>_<secret><checksum>``.

* ``prefix``: 2-16 lower-case letters and digits, starting with a letter
  (``ipk`` by default). It tells a reader, and secret scanners, what the string is.
* key id: 17 base62 characters (96 random bits). It is public: the store
  looks records up by it, logs and dashboards may show it.
* secret: 43 base62 characters (256 random bits from the system CSPRNG).
* checksum: 6 base62 characters of CRC-32 over everything before it, so a
  mistyped or truncated key is refused before any store lookup (GitHub's
  token format does the same).

Base62 has no ``_``, so the three parts split unambiguously and the key is
one "word" to double-click. Anything that does not fit is
``AuthError(INVALID_CREDENTIALS)`` ("malformed API key").
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass, field

from infra_portable.crypto import random_bytes
from infra_portable.errors import AuthError, AuthErrorKind, ValidationError

__all__ = [
    "DEFAULT_PREFIX",
    "ParsedApiKey",
    "check_prefix",
    "generate_api_key",
    "parse_api_key",
]

DEFAULT_PREFIX = "ipk"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
_PREFIX = re.compile(r"[a-z][a-z0-9]{1,15}")
ID_BYTES, ID_CHARS = 12, 17  # 62**17 > 2**96
SECRET_BYTES, SECRET_CHARS = 32, 43  # 62**43 > 2**256
CHECKSUM_CHARS = 6  # 62**6 > 2**32
MAX_KEY_LENGTH = 16 + 1 + ID_CHARS + 1 + SECRET_CHARS + CHECKSUM_CHARS


def _base62(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def _random_base62(nbytes: int, width: int) -> str:
    return _base62(int.from_bytes(random_bytes(nbytes), "big"), width)


def _checksum(body: str) -> str:
    return _base62(binascii.crc32(body.encode("ascii")), CHECKSUM_CHARS)


def _is_base62(text: str) -> bool:
    return all(c in _INDEX for c in text)


def check_prefix(prefix: object) -> str:
    """``prefix`` if it is a valid key prefix, else ValidationError."""
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise ValidationError(
            "an API key prefix is 2-16 lower-case letters or digits, starting with a letter",
            field="prefix",
            actual=repr(prefix),
        )
    return prefix


@dataclass(frozen=True, slots=True)
class ParsedApiKey:
    """A well-formed key split into its parts (the secret stays out of ``repr``)."""

    prefix: str
    key_id: str
    secret: str = field(repr=False)


def generate_api_key(prefix: str = DEFAULT_PREFIX) -> tuple[str, ParsedApiKey]:
    """A new random key: the full string (show it once) and its parts."""
    check_prefix(prefix)
    key_id = _random_base62(ID_BYTES, ID_CHARS)
    secret = _random_base62(SECRET_BYTES, SECRET_CHARS)
    body = f"{prefix}_{key_id}_{secret}"
    return body + _checksum(body), ParsedApiKey(prefix, key_id, secret)


def _malformed(reason: str) -> AuthError:
    return AuthError(f"malformed API key: {reason}", auth_kind=AuthErrorKind.INVALID_CREDENTIALS)


def parse_api_key(key: object, *, prefix: str = DEFAULT_PREFIX) -> ParsedApiKey:
    """The parts of ``key``, or AuthError(INVALID_CREDENTIALS) saying what is wrong."""
    if not isinstance(key, str):
        raise _malformed(f"expected a string, not {type(key).__name__}")
    if len(key) > MAX_KEY_LENGTH:
        raise _malformed("too long")
    parts = key.split("_")
    if len(parts) != 3:
        raise _malformed(f"expected '{prefix}_<id>_<secret>'")
    found_prefix, key_id, tail = parts
    if found_prefix != prefix:
        raise _malformed(f"expected the prefix {prefix!r}")
    if len(key_id) != ID_CHARS or not _is_base62(key_id):
        raise _malformed("the key id is not 17 base62 characters")
    if len(tail) != SECRET_CHARS + CHECKSUM_CHARS or not _is_base62(tail):
        raise _malformed("the secret is not 49 base62 characters")
    secret, checksum = tail[:SECRET_CHARS], tail[SECRET_CHARS:]
    if _checksum(f"{prefix}_{key_id}_{secret}") != checksum:
        raise _malformed("the checksum does not match (mistyped or truncated?)")
    return ParsedApiKey(prefix, key_id, secret)
