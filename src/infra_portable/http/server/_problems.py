"""Errors as HTTP answers: RFC 9457 problem details built from ``InfraError.to_dict()``.

Two rules hold for every response the toolkit sends:

* an :class:`~infra_portable.errors.InfraError` becomes its ``http_status``
  with its problem object (``application/problem+json``), plus
  ``Retry-After`` when the error knows when to retry;
* any other exception becomes a bare 500 problem: the exception's type, text
  and traceback go to the log (logger ``infra_portable.http.server``), never to
  the client. A foreign exception chained as an InfraError's ``cause`` is
  dropped from the body for the same reason.

:class:`HttpProblem` is the error a handler raises to answer with a given
status (404 for an unknown model, 409 for a conflict...).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from typing import Any

from infra_portable.errors import HttpError, InfraError, ValidationError
from infra_portable.http._types import reason_phrase
from infra_portable.http.server._asgi import Scope, Send, encode_headers

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "HttpProblem",
    "LOGGER",
    "log_error",
    "problem_body",
    "problem_for",
    "send_problem",
]

PROBLEM_CONTENT_TYPE = "application/problem+json"
LOGGER = logging.getLogger("infra_portable.http.server")


class HttpProblem(HttpError):
    """An HTTP error the server answers with: ``status`` is the status sent.

    It is an :class:`~infra_portable.errors.HttpError` (kind ``http``), so a
    client that rebuilds the problem with ``InfraError.from_dict`` gets an
    HttpError with the same status. ``headers`` are added to the response
    (``Allow`` for a 405...).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        url: str | None = None,
        retry_after_s: float | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        if not (isinstance(status, int) and 400 <= status <= 599):
            raise ValidationError(
                "an HttpProblem status is an HTTP error status",
                field="status",
                expected="400-599",
                actual=repr(status),
            )
        super().__init__(message, status=status, url=url, retry_after_s=retry_after_s)
        pairs = headers.items() if isinstance(headers, Mapping) else (headers or ())
        self.headers: list[tuple[str, str]] = [(str(k), str(v)) for k, v in pairs]

    @property
    def http_status(self) -> int:  # type: ignore[override]
        return self.status or 400

    @property
    def title(self) -> str:  # type: ignore[override]
        return reason_phrase(self.http_status) or "HTTP error"


def _without_foreign_causes(problem: dict[str, Any]) -> dict[str, Any]:
    node = problem
    while True:
        cause = node.get("cause")
        if not isinstance(cause, dict):
            return problem
        if "kind" not in cause:  # a foreign exception's type and text: internal detail
            del node["cause"]
            return problem
        node = cause


def problem_body(exc: BaseException, scope: Scope) -> tuple[int, dict[str, Any]]:
    """The status and RFC 9457 object for ``exc`` (no internals for a foreign exception)."""
    if isinstance(exc, InfraError):
        status = exc.http_status
        if not (isinstance(status, int) and 400 <= status <= 599):
            status = 500
        body = _without_foreign_causes(exc.to_dict())
        body["status"] = status
    else:
        status = 500
        body = {
            "type": "about:blank",
            "title": reason_phrase(500),
            "status": 500,
            "detail": "the server failed to handle this request",
        }
    path = scope.get("path")
    if isinstance(path, str):
        body["instance"] = path
    request_id = (scope.get("state") or {}).get("request_id")
    if request_id is not None:
        body["request_id"] = request_id
    return status, body


def log_error(exc: BaseException, scope: Scope, status: int) -> None:
    """Log what a problem answer hides: a foreign exception with its traceback."""
    where = f"{scope.get('method', '?')} {scope.get('path', '?')}"
    request_id = (scope.get("state") or {}).get("request_id")
    tag = f" (request {request_id})" if request_id else ""
    if not isinstance(exc, InfraError):
        LOGGER.error("unhandled %s in %s%s", type(exc).__name__, where, tag, exc_info=exc)
    elif status >= 500:
        LOGGER.warning("%s answered %d: %s%s", where, status, exc, tag)
    else:
        LOGGER.debug("%s answered %d: %s%s", where, status, exc, tag)


def problem_for(exc: BaseException, scope: Scope) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and encoded body of the problem answering ``exc`` (logged)."""
    from infra_portable.json import dumpb

    status, body = problem_body(exc, scope)
    log_error(exc, scope, status)
    headers = [("content-type", PROBLEM_CONTENT_TYPE)]
    if isinstance(exc, InfraError):
        retry_after = exc.retry_after
        if retry_after is not None and math.isfinite(retry_after) and retry_after >= 0:
            headers.append(("retry-after", str(math.ceil(retry_after))))
        if isinstance(exc, HttpProblem):
            headers.extend(exc.headers)
    payload = dumpb(body)
    headers.append(("content-length", str(len(payload))))
    return status, headers, payload


async def send_problem(exc: BaseException, scope: Scope, send: Send) -> None:
    """Answer ``exc`` as a problem response (the body left out for HEAD)."""
    status, headers, payload = problem_for(exc, scope)
    await send(
        {"type": "http.response.start", "status": status, "headers": encode_headers(headers)}
    )
    body = b"" if scope.get("method") == "HEAD" else payload
    await send({"type": "http.response.body", "body": body, "more_body": False})
