"""A minimal, strict ASN.1 DER encoder and decoder for key structures.

Only what SPKI, PKCS#8, SEC1 and PKCS#1 keys use: INTEGER, SEQUENCE, OBJECT
IDENTIFIER, BIT STRING, OCTET STRING, NULL and low-numbered context tags.
Decoding is strict on purpose (DER is the *distinguished* encoding, and lenient
parsers have been the root of signature-forgery bugs): non-minimal lengths and
integers, indefinite lengths, high tag numbers and trailing data are rejected
with :class:`ValidationError` naming ``field``.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra_portable.errors import ValidationError

__all__ = [
    "BIT_STRING",
    "INTEGER",
    "NULL",
    "OCTET_STRING",
    "OID",
    "SEQUENCE",
    "Element",
    "bit_string",
    "context",
    "decode",
    "integer",
    "null",
    "octet_string",
    "oid",
    "sequence",
]

INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
SEQUENCE = 0x30
_CONSTRUCTED = 0x20
_CONTEXT = 0x80
# Keys never need more than 2**32 bytes; longer length fields are malformed input.
_MAX_LENGTH_OCTETS = 4


def _fail(field: str, message: str, actual: str | None = None) -> ValidationError:
    return ValidationError(f"malformed DER: {message}", field=field, expected="DER", actual=actual)


@dataclass(frozen=True, slots=True)
class Element:
    """One decoded TLV: its identifier octet and content bytes."""

    tag: int
    content: bytes
    field: str

    @property
    def constructed(self) -> bool:
        return bool(self.tag & _CONSTRUCTED)

    def expect(self, tag: int, what: str) -> Element:
        if self.tag != tag:
            raise _fail(self.field, f"expected {what}", actual=f"tag 0x{self.tag:02x}")
        return self

    def children(self) -> list[Element]:
        """The elements inside a constructed element, in order (decoded on demand)."""
        if not self.constructed:
            raise _fail(self.field, "expected a constructed element")
        items: list[Element] = []
        pos = 0
        while pos < len(self.content):
            element, pos = _read(self.content, pos, self.field)
            items.append(element)
        return items

    def sequence(self, *, min_items: int = 0, max_items: int | None = None) -> list[Element]:
        items = self.expect(SEQUENCE, "SEQUENCE").children()
        if len(items) < min_items or (max_items is not None and len(items) > max_items):
            raise _fail(self.field, "wrong number of SEQUENCE members", actual=str(len(items)))
        return items

    def integer(self) -> int:
        """A non-negative INTEGER (keys never hold negative numbers)."""
        data = self.expect(INTEGER, "INTEGER").content
        if not data:
            raise _fail(self.field, "empty INTEGER")
        if len(data) > 1 and (
            (data[0] == 0 and data[1] < 0x80) or (data[0] == 0xFF and data[1] >= 0x80)
        ):
            raise _fail(self.field, "non-minimal INTEGER")
        if data[0] & 0x80:
            raise _fail(self.field, "negative INTEGER")
        return int.from_bytes(data, "big")

    def oid(self) -> str:
        data = self.expect(OID, "OBJECT IDENTIFIER").content
        if not data or data[-1] & 0x80:
            raise _fail(self.field, "truncated OBJECT IDENTIFIER")
        arcs: list[int] = []
        value = 0
        fresh = True
        for byte in data:
            if fresh and byte == 0x80:
                raise _fail(self.field, "non-minimal OBJECT IDENTIFIER arc")
            value = (value << 7) | (byte & 0x7F)
            fresh = not byte & 0x80
            if fresh:
                arcs.append(value)
                value = 0
        first = min(arcs[0] // 40, 2)
        return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])

    def bit_string(self) -> bytes:
        """A BIT STRING holding whole octets (the only kind keys use)."""
        data = self.expect(BIT_STRING, "BIT STRING").content
        if not data or data[0] != 0:
            raise _fail(self.field, "BIT STRING with unused bits")
        return data[1:]

    def octet_string(self) -> bytes:
        return self.expect(OCTET_STRING, "OCTET STRING").content

    def null(self) -> None:
        if self.expect(NULL, "NULL").content:
            raise _fail(self.field, "NULL with content")


def _read(data: bytes, pos: int, field: str) -> tuple[Element, int]:
    if pos + 2 > len(data):
        raise _fail(field, "truncated element")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise _fail(field, "high tag numbers are not used in keys", actual=f"0x{tag:02x}")
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise _fail(field, "indefinite length")
    else:
        count = first & 0x7F
        if count > _MAX_LENGTH_OCTETS or pos + count > len(data):
            raise _fail(field, "bad length field")
        raw = data[pos : pos + count]
        if raw[0] == 0:
            raise _fail(field, "non-minimal length")
        length = int.from_bytes(raw, "big")
        if length < 0x80:
            raise _fail(field, "non-minimal length")
        pos += count
    end = pos + length
    if end > len(data):
        raise _fail(field, "element longer than its input")
    return Element(tag, bytes(data[pos:end]), field), end


def decode(data: bytes, field: str = "der") -> Element:
    """Exactly one element spanning all of ``data``."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValidationError("DER must be bytes", field=field, actual=type(data).__name__)
    data = bytes(data)
    element, end = _read(data, 0, field)
    if end != len(data):
        raise _fail(field, "trailing data after the element", actual=f"{len(data) - end} bytes")
    return element


# -- encoding -------------------------------------------------------------


def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes((tag, n)) + content
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(raw))) + raw + content


def integer(value: int) -> bytes:
    if value < 0:
        raise ValueError("only non-negative integers are encoded")
    # One extra bit for the sign keeps values with the top bit set positive.
    return _tlv(INTEGER, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def sequence(*members: bytes) -> bytes:
    return _tlv(SEQUENCE, b"".join(members))


def oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        rest = arc >> 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        body += bytes(reversed(chunk))
    return _tlv(OID, bytes(body))


def bit_string(data: bytes) -> bytes:
    return _tlv(BIT_STRING, b"\x00" + data)


def octet_string(data: bytes) -> bytes:
    return _tlv(OCTET_STRING, data)


def null() -> bytes:
    return b"\x05\x00"


def context(number: int, content: bytes) -> bytes:
    """An explicit context tag ``[number]`` wrapping encoded ``content``."""
    return _tlv(_CONTEXT | _CONSTRUCTED | number, content)
