"""JSON Web Keys (RFC 7517): single keys, key sets, ``kid`` lookup, thumbprints (RFC 7638).

A JWK becomes the key object of the matching primitive module: ``kty: oct``
becomes the secret's bytes, ``RSA`` an ``_pkey`` RSA key, ``EC`` (P-256 only) an
``_pkey`` ECDSA key, ``OKP`` (Ed25519 only) an ``_eddsa`` key; a JWK with ``d``
is a private key.

A key set is read leniently about what it does not concern us and strictly
about what it does: entries for encryption (``use: enc``), with key types,
curves or algorithms we do not support are skipped (``JwkSet.skipped`` says
which and why), because identity providers publish such keys next to signing
keys. A supported entry that is malformed raises ValidationError: silently
dropping it would turn a typo into "unknown key id" at 3 a.m.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra_portable.crypto._jws import (
    ALGORITHMS,
    b64url_decode,
    b64url_encode,
    json_dumpb,
    json_loads,
)
from infra_portable.errors import CryptoError, InfraError, ValidationError

__all__ = ["Jwk", "JwkSet", "jwk_thumbprint", "parse_jwk"]

# RFC 7638 §3.2: the members a thumbprint covers, per key type (already sorted).
_THUMBPRINT_MEMBERS = {
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
    "oct": ("k", "kty"),
}
_SUPPORTED_CURVES = {"EC": "P-256", "OKP": "Ed25519"}
_PRIMITIVES = {
    "RSA": ("_pkey", "RsaPrivateKey", "RsaPublicKey"),
    "EC": ("_pkey", "EcdsaP256PrivateKey", "EcdsaP256PublicKey"),
    "OKP": ("_eddsa", "Ed25519PrivateKey", "Ed25519PublicKey"),
}
_PRIVATE_MEMBERS = {"RSA": ("d", "p", "q", "dp", "dq", "qi"), "EC": ("d",), "OKP": ("d",)}


def _b64_member(jwk: Mapping[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise ValidationError(
            f"JWK member {name!r} must be a base64url string",
            field=name,
            actual=type(value).__name__,
        )
    try:
        return b64url_decode(value)
    except ValidationError as exc:
        raise ValidationError(f"JWK member {name!r}: {exc.message}", field=name) from exc


def _check_members(jwk: Mapping[str, Any], kty: str) -> None:
    for name in _THUMBPRINT_MEMBERS[kty]:
        if name not in ("kty", "crv"):
            _b64_member(jwk, name)
    if kty in _SUPPORTED_CURVES and jwk.get("crv") != _SUPPORTED_CURVES[kty]:
        raise ValidationError(
            f"unsupported {kty} curve",
            field="crv",
            expected=_SUPPORTED_CURVES[kty],
            actual=repr(jwk.get("crv")),
        )
    for name in _PRIVATE_MEMBERS.get(kty, ()):
        if name in jwk:
            _b64_member(jwk, name)


def parse_jwk(jwk: Mapping[str, Any]) -> Any:
    """The key a JWK describes: bytes for ``oct``, otherwise a primitive key object."""
    if not isinstance(jwk, Mapping):
        raise ValidationError("a JWK must be a JSON object", field="jwk")
    kty = jwk.get("kty")
    if kty == "oct":
        return _b64_member(jwk, "k")
    if kty not in _PRIMITIVES:
        raise ValidationError(
            "unsupported JWK key type",
            field="kty",
            expected="oct, RSA, EC, OKP",
            actual=repr(kty),
        )
    _check_members(jwk, kty)
    module, private_name, public_name = _PRIMITIVES[kty]
    import importlib

    try:
        primitives = importlib.import_module(f"infra_portable.crypto.{module}")
    except ImportError as exc:
        raise CryptoError(f"{kty} keys need infra_portable.crypto.{module}") from exc
    cls = getattr(primitives, private_name if "d" in jwk else public_name)
    try:
        return cls.from_jwk(dict(jwk))
    except ValidationError:
        raise
    except (InfraError, ValueError, TypeError, KeyError) as exc:
        raise ValidationError(f"not a valid {kty} JWK: {exc}", field="jwk") from exc


def jwk_thumbprint(jwk: Mapping[str, Any] | Jwk, *, hash_name: str = "sha256") -> str:
    """The RFC 7638 thumbprint of a JWK (base64url of the hash of its required members)."""
    if isinstance(jwk, Jwk):
        jwk = jwk.params
    kty = jwk.get("kty") if isinstance(jwk, Mapping) else None
    members = _THUMBPRINT_MEMBERS.get(kty) if isinstance(kty, str) else None
    if members is None:
        raise ValidationError(
            "unsupported JWK key type", field="kty", expected="oct, RSA, EC, OKP", actual=repr(kty)
        )
    canonical: dict[str, str] = {}
    for name in members:
        value = jwk.get(name)
        if not isinstance(value, str):
            raise ValidationError(f"JWK member {name!r} must be a string", field=name)
        canonical[name] = value
    try:
        digest = hashlib.new(hash_name, json_dumpb(canonical)).digest()
    except ValueError:
        raise ValidationError("unknown hash", field="hash_name", actual=hash_name) from None
    return b64url_encode(digest).decode("ascii")


@dataclass(frozen=True, slots=True)
class Jwk:
    """One parsed JWK: its key object and the members that select it."""

    key: Any
    kty: str
    kid: str | None = None
    alg: str | None = None
    use: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, jwk: Mapping[str, Any]) -> Jwk:
        """Parse one JWK (ValidationError when malformed or unsupported)."""
        key = parse_jwk(jwk)
        kid = jwk.get("kid")
        alg = jwk.get("alg")
        use = jwk.get("use")
        for name, value in (("kid", kid), ("alg", alg), ("use", use)):
            if value is not None and not isinstance(value, str):
                raise ValidationError(f"JWK member {name!r} must be a string", field=name)
        return cls(key, str(jwk["kty"]), kid, alg, use, dict(jwk))

    def thumbprint(self, hash_name: str = "sha256") -> str:
        """The RFC 7638 thumbprint of this key."""
        return jwk_thumbprint(self.params, hash_name=hash_name)

    def fits(self, alg: str) -> bool:
        """Whether this key may verify or sign ``alg`` tokens (key type and ``alg`` member)."""
        spec = ALGORITHMS.get(alg)
        return spec is not None and spec.family == self.kty and self.alg in (None, alg)


def _skip_reason(entry: Mapping[str, Any]) -> str | None:
    """Why a key set entry is not for us, or None when it should be parsed."""
    kty = entry.get("kty")
    if not isinstance(kty, str):
        raise ValidationError("every JWK needs a string 'kty'", field="kty", actual=repr(kty))
    if kty not in _THUMBPRINT_MEMBERS:
        return f"unsupported key type {kty!r}"
    use = entry.get("use")
    if use is not None and use != "sig":
        return f"use {use!r} is not signing"
    ops = entry.get("key_ops")
    if isinstance(ops, list) and not {"sign", "verify"} & set(ops):
        return "key_ops allow neither sign nor verify"
    alg = entry.get("alg")
    if alg is not None and alg not in ALGORITHMS:
        return f"unsupported algorithm {alg!r}"
    curve = _SUPPORTED_CURVES.get(kty)
    if curve is not None and entry.get("crv") != curve:
        return f"unsupported curve {entry.get('crv')!r}"
    return None


class JwkSet:
    """A JWK Set (``{"keys": [...]}``) of signing keys, looked up by ``kid``."""

    __slots__ = ("keys", "skipped")

    def __init__(self, keys: Iterable[Jwk], skipped: Iterable[str] = ()) -> None:
        self.keys: tuple[Jwk, ...] = tuple(keys)
        self.skipped: tuple[str, ...] = tuple(skipped)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JwkSet:
        """Parse a key set, skipping entries that are not signing keys we support."""
        entries = data.get("keys") if isinstance(data, Mapping) else None
        if not isinstance(entries, list):
            raise ValidationError("a JWK Set is an object with a 'keys' list", field="keys")
        keys: list[Jwk] = []
        skipped: list[str] = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                raise ValidationError(f"key {index} is not a JSON object", field="keys")
            reason = _skip_reason(entry)
            if reason is not None:
                skipped.append(f"key {index} (kid {entry.get('kid')!r}): {reason}")
                continue
            try:
                keys.append(Jwk.from_dict(entry))
            except ValidationError as exc:
                exc.add_context(f"reading key {index} of a JWK Set")
                raise
        return cls(keys, skipped)

    @classmethod
    def from_json(cls, text: str | bytes) -> JwkSet:
        """Parse a key set from its JSON text."""
        return cls.from_dict(json_loads(text))

    def get(self, kid: str) -> Jwk | None:
        """The first key with this ``kid``, if any."""
        return next((k for k in self.keys if k.kid == kid), None)

    def candidates(self, alg: str, kid: str | None = None) -> list[Jwk]:
        """Keys that may verify ``alg`` tokens, restricted to ``kid`` when given."""
        return [k for k in self.keys if (kid is None or k.kid == kid) and k.fits(alg)]

    def kids(self) -> list[str]:
        """The key ids in the set, in order."""
        return [k.kid for k in self.keys if k.kid is not None]

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self) -> Iterator[Jwk]:
        return iter(self.keys)

    def __repr__(self) -> str:
        return f"JwkSet(kids={self.kids()!r}, skipped={len(self.skipped)})"
