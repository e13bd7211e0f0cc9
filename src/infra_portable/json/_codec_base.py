"""The JSON codec capability: one canonical output, whichever library encodes it.

Every codec must produce exactly the bytes of the stdlib reference encoding:
UTF-8, compact separators (``,`` and ``:``; ``, ``/``: `` only in the 2-space
pretty form), insertion key order unless ``sort_keys``, ``repr``-style floats
(``1e+16``, ``1e-07``), arbitrary-size integers, and no escaping of non-ASCII.
Non-finite floats, lone surrogates, circular references and unsupported types
are rejected with SerializationError.

Decoding is strict RFC 8259: UTF-8 only (no BOM), no ``NaN``/``Infinity``, no
numbers that overflow to infinity; integers keep full precision.

A fast codec may produce its own bytes only where they are guaranteed equal to
the reference; wherever it cannot be sure (the caveats in each codec's module
docstring), it hands the value to the reference encoder.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
import math
import re
import uuid
from typing import Any, Protocol, runtime_checkable

from infra_portable.errors import SerializationError, ValidationError

__all__ = [
    "MAX_DEPTH",
    "JsonCodec",
    "check_depth",
    "reference_dumpb",
    "reference_loads",
    "to_json_compatible",
]

Buffer = str | bytes | bytearray | memoryview

# Documents nested deeper than this are rejected by every codec. The stdlib
# decoder recurses (and would fail at a depth that depends on the caller's stack)
# while orjson does not: one fixed limit keeps the results identical.
MAX_DEPTH = 512

_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_STRUCTURE_BYTES = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


@runtime_checkable
class JsonCodec(Protocol):
    """Encode and decode JSON with the canonical behaviour described above."""

    name: str

    def loads(self, data: Buffer) -> Any:
        """Parse one JSON document (str, or UTF-8 bytes)."""
        ...

    def dumpb(self, value: Any, *, pretty: bool = False, sort_keys: bool = False) -> bytes:
        """Serialize to UTF-8 bytes."""
        ...

    def dumps(self, value: Any, *, pretty: bool = False, sort_keys: bool = False) -> str:
        """Serialize to a str."""
        ...


def to_json_compatible(value: Any) -> Any:
    """The ``default`` hook shared by every codec for non-JSON Python types.

    Dataclasses become objects (field order), enums their value, UUIDs their
    canonical string, dates and times ISO 8601 (``isoformat()``). Anything else
    is rejected.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"number {text[:40]} is out of range")
    return number


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=to_json_compatible
)
_ENCODER_SORTED = json.JSONEncoder(
    ensure_ascii=False,
    separators=(",", ":"),
    allow_nan=False,
    default=to_json_compatible,
    sort_keys=True,
)


def _as_text(data: Buffer) -> str:
    if isinstance(data, str):
        return data
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValidationError(
            "JSON input must be str or UTF-8 bytes",
            field="data",
            expected="str | bytes",
            actual=type(data).__name__,
        )
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SerializationError(
            f"input is not valid UTF-8 ({exc.reason} at byte {exc.start})", offset=exc.start
        ) from None


def check_depth(data: str | bytes | bytearray) -> None:
    """Raise SerializationError if ``data`` nests arrays/objects deeper than MAX_DEPTH."""
    if isinstance(data, str):
        if data.count("[") + data.count("{") <= MAX_DEPTH:
            return
        matches = _STRUCTURE.finditer(data)
        opening: tuple[str | int, ...] = ("[", "{")
    else:
        if data.count(b"[") + data.count(b"{") <= MAX_DEPTH:
            return
        matches = _STRUCTURE_BYTES.finditer(data)  # type: ignore[assignment]
        opening = (ord("["), ord("{"))
    depth = 0
    for match in matches:
        token = match.group(0)
        if len(token) != 1:
            continue  # a string
        if token[0] in opening or token in opening:
            depth += 1
            if depth > MAX_DEPTH:
                raise SerializationError(
                    f"document nested deeper than {MAX_DEPTH} levels", offset=match.start()
                )
        else:
            depth -= 1


def reference_loads(data: Buffer) -> Any:
    """The canonical decoder (stdlib json, strict)."""
    text = _as_text(data)
    check_depth(text)
    try:
        value, end = _DECODER.raw_decode(text, _skip_ws(text, 0))
    except json.JSONDecodeError as exc:
        raise SerializationError(
            exc.msg, line=exc.lineno, column=exc.colno, offset=exc.pos
        ) from None
    except ValueError as exc:  # from the parse hooks: NaN, Infinity, 1e999
        raise SerializationError(str(exc)) from None
    except RecursionError:
        raise SerializationError("document nested too deeply") from None
    end = _skip_ws(text, end)
    if end != len(text):
        line = text.count("\n", 0, end) + 1
        column = end - text.rfind("\n", 0, end)
        raise SerializationError(
            "extra data after the document", line=line, column=column, offset=end
        )
    return value


def _skip_ws(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in " \t\n\r":
        pos += 1
    return pos


def reference_dumpb(value: Any, *, pretty: bool = False, sort_keys: bool = False) -> bytes:
    """The canonical encoder (stdlib json); output is UTF-8 bytes."""
    try:
        if pretty:
            text = json.dumps(
                value,
                ensure_ascii=False,
                indent=2,
                allow_nan=False,
                default=to_json_compatible,
                sort_keys=sort_keys,
            )
        else:
            text = (_ENCODER_SORTED if sort_keys else _ENCODER).encode(value)
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SerializationError(
            f"string contains a lone surrogate ({exc.object[exc.start : exc.end]!r}) that JSON "
            "text in UTF-8 cannot carry"
        ) from None
    except RecursionError:
        raise SerializationError("value nested too deeply to serialize") from None
    except (TypeError, ValueError) as exc:
        raise SerializationError(str(exc)) from None
