"""Layer 3: vector search (seed 002 §2.5) that runs the same in every runtime.

``VectorStore`` holds vectors with string ids and JSON metadata: insert,
``insert_batch``/``add`` (per-item failures, duration, progress callbacks),
``search(query, k, filter)``, get, delete, update, ``update_metadata``, stats,
``compact``, ``save``/``load`` and ``from_config``. Distances: cosine, l2, inner
product.

The index is a capability (``vector-index``), best first:

* ``hnswlib`` natively (C++, float32);
* ``hnsw``, our own HNSW following hnswlib step by step, over the
  ``vector-math`` arrays: numpy where numpy loads (native, WASI, Pyodide with
  numpy) and pure Python everywhere (Pyodide offline).

Small collections and very selective filters are searched exactly. Compression
tiers f16 and int8 (scalar quantisation) rescore the best candidates with the
float32 originals. A collection saved in one runtime loads in any other; an
index saved by hnswlib itself loads with ``VectorStore.from_hnswlib``, so a
graph built on a server is searched at the edge with the same neighbours.
"""

from __future__ import annotations

from infra_portable.vector._base import (
    BatchInsertResult,
    CollectionStats,
    CompressionConfig,
    Distance,
    HnswConfig,
    Precision,
    SearchResult,
    VectorIndex,
    VectorRecord,
    VectorStoreConfig,
)
from infra_portable.vector._filter import (
    And,
    Contains,
    Eq,
    Exists,
    Gt,
    Gte,
    In,
    Like,
    Lt,
    Lte,
    MetadataFilter,
    Ne,
    Not,
    Or,
)
from infra_portable.vector._normalize import EmbeddingNormalizer
from infra_portable.vector._store import VectorStore

__all__ = [
    # the store
    "VectorStore",
    "VectorStoreConfig",
    "HnswConfig",
    "CompressionConfig",
    "Distance",
    "Precision",
    # results
    "VectorRecord",
    "SearchResult",
    "BatchInsertResult",
    "CollectionStats",
    # filters
    "MetadataFilter",
    "Eq",
    "Ne",
    "Gt",
    "Gte",
    "Lt",
    "Lte",
    "In",
    "Contains",
    "Like",
    "Exists",
    "And",
    "Or",
    "Not",
    # utilities and the capability interface
    "EmbeddingNormalizer",
    "VectorIndex",
]
