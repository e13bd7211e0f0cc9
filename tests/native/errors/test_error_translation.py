"""translate_errors: foreign exceptions become the most specific InfraError, from exc."""

from __future__ import annotations

import errno
import json

import pytest

from infra_portable.errors import (
    CryptoError,
    ExternalError,
    HttpError,
    InfraError,
    IoError,
    SerializationError,
    ValidationError,
    error_context,
    register_translator,
    translate_error,
    translate_errors,
)


def test_json_decode_error_becomes_serialization_with_position() -> None:
    with pytest.raises(SerializationError) as info, translate_errors():
        json.loads('{"a": 1,\n "b": }')
    assert (info.value.line, info.value.column) == (2, 7)
    assert isinstance(info.value.__cause__, json.JSONDecodeError)


def test_most_specific_translator_wins() -> None:
    # JSONDecodeError is a ValueError: the JSON translator must win.
    assert isinstance(translate_error(json.JSONDecodeError("m", "doc", 0)), SerializationError)
    assert isinstance(translate_error(ValueError("m")), ValidationError)
    # FileNotFoundError is an OSError.
    error = translate_error(FileNotFoundError(errno.ENOENT, "No such file", "/x"))
    assert isinstance(error, IoError)
    assert (error.path, error.errno) == ("/x", errno.ENOENT)


def test_timeout_error_is_retryable_io() -> None:
    error = translate_error(TimeoutError("timed out"))
    assert isinstance(error, IoError)
    assert error.is_retryable


def test_hints_fill_fields() -> None:
    error = translate_error(
        PermissionError(errno.EACCES, "denied"), path="/data", operation="write"
    )
    assert isinstance(error, IoError)
    assert error.path == "/data"
    assert error.operation is not None
    assert error.operation.value == "write"
    assert error.http_status == 403
    assert isinstance(translate_error(ConnectionRefusedError(), url="http://x"), HttpError)
    error = translate_error(ValueError("bad"), field="age")
    assert isinstance(error, ValidationError)
    assert error.field == "age"


def test_unicode_error_is_serialization() -> None:
    with pytest.raises(SerializationError), translate_errors():
        b"\xff".decode("utf-8")


def test_unknown_exception_becomes_external_with_cause() -> None:
    class Weird(Exception):
        pass

    with pytest.raises(ExternalError) as info, translate_errors(service="thing"):
        raise Weird("odd")
    assert info.value.service == "thing"
    assert isinstance(info.value.__cause__, Weird)
    assert "Weird: odd" in str(info.value)


def test_infra_errors_and_base_exceptions_pass_through() -> None:
    original = ValidationError("mine")
    with pytest.raises(ValidationError) as info, translate_errors():
        raise original
    assert info.value is original
    with pytest.raises(KeyboardInterrupt), translate_errors():
        raise KeyboardInterrupt


def test_recursion_and_memory_errors_are_validation() -> None:
    assert isinstance(translate_error(RecursionError()), ValidationError)
    assert isinstance(translate_error(MemoryError()), ValidationError)


def test_foreign_libraries_are_recognised_by_name_without_importing_them() -> None:
    # A stand-in with the same qualified name as cryptography's exception.
    invalid_tag = type("InvalidTag", (Exception,), {"__module__": "cryptography.exceptions"})
    error = translate_error(invalid_tag())
    assert isinstance(error, CryptoError)
    assert "tag" in error.message

    status_error = type("HTTPStatusError", (Exception,), {"__module__": "httpx"})
    exc = status_error("Server error '503'")
    exc.response = type("R", (), {"status_code": 503, "headers": {"retry-after": "7"}})()  # type: ignore[attr-defined]
    exc.request = type("Q", (), {"url": "https://api/x"})()  # type: ignore[attr-defined]
    error = translate_error(exc)
    assert isinstance(error, HttpError)
    assert (error.status, error.url, error.retry_after) == (503, "https://api/x", 7.0)

    js_exception = type("JsException", (Exception,), {"__module__": "pyodide.ffi"})
    exc = js_exception("TypeError: Failed to fetch")
    exc.name = "TypeError"  # type: ignore[attr-defined]
    exc.message = "Failed to fetch"  # type: ignore[attr-defined]
    error = translate_error(exc, url="https://x")
    assert isinstance(error, HttpError)
    assert error.is_retryable


def test_register_translator_extends_the_table() -> None:
    class BrokerDown(Exception):
        pass

    name = f"{BrokerDown.__module__}.{BrokerDown.__qualname__}"
    register_translator(
        name, lambda exc, hints: ExternalError(str(exc), service="broker", retry_after_s=1.0)
    )
    error = translate_error(BrokerDown("gone"))
    assert isinstance(error, ExternalError)
    assert error.is_retryable


def test_error_context_adds_what_the_caller_was_doing() -> None:
    with (
        pytest.raises(InfraError) as info,
        error_context("loading settings"),
        translate_errors(path="/cfg"),
    ):
        raise FileNotFoundError(errno.ENOENT, "missing")
    assert info.value.context == ["loading settings"]
    assert "while loading settings" in str(info.value)
