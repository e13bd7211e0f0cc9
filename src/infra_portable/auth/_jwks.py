"""JwksProvider: an identity provider's JWK Set, fetched over HTTP and cached.

The set is fetched on first use and again once it is ``ttl`` seconds old. A
token naming a ``kid`` the cached set lacks (the provider rotated its keys)
triggers one re-fetch, but at most one fetch starts per
``min_refresh_interval`` seconds whatever the reason: a flood of tokens with
made-up key ids costs the JWKS endpoint one request per interval, not one per
token. Concurrent callers of the async path share one fetch (an
``asyncio.Lock``); the sync path takes no lock (two threads may both fetch).

When a refresh fails and a set was fetched before, the old set keeps serving
(an identity provider's outage should not log everybody out) until a later
attempt succeeds. With no set at all the failure is raised: ``HttpError``
(no answer, or an error status) or ``ExternalError`` (the body is not a JWK
Set); within ``min_refresh_interval`` of a failure the next caller gets an
``HttpError`` at once instead of another request.

The HTTP client is injectable: an :class:`~infra_portable.http.HttpClient`
serves both paths (the async one calls it directly, blocking), an
:class:`~infra_portable.http.AsyncHttpClient` only the async one. Without one,
the runtime's default transport is used. The clock is injectable too
(``time.monotonic`` by default).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from infra_portable.crypto import JwkSet
from infra_portable.errors import (
    ExternalError,
    HttpError,
    InfraError,
    ValidationError,
    check_number,
)
from infra_portable.http import AsyncHttpClient, HttpClient, Response

if TYPE_CHECKING:
    import asyncio

__all__ = ["JwksProvider"]

_ACCEPT = {"Accept": "application/jwk-set+json, application/json"}


class JwksProvider:
    """The JWK Set at ``url``, cached for ``ttl`` seconds (see the module docstring)."""

    def __init__(
        self,
        url: str,
        *,
        http: HttpClient | AsyncHttpClient | None = None,
        ttl: float = 300.0,
        min_refresh_interval: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ValidationError("the JWKS URL must be http(s)", field="url", actual=repr(url))
        if http is not None and not isinstance(http, HttpClient | AsyncHttpClient):
            raise ValidationError(
                "http must be an HttpClient or AsyncHttpClient",
                field="http",
                actual=type(http).__name__,
            )
        self.url = url
        self.ttl = check_number("ttl", ttl, allow_infinity=True)
        self.min_refresh_interval = check_number(
            "min_refresh_interval", min_refresh_interval, allow_infinity=True
        )
        self._http = http
        self._clock = clock
        self._keys: JwkSet | None = None
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._failure: InfraError | None = None
        self._lock: asyncio.Lock | None = None
        self.fetches = 0  # fetches started: for monitoring

    # -- the cache decision, shared by both paths -------------------------------------
    def _due(self, kid: str | None) -> bool:
        """Whether this lookup should start a fetch now."""
        now = self._clock()
        if self._attempted_at is not None and now - self._attempted_at < self.min_refresh_interval:
            return False  # rate limited: whatever the reason, one fetch per interval
        if self._keys is None or self._fetched_at is None:
            return True
        if now - self._fetched_at >= self.ttl:
            return True
        return kid is not None and self._keys.get(kid) is None

    def _result(self) -> JwkSet:
        if self._keys is not None:
            return self._keys
        failure = self._failure
        raise HttpError(
            f"the JWKS at {self.url} is unavailable"
            + (f" (last attempt: {failure.message})" if failure else ""),
            url=self.url,
        ) from failure

    def _start(self) -> None:
        self._attempted_at = self._clock()
        self.fetches += 1

    def _accept(self, response: Response) -> None:
        """Parse a JWKS response into the cache, or raise."""
        response.error_for_status()
        try:
            keys = JwkSet.from_dict(response.json())
        except InfraError as exc:
            raise ExternalError(
                f"the JWKS at {self.url} is not a valid JWK Set: {exc.message}",
                service=self.url,
                operation="jwks",
            ) from exc
        self._keys = keys
        self._fetched_at = self._clock()
        self._failure = None

    def _failed(self, exc: InfraError) -> None:
        self._failure = exc
        exc.add_context(f"fetching the JWKS from {self.url}")
        if self._keys is None:
            raise exc

    # -- sync ---------------------------------------------------------------------------
    def get_key_set_sync(self, kid: str | None = None) -> JwkSet:
        """The key set, fetched if stale, missing or lacking ``kid`` (and not rate limited)."""
        if self._due(kid):
            http = self._http
            if isinstance(http, AsyncHttpClient):
                raise ValidationError(
                    "the synchronous path needs an HttpClient, not an AsyncHttpClient",
                    field="http",
                )
            self._start()
            try:
                client = http if http is not None else HttpClient()
                try:
                    self._accept(client.get(self.url, headers=_ACCEPT))
                finally:
                    if http is None:
                        client.close()
            except InfraError as exc:
                self._failed(exc)
        return self._result()

    # -- async --------------------------------------------------------------------------
    async def get_key_set(self, kid: str | None = None) -> JwkSet:
        """The key set (async): one shared fetch for concurrent callers."""
        if self._lock is None:
            import asyncio  # on first use: importing it costs ~25 ms

            self._lock = asyncio.Lock()
        if not self._due(kid) and not self._lock.locked():
            return self._result()
        async with self._lock:  # waits for a fetch already under way
            if self._due(kid):  # another caller may have fetched while we waited
                self._start()
                try:
                    self._accept(await self._get_async())
                except InfraError as exc:
                    self._failed(exc)
        return self._result()

    async def _get_async(self) -> Response:
        http = self._http
        if isinstance(http, HttpClient):
            return http.get(self.url, headers=_ACCEPT)
        if http is not None:
            return await http.get(self.url, headers=_ACCEPT)
        async with AsyncHttpClient() as client:
            return await client.get(self.url, headers=_ACCEPT)

    def clear(self) -> None:
        """Forget the cached set and the rate limit (the next lookup fetches)."""
        self._keys = None
        self._fetched_at = self._attempted_at = None
        self._failure = None

    def __repr__(self) -> str:
        kids: Any = self._keys.kids() if self._keys is not None else None
        return f"JwksProvider({self.url!r}, kids={kids!r})"
