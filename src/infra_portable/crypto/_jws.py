"""Compact JWS (RFC 7515): signing, verification, strict base64url and JSON.

Algorithms (the table and key handling are in ``_jws_keys``): HS256/384/512
(stdlib ``hmac``), RS256 and PS256 (``_pkey``'s RSA keys), ES256 (``_pkey``'s
P-256 keys, raw ``r || s`` signatures) and EdDSA (Ed25519 from ``_eddsa``). The
primitive modules are imported on first use, so HMAC works wherever the
standard library does.

What verification refuses, always with ``AuthError(INVALID_TOKEN)``: ``alg: none``
in any case, algorithms outside the caller's allow-list or outside the table,
a key of the wrong family for the header's ``alg`` (algorithm confusion: an
RSA/EC/OKP key, or a secret that is really a PEM/SSH/DER/JWK public key, offered
as an HMAC secret), ``crit`` headers (we understand no extension), unencoded
payloads (``b64: false``, RFC 7797), anything but three dot-separated
base64url parts, non-canonical base64url, headers that are not JSON objects,
and signatures of the wrong length. Header parameters that name keys (``jwk``,
``jku``, ``x5u``, ``x5c``) are never trusted: the caller supplies the keys.

Key problems that are the caller's own (an HMAC secret shorter than the hash,
RFC 7518 §3.2; an RSA key under 2048 bits; a key of the wrong type for signing)
are ``ValidationError``.
"""

from __future__ import annotations

import binascii
import json
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from infra_portable.crypto._jws_keys import (
    ALGORITHMS,
    INVALID,
    JwsAlgorithm,
    PreparedKey,
    key_family,
    load_key,
    looks_like_key_material,
    prepare_signing_key,
    prepare_verifying_key,
)
from infra_portable.errors import (
    AuthError,
    InfraError,
    SerializationError,
    ValidationError,
)

__all__ = [
    "ALGORITHMS",
    "JwsAlgorithm",
    "ParsedJws",
    "PreparedKey",
    "b64url_decode",
    "b64url_encode",
    "check_header",
    "encode_header",
    "jws_sign",
    "json_dumpb",
    "json_loads",
    "jws_verify",
    "key_family",
    "load_key",
    "looks_like_key_material",
    "parse_compact",
    "prepare_signing_key",
    "prepare_verifying_key",
    "verify_signature",
]

# -- base64url (RFC 7515 §2: no padding) -----------------------------------------

_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")


def b64url_encode(data: bytes) -> bytes:
    """Unpadded base64url of ``data``."""
    # binascii directly: the base64 module's wrappers cost more than the encoding.
    return binascii.b2a_base64(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=")


def b64url_decode(data: bytes | str) -> bytes:
    """Decode unpadded base64url strictly; anything non-canonical is ValidationError.

    Refused: padding, characters outside ``A-Z a-z 0-9 - _``, a length that is
    1 mod 4, and set trailing bits (which would let two strings decode alike).
    """
    if isinstance(data, str):
        try:
            data = data.encode("ascii")
        except UnicodeEncodeError:
            raise ValidationError("base64url text must be ASCII", field="base64url") from None
    pad = -len(data) % 4
    if pad == 3:
        raise ValidationError("base64url length cannot be 1 mod 4", field="base64url")
    try:
        raw = binascii.a2b_base64(data.translate(_TO_STANDARD) + b"=" * pad, strict_mode=True)
    except binascii.Error:
        raise ValidationError("not valid base64url", field="base64url") from None
    # Re-encoding catches what strict mode lets through: '+' or '/' in the input
    # and non-zero trailing bits.
    if b64url_encode(raw) != data:
        raise ValidationError("not canonical unpadded base64url", field="base64url")
    return raw


# -- JSON ----------------------------------------------------------------------------
# The layer contract keeps crypto from importing infra_portable.json, so JOSE
# objects use the stdlib with the same canonical output (compact, UTF-8, no NaN)
# and the same strict input (UTF-8 only, no NaN/Infinity, no overflowing numbers).


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"number {text[:40]} is out of range")
    return number


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def json_loads(data: bytes | str) -> Any:
    """Parse strict JSON (UTF-8 bytes or text); failures are ValidationError."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
        return _DECODER.decode(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise ValidationError(f"not valid JSON: {exc}", field="json") from None


def json_dumpb(value: Any) -> bytes:
    """Compact UTF-8 JSON; values JSON cannot hold are SerializationError."""
    try:
        return _ENCODER.encode(value).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:
        raise SerializationError(f"cannot encode as JSON: {exc}") from None


# -- compact serialization ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedJws:
    """A compact JWS split and decoded, not yet verified. Treat ``header`` as read-only."""

    header: Mapping[str, Any]
    signing_input: bytes
    payload_b64: bytes
    signature: bytes


def _invalid(message: str) -> AuthError:
    return AuthError(message, auth_kind=INVALID)


# Tokens from one issuer share a handful of headers: parse each once.
_HEADER_CACHE: dict[bytes, Mapping[str, Any]] = {}
_HEADER_CACHE_SIZE = 256


def _decode_header(segment: bytes) -> Mapping[str, Any]:
    cached = _HEADER_CACHE.get(segment)
    if cached is not None:
        return cached
    try:
        header = json_loads(b64url_decode(segment))
    except InfraError as exc:
        raise _invalid(f"the JWS header is not base64url JSON: {exc.message}") from exc
    if not isinstance(header, dict):
        raise _invalid("the JWS header must be a JSON object")
    if len(_HEADER_CACHE) >= _HEADER_CACHE_SIZE:
        _HEADER_CACHE.clear()
    _HEADER_CACHE[segment] = header
    return header


def parse_compact(token: str | bytes) -> ParsedJws:
    """Split ``header.payload.signature`` and decode the header and signature."""
    if isinstance(token, str):
        try:
            raw = token.encode("ascii")
        except UnicodeEncodeError:
            raise _invalid("a compact JWS is ASCII only") from None
    elif isinstance(token, bytes | bytearray):
        raw = bytes(token)
    else:
        raise _invalid(f"a token must be a string, not {type(token).__name__}")
    if raw.count(b".") != 2:
        raise _invalid("a compact JWS has exactly three dot-separated parts")
    header_b64, payload_b64, signature_b64 = raw.split(b".")
    if not header_b64:
        raise _invalid("the JWS header is empty")
    header = _decode_header(header_b64)
    if not signature_b64:
        alg = header.get("alg")
        if isinstance(alg, str) and alg.lower() == "none":
            raise _invalid("unsecured tokens (alg 'none') are not accepted")
        raise _invalid("the JWS signature is empty")
    try:
        signature = b64url_decode(signature_b64)
    except ValidationError as exc:
        raise _invalid(f"the JWS signature is not base64url: {exc.message}") from exc
    signing_input = raw[: len(header_b64) + 1 + len(payload_b64)]
    return ParsedJws(header, signing_input, payload_b64, signature)


def check_header(header: Mapping[str, Any], allowed: Collection[str]) -> JwsAlgorithm:
    """The header's algorithm, if the header is acceptable under ``allowed``."""
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise _invalid("the JWS header's 'alg' must be a string")
    if alg.lower() == "none":
        raise _invalid("unsecured tokens (alg 'none') are not accepted")
    spec = ALGORITHMS.get(alg)
    if spec is None:
        raise _invalid(f"unsupported JWS algorithm {alg!r}")
    if alg not in allowed:
        raise _invalid(f"algorithm {alg!r} is not allowed here (allowed: {', '.join(allowed)})")
    if "crit" in header:
        crit = header["crit"]
        if not isinstance(crit, list) or not crit or not all(isinstance(c, str) for c in crit):
            raise _invalid("the JWS header's 'crit' must be a non-empty list of names")
        raise _invalid(f"unsupported critical header parameter(s): {', '.join(crit)}")
    if "b64" in header and header["b64"] is not True:
        raise _invalid("unencoded payloads ('b64': false, RFC 7797) are not supported")
    return spec


def verify_signature(parsed: ParsedJws, key: PreparedKey) -> None:
    """Raise AuthError(INVALID_TOKEN) unless the signature is valid under ``key``."""
    signature = parsed.signature
    if len(signature) != key.signature_size:
        raise _invalid(
            f"the {key.algorithm.name} signature must be {key.signature_size} bytes,"
            f" not {len(signature)}"
        )
    try:
        valid = key.verify(signature, parsed.signing_input)
    except (InfraError, ValueError) as exc:
        raise _invalid("the token's signature is not valid") from exc
    if not valid:
        raise _invalid("the token's signature is not valid")


def encode_header(alg: str, headers: Mapping[str, Any] | bytes | None) -> bytes:
    """The base64url protected header for ``alg``: from a mapping, or exact JSON bytes."""
    if isinstance(headers, bytes | bytearray):
        try:
            parsed = json_loads(bytes(headers))
        except InfraError as exc:
            raise ValidationError("the header bytes are not JSON", field="headers") from exc
        if not isinstance(parsed, dict) or parsed.get("alg") != alg:
            raise ValidationError(
                f"the header bytes must be a JSON object with alg {alg!r}", field="headers"
            )
        return b64url_encode(bytes(headers))
    header: dict[str, Any] = {"alg": alg}
    for name, value in (headers or {}).items():
        if name == "alg" and value != alg:
            raise ValidationError(
                "the headers' 'alg' differs from the algorithm", field="headers", actual=value
            )
        if name in ("crit", "b64"):
            raise ValidationError(f"header {name!r} is not supported", field="headers")
        header[name] = value
    return b64url_encode(json_dumpb(header))


def jws_sign(
    payload: bytes,
    key: Any,
    alg: str,
    headers: Mapping[str, Any] | bytes | None = None,
) -> str:
    """Sign ``payload`` into a compact JWS.

    ``headers`` are extra protected header parameters (``alg`` is set for you),
    or the exact header JSON as bytes (to reproduce a token byte for byte).
    """
    prepared = prepare_signing_key(key, alg)
    assert prepared.sign is not None  # a signing key always has sign bound
    signing_input = encode_header(alg, headers) + b"." + b64url_encode(bytes(payload))
    signature = b64url_encode(prepared.sign(signing_input))
    return (signing_input + b"." + signature).decode("ascii")


def jws_verify(
    token: str | bytes, key: Any, algorithms: Collection[str]
) -> tuple[dict[str, Any], bytes]:
    """Verify a compact JWS with ``key``; return its header and payload bytes.

    ``algorithms`` is the allow-list: name exactly the algorithms you expect.
    """
    if isinstance(algorithms, str) or not algorithms:
        # A string would make the allow-list check a substring test.
        raise ValidationError("algorithms must be a non-empty list of names", field="algorithms")
    parsed = parse_compact(token)
    spec = check_header(parsed.header, algorithms)
    verify_signature(parsed, prepare_verifying_key(key, spec))
    try:
        payload = b64url_decode(parsed.payload_b64)
    except ValidationError as exc:
        raise _invalid(f"the JWS payload is not base64url: {exc.message}") from exc
    return dict(parsed.header), payload
