"""Layer 2: one HTTP client over every runtime's transport, and an ASGI server toolkit (seed 002 §2.6).

Client::

    from infra_portable.http import HttpClient, Request

    with HttpClient() as client:
        reply = client.post("https://api.example/v1/chat", json={"model": "m"}).error_for_status()
        with client.stream("POST", url, json=body) as r:
            for event in r.iter_sse():
                ...

``AsyncHttpClient`` is the same API, awaited. The transport is the ``http``
capability: httpx natively (the standard library's http.client without it),
the browser's ``fetch`` in Pyodide, the host's HTTP bridge under WASI; pass
``transport=`` for another one: :class:`AsgiTransport` calls an ASGI app in
process, and :mod:`infra_portable.sim` has a scripted mock transport.

The client retries retryable failures and statuses (429/5xx, honouring
``Retry-After``), follows redirects up to a limit, bounds the response size and
turns every failure into an :class:`~infra_portable.errors.HttpError` with the
URL and status.

Server: :mod:`infra_portable.http.server` is an ASGI toolkit (``App`` with
routing, JSON handlers, problem+json errors, request-ID/CORS/timeout/body-limit
middleware, streaming and SSE responses), served natively by uvicorn
(``serve``/``serving``) and callable in process everywhere through
:class:`AsgiTransport`. Its main names are re-exported here, imported on first use.
"""

from __future__ import annotations

from infra_portable.http._client import AsyncHttpClient, HttpClient, resolve_transport
from infra_portable.http._config import DEFAULT_RETRY_STATUSES, HttpClientConfig
from infra_portable.http._sse import ServerSentEvent, SseDecoder
from infra_portable.http._transport import SyncTransport, Transport, TransportLimits
from infra_portable.http._transport_asgi import AsgiTransport
from infra_portable.http._types import (
    METHODS,
    Headers,
    Request,
    RequestBuilder,
    Response,
    check_status,
    parse_retry_after,
    reason_phrase,
)

# The server side, imported on first use (``from infra_portable.http import App``).
_SERVER_NAMES = frozenset(
    {
        "App",
        "ServerRequest",
        "ServerResponse",
        "JsonResponse",
        "StreamingResponse",
        "SseResponse",
        "HttpProblem",
        "HttpServer",
        "HttpServerConfig",
        "serve",
        "serving",
    }
)


def __getattr__(name: str) -> object:
    if name in _SERVER_NAMES:
        from infra_portable.http import server

        return getattr(server, name)
    raise AttributeError(f"module 'infra_portable.http' has no attribute {name!r}")


__all__ = [
    "HttpClient",
    "AsyncHttpClient",
    "HttpClientConfig",
    "DEFAULT_RETRY_STATUSES",
    "Request",
    "RequestBuilder",
    "Response",
    "Headers",
    "METHODS",
    "ServerSentEvent",
    "SseDecoder",
    "Transport",
    "TransportLimits",
    "SyncTransport",
    "AsgiTransport",
    "resolve_transport",
    "check_status",
    "parse_retry_after",
    "reason_phrase",
    # the server side (lazy)
    "App",
    "ServerRequest",
    "ServerResponse",
    "JsonResponse",
    "StreamingResponse",
    "SseResponse",
    "HttpProblem",
    "HttpServer",
    "HttpServerConfig",
    "serve",
    "serving",
]
