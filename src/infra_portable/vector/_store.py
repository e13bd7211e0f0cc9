"""``VectorStore``: a collection of vectors with ids and metadata (seed 002 §2.5).

The store owns ids, metadata, timestamps and search strategy; the index (the
``vector-index`` capability) only sees labels and vectors. Strategy:

* small collections (``exact_threshold`` live vectors or fewer) are searched
  exactly: faster than a graph at that size and never wrong;
* a filtered search first estimates the filter's selectivity on a sample; when
  few vectors can match, it scans the metadata and ranks the matches exactly,
  otherwise it filters during graph traversal (with ``ef`` raised for the
  selectivity) and falls back to the exact scan whenever the graph returns fewer
  than k matches while more exist, so a filter never loses results;
* compressed collections (f16/int8) with ``rescore`` re-rank the best
  ``k * oversample`` candidates with exact float32 distances.

Operations are synchronous (they compute in memory); a readers-writer lock
makes a store safe to share between threads where threads exist.
"""

from __future__ import annotations

import dataclasses
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from math import sqrt
from typing import TYPE_CHECKING, Any

from infra_portable.errors import (
    ConfigError,
    ValidationError,
    VectorError,
    VectorOperation,
    check_int,
    check_items,
)
from infra_portable.runtime import REGISTRY
from infra_portable.vector import _store_io as store_io
from infra_portable.vector._base import (
    MAX_SETTING,
    BatchInsertResult,
    CollectionStats,
    CompressionConfig,
    Distance,
    Hits,
    HnswConfig,
    Precision,
    Progress,
    SearchResult,
    VectorIndex,
    VectorRecord,
    VectorStoreConfig,
)
from infra_portable.vector._filter import MetadataFilter
from infra_portable.vector._rwlock import RWLock
from infra_portable.vector._validate import (
    check_id,
    check_matrix,
    check_metadata,
    check_vector,
    is_numpy,
)

if TYPE_CHECKING:
    from infra_portable.config import Config

__all__ = ["VectorStore"]

CHUNK = 1000  # rows per index call in bulk inserts (and per progress report)
SAMPLE = 256  # records sampled to estimate a filter's selectivity


class _Record:
    __slots__ = ("created", "id", "metadata", "updated")

    def __init__(self, id: str, metadata: dict[str, Any] | None, created: float, updated: float):
        self.id = id
        self.metadata = metadata
        self.created = created
        self.updated = updated


def _utc(seconds: float) -> Any:
    import datetime as dt

    return dt.datetime.fromtimestamp(seconds, dt.UTC)


class VectorStore:
    """Vectors with ids and metadata; insert, search, get, update, delete, save, load."""

    def __init__(self, config: VectorStoreConfig, *, clock: Callable[[], float] = time.time):
        self._setup(config, clock)
        self._index: VectorIndex = self._new_index(config.initial_capacity)

    def _setup(self, config: VectorStoreConfig, clock: Callable[[], float]) -> None:
        """Everything but the index (``__init__`` makes an empty one, ``_restore`` loads one)."""
        self.config = config
        self._clock = clock
        self._lock = RWLock()
        self._records: list[_Record | None] = []
        self._by_id: dict[str, int] = {}
        self._live = 0
        self._sampler = random.Random(config.hnsw.seed)
        self._index_name = self._choose_index()

    # -- construction ---------------------------------------------------------
    @classmethod
    def create(
        cls,
        collection_name: str,
        dimensions: int,
        distance: Distance | str = Distance.COSINE,
        **options: Any,
    ) -> VectorStore:
        """A store from keyword options (``hnsw=HnswConfig(...)``, ``compression=...``, ``index=...``)."""
        return cls(
            VectorStoreConfig(collection_name, dimensions, Distance.parse(distance), **options)
        )

    @classmethod
    def from_config(cls, config: Config) -> VectorStore:
        """A store from ``vector.*`` keys (seed names and defaults)."""
        from infra_portable.config import Config

        if not isinstance(config, Config):
            raise ValidationError(
                "from_config takes an infra_portable.config.Config",
                field="config",
                expected="Config",
                actual=type(config).__name__,
            )
        compression = CompressionConfig(
            precision=Precision.parse(config.get_str("vector.compression.precision", "f32"))
            if config.get_bool("vector.compression.enabled", True)
            else Precision.F32,
            rescore=config.get_bool("vector.compression.rescore", True),
            oversample=config.get_int("vector.compression.oversample", 4),
        )
        return cls(
            VectorStoreConfig(
                collection_name=config.get_str("vector.collection"),
                dimensions=config.get_int("vector.dimensions"),
                distance=Distance.parse(config.get_str("vector.distance", "cosine")),
                hnsw=HnswConfig(
                    m=config.get_int("vector.hnsw.m", 16),
                    ef_construction=config.get_int("vector.hnsw.ef_construction", 200),
                    ef_search=config.get_int("vector.hnsw.ef_search", 100),
                    seed=config.get_int("vector.hnsw.seed", 100),
                ),
                compression=compression,
                index=config.get("vector.index"),
                math=config.get("vector.math"),
                exact_threshold=config.get_int("vector.exact_threshold", 2048),
            )
        )

    def _choose_index(self) -> str:
        requested = REGISTRY.requested_name("vector-index", self.config.index)
        compressed = self.config.compression.enabled
        if requested == "hnswlib" and compressed:
            raise ConfigError(
                "the hnswlib index stores float32 only; use index='hnsw' for "
                f"{self.config.compression.precision.value} compression",
                key="vector.index",
            )
        name = str(REGISTRY.chosen_name("vector-index", self.config.index))
        if name == "hnswlib" and compressed:
            name = "hnsw"  # chosen by default, not asked for: compression needs ours
        return name

    def _new_index(self, capacity: int) -> VectorIndex:
        try:
            return self._allocate_index(capacity)
        except MemoryError as exc:  # numpy's and hnswlib's (std::bad_alloc) alike
            dimensions = self.config.dimensions
            raise VectorError(
                f"cannot allocate an index for {capacity:,} vectors of {dimensions} dimensions"
                " (lower initial_capacity: the index grows as vectors arrive)",
                operation=VectorOperation.INDEX,
                dimensions=dimensions,
            ) from exc

    def _allocate_index(self, capacity: int) -> VectorIndex:
        cfg = self.config
        if self._index_name == "hnswlib":
            factory = REGISTRY.resolve("vector-index", "hnswlib")
            return factory(cfg.dimensions, cfg.distance, cfg.hnsw, capacity)  # type: ignore[no-any-return]
        from infra_portable.vector._hnsw import Hnsw

        arrays_type = REGISTRY.resolve("vector-math", cfg.math)
        arrays = arrays_type(
            cfg.dimensions,
            cfg.distance,
            cfg.compression.precision,
            cfg.hnsw.m0,
            cfg.compression.rescore,
            capacity,
        )
        return Hnsw(arrays, cfg.hnsw)

    # -- properties -------------------------------------------------------------
    @property
    def dimensions(self) -> int:
        return self.config.dimensions

    @property
    def distance(self) -> Distance:
        return self.config.distance

    @property
    def index_name(self) -> str:
        """``hnswlib``, ``hnsw/numpy`` or ``hnsw/pure``."""
        backend = getattr(self._index, "backend", self._index.name)
        return self._index.name if backend == self._index.name else f"{self._index.name}/{backend}"

    def __len__(self) -> int:
        return self._live

    def __contains__(self, id: object) -> bool:
        return id in self._by_id

    def ids(self) -> list[str]:
        with self._lock.read:
            return [r.id for r in self._records if r is not None]

    # -- writes -----------------------------------------------------------------
    def _vector(self, vector: object, operation: VectorOperation) -> Sequence[float]:
        cfg = self.config
        return check_vector(
            vector, cfg.dimensions, cfg.distance, operation, cfg.compression.precision
        )

    def insert(
        self, id: str, vector: Sequence[float], metadata: Mapping[str, Any] | None = None
    ) -> None:
        """Add one vector; an id that exists already is a ValidationError (see ``upsert``)."""
        check_id(id)
        row = self._vector(vector, VectorOperation.INSERT)
        meta = check_metadata(metadata)
        with self._lock.write:
            if id in self._by_id:
                raise ValidationError(
                    f"a vector with id {id!r} exists already (use upsert to replace it)",
                    field="id",
                    actual=id,
                )
            now = self._clock()
            self._append([row], [_Record(id, meta, now, now)])

    def upsert(
        self, id: str, vector: Sequence[float], metadata: Mapping[str, Any] | None = None
    ) -> None:
        """Insert, or replace the vector and metadata of an existing id (keeps created_at)."""
        check_id(id)
        row = self._vector(vector, VectorOperation.INSERT)
        meta = check_metadata(metadata)
        with self._lock.write:
            self._replace(id, row, meta, keep_metadata=False)

    def _replace(
        self, id: str, row: Sequence[float], meta: dict[str, Any] | None, *, keep_metadata: bool
    ) -> None:
        """Add the new vector first, then retire the old one: a failure loses nothing."""
        now = self._clock()
        old = self._by_id.get(id)
        previous = self._records[old] if old is not None else None
        created = previous.created if previous is not None else now
        if keep_metadata and previous is not None:
            meta = previous.metadata
        self._append([row], [_Record(id, meta, created, now)])
        if old is not None:
            self._retire(old)  # its id now names the new label

    def _append(self, rows: Sequence[Sequence[float]] | Any, records: list[_Record]) -> None:
        first = self._index.count
        labels = list(range(first, first + len(records)))
        try:
            self._index.add(rows, labels)
        except Exception as exc:
            # Whatever the index took is orphaned: tombstone it so no search returns it.
            for label in range(first, self._index.count):
                self._index.mark_deleted(label)
            self._records.extend([None] * (self._index.count - len(self._records)))
            if isinstance(exc, VectorError):
                raise
            raise VectorError(
                f"index insert failed: {type(exc).__name__}: {exc}",
                operation=VectorOperation.INSERT,
                dimensions=self.dimensions,
            ) from exc
        for label, record in zip(labels, records, strict=True):
            self._records.append(record)
            self._by_id[record.id] = label
        self._live += len(records)

    def _drop(self, label: int) -> None:
        """Delete a live label and forget its id."""
        record = self._records[label]
        if record is not None:
            del self._by_id[record.id]
            self._retire(label)

    def _retire(self, label: int) -> None:
        """Tombstone a live label (its id is the caller's business)."""
        self._index.mark_deleted(label)
        self._records[label] = None
        self._live -= 1

    def insert_batch(
        self,
        items: Sequence[tuple[str, Sequence[float], Mapping[str, Any] | None]],
        *,
        progress: Progress | None = None,
    ) -> BatchInsertResult:
        """Insert (id, vector, metadata) items; bad items are reported, the rest inserted."""
        ids, vectors, metas = [], [], []
        early: list[tuple[str, Any]] = []
        for i, item in enumerate(check_items("items", items)):
            try:
                if not isinstance(item, tuple | list) or len(item) not in (2, 3):
                    raise ValidationError(
                        "an item is (id, vector) or (id, vector, metadata)",
                        field=f"items[{i}]",
                        actual=type(item).__name__,
                    )
                ids.append(item[0])
                vectors.append(item[1])
                metas.append(item[2] if len(item) == 3 else None)
            except ValidationError as exc:
                early.append((f"items[{i}]", exc))
        result = self.add(ids, vectors, metas, progress=progress)
        return BatchInsertResult(
            inserted=result.inserted,
            failed=[*early, *result.failed],
            duration=result.duration,
        )

    def add(
        self,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]] | Any,
        metadata: Sequence[Mapping[str, Any] | None] | None = None,
        *,
        progress: Progress | None = None,
    ) -> BatchInsertResult:
        """Columnar bulk insert (a numpy matrix is checked and indexed without copies per row)."""
        started = time.perf_counter()
        ids = check_items("ids", ids)
        if metadata is not None:
            metadata = check_items("metadata", metadata)
        cfg = self.config
        if not is_numpy(vectors):
            vectors = check_items("vectors", vectors)
        rows, errors = check_matrix(
            vectors, cfg.dimensions, cfg.distance, VectorOperation.INSERT, cfg.compression.precision
        )
        if len(rows) != len(ids) or (metadata is not None and len(metadata) != len(ids)):
            raise ValidationError(
                "ids, vectors and metadata must have the same length",
                field="vectors",
                expected=str(len(ids)),
                actual=str(len(rows)),
            )
        failed: list[tuple[str, Any]] = []
        good: list[int] = []
        metas: list[dict[str, Any] | None] = []
        seen: set[str] = set()
        for i, id in enumerate(ids):
            try:
                check_id(id, f"ids[{i}]")
                if errors[i] is not None:
                    raise errors[i]  # type: ignore[misc]
                meta = check_metadata(metadata[i] if metadata is not None else None)
                if id in seen:
                    raise ValidationError(f"id {id!r} repeats in the batch", field=f"ids[{i}]")
                seen.add(id)
            except (ValidationError, VectorError) as exc:
                failed.append((str(id), exc))
                continue
            good.append(i)
            metas.append(meta)
        inserted = 0
        total = len(good)
        picked = list(zip(good, metas, strict=True))
        # One write lock per chunk: searches run between chunks, and the progress
        # callback runs unlocked, so it may use the store.
        for start in range(0, len(picked), CHUNK):
            chunk = picked[start : start + CHUNK]
            with self._lock.write:
                fresh = [(i, m) for i, m in chunk if ids[i] not in self._by_id]
                failed.extend(
                    (ids[i], ValidationError(f"id {ids[i]!r} exists already", field="id"))
                    for i, _ in chunk
                    if ids[i] in self._by_id
                )
                now = self._clock()
                records = [_Record(ids[i], m, now, now) for i, m in fresh]
                try:
                    if fresh:
                        self._append(_take(rows, [i for i, _ in fresh]), records)
                    inserted += len(fresh)
                except VectorError as exc:
                    failed.extend((ids[i], exc) for i, _ in fresh)
            if progress is not None:
                progress(min(start + CHUNK, total), total)
        return BatchInsertResult(inserted, failed, time.perf_counter() - started)

    def delete(self, id: str) -> bool:
        """Remove a vector; False when the id is unknown."""
        check_id(id)
        with self._lock.write:
            label = self._by_id.get(id)
            if label is None:
                return False
            self._drop(label)
            return True

    def update_metadata(self, id: str, metadata: Mapping[str, Any] | None) -> None:
        """Replace the metadata of an existing vector."""
        check_id(id)
        meta = check_metadata(metadata)
        with self._lock.write:
            record = self._record(id, VectorOperation.UPDATE)
            record.metadata = meta
            record.updated = self._clock()

    def update(
        self,
        id: str,
        *,
        vector: Sequence[float] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        """Change the vector and/or the metadata of an existing vector."""
        check_id(id)
        if vector is None:
            if metadata is not None:
                self.update_metadata(id, metadata)
            else:
                with self._lock.read:
                    self._record(id, VectorOperation.UPDATE)
            return
        row = self._vector(vector, VectorOperation.UPDATE)
        meta = check_metadata(metadata)
        with self._lock.write:
            self._record(id, VectorOperation.UPDATE)
            self._replace(id, row, meta, keep_metadata=metadata is None)

    def _record(self, id: str, operation: VectorOperation) -> _Record:
        label = self._by_id.get(id)
        record = self._records[label] if label is not None else None
        if record is None:
            raise VectorError(f"no vector with id {id!r}", operation=operation)
        return record

    # -- reads ------------------------------------------------------------------
    def get(self, id: str) -> VectorRecord | None:
        check_id(id)
        with self._lock.read:
            label = self._by_id.get(id)
            if label is None:
                return None
            record = self._records[label]
            assert record is not None
            return VectorRecord(
                id=record.id,
                vector=tuple(self._index.vector(label)),
                metadata=_copy(record.metadata),
                created_at=_utc(record.created),
                updated_at=_utc(record.updated),
            )

    def search(
        self,
        query: Sequence[float],
        k: int = 10,
        filter: MetadataFilter | Mapping[str, Any] | None = None,
        *,
        ef: int | None = None,
        exact: bool = False,
        include_vectors: bool = False,
    ) -> list[SearchResult]:
        """The k nearest vectors (that match ``filter``), nearest first."""
        q = self._vector(query, VectorOperation.SEARCH)
        # ``type(x) is int`` is the cheap test of every search (a bool is not a count).
        if type(k) is not int or not 0 < k <= MAX_SETTING:
            check_int("k", k, minimum=1, maximum=MAX_SETTING)
        if ef is not None and (type(ef) is not int or not 0 < ef <= MAX_SETTING):
            check_int("ef", ef, minimum=1, maximum=MAX_SETTING)
        if filter is not None and not isinstance(filter, MetadataFilter):
            if not isinstance(filter, Mapping):
                raise ValidationError(
                    "filter must be a MetadataFilter or its dict form",
                    field="filter",
                    actual=type(filter).__name__,
                )
            filter = MetadataFilter.from_dict(filter)
        with self._lock.read:
            if not self._live:
                return []
            hits = self._hits(q, k, ef or self.config.hnsw.ef_search, filter, exact)
            records, vector = self._records, self._index.vector
            l2 = self.config.distance is Distance.L2
            out = []
            for d, label in hits:
                record = records[label]
                if record is None:
                    continue
                meta = record.metadata
                if l2:
                    distance = sqrt(d) if d > 0 else 0.0
                    score = -distance
                else:
                    distance, score = d, 1.0 - d
                out.append(
                    SearchResult(
                        record.id,
                        score,
                        distance,
                        tuple(vector(label)) if include_vectors else None,
                        _copy(meta) if meta else meta,
                    )
                )
            return out

    def _hits(
        self, q: Sequence[float], k: int, ef: int, filter: MetadataFilter | None, exact: bool
    ) -> Hits:
        small = exact or self._live <= self.config.exact_threshold
        if filter is None:
            if small:
                return self._index.exact(q, k, None)
            hits = self._ann(q, k, ef, None)
            if len(hits) < min(k, self._live):
                return self._index.exact(q, k, None)
            return hits
        test = filter.compile()
        records = self._records
        if small:
            return self._exact_matching(q, k, test)
        fraction = self._selectivity(test)
        if fraction * self._live <= max(self.config.exact_threshold, 4 * k):
            return self._exact_matching(q, k, test)

        def allowed(label: int) -> bool:
            record = records[label]
            return record is not None and test(record.metadata)

        boosted = min(max(ef, int(ef / max(fraction, 1e-3))), 50 * ef, self._live)
        hits = self._ann(q, k, boosted, allowed)
        if len(hits) < k:
            return self._exact_matching(q, k, test)
        return hits

    def _selectivity(self, test: Callable[[Mapping[str, Any] | None], bool]) -> float:
        records = self._records
        n = len(records)
        picks = [records[self._sampler.randrange(n)] for _ in range(min(SAMPLE, n))]
        live = [r for r in picks if r is not None]
        if not live:
            return 1.0
        return sum(1 for r in live if test(r.metadata)) / len(live)

    def _exact_matching(
        self, q: Sequence[float], k: int, test: Callable[[Mapping[str, Any] | None], bool]
    ) -> Hits:
        labels = [i for i, r in enumerate(self._records) if r is not None and test(r.metadata)]
        if not labels:
            return []
        return self._index.exact(q, k, labels)

    def _ann(
        self, q: Sequence[float], k: int, ef: int, allowed: Callable[[int], bool] | None
    ) -> Hits:
        comp = self.config.compression
        if not (comp.enabled and comp.rescore):
            return self._index.search(q, k, ef, allowed)
        wide = k * comp.oversample
        candidates = self._index.search(q, wide, max(ef, wide), allowed)
        labels = [label for _, label in candidates]
        exact = self._index.distances(q, labels)
        return sorted(zip(exact, labels, strict=True))[:k]

    def stats(self) -> CollectionStats:
        with self._lock.read:
            size = self._index.memory_bytes()
            count = self._index.count
            return CollectionStats(
                total_vectors=self._live,
                dimensions=self.dimensions,
                index_size_bytes=size,
                distance_metric=self.distance,
                deleted_vectors=count - self._live,
                index=self.index_name,
                precision=self.config.compression.precision,
                bytes_per_vector=size / count if count else 0.0,
            )

    def compact(self) -> int:
        """Rebuild the index from the live vectors, dropping tombstones; returns how many.

        The new index is built aside and swapped in, so a failure leaves the store as it was.
        """
        with self._lock.write:
            dropped = self._index.count - self._live
            if not dropped:
                return 0
            live = [(label, r) for label, r in enumerate(self._records) if r is not None]
            index = self._new_index(max(len(live), self.config.initial_capacity))
            for start in range(0, len(live), CHUNK):
                chunk = live[start : start + CHUNK]
                rows = [self._index.vector(label) for label, _ in chunk]
                index.add(rows, list(range(start, start + len(chunk))))
            self._index = index
            self._records = [r for _, r in live]
            self._by_id = {r.id: label for label, r in enumerate(self._records) if r is not None}
            return dropped

    # -- persistence (formats in _persist and _hnswlib_format) -----------------
    def to_bytes(self) -> bytes:
        """The collection in the portable file format (see ``_persist``)."""
        with self._lock.read:
            graph = self._index.export()
            records = [
                None if r is None else [r.id, r.metadata, r.created, r.updated]
                for r in self._records
            ]
            return store_io.encode(self.config, graph, records)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the collection to ``path`` atomically (temp file, then rename)."""
        store_io.write_atomic(path, self.to_bytes())

    @classmethod
    def load(cls, path: str | os.PathLike[str], **overrides: Any) -> VectorStore:
        """A collection saved by ``save`` (by any backend, in any runtime); see ``from_bytes``."""
        return cls.from_bytes(store_io.read(path), **overrides)

    @classmethod
    def from_bytes(
        cls,
        data: bytes,
        *,
        index: str | None = None,
        math: str | None = None,
        ef_search: int | None = None,
        exact_threshold: int | None = None,
    ) -> VectorStore:
        """A collection from ``to_bytes`` output.

        ``index``/``math`` pick the backend here; ``ef_search`` and
        ``exact_threshold`` replace the saved values.
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            raise ValidationError(
                "from_bytes takes the bytes to_bytes wrote",
                field="data",
                expected="bytes",
                actual=type(data).__name__,
            )
        config, graph, records = store_io.decode(data, index, math)
        if ef_search is not None:
            config = dataclasses.replace(
                config, hnsw=dataclasses.replace(config.hnsw, ef_search=ef_search)
            )
        if exact_threshold is not None:
            config = dataclasses.replace(config, exact_threshold=exact_threshold)
        return cls._restore(config, graph, records)

    @classmethod
    def from_hnswlib(
        cls,
        data: bytes | str | os.PathLike[str],
        *,
        dimensions: int,
        distance: Distance | str,
        collection_name: str = "hnswlib",
        ids: Mapping[int, str] | Sequence[str] | None = None,
        metadata: Mapping[int, Mapping[str, Any]] | None = None,
        index: str | None = None,
        math: str | None = None,
        ef_search: int = 100,
        exact_threshold: int = 2048,
    ) -> VectorStore:
        """A store over an index saved by hnswlib's ``save_index`` (read in pure Python).

        hnswlib labels become ids (``str(label)`` unless ``ids`` maps them) and
        ``metadata`` maps labels to metadata.
        """
        if not isinstance(data, bytes | bytearray):
            data = store_io.read(data)
        config, graph, records = store_io.from_hnswlib(
            bytes(data),
            VectorStoreConfig(
                collection_name=collection_name,
                dimensions=dimensions,
                distance=Distance.parse(distance),
                hnsw=HnswConfig(ef_search=ef_search),
                index=index,
                math=math,
                exact_threshold=exact_threshold,
            ),
            ids,
            metadata,
        )
        return cls._restore(config, graph, records)

    @classmethod
    def _restore(
        cls, config: VectorStoreConfig, graph: Any, records: list[list[Any] | None]
    ) -> VectorStore:
        self = cls.__new__(cls)
        self._setup(config, time.time)
        if self._index_name == "hnswlib":
            factory = REGISTRY.resolve("vector-index", "hnswlib")
            self._index = factory.restore(graph, config.hnsw, config.initial_capacity)
        else:
            from infra_portable.vector._hnsw import Hnsw

            arrays_type = REGISTRY.resolve("vector-math", config.math)
            self._index = Hnsw.restore(graph, arrays_type, config.hnsw)
        for label, item in enumerate(records):
            if item is None:
                self._records.append(None)
                if not graph.deleted[label]:
                    self._index.mark_deleted(label)
                continue
            try:
                id, meta, created, updated = item
                record = _Record(check_id(id), check_metadata(meta), float(created), float(updated))
            except (TypeError, ValueError, ValidationError) as exc:
                raise VectorError(
                    f"not a readable collection file: record {label} is malformed ({exc})",
                    operation=VectorOperation.INDEX,
                ) from exc
            if record.id in self._by_id:
                raise VectorError(
                    f"not a readable collection file: id {record.id!r} repeats",
                    operation=VectorOperation.INDEX,
                )
            self._records.append(record)
            self._by_id[record.id] = label
        self._live = len(self._by_id)
        return self


def _take(rows: Any, picks: list[int]) -> Any:
    if hasattr(rows, "dtype"):
        return rows[picks]
    return [rows[i] for i in picks]


def _copy(metadata: dict[str, Any] | None) -> dict[str, Any] | None:
    if metadata is None:
        return None
    from infra_portable.json import copy_json

    return copy_json(metadata)  # type: ignore[no-any-return]
