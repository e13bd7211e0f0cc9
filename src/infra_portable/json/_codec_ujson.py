"""ujson codec (native). Encodes with ujson; decodes with the reference.

ujson accepts invalid JSON (leading zeros, raw control characters in strings,
``NaN``), so decoding goes through the strict reference decoder. On encode,
ujson prints small floats as ``1e-7`` where the reference prints ``1e-07``:
output with a one-digit negative exponent is re-encoded by the reference, as is
anything ujson rejects (circular data, unsupported types) so errors match.
"""

from __future__ import annotations

import re
from typing import Any

import ujson

from infra_portable.json._codec_base import (
    Buffer,
    JsonCodec,
    reference_dumpb,
    reference_loads,
    to_json_compatible,
)

__all__ = ["CODEC", "UjsonCodec"]

_SUSPECT_OUTPUT = re.compile(r"e-[0-9](?![0-9])")


class UjsonCodec:
    name = "ujson"

    def loads(self, data: Buffer) -> Any:
        return reference_loads(data)

    def _encode(self, value: Any, pretty: bool, sort_keys: bool) -> str | None:
        """ujson's text, or None when only the reference can be trusted."""
        try:
            out: str = ujson.dumps(
                value,
                ensure_ascii=False,
                escape_forward_slashes=False,
                allow_nan=False,
                reject_bytes=True,
                sort_keys=sort_keys,
                indent=2 if pretty else 0,
                default=to_json_compatible,
            )
        except (TypeError, ValueError, OverflowError, RecursionError):
            return None
        return None if _SUSPECT_OUTPUT.search(out) is not None else out

    def dumpb(self, value: Any, *, pretty: bool = False, sort_keys: bool = False) -> bytes:
        out = self._encode(value, pretty, sort_keys)
        if out is not None:
            try:
                return out.encode("utf-8")
            except UnicodeEncodeError:
                pass  # a lone surrogate: let the reference raise its error
        return reference_dumpb(value, pretty=pretty, sort_keys=sort_keys)

    def dumps(self, value: Any, *, pretty: bool = False, sort_keys: bool = False) -> str:
        return self.dumpb(value, pretty=pretty, sort_keys=sort_keys).decode("utf-8")


CODEC: JsonCodec = UjsonCodec()
