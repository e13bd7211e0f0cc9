"""Pure-Python vector arrays (``vector-math`` = pure): the standard library only.

Runtimes: every one; it is what Pyodide uses offline (numpy is not reachable
there) and what the native-no-deps run proves on CPython. Rows are
``array('f')`` objects, so values are float32 exactly as numpy stores them;
sums run in double precision, so distances agree with numpy's to about 1e-6.
float16 rows are stored as their float32 widening and int8 rows as their
decoded float32 values, next to the codes that are saved: the pure backend
keeps the results of compression, not its memory savings.
"""

from __future__ import annotations

import heapq
import math
import struct
from array import array
from collections.abc import Sequence
from operator import mul, sub

from infra_portable.vector._arrays_base import CALIBRATION_SIZE, VectorArrays
from infra_portable.vector._base import Distance, Hits, Precision
from infra_portable.vector._graph import int32_array, int32_bytes, le_array, le_bytes

__all__ = ["BACKEND", "PureArrays"]

INF = math.inf


def _f16_round(values: array[float]) -> array[float]:
    n = len(values)
    return array("f", struct.unpack(f"<{n}e", struct.pack(f"<{n}e", *values)))


class PureArrays:
    """Vectors, bottom-layer links and tombstones in ``array`` objects."""

    name = "pure"

    def __init__(
        self,
        dimensions: int,
        distance: Distance,
        precision: Precision,
        m0: int,
        keep_originals: bool,
        capacity: int,
    ) -> None:
        del capacity  # lists grow by themselves
        self.dimensions = dimensions
        self.distance = distance
        self.precision = precision
        self.m0 = m0
        self.keep_originals = keep_originals or precision is Precision.F32
        self._rows: list[array[float]] = []  # traversal precision, decoded
        # int8 stages float32 rows until it is calibrated, even without rescoring.
        staged = precision is Precision.INT8 or (precision is Precision.F16 and keep_originals)
        self._originals: list[array[float]] | None = [] if staged else None
        self._codes: list[bytes] = []
        self._offset: array[float] | None = None
        self._scale: array[float] | None = None
        self._links = array("i")
        self._counts = array("i")
        self._deleted = bytearray()
        self._n_deleted = 0
        self._l2 = distance is Distance.L2

    @property
    def count(self) -> int:
        return len(self._rows)

    @property
    def calibrated(self) -> bool:
        return self.precision is not Precision.INT8 or self._scale is not None

    # -- rows -----------------------------------------------------------------
    def append(self, rows: Sequence[Sequence[float]]) -> int:
        first = len(self._rows)
        for values in rows:
            row = array("f", values)
            if self._originals is not None:
                self._originals.append(row)
            if self.precision is Precision.F16:
                row = _f16_round(row)
            elif self.precision is Precision.INT8 and self._scale is not None:
                code = self._encode(row)
                self._codes.append(code)
                row = self._decode(code)
            self._rows.append(row)
        added = len(self._rows) - first
        self._links.extend([-1] * (added * self.m0))
        self._counts.extend([0] * added)
        self._deleted.extend(bytes(added))
        if not self.calibrated and len(self._rows) >= CALIBRATION_SIZE:
            self.calibrate()
        return first

    def _encode(self, row: array[float]) -> bytes:
        assert self._offset is not None
        assert self._scale is not None
        return bytes(
            min(255, max(0, round((x - o) / s)))
            for x, o, s in zip(row, self._offset, self._scale, strict=True)
        )

    def _decode(self, code: bytes) -> array[float]:
        assert self._offset is not None
        assert self._scale is not None
        return array(
            "f", [c * s + o for c, s, o in zip(code, self._scale, self._offset, strict=True)]
        )

    def calibrate(self) -> None:
        if self.calibrated or not self._rows:
            return
        source = self._originals if self._originals is not None else self._rows
        columns = list(zip(*source, strict=True))
        low = array("f", [min(c) for c in columns])
        high = array("f", [max(c) for c in columns])
        scale = array("f", [(h - lo) / 255.0 for lo, h in zip(low, high, strict=True)])
        self._offset = low
        self._scale = array("f", [s if s != 0 else 1.0 for s in scale])
        self._codes = [self._encode(row) for row in source]
        self._rows = [self._decode(code) for code in self._codes]
        if not self.keep_originals:
            self._originals = None

    def row(self, node: int) -> list[float]:
        if self._originals is not None:
            return self._originals[node].tolist()
        return self._rows[node].tolist()

    # -- distances ------------------------------------------------------------
    def prepare(self, query: Sequence[float]) -> array[float]:
        return array("f", query)

    def _distance(self, q: array[float], row: array[float]) -> float:
        if self._l2:
            return float(sum(d * d for d in map(sub, row, q)))
        return 1.0 - float(sum(map(mul, row, q)))

    def distances(self, prepared: array[float], nodes: Sequence[int]) -> list[float]:
        rows, dist = self._rows, self._distance
        return [dist(prepared, rows[i]) for i in nodes]

    def exact_distances(self, query: Sequence[float], nodes: Sequence[int]) -> list[float]:
        rows = self._originals if self._originals is not None else self._rows
        q = array("f", query)
        return [self._distance(q, rows[i]) for i in nodes]

    def pair_distances(self, node: int, nodes: Sequence[int]) -> list[float]:
        return self.distances(self._rows[node], nodes)

    def select(self, nodes: Sequence[int], dists: Sequence[float], limit: int) -> list[int]:
        rows, dist = self._rows, self._distance
        kept: list[int] = []
        for position, (node, d) in enumerate(zip(nodes, dists, strict=True)):
            if len(kept) >= limit:
                break
            row = rows[node]
            if all(dist(row, rows[nodes[k]]) >= d for k in kept):
                kept.append(position)
        return kept

    def expand(
        self, prepared: array[float], node: int, seen: set[int], bound: float
    ) -> tuple[list[int], list[float]]:
        start = node * self.m0
        rows, dist = self._rows, self._distance
        ids: list[int] = []
        ds: list[float] = []
        for i in self._links[start : start + self._counts[node]]:
            if i in seen:
                continue
            seen.add(i)
            d = dist(prepared, rows[i])
            if d < bound:
                ids.append(i)
                ds.append(d)
        return ids, ds

    # -- links and tombstones -------------------------------------------------
    def neighbours(self, node: int) -> list[int]:
        start = node * self.m0
        return self._links[start : start + self._counts[node]].tolist()

    def set_neighbours(self, node: int, nodes: Sequence[int]) -> None:
        start = node * self.m0
        n = len(nodes)
        self._links[start : start + self.m0] = array("i", [*nodes, *([-1] * (self.m0 - n))])
        self._counts[node] = n

    def mark_deleted(self, node: int) -> None:
        if not self._deleted[node]:
            self._deleted[node] = 1
            self._n_deleted += 1

    @property
    def deleted_count(self) -> int:
        return self._n_deleted

    def is_deleted(self, node: int) -> bool:
        return bool(self._deleted[node])

    def top_k(self, query: Sequence[float], k: int, nodes: Sequence[int] | None) -> Hits:
        if nodes is None:
            deleted = self._deleted
            nodes = [i for i in range(len(self._rows)) if not deleted[i]]
        distances = self.exact_distances(query, nodes)
        return heapq.nsmallest(k, zip(distances, nodes, strict=True))

    # -- accounting and export ------------------------------------------------
    def memory_bytes(self) -> int:
        n, dim = len(self._rows), self.dimensions
        total = n * (4 * dim + 4 * self.m0 + 4 + 1)
        if self._originals is not None and self.precision is not Precision.F32:
            total += 4 * n * dim
        return total

    def export(self) -> dict[str, bytes | None]:
        if not self.calibrated:
            self.calibrate()
        dim = self.dimensions
        if self.precision is Precision.F32:
            vectors = b"".join(le_bytes(row) for row in self._rows)
        elif self.precision is Precision.F16:
            vectors = b"".join(struct.pack(f"<{dim}e", *row) for row in self._rows)
        else:
            vectors = b"".join(self._codes)
        quant = None
        if self.precision is Precision.INT8:
            offset = self._offset if self._offset is not None else array("f", [0.0] * dim)
            scale = self._scale if self._scale is not None else array("f", [1.0] * dim)
            quant = le_bytes(offset) + le_bytes(scale)
        originals = None
        if self._originals is not None and self.precision is not Precision.F32:
            originals = b"".join(le_bytes(row) for row in self._originals)
        return {
            "vectors": vectors,
            "originals": originals,
            "quant": quant,
            "links0": int32_bytes(self._links),
            "deleted": bytes(self._deleted),
        }

    @classmethod
    def restore(
        cls,
        dimensions: int,
        distance: Distance,
        precision: Precision,
        m0: int,
        count: int,
        parts: dict[str, bytes | None],
        capacity: int = 0,
    ) -> PureArrays:
        """Arrays from exported bytes (see ``_graph`` for the layout)."""
        originals = parts.get("originals")
        self = cls(dimensions, distance, precision, m0, originals is not None, capacity)
        vectors = parts["vectors"] or b""
        dim = dimensions
        if precision is Precision.F32:
            flat = le_array("f", vectors)
            self._rows = [flat[i * dim : (i + 1) * dim] for i in range(count)]
        elif precision is Precision.F16:
            self._rows = [
                array("f", struct.unpack_from(f"<{dim}e", vectors, 2 * i * dim))
                for i in range(count)
            ]
        elif count:
            quant = le_array("f", parts["quant"] or b"")
            self._offset, self._scale = quant[:dim], quant[dim:]
            self._codes = [bytes(vectors[i * dim : (i + 1) * dim]) for i in range(count)]
            self._rows = [self._decode(code) for code in self._codes]
        if originals is not None:
            flat = le_array("f", originals)
            self._originals = [flat[i * dim : (i + 1) * dim] for i in range(count)]
        elif count and precision is not Precision.F32:
            self._originals = None
        self._links = int32_array(parts["links0"] or b"")
        self._counts = array("i", [0] * count)
        links, m0_ = self._links, m0
        for node in range(count):
            row = links[node * m0_ : (node + 1) * m0_]
            self._counts[node] = m0_ - row.count(-1)
        self._deleted = bytearray(parts["deleted"] or b"")
        self._n_deleted = sum(self._deleted)
        return self


BACKEND = PureArrays
_check: type[VectorArrays] = PureArrays
