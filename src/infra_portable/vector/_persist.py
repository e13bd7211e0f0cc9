"""The portable collection file (``.ipvec``): one file, readable in every runtime.

Layout (all integers little-endian)::

    magic       8 bytes  b"IPVECTOR"
    version     u32      1
    header      u32 length, then UTF-8 JSON (below)
    padding     to a multiple of 8
    sections    raw bytes, each starting on a multiple of 8
    checksum    32 bytes: SHA-256 of everything before it

The JSON header holds the configuration (collection name, dimensions,
distance, precision, rescoring, HNSW parameters, exact threshold), the graph
fields (count, m0, entry point, max level) and ``sections``: name ->
``[offset, length]`` from the start of the file. The sections are the
``GraphData`` arrays (``vectors``, ``originals``, ``quant``, ``levels``,
``links0``, ``upper``, ``deleted``; see ``_graph``) plus ``records``: a JSON
array with, per node, ``[id, metadata, created, updated]`` (Unix seconds), or
``null`` for a tombstone.

Readers reject a bad magic, an unknown version, a checksum mismatch or
inconsistent sections with one VectorError, before anything is built.
"""

from __future__ import annotations

import hashlib
import json as _stdjson
import struct
from dataclasses import dataclass
from typing import Any

from infra_portable.errors import VectorError, VectorOperation
from infra_portable.vector._base import Distance, Precision
from infra_portable.vector._graph import GraphData

__all__ = ["MAGIC", "VERSION", "CollectionFile", "decode", "encode"]

MAGIC = b"IPVECTOR"
VERSION = 1
# GraphData's fields: whole numbers in the header, arrays as sections (two optional).
_NUMBERS = ("dimensions", "m", "m0", "ef_construction", "count", "entry_point", "max_level")
_ARRAYS = ("vectors", "originals", "quant", "levels", "links0", "upper", "deleted")
_OPTIONAL = ("originals", "quant")
_SECTIONS = (*_ARRAYS, "records")


@dataclass(slots=True)
class CollectionFile:
    """What a collection file holds: settings, the graph, and one record per node."""

    settings: dict[str, Any]
    graph: GraphData
    records: list[list[Any] | None]


def _corrupt(message: str) -> VectorError:
    return VectorError(
        f"not a readable collection file: {message}", operation=VectorOperation.INDEX
    )


def encode(content: CollectionFile) -> bytes:
    graph = content.graph
    records = _stdjson.dumps(
        content.records, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")
    blobs: dict[str, bytes | None] = {name: getattr(graph, name) for name in _ARRAYS}
    blobs["records"] = records
    header: dict[str, Any] = {
        "format": "infra-portable-vector",
        "settings": content.settings,
        "graph": {name: getattr(graph, name) for name in _NUMBERS}
        | {"distance": graph.distance.value, "precision": graph.precision.value},
    }
    # Offsets depend on the header's length, which depends on the offsets: lay
    # the sections out with a fixed-width header size and pad the header to it.
    present = {name: blob for name, blob in blobs.items() if blob is not None}
    for reserve in (4096, 1 << 16, 1 << 20):
        start = _align(len(MAGIC) + 8 + reserve)
        offsets, position = {}, start
        for name, blob in present.items():
            offsets[name] = [position, len(blob)]
            position = _align(position + len(blob))
        header["sections"] = offsets
        text = _stdjson.dumps(header, separators=(",", ":")).encode("utf-8")
        if len(text) <= reserve:
            break
    else:  # pragma: no cover - settings are small
        raise _corrupt("header too large")
    out = bytearray(MAGIC + struct.pack("<II", VERSION, reserve))
    out += text.ljust(reserve, b" ")
    for name, blob in present.items():
        out += bytes(offsets[name][0] - len(out))
        out += blob
    out += bytes(_align(len(out)) - len(out))
    out += hashlib.sha256(out).digest()
    return bytes(out)


def _align(n: int) -> int:
    return (n + 7) & ~7


def decode(data: bytes) -> CollectionFile:
    if len(data) < len(MAGIC) + 8 + 32 or data[: len(MAGIC)] != MAGIC:
        raise _corrupt("missing the IPVECTOR signature")
    version, header_size = struct.unpack_from("<II", data, len(MAGIC))
    if version != VERSION:
        raise _corrupt(f"format version {version} (this library reads {VERSION})")
    # Sections are views into ``data``: a 70 MB file is not copied again here.
    view = memoryview(data)
    body, digest = view[:-32], data[-32:]
    if hashlib.sha256(body).digest() != digest:
        raise _corrupt("checksum mismatch (truncated or modified)")
    start = len(MAGIC) + 8
    try:
        header = _stdjson.loads(data[start : start + header_size].decode("utf-8"))
        g = header["graph"]
        sections = header["sections"]
        blobs: dict[str, Any] = {}
        for name, (offset, length) in sections.items():
            if name not in _SECTIONS or offset < start or offset + length > len(body):
                raise _corrupt(f"section {name!r} is out of bounds")
            blobs[name] = view[offset : offset + length]
        fields: dict[str, Any] = {name: int(g[name]) for name in _NUMBERS}
        fields |= {name: blobs[name] for name in _ARRAYS if name not in _OPTIONAL}
        fields |= {name: blobs.get(name) for name in _OPTIONAL}
        graph = GraphData(
            distance=Distance.parse(g["distance"]),
            precision=Precision.parse(g["precision"]),
            **fields,
        )
        records = _stdjson.loads(bytes(blobs["records"]).decode("utf-8"))
        settings = header["settings"]
    except VectorError:
        raise
    except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise _corrupt(f"bad header ({type(exc).__name__}: {exc})") from exc
    if not isinstance(records, list) or len(records) != graph.count:
        raise _corrupt("records do not match the node count")
    if not isinstance(settings, dict):
        raise _corrupt("settings must be an object")
    graph.validate()
    return CollectionFile(settings=settings, graph=graph, records=records)
