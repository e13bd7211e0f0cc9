"""hnswlib as the ``vector-index`` (native only).

Runtimes: native CPython with ``pip install 'infra-portable[vector]'`` (hnswlib
builds from source; ``scripts/setup`` sets ``HNSWLIB_NO_NATIVE=1`` so a cached
wheel carries no ``-march=native`` code and cannot crash on another CPU). It is
a compiled extension: Pyodide has no build of it and WASI cannot load one.

Stores float32 only (the store picks our HNSW for f16/int8 tiers). Export and
restore go through hnswlib's own file format (``_hnswlib_format``), so the graph
hnswlib built is exactly the one our HNSW searches elsewhere.

Exact searches, rescoring and reads use a float32 numpy copy of the vectors
(``NumpyArrays``): hnswlib's ``get_items`` costs about 12 us a row, which made
an exact scan of 100k vectors take 1.4 s instead of 5 ms. The copy costs
``4 x dimensions`` bytes a vector, counted in ``memory_bytes``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from typing import Any

import hnswlib
import numpy as np

from infra_portable.errors import VectorError, VectorOperation
from infra_portable.vector._arrays_numpy import NumpyArrays
from infra_portable.vector._base import (
    Distance,
    Hits,
    HnswConfig,
    LabelFilter,
    Precision,
    VectorIndex,
)
from infra_portable.vector._graph import GraphData, permute
from infra_portable.vector._hnswlib_format import read_hnswlib, write_hnswlib

__all__ = ["BACKEND", "HnswlibIndex"]

# hnswlib's message when a query finds fewer than k allowed neighbours.
_TOO_FEW = "contiguous 2D array"


class HnswlibIndex:
    """A thin adapter: labels are hnswlib labels; tombstones are hnswlib's deletes."""

    name = "hnswlib"
    backend = "hnswlib"

    def __init__(
        self,
        dimensions: int,
        distance: Distance,
        config: HnswConfig,
        capacity: int,
        *,
        _empty: bool = True,
    ) -> None:
        self.dimensions = dimensions
        self.distance = distance
        self.config = config
        self._index: Any = hnswlib.Index(space=distance.hnswlib_space, dim=dimensions)
        if _empty:  # a restore calls load_index instead
            self._index.init_index(
                max_elements=max(capacity, 16),
                M=config.m,
                ef_construction=config.ef_construction,
                random_seed=config.seed,
            )
        self._ef = -1
        self._mirror = NumpyArrays(dimensions, distance, Precision.F32, 1, True, capacity)

    @property
    def count(self) -> int:
        return int(self._index.element_count)

    def add(self, vectors: Sequence[Sequence[float]] | Any, labels: Sequence[int]) -> None:
        block = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dimensions)
        needed = self.count + len(block)
        capacity = int(self._index.max_elements)
        if needed > capacity:
            self._index.resize_index(max(needed, 2 * capacity))
        # One thread keeps the build deterministic under the seed.
        before = self.count
        try:
            self._index.add_items(block, np.asarray(labels, np.uint64), num_threads=1)
        finally:
            # Mirror whatever hnswlib took, even from a batch that failed half way.
            self._mirror.append(block[: self.count - before])

    def mark_deleted(self, label: int) -> None:
        if not self._mirror.is_deleted(label):  # the copy's tombstones are the record
            self._index.mark_deleted(label)
            self._mirror.mark_deleted(label)

    def search(self, query: Sequence[float], k: int, ef: int, allowed: LabelFilter | None) -> Hits:
        # The hot path of every search: plain attribute reads, no property calls.
        index = self._index
        k = min(k, index.element_count - self._mirror.deleted_count)
        if k <= 0:
            return []
        ef = max(ef, k)
        if ef != self._ef:
            index.set_ef(ef)
            self._ef = ef
        try:
            labels, distances = index.knn_query(query, k=k, num_threads=1, filter=allowed)
        except RuntimeError as exc:
            if _TOO_FEW in str(exc):
                return []  # fewer than k reachable: the store falls back to exact search
            raise VectorError(str(exc), operation=VectorOperation.SEARCH) from exc
        return list(zip(distances[0].tolist(), labels[0].tolist(), strict=True))

    def distances(self, query: Sequence[float], labels: Sequence[int]) -> list[float]:
        return self._mirror.exact_distances(query, labels)

    def exact(self, query: Sequence[float], k: int, labels: Sequence[int] | None) -> Hits:
        return self._mirror.top_k(query, k, labels)

    def vector(self, label: int) -> list[float]:
        return self._mirror.row(label)

    def memory_bytes(self) -> int:
        return int(self._index.index_file_size()) + 4 * self.dimensions * self.count

    def export(self) -> GraphData:
        with tempfile.TemporaryDirectory(prefix="infra-hnswlib-") as tmp:
            path = os.path.join(tmp, "index.bin")
            self._index.save_index(path)
            with open(path, "rb") as fh:
                data = fh.read()
        graph, labels = read_hnswlib(data, self.dimensions, self.distance)
        return permute(graph, labels)

    @classmethod
    def restore(cls, graph: GraphData, config: HnswConfig, capacity: int = 0) -> HnswlibIndex:
        graph.validate()
        capacity = max(capacity, graph.count, 16)
        self = cls(graph.dimensions, graph.distance, config, capacity, _empty=False)
        data = write_hnswlib(graph, max_elements=capacity)
        with tempfile.TemporaryDirectory(prefix="infra-hnswlib-") as tmp:
            path = os.path.join(tmp, "index.bin")
            with open(path, "wb") as fh:
                fh.write(data)
            self._index.load_index(path, max_elements=capacity)
        self._mirror.append(
            np.frombuffer(graph.vectors, "<f4").reshape(graph.count, graph.dimensions)
        )
        for label, flag in enumerate(graph.deleted):
            if flag:
                self._mirror.mark_deleted(label)
        return self


BACKEND = HnswlibIndex
_check: type[VectorIndex] = HnswlibIndex
