"""The one error type of infra_portable.

Every failure that leaves the library is an :class:`InfraError`. The kinds come
from seed 002 §2.1; each kind is a subclass carrying that kind's fields::

    InfraError                      error_type      retryable when
    ├── ConfigError                 "config"        never
    ├── HttpError                   "http"          status >= 500, 429, or no response at all
    ├── VectorError                 "vector"        never
    ├── AuthError                   "auth"          auth_kind is RATE_LIMITED
    ├── CryptoError                 "crypto"        never
    ├── IoError                     "io"            the operation timed out
    ├── SerializationError          "serialization" never
    ├── ValidationError             "validation"    never
    ├── ExternalError               "external"      retry_after is known
    ├── MessageQueueError           "message_queue" always
    └── SchemaError                 "schema"        never

``to_dict()`` gives an RFC 9457 ("problem details") object that is plain JSON,
which is what JavaScript callers of the npm package see; ``from_dict()`` turns it
back into the same subclass with the same fields.
"""

from __future__ import annotations

import errno as _errno
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar, Self

__all__ = [
    "AuthError",
    "AuthErrorKind",
    "ConfigError",
    "CryptoError",
    "CryptoOperation",
    "ErrorKind",
    "ExternalError",
    "HttpError",
    "InfraError",
    "IoError",
    "IoOperation",
    "MessageQueueError",
    "MqOperation",
    "SchemaError",
    "SerializationError",
    "SerializationFormat",
    "ValidationError",
    "VectorError",
    "VectorOperation",
]

PROBLEM_TYPE_PREFIX = "urn:infra-portable:error:"

# Seed 002 §2.1: a rate-limited auth error and an HTTP 429 without a header
# suggest these waits (seconds).
RATE_LIMITED_DEFAULT_WAIT = 60.0
HTTP_429_DEFAULT_WAIT = 30.0


class ErrorKind(StrEnum):
    CONFIG = "config"
    HTTP = "http"
    VECTOR = "vector"
    AUTH = "auth"
    CRYPTO = "crypto"
    IO = "io"
    SERIALIZATION = "serialization"
    VALIDATION = "validation"
    EXTERNAL = "external"
    MESSAGE_QUEUE = "message_queue"
    SCHEMA = "schema"


class VectorOperation(StrEnum):
    INSERT = "insert"
    SEARCH = "search"
    DELETE = "delete"
    UPDATE = "update"
    INDEX = "index"
    COMPRESS = "compress"


class AuthErrorKind(StrEnum):
    INVALID_CREDENTIALS = "invalid_credentials"
    TOKEN_EXPIRED = "token_expired"
    INSUFFICIENT_PERMISSIONS = "insufficient_permissions"
    INVALID_TOKEN = "invalid_token"
    MISSING_CREDENTIALS = "missing_credentials"
    RATE_LIMITED = "rate_limited"


class CryptoOperation(StrEnum):
    ENCRYPT = "encrypt"
    DECRYPT = "decrypt"
    SIGN = "sign"
    VERIFY = "verify"
    HASH = "hash"
    KEY_GENERATION = "key_generation"


class IoOperation(StrEnum):
    READ = "read"
    WRITE = "write"
    DELETE = "delete"
    CREATE = "create"
    LIST = "list"
    WATCH = "watch"


class SerializationFormat(StrEnum):
    JSON = "json"
    TOML = "toml"
    YAML = "yaml"
    MESSAGEPACK = "messagepack"
    PROTOBUF = "protobuf"


class MqOperation(StrEnum):
    PUBLISH = "publish"
    SUBSCRIBE = "subscribe"
    ACKNOWLEDGE = "acknowledge"
    REJECT = "reject"
    CONNECT = "connect"
    DISCONNECT = "disconnect"


class InfraError(Exception):
    """Base of every error raised by infra_portable.

    ``message`` says what went wrong in a sentence; the subclass fields say where
    (the key, URL, field, path...). ``context`` lists what the caller was doing,
    innermost first, added with :meth:`add_context` or ``error_context``.
    """

    kind: ClassVar[ErrorKind]
    title: ClassVar[str] = "Infrastructure error"
    # HTTP status a server would answer with when this error reaches a client.
    http_status: ClassVar[int] = 500
    # Names of this kind's fields, in display order; set by each subclass.
    _fields: ClassVar[tuple[str, ...]] = ()
    # Field name -> enum type for fields that hold an enum.
    _enums: ClassVar[Mapping[str, type[StrEnum]]] = {}
    _by_kind: ClassVar[dict[ErrorKind, type[InfraError]]] = {}

    message: str
    context: list[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("kind")
        if kind is not None:
            InfraError._by_kind[kind] = cls

    def __init__(self, message: str, **fields: Any) -> None:
        if "kind" not in type(self).__dict__ and not hasattr(type(self), "kind"):
            raise TypeError("InfraError is abstract: raise one of its kinds (ValidationError...)")
        unknown = set(fields) - set(self._fields)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field(s) {sorted(unknown)}")
        self.message = str(message)
        self.context = []
        for name in self._fields:
            value = fields.get(name)
            enum_type = self._enums.get(name)
            if value is not None and enum_type is not None:
                value = enum_type(value)
            setattr(self, name, value)
        super().__init__(self.message)

    # -- classification ---------------------------------------------------
    @property
    def error_type(self) -> str:
        """The kind as a short string for metrics and logs (``"http"``...)."""
        return self.kind.value

    @property
    def is_retryable(self) -> bool:
        """Whether trying the same call again may succeed."""
        return False

    @property
    def retry_after(self) -> float | None:
        """Seconds to wait before retrying, when the failure says so."""
        return None

    @property
    def fields(self) -> dict[str, Any]:
        """This kind's fields (enums as their string values)."""
        return {name: _plain(getattr(self, name)) for name in self._fields}

    # -- context ----------------------------------------------------------
    def add_context(self, what: str) -> Self:
        """Record what the caller was doing; returns self so it can be re-raised."""
        self.context.append(str(what))
        return self

    # -- display ----------------------------------------------------------
    def _headline(self) -> str:
        return f"{self.title}: {self.message}"

    def __str__(self) -> str:
        text = self._headline()
        if self.context:
            text += " (while " + "; while ".join(reversed(self.context)) + ")"
        return text

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        parts += [f"{k}={v!r}" for k, v in self.fields.items() if v is not None]
        return f"{type(self).__name__}({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InfraError):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.message == other.message
            and self.fields == other.fields
            and self.context == other.context
        )

    __hash__ = Exception.__hash__

    # -- JSON-safe form (RFC 9457 problem details) --------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe RFC 9457 problem object with the kind's fields.

        Standard members: ``type``, ``title``, ``status``, ``detail``. Extension
        members: ``kind``, ``message``, ``fields``, ``context``, ``retryable``,
        ``retry_after`` and ``cause`` (the chained exception, summarised).
        """
        problem: dict[str, Any] = {
            "type": PROBLEM_TYPE_PREFIX + self.kind.value,
            "title": self.title,
            "status": self.http_status,
            "detail": str(self),
            "kind": self.kind.value,
            "message": self.message,
            "fields": {k: v for k, v in self.fields.items() if v is not None},
            "context": list(self.context),
            "retryable": self.is_retryable,
            "retry_after": self.retry_after,
        }
        cause = self.__cause__
        if isinstance(cause, InfraError):
            problem["cause"] = cause.to_dict()
        elif cause is not None:
            problem["cause"] = {"type": type(cause).__name__, "detail": str(cause)}
        return problem

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InfraError:
        """Rebuild an error from :meth:`to_dict` output (JSON round trip safe)."""
        if not isinstance(data, Mapping):
            raise ValidationError(
                "an error object must be a mapping", field="error", actual=type(data).__name__
            )
        kind_name = data.get("kind")
        try:
            target = InfraError._by_kind[ErrorKind(str(kind_name))]
        except (ValueError, KeyError):
            raise ValidationError(
                "unknown error kind",
                field="kind",
                expected=", ".join(k.value for k in ErrorKind),
                actual=repr(kind_name),
            ) from None
        fields = data.get("fields") or {}
        if not isinstance(fields, Mapping):
            raise ValidationError("error fields must be a mapping", field="fields")
        known = {k: v for k, v in fields.items() if k in target._fields}
        try:
            error = target(str(data.get("message", "")), **known)
        except ValueError as exc:
            raise ValidationError(str(exc), field="fields") from None
        error.context = [str(c) for c in data.get("context") or []]
        cause = data.get("cause")
        if isinstance(cause, Mapping) and "kind" in cause:
            error.__cause__ = InfraError.from_dict(cause)
        return error

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle their args by default, which loses keyword fields.
        return (_restore, (type(self), self.message, self.fields, self.context))


def _restore(
    cls: type[InfraError], message: str, fields: dict[str, Any], context: list[str]
) -> InfraError:
    error = cls(message, **fields)
    error.context = list(context)
    return error


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value


# ---------------------------------------------------------------------------
# The kinds
# ---------------------------------------------------------------------------


class ConfigError(InfraError):
    """A configuration value is missing, unreadable or of the wrong type."""

    kind = ErrorKind.CONFIG
    title = "Configuration error"
    _fields = ("key",)
    key: str | None

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message, key=key)

    def _headline(self) -> str:
        if self.key:
            return f"Configuration error for '{self.key}': {self.message}"
        return super()._headline()


class HttpError(InfraError):
    """An HTTP exchange failed: an error status, or no response at all (status None)."""

    kind = ErrorKind.HTTP
    title = "HTTP error"
    http_status = 502
    _fields = ("status", "url", "retry_after_s", "retryable")
    status: int | None
    url: str | None
    retry_after_s: float | None
    retryable: bool | None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        url: str | None = None,
        retry_after_s: float | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(
            message, status=status, url=url, retry_after_s=retry_after_s, retryable=retryable
        )

    @property
    def is_retryable(self) -> bool:
        # ``retryable`` overrides the status rule for failures without an answer
        # that are not transient (a sandbox's allow-list refusing the host).
        if self.retryable is not None:
            return self.retryable
        # No status means the request never got an answer (refused, reset,
        # timed out): transient by nature.
        return self.status is None or self.status >= 500 or self.status == 429

    @property
    def retry_after(self) -> float | None:
        if self.retry_after_s is not None:
            return self.retry_after_s
        return HTTP_429_DEFAULT_WAIT if self.status == 429 else None

    def _headline(self) -> str:
        if self.status is not None and self.url:
            return f"HTTP {self.status} error for {self.url}: {self.message}"
        if self.url:
            return f"HTTP error for {self.url}: {self.message}"
        return super()._headline()


class VectorError(InfraError):
    """A vector operation failed (bad dimensions, non-finite values, index errors)."""

    kind = ErrorKind.VECTOR
    title = "Vector error"
    http_status = 400
    _fields = ("operation", "dimensions")
    _enums: ClassVar[Mapping[str, type[StrEnum]]] = {"operation": VectorOperation}
    operation: VectorOperation | None
    dimensions: int | None

    def __init__(
        self,
        message: str,
        *,
        operation: VectorOperation | str | None = None,
        dimensions: int | None = None,
    ) -> None:
        super().__init__(message, operation=operation, dimensions=dimensions)

    def _headline(self) -> str:
        op = f" {self.operation.value}" if self.operation else ""
        return f"Vector{op} error: {self.message}"


class AuthError(InfraError):
    """Authentication or authorization failed."""

    kind = ErrorKind.AUTH
    title = "Authentication error"
    _fields: ClassVar[tuple[str, ...]] = ("auth_kind", "identity", "retry_after_s")
    _enums: ClassVar[Mapping[str, type[StrEnum]]] = {"auth_kind": AuthErrorKind}
    auth_kind: AuthErrorKind
    identity: str | None
    retry_after_s: float | None

    def __init__(
        self,
        message: str,
        *,
        auth_kind: AuthErrorKind | str = AuthErrorKind.INVALID_CREDENTIALS,
        identity: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(
            message,
            auth_kind=auth_kind or AuthErrorKind.INVALID_CREDENTIALS,
            identity=identity,
            retry_after_s=retry_after_s,
        )

    @property
    def http_status(self) -> int:  # type: ignore[override]
        return {
            AuthErrorKind.INSUFFICIENT_PERMISSIONS: 403,
            AuthErrorKind.RATE_LIMITED: 429,
        }.get(self.auth_kind, 401)

    @property
    def is_retryable(self) -> bool:
        return self.auth_kind is AuthErrorKind.RATE_LIMITED

    @property
    def retry_after(self) -> float | None:
        if self.auth_kind is not AuthErrorKind.RATE_LIMITED:
            return None
        return self.retry_after_s if self.retry_after_s is not None else RATE_LIMITED_DEFAULT_WAIT

    def _headline(self) -> str:
        return f"Authentication error ({self.auth_kind.value}): {self.message}"


class CryptoError(InfraError):
    """A cryptographic operation failed (bad key, tampered data, bad signature)."""

    kind = ErrorKind.CRYPTO
    title = "Cryptography error"
    http_status = 400
    _fields = ("operation",)
    _enums: ClassVar[Mapping[str, type[StrEnum]]] = {"operation": CryptoOperation}
    operation: CryptoOperation | None

    def __init__(self, message: str, *, operation: CryptoOperation | str | None = None) -> None:
        super().__init__(message, operation=operation)

    def _headline(self) -> str:
        op = f" {self.operation.value}" if self.operation else ""
        return f"Crypto{op} error: {self.message}"


class IoError(InfraError):
    """A file or stream operation failed. ``errno`` is the OS error number if any.

    Error numbers differ between platforms (WASI's ENOENT is not Linux's), so the
    JSON-safe ``fields``/``to_dict()`` carry the symbolic name (``"ENOENT"``) and
    the constructor accepts a name as well as a number: an error serialised in one
    runtime comes back with the right number in another.
    """

    kind = ErrorKind.IO
    title = "I/O error"
    _fields = ("operation", "path", "errno")
    _enums: ClassVar[Mapping[str, type[StrEnum]]] = {"operation": IoOperation}
    operation: IoOperation | None
    path: str | None
    errno: int | None

    def __init__(
        self,
        message: str,
        *,
        operation: IoOperation | str | None = None,
        path: str | None = None,
        errno: int | str | None = None,
    ) -> None:
        super().__init__(message, operation=operation, path=path, errno=_errno_number(errno))

    @property
    def errno_name(self) -> str | None:
        """The symbolic name of ``errno`` (``"ENOENT"``), if this platform knows it."""
        return None if self.errno is None else _errno.errorcode.get(self.errno)

    @property
    def fields(self) -> dict[str, Any]:
        fields = super().fields
        if self.errno_name is not None:
            fields["errno"] = self.errno_name
        return fields

    @property
    def http_status(self) -> int:  # type: ignore[override]
        return {_errno.ENOENT: 404, _errno.EACCES: 403, _errno.EPERM: 403}.get(self.errno or 0, 500)

    @property
    def is_retryable(self) -> bool:
        return self.errno == _errno.ETIMEDOUT

    def _headline(self) -> str:
        op = f" {self.operation.value}" if self.operation else ""
        where = f" for {self.path}" if self.path else ""
        return f"I/O{op} error{where}: {self.message}"


def _errno_number(value: int | str | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    text = str(value)
    if text.lstrip("-").isdigit():
        return int(text)
    number = getattr(_errno, text, None)
    # A name this platform lacks cannot be mapped to a number here.
    return number if isinstance(number, int) else None


class SerializationError(InfraError):
    """Data could not be encoded or decoded. ``line``/``column`` are 1-based."""

    kind = ErrorKind.SERIALIZATION
    title = "Serialization error"
    http_status = 400
    _fields = ("format", "line", "column", "offset")
    _enums: ClassVar[Mapping[str, type[StrEnum]]] = {"format": SerializationFormat}
    format: SerializationFormat
    line: int | None
    column: int | None
    offset: int | None

    def __init__(
        self,
        message: str,
        *,
        format: SerializationFormat | str = SerializationFormat.JSON,
        line: int | None = None,
        column: int | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(
            message,
            format=format or SerializationFormat.JSON,
            line=line,
            column=column,
            offset=offset,
        )

    @property
    def location(self) -> str | None:
        """``"line L column C"`` when known."""
        if self.line is None:
            return None
        return f"line {self.line} column {self.column}"

    def _headline(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"{self.format.value.upper()} serialization error{where}: {self.message}"


class ValidationError(InfraError):
    """An input value is invalid. ``field`` names it; expected/actual describe it."""

    kind = ErrorKind.VALIDATION
    title = "Validation error"
    http_status = 422
    _fields = ("field", "expected", "actual")
    field: str | None
    expected: str | None
    actual: str | None

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        expected: str | None = None,
        actual: str | None = None,
    ) -> None:
        super().__init__(message, field=field, expected=expected, actual=actual)

    def _headline(self) -> str:
        text = f"Validation error for '{self.field}'" if self.field else "Validation error"
        text += f": {self.message}"
        if self.expected is not None or self.actual is not None:
            text += f" (expected {self.expected}, got {self.actual})"
        return text


class ExternalError(InfraError):
    """A call to another service failed. Retryable when it says when to retry."""

    kind = ErrorKind.EXTERNAL
    title = "External service error"
    _fields = ("service", "operation", "retry_after_s")
    service: str | None
    operation: str | None
    retry_after_s: float | None

    def __init__(
        self,
        message: str,
        *,
        service: str | None = None,
        operation: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message, service=service, operation=operation, retry_after_s=retry_after_s)

    @property
    def http_status(self) -> int:  # type: ignore[override]
        return 503 if self.retry_after_s is not None else 502

    @property
    def is_retryable(self) -> bool:
        return self.retry_after_s is not None

    @property
    def retry_after(self) -> float | None:
        return self.retry_after_s

    def _headline(self) -> str:
        who = ".".join(p for p in (self.service, self.operation) if p)
        return f"External service error ({who}): {self.message}" if who else super()._headline()


class MessageQueueError(InfraError):
    """A message-queue operation failed; always worth retrying."""

    kind = ErrorKind.MESSAGE_QUEUE
    title = "Message queue error"
    http_status = 503
    _fields = ("queue", "operation")
    _enums: ClassVar[Mapping[str, type[StrEnum]]] = {"operation": MqOperation}
    queue: str | None
    operation: MqOperation | None

    def __init__(
        self,
        message: str,
        *,
        queue: str | None = None,
        operation: MqOperation | str | None = None,
    ) -> None:
        super().__init__(message, queue=queue, operation=operation)

    @property
    def is_retryable(self) -> bool:
        return True

    def _headline(self) -> str:
        op = f" {self.operation.value}" if self.operation else ""
        where = f" on '{self.queue}'" if self.queue else ""
        return f"Message queue{op} error{where}: {self.message}"


class SchemaError(InfraError):
    """A document does not match its schema, or the schema itself is invalid."""

    kind = ErrorKind.SCHEMA
    title = "Schema error"
    http_status = 422
    _fields = ("schema_id", "path")
    schema_id: str | None
    path: str | None

    def __init__(
        self, message: str, *, schema_id: str | None = None, path: str | None = None
    ) -> None:
        super().__init__(message, schema_id=schema_id, path=path)

    def _headline(self) -> str:
        where = f" at {self.path}" if self.path else ""
        return f"Schema error{where}: {self.message}"
