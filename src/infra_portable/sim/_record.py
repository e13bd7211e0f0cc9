"""Record real exchanges once, replay them anywhere: RecordingTransport and ReplayTransport.

A recording is plain JSON (``{"version": 1, "exchanges": [...]}``, bodies in
base64) so one captured against a real server natively replays in Pyodide or
WASI. Credentials (Authorization, Cookie, X-API-Key and any header you name)
are redacted before they are stored.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from infra_portable.errors import HttpError, ValidationError
from infra_portable.http import (
    Headers,
    Request,
    Response,
    SyncTransport,
    Transport,
    TransportLimits,
)

__all__ = ["Exchange", "RecordingTransport", "ReplayTransport"]

FORMAT_VERSION = 1
REDACTED = "[redacted]"
DEFAULT_REDACT = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and the response it got."""

    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": [list(p) for p in self.request_headers],
                "body_b64": base64.b64encode(self.request_body).decode(),
            },
            "response": {
                "status": self.status,
                "headers": [list(p) for p in self.headers],
                "body_b64": base64.b64encode(self.body).decode(),
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], index: int = 0) -> Exchange:
        where = f"exchanges[{index}]"
        try:
            req, resp = data["request"], data["response"]
            return cls(
                method=str(req["method"]).upper(),
                url=str(req["url"]),
                request_headers=tuple((str(k), str(v)) for k, v in req.get("headers", [])),
                request_body=base64.b64decode(req.get("body_b64", ""), validate=True),
                status=int(resp["status"]),
                headers=tuple((str(k), str(v)) for k, v in resp.get("headers", [])),
                body=base64.b64decode(resp.get("body_b64", ""), validate=True),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValidationError(f"malformed recorded exchange: {exc}", field=where) from None


def _redact(headers: Headers, names: frozenset[str]) -> tuple[tuple[str, str], ...]:
    return tuple((k, REDACTED if k.lower() in names else v) for k, v in headers.items())


class RecordingTransport:
    """Wraps a real transport; every exchange it passes on is kept in ``exchanges``.

    Bodies are recorded whole, so a streamed response is read before it is
    handed back (as a stream of one chunk).
    """

    name = "recording"

    def __init__(self, inner: Transport, *, redact: Iterable[str] = ()) -> None:
        self.inner = inner
        self.redact = DEFAULT_REDACT | {h.lower() for h in redact}
        self.exchanges: list[Exchange] = []

    def _keep(self, request: Request, response: Response, body: bytes) -> Response:
        self.exchanges.append(
            Exchange(
                request.method,
                request.url,
                _redact(request.headers, self.redact),
                request.body or b"",
                response.status,
                _redact(response.headers, self.redact),
                body,
            )
        )
        return Response(response.status, response.headers, body, url=response.url, request=request)

    def handle(self, request: Request, limits: TransportLimits, stream: bool) -> Response:
        response = self.inner.handle(request, limits, stream)
        return self._keep(request, response, response.read())

    async def handle_async(
        self, request: Request, limits: TransportLimits, stream: bool
    ) -> Response:
        response = await self.inner.handle_async(request, limits, stream)
        return self._keep(request, response, await response.aread())

    def to_dict(self) -> dict[str, Any]:
        return {"version": FORMAT_VERSION, "exchanges": [e.to_dict() for e in self.exchanges]}

    def dumps(self) -> str:
        from infra_portable.json import dumps

        return dumps(self.to_dict(), pretty=True)

    def close(self) -> None:
        self.inner.close()

    async def aclose(self) -> None:
        await self.inner.aclose()


class ReplayTransport(SyncTransport):
    """Answers from a recording: each request gets the next unused exchange with the
    same method and URL (and body, when ``match_body``). An unmatched request is a
    ValidationError (never retried), naming the request."""

    name = "replay"

    def __init__(
        self, recording: Mapping[str, Any] | str | Iterable[Exchange], *, match_body: bool = False
    ) -> None:
        self.exchanges = self._load(recording)
        self._used = [False] * len(self.exchanges)
        self.match_body = match_body

    @staticmethod
    def _load(recording: Mapping[str, Any] | str | Iterable[Exchange]) -> list[Exchange]:
        if isinstance(recording, str):
            from infra_portable.json import loads

            recording = loads(recording)
            if not isinstance(recording, Mapping):
                raise ValidationError("a recording is a JSON object", field="recording")
        if isinstance(recording, Mapping):
            if recording.get("version") != FORMAT_VERSION:
                raise ValidationError(
                    "unsupported recording version",
                    field="version",
                    expected=str(FORMAT_VERSION),
                    actual=repr(recording.get("version")),
                )
            items = recording.get("exchanges")
            if not isinstance(items, list):
                raise ValidationError("a recording has a list of exchanges", field="exchanges")
            return [Exchange.from_dict(item, i) for i, item in enumerate(items)]
        given: object = recording  # any object may arrive here, whatever the annotation says
        if isinstance(given, bytes | bytearray) or not isinstance(given, Iterable):
            raise ValidationError(
                "a recording is a dict, its JSON text or an iterable of Exchange",
                field="recording",
                expected="Mapping, str or iterable of Exchange",
                actual=repr(recording)[:200],
            )
        exchanges = list(recording)
        for i, exchange in enumerate(exchanges):
            if not isinstance(exchange, Exchange):
                raise ValidationError(
                    "a recording's exchanges are Exchange objects",
                    field=f"exchanges[{i}]",
                    expected="Exchange",
                    actual=repr(exchange)[:200],
                )
        return exchanges

    @property
    def remaining(self) -> int:
        return self._used.count(False)

    def handle(self, request: Request, limits: TransportLimits, stream: bool) -> Response:
        body = request.body or b""
        for i, exchange in enumerate(self.exchanges):
            if self._used[i] or exchange.method != request.method or exchange.url != request.url:
                continue
            if self.match_body and exchange.request_body != body:
                continue
            self._used[i] = True
            if len(exchange.body) > limits.max_response_bytes:
                raise HttpError(
                    f"response body larger than the {limits.max_response_bytes}-byte limit",
                    status=exchange.status,
                    url=request.url,
                )
            return Response(
                exchange.status, exchange.headers, exchange.body, url=request.url, request=request
            )
        raise ValidationError(
            f"no recorded exchange left for {request.method} {request.url}",
            field="request",
            actual=f"{request.method} {request.url}",
        )
