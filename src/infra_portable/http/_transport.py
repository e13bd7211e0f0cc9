"""The transport capability: what sends one request and returns its response.

A transport does one exchange and nothing else: no retries, no redirects, no
status checks (the client does those, the same way over every transport). It
turns every failure into an :class:`~infra_portable.errors.HttpError` with the
URL and, when there was an answer, the status; nothing foreign escapes.

``stream=True`` asks for the body as it arrives; a transport that cannot stream
(the WASI host bridge, a synchronous browser call) returns it read, and the
client's streaming methods then yield it as one chunk.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from infra_portable.http._types import Request, Response

__all__ = ["SyncTransport", "Transport", "TransportLimits"]


class TransportLimits:
    """What the client asks of every exchange (a transport enforces what it can)."""

    __slots__ = ("follow_redirects", "max_redirects", "max_response_bytes", "timeout")

    def __init__(
        self,
        timeout: float,
        max_response_bytes: int,
        *,
        follow_redirects: bool = True,
        max_redirects: int = 10,
    ) -> None:
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        # Only transports that cannot hand redirects back (the browser's fetch) read these.
        self.follow_redirects = follow_redirects
        self.max_redirects = max_redirects


@runtime_checkable
class Transport(Protocol):
    """Sends requests. ``handle`` is synchronous, ``handle_async`` awaits."""

    name: str

    def handle(self, request: Request, limits: TransportLimits, stream: bool) -> Response: ...

    async def handle_async(
        self, request: Request, limits: TransportLimits, stream: bool
    ) -> Response: ...

    def close(self) -> None: ...

    async def aclose(self) -> None: ...


class SyncTransport:
    """Base for a transport whose exchange never awaits (a host call, a replay, a
    scripted fake): ``handle_async`` runs ``handle`` inline, and it holds nothing to
    close. Subclasses set ``name`` and implement ``handle``."""

    name = "sync"

    def handle(self, request: Request, limits: TransportLimits, stream: bool) -> Response:
        raise NotImplementedError

    async def handle_async(
        self, request: Request, limits: TransportLimits, stream: bool
    ) -> Response:
        return self.handle(request, limits, stream)

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        self.close()
