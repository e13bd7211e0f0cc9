"""Argon2id hashes as PHC strings, strictly: ``$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>``.

This is the form argon2-cffi, libsodium, the reference ``argon2`` tool and
OpenSSL write. Salt and hash are standard-alphabet base64 without padding
(PHC's "B64"). Parsing accepts exactly one spelling of each value: parameters
in the order m, t, p, decimals without sign or leading zeros, canonical base64
(unused trailing bits zero), and no optional ``keyid``/``data`` parameters.
Anything else is a :class:`ValidationError` naming ``hash``, so two strings
that verify the same way are always the same string.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from infra_portable.errors import ValidationError

__all__ = ["PhcArgon2id", "b64_decode", "b64_encode", "format_phc", "parse_phc"]

ARGON2_VERSION = 19
_DECIMAL = "0|[1-9][0-9]{0,9}"  # PHC: no sign, no leading zeros; 10 digits cover 2**32
_B64 = "[A-Za-z0-9+/]+"
_PHC = re.compile(
    rf"\$argon2id\$v=(?P<v>{_DECIMAL})\$m=(?P<m>{_DECIMAL}),t=(?P<t>{_DECIMAL}),"
    rf"p=(?P<p>{_DECIMAL})\$(?P<salt>{_B64})\$(?P<hash>{_B64})"
)
_OTHER_ARGON2 = re.compile(r"\$argon2(i|d)\$")


@dataclass(frozen=True, slots=True)
class PhcArgon2id:
    """The fields of an Argon2id PHC string."""

    memory_cost_kib: int
    time_cost: int
    parallelism: int
    salt: bytes
    hash: bytes
    version: int = ARGON2_VERSION


def _malformed(message: str, actual: str) -> ValidationError:
    return ValidationError(
        message,
        field="hash",
        expected="$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<base64 salt>$<base64 hash>",
        actual=actual,
    )


def b64_encode(data: bytes) -> str:
    """PHC base64: standard alphabet, no padding."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def b64_decode(text: str) -> bytes | None:
    """Decode canonical PHC base64, or None if ``text`` is not exactly that."""
    if len(text) % 4 == 1:
        return None
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    # Re-encoding catches non-zero unused bits: one value, one spelling.
    return data if b64_encode(data) == text else None


def format_phc(phc: PhcArgon2id) -> str:
    """The PHC string for these fields."""
    return (
        f"$argon2id$v={phc.version}$m={phc.memory_cost_kib},t={phc.time_cost},"
        f"p={phc.parallelism}${b64_encode(phc.salt)}${b64_encode(phc.hash)}"
    )


def parse_phc(text: str) -> PhcArgon2id:
    """Parse a strict Argon2id PHC string; anything else raises ValidationError (``hash``)."""
    if not isinstance(text, str):
        raise ValidationError(
            "a password hash must be a str",
            field="hash",
            expected="str",
            actual=type(text).__name__,
        )
    shown = text if len(text) <= 200 else text[:200] + "..."
    match = _PHC.fullmatch(text)
    if match is None:
        if _OTHER_ARGON2.match(text):
            raise _malformed("only Argon2id hashes are supported (not Argon2i or Argon2d)", shown)
        raise _malformed("not an Argon2id PHC string", shown)
    if int(match["v"]) != ARGON2_VERSION:
        raise _malformed("only Argon2 version 19 (0x13) is supported", shown)
    salt = b64_decode(match["salt"])
    digest = b64_decode(match["hash"])
    if salt is None or digest is None:
        raise _malformed("salt and hash must be unpadded canonical base64", shown)
    return PhcArgon2id(
        memory_cost_kib=int(match["m"]),
        time_cost=int(match["t"]),
        parallelism=int(match["p"]),
        salt=salt,
        hash=digest,
    )
