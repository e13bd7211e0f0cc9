"""Regenerate the vector fixtures (native CPython with numpy and hnswlib).

    .venv/bin/python tests/native/vector/data/make_fixtures.py

Writes, next to this file:

* ``hnswlib_l2.bin``: an index saved by hnswlib's own ``save_index`` (l2, 16-d,
  1000 vectors, M=8, ef_construction=100, labels 1000 + 7 i, three deleted);
* ``hnswlib_cosine.ipvec``: a collection saved by ``VectorStore`` on the hnswlib
  backend (cosine, 16-d, 1500 vectors with metadata, two deleted);
* ``expected.json``: the queries, and what hnswlib itself returned for them at
  the recorded ``ef`` (labels and distances, or ids), which every runtime's
  HNSW must reproduce when it searches those files.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import hnswlib
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[3] / "src"))

from infra_portable.vector import CompressionConfig, HnswConfig, VectorStore  # noqa: E402


def low_rank(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    latent = rng.standard_normal((n, 4)).astype(np.float32)
    proj = rng.standard_normal((4, dim)).astype(np.float32)
    return latent @ proj + 0.3 * rng.standard_normal((n, dim)).astype(np.float32)


def main() -> None:
    rng = np.random.default_rng(20261201)
    dim, k, ef = 16, 10, 30
    expected: dict[str, object] = {"dimensions": dim, "k": k, "ef": ef}

    # 1. A raw hnswlib index, saved by hnswlib.
    data = low_rank(rng, 1000, dim)
    labels = 1000 + 7 * np.arange(len(data))
    index = hnswlib.Index(space="l2", dim=dim)
    index.init_index(max_elements=1200, M=8, ef_construction=100, random_seed=7)
    index.add_items(data, labels, num_threads=1)
    deleted = [int(labels[3]), int(labels[500]), int(labels[999])]
    for label in deleted:
        index.mark_deleted(label)
    index.set_ef(ef)
    queries = low_rank(rng, 25, dim)
    found, dists = index.knn_query(queries, k=k, num_threads=1)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "index.bin")
        index.save_index(path)
        (HERE / "hnswlib_l2.bin").write_bytes(Path(path).read_bytes())
    expected["hnswlib_l2"] = {
        "m": 8,
        "deleted": deleted,
        "queries": queries.tolist(),
        "labels": found.tolist(),
        "distances": dists.tolist(),
    }

    # 2. A portable collection saved by VectorStore on hnswlib.
    data = low_rank(rng, 1500, dim)
    store = VectorStore.create(
        "fixture",
        dim,
        "cosine",
        index="hnswlib",
        hnsw=HnswConfig(m=8, ef_construction=100, ef_search=ef, seed=11),
        compression=CompressionConfig(),
        exact_threshold=0,
    )
    ids = [f"doc-{i}" for i in range(len(data))]
    metadata = [{"i": i, "lang": ["en", "de", "fr"][i % 3]} for i in range(len(data))]
    store.add(ids, data, metadata)
    store.delete("doc-10")
    store.delete("doc-11")
    queries = low_rank(rng, 25, dim)
    results = [[r.id for r in store.search(q.tolist(), k, ef=ef)] for q in queries]
    filtered = [
        [r.id for r in store.search(q.tolist(), k, {"op": "eq", "field": "lang", "value": "de"})]
        for q in queries
    ]
    (HERE / "hnswlib_cosine.ipvec").write_bytes(store.to_bytes())
    expected["hnswlib_cosine"] = {
        "queries": queries.tolist(),
        "ids": results,
        "ids_lang_de": filtered,
    }
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print("wrote", sorted(p.name for p in HERE.iterdir() if p.suffix != ".py"))


if __name__ == "__main__":
    main()
