"""Test doubles for the router tests: a fake clock and a scripted transport.

``ScriptedTransport`` implements the http Transport protocol in process (no
sockets, no threads), so the same tests run on CPython, WASI and Pyodide. Each
host (the endpoint URL's hostname) has a :class:`Behaviour` the test changes
between requests: answer a status, fail without an answer, take some time (by
advancing the fake clock the router measures with), or raise something.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from infra_portable.errors import HttpError
from infra_portable.http import (
    AsyncHttpClient,
    HttpClient,
    HttpClientConfig,
    Request,
    Response,
    SyncTransport,
    TransportLimits,
)
from infra_portable.router import Endpoint


class FakeClock:
    """Monotonic seconds that move only when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Behaviour:
    status: int = 200
    fail: bool = False  # raise HttpError with no status (refused, reset)
    delay_s: float = 0.0  # advances the fake clock before answering
    raises: BaseException | None = None  # raised as is (foreign errors, cancellation)
    during: Callable[[], object] | None = None  # called while the request is in flight


class ScriptedTransport(SyncTransport):
    """Answers per host as scripted; records which hosts were called, in order."""

    name = "scripted"

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock
        self.hosts: dict[str, Behaviour] = {}
        self.calls: list[str] = []
        self.requests: list[Request] = []
        self.closed = False

    def host(self, name: str) -> Behaviour:
        return self.hosts.setdefault(name, Behaviour())

    def handle(self, request: Request, limits: TransportLimits, stream: bool) -> Response:
        host = urlsplit(request.url).hostname or ""
        self.calls.append(host)
        self.requests.append(request)
        behaviour = self.host(host)
        if behaviour.during is not None:
            behaviour.during()
        if self.clock is not None and behaviour.delay_s:
            self.clock.advance(behaviour.delay_s)
        if behaviour.raises is not None:
            raise behaviour.raises
        if behaviour.fail:
            raise HttpError("connection refused (scripted)", url=request.url)
        body = json.dumps({"host": host, "path": urlsplit(request.url).path}).encode()
        return Response(
            behaviour.status,
            {"content-type": "application/json"},
            body,
            url=request.url,
            request=request,
        )

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True

    def count(self, host: str) -> int:
        return self.calls.count(host)


NO_RETRIES = HttpClientConfig(max_retries=0)


def client_for(transport: ScriptedTransport) -> HttpClient:
    return HttpClient(NO_RETRIES, transport=transport)


def async_client_for(transport: ScriptedTransport) -> AsyncHttpClient:
    return AsyncHttpClient(NO_RETRIES, transport=transport)


def endpoints(*names: str, **weights: int) -> list[Endpoint]:
    """Endpoints named ``names`` at ``http://<name>``, weights by keyword."""
    return [Endpoint(name, f"http://{name}", weight=weights.get(name, 1)) for name in names]


def chat(
    model: str | None = "gpt-4o", path: str = "/v1/chat/completions", **extra: object
) -> Request:
    """A chat-completion-like POST to a placeholder host (the router rewrites it)."""
    body: dict[str, object] = dict(extra)
    if model is not None:
        body["model"] = model
    return Request.post(f"http://router.invalid{path}").json(body).build()
