"""The portable layout of an HNSW graph and its vectors, shared by every backend.

``GraphData`` is what an index exports and what a saved collection holds; both
our HNSW and hnswlib read and write it, which is how an index built natively by
hnswlib is searched by our HNSW under WASI or in the browser. Every array is
plain little-endian bytes, so the pure-Python backend needs only ``array``:

    vectors     count x dimensions, in ``precision`` (float32, float16 or uint8 codes)
    originals   count x dimensions float32, kept when compressed vectors are rescored
    quant       2 x dimensions float32: per-dimension offset then scale (int8 only)
    levels      count int32: the top layer of each node
    links0      count x m0 int32: bottom-layer neighbours, padded with -1
    upper       int32: for each node in order, for each of its layers 1..level,
                m neighbours padded with -1
    deleted     count bytes: 1 marks a tombstone

Node ``i`` is label ``i``.
"""

from __future__ import annotations

import sys
from array import array
from dataclasses import dataclass
from typing import Any

from infra_portable.errors import VectorError, VectorOperation
from infra_portable.vector._base import Distance, Precision

__all__ = ["GraphData", "int32_array", "int32_bytes", "le_array", "le_bytes", "permute"]

LITTLE = sys.byteorder == "little"


def le_array(typecode: str, data: bytes) -> array[Any]:
    """An ``array`` of ``typecode`` from little-endian bytes."""
    values = array(typecode)
    values.frombytes(data)
    if not LITTLE:  # pragma: no cover - every runtime here is little-endian
        values.byteswap()
    return values


def le_bytes(values: array[Any]) -> bytes:
    """Little-endian bytes of an ``array``."""
    if not LITTLE:  # pragma: no cover
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def int32_array(data: bytes) -> array[int]:
    return le_array("i", data)


def int32_bytes(values: array[int] | list[int]) -> bytes:
    return le_bytes(values if isinstance(values, array) else array("i", values))


@dataclass(slots=True)
class GraphData:
    """An HNSW graph with its vectors (see the module docstring for the layout)."""

    dimensions: int
    distance: Distance
    precision: Precision
    m: int
    m0: int
    ef_construction: int
    count: int
    entry_point: int
    max_level: int
    vectors: bytes
    levels: bytes
    links0: bytes
    upper: bytes
    deleted: bytes
    originals: bytes | None = None
    quant: bytes | None = None

    def validate(self) -> None:
        """Check sizes and neighbour ids so a corrupt file fails here, not in a search."""

        def bad(message: str) -> VectorError:
            return VectorError(
                f"corrupt index data: {message}",
                operation=VectorOperation.INDEX,
                dimensions=self.dimensions,
            )

        n, dim = self.count, self.dimensions
        width = self.precision.bytes_per_component
        if len(self.vectors) != n * dim * width:
            raise bad(f"vectors hold {len(self.vectors)} bytes, expected {n * dim * width}")
        if self.originals is not None and len(self.originals) != n * dim * 4:
            raise bad("originals have the wrong size")
        if self.precision is Precision.INT8 and (self.quant is None or len(self.quant) != 8 * dim):
            raise bad("int8 vectors need 2 x dimensions float32 quantisation parameters")
        if len(self.levels) != 4 * n or len(self.deleted) != n:
            raise bad("levels or tombstones do not match the node count")
        if len(self.links0) != 4 * n * self.m0:
            raise bad("bottom-layer links do not match count x m0")
        levels = int32_array(self.levels)
        if n and (min(levels) < 0 or max(levels) != self.max_level):
            raise bad("node levels disagree with the maximum level")
        if len(self.upper) != 4 * self.m * sum(levels):
            raise bad("upper-layer links do not match the node levels")
        if n and not 0 <= self.entry_point < n:
            raise bad(f"entry point {self.entry_point} is not a node")
        if n and levels[self.entry_point] != self.max_level:
            raise bad("the entry point is not on the top layer")
        for name, links in (("links0", self.links0), ("upper", self.upper)):
            ids = int32_array(links)
            if ids and (min(ids) < -1 or max(ids) >= n):
                raise bad(f"{name} names a node outside 0..{n - 1}")


def permute(graph: GraphData, labels: list[int]) -> GraphData:
    """The same graph with node ``i`` renumbered ``labels[i]`` (a permutation of 0..count-1)."""
    n = graph.count
    if labels == list(range(n)):
        return graph
    if sorted(labels) != list(range(n)):
        raise VectorError(
            "index labels are not 0..count-1", operation=VectorOperation.INDEX, dimensions=None
        )
    order = [0] * n  # new id -> old id
    for old, new in enumerate(labels):
        order[new] = old

    def renumber(ids: array[int]) -> array[int]:
        return array("i", [labels[i] if i >= 0 else -1 for i in ids])

    def rows(data: bytes | None, width: int) -> bytes | None:
        if data is None:
            return None
        return b"".join(data[old * width : (old + 1) * width] for old in order)

    width = graph.dimensions * graph.precision.bytes_per_component
    levels = int32_array(graph.levels)
    links0 = renumber(int32_array(graph.links0))
    upper = renumber(int32_array(graph.upper))
    starts, position = [], 0
    for level in levels:
        starts.append(position)
        position += level * graph.m
    new_upper = array("i")
    for old in order:
        new_upper.extend(upper[starts[old] : starts[old] + levels[old] * graph.m])
    m0 = graph.m0
    return GraphData(
        dimensions=graph.dimensions,
        distance=graph.distance,
        precision=graph.precision,
        m=graph.m,
        m0=m0,
        ef_construction=graph.ef_construction,
        count=n,
        entry_point=labels[graph.entry_point] if n else -1,
        max_level=graph.max_level,
        vectors=rows(graph.vectors, width) or b"",
        levels=int32_bytes(array("i", [levels[old] for old in order])),
        links0=int32_bytes(
            array("i", [x for old in order for x in links0[old * m0 : (old + 1) * m0]])
        ),
        upper=int32_bytes(new_upper),
        deleted=bytes(graph.deleted[old] for old in order),
        originals=rows(graph.originals, 4 * graph.dimensions),
        quant=graph.quant,
    )
