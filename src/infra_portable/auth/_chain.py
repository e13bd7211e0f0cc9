"""AuthenticatorChain: several authenticators behind one, chosen by the credentials.

Each authenticator that has an ``accepts(credentials)`` method is asked in
order; the first that accepts authenticates (its AuthError is final: a JWT
with a bad signature is not then tried as an API key). Authenticators without
``accepts`` are treated as accepting everything, so put them last. When none
accepts: ``AuthError(INVALID_CREDENTIALS)``.

    chain = AuthenticatorChain([jwt_authenticator, api_key_authenticator])
"""

from __future__ import annotations

from collections.abc import Iterable

from infra_portable.auth._base import Authenticator, Identity
from infra_portable.auth._credentials import Credentials
from infra_portable.errors import AuthError, AuthErrorKind, ValidationError

__all__ = ["AuthenticatorChain"]


class AuthenticatorChain:
    """The first authenticator that accepts the credentials decides."""

    __slots__ = ("authenticators",)

    def __init__(self, authenticators: Iterable[Authenticator]) -> None:
        self.authenticators = tuple(authenticators)
        if not self.authenticators:
            raise ValidationError(
                "a chain needs at least one authenticator", field="authenticators"
            )
        for index, item in enumerate(self.authenticators):
            if not callable(getattr(item, "authenticate", None)):
                raise ValidationError(
                    "every item must have an async authenticate(credentials)",
                    field=f"authenticators[{index}]",
                    actual=type(item).__name__,
                )

    def _pick(self, credentials: Credentials) -> Authenticator:
        for item in self.authenticators:
            accepts = getattr(item, "accepts", None)
            if accepts is None or accepts(credentials):
                return item
        raise AuthError(
            f"no authenticator accepts {credentials.kind.value} credentials",
            auth_kind=AuthErrorKind.INVALID_CREDENTIALS,
        )

    def accepts(self, credentials: Credentials) -> bool:
        try:
            self._pick(credentials)
        except AuthError:
            return False
        return True

    async def authenticate(self, credentials: Credentials) -> Identity:
        if not isinstance(credentials, Credentials):
            raise AuthError("no credentials given", auth_kind=AuthErrorKind.MISSING_CREDENTIALS)
        return await self._pick(credentials).authenticate(credentials)
