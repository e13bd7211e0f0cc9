"""The HTTP server side (seed 002 §2.6): an ASGI toolkit, in process everywhere, uvicorn natively.

::

    from infra_portable.http.server import App, SseResponse, RequestIdMiddleware

    app = App(max_body_bytes=1 << 20)
    app.add_middleware(RequestIdMiddleware)

    @app.post("/v1/chat/stream")
    async def chat(request):
        prompt = (await request.json())["prompt"]
        return SseResponse({"token": t} async for t in generate(prompt))

* :class:`App` routes ``METHOD /path/{param}`` to ``async def handler(request)``
  (typed params, 404/405 with ``Allow``, HEAD from GET, sub-routers and mounts)
  and returns values as responses (dict/list -> JSON).
* Every failure is an RFC 9457 problem (``application/problem+json``) from
  ``InfraError.to_dict()``: malformed JSON 400, wrong content type 415, body
  over the limit 413 (counted as it arrives), an InfraError its own status;
  any other exception a bare 500 (logged, never shown).
* Middleware: :class:`RequestIdMiddleware`, :class:`CorsMiddleware`,
  :class:`TimeoutMiddleware`, :class:`BodyLimitMiddleware`,
  :class:`ErrorMiddleware`.
* Serving: :func:`serve`, :class:`HttpServer` and :func:`serving` (a
  background server on a free port, for tests) use uvicorn and are **native
  only**: Pyodide and WASI have no listening sockets, so there the app is called
  in process through :class:`~infra_portable.http.AsgiTransport`.
"""

from __future__ import annotations

from infra_portable.http.server._app import App
from infra_portable.http.server._asgi import AsgiApp, Message, Receive, Scope, Send
from infra_portable.http.server._cors import CorsMiddleware
from infra_portable.http.server._middleware import (
    BodyLimitMiddleware,
    ErrorMiddleware,
    RequestIdMiddleware,
    TimeoutMiddleware,
)
from infra_portable.http.server._problems import PROBLEM_CONTENT_TYPE, HttpProblem, problem_body
from infra_portable.http.server._request import DEFAULT_MAX_BODY_BYTES, QueryParams, ServerRequest
from infra_portable.http.server._response import (
    JsonResponse,
    ServerResponse,
    StreamingResponse,
    TextResponse,
    to_response,
)
from infra_portable.http.server._routing import Handler, HandlerFunc, Route, Router
from infra_portable.http.server._serve import HttpServer, HttpServerConfig, serve, serving
from infra_portable.http.server._sse import SseResponse, encode_sse

__all__ = [
    # the application and its routes
    "App",
    "Router",
    "Route",
    "Handler",
    "HandlerFunc",
    # requests and responses
    "ServerRequest",
    "QueryParams",
    "ServerResponse",
    "JsonResponse",
    "TextResponse",
    "StreamingResponse",
    "SseResponse",
    "encode_sse",
    "to_response",
    "DEFAULT_MAX_BODY_BYTES",
    # errors as responses
    "HttpProblem",
    "problem_body",
    "PROBLEM_CONTENT_TYPE",
    # middleware
    "ErrorMiddleware",
    "RequestIdMiddleware",
    "CorsMiddleware",
    "TimeoutMiddleware",
    "BodyLimitMiddleware",
    # serving (native only)
    "HttpServer",
    "HttpServerConfig",
    "serve",
    "serving",
    # ASGI types
    "AsgiApp",
    "Scope",
    "Receive",
    "Send",
    "Message",
]
