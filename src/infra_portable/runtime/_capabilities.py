"""The static table of capabilities and their implementations, best first.

This is the one place to look up what implements what. Targets are dotted
paths; nothing here imports them. Each module that owns a capability calls
``REGISTRY.resolve(name)`` on first use.
"""

from __future__ import annotations

from infra_portable.runtime._registry import Capability, Implementation, Registry

__all__ = ["REGISTRY"]

JSON_CODEC = Capability(
    name="json",
    summary="JSON encoding and decoding (identical output on every codec)",
    implementations=(
        Implementation(
            name="orjson",
            target="infra_portable.json._codec_orjson:CODEC",
            summary="orjson (Rust); fastest",
            extra="json-fast",
            compiled=True,
        ),
        Implementation(
            name="ujson",
            target="infra_portable.json._codec_ujson:CODEC",
            summary="ujson (C)",
            extra="json-ujson",
            compiled=True,
        ),
        Implementation(
            name="stdlib",
            target="infra_portable.json._codec_stdlib:CODEC",
            summary="the standard library's json; works everywhere",
        ),
    ),
)

RANDOM = Capability(
    name="random",
    summary="cryptographically secure random bytes",
    implementations=(
        Implementation(
            name="system",
            target="os:urandom",
            summary="os.urandom: getrandom natively, crypto.getRandomValues in Pyodide, "
            "random_get under WASI",
        ),
    ),
)

REGISTRY = Registry([JSON_CODEC, RANDOM])
