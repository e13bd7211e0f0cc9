"""JwksProvider: fetching, TTL caching, one re-fetch for an unknown kid, rate limiting, outages.

The JWKS endpoint is a counting fake transport (or a tiny ASGI app through
AsgiTransport), so every assertion about "no request was made" is a count.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from auth_support import CountingTransport, FakeClock, json_response, public_jwk, signer

from infra_portable.auth import Credentials, JwksProvider, JwtAuthenticator
from infra_portable.errors import (
    AuthError,
    AuthErrorKind,
    ExternalError,
    HttpError,
    ValidationError,
)
from infra_portable.http import (
    AsgiTransport,
    AsyncHttpClient,
    HttpClient,
    HttpClientConfig,
    Request,
    Response,
)

RunCoro = Callable[[Coroutine[Any, Any, Any]], Any]
URL = "https://idp.example/.well-known/jwks.json"
NO_RETRIES = HttpClientConfig(max_retries=0)


class Idp:
    """A fake identity provider: its published keys and a switch to break it."""

    def __init__(self, *kids: tuple[str, str]) -> None:
        self.keys = [public_jwk(alg, kid) for alg, kid in kids]
        self.status = 200
        self.body: Any = None
        self.transport = CountingTransport(self.answer)

    def answer(self, request: Request) -> Response:
        if self.status == 0:
            raise HttpError("connection refused", url=request.url)
        body = self.body if self.body is not None else {"keys": self.keys}
        return json_response(self.status, body)

    def publish(self, alg: str, kid: str) -> None:
        self.keys.append(public_jwk(alg, kid))

    @property
    def calls(self) -> int:
        return self.transport.calls


def _setup(
    idp: Idp, *, ttl: float = 300, interval: float = 30, asynchronous: bool = False
) -> tuple[JwtAuthenticator, JwksProvider, FakeClock]:
    clock = FakeClock(0.0)
    http: Any = (
        AsyncHttpClient(NO_RETRIES, transport=idp.transport)
        if asynchronous
        else HttpClient(NO_RETRIES, transport=idp.transport)
    )
    provider = JwksProvider(URL, http=http, ttl=ttl, min_refresh_interval=interval, clock=clock)
    auth = JwtAuthenticator(provider, algorithms=["ES256", "EdDSA"], clock=lambda: 1_700_000_000.0)
    return auth, provider, clock


def _token(alg: str, kid: str | None, subject: str = "alice") -> str:
    return signer(alg, kid=kid).sign(subject=subject, expires_in=300)


def _refused(call: Callable[[], Any], kind: AuthErrorKind = AuthErrorKind.INVALID_TOKEN) -> None:
    with pytest.raises(AuthError) as info:
        call()
    assert info.value.auth_kind is kind, info.value


def test_the_set_is_fetched_once_and_cached_for_its_ttl() -> None:
    idp = Idp(("ES256", "ec-1"))
    auth, provider, clock = _setup(idp, ttl=300)
    token = _token("ES256", "ec-1")
    assert auth.verify(token).subject == "alice"
    assert auth.verify(token).subject == "alice"
    assert idp.calls == 1
    assert (
        idp.transport.requests[0].headers.get("accept", "").startswith("application/jwk-set+json")
    )
    clock.advance(299)
    auth.verify(token)
    assert idp.calls == 1
    clock.advance(1)
    auth.verify(token)
    assert idp.calls == 2
    assert provider.fetches == 2


def test_an_unknown_kid_triggers_exactly_one_refetch() -> None:
    idp = Idp(("ES256", "ec-1"))
    auth, _, clock = _setup(idp, interval=30)
    auth.verify(_token("ES256", "ec-1"))
    clock.advance(31)  # past the rate limit of the first fetch
    idp.publish("EdDSA", "ed-2")  # the provider rotates in a new key
    assert auth.verify(_token("EdDSA", "ed-2")).subject == "alice"
    assert idp.calls == 2
    # The new key is cached now: no further fetch.
    auth.verify(_token("EdDSA", "ed-2"))
    assert idp.calls == 2


def test_a_flood_of_unknown_kids_costs_one_fetch_per_interval() -> None:
    idp = Idp(("ES256", "ec-1"))
    auth, _, clock = _setup(idp, interval=30)
    auth.verify(_token("ES256", "ec-1"))
    clock.advance(60)
    for i in range(40):  # forged tokens, each naming a different key id
        _refused(lambda i=i: auth.verify(_token("ES256", f"bogus-{i}")))
        clock.advance(0.5)
    assert idp.calls == 2  # the first bogus kid re-fetched once; the rest were rate limited
    clock.advance(30)
    _refused(lambda: auth.verify(_token("ES256", "bogus-again")))
    assert idp.calls == 3


def test_a_token_without_kid_tries_the_fitting_keys() -> None:
    idp = Idp(("ES256", "ec-1"), ("EdDSA", "ed-1"))
    auth, _, _ = _setup(idp)
    assert auth.verify(_token("EdDSA", None)).subject == "alice"
    assert idp.calls == 1


def test_an_outage_keeps_serving_the_cached_set() -> None:
    idp = Idp(("ES256", "ec-1"))
    auth, _, clock = _setup(idp, ttl=60, interval=10)
    token = _token("ES256", "ec-1")
    auth.verify(token)
    idp.status = 0  # the provider goes down
    clock.advance(61)
    assert auth.verify(token).subject == "alice"  # stale but serving
    assert idp.calls == 2
    auth.verify(token)  # within the interval: no new attempt
    assert idp.calls == 2
    clock.advance(10)
    idp.status = 200
    auth.verify(token)
    assert idp.calls == 3


def test_without_any_set_an_outage_is_an_http_error_and_is_not_hammered() -> None:
    idp = Idp(("ES256", "ec-1"))
    idp.status = 0
    auth, _, clock = _setup(idp, interval=10)
    token = _token("ES256", "ec-1")
    with pytest.raises(HttpError) as first:
        auth.verify(token)
    assert any("JWKS" in c for c in first.value.context)
    assert first.value.is_retryable
    with pytest.raises(HttpError, match="unavailable"):
        auth.verify(token)
    assert idp.calls == 1
    clock.advance(10)
    idp.status = 200
    assert auth.verify(token).subject == "alice"
    assert idp.calls == 2


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (404, {"error": "not found"}, HttpError),
        (200, {"no": "keys"}, ExternalError),
        (200, {"keys": [{"kty": "EC", "crv": "P-256", "x": "!!"}]}, ExternalError),
        (200, [1, 2], ExternalError),
    ],
)
def test_a_broken_endpoint_is_reported_as_its_own_failure(
    status: int, body: Any, error: type[Exception]
) -> None:
    idp = Idp()
    idp.status, idp.body = status, body
    auth, _, _ = _setup(idp)
    with pytest.raises(error):
        auth.verify(_token("ES256", "ec-1"))


def test_a_non_json_body_is_an_external_error() -> None:
    transport = CountingTransport(lambda request: Response(200, {}, b"<html>"))
    provider = JwksProvider(URL, http=HttpClient(NO_RETRIES, transport=transport))
    with pytest.raises(ExternalError):
        provider.get_key_set_sync()


def test_the_async_path_fetches_and_caches_the_same_way(run_coro: RunCoro) -> None:
    idp = Idp(("ES256", "ec-1"))
    auth, _, clock = _setup(idp, asynchronous=True, interval=5)
    token = _token("ES256", "ec-1")
    identity = run_coro(auth.authenticate(Credentials.bearer(token)))
    assert identity.subject == "alice"
    run_coro(auth.verify_async(token))
    assert idp.calls == 1
    clock.advance(6)
    idp.publish("EdDSA", "ed-2")
    assert run_coro(auth.verify_async(_token("EdDSA", "ed-2"))).subject == "alice"
    assert idp.calls == 2
    with pytest.raises(AuthError):
        run_coro(auth.verify_async(_token("EdDSA", "unknown")))
    assert idp.calls == 2  # rate limited


def test_a_sync_client_also_serves_the_async_path(run_coro: RunCoro) -> None:
    idp = Idp(("EdDSA", "ed-1"))
    provider = JwksProvider(URL, http=HttpClient(NO_RETRIES, transport=idp.transport))
    keys = run_coro(provider.get_key_set("ed-1"))
    assert keys.kids() == ["ed-1"]
    assert "ed-1" in repr(provider)


def test_the_sync_path_needs_a_sync_client() -> None:
    idp = Idp(("EdDSA", "ed-1"))
    provider = JwksProvider(URL, http=AsyncHttpClient(transport=idp.transport))
    with pytest.raises(ValidationError):
        provider.get_key_set_sync()
    assert idp.calls == 0


def test_clear_forgets_the_set_and_the_rate_limit() -> None:
    idp = Idp(("EdDSA", "ed-1"))
    _, provider, _ = _setup(idp)
    provider.get_key_set_sync()
    provider.clear()
    provider.get_key_set_sync()
    assert idp.calls == 2


def test_over_an_asgi_app(run_coro: RunCoro) -> None:
    served: list[str] = []
    body = json.dumps({"keys": [public_jwk("ES256", "asgi-1")]}).encode()

    async def jwks_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        served.append(scope["path"])
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    client = AsyncHttpClient(NO_RETRIES, transport=AsgiTransport(jwks_app))
    provider = JwksProvider("http://idp.local/jwks", http=client)
    auth = JwtAuthenticator(provider, algorithms=["ES256"], clock=lambda: 1_700_000_000.0)
    token = _token("ES256", "asgi-1")
    assert run_coro(auth.verify_async(token)).subject == "alice"
    assert run_coro(auth.verify_async(token)).subject == "alice"
    assert served == ["/jwks"]


@pytest.mark.skip_runtime(
    "wasi",
    reason="asyncio cannot create an event loop under WASI (no socketpair), and gather needs one",
)
def test_concurrent_callers_share_one_fetch(run_async: RunCoro) -> None:
    idp = Idp(("ES256", "ec-1"))

    class SlowTransport(CountingTransport):
        async def handle_async(self, request: Request, limits: Any, stream: bool) -> Response:
            for _ in range(5):  # let the other callers pile up on the lock
                await asyncio.sleep(0)
            return self.handle(request, limits, stream)

    transport = SlowTransport(idp.answer)
    provider = JwksProvider(URL, http=AsyncHttpClient(NO_RETRIES, transport=transport))
    auth = JwtAuthenticator(provider, algorithms=["ES256"], clock=lambda: 1_700_000_000.0)
    token = _token("ES256", "ec-1")

    async def many() -> list[str]:
        identities = await asyncio.gather(*(auth.verify_async(token) for _ in range(8)))
        return [i.subject for i in identities]

    assert run_async(many()) == ["alice"] * 8
    assert transport.calls == 1


def test_the_provider_checks_its_arguments() -> None:
    with pytest.raises(ValidationError):
        JwksProvider("ftp://idp/jwks")
    with pytest.raises(ValidationError):
        JwksProvider(URL, ttl=-1)
    with pytest.raises(ValidationError):
        JwksProvider(URL, min_refresh_interval=True)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        JwksProvider(URL, http="client")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):  # the options are checked before any token
        JwtAuthenticator(JwksProvider(URL), algorithms=["XS256"])


def test_a_malformed_token_is_refused_before_any_fetch() -> None:
    idp = Idp(("ES256", "ec-1"))
    auth, _, _ = _setup(idp)
    for bad in ("x", "a.b.c", "W10.e30.e30", "eyJraWQiOjF9.e30.e30"):
        _refused(lambda bad=bad: auth.verify(bad))
    _refused(lambda: auth.verify(123))  # type: ignore[arg-type]
    assert idp.calls == 0
