"""Turning foreign exceptions into InfraError at the library's boundary.

``translate_errors()`` is the one context manager that does it. It walks the
exception's class hierarchy from most to least specific and uses the first
translator registered for a class, so ``json.JSONDecodeError`` wins over
``ValueError`` and ``TimeoutError`` wins over ``OSError``. Translators are keyed
by the class's qualified name, so optional libraries (httpx, cryptography,
Pyodide's ``JsException``) are recognised without importing them.

Hints given to ``translate_errors`` (``path``, ``url``, ``operation``,
``service``, ``field``...) fill fields the foreign exception cannot know.
"""

from __future__ import annotations

import contextlib
import errno as _errno
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from infra_portable.errors._base import (
    CryptoError,
    ExternalError,
    HttpError,
    InfraError,
    IoError,
    SerializationError,
    ValidationError,
)

__all__ = ["error_context", "register_translator", "translate_error", "translate_errors"]

Translator = Callable[[BaseException, dict[str, Any]], InfraError]

_TRANSLATORS: dict[str, Translator] = {}


def register_translator(qualified_name: str, translator: Translator) -> None:
    """Map exceptions of the class ``module.QualName`` (and subclasses) to InfraError."""
    _TRANSLATORS[qualified_name] = translator


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def translate_error(exc: BaseException, **hints: Any) -> InfraError:
    """The most specific InfraError for ``exc`` (not raised; ``__cause__`` set)."""
    if isinstance(exc, InfraError):
        return exc
    for cls in type(exc).__mro__:
        translator = _TRANSLATORS.get(_qualified(cls))
        if translator is not None:
            error = translator(exc, hints)
            break
    else:
        error = ExternalError(
            f"{type(exc).__name__}: {exc}",
            service=hints.get("service"),
            operation=_str_or_none(hints.get("operation")),
        )
    error.__cause__ = exc
    return error


@contextmanager
def translate_errors(**hints: Any) -> Iterator[None]:
    """Re-raise any non-InfraError exception from the block as an InfraError.

    ``KeyboardInterrupt``, ``SystemExit``, ``GeneratorExit`` and asyncio
    cancellation pass through untouched.
    """
    try:
        yield
    except InfraError:
        raise
    except Exception as exc:
        if type(exc).__name__ == "CancelledError":
            raise
        raise translate_error(exc, **hints) from exc


@contextmanager
def error_context(what: str) -> Iterator[None]:
    """Add ``what`` to the context of any InfraError raised in the block."""
    try:
        yield
    except InfraError as exc:
        exc.add_context(what)
        raise


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


# -- stdlib ------------------------------------------------------------------


def _from_json_decode(exc: BaseException, hints: dict[str, Any]) -> InfraError:
    msg = getattr(exc, "msg", str(exc))
    pos = getattr(exc, "pos", None)
    return SerializationError(
        str(msg),
        line=getattr(exc, "lineno", None),
        column=getattr(exc, "colno", None),
        offset=pos if isinstance(pos, int) else None,
    )


def _from_unicode(exc: BaseException, hints: dict[str, Any]) -> InfraError:
    start = getattr(exc, "start", None)
    return SerializationError(
        f"invalid text encoding: {exc}", offset=start if isinstance(start, int) else None
    )


def _from_os_error(exc: BaseException, hints: dict[str, Any]) -> InfraError:
    assert isinstance(exc, OSError)
    path = hints.get("path") or exc.filename
    number = exc.errno
    if isinstance(exc, TimeoutError) and number is None:
        number = _errno.ETIMEDOUT
    if hints.get("url") is not None:
        return HttpError(exc.strerror or str(exc), url=str(hints["url"]))
    return IoError(
        exc.strerror or str(exc),
        operation=hints.get("operation"),
        path=None if path is None else str(path),
        errno=number,
    )


def _from_value_error(exc: BaseException, hints: dict[str, Any]) -> InfraError:
    return ValidationError(
        str(exc),
        field=hints.get("field"),
        expected=hints.get("expected"),
        actual=type(exc).__name__ if hints.get("field") is None else None,
    )


def _from_overflow(exc: BaseException, hints: dict[str, Any]) -> InfraError:
    return ValidationError(str(exc) or "value out of range", field=hints.get("field"))


def _from_recursion(exc: BaseException, hints: dict[str, Any]) -> InfraError:
    return ValidationError("input nested too deeply", field=hints.get("field"))


def _from_memory(exc: BaseException, hints: dict[str, Any]) -> InfraError:
    return ValidationError("input too large to process", field=hints.get("field"))


# -- optional libraries, recognised by name ---------------------------------


def _from_httpx_status(exc: BaseException, hints: dict[str, Any]) -> InfraError:
    response = getattr(exc, "response", None)
    request = getattr(exc, "request", None)
    status = getattr(response, "status_code", None)
    url = getattr(request, "url", None) or hints.get("url")
    retry_after = _parse_retry_after(getattr(response, "headers", {}).get("retry-after"))
    return HttpError(str(exc), status=status, url=str(url), retry_after_s=retry_after)


def _from_httpx_transport(exc: BaseException, hints: dict[str, Any]) -> InfraError:
    url = hints.get("url")
    # httpx raises RuntimeError from .request when the error has no request.
    with contextlib.suppress(Exception):
        url = exc.request.url  # type: ignore[attr-defined]
    return HttpError(f"{type(exc).__name__}: {exc}", url=None if url is None else str(url))


def _from_crypto(exc: BaseException, hints: dict[str, Any]) -> InfraError:
    message = {
        "InvalidSignature": "signature does not match",
        "InvalidTag": "authentication tag does not match (data tampered or wrong key)",
    }.get(type(exc).__name__, str(exc) or type(exc).__name__)
    return CryptoError(message, operation=hints.get("operation"))


def _from_js(exc: BaseException, hints: dict[str, Any]) -> InfraError:
    # Pyodide's JsException carries the JS error's name ("TypeError", "AbortError").
    name = str(getattr(exc, "name", "") or "Error")
    message = str(getattr(exc, "message", "") or exc)
    if hints.get("url") is not None:
        return HttpError(f"{name}: {message}", url=str(hints["url"]))
    return ExternalError(
        f"{name}: {message}",
        service=hints.get("service") or "javascript",
        operation=_str_or_none(hints.get("operation")),
    )


def _parse_retry_after(value: Any) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None  # HTTP-date form: the http module (issue 4) handles dates
    return max(seconds, 0.0)


for _name, _translator in {
    "json.decoder.JSONDecodeError": _from_json_decode,
    "ujson.JSONDecodeError": _from_json_decode,
    "builtins.UnicodeError": _from_unicode,
    "builtins.OSError": _from_os_error,
    "builtins.ValueError": _from_value_error,
    "builtins.TypeError": _from_value_error,
    "builtins.KeyError": _from_value_error,
    "builtins.IndexError": _from_value_error,
    "builtins.OverflowError": _from_overflow,
    "builtins.RecursionError": _from_recursion,
    "builtins.MemoryError": _from_memory,
    "httpx.HTTPStatusError": _from_httpx_status,
    "httpx.TransportError": _from_httpx_transport,
    "httpx.TimeoutException": _from_httpx_transport,
    "cryptography.exceptions.InvalidSignature": _from_crypto,
    "cryptography.exceptions.InvalidTag": _from_crypto,
    "cryptography.exceptions.InvalidKey": _from_crypto,
    "pyodide.ffi.JsException": _from_js,
    "_pyodide_core.JsException": _from_js,
}.items():
    register_translator(_name, _translator)
