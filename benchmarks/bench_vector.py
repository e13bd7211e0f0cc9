"""Vector search: our ``VectorStore`` vs raw hnswlib, and our numpy HNSW vs numpy brute force.

Data (issue text): 100k x 128 float32, seeded, low-rank — a 16-d gaussian latent
projected to 128-d plus gaussian noise — because uniform random 128-d data is a
poor test set (every point is almost equidistant from every other). Queries come
from the same distribution (fresh draws, not copies of rows). Metric: cosine.
Ground truth is the exact top-10 by numpy. ``--quick`` uses 10k rows (1,500 for
our numpy HNSW and the memory groups) and fewer queries.

Groups:

* search on the hnswlib backend: ``VectorStore.search(q, k=10, ef=50)`` vs raw
  ``knn_query`` at ``set_ef(50)`` on an index built with the same M,
  ef_construction and seed; single queries, one thread (target 0.9);
* insert on the hnswlib backend: one-shot ``store.add(ids, X)`` vs
  ``add_items(X, labels, num_threads=1)`` (target 0.9);
* our numpy HNSW (``index="hnsw"`` on ``vector-math`` = numpy): single-query QPS
  and recall@10 at several ef; "ours" is the fastest ef with recall >= 0.95,
  the peers numpy brute force (``X @ q`` through BLAS, or ``einsum``, which
  starts no BLAS threads, then argpartition). The issue asks for >= 1,000 QPS
  at 100k, so the target is 1000 / best brute-force QPS (met iff ours >= 1,000
  QPS); on fewer rows the group is for information. The build is pure Python and slow: it stops
  early (and says so) when the full size would take longer than a budget;
* memory per vector for f32, f16 and int8 (rescore on and off) on our numpy
  HNSW (10k rows), with recall@10 at ef=50, for information.

Timings are single queries on one thread, except brute force ``X @ q``, which
may use several BLAS threads. Other processes may share the machine: one-shot
builds in particular are noisy.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from _harness import Group
from _vector_data import DIMS, K, ground_truth, low_rank, unit

M, EF_CONSTRUCTION, GRAPH_SEED = 16, 200, 100
EF = 50
EF_SWEEP = (20, 30, 50, 100)
RECALL_HNSWLIB = 0.97  # issue: recall@10 >= 0.97 at ef=50
RECALL_OURS = 0.95  # issue: >= 1,000 QPS at recall >= 0.95
QPS_OURS = 1000.0
FULL_N = 100_000
BUILD_BUDGET = 15 * 60.0  # seconds for our numpy HNSW build at full size


# -- data and ground truth: _vector_data ---------------------------------------
def _recall(found: Sequence[Sequence[int]], truth: Any) -> float:
    hits = sum(len(set(f) & set(t)) for f, t in zip(found, truth.tolist(), strict=True))
    return hits / (K * len(truth))


# -- timing -----------------------------------------------------------------------
def _qps(search: Callable[[Any], Any], queries: Sequence[Any], repeats: int) -> tuple[float, list]:
    """Best single-query throughput over ``repeats`` passes; the results of the first pass."""
    for q in queries[:10]:  # warm up
        search(q)
    best, first = 0.0, None
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            out = []
            start = time.perf_counter()
            for q in queries:
                out.append(search(q))
            elapsed = time.perf_counter() - start
            best = max(best, len(queries) / elapsed)
            if first is None:
                first = out
    finally:
        if gc_was_enabled:
            gc.enable()
    return best, first or []


def _ids(results: list) -> list[list[int]]:
    return [[int(r.id) for r in hits] for hits in results]


def _store(index: str, precision: str = "f32", rescore: bool = True, **options: Any) -> Any:
    from infra_portable.vector import CompressionConfig, HnswConfig, VectorStore

    return VectorStore.create(
        "bench",
        DIMS,
        "cosine",
        index=index,
        hnsw=HnswConfig(m=M, ef_construction=EF_CONSTRUCTION, ef_search=EF, seed=GRAPH_SEED),
        compression=CompressionConfig(precision=precision, rescore=rescore),
        exact_threshold=0,
        **options,
    )


def _numpy_store(precision: str = "f32", rescore: bool = True) -> Any:
    store = _store("hnsw", precision, rescore, math="numpy")
    if store.index_name != "hnsw/numpy":
        raise AssertionError(f"expected our HNSW on numpy, got {store.index_name}")
    return store


def _build_chunked(
    store: Any, ids: list[str], x: Any, step: int, budget: float
) -> tuple[int, float, float | None]:
    """Add rows ``step`` at a time; stop early if the rest would overrun ``budget`` seconds.

    Returns (rows built, seconds, projected seconds for all rows if it stopped early).
    The projection takes the rate of the latest chunk (the rate falls as the graph
    grows) plus 10%.
    """
    n = len(ids)
    built, elapsed = 0, 0.0
    while built < n:
        end = min(built + step, n)
        start = time.perf_counter()
        result = store.add(ids[built:end], x[built:end])
        took = time.perf_counter() - start
        if result.inserted != end - built:
            raise AssertionError(f"insert failed: {result.failed[:3]}")
        elapsed += took
        rate = (end - built) / took
        built = end
        projected = elapsed + 1.1 * (n - built) / rate
        if built < n and projected > budget:
            return built, elapsed, projected
    return built, elapsed, None


# -- groups -----------------------------------------------------------------------
def _hnswlib_groups(x: Any, queries: list[Any], truth: Any, quick: bool) -> tuple[list, float]:
    """Search and insert on the hnswlib backend; returns the groups and its bytes/vector."""
    import hnswlib

    n = len(x)
    ids = [str(i) for i in range(n)]
    labels = np.arange(n)
    builds = 2 if quick else 1

    # Insert: one-shot builds, best of ``builds``; the peer knows n up front, so
    # ours is also measured with initial_capacity=n besides the default.
    ours_default = ours_sized = peer_rate = 0.0
    store = index = None
    for _ in range(builds):
        store = None
        gc.collect()
        start = time.perf_counter()
        store = _store("hnswlib")
        result = store.add(ids, x)
        ours_default = max(ours_default, n / (time.perf_counter() - start))
        if result.inserted != n:
            raise AssertionError(f"insert failed: {result.failed[:3]}")

        sized = None
        gc.collect()
        start = time.perf_counter()
        sized = _store("hnswlib", initial_capacity=n)
        sized.add(ids, x)
        ours_sized = max(ours_sized, n / (time.perf_counter() - start))
        del sized

        index = None
        gc.collect()
        start = time.perf_counter()
        index = hnswlib.Index(space="cosine", dim=DIMS)
        index.init_index(
            max_elements=n, M=M, ef_construction=EF_CONSTRUCTION, random_seed=GRAPH_SEED
        )
        index.add_items(x, labels, num_threads=1)
        peer_rate = max(peer_rate, n / (time.perf_counter() - start))
    assert store is not None
    assert index is not None

    insert = Group(
        "vector insert, hnswlib backend",
        target=0.9,
        note=f"vectors/s, one-shot build of {n:,} x {DIMS} (M={M}, ef_construction="
        f"{EF_CONSTRUCTION}, seed={GRAPH_SEED}, 1 thread), best of {builds}",
    )
    insert.ours["infra_portable store.add"] = ours_default
    insert.ours["infra_portable store.add initial_capacity=n"] = ours_sized
    insert.peers["hnswlib add_items"] = peer_rate

    # Search: single queries, one thread, ef=50.
    repeats = 3 if quick else 5
    index.set_ef(EF)
    ours_qps, ours_hits = _qps(lambda q: store.search(q, k=K, ef=EF), queries, repeats)
    peer_qps, peer_hits = _qps(
        lambda q: index.knn_query(q, k=K, num_threads=1)[0][0], queries, repeats
    )
    ours_ids = _ids(ours_hits)
    peer_ids = [hits.tolist() for hits in peer_hits]
    ours_recall = _recall(ours_ids, truth)
    peer_recall = _recall(peer_ids, truth)
    same = sum(set(a) == set(b) for a, b in zip(ours_ids, peer_ids, strict=True)) / len(queries)
    overhead = (1 / ours_qps - 1 / peer_qps) * 1e6
    verdict = "met" if min(ours_recall, peer_recall) >= RECALL_HNSWLIB else "MISSED"
    search = Group(
        f"vector search, hnswlib backend (ef={EF}, k={K})",
        target=0.9,
        note=f"{n:,} x {DIMS}, {len(queries):,} queries; recall@{K}: ours {ours_recall:.4f}, "
        f"hnswlib {peer_recall:.4f} (target >= {RECALL_HNSWLIB}: {verdict}); same top-{K} "
        f"set as raw hnswlib on {same:.1%} of queries; store overhead {overhead:.1f} us/query",
    )
    search.ours["infra_portable store.search"] = ours_qps
    search.peers["hnswlib knn_query"] = peer_qps
    bytes_per_vector = store.stats().bytes_per_vector
    return [search, insert], bytes_per_vector


def _numpy_hnsw_groups(
    x: Any, xn: Any, q: Any, queries: list[Any], truth: Any, quick: bool
) -> tuple[list, Any, int]:
    """Our HNSW on numpy vs numpy brute force; returns groups, the store and its size."""
    n_target = len(x)
    ids = [str(i) for i in range(n_target)]
    step = 500 if quick else 10_000
    budget = 60.0 if quick else BUILD_BUDGET
    store = _numpy_store()
    built, seconds, projected = _build_chunked(store, ids, x, step, budget)
    if truth is None or built < n_target:
        truth = ground_truth(xn[:built], unit(q))
    rate = built / seconds
    size_note = (
        f"built on {built:,} of {n_target:,} rows: the rest would have exceeded the "
        f"{budget / 60:.0f}-minute build budget (projected {projected / 60:.0f} min)"
        if projected is not None
        else f"{built:,} x {DIMS}"
    )
    insert = Group(
        "vector insert, our numpy HNSW",
        target=0.0,
        note=f"vectors/s, no peer; for information; {size_note}; M={M}, ef_construction="
        f"{EF_CONSTRUCTION}, one build in {seconds:.0f} s"
        + (
            f" (at this rate 100k would take >= {FULL_N / rate / 60:.0f} min)"
            if built < FULL_N and projected is None
            else ""
        ),
    )
    insert.ours["infra_portable store.add (hnsw/numpy)"] = rate

    repeats = 3
    sweep: list[tuple[int, float, float]] = []
    for ef in EF_SWEEP:
        qps, hits = _qps(lambda v, ef=ef: store.search(v, k=K, ef=ef), queries, repeats)
        sweep.append((ef, qps, _recall(_ids(hits), truth)))

    rows = xn[:built]

    def brute(v: Any, blas: bool = True) -> Any:
        v = v / np.linalg.norm(v)
        sims = rows @ v if blas else np.einsum("ij,j->i", rows, v)
        top = np.argpartition(sims, len(sims) - K)[-K:]
        return top[np.argsort(-sims[top])]

    # X @ q goes through BLAS, which may run several threads (and on a busy machine
    # contended threads are slower than one); einsum is numpy's own single-threaded loop.
    brute_queries = queries[: max(50, len(queries) // 4)]
    brute_qps, brute_hits = _qps(brute, brute_queries, repeats)
    einsum_qps, _ = _qps(lambda v: brute(v, blas=False), brute_queries, repeats)
    brute_recall = _recall([h.tolist() for h in brute_hits], truth[: len(brute_queries)])

    good = [s for s in sweep if s[2] >= RECALL_OURS]
    chosen = max(good, key=lambda s: s[1]) if good else max(sweep, key=lambda s: s[2])
    sweep_text = "; ".join(f"ef={ef}: {qps:,.0f} QPS r@{K} {r:.4f}" for ef, qps, r in sweep)
    if built == FULL_N:
        target = QPS_OURS / max(brute_qps, einsum_qps)  # met iff ours >= 1,000 QPS
        target_text = (
            f"target = {QPS_OURS:,.0f} QPS / brute force = {target:.2f}x (issue: >= "
            f"{QPS_OURS:,.0f} QPS at recall >= {RECALL_OURS})"
        )
    else:
        target = 0.0
        target_text = f"for information (the {QPS_OURS:,.0f}-QPS target is for 100k rows)"
    if not good:
        target = math.inf if built == FULL_N else 0.0
        target_text += f"; NO ef reached recall {RECALL_OURS}: ours is the best-recall ef"
    search = Group(
        f"vector search, our numpy HNSW (k={K})",
        target=target,
        note=f"{size_note}, {len(queries):,} queries; ours = fastest ef with recall@{K} >= "
        f"{RECALL_OURS}; {sweep_text}; brute force r@{K} {brute_recall:.4f} over "
        f"{len(brute_queries)} queries; {target_text}",
    )
    search.ours[f"infra_portable hnsw/numpy ef={chosen[0]}"] = chosen[1]
    search.peers["brute force X@q (BLAS)"] = brute_qps
    search.peers["brute force einsum"] = einsum_qps
    return [search, insert], store, built


def _memory_groups(
    x: Any, xn: Any, q: Any, queries: list[Any], n: int, reuse: Any, hnswlib_bpv: float | None
) -> list[Group]:
    """Bytes per vector and recall@10 at ef=50 for each precision, rescore on and off."""
    ids = [str(i) for i in range(n)]
    truth = ground_truth(xn[:n], unit(q))
    groups = []
    recall_f32 = None
    for precision, rescore in (
        ("f32", True),
        ("f16", True),
        ("f16", False),
        ("int8", True),
        ("int8", False),
    ):
        if precision == "f32" and reuse is not None:
            store, build_text = reuse, "graph of the search group"
        else:
            store = _numpy_store(precision, rescore)
            gc.collect()
            start = time.perf_counter()
            result = store.add(ids, x[:n])
            seconds = time.perf_counter() - start
            if result.inserted != n:
                raise AssertionError(f"insert failed: {result.failed[:3]}")
            build_text = f"built at {n / seconds:,.0f} vectors/s"
        qps, hits = _qps(lambda v, store=store: store.search(v, k=K, ef=EF), queries, 3)
        recall = _recall(_ids(hits), truth)
        stats = store.stats()
        label = (
            precision if precision == "f32" else f"{precision} {'' if rescore else 'no '}rescore"
        )
        extra = ""
        if precision == "f32":
            recall_f32 = recall
            raw = 4 * DIMS
            extra = f"; raw float32 rows are {raw} B"
            if hnswlib_bpv is not None:
                extra += f", the hnswlib backend {hnswlib_bpv:,.0f} B/vector"
        else:
            extra = f"; recall cost vs f32 {recall - (recall_f32 or 0.0):+.4f}"
        group = Group(
            f"vector memory per vector, {label}",
            target=0.0,
            note=f"value is bytes/vector (stats().bytes_per_vector), not ops/s; for "
            f"information; hnsw/numpy, {n:,} x {DIMS}, index {stats.index_size_bytes / 1e6:.1f} "
            f"MB; recall@{K} at ef={EF} {recall:.4f}, {qps:,.0f} QPS; {build_text}{extra}",
        )
        group.ours["bytes/vector"] = stats.bytes_per_vector
        groups.append(group)
        del store
    return groups


def run(quick: bool) -> list[Group]:
    n = 10_000 if quick else FULL_N
    n_queries = 200 if quick else 1000
    x, q = low_rank(n, n_queries)
    xn = unit(x)
    truth = ground_truth(xn, unit(q))
    queries = list(q)  # rows as 1-D float32 arrays, as an application would pass them

    groups: list[Group] = []
    hnswlib_bpv = None
    try:
        import hnswlib  # noqa: F401
    except ImportError:
        pass
    else:
        hnswlib_groups, hnswlib_bpv = _hnswlib_groups(x, queries, truth, quick)
        groups += hnswlib_groups
        gc.collect()

    n_ours = 1500 if quick else n
    numpy_groups, store, built = _numpy_hnsw_groups(
        x[:n_ours], xn[:n_ours], q, queries, truth if n_ours == n else None, quick
    )
    groups += numpy_groups

    n_memory = 1500 if quick else 10_000
    reuse = store if built == n_memory else None
    del store
    gc.collect()
    memory_queries = queries[: 100 if quick else 500]
    groups += _memory_groups(
        x, xn, q[: len(memory_queries)], memory_queries, n_memory, reuse, hnswlib_bpv
    )
    return groups
