"""The ``vector-math`` capability: vector storage and distance kernels for our HNSW.

One implementation per array library: ``_arrays_numpy`` (numpy, natively, under
WASI and in Pyodide when the page loaded numpy) and ``_arrays_pure`` (the
standard library only, everywhere). Both store the same values (float32, or
float16 / uint8 codes) and compute the same distances up to float rounding;
the HNSW algorithm in ``_hnsw`` is written once on top of them.

The hot loop of a search is :meth:`VectorArrays.expand`: the neighbours of one
node that are unseen and nearer than the current bound. Neighbours at or beyond
the bound are *not* marked seen: the bound only shrinks, so they could never
enter the result later, and skipping the bookkeeping lets numpy compute every
neighbour's distance in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from infra_portable.vector._base import Distance, Hits, Precision

__all__ = ["VectorArrays"]

# Vectors are quantised to int8 once this many have arrived (or on ``calibrate``).
CALIBRATION_SIZE = 1024


class VectorArrays(Protocol):
    """Rows of vectors, bottom-layer links and tombstones, addressed by node id."""

    dimensions: int
    distance: Distance
    precision: Precision
    m0: int

    @property
    def count(self) -> int: ...

    def append(self, rows: Sequence[Sequence[float]]) -> int:
        """Store rows as nodes ``count..count+len(rows)-1``; returns the first id."""
        ...

    def row(self, node: int) -> list[float]:
        """The full-precision vector (the original when kept, else decoded)."""
        ...

    def prepare(self, query: Sequence[float]) -> Any:
        """A query in whatever form ``distances`` and ``expand`` want."""
        ...

    def distances(self, prepared: Any, nodes: Sequence[int]) -> list[float]:
        """Traversal-precision distances from the query to each node."""
        ...

    def exact_distances(self, query: Sequence[float], nodes: Sequence[int]) -> list[float]:
        """Full-precision distances (originals when kept) from the query to each node."""
        ...

    def pair_distances(self, node: int, nodes: Sequence[int]) -> list[float]:
        """Distances from one stored node to others."""
        ...

    def select(self, nodes: Sequence[int], dists: Sequence[float], limit: int) -> list[int]:
        """hnswlib's neighbour heuristic over candidates sorted by ascending distance.

        Keeps a candidate unless it is nearer to an already kept one than to the
        query; stops at ``limit``. Returns the kept positions, in order.
        """
        ...

    def expand(
        self, prepared: Any, node: int, seen: set[int], bound: float
    ) -> tuple[list[int], list[float]]:
        """Unseen bottom-layer neighbours of ``node`` nearer than ``bound`` (now marked seen)."""
        ...

    def neighbours(self, node: int) -> list[int]:
        """Bottom-layer neighbours."""
        ...

    def set_neighbours(self, node: int, nodes: Sequence[int]) -> None: ...

    def mark_deleted(self, node: int) -> None: ...

    def is_deleted(self, node: int) -> bool: ...

    @property
    def deleted_count(self) -> int:
        """Tombstoned nodes."""
        ...

    def top_k(self, query: Sequence[float], k: int, nodes: Sequence[int] | None) -> Hits:
        """Exact k nearest (full precision) among ``nodes`` (None: all live nodes)."""
        ...

    def calibrate(self) -> None:
        """Fix int8 quantisation ranges from the rows so far (no-op otherwise)."""
        ...

    def memory_bytes(self) -> int: ...

    def export(self) -> dict[str, bytes | None]:
        """``vectors``, ``originals``, ``quant``, ``links0``, ``deleted`` as bytes."""
        ...
