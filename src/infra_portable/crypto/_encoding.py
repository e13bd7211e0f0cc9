"""Byte encodings for tokens and keys: strict base64url, hex, constant-time equality.

``b64url_decode`` is deliberately strict because JWT/JWS compare encoded
segments byte for byte: a decoder that accepted two spellings of the same bytes
(stray padding, whitespace, non-zero unused trailing bits) would let an
attacker alter a signed token's text without breaking the signature. Only the
canonical, unpadded RFC 4648 §5 form is accepted unless ``allow_padding``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re

from infra_portable.errors import ValidationError

__all__ = [
    "BytesLike",
    "b64url_decode",
    "b64url_encode",
    "constant_time_equals",
    "hex_decode",
    "hex_encode",
    "to_bytes",
]

BytesLike = bytes | bytearray | memoryview

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")
_B64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B64URL_VALUE = {char: index for index, char in enumerate(_B64URL_ALPHABET)}


def to_bytes(value: object, field: str, *, allow_str: bool = True) -> bytes:
    """``value`` as bytes: bytes-like objects as they are, ``str`` as UTF-8.

    Anything else (including ``int``, which ``bytes()`` would silently turn into
    zeros) is a ValidationError naming ``field``.
    """
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if allow_str and isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(
                "text cannot be encoded as UTF-8 (lone surrogate)",
                field=field,
                expected="valid Unicode text",
                actual="str with a lone surrogate",
            ) from None
    expected = "bytes, bytearray, memoryview or str" if allow_str else "bytes-like"
    raise ValidationError(
        f"{field} must be {expected}",
        field=field,
        expected=expected,
        actual=type(value).__name__,
    )


def _text(value: object, field: str) -> str:
    """Encoded text given as ``str`` or ASCII bytes."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("ascii")
        except UnicodeDecodeError:
            raise ValidationError(
                f"{field} contains non-ASCII bytes",
                field=field,
                expected="ASCII text",
                actual="non-ASCII bytes",
            ) from None
    raise ValidationError(
        f"{field} must be str or ASCII bytes",
        field=field,
        expected="str or bytes",
        actual=type(value).__name__,
    )


def b64url_encode(data: BytesLike | str) -> str:
    """Base64url (RFC 4648 §5) without padding, as JWT and JWK use it."""
    raw = to_bytes(data, "data")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str | BytesLike, *, allow_padding: bool = False) -> bytes:
    """Decode canonical base64url; every other spelling is a ValidationError.

    Rejected: characters outside ``A-Z a-z 0-9 - _`` (including whitespace and
    ``+``/``/``), ``=`` unless ``allow_padding`` (and then only the exact
    trailing amount), lengths that no byte string encodes to (``len % 4 == 1``),
    and a last character whose unused low bits are not zero.
    """
    value = _text(text, "text")
    if allow_padding and value.endswith("="):
        stripped = value.rstrip("=")
        if len(value) % 4 or len(value) - len(stripped) != -len(stripped) % 4:
            raise ValidationError(
                "base64url padding has the wrong length",
                field="text",
                expected=f"{-len(stripped) % 4} '=' to a multiple of 4 characters",
                actual=f"{len(value) - len(stripped)} '=' in {len(value)} characters",
            )
        value = stripped
    if _B64URL.fullmatch(value) is None:
        bad = next(c for c in value if c not in _B64URL_VALUE)
        raise ValidationError(
            "not base64url: character outside the URL-safe alphabet"
            + (" (padding is not allowed)" if bad == "=" else ""),
            field="text",
            expected="characters A-Z a-z 0-9 - _",
            actual=repr(bad),
        )
    remainder = len(value) % 4
    if remainder == 1:
        raise ValidationError(
            "not base64url: no byte string has an encoding of this length",
            field="text",
            expected="length % 4 in (0, 2, 3)",
            actual=f"length {len(value)}",
        )
    if remainder:
        # 2 trailing chars carry 1 byte (4 spare bits), 3 carry 2 bytes (2 spare bits).
        spare_mask = 0b1111 if remainder == 2 else 0b11
        if _B64URL_VALUE[value[-1]] & spare_mask:
            raise ValidationError(
                "not canonical base64url: unused trailing bits are not zero",
                field="text",
                expected="the canonical encoding",
                actual=repr(value[-1]) + " as the last character",
            )
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except binascii.Error as exc:  # unreachable after the checks above; never leak it
        raise ValidationError("not base64url", field="text", actual=str(exc)) from exc


def hex_encode(data: BytesLike | str) -> str:
    """Lowercase hexadecimal."""
    return to_bytes(data, "data").hex()


def hex_decode(text: str | BytesLike) -> bytes:
    """Decode hexadecimal (either case); whitespace, odd lengths and other characters fail."""
    value = _text(text, "text")
    if _HEX.fullmatch(value) is None:
        odd = len(value) % 2 == 1
        raise ValidationError(
            "not hexadecimal: odd length" if odd else "not hexadecimal: unexpected character",
            field="text",
            expected="an even number of 0-9 a-f A-F",
            actual=f"length {len(value)}" if odd else repr(_first_non_hex(value)),
        )
    return bytes.fromhex(value)


def _first_non_hex(value: str) -> str:
    return next((c for c in value if c not in "0123456789abcdefABCDEF"), "")


def constant_time_equals(a: BytesLike | str, b: BytesLike | str) -> bool:
    """Whether ``a == b``, taking time independent of where they differ.

    ``str`` is compared as UTF-8 (``hmac.compare_digest`` alone refuses non-ASCII text).
    """
    return hmac.compare_digest(to_bytes(a, "a"), to_bytes(b, "b"))
