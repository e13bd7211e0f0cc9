"""Load any supported key from PEM, DER or a JWK dict, dispatching on its type.

The algorithm comes from the key itself (the SPKI/PKCS#8 OID, the PEM label,
or the JWK ``kty``/``crv``), never from the caller, so a JWT verifier cannot be
talked into using a key as another kind. EC P-256 and RSA are handled here;
Ed25519 and X25519 (``OKP``) are delegated to ``_eddsa``, imported only when such
a key shows up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

from infra_portable.crypto import _der
from infra_portable.crypto import _pkey_formats as fmt
from infra_portable.crypto._ecdsa import EcdsaP256PrivateKey, EcdsaP256PublicKey
from infra_portable.crypto._pem import pem_decode
from infra_portable.crypto._rsa import RsaPrivateKey, RsaPublicKey
from infra_portable.errors import ValidationError

if TYPE_CHECKING:
    from infra_portable.crypto._eddsa import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
        X25519PrivateKey,
        X25519PublicKey,
    )

__all__ = ["PrivateKey", "PublicKey", "load_private_key", "load_public_key"]

PrivateKey: TypeAlias = "EcdsaP256PrivateKey | RsaPrivateKey | Ed25519PrivateKey | X25519PrivateKey"
PublicKey: TypeAlias = "EcdsaP256PublicKey | RsaPublicKey | Ed25519PublicKey | X25519PublicKey"

_OKP_CURVES = ("Ed25519", "X25519")


def _okp(kind: str, private: bool) -> Any:
    """The _eddsa class for ``kind`` (Ed25519 / X25519), imported on first need."""
    from infra_portable.crypto import _eddsa

    name = f"{kind}{'Private' if private else 'Public'}Key"
    return getattr(_eddsa, name)


def _split(data: bytes | str | Mapping[str, Any], field: str) -> tuple[str | None, bytes | None]:
    """(PEM label, DER) for PEM or DER input."""
    if isinstance(data, str) or (
        isinstance(data, bytes | bytearray) and data.lstrip()[:10] == b"-----BEGIN"
    ):
        return pem_decode(data, field)
    if isinstance(data, bytes | bytearray | memoryview):
        return None, bytes(data)
    raise ValidationError(
        "a key must be PEM (str or bytes), DER (bytes) or a JWK dict",
        field=field,
        actual=type(data).__name__,
    )


def _jwk_kind(jwk: Mapping[str, Any]) -> str:
    kty = fmt.jwk_member(jwk, "kty")
    if kty == "OKP":
        crv = fmt.jwk_member(jwk, "crv")
        if crv not in _OKP_CURVES:
            raise ValidationError(
                "unsupported OKP curve",
                field="jwk.crv",
                expected="Ed25519 or X25519",
                actual=repr(crv),
            )
        return str(crv)
    if kty not in ("EC", "RSA"):
        raise ValidationError(
            "unsupported JWK key type", field="jwk.kty", expected="EC, RSA or OKP", actual=repr(kty)
        )
    return str(kty)


def _okp_kind(oid: str) -> str | None:
    return {fmt.OID_ED25519: "Ed25519", fmt.OID_X25519: "X25519"}.get(oid)


def load_private_key(
    data: bytes | str | Mapping[str, Any], *, backend: str | None = None
) -> PrivateKey:
    """A private key from PEM (PKCS#8, SEC1, PKCS#1), DER or a JWK dict.

    ``backend`` applies to EC and RSA keys. Unknown or malformed keys raise
    ValidationError naming the field.
    """
    if isinstance(data, Mapping):
        kind = _jwk_kind(data)
        if kind == "EC":
            return EcdsaP256PrivateKey.from_jwk(data, backend=backend)
        if kind == "RSA":
            return RsaPrivateKey.from_jwk(data, backend=backend)
        key: PrivateKey = _okp(kind, True).from_jwk(dict(data))
        return key
    label, der = _split(data, "private_key")
    assert der is not None
    if label == "EC PRIVATE KEY":
        return EcdsaP256PrivateKey.from_der(der, backend=backend)
    if label == "RSA PRIVATE KEY":
        return RsaPrivateKey.from_der(der, backend=backend)
    if label not in (None, "PRIVATE KEY"):
        raise ValidationError("not a private key PEM", field="pem", actual=label)
    items = _der.decode(der, "private_key").sequence(min_items=2)
    if items[1].tag == _der.OCTET_STRING:  # SEC1: version 1, then the scalar
        return EcdsaP256PrivateKey.from_der(der, backend=backend)
    if items[1].tag == _der.INTEGER:  # PKCS#1: version 0, then n
        return RsaPrivateKey.from_der(der, backend=backend)
    oid, _, _ = fmt.decode_pkcs8(der)
    if oid == fmt.OID_EC_PUBLIC_KEY:
        return EcdsaP256PrivateKey.from_der(der, backend=backend)
    if oid == fmt.OID_RSA:
        return RsaPrivateKey.from_der(der, backend=backend)
    okp = _okp_kind(oid)
    if okp is None:
        raise ValidationError("unsupported key algorithm", field="algorithm", actual=oid)
    okp_private: PrivateKey = _okp(okp, True).from_der(der)
    return okp_private


def load_public_key(
    data: bytes | str | Mapping[str, Any], *, backend: str | None = None
) -> PublicKey:
    """A public key from PEM (SPKI, PKCS#1 RSA), DER or a JWK dict.

    A private JWK is refused (pass it to :func:`load_private_key` and call
    ``public_key()``), so secrets are never accepted where only a public key belongs.
    """
    if isinstance(data, Mapping):
        if "d" in data:
            raise ValidationError(
                "a private JWK was given where a public key is expected", field="jwk.d"
            )
        kind = _jwk_kind(data)
        if kind == "EC":
            return EcdsaP256PublicKey.from_jwk(data, backend=backend)
        if kind == "RSA":
            return RsaPublicKey.from_jwk(data, backend=backend)
        key: PublicKey = _okp(kind, False).from_jwk(dict(data))
        return key
    label, der = _split(data, "public_key")
    assert der is not None
    if label == "RSA PUBLIC KEY":
        return RsaPublicKey.from_der(der, backend=backend)
    if label not in (None, "PUBLIC KEY"):
        raise ValidationError("not a public key PEM", field="pem", actual=label)
    first = _der.decode(der, "public_key").sequence(min_items=2)[0]
    if first.tag == _der.INTEGER:  # PKCS#1 RSAPublicKey
        return RsaPublicKey.from_der(der, backend=backend)
    oid, _, _ = fmt.decode_spki(der)
    if oid == fmt.OID_EC_PUBLIC_KEY:
        return EcdsaP256PublicKey.from_der(der, backend=backend)
    if oid == fmt.OID_RSA:
        return RsaPublicKey.from_der(der, backend=backend)
    okp = _okp_kind(oid)
    if okp is None:
        raise ValidationError("unsupported key algorithm", field="algorithm", actual=oid)
    okp_public: PublicKey = _okp(okp, False).from_der(der)
    return okp_public
