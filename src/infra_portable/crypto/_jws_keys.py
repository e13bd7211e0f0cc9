"""JWS keys: the algorithm table, and keys checked and bound for one algorithm.

``prepare_signing_key``/``prepare_verifying_key`` turn what a caller holds (an
HMAC secret as bytes or str, a JWK dict, PEM/DER bytes, a key object of
``_pkey``/``_eddsa``) into a ``PreparedKey`` with ``sign``/``verify`` bound, once,
so the per-token path does no type checks. This is where algorithm confusion
is stopped: every algorithm accepts only keys of its own family, and an "HMAC
secret" that is really public key material (PEM, SSH, DER SubjectPublicKeyInfo,
JWK text) is refused.
"""

from __future__ import annotations

import hmac
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from infra_portable.errors import AuthError, AuthErrorKind, InfraError, ValidationError

__all__ = [
    "ALGORITHMS",
    "JwsAlgorithm",
    "PreparedKey",
    "key_family",
    "load_key",
    "looks_like_key_material",
    "prepare_signing_key",
    "prepare_verifying_key",
]

INVALID = AuthErrorKind.INVALID_TOKEN
MIN_RSA_BITS = 2048  # RFC 7518 §3.3 and §3.5


@dataclass(frozen=True, slots=True)
class JwsAlgorithm:
    """One ``alg`` value: the key family it needs and its hash."""

    name: str
    family: str  # the JWK "kty" its keys have: "oct", "RSA", "EC" or "OKP"
    hash_name: str  # hashlib name ("sha256"); EdDSA hashes internally
    signature_size: int | None  # fixed size in bytes; None when the key decides (RSA)


ALGORITHMS: Mapping[str, JwsAlgorithm] = {
    a.name: a
    for a in (
        JwsAlgorithm("HS256", "oct", "sha256", 32),
        JwsAlgorithm("HS384", "oct", "sha384", 48),
        JwsAlgorithm("HS512", "oct", "sha512", 64),
        JwsAlgorithm("RS256", "RSA", "sha256", None),
        JwsAlgorithm("PS256", "RSA", "sha256", None),
        JwsAlgorithm("ES256", "EC", "sha256", 64),
        JwsAlgorithm("EdDSA", "OKP", "sha512", 64),
    )
}


# -- prepared keys ------------------------------------------------------------------


class PreparedKey:
    """A key checked for one algorithm, with its sign and verify operations bound."""

    __slots__ = ("algorithm", "sign", "signature_size", "verify")

    def __init__(
        self,
        algorithm: JwsAlgorithm,
        signature_size: int,
        sign: Callable[[bytes], bytes] | None,
        verify: Callable[[bytes, bytes], bool],
    ) -> None:
        self.algorithm = algorithm
        self.signature_size = signature_size
        self.sign = sign
        self.verify = verify


def _hmac_key(secret: bytes, alg: JwsAlgorithm) -> PreparedKey:
    hash_name = alg.hash_name
    size = alg.signature_size or 0
    if len(secret) < size:
        raise ValidationError(
            f"an {alg.name} secret must be at least {size} bytes (RFC 7518 §3.2)",
            field="key",
            expected=f">= {size} bytes",
            actual=f"{len(secret)} bytes",
        )

    def sign(data: bytes) -> bytes:
        return hmac.digest(secret, data, hash_name)

    def verify(signature: bytes, data: bytes) -> bool:
        return hmac.compare_digest(hmac.digest(secret, data, hash_name), signature)

    return PreparedKey(alg, size, sign, verify)


# DER SubjectPublicKeyInfo algorithm identifiers: rsaEncryption, id-ecPublicKey, Ed25519.
_PUBLIC_KEY_OIDS = (
    b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01",
    b"\x06\x07\x2a\x86\x48\xce\x3d\x02\x01",
    b"\x06\x03\x2b\x65\x70",
)
_PUBLIC_KEY_PREFIXES = (b"-----BEGIN", b"ssh-", b"ecdsa-sha2-", b"{")


def looks_like_key_material(secret: bytes) -> bool:
    """Whether an "HMAC secret" is really key material (the algorithm-confusion attack)."""
    head = secret.lstrip()[:64]
    if head.startswith(_PUBLIC_KEY_PREFIXES):
        return True
    return head[:1] == b"\x30" and any(oid in head[:32] for oid in _PUBLIC_KEY_OIDS)


def _hmac_secret(key: Any, alg: JwsAlgorithm, *, verifying: bool) -> bytes:
    if isinstance(key, Mapping):
        if key.get("kty") != "oct":
            raise _confusion(alg, f"a JWK of kty {key.get('kty')!r}", verifying)
        from infra_portable.crypto._jwk import parse_jwk

        secret = parse_jwk(key)
        assert isinstance(secret, bytes)  # parse_jwk gives bytes for kty "oct"
        return secret
    if isinstance(key, str):
        secret = key.encode("utf-8")
    elif isinstance(key, bytes | bytearray | memoryview):
        secret = bytes(key)
    else:
        raise _confusion(alg, f"a {type(key).__name__}", verifying)
    if looks_like_key_material(secret):
        raise _confusion(alg, "key material (PEM, SSH, DER or JWK text)", verifying)
    return secret


def _confusion(alg: JwsAlgorithm, what: str, verifying: bool) -> InfraError:
    message = f"{alg.name} needs an HMAC secret, not {what}"
    if verifying:
        return AuthError(message, auth_kind=INVALID)
    return ValidationError(message, field="key")


def _classes(module: str, *names: str) -> tuple[type, ...]:
    """The named classes of a primitive module, or () when that module is unavailable."""
    try:
        mod = importlib.import_module(f"infra_portable.crypto.{module}")
    except ImportError:
        return ()
    return tuple(getattr(mod, name) for name in names if hasattr(mod, name))


_FAMILY_CLASSES = {
    "RSA": ("_pkey", "RsaPrivateKey", "RsaPublicKey"),
    "EC": ("_pkey", "EcdsaP256PrivateKey", "EcdsaP256PublicKey"),
    "OKP": ("_eddsa", "Ed25519PrivateKey", "Ed25519PublicKey"),
}


def _key_object(key: Any, *, private: bool) -> Any:
    """Turn a JWK dict or PEM/DER bytes into a key object; key objects pass through."""
    if isinstance(key, Mapping):
        from infra_portable.crypto._jwk import parse_jwk

        return parse_jwk(key)
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, bytes | bytearray | memoryview):
        return key
    try:
        # Imported by name: the key loaders are another part of issue 3.
        keys_module: Any = importlib.import_module("infra_portable.crypto._keys")
    except ImportError:
        raise ValidationError(
            "keys given as PEM or DER need infra_portable.crypto._keys", field="key"
        ) from None
    if private:
        return keys_module.load_private_key(bytes(key))
    try:
        return keys_module.load_public_key(bytes(key))
    except InfraError:
        return keys_module.load_private_key(bytes(key)).public_key()


def key_family(key: Any) -> str | None:
    """The JWK key type (``oct``, ``RSA``, ``EC``, ``OKP``) of a loaded key, if known."""
    if isinstance(key, bytes):
        return "oct"
    for family, (module, *names) in _FAMILY_CLASSES.items():
        classes = _classes(module, *names)
        if classes and isinstance(key, classes):
            return family
    return None


def load_key(key: Any) -> Any:
    """A key in any accepted form as bytes (an HMAC secret) or a key object.

    JWK dicts are parsed, PEM/DER/SSH-looking bytes are loaded as keys (public
    first), other bytes and str are secrets; key objects pass through.
    """
    if isinstance(key, Mapping):
        from infra_portable.crypto._jwk import parse_jwk

        return parse_jwk(key)
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, bytes | bytearray | memoryview):
        return key
    secret = bytes(key)
    if not looks_like_key_material(secret):
        return secret
    return _key_object(secret, private=False)


def _asymmetric(key: Any, alg: JwsAlgorithm, *, verifying: bool) -> PreparedKey:
    module, private_name, public_name = _FAMILY_CLASSES[alg.family]
    private_cls = _classes(module, private_name)
    public_cls = _classes(module, public_name)
    material = key.encode("utf-8") if isinstance(key, str) else key
    if isinstance(material, bytes | bytearray | memoryview) and not looks_like_key_material(
        bytes(material)
    ):
        message = f"{alg.name} needs a {alg.family} key, not an HMAC secret"
        if verifying:
            raise AuthError(message, auth_kind=INVALID)
        raise ValidationError(message, field="key")
    key = _key_object(key, private=not verifying)
    is_private = bool(private_cls) and isinstance(key, private_cls)
    is_public = bool(public_cls) and isinstance(key, public_cls)
    if not (is_private or (verifying and is_public)):
        wanted = f"a {alg.family} {'public or private' if verifying else 'private'} key"
        message = f"{alg.name} needs {wanted}, not a {type(key).__name__}"
        if verifying:
            raise AuthError(message, auth_kind=INVALID)
        raise ValidationError(message, field="key")
    public = key.public_key() if is_private else key
    size = alg.signature_size
    if size is None:  # RSA: the modulus decides
        bits = int(public.key_size)
        if bits < MIN_RSA_BITS:
            raise ValidationError(
                f"{alg.name} keys must have at least {MIN_RSA_BITS} bits (RFC 7518 §3.3)",
                field="key",
                actual=f"{bits} bits",
            )
        size = (bits + 7) // 8
    sign, verify = _OPERATIONS[alg.name](key if is_private else None, public)
    return PreparedKey(alg, size, sign, verify)


def _accepted(result: object) -> bool:
    # Primitives raise CryptoError on a bad signature; tolerate a bool result too.
    return result is None or result is True


def _rs256(private: Any, public: Any) -> tuple[Any, Callable[[bytes, bytes], bool]]:
    sign = private.sign_pkcs1v15 if private is not None else None
    return sign, lambda sig, data: _accepted(public.verify_pkcs1v15(sig, data))


def _ps256(private: Any, public: Any) -> tuple[Any, Callable[[bytes, bytes], bool]]:
    # RFC 7518 §3.5: the salt is as long as the hash output (32 bytes for SHA-256).
    sign = (lambda data: private.sign_pss(data, salt_length=32)) if private is not None else None
    return sign, lambda sig, data: _accepted(public.verify_pss(sig, data, salt_length=32))


def _es256(private: Any, public: Any) -> tuple[Any, Callable[[bytes, bytes], bool]]:
    sign = (lambda data: private.sign(data, encoding="raw")) if private is not None else None
    return sign, lambda sig, data: _accepted(public.verify(sig, data, encoding="raw"))


def _eddsa(private: Any, public: Any) -> tuple[Any, Callable[[bytes, bytes], bool]]:
    sign = private.sign if private is not None else None
    return sign, lambda sig, data: _accepted(public.verify(sig, data))


_OPERATIONS = {"RS256": _rs256, "PS256": _ps256, "ES256": _es256, "EdDSA": _eddsa}


def _algorithm(alg: str) -> JwsAlgorithm:
    spec = ALGORITHMS.get(alg) if isinstance(alg, str) else None
    if spec is None:
        raise ValidationError(
            f"unsupported JWS algorithm {alg!r}",
            field="algorithm",
            expected=", ".join(ALGORITHMS),
            actual=repr(alg),
        )
    return spec


def prepare_signing_key(key: Any, alg: str | JwsAlgorithm) -> PreparedKey:
    """Check ``key`` can sign ``alg`` tokens; problems are ValidationError."""
    spec = alg if isinstance(alg, JwsAlgorithm) else _algorithm(alg)
    if spec.family == "oct":
        return _hmac_key(_hmac_secret(key, spec, verifying=False), spec)
    return _asymmetric(key, spec, verifying=False)


def prepare_verifying_key(key: Any, alg: str | JwsAlgorithm) -> PreparedKey:
    """Check ``key`` can verify ``alg`` tokens.

    A key of the wrong family is AuthError(INVALID_TOKEN), since the token's
    header chose the algorithm; a weak key is the caller's ValidationError.
    """
    spec = alg if isinstance(alg, JwsAlgorithm) else _algorithm(alg)
    if spec.family == "oct":
        return _hmac_key(_hmac_secret(key, spec, verifying=True), spec)
    return _asymmetric(key, spec, verifying=True)
