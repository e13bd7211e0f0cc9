"""orjson codec (native; in Pyodide only if a page has loaded orjson).

orjson differs from the reference in ways this module guards against:

* floats that Python prints with an exponent (``1e+16``, ``1e-07``) or as
  ``1e-05`` come out as ``1e16``, ``1e-7``, ``0.00001``: output containing a
  digit followed by ``e`` or containing ``0.0000`` is re-encoded by the reference;
* NaN and infinities become ``null`` instead of an error: output containing
  ``null`` is re-encoded by the reference (which rejects them);
* integers beyond 64 bits, non-string keys and very deep nesting raise: the
  reference encodes them (or raises its own error).

On decode, integers of 19 or more digits may come back as floats, so such
input goes to the reference decoder; any orjson error is re-checked by the
reference so messages and positions are the same on every codec. These
fallbacks keep the output byte-identical at the cost of speed on documents
that contain ``null`` or exponent-form floats.
"""

from __future__ import annotations

from typing import Any

import orjson

from infra_portable.json._codec_base import (
    MAX_DEPTH,
    Buffer,
    JsonCodec,
    check_depth,
    reference_dumpb,
    reference_loads,
    to_json_compatible,
)

__all__ = ["CODEC", "OrjsonCodec"]

# Every byte that is a digit becomes "0", so "a digit then e" is one find() of
# b"0e" and "a run of 19 digits" one find() of 19 zeros: bytes.translate and
# find run in C, several times faster than a regular expression search.
_DIGITS_AS_ZERO = bytes(48 if 48 <= i <= 57 else i for i in range(256))
_LONG_INT_RUN = b"0" * 19
# Valid JSON nested deeper than MAX_DEPTH needs at least this many bytes.
_MIN_TOO_DEEP = 2 * (MAX_DEPTH + 1)

_BASE = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_OPTIONS = {
    (False, False): _BASE,
    (True, False): _BASE | orjson.OPT_INDENT_2,
    (False, True): _BASE | orjson.OPT_SORT_KEYS,
    (True, True): _BASE | orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS,
}


class OrjsonCodec:
    name = "orjson"

    def loads(self, data: Buffer) -> Any:
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        if isinstance(raw, bytes | bytearray) and _LONG_INT_RUN not in raw.translate(
            _DIGITS_AS_ZERO
        ):
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError:
                pass
            else:
                if len(raw) >= _MIN_TOO_DEEP:
                    check_depth(raw)
                return value
        return reference_loads(data)

    def dumpb(self, value: Any, *, pretty: bool = False, sort_keys: bool = False) -> bytes:
        try:
            out: bytes = orjson.dumps(
                value, default=to_json_compatible, option=_OPTIONS[pretty, sort_keys]
            )
        except (orjson.JSONEncodeError, TypeError):
            return reference_dumpb(value, pretty=pretty, sort_keys=sort_keys)
        # Float forms where orjson and repr() differ: any exponent ("1e16" vs
        # "1e+16"), and 1e-05..1e-04 ("0.00001" vs "1e-05"); NaN written as null.
        if b"null" in out or b"0.0000" in out or b"0e" in out.translate(_DIGITS_AS_ZERO):
            return reference_dumpb(value, pretty=pretty, sort_keys=sort_keys)
        return out

    def dumps(self, value: Any, *, pretty: bool = False, sort_keys: bool = False) -> str:
        return self.dumpb(value, pretty=pretty, sort_keys=sort_keys).decode("utf-8")


CODEC: JsonCodec = OrjsonCodec()
