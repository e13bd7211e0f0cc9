"""Layer 0: the unified error model, its translation helper, retry and circuit breaking.

See ``_base`` for the error tree. Everything here is pure Python and imports
nothing outside the standard library, so it works the same in every runtime.
"""

from __future__ import annotations

from infra_portable.errors._base import (
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
    SerializationFormat,
    ValidationError,
    VectorError,
    VectorOperation,
)
from infra_portable.errors._breaker import CircuitBreaker, CircuitState, default_is_failure
from infra_portable.errors._checks import check_int, check_items, check_number, check_seed
from infra_portable.errors._retry import RetryPolicy, default_retry_on, retry, retry_async
from infra_portable.errors._translate import (
    error_context,
    register_translator,
    translate_error,
    translate_errors,
)

__all__ = [
    # the error tree
    "InfraError",
    "ErrorKind",
    "ConfigError",
    "HttpError",
    "VectorError",
    "AuthError",
    "CryptoError",
    "IoError",
    "SerializationError",
    "ValidationError",
    "ExternalError",
    "MessageQueueError",
    "SchemaError",
    # per-kind detail enums
    "AuthErrorKind",
    "CryptoOperation",
    "IoOperation",
    "MqOperation",
    "SerializationFormat",
    "VectorOperation",
    # translation at the boundary
    "translate_errors",
    "translate_error",
    "register_translator",
    "error_context",
    # recovery
    "RetryPolicy",
    "retry",
    "retry_async",
    "default_retry_on",
    "CircuitBreaker",
    "CircuitState",
    "default_is_failure",
    # settings checks
    "check_int",
    "check_items",
    "check_number",
    "check_seed",
]
