"""JwtAuthenticator: bearer JWTs verified by ``infra_portable.crypto``'s ``JwtVerifier``.

All the cryptography and claim rules are crypto's (HS256/384/512, RS256,
PS256, ES256, EdDSA; ``alg: none`` and algorithms outside ``algorithms``
refused; a key only verifies its own family's algorithms, so an RSA public key
can never be used as an HMAC secret; ``exp``/``nbf``/``iat`` with ``leeway``,
``iss``, ``aud``). This class adds where keys come from (a static key or key
set, or a :class:`~._jwks.JwksProvider` consulted with the token's ``kid``) and
how the verified claims become an :class:`Identity`:

* ``subject``: the ``sub`` claim (``subject_claim``), required;
* ``roles``: ``roles_claim`` (a dotted path such as ``realm_access.roles``),
  a list of strings or a space-separated string;
* ``scopes``: the first of ``scope_claims`` present (``scope`` is
  space-separated per RFC 8693/9068; ``scp`` is often a list);
* ``attributes``: all the claims; ``issuer`` and ``expires_at`` from
  ``iss``/``exp``.

Failures: ``AuthError`` with INVALID_TOKEN (bad signature, structure, claims,
unknown ``kid``), TOKEN_EXPIRED, or INVALID_CREDENTIALS (not a bearer
token). A JWKS that cannot be fetched is the provider's ``HttpError`` or
``ExternalError`` (a server-side problem, not the caller's).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from infra_portable.auth._base import AuthMethod, Identity
from infra_portable.auth._checks import check_strings
from infra_portable.auth._credentials import CredentialKind, Credentials
from infra_portable.auth._jwks import JwksProvider
from infra_portable.crypto import Claims, JwkSet, JwtVerifier, b64url_decode
from infra_portable.errors import AuthError, AuthErrorKind, InfraError, ValidationError
from infra_portable.json import loads

__all__ = ["JwtAuthenticator", "looks_like_jwt"]

_INVALID = AuthErrorKind.INVALID_TOKEN


def looks_like_jwt(token: str) -> bool:
    """Whether ``token`` has the compact JWS shape (three dot-separated parts)."""
    return isinstance(token, str) and token.count(".") == 2


def _invalid(message: str) -> AuthError:
    return AuthError(message, auth_kind=_INVALID)


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    node: Any = claims
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _string_set(value: Any, claim: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return frozenset(value)
    raise _invalid(f"claim {claim!r} must be a list of strings or a space-separated string")


def _peek_kid(token: object) -> str | None:
    """The ``kid`` of a token's header, before verification (to pick the key set)."""
    if not isinstance(token, str | bytes):
        raise _invalid(f"a token must be a string, not {type(token).__name__}")
    text = token.decode("ascii", "replace") if isinstance(token, bytes) else token
    if text.count(".") != 2:
        raise _invalid("a JWT has exactly three dot-separated parts")
    try:
        header = loads(b64url_decode(text.split(".", 1)[0]))
    except InfraError as exc:
        raise _invalid(f"the JWT header is not base64url JSON: {exc.message}") from exc
    if not isinstance(header, dict):
        raise _invalid("the JWT header must be a JSON object")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise _invalid("the header's 'kid' must be a string")
    return kid


class JwtAuthenticator:
    """Authenticates bearer JWTs (see the module docstring).

    ``keys``: an HMAC secret, a public key (object, PEM/DER, JWK dict), a JWK
    Set (dict or :class:`~infra_portable.crypto.JwkSet`), or a
    :class:`JwksProvider`. ``algorithms`` is the allow-list: name exactly what
    your issuer uses. ``identity_factory`` replaces the claims-to-identity
    mapping entirely.
    """

    method = AuthMethod.JWT

    def __init__(
        self,
        keys: Any,
        *,
        algorithms: Sequence[str],
        issuer: str | Collection[str] | None = None,
        audience: str | Collection[str] | None = None,
        leeway: float = 0.0,
        required_claims: Collection[str] = ("exp",),
        clock: Callable[[], float] = time.time,
        subject_claim: str = "sub",
        roles_claim: str | None = "roles",
        scope_claims: Sequence[str] = ("scope", "scp"),
        identity_factory: Callable[[Claims], Identity] | None = None,
    ) -> None:
        # crypto's JwtVerifier checks the values; the shapes are checked here so that
        # an int or None is a ValidationError, not a TypeError from iterating it.
        if not callable(clock):
            raise ValidationError("clock must be callable", field="clock", actual=repr(clock))
        self._options: dict[str, Any] = {
            "algorithms": check_strings("algorithms", algorithms, single=False, empty=False),
            "issuer": None if issuer is None else check_strings("issuer", issuer),
            "audience": None if audience is None else check_strings("audience", audience),
            "leeway": leeway,
            "required_claims": check_strings("required_claims", required_claims),
            "clock": clock,
        }
        self._provider: JwksProvider | None = None
        self._static: JwtVerifier | None = None
        # The provider's current set and the verifier prepared for it.
        self._current: tuple[JwkSet, JwtVerifier] | None = None
        if isinstance(keys, JwksProvider):
            self._provider = keys
            JwtVerifier(JwkSet(()), **self._options)  # check the options now, not per token
        else:
            self._static = JwtVerifier(keys, **self._options)
        if not isinstance(subject_claim, str) or not subject_claim:
            raise ValidationError(
                "subject_claim must be a claim name",
                field="subject_claim",
                actual=repr(subject_claim),
            )
        if roles_claim is not None and not isinstance(roles_claim, str):
            raise ValidationError(
                "roles_claim must be a claim name, or None for no roles",
                field="roles_claim",
                actual=repr(roles_claim),
            )
        if identity_factory is not None and not callable(identity_factory):
            raise ValidationError(
                "identity_factory must be callable or None",
                field="identity_factory",
                actual=repr(identity_factory),
            )
        self.subject_claim = subject_claim
        self.roles_claim = roles_claim
        self.scope_claims = check_strings("scope_claims", scope_claims)
        self.identity_factory = identity_factory

    # -- the Authenticator protocol ------------------------------------------------------
    def accepts(self, credentials: Credentials) -> bool:
        """Whether these credentials are for this authenticator (a bearer token shaped like a JWT)."""
        return credentials.kind is CredentialKind.BEARER and looks_like_jwt(credentials.secret)

    async def authenticate(self, credentials: Credentials) -> Identity:
        return await self.verify_async(self._token(credentials))

    def authenticate_sync(self, credentials: Credentials) -> Identity:
        return self.verify(self._token(credentials))

    @staticmethod
    def _token(credentials: Credentials) -> str:
        if not isinstance(credentials, Credentials):
            raise AuthError("no credentials given", auth_kind=AuthErrorKind.MISSING_CREDENTIALS)
        if credentials.kind is not CredentialKind.BEARER:
            raise AuthError(
                f"JWT authentication needs a bearer token, not {credentials.kind.value} credentials",
                auth_kind=AuthErrorKind.INVALID_CREDENTIALS,
            )
        return credentials.secret

    # -- verification --------------------------------------------------------------------
    def verify(self, token: str) -> Identity:
        """The identity a token carries (synchronous; a provider fetches with HttpClient)."""
        if self._provider is None:
            assert self._static is not None
            return self._identity(self._run(self._static, token))
        kid = _peek_kid(token)
        verifier = self._verifier_for(self._provider.get_key_set_sync(kid))
        return self._identity(self._run(verifier, token))

    async def verify_async(self, token: str) -> Identity:
        """The identity a token carries; a JWKS provider is consulted asynchronously."""
        if self._provider is None:
            assert self._static is not None
            return self._identity(self._run(self._static, token))
        kid = _peek_kid(token)
        verifier = self._verifier_for(await self._provider.get_key_set(kid))
        return self._identity(self._run(verifier, token))

    def _verifier_for(self, keys: JwkSet) -> JwtVerifier:
        current = self._current
        if current is not None and current[0] is keys:
            return current[1]
        verifier = JwtVerifier(keys, **self._options)
        self._current = (keys, verifier)
        return verifier

    @staticmethod
    def _run(verifier: JwtVerifier, token: str) -> Claims:
        try:
            return verifier.verify(token)
        except AuthError:
            raise
        except InfraError as exc:
            # e.g. a key in the set that cannot be used for this algorithm
            raise _invalid(f"the token cannot be verified: {exc.message}") from exc

    def _identity(self, claims: Claims) -> Identity:
        if self.identity_factory is not None:
            identity = self.identity_factory(claims)
            if not isinstance(identity, Identity):
                raise ValidationError(
                    "identity_factory must return an Identity",
                    field="identity_factory",
                    actual=type(identity).__name__,
                )
            return identity
        raw = claims.to_dict()
        subject = _claim(raw, self.subject_claim)
        if not isinstance(subject, str) or not subject:
            raise _invalid(f"the token has no {self.subject_claim!r} claim to identify its subject")
        roles = (
            _string_set(_claim(raw, self.roles_claim), self.roles_claim)
            if self.roles_claim
            else frozenset()
        )
        scopes: frozenset[str] = frozenset()
        for name in self.scope_claims:
            if name in raw:
                scopes = _string_set(raw[name], name)
                break
        return Identity(
            subject,
            AuthMethod.JWT,
            roles,
            scopes,
            raw,
            issuer=claims.iss,
            expires_at=claims.exp,
        )
