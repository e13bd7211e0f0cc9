"""ASGI 3 types and the few helpers every piece of the server shares.

The toolkit speaks plain ASGI (a scope dict, ``receive`` and ``send``), so an
:class:`~infra_portable.http.server.App`, each middleware and any third-party
ASGI app compose freely, and the same objects run under uvicorn natively or in
process through :class:`~infra_portable.http.AsgiTransport` in every runtime.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

__all__ = [
    "AsgiApp",
    "Message",
    "RawHeaders",
    "Receive",
    "Scope",
    "Send",
    "encode_headers",
    "scope_header",
    "scope_state",
]

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]
RawHeaders = list[tuple[bytes, bytes]]


def scope_header(scope: Scope, name: bytes) -> str | None:
    """The first value of header ``name`` (lower-case bytes) in an ASGI scope."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def scope_state(scope: Scope) -> dict[str, Any]:
    """The per-request state dict in ``scope["state"]``, created when missing.

    Middleware write into it in place (``request_id``, an authenticated
    identity...), so every layer of one request sees the same dict.
    """
    state = scope.get("state")
    if state is None:
        state = scope["state"] = {}
    return state


def encode_headers(pairs: Iterable[tuple[str, str]]) -> RawHeaders:
    """(name, value) text pairs as ASGI header bytes (names lower-cased)."""
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in pairs]
