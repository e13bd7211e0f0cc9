"""Choosing the JSON codec: once, lazily, through the capability registry.

The default codec is cached here so each ``loads``/``dumps`` call costs one
comparison, not a registry lookup; ``REGISTRY.reset()`` (which tests use after
changing ``INFRA_PORTABLE_JSON``) bumps the registry's generation and the next
call resolves again.
"""

from __future__ import annotations

from typing import Any

from infra_portable.json._codec_base import Buffer, JsonCodec
from infra_portable.runtime import REGISTRY

__all__ = ["codec", "dumpb", "dumps", "loads"]


def codec(name: str | JsonCodec | None = None) -> JsonCodec:
    """The codec named ``name``, or the one chosen for this runtime."""
    if name is None or isinstance(name, str):
        chosen: JsonCodec = REGISTRY.resolve("json", name)
        return chosen
    return name


def loads(data: Buffer, *, codec_name: str | JsonCodec | None = None) -> Any:
    """Parse a JSON document (str or UTF-8 bytes); errors are SerializationError."""
    return codec(codec_name).loads(data)


def dumps(
    value: Any,
    *,
    pretty: bool = False,
    sort_keys: bool = False,
    codec_name: str | JsonCodec | None = None,
) -> str:
    """Serialize ``value`` to JSON text, identical on every codec."""
    return codec(codec_name).dumps(value, pretty=pretty, sort_keys=sort_keys)


def dumpb(
    value: Any,
    *,
    pretty: bool = False,
    sort_keys: bool = False,
    codec_name: str | JsonCodec | None = None,
) -> bytes:
    """Serialize ``value`` to UTF-8 JSON bytes, identical on every codec."""
    return codec(codec_name).dumpb(value, pretty=pretty, sort_keys=sort_keys)
