"""Our HNSW (``vector-index`` = hnsw), written once over the ``vector-math`` arrays.

Runtimes: every one. On numpy it is the index under WASI and in Pyodide with
numpy, and natively when hnswlib is missing; on the pure arrays it is the index
in Pyodide offline.

The algorithm follows hnswlib step for step (Malkov & Yashunin 2018, with
hnswlib's heuristic neighbour selection, ``M0 = 2M`` on the bottom layer, level
multiplier ``1/ln M``, tombstone deletes, and the same stop rule), so a graph
saved by hnswlib is searched here with the same visiting order and returns the
same neighbours for the same ``ef``, up to float rounding of near ties. Heaps
break distance ties the way hnswlib's ``std::priority_queue`` does.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from heapq import heappop, heappush
from typing import Any

from infra_portable.vector._arrays_base import VectorArrays
from infra_portable.vector._base import Hits, HnswConfig, LabelFilter
from infra_portable.vector._graph import GraphData, int32_array, int32_bytes

__all__ = ["Hnsw"]

INF = math.inf


class Hnsw:
    """A hierarchical navigable small-world graph over ``VectorArrays``."""

    name = "hnsw"

    def __init__(self, arrays: VectorArrays, config: HnswConfig) -> None:
        self.arrays = arrays
        self.config = config
        self.m = config.m
        self.m0 = arrays.m0
        self.ef_construction = config.ef_construction
        self._mult = 1.0 / math.log(self.m)
        self._rng = random.Random(config.seed)
        self._levels: list[int] = []
        # node -> its neighbour lists on layers 1..level (index 0 is layer 1)
        self._upper: dict[int, list[list[int]]] = {}
        self.entry_point = -1
        self.max_level = -1

    # -- the VectorIndex surface ---------------------------------------------
    @property
    def count(self) -> int:
        return self.arrays.count

    @property
    def backend(self) -> str:
        return str(getattr(self.arrays, "name", type(self.arrays).__name__))

    def add(self, vectors: Sequence[Sequence[float]] | Any, labels: Sequence[int]) -> None:
        first = self.arrays.append(vectors)
        if list(labels) != list(range(first, first + len(labels))):
            raise AssertionError("labels must continue the sequence")  # the store assigns them
        for offset in range(len(labels)):
            self._insert(first + offset, vectors[offset])

    def mark_deleted(self, label: int) -> None:
        self.arrays.mark_deleted(label)

    def search(self, query: Sequence[float], k: int, ef: int, allowed: LabelFilter | None) -> Hits:
        if self.entry_point < 0:
            return []
        arrays = self.arrays
        q = arrays.prepare(query)
        node = self.entry_point
        dist = arrays.distances(q, [node])[0]
        for layer in range(self.max_level, 0, -1):
            node, dist = self._greedy(q, node, dist, layer)
        if arrays.deleted_count:
            is_deleted = arrays.is_deleted
            if allowed is None:
                allowed = lambda i: not is_deleted(i)  # noqa: E731
            else:
                user = allowed
                allowed = lambda i: not is_deleted(i) and user(i)  # noqa: E731
        top = self._search_layer(q, node, dist, max(ef, k), 0, allowed)
        hits = sorted((-negative_d, -negative_i) for negative_d, negative_i in top)
        return hits[:k]

    def distances(self, query: Sequence[float], labels: Sequence[int]) -> list[float]:
        return self.arrays.exact_distances(query, labels)

    def exact(self, query: Sequence[float], k: int, labels: Sequence[int] | None) -> Hits:
        return self.arrays.top_k(query, k, labels)

    def vector(self, label: int) -> list[float]:
        return self.arrays.row(label)

    def memory_bytes(self) -> int:
        upper = sum(len(level) * 4 * self.m for level in self._upper.values())
        return self.arrays.memory_bytes() + upper + 4 * len(self._levels)

    # -- search ---------------------------------------------------------------
    def _upper_links(self, node: int, layer: int) -> list[int]:
        levels = self._upper.get(node)
        if levels is None or layer > len(levels):
            return []
        return levels[layer - 1]

    def _greedy(self, q: Any, node: int, dist: float, layer: int) -> tuple[int, float]:
        """Walk to a local minimum on one upper layer (hnswlib's first-minimum rule)."""
        distances = self.arrays.distances
        while True:
            links = self._upper_links(node, layer)
            if not links:
                return node, dist
            ds = distances(q, links)
            best = min(range(len(ds)), key=ds.__getitem__)
            if ds[best] >= dist:
                return node, dist
            node, dist = links[best], ds[best]

    def _expand_upper(
        self, q: Any, node: int, seen: set[int], bound: float, layer: int
    ) -> tuple[list[int], list[float]]:
        fresh = [i for i in self._upper_links(node, layer) if i not in seen]
        seen.update(fresh)
        return fresh, self.arrays.distances(q, fresh)

    def _search_layer(
        self, q: Any, entry: int, entry_d: float, ef: int, layer: int, allowed: LabelFilter | None
    ) -> list[tuple[float, int]]:
        """hnswlib's searchBaseLayer(ST): the ef nearest allowed nodes, as (-d, -id) heap items."""
        seen = {entry}
        candidates = [(entry_d, -entry)]
        top: list[tuple[float, int]] = []
        bound = INF
        if allowed is None or allowed(entry):
            top.append((-entry_d, -entry))
            bound = entry_d
        expand = self.arrays.expand
        while candidates:
            d, negative = candidates[0]
            if d > bound and len(top) >= ef:
                break
            heappop(candidates)
            if layer:
                ids, ds = self._expand_upper(q, -negative, seen, bound, layer)
            else:
                ids, ds = expand(q, -negative, seen, bound if len(top) >= ef else INF)
            for i, x in zip(ids, ds, strict=True):
                if len(top) < ef or x < bound:
                    heappush(candidates, (x, -i))
                    if allowed is None or allowed(i):
                        heappush(top, (-x, -i))
                        if len(top) > ef:
                            heappop(top)
                    if top:
                        bound = -top[0][0]
        return top

    # -- insertion ------------------------------------------------------------
    def _random_level(self) -> int:
        return int(-math.log(1.0 - self._rng.random()) * self._mult)

    def _insert(self, node: int, vector: Sequence[float]) -> None:
        level = self._random_level()
        self._levels.append(level)
        if level:
            self._upper[node] = [[] for _ in range(level)]
        if self.entry_point < 0:
            self.entry_point, self.max_level = node, level
            return
        arrays = self.arrays
        q = arrays.prepare(vector)
        entry = self.entry_point
        current = entry
        dist = arrays.distances(q, [current])[0]
        for layer in range(self.max_level, level, -1):
            current, dist = self._greedy(q, current, dist, layer)
        entry_deleted = arrays.is_deleted(entry)
        not_deleted = (lambda i: not arrays.is_deleted(i)) if arrays.deleted_count else None
        for layer in range(min(level, self.max_level), -1, -1):
            top = self._search_layer(q, current, dist, self.ef_construction, layer, not_deleted)
            found = sorted((-d, i) for d, i in top)  # ascending distance; ties: larger id first
            if entry_deleted:
                found.append((arrays.distances(q, [entry])[0], -entry))
                found.sort()
                del found[self.ef_construction :]
            current = self._connect(node, [(d, -i) for d, i in found], layer)
            dist = arrays.distances(q, [current])[0]
        if level > self.max_level:
            self.entry_point, self.max_level = node, level

    def _select(self, candidates: list[tuple[float, int]], limit: int) -> list[tuple[float, int]]:
        """hnswlib's getNeighborsByHeuristic2 over ascending (distance, node) pairs."""
        if len(candidates) < limit:
            return candidates
        kept = self.arrays.select([i for _, i in candidates], [d for d, _ in candidates], limit)
        return [candidates[k] for k in kept]

    def _links(self, node: int, layer: int) -> list[int]:
        return self.arrays.neighbours(node) if layer == 0 else self._upper_links(node, layer)

    def _set_links(self, node: int, layer: int, links: list[int]) -> None:
        if layer == 0:
            self.arrays.set_neighbours(node, links)
        else:
            self._upper[node][layer - 1] = links

    def _connect(self, node: int, found: list[tuple[float, int]], layer: int) -> int:
        """hnswlib's mutuallyConnectNewElement; returns the nearest selected node."""
        limit = self.m0 if layer == 0 else self.m
        selected = self._select(found, self.m)
        # hnswlib stores links farthest first (the order its max-heap pops them).
        ordered = [i for _, i in reversed(selected)]
        self._set_links(node, layer, ordered)
        pair = self.arrays.pair_distances
        for other in ordered:
            links = self._links(other, layer)
            if len(links) < limit:
                self._set_links(other, layer, [*links, node])
                continue
            ds = pair(other, [node, *links])
            pool = sorted(zip(ds, [node, *links], strict=True), key=lambda t: (t[0], -t[1]))
            kept = self._select(pool, limit)
            self._set_links(other, layer, [i for _, i in reversed(kept)])
        return selected[0][1] if selected else node

    # -- export and restore ---------------------------------------------------
    def export(self) -> GraphData:
        parts = self.arrays.export()
        upper: list[int] = []
        m = self.m
        for node, level in enumerate(self._levels):
            for links in self._upper.get(node, [])[:level]:
                upper.extend(links)
                upper.extend([-1] * (m - len(links)))
        return GraphData(
            dimensions=self.arrays.dimensions,
            distance=self.arrays.distance,
            precision=self.arrays.precision,
            m=m,
            m0=self.m0,
            ef_construction=self.ef_construction,
            count=self.count,
            entry_point=self.entry_point,
            max_level=self.max_level,
            vectors=parts["vectors"] or b"",
            levels=int32_bytes(self._levels),
            links0=parts["links0"] or b"",
            upper=int32_bytes(upper),
            deleted=parts["deleted"] or b"",
            originals=parts["originals"],
            quant=parts["quant"],
        )

    @classmethod
    def restore(cls, graph: GraphData, arrays_type: Any, config: HnswConfig) -> Hnsw:
        """An index over ``graph`` (validated first) on the given arrays backend."""
        graph.validate()
        arrays = arrays_type.restore(
            graph.dimensions,
            graph.distance,
            graph.precision,
            graph.m0,
            graph.count,
            {
                "vectors": graph.vectors,
                "originals": graph.originals,
                "quant": graph.quant,
                "links0": graph.links0,
                "deleted": graph.deleted,
            },
        )
        config = HnswConfig(
            m=graph.m,
            ef_construction=graph.ef_construction,
            ef_search=config.ef_search,
            seed=config.seed,
        )
        self = cls(arrays, config)
        self.m0 = graph.m0
        self._levels = list(int32_array(graph.levels))
        flat = int32_array(graph.upper)
        position = 0
        m = graph.m
        for node, level in enumerate(self._levels):
            if level:
                lists = []
                for _ in range(level):
                    row = flat[position : position + m]
                    lists.append([i for i in row if i >= 0])
                    position += m
                self._upper[node] = lists
        self.entry_point = graph.entry_point if graph.count else -1
        self.max_level = graph.max_level if graph.count else -1
        # Levels for nodes added after a restore continue a deterministic sequence.
        self._rng = random.Random(f"{config.seed}:{graph.count}")
        return self
