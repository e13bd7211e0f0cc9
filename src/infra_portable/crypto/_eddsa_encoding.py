"""PKCS#8 / SPKI DER, PEM and JWK (RFC 8037) encodings of Ed25519 and X25519 keys.

RFC 8410 keys have one fixed DER layout each (a constant prefix followed by the
32 key bytes), so they are written and checked as byte strings: no ASN.1
parser is needed, and anything else (another algorithm, PKCS#8 v2 with an
attached public key, attributes, trailing bytes) is rejected with
ValidationError.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from infra_portable.errors import ValidationError

__all__ = [
    "ED25519",
    "X25519",
    "Algorithm",
    "b64url_decode",
    "b64url_encode",
    "der_from_pem",
    "jwk_key_bytes",
    "key_bytes",
    "pem_from_der",
    "private_der",
    "private_from_der",
    "public_der",
    "public_from_der",
]


class Algorithm:
    """The names and DER prefixes of one RFC 8410 algorithm."""

    __slots__ = ("curve", "private_prefix", "public_prefix")

    def __init__(self, curve: str, oid_byte: int) -> None:
        self.curve = curve
        oid = b"\x06\x03\x2b\x65" + bytes([oid_byte])
        # SEQUENCE { INTEGER 0, SEQUENCE { OID }, OCTET STRING { OCTET STRING (32) } }
        self.private_prefix = b"\x30\x2e\x02\x01\x00\x30\x05" + oid + b"\x04\x22\x04\x20"
        # SEQUENCE { SEQUENCE { OID }, BIT STRING (0 unused bits, 32 bytes) }
        self.public_prefix = b"\x30\x2a\x30\x05" + oid + b"\x03\x21\x00"


ED25519 = Algorithm("Ed25519", 0x70)
X25519 = Algorithm("X25519", 0x6E)

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_PEM = re.compile(r"-----BEGIN ([A-Z ]+)-----\r?\n(.*?)\r?\n?-----END \1-----", re.DOTALL)


def key_bytes(data: object, field: str, size: int = 32) -> bytes:
    """``data`` as bytes of exactly ``size`` bytes, else ValidationError naming ``field``."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValidationError(
            "must be bytes", field=field, expected="bytes", actual=type(data).__name__
        )
    raw = bytes(data)
    if len(raw) != size:
        raise ValidationError(
            "wrong length", field=field, expected=f"{size} bytes", actual=f"{len(raw)} bytes"
        )
    return raw


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: object, field: str) -> bytes:
    """Strict base64url: no padding, no whitespace, no non-zero trailing bits."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValidationError(
            "not unpadded base64url", field=field, expected="base64url", actual=repr(text)[:40]
        )
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # A last character with stray low bits decodes too; only the canonical form is accepted.
    if b64url_encode(raw) != text:
        raise ValidationError("non-canonical base64url", field=field, actual=repr(text)[:40])
    return raw


def private_der(alg: Algorithm, key: bytes) -> bytes:
    return alg.private_prefix + key


def public_der(alg: Algorithm, key: bytes) -> bytes:
    return alg.public_prefix + key


def _from_der(prefix: bytes, data: object, what: str) -> bytes:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValidationError(
            "must be bytes", field="der", expected="bytes", actual=type(data).__name__
        )
    raw = bytes(data)
    if len(raw) != len(prefix) + 32 or not raw.startswith(prefix):
        raise ValidationError(
            f"not an RFC 8410 {what}",
            field="der",
            expected=f"{len(prefix) + 32} bytes starting {prefix.hex()}",
            actual=f"{len(raw)} bytes starting {raw[: len(prefix)].hex()}",
        )
    return raw[len(prefix) :]


def private_from_der(alg: Algorithm, data: object) -> bytes:
    """The 32 key bytes of a PKCS#8 v1 ``PrivateKeyInfo`` for ``alg``."""
    return _from_der(alg.private_prefix, data, f"{alg.curve} PKCS#8 private key")


def public_from_der(alg: Algorithm, data: object) -> bytes:
    """The 32 key bytes of a ``SubjectPublicKeyInfo`` for ``alg``."""
    return _from_der(alg.public_prefix, data, f"{alg.curve} SubjectPublicKeyInfo")


def pem_from_der(der: bytes, label: str) -> bytes:
    """PEM armour (RFC 7468): 64-character base64 lines."""
    body = base64.b64encode(der)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return b"\n".join(
        [f"-----BEGIN {label}-----".encode(), *lines, f"-----END {label}-----\n".encode()]
    )


def der_from_pem(data: object, label: str) -> bytes:
    """The DER inside one PEM block labelled ``label`` (strict base64)."""
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            text = bytes(data).decode("ascii")
        except UnicodeDecodeError:
            raise ValidationError("PEM must be ASCII", field="pem") from None
    elif isinstance(data, str):
        text = data
    else:
        raise ValidationError(
            "must be bytes or str", field="pem", expected="bytes", actual=type(data).__name__
        )
    match = _PEM.fullmatch(text.strip())
    if match is None:
        raise ValidationError("not a single PEM block", field="pem", expected=label)
    if match.group(1) != label:
        raise ValidationError("wrong PEM label", field="pem", expected=label, actual=match.group(1))
    body = "".join(match.group(2).split())
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("PEM body is not valid base64", field="pem") from None


def jwk_key_bytes(jwk: object, alg: Algorithm, member: str) -> bytes:
    """The 32 bytes of ``member`` ("x" or "d") of an RFC 8037 OKP JWK for ``alg``."""
    if not isinstance(jwk, Mapping):
        raise ValidationError(
            "a JWK must be a mapping", field="jwk", expected="dict", actual=type(jwk).__name__
        )
    checks: dict[str, Any] = {"kty": "OKP", "crv": alg.curve}
    for name, expected in checks.items():
        if jwk.get(name) != expected:
            raise ValidationError(
                "wrong JWK member",
                field=f"jwk.{name}",
                expected=expected,
                actual=repr(jwk.get(name)),
            )
    if member not in jwk:
        raise ValidationError("missing JWK member", field=f"jwk.{member}", expected="base64url")
    return key_bytes(b64url_decode(jwk[member], f"jwk.{member}"), f"jwk.{member}")
