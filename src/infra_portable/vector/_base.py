"""Shared types of the vector module: metrics, configuration, results, the index Protocol.

An *index* (the ``vector-index`` capability) finds approximate nearest
neighbours among vectors addressed by small integer *labels*; the store above
it maps labels to user ids, metadata and timestamps. Labels are dense and never
reused (a deleted label stays a tombstone until ``VectorStore.compact``), so the
label of a vector is also its row in every saved file.

Distances are "smaller is nearer" and follow hnswlib's definitions, so an index
built by hnswlib and one built here agree number for number:

    cosine          1 - cos(a, b)      (vectors are unit-normalised on the way in)
    inner product   1 - a . b
    l2              |a - b|^2          (squared; results report the square root)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from infra_portable.errors import InfraError, ValidationError, check_int

if TYPE_CHECKING:
    from infra_portable.vector._graph import GraphData

__all__ = [
    "BatchInsertResult",
    "CollectionStats",
    "CompressionConfig",
    "Distance",
    "HnswConfig",
    "Precision",
    "Progress",
    "SearchResult",
    "VectorIndex",
    "VectorRecord",
    "VectorStoreConfig",
]

E = TypeVar("E", bound=StrEnum)

# (done, total): called during long builds and bulk inserts.
Progress = Callable[[int, int], None]
# label -> may this label be returned?
LabelFilter = Callable[[int], bool]
# Ascending (distance, label) pairs.
Hits = list[tuple[float, int]]


class Distance(StrEnum):
    """The similarity metric of a collection."""

    COSINE = "cosine"
    L2 = "l2"
    INNER_PRODUCT = "ip"

    @classmethod
    def parse(cls, value: Distance | str) -> Distance:
        if isinstance(value, Distance):
            return value
        return _alias(value, _DISTANCES, "distance metric", "distance", "cosine, l2 or ip")

    @property
    def hnswlib_space(self) -> str:
        # Cosine vectors are normalised before they reach the index, so hnswlib's
        # "ip" space computes exactly hnswlib's "cosine" distance.
        return "l2" if self is Distance.L2 else "ip"


class Precision(StrEnum):
    """How stored vectors are encoded for traversal (the seed's compression tiers)."""

    F32 = "f32"
    F16 = "f16"
    INT8 = "int8"

    @classmethod
    def parse(cls, value: Precision | str) -> Precision:
        if isinstance(value, Precision):
            return value
        return _alias(value, _PRECISIONS, "precision", "compression.precision", "f32, f16 or int8")

    @property
    def bytes_per_component(self) -> int:
        return {Precision.F32: 4, Precision.F16: 2, Precision.INT8: 1}[self]


_DISTANCES = {
    "cosine": Distance.COSINE,
    "l2": Distance.L2,
    "euclidean": Distance.L2,
    "ip": Distance.INNER_PRODUCT,
    "inner_product": Distance.INNER_PRODUCT,
    "dot": Distance.INNER_PRODUCT,
}
_PRECISIONS = {
    "f32": Precision.F32,
    "float32": Precision.F32,
    "f16": Precision.F16,
    "float16": Precision.F16,
    **dict.fromkeys(("int8", "i8", "sq8", "u8"), Precision.INT8),
}


def _alias(value: object, table: Mapping[str, E], what: str, field: str, expected: str) -> E:
    try:
        return table[str(value).strip().lower().replace("-", "_")]
    except KeyError:
        raise ValidationError(
            f"unknown {what}", field=field, expected=expected, actual=repr(value)
        ) from None


# Bounds that keep a setting inside what the backends take (hnswlib's C++ sizes
# and ints): a larger number is a ValidationError here, not a TypeError from
# the extension. No embedding model comes near 65,536 dimensions.
MAX_DIMENSIONS = 65_536
MAX_SETTING = 2**31 - 1


def _positive(name: str, value: object, minimum: int = 1, maximum: int = MAX_SETTING) -> int:
    return check_int(name, value, minimum=minimum, maximum=maximum)


@dataclass(frozen=True, slots=True)
class HnswConfig:
    """HNSW graph parameters (hnswlib's names and defaults)."""

    m: int = 16
    ef_construction: int = 200
    ef_search: int = 100
    seed: int = 100

    def __post_init__(self) -> None:
        _positive("hnsw.m", self.m, 2)
        _positive("hnsw.ef_construction", self.ef_construction)
        _positive("hnsw.ef_search", self.ef_search)
        _positive("hnsw.seed", self.seed, 0, 2**63 - 1)

    @property
    def m0(self) -> int:
        """Neighbours per node on the bottom layer (twice M, as in hnswlib)."""
        return 2 * self.m


@dataclass(frozen=True, slots=True)
class CompressionConfig:
    """Stored precision, and whether full-precision copies rescore the top candidates.

    ``precision`` f16 halves and int8 quarters the memory the graph traversal
    reads. With ``rescore`` the float32 originals are kept too and the best
    ``k * oversample`` candidates are re-ranked with exact distances, which wins
    back most of the recall lost to quantisation.
    """

    precision: Precision = Precision.F32
    rescore: bool = True
    oversample: int = 4

    def __post_init__(self) -> None:
        object.__setattr__(self, "precision", Precision.parse(self.precision))
        _positive("compression.oversample", self.oversample)

    @property
    def enabled(self) -> bool:
        return self.precision is not Precision.F32


@dataclass(frozen=True, slots=True)
class VectorStoreConfig:
    """Everything needed to create a collection.

    ``index`` names a ``vector-index`` implementation (``hnswlib`` or ``hnsw``)
    and ``math`` the ``vector-math`` one under our HNSW (``numpy`` or ``pure``);
    None picks the best for this runtime (after ``INFRA_PORTABLE_VECTOR_INDEX``
    and ``INFRA_PORTABLE_VECTOR_MATH``). Collections with at most
    ``exact_threshold`` live vectors are searched exactly.
    """

    collection_name: str
    dimensions: int
    distance: Distance = Distance.COSINE
    hnsw: HnswConfig = field(default_factory=HnswConfig)
    compression: CompressionConfig = field(default_factory=CompressionConfig)
    index: str | None = None
    math: str | None = None
    exact_threshold: int = 2048
    initial_capacity: int = 1024

    def __post_init__(self) -> None:
        if not isinstance(self.collection_name, str) or not self.collection_name.strip():
            raise ValidationError(
                "collection name must be a non-empty string",
                field="collection_name",
                actual=repr(self.collection_name),
            )
        _positive("dimensions", self.dimensions, 1, MAX_DIMENSIONS)
        object.__setattr__(self, "distance", Distance.parse(self.distance))
        _positive("exact_threshold", self.exact_threshold, 0)
        _positive("initial_capacity", self.initial_capacity)


@dataclass(frozen=True, slots=True)
class VectorRecord:
    """A stored vector with its metadata (vectors of cosine collections are unit length)."""

    id: str
    vector: tuple[float, ...]
    metadata: Mapping[str, Any] | None
    created_at: dt.datetime
    updated_at: dt.datetime


# Not frozen, unlike the other results: building ten frozen results costs about
# 5 us per query, a few percent of a whole hnswlib search. Each is a fresh copy.
@dataclass(slots=True)
class SearchResult:
    """One neighbour: ``score`` is higher-is-nearer, ``distance`` lower-is-nearer.

    Scores: cosine similarity (cosine), dot product (ip), minus the euclidean
    distance (l2). ``distance`` is 1 - similarity, 1 - dot, or euclidean.
    """

    id: str
    score: float
    distance: float
    vector: tuple[float, ...] | None = None
    metadata: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class BatchInsertResult:
    """What a batch insert did: per-item failures never abort the rest."""

    inserted: int
    failed: list[tuple[str, InfraError]]
    duration: float


@dataclass(frozen=True, slots=True)
class CollectionStats:
    total_vectors: int
    dimensions: int
    index_size_bytes: int
    distance_metric: Distance
    deleted_vectors: int
    index: str
    precision: Precision
    bytes_per_vector: float


class VectorIndex(Protocol):
    """An approximate nearest-neighbour index over labelled vectors (``vector-index``).

    Vectors reach the index already validated, as float32-representable floats,
    and unit-normalised for cosine. Implementations: ``_index_hnswlib`` (native)
    and ``_index_hnsw`` (ours, on numpy or pure Python).
    """

    name: str

    @property
    def count(self) -> int:
        """Labels ever added (tombstones included)."""
        ...

    def add(self, vectors: Sequence[Sequence[float]], labels: Sequence[int]) -> None:
        """Add vectors under new labels (labels are ``count``, ``count + 1``...)."""
        ...

    def mark_deleted(self, label: int) -> None:
        """Exclude a label from results; it stays in the graph as a waypoint."""
        ...

    def search(self, query: Sequence[float], k: int, ef: int, allowed: LabelFilter | None) -> Hits:
        """Up to k approximate nearest labels (not deleted, allowed) by ascending distance."""
        ...

    def distances(self, query: Sequence[float], labels: Sequence[int]) -> list[float]:
        """Exact float32 distances from the query to each label."""
        ...

    def exact(self, query: Sequence[float], k: int, labels: Sequence[int] | None) -> Hits:
        """The true k nearest among ``labels`` (None: every live label)."""
        ...

    def vector(self, label: int) -> list[float]:
        """The stored full-precision vector."""
        ...

    def memory_bytes(self) -> int:
        """Bytes held by vectors and graph."""
        ...

    def export(self) -> GraphData:
        """The graph and vectors in the portable layout (see ``_graph``)."""
        ...
