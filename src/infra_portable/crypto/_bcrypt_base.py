"""bcrypt hash strings (``$2b$12$<22-char salt><31-char checksum>``) and the backend interface.

Only verification is offered: new hashes are Argon2id. The ``$2a$``, ``$2b$``
and ``$2y$`` prefixes are the same algorithm for every password shorter than
255 bytes (they differ only in bugs of old implementations with longer or
non-ASCII passwords), so they are verified identically. Both halves use the
bcrypt radix-64 alphabet ``./A-Za-z0-9``, which is standard base64 with the
alphabet shifted, so encoding goes through :mod:`base64` and ``str.translate``.

The salt is decoded as OpenBSD does, ignoring the 4 unused bits of its last
character (some generators set them); the checksum must be canonical.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from infra_portable.errors import ValidationError

__all__ = [
    "CHECKSUM_LEN",
    "MAX_PASSWORD_LEN",
    "BcryptBackend",
    "BcryptHash",
    "bcrypt_b64_decode",
    "bcrypt_b64_encode",
    "parse_bcrypt",
]

SALT_LEN = 16
CHECKSUM_LEN = 23  # bcrypt outputs 24 bytes; the string keeps 23 of them
MAX_PASSWORD_LEN = 72  # the key schedule reads at most 72 bytes of the password
MIN_COST, MAX_COST = 4, 31

_BCRYPT = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TO_STANDARD = str.maketrans(_BCRYPT, _STANDARD)
_TO_BCRYPT = str.maketrans(_STANDARD, _BCRYPT)
_HASH = re.compile(
    r"\$2(?P<minor>[aby])\$(?P<cost>[0-9]{2})\$(?P<salt>[./A-Za-z0-9]{22})(?P<checksum>[./A-Za-z0-9]{31})"
)


def bcrypt_b64_encode(data: bytes) -> str:
    """bcrypt radix-64, unpadded."""
    return base64.b64encode(data).decode("ascii").rstrip("=").translate(_TO_BCRYPT)


def bcrypt_b64_decode(text: str) -> bytes:
    """Decode bcrypt radix-64 (unused trailing bits are ignored)."""
    standard = text.translate(_TO_STANDARD)
    return base64.b64decode(standard + "=" * (-len(standard) % 4))


@dataclass(frozen=True, slots=True)
class BcryptHash:
    """A parsed bcrypt string: cost (log2 of the rounds), 16-byte salt, 23-byte checksum."""

    minor: str
    cost: int
    salt: bytes
    checksum: bytes

    @property
    def salt_text(self) -> str:
        """The salt in canonical radix-64 (22 characters)."""
        return bcrypt_b64_encode(self.salt)


def parse_bcrypt(text: str) -> BcryptHash:
    """Parse ``$2a$``/``$2b$``/``$2y$`` strings; anything else raises ValidationError (``hash``)."""
    match = _HASH.fullmatch(text)
    shown = text if len(text) <= 200 else text[:200] + "..."
    expected = "$2b$<cost 04-31>$<22-char salt><31-char checksum>"
    if match is None:
        raise ValidationError("not a bcrypt hash", field="hash", expected=expected, actual=shown)
    cost = int(match["cost"])
    if not MIN_COST <= cost <= MAX_COST:
        raise ValidationError(
            "bcrypt cost out of range",
            field="hash",
            expected=f"{MIN_COST:02}..{MAX_COST}",
            actual=shown,
        )
    try:
        salt = bcrypt_b64_decode(match["salt"])
        checksum = bcrypt_b64_decode(match["checksum"])
    except (
        binascii.Error,
        ValueError,
    ):  # pragma: no cover - the regex admits only valid characters
        raise ValidationError(
            "bad bcrypt radix-64", field="hash", expected=expected, actual=shown
        ) from None
    if bcrypt_b64_encode(checksum) != match["checksum"]:
        raise ValidationError(
            "bcrypt checksum is not canonical radix-64",
            field="hash",
            expected=expected,
            actual=shown,
        )
    return BcryptHash(minor=match["minor"], cost=cost, salt=salt, checksum=checksum)


@runtime_checkable
class BcryptBackend(Protocol):
    """Computes the 23-byte bcrypt checksum to compare against a parsed hash."""

    name: str

    def checksum(self, password: bytes, cost: int, salt: bytes) -> bytes:
        """bcrypt of ``password`` (at most 72 bytes, no NUL) at ``cost`` with the 16-byte ``salt``."""
        ...
