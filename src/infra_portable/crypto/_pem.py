"""Strict PEM armour (RFC 7468) and canonical base64url (RFC 7515 §2) for keys.

PEM: exactly one ``-----BEGIN label-----`` ... ``-----END label-----`` block,
matching labels, base64 lines of at most 76 characters (OpenSSL writes 64, some
tools 76), canonical base64, nothing but whitespace around the block. Base64url:
no padding, only the URL-safe alphabet, and unused trailing bits must be zero,
so every value has exactly one accepted spelling.
"""

from __future__ import annotations

import base64
import binascii
import re

from infra_portable.errors import ValidationError

__all__ = ["b64url_decode", "b64url_encode", "pem_decode", "pem_encode"]

_PEM = re.compile(
    r"-----BEGIN ([A-Z0-9 ]+)-----\r?\n((?:[A-Za-z0-9+/=]{1,76}\r?\n)*)-----END ([A-Z0-9 ]+)-----"
)
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_LINE = 64


def pem_decode(text: str | bytes, field: str = "pem") -> tuple[str, bytes]:
    """The label and DER bytes of the single PEM block in ``text``."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("ascii")
        except UnicodeDecodeError:
            raise ValidationError("PEM must be ASCII", field=field) from None
    if not isinstance(text, str):
        raise ValidationError("PEM must be str or bytes", field=field, actual=type(text).__name__)
    match = _PEM.fullmatch(text.strip())
    if match is None:
        raise ValidationError(
            "not a single well-formed PEM block", field=field, expected="-----BEGIN ...-----"
        )
    label, body, end_label = match.groups()
    if label != end_label:
        raise ValidationError(
            "PEM BEGIN and END labels differ", field=field, expected=label, actual=end_label
        )
    data = "".join(body.split())
    try:
        der = base64.b64decode(data, validate=True)
    except binascii.Error:
        raise ValidationError("PEM body is not valid base64", field=field) from None
    if base64.b64encode(der).decode("ascii") != data:
        raise ValidationError("PEM body is not canonical base64", field=field)
    return label, der


def pem_encode(label: str, der: bytes) -> bytes:
    """``der`` armoured with ``label`` in 64-character lines (what OpenSSL writes)."""
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i : i + _LINE] for i in range(0, len(body), _LINE)]
    return (f"-----BEGIN {label}-----\n" + "".join(line + "\n" for line in lines)).encode(
        "ascii"
    ) + f"-----END {label}-----\n".encode("ascii")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(value: object, field: str) -> bytes:
    """Decode one unpadded base64url member, rejecting every non-canonical spelling."""
    if not isinstance(value, str):
        raise ValidationError(
            "must be a base64url string", field=field, actual=type(value).__name__
        )
    if not _B64URL.fullmatch(value) or len(value) % 4 == 1:
        raise ValidationError("not unpadded base64url", field=field, actual=repr(value[:16]))
    data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    if b64url_encode(data) != value:
        raise ValidationError("non-canonical base64url (stray trailing bits)", field=field)
    return data
