"""Shared helpers for the auth tests: fixed keys, a fake clock, a counting fake transport.

The keys are the RFCs' fixed private JWKs (data/jwk_keys.json), so nothing is
generated and WASI stays fast. ``CountingTransport`` implements
``infra_portable.http.Transport`` over a handler function and records every
request, which is how the JWKS and OAuth tests prove what was (not) fetched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar, cast

from infra_portable.crypto import JwtSigner
from infra_portable.errors import HttpError
from infra_portable.http import Headers, Request, Response, SyncTransport, TransportLimits

T = TypeVar("T")
DATA = Path(__file__).parent / "data"
PRIVATE_JWKS: dict[str, dict[str, str]] = {
    alg: jwk
    for alg, jwk in json.loads((DATA / "jwk_keys.json").read_text("utf-8")).items()
    if not alg.startswith("_")
}
ASYMMETRIC = ("RS256", "PS256", "ES256", "EdDSA")
KEY_FOR = {"RS256": "RS256", "PS256": "RS256", "ES256": "ES256", "EdDSA": "EdDSA"}
HMAC_SECRET = b"k" * 64  # long enough for HS512
NOW = 1_700_000_000.0
_PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi"}


def private_jwk(alg: str) -> dict[str, str]:
    return dict(PRIVATE_JWKS[KEY_FOR[alg]])


def public_jwk(alg: str, kid: str | None = None) -> dict[str, str]:
    jwk = {k: v for k, v in PRIVATE_JWKS[KEY_FOR[alg]].items() if k not in _PRIVATE_MEMBERS}
    if kid is not None:
        jwk["kid"] = kid
    return jwk


def signer(
    alg: str, *, kid: str | None = None, clock: Callable[[], float] = lambda: NOW
) -> JwtSigner:
    key: Any = HMAC_SECRET if alg.startswith("HS") else private_jwk(alg)
    return JwtSigner(key, alg, kid=kid, clock=clock)


class FakeClock:
    """A clock that moves only when told."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


Handler = Callable[[Request], Response]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    merged = {"content-type": "application/json", **(headers or {})}
    return Response(status, Headers(merged), json.dumps(body).encode())


class CountingTransport(SyncTransport):
    """A Transport that answers with ``handler(request)`` and keeps every request."""

    name = "counting"

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []

    @property
    def calls(self) -> int:
        return len(self.requests)

    def handle(self, request: Request, limits: TransportLimits, stream: bool) -> Response:
        self.requests.append(request)
        response = self.handler(request)
        response.request = request
        response.url = request.url
        return response


def refusing(request: Request) -> Response:
    """A handler for a server that cannot be reached."""
    raise HttpError("connection refused", url=request.url)


def drive(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never waits on a real event (for hypothesis tests, which
    cannot take the function-scoped ``run_coro`` fixture)."""
    try:
        while True:
            coro.send(None)
    except StopIteration as done:
        return cast(T, done.value)
