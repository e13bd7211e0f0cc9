"""Errors as RFC 9457 problems: InfraError mapping, 500 without internals, ErrorMiddleware."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from infra_portable.errors import (
    AuthError,
    AuthErrorKind,
    ConfigError,
    ExternalError,
    HttpError,
    InfraError,
    ValidationError,
)
from infra_portable.http.server import (
    App,
    ErrorMiddleware,
    HttpProblem,
    ServerRequest,
    StreamingResponse,
    problem_body,
)

SECRET = "db password is hunter2"


def _raising(exc: BaseException) -> App:
    app = App()

    @app.get("/fail")
    async def fail(request: ServerRequest) -> Any:
        raise exc

    return app


def test_foreign_exception_is_a_bare_500_and_logged(
    client_for: Any, server_log: list[logging.LogRecord]
) -> None:
    response = client_for(_raising(KeyError(SECRET))).get("/fail")
    assert response.status == 500
    assert response.headers.get("content-type") == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "the server failed to handle this request",
        "instance": "/fail",
    }
    text = response.text()
    assert SECRET not in text
    assert "KeyError" not in text
    assert "Traceback" not in text
    (record,) = server_log
    assert record.levelno == logging.ERROR
    assert "KeyError" in record.getMessage()
    assert record.exc_info is not None
    assert SECRET in str(record.exc_info[1])


@pytest.mark.parametrize(
    ("error", "status", "kind"),
    [
        (
            ValidationError("bad temperature", field="temperature", expected="0-2", actual="7"),
            422,
            "validation",
        ),
        (AuthError("no token", auth_kind=AuthErrorKind.MISSING_CREDENTIALS), 401, "auth"),
        (AuthError("not yours", auth_kind=AuthErrorKind.INSUFFICIENT_PERMISSIONS), 403, "auth"),
        (HttpError("upstream refused", status=503, url="https://llm.example/v1"), 502, "http"),
        (ConfigError("missing setting", key="router.default"), 500, "config"),
        (HttpProblem("no such model", status=404), 404, "http"),
        (HttpProblem("busy", status=409), 409, "http"),
    ],
)
def test_infra_errors_answer_with_their_status_and_problem(
    client_for: Any, server_log: list[logging.LogRecord], error: InfraError, status: int, kind: str
) -> None:
    response = client_for(_raising(error)).get("/fail")
    # a server-side failure is a warning in the log, a client's mistake only debug
    assert [r.levelno for r in server_log] == [logging.WARNING if status >= 500 else logging.DEBUG]
    assert response.status == status
    assert response.headers.get("content-type") == "application/problem+json"
    problem = response.json()
    expected = error.to_dict()
    expected["status"] = status
    expected["instance"] = "/fail"
    assert problem == expected
    assert problem["kind"] == kind
    rebuilt = InfraError.from_dict(problem)  # a client gets the same kind and fields back
    assert type(rebuilt).__name__ == (
        "HttpError" if isinstance(error, HttpError) else type(error).__name__
    )
    assert rebuilt.message == error.message


def test_retry_after_header_from_the_error(client_for: Any) -> None:
    limited = AuthError("slow down", auth_kind=AuthErrorKind.RATE_LIMITED, retry_after_s=2.5)
    response = client_for(_raising(limited)).get("/fail")
    assert (response.status, response.headers.get("retry-after")) == (429, "3")
    overloaded = ExternalError("model busy", service="llm", retry_after_s=10)
    response = client_for(_raising(overloaded)).get("/fail")
    assert (response.status, response.headers.get("retry-after")) == (503, "10")
    assert (
        client_for(_raising(HttpProblem("x", status=404))).get("/fail").headers.get("retry-after")
        is None
    )


def test_a_foreign_cause_is_not_shown(client_for: Any) -> None:
    try:
        try:
            raise OSError(SECRET)
        except OSError as exc:
            raise ExternalError("the vector store failed", service="vectors") from exc
    except ExternalError as chained:
        error = chained
    response = client_for(_raising(error)).get("/fail")
    assert response.status == 502
    assert SECRET not in response.text()
    assert "cause" not in response.json()
    # an InfraError cause is part of the problem, as to_dict() gives it
    inner = ValidationError("bad input", field="x")
    outer = ExternalError("wrapped", service="s")
    outer.__cause__ = inner
    problem = client_for(_raising(outer)).get("/fail").json()
    assert problem["cause"]["kind"] == "validation"


def test_http_problem_carries_headers_and_checks_its_status() -> None:
    problem = HttpProblem("gone", status=410, headers={"Link": "</v2>; rel=successor-version"})
    assert problem.http_status == 410
    assert problem.headers == [("Link", "</v2>; rel=successor-version")]
    assert problem.is_retryable is False
    assert HttpProblem("late", status=504).is_retryable is True
    for status in (200, 399, 600, "404"):
        with pytest.raises(ValidationError):
            HttpProblem("x", status=status)  # type: ignore[arg-type]


def test_problem_body_for_a_scope() -> None:
    status, body = problem_body(RuntimeError(SECRET), {"path": "/p", "state": {"request_id": "r1"}})
    assert status == 500
    assert body["request_id"] == "r1"
    assert SECRET not in str(body)


def test_head_problems_have_no_body(client_for: Any) -> None:
    response = client_for(App()).head("/nothing")
    assert response.status == 404
    assert response.content == b""
    assert int(response.headers.get("content-length") or 0) > 0


def test_error_middleware_guards_any_asgi_app(run_coro: Any, asgi: Any, scope: Any) -> None:
    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise ZeroDivisionError(SECRET)

    call = run_coro(asgi(ErrorMiddleware(broken), scope("GET", "/x")))
    assert call.status == 500
    assert SECRET not in call.body.decode()

    async def broken_later(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise ZeroDivisionError(SECRET)

    # the status is sent already: re-raised so the server aborts the connection
    with pytest.raises(ZeroDivisionError):
        run_coro(asgi(ErrorMiddleware(broken_later), scope("GET", "/x")))


def test_failing_middleware_still_gets_a_problem(client_for: Any) -> None:
    class Exploding:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            raise RuntimeError(SECRET)

    app = App()
    app.route("GET", "/", lambda request: "ok")
    app.add_middleware(Exploding)
    response = client_for(app).get("/")
    assert response.status == 500
    assert SECRET not in response.text()


def test_a_stream_failing_after_start_aborts(run_coro: Any, asgi: Any, scope: Any) -> None:
    async def chunks() -> Any:
        yield b"partial"
        raise RuntimeError(SECRET)

    app = App()
    app.route("GET", "/s", lambda request: StreamingResponse(chunks()))
    with pytest.raises(RuntimeError):
        run_coro(asgi(app, scope("GET", "/s")))
