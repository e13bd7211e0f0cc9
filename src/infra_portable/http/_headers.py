"""Headers and header-borne values: the case-insensitive multi-map, the send rules
(RFC 9110 token names, ASCII values), reason phrases and Retry-After parsing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from infra_portable.errors import HttpError, ValidationError, check_number

__all__ = [
    "METHODS",
    "Headers",
    "check_status",
    "parse_retry_after",
    "reason_phrase",
    "retry_after_of",
]

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})

_REASONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content",
    301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
    307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict",
    413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
    429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}  # fmt: skip


def check_status(status: object) -> int:
    """``status`` if it is an HTTP status code (an int from 100 to 599, not a bool)."""
    if not (isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599):
        raise ValidationError(
            "an HTTP status is an integer from 100 to 599",
            field="status",
            expected="100-599",
            actual=repr(status),
        )
    return status


def reason_phrase(status: int) -> str:
    """The standard reason phrase of ``status`` ("" for a code without one)."""
    if isinstance(status, int) and not isinstance(status, bool):
        return _REASONS.get(status, "")
    raise ValidationError(
        "an HTTP status is an integer", field="status", expected="int", actual=repr(status)
    )


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")  # RFC 9110 §5.6.2
_BAD_VALUE = re.compile(r"[\r\n\0]")


def _bad_header(name: str, value: str) -> str | None:
    """Why ``name: value`` cannot be sent, or None."""
    if not _TOKEN.match(name):
        return "a header name is a token (letters, digits, !#$%&'*+-.^_`|~)"
    if _BAD_VALUE.search(value) is not None:
        return "a header value has no CR, LF or NUL"
    if not value.isascii():
        # RFC 9110 tolerates Latin-1 "obs-text", but transports disagree on it (httpx and
        # the host bridge send ASCII only); one rule everywhere: ASCII.
        return "a header value is ASCII text (encode others first, e.g. RFC 8187 or base64)"
    return None


class Headers:
    """Case-insensitive, order-keeping, multi-valued HTTP headers."""

    __slots__ = ("_items",)

    def __init__(
        self,
        items: Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        if items is None:
            self._items: list[tuple[str, str]] = []
        elif isinstance(items, Headers):
            self._items = list(items._items)
        elif isinstance(items, Mapping):
            self._items = [(str(k), str(v)) for k, v in items.items()]
        else:
            # No per-item type checks on this hot path: a wrong shape fails in the loop
            # (TypeError: not iterable; ValueError: not a pair) and is reported here.
            try:
                self._items = [(str(k), str(v)) for k, v in items]
            except (TypeError, ValueError) as exc:
                raise _shape_error(items, exc) from exc

    @classmethod
    def checked(
        cls, items: Headers | Mapping[str, str] | Iterable[tuple[str, str]] | None
    ) -> Headers:
        """Headers from user input: names and values may not smuggle CR, LF or NUL.

        Every problem, a wrong shape included, is an HttpError, like the other
        checks of a request being built."""
        try:
            headers = cls(items)
        except ValidationError as exc:
            raise HttpError(exc.message) from exc
        # Surrounding spaces and tabs are not part of a field value (RFC 9110 §5.5).
        headers._items = [(name, value.strip(" \t")) for name, value in headers._items]
        for name, value in headers._items:
            problem = _bad_header(name, value)
            if problem is not None:
                raise HttpError(f"invalid header {name!r}: {problem}")
        return headers

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of ``name`` (case-insensitive), or ``default``."""
        lowered = name.lower()
        for key, value in self._items:
            if key.lower() == lowered:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [v for k, v in self._items if k.lower() == lowered]

    def set(self, name: str, value: str) -> None:
        """Replace every value of ``name`` with ``value``."""
        self.remove(name)
        self._items.append((name, value))

    def add(self, name: str, value: str) -> None:
        self._items.append((name, value))

    def setdefault(self, name: str, value: str) -> None:
        if name.lower() not in self:
            self._items.append((name, value))

    def remove(self, name: str) -> None:
        lowered = name.lower()
        self._items = [(k, v) for k, v in self._items if k.lower() != lowered]

    def items(self) -> list[tuple[str, str]]:
        """Every (name, value) pair, in order, names as given."""
        return list(self._items)

    def to_dict(self) -> dict[str, str]:
        """Lower-cased names; repeated headers joined with ", " (set-cookie kept apart by get_all)."""
        merged: dict[str, str] = {}
        for key, value in self._items:
            k = key.lower()
            merged[k] = f"{merged[k]}, {value}" if k in merged else value
        return merged

    def copy(self) -> Headers:
        return Headers(self)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        lowered = name.lower()
        return any(k.lower() == lowered for k, _ in self._items)

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(k for k, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return sorted((k.lower(), v) for k, v in self._items) == sorted(
                (k.lower(), v) for k, v in other._items
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = [(k, "[redacted]" if k.lower() in _SECRET_HEADERS else v) for k, v in self._items]
        return f"Headers({shown!r})"


def _shape_error(items: object, exc: Exception) -> ValidationError:
    """Why ``items`` cannot be headers (built only on the failure path)."""
    expected = "a mapping or an iterable of (name, value) pairs"
    return ValidationError(
        f"headers must be {expected} ({exc})",
        field="headers",
        expected=expected,
        actual=repr(items)[:200],
    )


_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).

    ``value`` is the header's text or None (no header); text that is neither form
    gives None. Anything else is not a header value: a ValidationError (field
    ``value``). ``now`` (epoch seconds, default the current time) dates an HTTP-date."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(
            "a Retry-After value is the header's text",
            field="value",
            expected="str or None",
            actual=repr(value)[:200],
        )
    if now is not None:
        now = check_number("now", now)
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    # Not RFC delta-seconds, but some servers send a decimal: honour it.
    head, dot, tail = value.partition(".")
    if dot and head.isdigit() and tail.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime

        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    import time

    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def retry_after_of(headers: Headers) -> float | None:
    """The wait a response asks for: ``retry-after-ms`` (sent by LLM APIs) or ``Retry-After``."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        seconds = parse_retry_after(millis)
        if seconds is not None:
            return seconds / 1000
    return parse_retry_after(headers.get("retry-after"))
