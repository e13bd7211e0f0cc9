"""JSON Web Tokens (RFC 7519): ``JwtSigner`` and ``JwtVerifier``.

The seed's ``JwtSigner::sign_claims(claims, expiry)`` is ``JwtSigner.sign(claims,
expires_in=...)``: it adds ``iat`` (and ``exp`` when asked). ``verify_claims`` is
``JwtVerifier.verify``, which checks the signature with an allow-list of
algorithms, then the registered claims:

* ``exp`` in the past (beyond ``leeway``): ``AuthError(TOKEN_EXPIRED)``;
* ``nbf`` or ``iat`` in the future, ``iss``/``aud`` mismatches, a claim of the
  wrong type, a missing required claim: ``AuthError(INVALID_TOKEN)``.

A token that names an audience is refused unless the verifier was told which
audiences it serves (RFC 7519 §4.1.3: a recipient that does not identify
itself with the audience must reject the token).

Both classes do their expensive work once: the signer encodes its header and
checks its key at construction, the verifier prepares its keys per algorithm,
so HS256 costs two one-shot ``hmac.digest`` calls and the JSON work.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from infra_portable.crypto._jwk import Jwk, JwkSet
from infra_portable.crypto._jws import (
    ALGORITHMS,
    JwsAlgorithm,
    ParsedJws,
    PreparedKey,
    b64url_decode,
    b64url_encode,
    check_header,
    encode_header,
    json_dumpb,
    json_loads,
    key_family,
    load_key,
    parse_compact,
    prepare_signing_key,
    prepare_verifying_key,
    verify_signature,
)
from infra_portable.errors import AuthError, AuthErrorKind, InfraError, ValidationError

__all__ = ["Claims", "JwtSigner", "JwtVerifier"]

REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_INVALID = AuthErrorKind.INVALID_TOKEN
_NUMBER_TYPES = (int, float)


def _invalid(message: str) -> AuthError:
    return AuthError(message, auth_kind=_INVALID)


@dataclass(frozen=True, slots=True)
class Claims:
    """A verified claims set: the registered claims typed, the others in ``extra``.

    ``aud`` is always a tuple (a single-string audience becomes one element).
    """

    sub: str | None = None
    iss: str | None = None
    aud: tuple[str, ...] = ()
    exp: float | None = None
    nbf: float | None = None
    iat: float | None = None
    jti: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def get(self, name: str, default: Any = None) -> Any:
        """Any claim by name, as the token had it."""
        return self.raw.get(name, default)

    def to_dict(self) -> dict[str, Any]:
        """All claims as the token had them."""
        return dict(self.raw)


# -- signing ---------------------------------------------------------------------------


def _finite(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, _NUMBER_TYPES) or not math.isfinite(value):
        raise ValidationError(f"{name} must be a finite number", field=name, actual=repr(value))
    return value


class JwtSigner:
    """Signs claims into compact JWTs with one key and algorithm.

    ``key``: an HMAC secret (bytes or str) for HS*, otherwise a private key object,
    PEM/DER bytes or a private JWK dict. ``kid`` and ``headers`` go into every
    token's protected header (which always has ``alg`` and ``typ: JWT``).
    """

    __slots__ = ("_clock", "_key", "_prefix", "algorithm", "kid")

    def __init__(
        self,
        key: Any,
        algorithm: str,
        *,
        kid: str | None = None,
        headers: Mapping[str, Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = prepare_signing_key(key, algorithm)
        self.algorithm = algorithm
        self.kid = kid
        self._clock = clock
        header: dict[str, Any] = {"typ": "JWT"}
        if kid is not None:
            header["kid"] = kid
        header.update(headers or {})
        # The header never changes: encode it once.
        self._prefix = encode_header(algorithm, header) + b"."

    def sign(
        self,
        claims: Mapping[str, Any] | None = None,
        *,
        expires_in: float | None = None,
        not_before: float | None = None,
        issuer: str | None = None,
        audience: str | Sequence[str] | None = None,
        subject: str | None = None,
        jwt_id: str | None = None,
    ) -> str:
        """A signed token for ``claims`` plus ``iat`` and the given registered claims.

        ``expires_in`` (seconds from now) sets ``exp``; ``not_before`` is a POSIX
        time for ``nbf``. Keyword arguments override the same claims in ``claims``;
        ``iat`` is now unless ``claims`` has one.
        """
        body: dict[str, Any] = dict(claims) if claims else {}
        for name in body:
            if not isinstance(name, str):
                raise ValidationError("claim names must be strings", field="claims")
        now = self._clock()
        if "iat" not in body:
            body["iat"] = int(now)
        if expires_in is not None:
            body["exp"] = int(now + _finite(expires_in, "expires_in"))
        if not_before is not None:
            body["nbf"] = _finite(not_before, "not_before")
        if issuer is not None:
            body["iss"] = issuer
        if subject is not None:
            body["sub"] = subject
        if jwt_id is not None:
            body["jti"] = jwt_id
        if audience is not None:
            body["aud"] = audience if isinstance(audience, str) else list(audience)
        signing_input = self._prefix + b64url_encode(json_dumpb(body))
        sign = self._key.sign
        assert sign is not None  # prepared for signing
        return (signing_input + b"." + b64url_encode(sign(signing_input))).decode("ascii")


# -- verification ------------------------------------------------------------------------


def _names(value: str | Collection[str] | None, name: str) -> frozenset[str] | None:
    if value is None:
        return None
    try:
        names = frozenset((value,)) if isinstance(value, str) else frozenset(value)
    except TypeError:  # not iterable, or unhashable items
        names = frozenset()
    if not names or not all(isinstance(n, str) for n in names):
        raise ValidationError(
            f"{name} must be a string or strings", field=name, actual=repr(value)[:200]
        )
    return names


def _claim_names(value: str | Collection[str]) -> tuple[str, ...]:
    """Required claim names in the caller's order (a lone string is one name)."""
    try:
        names = (value,) if isinstance(value, str) else tuple(value)
    except TypeError:
        names = (None,)  # type: ignore[assignment]
    if not all(isinstance(n, str) for n in names):
        raise ValidationError(
            "required_claims must be claim names",
            field="required_claims",
            actual=repr(value)[:200],
        )
    return names


def _number(claims: Mapping[str, Any], name: str) -> float | None:
    if name not in claims:
        return None
    value = claims[name]
    if type(value) not in _NUMBER_TYPES:
        raise _invalid(f"claim {name!r} must be a number (seconds since the epoch)")
    number: float = value
    return number


def _string(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is not None and not isinstance(value, str):
        raise _invalid(f"claim {name!r} must be a string")
    if value is None and name in claims:
        raise _invalid(f"claim {name!r} must be a string, not null")
    return value


def _audiences(claims: Mapping[str, Any]) -> tuple[str, ...]:
    if "aud" not in claims:
        return ()
    aud = claims["aud"]
    if isinstance(aud, str):
        return (aud,)
    if isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud):
        return tuple(aud)
    raise _invalid("claim 'aud' must be a string or a non-empty list of strings")


KeySource = Any  # bytes | str | key object | JWK dict | JWKS dict | JwkSet | (header) -> key


class JwtVerifier:
    """Verifies compact JWTs: signature, algorithm allow-list, registered claims.

    ``keys`` is one key (HMAC secret, key object, PEM/DER, JWK dict), a JWK Set
    (dict with ``keys`` or :class:`JwkSet`, chosen by the header's ``kid``), or a
    callable given the header that returns a key.
    """

    __slots__ = (
        "_algorithms",
        "_audience",
        "_by_alg",
        "_clock",
        "_issuer",
        "_jwks",
        "_jwks_prepared",
        "_leeway",
        "_required",
        "_resolver",
    )

    def __init__(
        self,
        keys: KeySource,
        *,
        algorithms: Sequence[str],
        issuer: str | Collection[str] | None = None,
        audience: str | Collection[str] | None = None,
        leeway: float = 0.0,
        required_claims: Collection[str] = ("exp",),
        clock: Callable[[], float] = time.time,
    ) -> None:
        if isinstance(algorithms, str) or not isinstance(algorithms, Iterable) or not algorithms:
            raise ValidationError(
                "algorithms must be a non-empty list", field="algorithms", actual=repr(algorithms)
            )
        for alg in algorithms:
            if alg not in ALGORITHMS:
                raise ValidationError(
                    f"unsupported JWS algorithm {alg!r}",
                    field="algorithms",
                    expected=", ".join(ALGORITHMS),
                    actual=repr(alg),
                )
        self._algorithms = tuple(algorithms)
        self._issuer = _names(issuer, "issuer")
        self._audience = _names(audience, "audience")
        if _finite(leeway, "leeway") < 0:
            raise ValidationError("leeway cannot be negative", field="leeway")
        self._leeway = float(leeway)
        self._required = _claim_names(required_claims)
        self._clock = clock
        self._by_alg: dict[str, PreparedKey] | None = None
        self._jwks: JwkSet | None = None
        self._jwks_prepared: dict[tuple[int, str], PreparedKey] = {}
        self._resolver: Callable[[dict[str, Any]], Any] | None = None
        if isinstance(keys, JwkSet):
            self._jwks = keys
        elif isinstance(keys, Mapping) and "keys" in keys and "kty" not in keys:
            self._jwks = JwkSet.from_dict(keys)
        elif callable(keys) and not isinstance(keys, type):
            self._resolver = keys
        else:
            self._by_alg = self._prepare_single(keys)

    def _prepare_single(self, key: Any) -> dict[str, PreparedKey]:
        """The key prepared for each allowed algorithm of its family."""
        pinned = key.alg if isinstance(key, Jwk) else None  # a JWK's "alg" member binds it
        loaded = load_key(key.key if isinstance(key, Jwk) else key)
        family = key_family(loaded)
        prepared = {
            alg: prepare_verifying_key(loaded, alg)
            for alg in self._algorithms
            if ALGORITHMS[alg].family == family and pinned in (None, alg)
        }
        if not prepared:
            raise ValidationError(
                f"the key ({family or type(loaded).__name__}) cannot verify any allowed algorithm",
                field="keys",
                actual=", ".join(self._algorithms),
            )
        return prepared

    def verify(self, token: str | bytes) -> Claims:
        """The token's claims, if its signature and claims are valid now."""
        parsed = parse_compact(token)
        spec = check_header(parsed.header, self._algorithms)
        if self._by_alg is not None:
            key = self._by_alg.get(spec.name)
            if key is None:
                raise _invalid(f"the configured key cannot verify {spec.name} tokens")
            verify_signature(parsed, key)
        elif self._jwks is not None:
            self._verify_with_set(parsed, spec, self._jwks)
        else:
            self._verify_with_resolver(parsed, spec)
        return self._check_claims(self._decode_claims(parsed.payload_b64))

    def _verify_with_set(self, parsed: ParsedJws, spec: JwsAlgorithm, jwks: JwkSet) -> None:
        kid = parsed.header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise _invalid("the header's 'kid' must be a string")
        if kid is not None and jwks.get(kid) is None:
            raise _invalid(f"unknown key id {kid!r}: not in the key set")
        candidates = jwks.candidates(spec.name, kid)
        if not candidates:
            which = f"key {kid!r}" if kid is not None else "no key in the key set"
            raise _invalid(f"{which} cannot verify {spec.name} tokens")
        failure: AuthError | None = None
        for jwk in candidates:
            cache_key = (id(jwk), spec.name)
            prepared = self._jwks_prepared.get(cache_key)
            if prepared is None:
                prepared = prepare_verifying_key(jwk.key, spec)
                self._jwks_prepared[cache_key] = prepared
            try:
                verify_signature(parsed, prepared)
            except AuthError as exc:
                failure = exc
                continue
            return
        assert failure is not None
        raise failure

    def _verify_with_resolver(self, parsed: ParsedJws, spec: JwsAlgorithm) -> None:
        assert self._resolver is not None
        try:
            key = self._resolver(dict(parsed.header))
        except InfraError:
            raise
        except Exception as exc:
            raise _invalid(f"the key resolver failed: {type(exc).__name__}: {exc}") from exc
        if isinstance(key, Jwk):
            if not key.fits(spec.name):
                raise _invalid(f"the resolved key cannot verify {spec.name} tokens")
            key = key.key
        if key is None:
            raise _invalid("no key for this token")
        verify_signature(parsed, prepare_verifying_key(key, spec))

    @staticmethod
    def _decode_claims(payload_b64: bytes) -> dict[str, Any]:
        try:
            claims = json_loads(b64url_decode(payload_b64))
        except InfraError as exc:
            raise _invalid(f"the JWT claims are not base64url JSON: {exc.message}") from exc
        if not isinstance(claims, dict):
            raise _invalid("the JWT claims must be a JSON object")
        return claims

    def _check_claims(self, claims: dict[str, Any]) -> Claims:
        for name in self._required:
            if name not in claims:
                raise _invalid(f"the token has no {name!r} claim")
        now = self._clock()
        leeway = self._leeway
        exp = _number(claims, "exp")
        nbf = _number(claims, "nbf")
        iat = _number(claims, "iat")
        if exp is not None and now >= exp + leeway:
            raise AuthError("the token has expired", auth_kind=AuthErrorKind.TOKEN_EXPIRED)
        if nbf is not None and nbf > now + leeway:
            raise _invalid("the token is not valid yet (nbf)")
        if iat is not None and iat > now + leeway:
            raise _invalid("the token was issued in the future (iat)")
        iss = _string(claims, "iss")
        if self._issuer is not None and iss not in self._issuer:
            raise _invalid(f"unexpected issuer {iss!r}")
        aud = _audiences(claims)
        if self._audience is not None:
            if not self._audience.intersection(aud):
                raise _invalid(f"the token is not for this audience (aud {list(aud)!r})")
        elif aud:
            raise _invalid(f"the token is for audience {list(aud)!r}; pass audience= to accept it")
        extra = claims.copy()
        for name in REGISTERED_CLAIMS:
            extra.pop(name, None)
        return Claims(
            sub=_string(claims, "sub"),
            iss=iss,
            aud=aud,
            exp=exp,
            nbf=nbf,
            iat=iat,
            jti=_string(claims, "jti"),
            extra=extra,
            raw=claims,
        )
