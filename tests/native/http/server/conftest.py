"""Helpers for the server tests: a client bound to an app in process, and raw ASGI calls.

Every test here except the uvicorn ones runs in all three runtimes: the app is
called through AsgiTransport, no sockets, no threads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from infra_portable.http import AsgiTransport, AsyncHttpClient, HttpClient, HttpClientConfig

BASE = "http://testserver"
# No retries: a 5xx answer is what these tests look at, not something to retry.
NO_RETRY = HttpClientConfig(max_retries=0, base_url=BASE)


@pytest.fixture
def client_for() -> Callable[[Any], HttpClient]:
    def make(app: Any) -> HttpClient:
        return HttpClient(NO_RETRY, transport=AsgiTransport(app))

    return make


@pytest.fixture
def async_client_for() -> Callable[[Any], AsyncHttpClient]:
    def make(app: Any) -> AsyncHttpClient:
        return AsyncHttpClient(NO_RETRY, transport=AsgiTransport(app))

    return make


@dataclass
class AsgiCall:
    """What a raw ASGI call sent back, and how often the app called receive."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    receives: int = 0

    @property
    def status(self) -> int:
        return int(self.messages[0]["status"])

    @property
    def headers(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.messages[0]["headers"]}

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages[1:])


def make_scope(
    method: str = "GET",
    path: str = "/",
    headers: Iterable[tuple[str, str]] = (),
    *,
    raw_path: bytes | None = None,
    query: bytes = b"",
) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": raw_path if raw_path is not None else path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }


async def call_asgi(app: Any, scope: dict[str, Any], chunks: Iterable[bytes] = ()) -> AsgiCall:
    """Call ``app`` with the body in ``chunks`` (one http.request message each)."""
    result = AsgiCall()
    pending = list(chunks) or [b""]

    async def receive() -> dict[str, Any]:
        result.receives += 1
        if pending:
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        result.messages.append(message)

    await app(scope, receive, send)
    return result


@pytest.fixture
def asgi() -> Callable[..., Any]:
    return call_asgi


@pytest.fixture
def scope() -> Callable[..., dict[str, Any]]:
    return make_scope


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def server_log() -> Iterator[list[logging.LogRecord]]:
    """The server logger's records (caplog is not available in every runtime's harness)."""
    logger = logging.getLogger("infra_portable.http.server")
    handler = _Records()
    logger.addHandler(handler)
    old_level, old_propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # expected tracebacks stay out of the run's output
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
