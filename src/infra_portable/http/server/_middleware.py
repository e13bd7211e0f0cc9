"""ASGI middleware: error mapping, request IDs, a body size limit and a request deadline.

Each middleware wraps any ASGI app (``RequestIdMiddleware(app)``) and is also
added to an :class:`App` with ``app.add_middleware(RequestIdMiddleware)``.

The request deadline needs a timer, so it depends on the event loop:

* natively (and in any asyncio loop) it is enforced with ``asyncio.timeout``:
  a handler still running at the deadline is cancelled and the client gets 504;
* in Pyodide the loop is the browser's: the deadline fires only when the
  handler yields to it (awaits something), so CPU-bound Python code cannot be
  interrupted there; a pending ``fetch`` can;
* where the app is not run as an asyncio task (WASI, where coroutines are
  driven by hand; the synchronous ``HttpClient`` over ``AsgiTransport`` in
  Pyodide) there is no timer at all and the app runs without a deadline.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from infra_portable.errors import ValidationError, check_number
from infra_portable.http.server._asgi import (
    AsgiApp,
    Message,
    Receive,
    Scope,
    Send,
    scope_header,
    scope_state,
)
from infra_portable.http.server._problems import HttpProblem, send_problem
from infra_portable.http.server._request import body_too_large, check_declared_length

__all__ = [
    "BodyLimitMiddleware",
    "ErrorMiddleware",
    "RequestIdMiddleware",
    "TimeoutMiddleware",
]


class ErrorMiddleware:
    """Turns any exception into a problem response, as long as none has started.

    An :class:`~infra_portable.errors.InfraError` answers with its status and
    problem body; anything else with a bare 500 (logged, never shown). Once the
    response has started the status is sent already: the exception is re-raised
    so the server aborts the connection and the client sees a broken body
    rather than a truncated one that looks complete. :class:`App` puts one
    outside all other middleware.
    """

    def __init__(self, app: AsgiApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        scope_state(scope)  # one state dict that inner middleware fill in place
        try:
            await self.app(scope, receive, guarded_send)
        except Exception as exc:
            if started:
                raise
            await send_problem(exc, scope, send)


_SAFE_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}\Z")


def _default_request_id() -> str:
    from infra_portable.id import ulid

    return str(ulid())


class RequestIdMiddleware:
    """Gives each request an ID: the client's ``X-Request-ID`` or a new ULID.

    The ID lands in ``request.state["request_id"]`` (``request.request_id``),
    in problem bodies and is echoed in the response header. An incoming ID is
    kept only when it is 1-128 safe characters (letters, digits, ``._:/+=@-``);
    anything else is replaced, so a client cannot inject text into logs or
    headers. ``trust_incoming=False`` always makes a new one.
    """

    def __init__(
        self,
        app: AsgiApp,
        *,
        header: str = "X-Request-ID",
        generate: Callable[[], str] = _default_request_id,
        trust_incoming: bool = True,
    ) -> None:
        self.app = app
        self.header = header.lower().encode("latin-1")
        self.generate = generate
        self.trust_incoming = trust_incoming

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = scope_header(scope, self.header) if self.trust_incoming else None
        request_id = incoming if incoming and _SAFE_ID.match(incoming) else self.generate()
        scope_state(scope)["request_id"] = request_id
        header = (self.header, request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(k == self.header for k, _ in headers):
                    headers.append(header)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyLimitMiddleware:
    """Refuses request bodies over ``max_body_bytes`` with 413, while they arrive.

    A Content-Length over the limit is refused before the app runs; a body
    without one (chunked) is counted as the app reads it, and reading past the
    limit raises the 413 there. An :class:`App` enforces its own
    ``max_body_bytes`` too; this middleware bounds any ASGI app.
    """

    def __init__(self, app: AsgiApp, *, max_body_bytes: int) -> None:
        if not (isinstance(max_body_bytes, int) and max_body_bytes >= 0):
            raise ValidationError(
                "max_body_bytes is a number of bytes",
                field="max_body_bytes",
                actual=repr(max_body_bytes),
            )
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        try:
            check_declared_length(scope, limit)
        except HttpProblem as exc:
            await send_problem(exc, scope, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise body_too_large(limit, scope.get("path"))
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except HttpProblem as exc:
            if started or exc.http_status != 413:
                raise
            await send_problem(exc, scope, send)


def _has_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class TimeoutMiddleware:
    """A 504 problem when the app has not started its response within ``timeout`` seconds.

    By default the deadline covers the time to the first byte only, so a long
    stream (LLM tokens over SSE) that started in time is not cut;
    ``whole_response=True`` makes it cover the whole exchange (a stream past
    the deadline is then aborted). See the module docstring for what a deadline
    means in each runtime.
    """

    def __init__(self, app: AsgiApp, *, timeout: float, whole_response: bool = False) -> None:
        self.app = app
        self.timeout = check_number("timeout", timeout, strict=True)
        self.whole_response = whole_response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # asyncio.timeout cancels the current task: without a loop running this
        # coroutine as a task (driven by hand) there is nothing to time it with.
        if scope["type"] != "http" or not _has_loop() or asyncio.current_task() is None:
            await self.app(scope, receive, send)
            return
        await self._with_deadline(scope, receive, send)

    async def _with_deadline(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False
        deadline: Any = None

        async def timed_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not self.whole_response and deadline is not None:
                    deadline.reschedule(None)
            await send(message)

        try:
            async with asyncio.timeout(self.timeout) as deadline:
                await self.app(scope, receive, timed_send)
        except TimeoutError:
            if deadline is None or not deadline.expired():
                raise  # the app's own TimeoutError, not this deadline
            problem = HttpProblem(
                f"the request did not complete within {self.timeout:g} s",
                status=504,
                url=scope.get("path"),
            )
            if started:
                raise problem from None
            await send_problem(problem, scope, send)
