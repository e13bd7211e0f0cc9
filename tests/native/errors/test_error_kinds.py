"""The error tree: kinds, fields, retryability, display, dict and pickle round trips."""

from __future__ import annotations

import errno
import json
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra_portable.errors import (
    AuthError,
    AuthErrorKind,
    ConfigError,
    CryptoError,
    CryptoOperation,
    ErrorKind,
    ExternalError,
    HttpError,
    InfraError,
    IoError,
    IoOperation,
    MessageQueueError,
    MqOperation,
    SchemaError,
    SerializationError,
    ValidationError,
    VectorError,
    VectorOperation,
)

EXAMPLES: list[InfraError] = [
    ConfigError("missing", key="http.timeout"),
    HttpError("bad gateway", status=502, url="https://api.example/v1"),
    HttpError("refused", url="https://api.example/v1"),
    VectorError("dimension mismatch", operation=VectorOperation.INSERT, dimensions=128),
    AuthError("expired", auth_kind=AuthErrorKind.TOKEN_EXPIRED, identity="alice"),
    CryptoError("tag mismatch", operation=CryptoOperation.DECRYPT),
    IoError("not found", operation=IoOperation.READ, path="/etc/x", errno=errno.ENOENT),
    SerializationError("Expecting value", line=3, column=7, offset=20),
    ValidationError("too long", field="name", expected="<= 10 chars", actual="11 chars"),
    ExternalError("overloaded", service="openai", operation="chat", retry_after_s=2.5),
    MessageQueueError("disconnected", queue="jobs", operation=MqOperation.PUBLISH),
    SchemaError("required property 'id'", schema_id="user", path="/id"),
]


def test_every_kind_has_an_example_and_error_type() -> None:
    assert {e.kind for e in EXAMPLES} == set(ErrorKind)
    for error in EXAMPLES:
        assert error.error_type == error.kind.value
        assert isinstance(error, InfraError)
        assert isinstance(error, Exception)


def test_base_class_is_abstract() -> None:
    with pytest.raises(TypeError):
        InfraError("no kind")


def test_unknown_field_is_rejected() -> None:
    with pytest.raises(TypeError):
        ValidationError("x", colour="red")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (ConfigError("missing", key="db.url"), "Configuration error for 'db.url': missing"),
        (ConfigError("missing"), "Configuration error: missing"),
        (HttpError("boom", status=503, url="http://h/x"), "HTTP 503 error for http://h/x: boom"),
        (HttpError("boom"), "HTTP error: boom"),
        (VectorError("bad", operation="search"), "Vector search error: bad"),
        (AuthError("no", auth_kind="rate_limited"), "Authentication error (rate_limited): no"),
        (
            SerializationError("oops", line=1, column=2),
            "JSON serialization error at line 1 column 2: oops",
        ),
        (
            ValidationError("bad", field="age", expected="int", actual="str"),
            "Validation error for 'age': bad (expected int, got str)",
        ),
        (
            ExternalError("down", service="s3", operation="put"),
            "External service error (s3.put): down",
        ),
        (
            MessageQueueError("x", queue="q", operation="publish"),
            "Message queue publish error on 'q': x",
        ),
        (SchemaError("x", path="/a"), "Schema error at /a: x"),
        (IoError("denied", operation="write", path="/x"), "I/O write error for /x: denied"),
        (CryptoError("bad tag", operation="decrypt"), "Crypto decrypt error: bad tag"),
    ],
)
def test_readable_str(error: InfraError, text: str) -> None:
    assert str(error) == text


@pytest.mark.parametrize(
    ("error", "retryable", "after"),
    [
        (HttpError("x", status=500), True, None),
        (HttpError("x", status=503), True, None),
        (HttpError("x", status=429), True, 30.0),
        (HttpError("x", status=429, retry_after_s=3), True, 3.0),
        (HttpError("x", status=404), False, None),
        (HttpError("x", status=400), False, None),
        (HttpError("connection refused"), True, None),
        (ExternalError("x", service="s"), False, None),
        (ExternalError("x", service="s", retry_after_s=1.5), True, 1.5),
        (AuthError("x", auth_kind=AuthErrorKind.RATE_LIMITED), True, 60.0),
        (AuthError("x", auth_kind=AuthErrorKind.RATE_LIMITED, retry_after_s=5), True, 5.0),
        (AuthError("x", auth_kind=AuthErrorKind.TOKEN_EXPIRED), False, None),
        (IoError("x", errno=errno.ETIMEDOUT), True, None),
        (IoError("x", errno=errno.ENOENT), False, None),
        (MessageQueueError("x"), True, None),
        (ValidationError("x"), False, None),
        (ConfigError("x"), False, None),
        (CryptoError("x"), False, None),
        (SchemaError("x"), False, None),
        (SerializationError("x"), False, None),
        (VectorError("x"), False, None),
    ],
)
def test_retryability_follows_the_seed(
    error: InfraError, retryable: bool, after: float | None
) -> None:
    assert error.is_retryable is retryable
    assert error.retry_after == after


def test_context_chaining_reads_outermost_first() -> None:
    error = ConfigError("missing", key="k").add_context("reading config.toml")
    error.add_context("starting the gateway")
    assert error.context == ["reading config.toml", "starting the gateway"]
    assert str(error).endswith("(while starting the gateway; while reading config.toml)")


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_dict_round_trip_through_json_text(error: InfraError) -> None:
    error.add_context("doing something")
    data = json.loads(json.dumps(error.to_dict()))
    assert data["type"] == f"urn:infra-portable:error:{error.kind.value}"
    assert data["detail"] == str(error)
    assert data["retryable"] == error.is_retryable
    assert isinstance(data["status"], int)
    restored = InfraError.from_dict(data)
    assert type(restored) is type(error)
    assert restored == error
    assert restored.retry_after == error.retry_after


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_pickle_round_trip(error: InfraError) -> None:
    restored = pickle.loads(pickle.dumps(error))
    assert restored == error
    assert str(restored) == str(error)


def test_cause_is_summarised_and_nested_infra_cause_restored() -> None:
    inner = HttpError("bad", status=502, url="http://x")
    outer = ExternalError("provider failed", service="llm")
    outer.__cause__ = inner
    data = outer.to_dict()
    assert data["cause"]["kind"] == "http"
    restored = InfraError.from_dict(data)
    assert restored.__cause__ == inner

    foreign = ValidationError("bad")
    foreign.__cause__ = KeyError("k")
    assert foreign.to_dict()["cause"] == {"type": "KeyError", "detail": "'k'"}


def test_http_status_suggestions() -> None:
    assert ValidationError("x").to_dict()["status"] == 422
    assert AuthError("x").to_dict()["status"] == 401
    assert AuthError("x", auth_kind="insufficient_permissions").to_dict()["status"] == 403
    assert AuthError("x", auth_kind="rate_limited").to_dict()["status"] == 429
    # errno values differ between platforms (WASI's ENOENT is not 2): use the names.
    assert IoError("x", errno=errno.ENOENT).to_dict()["status"] == 404
    assert ExternalError("x", retry_after_s=1).to_dict()["status"] == 503


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "nope", "message": "x"},
        {"message": "x"},
        {"kind": "vector", "message": "x", "fields": {"operation": "explode"}},
        {"kind": "http", "message": "x", "fields": ["not", "a", "map"]},
        "not a mapping",
    ],
)
def test_from_dict_rejects_bad_input_with_validation_error(bad: object) -> None:
    with pytest.raises(ValidationError):
        InfraError.from_dict(bad)  # type: ignore[arg-type]


def test_from_dict_ignores_unknown_fields_for_forward_compatibility() -> None:
    error = InfraError.from_dict(
        {"kind": "config", "message": "m", "fields": {"key": "k", "new": 1}}
    )
    assert error == ConfigError("m", key="k")


def test_enum_fields_accept_strings_and_reject_unknown_values() -> None:
    assert VectorError("x", operation="insert").operation is VectorOperation.INSERT
    with pytest.raises(ValueError):
        VectorError("x", operation="explode")


@given(
    message=st.text(max_size=50),
    field=st.none() | st.text(max_size=20),
    context=st.lists(st.text(max_size=20), max_size=3),
)
def test_validation_error_round_trips_any_text(
    message: str, field: str | None, context: list[str]
) -> None:
    error = ValidationError(message, field=field)
    for c in context:
        error.add_context(c)
    assert InfraError.from_dict(json.loads(json.dumps(error.to_dict()))) == error
    assert pickle.loads(pickle.dumps(error)) == error


def test_io_errno_travels_as_a_portable_name() -> None:
    error = IoError("missing", path="/x", errno=errno.ENOENT)
    data = json.loads(json.dumps(error.to_dict()))
    assert data["fields"]["errno"] == "ENOENT"
    assert error.errno_name == "ENOENT"
    # Another runtime sends the name; it maps back to this platform's number.
    restored = InfraError.from_dict(data)
    assert isinstance(restored, IoError)
    assert restored.errno == errno.ENOENT
    assert IoError("x", errno="ETIMEDOUT").is_retryable
    assert IoError("x", errno="ENOT_A_REAL_NAME").errno is None
    assert IoError("x", errno=99999).fields["errno"] == 99999  # no name: the number stays
