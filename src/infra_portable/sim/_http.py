"""MockTransport: a scripted HTTP transport with latency, jitter and failures (seed 002 §2.8).

It implements :class:`infra_portable.http.Transport`, so any client, router or
authenticator runs against it unchanged, in every runtime (no threads, no
sockets). Everything random is drawn from one seeded generator in call order,
and latency advances a :class:`SimClock` instead of sleeping, so a failing run
reproduces exactly from its seed::

    mock = (MockTransport(seed=7)
            .route("POST", "/v1/chat", json={"choices": []})
            .with_latency(0.050, jitter=0.010)
            .with_failure_rate(0.3))              # 503 with Retry-After: 0
    client = mock.client()                        # sleeps on the sim clock
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit

from infra_portable.errors import HttpError, ValidationError, check_int, check_number, check_seed
from infra_portable.http import (
    AsyncHttpClient,
    Headers,
    HttpClient,
    HttpClientConfig,
    Request,
    Response,
    TransportLimits,
    check_status,
)
from infra_portable.sim._clock import SimClock

__all__ = ["Failure", "MockReply", "MockTransport", "sse_body"]

FAILURE_KINDS = ("status", "connect", "timeout", "truncate")


@dataclass(frozen=True, slots=True)
class Failure:
    """One injected failure.

    ``status``: an error response (503 by default, with ``retry_after`` as its
    Retry-After header); ``connect``: no answer (refused); ``timeout``: no answer
    within the request's timeout (the clock advances by it); ``truncate``: the
    response starts, then the connection drops halfway through the body.
    """

    kind: str = "status"
    status: int = 503
    retry_after: float | None = 0.0

    def __post_init__(self) -> None:
        if self.kind not in FAILURE_KINDS:
            raise ValidationError(
                "unknown failure kind",
                field="kind",
                expected=", ".join(FAILURE_KINDS),
                actual=repr(self.kind),
            )
        check_status(self.status)
        if self.retry_after is not None:
            check_number("retry_after", self.retry_after)

    @classmethod
    def of(cls, spec: Failure | int | str) -> Failure:
        """``503`` -> a status failure, ``"timeout"`` -> that kind, a Failure as is."""
        if isinstance(spec, Failure):
            return spec
        if isinstance(spec, int) and not isinstance(spec, bool):
            return cls("status", status=spec)
        if isinstance(spec, str):
            return cls(spec)
        raise ValidationError(
            "a failure is a Failure, a status code or a kind name",
            field="failure",
            actual=repr(spec),
        )


@dataclass(frozen=True, slots=True)
class MockReply:
    """A scripted response."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    latency: float | None = None  # overrides the transport's latency for this reply

    @classmethod
    def make(
        cls,
        status: int = 200,
        *,
        json: Any = None,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        latency: float | None = None,
    ) -> MockReply:
        pairs = list(Headers(headers).items())
        if json is not None:
            from infra_portable.json import dumpb

            data = dumpb(json)
            if not any(k.lower() == "content-type" for k, _ in pairs):
                pairs.append(("Content-Type", "application/json"))
        else:
            data = body.encode() if isinstance(body, str) else (body or b"")
        check_status(status)
        if latency is not None:
            check_number("latency", latency)
        return cls(status, data, tuple(pairs), latency)


Handler = Callable[[Request], "MockReply | Response"]


def _checked_reply(reply: object, field: str) -> MockReply | Handler:
    """A scripted reply is a MockReply or a handler (called with the Request)."""
    if isinstance(reply, MockReply):
        return reply
    if callable(reply):
        return cast(Handler, reply)
    raise ValidationError(
        "a scripted reply is a MockReply or a callable taking the Request",
        field=field,
        expected="MockReply or callable",
        actual=repr(reply)[:200],
    )


@dataclass(slots=True)
class _Route:
    method: str | None
    pattern: re.Pattern[str]
    replies: list[MockReply | Handler]
    repeat_last: bool
    hits: int = 0


def _compile(path: str) -> re.Pattern[str]:
    """``/v1/models/{name}`` -> a regex; ``*`` matches any run of characters."""
    out = []
    for piece in re.split(r"(\{[^}]+\}|\*)", path):
        if piece == "*":
            out.append(".*")
        elif piece.startswith("{") and piece.endswith("}"):
            out.append("[^/]+")
        else:
            out.append(re.escape(piece))
    return re.compile("".join(out) + r"\Z")


def sse_body(events: Iterable[Mapping[str, Any] | str]) -> bytes:
    """A ``text/event-stream`` body: each event a ``data`` string, or a dict of
    SSE fields (``data`` may be any JSON value, which is encoded)."""
    from infra_portable.json import dumps

    if isinstance(events, str | bytes | Mapping) or not isinstance(events, Iterable):
        raise ValidationError(
            "SSE events are an iterable of str or dict events",
            field="events",
            expected="iterable of str or Mapping",
            actual=repr(events)[:200],
        )
    lines: list[str] = []
    for index, item in enumerate(events):
        if isinstance(item, str):
            event: Mapping[str, Any] = {"data": item}
        elif isinstance(item, Mapping):
            event = item
        else:
            raise ValidationError(
                "an SSE event is a data string or a dict of SSE fields",
                field=f"events[{index}]",
                expected="str or Mapping",
                actual=repr(item)[:200],
            )
        for name in ("id", "event", "retry"):
            if name in event:
                lines.append(f"{name}: {event[name]}")
        data = event.get("data", "")
        text = data if isinstance(data, str) else dumps(data)
        lines.extend(f"data: {line}" for line in text.split("\n"))
        lines.append("")
    return ("\n".join(lines) + "\n").encode()


@dataclass(slots=True)
class _Stats:
    calls: int = 0
    failures: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class MockTransport:
    """A transport that answers from a script. Chain the ``with_*`` and ``route`` calls.

    ``seed`` (an int, str, bytes or bytearray; a bool, float or None is a
    ValidationError) seeds the one generator every random choice is drawn from.
    """

    name = "mock"

    def __init__(
        self, *, seed: int = 0, clock: SimClock | None = None, chunk_size: int = 64
    ) -> None:
        self.seed = check_seed("seed", seed)
        self.clock = clock or SimClock()
        self.chunk_size = check_int("chunk_size", chunk_size, minimum=1)
        self._rng = random.Random(seed)
        self._routes: list[_Route] = []
        self._default: MockReply | Handler = MockReply.make(
            404, json={"error": "no scripted route"}
        )
        self._latency = 0.0
        self._jitter = 0.0
        self._failure_rate = 0.0
        self._failure = Failure()
        self._sequence: list[Failure | None] = []
        self.requests: list[Request] = []
        self.stats = _Stats()
        self.closed = False

    # -- the seed's Simulator API ----------------------------------------------
    def with_response(
        self,
        response: MockReply | Handler | int = 200,
        *,
        json: Any = None,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> MockTransport:
        """The reply for any request no route matches."""
        if isinstance(response, int) and not isinstance(response, bool):
            self._default = MockReply.make(response, json=json, body=body, headers=headers)
        else:
            self._default = _checked_reply(response, "response")
        return self

    def with_latency(self, latency: float, *, jitter: float = 0.0) -> MockTransport:
        """Every exchange takes ``latency`` seconds, plus or minus up to ``jitter`` (uniform)."""
        latency = check_number("latency", latency)
        jitter = check_number("jitter", jitter)
        if jitter > latency:
            raise ValidationError(
                "jitter must be <= latency",
                field="jitter",
                actual=f"latency={latency!r}, jitter={jitter!r}",
            )
        self._latency, self._jitter = latency, jitter
        return self

    def with_failure_rate(
        self, rate: float, failure: Failure | int | str = "status"
    ) -> MockTransport:
        """Fail each exchange with probability ``rate`` (seeded), in the given way."""
        self._failure_rate = check_number("rate", rate, maximum=1.0)
        self._failure = Failure.of(failure)
        return self

    def with_failures(self, sequence: Sequence[Failure | int | str | None]) -> MockTransport:
        """The next exchanges, in order: ``None`` succeeds, anything else fails that way.
        After the sequence, the failure rate applies again."""
        if isinstance(sequence, str | bytes) or not isinstance(sequence, Iterable):
            raise ValidationError(
                "failures are a sequence of Failure, status, kind name or None",
                field="sequence",
                expected="sequence",
                actual=repr(sequence)[:200],
            )
        self._sequence = [None if s is None else Failure.of(s) for s in sequence]
        return self

    def route(
        self,
        method: str | None,
        path: str,
        *replies: MockReply | Handler,
        status: int = 200,
        json: Any = None,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        sse: Iterable[Mapping[str, Any] | str] | None = None,
        repeat_last: bool = True,
    ) -> MockTransport:
        """Answer ``method`` (None: any) requests whose path matches ``path``
        (``{param}`` matches a segment, ``*`` anything). Several ``replies`` are
        given in turn (the last repeats unless ``repeat_last=False``, then 404)."""
        if method is not None and not isinstance(method, str):
            raise ValidationError(
                "a route method is an HTTP method name or None (any)",
                field="method",
                expected="str or None",
                actual=repr(method)[:200],
            )
        if not isinstance(path, str):
            raise ValidationError(
                "a route path is a str such as '/v1/items/{id}'",
                field="path",
                expected="str",
                actual=repr(path)[:200],
            )
        for reply in replies:
            _checked_reply(reply, "replies")
        if sse is not None:
            sse_headers = Headers(headers)
            sse_headers.setdefault("Content-Type", "text/event-stream")
            scripted: list[MockReply | Handler] = [
                MockReply.make(status, body=sse_body(sse), headers=sse_headers.items())
            ]
        elif replies:
            scripted = list(replies)
        else:
            scripted = [MockReply.make(status, json=json, body=body, headers=headers)]
        self._routes.append(
            _Route(method.upper() if method else None, _compile(path), scripted, repeat_last)
        )
        return self

    # -- clients wired to the sim clock ------------------------------------------
    def client(self, config: HttpClientConfig | None = None) -> HttpClient:
        """An HttpClient over this transport whose retries wait on the sim clock."""
        return HttpClient(
            config,
            transport=self,
            sleep=self.clock.sleep,
            clock=self.clock.now,
            rand=self._rng.random,
        )

    def async_client(self, config: HttpClientConfig | None = None) -> AsyncHttpClient:
        return AsyncHttpClient(
            config,
            transport=self,
            sleep=self.clock.asleep,
            clock=self.clock.now,
            rand=self._rng.random,
        )

    # -- the exchange --------------------------------------------------------------
    def _pick(self, request: Request) -> MockReply | Handler:
        path = urlsplit(request.url).path or "/"
        for route in self._routes:
            if (route.method is None or route.method == request.method) and route.pattern.match(
                path
            ):
                index = route.hits
                route.hits += 1
                if index < len(route.replies):
                    return route.replies[index]
                if route.repeat_last:
                    return route.replies[-1]
                return MockReply.make(404, json={"error": "scripted replies exhausted"})
        return self._default

    def _failure_now(self) -> Failure | None:
        if self._sequence:
            return self._sequence.pop(0)
        if self._failure_rate and self._rng.random() < self._failure_rate:
            return self._failure
        return None

    def _delay(self, reply: MockReply | None) -> float:
        base = reply.latency if reply is not None and reply.latency is not None else self._latency
        if self._jitter:
            base += self._rng.uniform(-self._jitter, self._jitter)
        return max(0.0, base)

    def _exchange(
        self, request: Request, limits: TransportLimits, stream: bool
    ) -> tuple[float, Response]:
        """Decide the outcome and the simulated time it takes (the caller waits)."""
        if self.closed:
            raise HttpError("the mock transport is closed", url=request.url)
        self.requests.append(request)
        self.stats.calls += 1
        failure = self._failure_now()
        timeout = request.timeout or limits.timeout
        if failure is not None and failure.kind in ("connect", "timeout"):
            self._count(failure.kind)
            if failure.kind == "connect":
                return 0.0, _Raise(HttpError("connection refused (simulated)", url=request.url))
            return timeout, _Raise(
                HttpError(f"timed out after {timeout:g}s (simulated)", url=request.url)
            )
        if failure is not None and failure.kind == "status":
            self._count(f"status {failure.status}")
            headers = (
                [] if failure.retry_after is None else [("Retry-After", f"{failure.retry_after:g}")]
            )
            reply: MockReply | Response = MockReply.make(
                failure.status, json={"error": "injected failure"}, headers=headers
            )
        else:
            picked = self._pick(request)
            reply = picked if isinstance(picked, MockReply) else picked(request)
        delay = self._delay(reply if isinstance(reply, MockReply) else None)
        if delay > timeout:
            self._count("timeout")
            return timeout, _Raise(
                HttpError(
                    f"timed out after {timeout:g}s (simulated latency {delay:g}s)", url=request.url
                )
            )
        response = self._response(
            reply,
            request,
            limits,
            stream,
            truncate=failure is not None and failure.kind == "truncate",
        )
        return delay, response

    def _count(self, kind: str) -> None:
        self.stats.failures += 1
        self.stats.by_kind[kind] = self.stats.by_kind.get(kind, 0) + 1

    def _response(
        self,
        reply: MockReply | Response,
        request: Request,
        limits: TransportLimits,
        stream: bool,
        *,
        truncate: bool,
    ) -> Response:
        if isinstance(reply, Response):
            status, headers, body = reply.status, reply.headers.copy(), reply.content
        else:
            status, headers, body = reply.status, Headers(reply.headers), reply.body
        if len(body) > limits.max_response_bytes:
            raise HttpError(
                f"response body larger than the {limits.max_response_bytes}-byte limit",
                status=status,
                url=request.url,
            )
        headers.setdefault("Content-Length", str(len(body)))
        if truncate:
            self._count("truncate")
            cut = body[: len(body) // 2]
            error = HttpError(
                "connection reset mid-body (simulated)", status=status, url=request.url
            )
            if not stream:
                return _Raise(error)
            return Response(
                status,
                headers,
                url=request.url,
                request=request,
                stream=_chunks(cut, self.chunk_size, error),
            )
        if request.method == "HEAD":
            body = b""
        if stream:
            return Response(
                status,
                headers,
                url=request.url,
                request=request,
                stream=_chunks(body, self.chunk_size, None),
            )
        return Response(status, headers, body, url=request.url, request=request)

    def handle(self, request: Request, limits: TransportLimits, stream: bool) -> Response:
        delay, response = self._exchange(request, limits, stream)
        self.clock.sleep(delay)
        if isinstance(response, _Raise):
            raise response.error
        return response

    async def handle_async(
        self, request: Request, limits: TransportLimits, stream: bool
    ) -> Response:
        delay, response = self._exchange(request, limits, stream)
        await self.clock.asleep(delay)
        if isinstance(response, _Raise):
            raise response.error
        return response

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


class _Raise(Response):
    """An outcome that is an error, raised after the simulated wait."""

    __slots__ = ("error",)

    def __init__(self, error: HttpError) -> None:
        super().__init__(0)
        self.error = error


def _chunks(body: bytes, size: int, error: HttpError | None) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]
    if error is not None:
        raise error
