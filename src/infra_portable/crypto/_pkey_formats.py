"""Key encodings as numbers: SPKI, PKCS#8, SEC1, PKCS#1 (DER) and JWK members.

Functions here turn bytes or JWK dicts into integers and back; the key classes
in ``_pkey`` wrap them. Everything malformed raises :class:`ValidationError`
naming the offending field (``der``, ``jwk.crv``, ``public_key``...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra_portable.crypto import _der
from infra_portable.crypto import _p256_pure as p256
from infra_portable.crypto._pem import b64url_decode, b64url_encode
from infra_portable.crypto._pkey_base import RsaPrivateNumbers
from infra_portable.errors import ValidationError

__all__ = [
    "OID_EC_PUBLIC_KEY",
    "OID_ED25519",
    "OID_P256",
    "OID_RSA",
    "OID_X25519",
    "as_bytes",
    "decode_pkcs8",
    "decode_spki",
    "ec_decode_point",
    "ec_decode_sec1",
    "ec_decode_spki_parts",
    "ec_encode_pkcs8",
    "ec_encode_point",
    "ec_encode_spki",
    "ec_from_jwk",
    "ec_to_jwk",
    "jwk_member",
    "jwk_uint",
    "rsa_check_params",
    "rsa_check_private",
    "rsa_decode_private",
    "rsa_decode_public",
    "rsa_encode_pkcs8",
    "rsa_encode_spki",
    "rsa_from_jwk",
    "rsa_private_from_jwk",
    "rsa_to_jwk",
]

OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
OID_P256 = "1.2.840.10045.3.1.7"
OID_RSA = "1.2.840.113549.1.1.1"
OID_ED25519 = "1.3.101.112"
OID_X25519 = "1.3.101.110"

_EC_ALGORITHM = _der.sequence(_der.oid(OID_EC_PUBLIC_KEY), _der.oid(OID_P256))
_RSA_ALGORITHM = _der.sequence(_der.oid(OID_RSA), _der.null())


def as_bytes(value: object, field: str) -> bytes:
    """``value`` as bytes if it is bytes-like; ``bytes(5)`` or a str must not slip through."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    raise ValidationError("must be bytes", field=field, actual=type(value).__name__)


# -- generic containers -----------------------------------------------------


def decode_spki(der: bytes) -> tuple[str, _der.Element | None, bytes]:
    """SubjectPublicKeyInfo: (algorithm OID, parameters or None, key bits)."""
    algorithm, key = _der.decode(der).sequence(min_items=2, max_items=2)
    parts = algorithm.sequence(min_items=1, max_items=2)
    return parts[0].oid(), (parts[1] if len(parts) == 2 else None), key.bit_string()


def decode_pkcs8(der: bytes) -> tuple[str, _der.Element | None, bytes]:
    """PKCS#8 / RFC 5958 OneAsymmetricKey: (algorithm OID, parameters, private key)."""
    items = _der.decode(der).sequence(min_items=3, max_items=5)
    if items[0].integer() not in (0, 1):
        raise ValidationError("unsupported PKCS#8 version", field="der", expected="0 or 1")
    for extra in items[3:]:
        # [0] attributes, [1] IMPLICIT publicKey (RFC 5958): accepted and not needed.
        if extra.tag not in (0xA0, 0x81):
            raise ValidationError("unexpected PKCS#8 member", field="der", actual=hex(extra.tag))
    parts = items[1].sequence(min_items=1, max_items=2)
    return parts[0].oid(), (parts[1] if len(parts) == 2 else None), items[2].octet_string()


# -- EC P-256 ---------------------------------------------------------------


def _check_p256_params(params: _der.Element | None) -> None:
    if params is None or params.oid() != OID_P256:
        raise ValidationError("only the P-256 curve is supported", field="curve", expected=OID_P256)


def ec_decode_point(data: bytes, field: str = "public_key") -> tuple[int, int]:
    """A SEC1 point (65-byte uncompressed or 33-byte compressed) on P-256."""
    if len(data) == 65 and data[0] == 4:
        x, y = int.from_bytes(data[1:33], "big"), int.from_bytes(data[33:], "big")
    elif len(data) == 33 and data[0] in (2, 3):
        x = int.from_bytes(data[1:], "big")
        root = p256.decompress(x, data[0] == 3)
        if root is None:
            raise ValidationError("point is not on the P-256 curve", field=field)
        y = root
    else:
        raise ValidationError(
            "not a SEC1 P-256 point",
            field=field,
            expected="65 bytes (0x04...) or 33 bytes (0x02/0x03...)",
            actual=f"{len(data)} bytes",
        )
    if not p256.on_curve(x, y):
        raise ValidationError("point is not on the P-256 curve", field=field)
    return x, y


def ec_encode_point(x: int, y: int, compressed: bool = False) -> bytes:
    if compressed:
        return bytes((2 + (y & 1),)) + x.to_bytes(32, "big")
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")


def ec_encode_spki(x: int, y: int) -> bytes:
    return _der.sequence(_EC_ALGORITHM, _der.bit_string(ec_encode_point(x, y)))


def ec_decode_spki_parts(params: _der.Element | None, key: bytes) -> tuple[int, int]:
    _check_p256_params(params)
    return ec_decode_point(key)


def ec_decode_sec1(der: bytes, params: _der.Element | None = None) -> int:
    """ECPrivateKey (RFC 5915): the scalar d; the curve may come from PKCS#8's params."""
    items = _der.decode(der).sequence(min_items=2, max_items=4)
    if items[0].integer() != 1:
        raise ValidationError("unsupported ECPrivateKey version", field="der", expected="1")
    raw = items[1].octet_string()
    if len(raw) != 32:
        raise ValidationError("P-256 private key must be 32 bytes", field="d", actual=str(len(raw)))
    for extra in items[2:]:
        if extra.tag == 0xA0:
            inner = extra.children()
            if len(inner) != 1 or (params is not None and inner[0].oid() != params.oid()):
                raise ValidationError("curve parameters disagree", field="curve")
            params = inner[0]
        elif extra.tag != 0xA1:
            raise ValidationError("unexpected ECPrivateKey member", field="der")
    _check_p256_params(params)
    return int.from_bytes(raw, "big")


def ec_encode_pkcs8(d: int, x: int, y: int) -> bytes:
    sec1 = _der.sequence(
        _der.integer(1),
        _der.octet_string(d.to_bytes(32, "big")),
        _der.context(1, _der.bit_string(ec_encode_point(x, y))),
    )
    return _der.sequence(_der.integer(0), _EC_ALGORITHM, _der.octet_string(sec1))


# -- RSA --------------------------------------------------------------------


def rsa_decode_public(der: bytes) -> tuple[int, int]:
    """RSAPublicKey (PKCS#1): (n, e)."""
    n, e = (item.integer() for item in _der.decode(der).sequence(min_items=2, max_items=2))
    return n, e


def rsa_check_private(key: RsaPrivateNumbers) -> RsaPrivateNumbers:
    """The numbers of one consistent key, or ValidationError (a mismatched CRT set signs wrongly)."""
    n, e, d, p, q = key.n, key.e, key.d, key.p, key.q
    if not (
        p > 1
        and q > 1
        and p * q == n
        and key.dp == d % (p - 1)
        and key.dq == d % (q - 1)
        and key.qi * q % p == 1
        # The CRT exponents must invert e; cheaper than a full m^(ed) round trip.
        and e * key.dp % (p - 1) == 1
        and e * key.dq % (q - 1) == 1
    ):
        raise ValidationError("RSA private key values are inconsistent", field="private_key")
    return key


def rsa_decode_private(der: bytes) -> RsaPrivateNumbers:
    """RSAPrivateKey (PKCS#1), two-prime only."""
    items = _der.decode(der).sequence(min_items=9, max_items=9)
    version, n, e, d, p, q, dp, dq, qi = (item.integer() for item in items)
    if version != 0:
        raise ValidationError("multi-prime RSA keys are not supported", field="der")
    return rsa_check_private(RsaPrivateNumbers(n=n, e=e, d=d, p=p, q=q, dp=dp, dq=dq, qi=qi))


def rsa_encode_spki(n: int, e: int) -> bytes:
    public = _der.sequence(_der.integer(n), _der.integer(e))
    return _der.sequence(_RSA_ALGORITHM, _der.bit_string(public))


def rsa_encode_pkcs8(k: RsaPrivateNumbers) -> bytes:
    values = (0, k.n, k.e, k.d, k.p, k.q, k.dp, k.dq, k.qi)
    private = _der.sequence(*(_der.integer(v) for v in values))
    return _der.sequence(_der.integer(0), _RSA_ALGORITHM, _der.octet_string(private))


def rsa_check_params(params: _der.Element | None) -> None:
    # RFC 3279 §2.3.1: the parameters are NULL; some encoders omit them.
    if params is not None:
        params.null()


# -- JWK --------------------------------------------------------------------


def jwk_member(jwk: Mapping[str, Any], name: str) -> Any:
    if name not in jwk:
        raise ValidationError(f"JWK member {name!r} is missing", field=f"jwk.{name}")
    return jwk[name]


def _expect(jwk: Mapping[str, Any], name: str, value: str) -> None:
    actual = jwk_member(jwk, name)
    if actual != value:
        raise ValidationError(
            f"JWK {name} must be {value!r}",
            field=f"jwk.{name}",
            expected=value,
            actual=repr(actual),
        )


def jwk_uint(jwk: Mapping[str, Any], name: str) -> int:
    """A Base64urlUInt member (RFC 7518 §2): minimal octets, no leading zero."""
    data = b64url_decode(jwk_member(jwk, name), f"jwk.{name}")
    if not data or (len(data) > 1 and data[0] == 0):
        raise ValidationError("Base64urlUInt must use the minimum octets", field=f"jwk.{name}")
    return int.from_bytes(data, "big")


def _fixed(jwk: Mapping[str, Any], name: str) -> int:
    data = b64url_decode(jwk_member(jwk, name), f"jwk.{name}")
    if len(data) != 32:
        raise ValidationError(
            "P-256 coordinates are exactly 32 bytes",
            field=f"jwk.{name}",
            expected="32 bytes",
            actual=f"{len(data)} bytes",
        )
    return int.from_bytes(data, "big")


def _check_mapping(jwk: object) -> Mapping[str, Any]:
    if not isinstance(jwk, Mapping):
        raise ValidationError("a JWK must be a mapping", field="jwk", actual=type(jwk).__name__)
    return jwk


def ec_from_jwk(jwk: object, *, private: bool) -> tuple[int, int, int | None]:
    """(x, y, d) of an EC P-256 JWK; d is None unless ``private``."""
    jwk = _check_mapping(jwk)
    _expect(jwk, "kty", "EC")
    _expect(jwk, "crv", "P-256")
    x, y = _fixed(jwk, "x"), _fixed(jwk, "y")
    if not p256.on_curve(x, y):
        raise ValidationError("point is not on the P-256 curve", field="jwk.x")
    return x, y, (_fixed(jwk, "d") if private else None)


def ec_to_jwk(x: int, y: int, d: int | None = None) -> dict[str, str]:
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url_encode(x.to_bytes(32, "big")),
        "y": b64url_encode(y.to_bytes(32, "big")),
    }
    if d is not None:
        jwk["d"] = b64url_encode(d.to_bytes(32, "big"))
    return jwk


def rsa_from_jwk(jwk: object) -> tuple[int, int]:
    jwk = _check_mapping(jwk)
    _expect(jwk, "kty", "RSA")
    return jwk_uint(jwk, "n"), jwk_uint(jwk, "e")


def rsa_private_from_jwk(jwk: object) -> RsaPrivateNumbers:
    """All of n, e, d, p, q, dp, dq, qi are required; multi-prime ``oth`` is not supported."""
    n, e = rsa_from_jwk(jwk)
    jwk = _check_mapping(jwk)
    if "oth" in jwk:
        raise ValidationError("multi-prime RSA keys are not supported", field="jwk.oth")
    values = {name: jwk_uint(jwk, name) for name in ("d", "p", "q", "dp", "dq", "qi")}
    return rsa_check_private(RsaPrivateNumbers(n=n, e=e, **values))


def rsa_to_jwk(n: int, e: int, key: RsaPrivateNumbers | None = None) -> dict[str, str]:
    def uint(value: int) -> str:
        return b64url_encode(value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))

    jwk = {"kty": "RSA", "n": uint(n), "e": uint(e)}
    if key is not None:
        for name in ("d", "p", "q", "dp", "dq", "qi"):
            jwk[name] = uint(getattr(key, name))
    return jwk
