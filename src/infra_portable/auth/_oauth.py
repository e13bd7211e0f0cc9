"""OAuth 2.0 clients (RFC 6749, PKCE per RFC 7636): ``OAuthClient`` and ``AsyncOAuthClient``.

Grants: client credentials (§4.4), authorization code with PKCE S256 (§4.1),
refresh token (§6). Client authentication (§2.3.1): ``client_secret_basic``
(HTTP Basic over the form-encoded id and secret), ``client_secret_post``
(both in the body) or ``none`` (a public client: its id in the body).

* ``get_token(scopes)``: a cached client-credentials token, replaced
  ``expiry_skew`` seconds before it expires (by its refresh token when the
  server gave one, else by a new grant). ``request_client_credentials``
  always asks.
* ``authorization_request(scopes)``: the authorize URL with a fresh ``state``
  and PKCE challenge; keep the returned object (its verifier) for
  ``exchange_code(request, callback)``, which checks the callback's ``state``
  in constant time, surfaces its ``error``, and trades the code.
* ``refresh(token)``: a new token; the old refresh token is kept when the
  server does not rotate it (§6). ``ensure_fresh(token)`` refreshes only
  when due.

Errors are mapped as ``_oauth_token`` describes (``OAuthError``, an
``AuthError``, with the server's ``error`` code). The clock (``time.time``)
and the HTTP client are injectable; both classes share everything but I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from infra_portable.auth._oauth_base import AuthorizationRequest, OAuthBase, renewable, scopes_of
from infra_portable.auth._oauth_token import OAuthToken
from infra_portable.errors import InfraError
from infra_portable.http import AsyncHttpClient, HttpClient, Response

if TYPE_CHECKING:
    import asyncio

__all__ = ["AsyncOAuthClient", "OAuthClient"]


class OAuthClient(OAuthBase[HttpClient]):
    """A synchronous OAuth 2.0 client over :class:`~infra_portable.http.HttpClient`."""

    client_type = HttpClient

    def _post(self, grant: dict[str, str]) -> tuple[Response, float]:
        body, headers = self._token_request(grant)
        if self._http is None:
            self._http = HttpClient()
        sent_at = self._clock()
        try:
            return self._http.post(self.token_url, content=body, headers=headers), sent_at
        except InfraError as exc:
            exc.add_context(f"requesting a token from {self.token_url}")
            raise

    def request_client_credentials(self, scopes: Iterable[str] | str | None = None) -> OAuthToken:
        """A new client-credentials token (no cache)."""
        chosen = scopes_of(scopes, self.scopes)
        response, sent_at = self._post(self._client_credentials_grant(chosen))
        return self._parse(response, "client_credentials", chosen, sent_at=sent_at)

    def get_token(
        self, scopes: Iterable[str] | str | None = None, *, force_refresh: bool = False
    ) -> OAuthToken:
        """A cached client-credentials token, renewed ``expiry_skew`` seconds before expiry."""
        chosen = scopes_of(scopes, self.scopes)
        key = self._key(chosen)
        if not force_refresh:
            cached = self._cached(key)
            if cached is not None:
                return cached
        old = self._cache.get(key)
        token: OAuthToken | None = None
        if old is not None and old.refresh_token:
            try:
                token = self.refresh(old, chosen)
            except InfraError as exc:
                if not renewable(exc):
                    raise
        if token is None:
            token = self.request_client_credentials(chosen)
        self._cache[key] = token
        return token

    def access_token(self, scopes: Iterable[str] | str | None = None) -> str:
        """The cached client-credentials access token itself."""
        return self.get_token(scopes).access_token

    def exchange_code(
        self, request: AuthorizationRequest, callback: str | Mapping[str, str]
    ) -> OAuthToken:
        """Check the callback (state, error) and trade its code for a token."""
        code = self.callback_code(request, callback)
        response, sent_at = self._post(self._code_grant(request, code))
        return self._parse(response, "authorization_code", request.scopes, sent_at=sent_at)

    def refresh(
        self, token: OAuthToken | str, scopes: Iterable[str] | str | None = None
    ) -> OAuthToken:
        """A new token from a refresh token (the old one is kept if the server sends none)."""
        refresh_token = self._refresh_token_of(token)
        previous = token.scopes if isinstance(token, OAuthToken) else ()
        chosen = scopes_of(scopes, ())
        response, sent_at = self._post(self._refresh_grant(refresh_token, chosen))
        return self._parse(
            response,
            "refresh_token",
            chosen or previous,
            sent_at=sent_at,
            previous_refresh_token=refresh_token,
        )

    def ensure_fresh(self, token: OAuthToken) -> OAuthToken:
        """``token``, or a refreshed one when it expires within ``expiry_skew``."""
        return self.refresh(token) if self._due(token) and token.refresh_token else token

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> OAuthClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncOAuthClient(OAuthBase[AsyncHttpClient]):
    """The asynchronous client over :class:`~infra_portable.http.AsyncHttpClient`.

    Concurrent ``get_token`` calls share one request (an ``asyncio.Lock``).
    """

    client_type = AsyncHttpClient
    _lock: asyncio.Lock | None = None  # made on first use, inside the running loop

    async def _post(self, grant: dict[str, str]) -> tuple[Response, float]:
        body, headers = self._token_request(grant)
        if self._http is None:
            self._http = AsyncHttpClient()
        sent_at = self._clock()
        try:
            return await self._http.post(self.token_url, content=body, headers=headers), sent_at
        except InfraError as exc:
            exc.add_context(f"requesting a token from {self.token_url}")
            raise

    async def request_client_credentials(
        self, scopes: Iterable[str] | str | None = None
    ) -> OAuthToken:
        chosen = scopes_of(scopes, self.scopes)
        response, sent_at = await self._post(self._client_credentials_grant(chosen))
        return self._parse(response, "client_credentials", chosen, sent_at=sent_at)

    async def get_token(
        self, scopes: Iterable[str] | str | None = None, *, force_refresh: bool = False
    ) -> OAuthToken:
        chosen = scopes_of(scopes, self.scopes)
        key = self._key(chosen)
        if not force_refresh:
            cached = self._cached(key)
            if cached is not None:
                return cached
        if self._lock is None:
            import asyncio  # on first use: importing it costs ~25 ms

            self._lock = asyncio.Lock()
        async with self._lock:
            if not force_refresh:  # another caller may have renewed it meanwhile
                cached = self._cached(key)
                if cached is not None:
                    return cached
            old = self._cache.get(key)
            token: OAuthToken | None = None
            if old is not None and old.refresh_token:
                try:
                    token = await self.refresh(old, chosen)
                except InfraError as exc:
                    if not renewable(exc):
                        raise
            if token is None:
                token = await self.request_client_credentials(chosen)
            self._cache[key] = token
            return token

    async def access_token(self, scopes: Iterable[str] | str | None = None) -> str:
        return (await self.get_token(scopes)).access_token

    async def exchange_code(
        self, request: AuthorizationRequest, callback: str | Mapping[str, str]
    ) -> OAuthToken:
        code = self.callback_code(request, callback)
        response, sent_at = await self._post(self._code_grant(request, code))
        return self._parse(response, "authorization_code", request.scopes, sent_at=sent_at)

    async def refresh(
        self, token: OAuthToken | str, scopes: Iterable[str] | str | None = None
    ) -> OAuthToken:
        refresh_token = self._refresh_token_of(token)
        previous = token.scopes if isinstance(token, OAuthToken) else ()
        chosen = scopes_of(scopes, ())
        response, sent_at = await self._post(self._refresh_grant(refresh_token, chosen))
        return self._parse(
            response,
            "refresh_token",
            chosen or previous,
            sent_at=sent_at,
            previous_refresh_token=refresh_token,
        )

    async def ensure_fresh(self, token: OAuthToken) -> OAuthToken:
        if self._due(token) and token.refresh_token:
            return await self.refresh(token)
        return token

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncOAuthClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
