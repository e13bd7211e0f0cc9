"""The standard library codec: the reference every other codec must match.

Works in every runtime (native, Pyodide, WASI). Strings are always encoded to
UTF-8 once so that lone surrogates are rejected the same way on every codec.
"""

from __future__ import annotations

from typing import Any

from infra_portable.json._codec_base import Buffer, JsonCodec, reference_dumpb, reference_loads

__all__ = ["CODEC", "StdlibCodec"]


class StdlibCodec:
    name = "stdlib"

    def loads(self, data: Buffer) -> Any:
        return reference_loads(data)

    def dumpb(self, value: Any, *, pretty: bool = False, sort_keys: bool = False) -> bytes:
        return reference_dumpb(value, pretty=pretty, sort_keys=sort_keys)

    def dumps(self, value: Any, *, pretty: bool = False, sort_keys: bool = False) -> str:
        return reference_dumpb(value, pretty=pretty, sort_keys=sort_keys).decode("utf-8")


CODEC: JsonCodec = StdlibCodec()
