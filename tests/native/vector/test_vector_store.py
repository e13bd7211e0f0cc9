"""The VectorStore contract, run against every index backend this runtime has."""

from __future__ import annotations

import math
from typing import Any

import pytest
from vector_support import Backend, brute_force, clustered, distance, recall

from infra_portable.errors import ConfigError, InfraError, ValidationError, VectorError
from infra_portable.vector import (
    CompressionConfig,
    Distance,
    EmbeddingNormalizer,
    Eq,
    HnswConfig,
    In,
    Lt,
    VectorStore,
    VectorStoreConfig,
)

DIM = 8


def _filled(
    backend: Backend, n: int = 600, metric: str = "cosine", **options: Any
) -> tuple[VectorStore, dict[str, list[float]]]:
    store = backend.store(DIM, metric, hnsw=HnswConfig(m=8, ef_construction=64), **options)
    rows = clustered(n, DIM, seed=3)
    data = {f"v{i}": row for i, row in enumerate(rows)}
    result = store.add(
        list(data), rows, [{"i": i, "even": i % 2 == 0, "tag": f"t{i % 7}"} for i in range(n)]
    )
    assert result.inserted == n
    assert result.failed == []
    return store, data


# -- basic operations --------------------------------------------------------


def test_insert_get_delete_round_trip(backend: Backend) -> None:
    store = backend.store(3, "l2")
    store.insert("a", [1.0, 2.0, 3.0], {"source": "unit", "n": 1})
    record = store.get("a")
    assert record is not None
    assert record.id == "a"
    assert record.vector == pytest.approx((1.0, 2.0, 3.0))
    assert record.metadata == {"source": "unit", "n": 1}
    assert record.created_at == record.updated_at
    assert record.created_at.tzinfo is not None
    assert "a" in store
    assert len(store) == 1
    assert store.delete("a") is True
    assert store.delete("a") is False
    assert store.get("a") is None
    assert len(store) == 0
    assert store.search([1.0, 2.0, 3.0], 3) == []


def test_search_orders_by_distance_and_reports_scores(backend: Backend) -> None:
    for metric in ("cosine", "l2", "ip"):
        store = backend.store(2, metric)
        store.insert("x", [1.0, 0.0])
        store.insert("y", [0.0, 2.0])
        store.insert("z", [1.0, 1.0])
        results = store.search([1.0, 0.1], 3)
        query = [1.0, 0.1]
        truth = sorted(
            ("xyz"[i], distance(v, query, metric))
            for i, v in enumerate([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
        )
        truth.sort(key=lambda t: t[1])
        assert [r.id for r in results] == [name for name, _ in truth]
        for result, (_, d) in zip(results, truth, strict=True):
            if metric == "l2":
                assert result.distance == pytest.approx(math.sqrt(d), rel=1e-5)
                assert result.score == pytest.approx(-math.sqrt(d), rel=1e-5)
            else:
                assert result.distance == pytest.approx(d, abs=1e-5)
                assert result.score == pytest.approx(1.0 - d, abs=1e-5)


def test_cosine_vectors_are_stored_unit_length(backend: Backend) -> None:
    store = backend.store(2, "cosine")
    store.insert("a", [3.0, 4.0])
    record = store.get("a")
    assert record is not None
    assert record.vector == pytest.approx((0.6, 0.8), abs=1e-6)


def test_ann_results_match_brute_force(backend: Backend) -> None:
    for metric in ("cosine", "l2", "ip"):
        store, data = _filled(backend, 500, metric)
        queries = clustered(20, DIM, seed=99)
        total = 0.0
        for q in queries:
            found = [r.id for r in store.search(q, 10, ef=64)]
            truth = [i for _, i in brute_force(data, q, 10, metric)]
            total += recall(found, truth)
        assert total / len(queries) >= 0.95, (backend.label, metric)


def test_exact_search_is_exact(backend: Backend) -> None:
    store, data = _filled(backend, 300, "l2")
    for q in clustered(5, DIM, seed=5):
        found = [r.id for r in store.search(q, 7, exact=True)]
        assert found == [i for _, i in brute_force(data, q, 7, "l2")]


def test_small_collections_search_exactly(backend: Backend) -> None:
    store = backend.store(DIM, "l2", exact_threshold=1000)
    rows = clustered(200, DIM, seed=8)
    data = {f"s{i}": r for i, r in enumerate(rows)}
    store.add(list(data), rows)
    q = clustered(1, DIM, seed=9)[0]
    # ef=1 would make a graph search poor; below the threshold it is not used.
    assert [r.id for r in store.search(q, 10, ef=1)] == [
        i for _, i in brute_force(data, q, 10, "l2")
    ]


def test_k_larger_than_the_collection(backend: Backend) -> None:
    store, _ = _filled(backend, 40)
    assert len(store.search(clustered(1, DIM)[0], 100)) == 40


def test_deleted_vectors_never_return_and_k_still_met(backend: Backend) -> None:
    store, data = _filled(backend, 400)
    q = clustered(1, DIM, seed=11)[0]
    first = [r.id for r in store.search(q, 10)]
    for id in first[:5]:
        assert store.delete(id)
        del data[id]
    again = store.search(q, 10)
    assert len(again) == 10
    assert not set(first[:5]) & {r.id for r in again}
    # Delete most of the collection: every survivor is still findable.
    for id in list(data)[: len(data) - 15]:
        store.delete(id)
        del data[id]
    left = store.search(q, 20)
    assert {r.id for r in left} == set(data)
    stats = store.stats()
    assert stats.total_vectors == 15
    assert stats.deleted_vectors == 400 - 15


def test_upsert_and_update(backend: Backend) -> None:
    store = backend.store(2, "l2")
    store.insert("a", [0.0, 0.0], {"v": 1})
    created = store.get("a")
    assert created is not None
    store.upsert("a", [5.0, 5.0], {"v": 2})
    record = store.get("a")
    assert record is not None
    assert record.vector == pytest.approx((5.0, 5.0))
    assert record.metadata == {"v": 2}
    assert record.created_at == created.created_at
    assert len(store) == 1
    assert store.search([5.0, 5.1], 1)[0].id == "a"
    store.update_metadata("a", {"v": 3})
    assert store.get("a").metadata == {"v": 3}  # type: ignore[union-attr]
    store.update("a", vector=[9.0, 9.0])
    record = store.get("a")
    assert record is not None
    assert record.vector == pytest.approx((9.0, 9.0))
    assert record.metadata == {"v": 3}
    store.update("a", metadata={"v": 4})
    assert store.get("a").metadata == {"v": 4}  # type: ignore[union-attr]
    with pytest.raises(VectorError) as info:
        store.update_metadata("missing", {})
    assert info.value.operation == "update"
    with pytest.raises(VectorError):
        store.update("missing", vector=[1.0, 1.0])


def test_metadata_is_copied_in_and_out(backend: Backend) -> None:
    store = backend.store(2, "l2")
    meta: dict[str, Any] = {"tags": ["a"]}
    store.insert("a", [1.0, 1.0], meta)
    meta["tags"].append("b")
    record = store.get("a")
    assert record is not None
    assert record.metadata == {"tags": ["a"]}
    record.metadata["tags"].append("c")  # type: ignore[index]
    assert store.search([1.0, 1.0], 1)[0].metadata == {"tags": ["a"]}


def test_include_vectors(backend: Backend) -> None:
    store = backend.store(2, "l2")
    store.insert("a", [1.0, 2.0])
    (hit,) = store.search([1.0, 2.0], 1, include_vectors=True)
    assert hit.vector == pytest.approx((1.0, 2.0))
    (hit,) = store.search([1.0, 2.0], 1)
    assert hit.vector is None


def test_capacity_grows_without_a_rebuild(backend: Backend) -> None:
    store = backend.store(DIM, "l2", initial_capacity=4)
    rows = clustered(300, DIM, seed=4)
    for i, row in enumerate(rows):
        store.insert(f"g{i}", row)
    assert len(store) == 300
    q = rows[123]
    assert store.search(q, 1)[0].id == "g123"


def test_compact_drops_tombstones_and_keeps_results(backend: Backend) -> None:
    store, data = _filled(backend, 300)
    for id in list(data)[::2]:
        store.delete(id)
        del data[id]
    q = clustered(1, DIM, seed=21)[0]
    before = [r.id for r in store.search(q, 5, exact=True)]
    assert store.compact() == 150
    assert store.compact() == 0
    assert store.stats().deleted_vectors == 0
    assert [r.id for r in store.search(q, 5, exact=True)] == before
    assert store.get(before[0]) is not None


# -- batches and progress ------------------------------------------------------


def test_insert_batch_reports_each_failure_and_inserts_the_rest(backend: Backend) -> None:
    store = backend.store(2, "l2")
    store.insert("exists", [0.0, 0.0])
    result = store.insert_batch(
        [
            ("ok1", [1.0, 1.0], {"a": 1}),
            ("short", [1.0], None),
            ("nan", [math.nan, 1.0], None),
            ("exists", [2.0, 2.0], None),
            ("ok2", [3.0, 3.0]),
            ("ok2", [4.0, 4.0]),
            ("badmeta", [1.0, 2.0], {"x": object()}),
            "not a tuple",  # type: ignore[list-item]
            ("", [1.0, 1.0], None),
        ]
    )
    assert result.inserted == 2
    assert result.duration >= 0
    failed = dict(result.failed)
    assert set(failed) == {"short", "nan", "exists", "ok2", "badmeta", "items[7]", ""}
    assert all(isinstance(e, InfraError) for e in failed.values())
    assert isinstance(failed["short"], VectorError)
    assert failed["short"].dimensions == 1
    assert isinstance(failed["badmeta"], ValidationError)
    assert failed["badmeta"].field == "metadata.x"
    assert len(store) == 3
    assert store.get("ok2").vector == pytest.approx((3.0, 3.0))  # type: ignore[union-attr]


def test_progress_is_reported_for_bulk_inserts(backend: Backend) -> None:
    store = backend.store(DIM, "l2", hnsw=HnswConfig(m=4, ef_construction=8))
    calls: list[tuple[int, int]] = []
    rows = clustered(2500, DIM, seed=2)
    result = store.add(
        [f"p{i}" for i in range(len(rows))], rows, progress=lambda d, t: calls.append((d, t))
    )
    assert result.inserted == 2500
    assert calls == [(1000, 2500), (2000, 2500), (2500, 2500)]


def test_add_checks_lengths(backend: Backend) -> None:
    store = backend.store(2, "l2")
    with pytest.raises(ValidationError):
        store.add(["a", "b"], [[1.0, 1.0]])
    with pytest.raises(ValidationError):
        store.add(["a"], [[1.0, 1.0]], [{}, {}])


# -- filters in search ------------------------------------------------------------


def test_filtered_search_returns_k_when_k_match(backend: Backend) -> None:
    store, data = _filled(backend, 800)
    q = clustered(1, DIM, seed=31)[0]
    cases = [
        Eq("even", True),  # half the collection: filtered traversal
        Eq("tag", "t3"),  # a seventh
        Lt("i", 12),  # very selective: exact over the matches
        In("i", [5, 77, 401, 799]),  # fewer matches than k
    ]
    for f in cases:
        test = f.compile()
        metas = {f"v{i}": {"i": i, "even": i % 2 == 0, "tag": f"t{i % 7}"} for i in range(800)}
        matching = {i: v for i, v in data.items() if test(metas[i])}
        results = store.search(q, 10, f)
        assert len(results) == min(10, len(matching)), f
        assert all(r.id in matching for r in results), f
        truth = [i for _, i in brute_force(matching, q, 10, "cosine")]
        assert recall([r.id for r in results], truth) >= 0.9, f


def test_filter_dict_form_and_no_match(backend: Backend) -> None:
    store, _ = _filled(backend, 200)
    q = clustered(1, DIM, seed=41)[0]
    as_dict = store.search(q, 5, {"op": "eq", "field": "tag", "value": "t1"})
    as_object = store.search(q, 5, Eq("tag", "t1"))
    assert [r.id for r in as_dict] == [r.id for r in as_object]
    assert store.search(q, 5, Eq("tag", "nope")) == []
    with pytest.raises(ValidationError) as info:
        store.search(q, 5, {"op": "bogus"})
    assert info.value.field == "filter.op"
    with pytest.raises(ValidationError):
        store.search(q, 5, "tag = t1")  # type: ignore[arg-type]


# -- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vector", "fragment"),
    [
        ([1.0, 2.0], "dimension mismatch"),
        ([1.0, 2.0, 3.0, 4.0], "dimension mismatch"),
        ([1.0, math.nan, 3.0], "not finite"),
        ([1.0, math.inf, 3.0], "not finite"),
        ([1.0, 1e39, 3.0], "f32 range"),
        ([1.0, "2", 3.0], "not a number"),
        ([1.0, True, 3.0], "not a number"),
        ([1.0, None, 3.0], "not a number"),
        ("abc", "sequence of numbers"),
        (b"abc", "sequence of numbers"),
        ({"a": 1}, "sequence of numbers"),
        (42, "sequence of numbers"),
    ],
)
def test_bad_vectors_are_vector_errors(backend: Backend, vector: Any, fragment: str) -> None:
    store = backend.store(3, "l2")
    with pytest.raises(VectorError) as info:
        store.insert("a", vector)
    assert fragment in info.value.message
    assert info.value.operation == "insert"
    with pytest.raises(VectorError) as info:
        store.search(vector, 1)
    assert info.value.operation == "search"
    assert len(store) == 0


def test_dimension_errors_carry_the_dimensions(backend: Backend) -> None:
    store = backend.store(3, "l2")
    with pytest.raises(VectorError) as info:
        store.insert("a", [1.0, 2.0])
    assert info.value.dimensions == 2
    assert info.value.to_dict()["fields"] == {"operation": "insert", "dimensions": 2}


def test_zero_vector_has_no_cosine_direction(backend: Backend) -> None:
    store = backend.store(2, "cosine")
    with pytest.raises(VectorError, match="zero vector"):
        store.insert("a", [0.0, 0.0])
    store.insert("b", [1.0, 0.0])
    with pytest.raises(VectorError, match="zero vector"):
        store.search([0.0, 0.0], 1)
    l2 = backend.store(2, "l2")
    l2.insert("zero", [0.0, 0.0])  # fine for l2
    assert l2.search([0.0, 0.0], 1)[0].id == "zero"


@pytest.mark.parametrize("bad_id", ["", None, 5, b"a", ("a",)])
def test_bad_ids(backend: Backend, bad_id: Any) -> None:
    store = backend.store(2, "l2")
    with pytest.raises(ValidationError) as info:
        store.insert(bad_id, [1.0, 1.0])
    assert info.value.field == "id"


def test_duplicate_ids_are_refused_by_insert(backend: Backend) -> None:
    store = backend.store(2, "l2")
    store.insert("a", [1.0, 1.0])
    with pytest.raises(ValidationError) as info:
        store.insert("a", [2.0, 2.0])
    assert info.value.field == "id"
    assert store.get("a").vector == pytest.approx((1.0, 1.0))  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ([1, 2], "metadata"),
        ("text", "metadata"),
        ({"a": {1, 2}}, "metadata.a"),
        ({"a": [1, b"x"]}, "metadata.a[1]"),
        ({1: "x"}, "metadata"),
        ({"a": math.nan}, "metadata.a"),
    ],
)
def test_bad_metadata(backend: Backend, metadata: Any, field: str) -> None:
    store = backend.store(2, "l2")
    with pytest.raises(ValidationError) as info:
        store.insert("a", [1.0, 1.0], metadata)
    assert info.value.field == field
    assert len(store) == 0


@pytest.mark.parametrize("k", [0, -1, 1.5, True, "3", None, 2**31, 10**30])
def test_bad_k(backend: Backend, k: Any) -> None:
    store = backend.store(2, "l2")
    store.insert("a", [1.0, 1.0])
    with pytest.raises(ValidationError) as info:
        store.search([1.0, 1.0], k)
    assert info.value.field == "k"


@pytest.mark.parametrize("ef", [0, -1, 2.0, False, "50", 2**31, 10**30])
def test_bad_ef(backend: Backend, ef: Any) -> None:
    store = backend.store(2, "l2")
    store.add([str(i) for i in range(20)], [[float(i), 1.0] for i in range(20)])
    with pytest.raises(ValidationError) as info:
        store.search([1.0, 1.0], 3, ef=ef)
    assert info.value.field == "ef"
    assert [r.id for r in store.search([1.0, 1.0], 1, ef=2**31 - 1)] == ["1"]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s: s.add(None, [[1.0, 1.0]]), "ids"),
        (lambda s: s.add(5, [[1.0, 1.0]]), "ids"),
        (lambda s: s.add(["a"], None), "vectors"),
        (lambda s: s.add(["a"], "ab"), "vectors"),
        (lambda s: s.add(["a"], [[1.0, 1.0]], metadata=3), "metadata"),
        (lambda s: s.add(["a"], [[1.0, 1.0]], metadata={"k": 1}), "metadata"),
        (lambda s: s.insert_batch(None), "items"),
        (lambda s: s.insert_batch({"a": [1.0, 1.0]}), "items"),
    ],
)
def test_batches_must_be_sequences(backend: Backend, call: Any, field: str) -> None:
    store = backend.store(2, "l2")
    with pytest.raises(ValidationError) as info:
        call(store)
    assert info.value.field == field
    assert len(store) == 0


def test_from_bytes_and_from_config_refuse_other_types() -> None:
    for data in (None, "ipvec", 3):
        with pytest.raises(ValidationError) as info:
            VectorStore.from_bytes(data)  # type: ignore[arg-type]
        assert info.value.field == "data"
    with pytest.raises(ValidationError) as info:
        VectorStore.from_config({"vector": {"dimensions": 3}})  # type: ignore[arg-type]
    assert info.value.field == "config"


def test_an_index_too_large_to_allocate_is_a_vector_error(backend: Backend) -> None:
    # 2**31 vectors of 65,536 float32s is 512 TiB: no machine allocates it up front.
    if backend.math == "pure":
        # Our pure-Python arrays allocate nothing up front: they grow as vectors arrive.
        store = backend.store(65_536, "l2", initial_capacity=2**31 - 1)
        store.insert("a", [1.0] * 65_536)
        assert [r.id for r in store.search([1.0] * 65_536, 1)] == ["a"]
        return
    with pytest.raises(VectorError, match="initial_capacity") as info:
        backend.store(65_536, "l2", initial_capacity=2**31 - 1)
    assert info.value.operation == "index"
    assert isinstance(info.value.__cause__, MemoryError)


def test_bad_configuration() -> None:
    with pytest.raises(ValidationError) as info:
        VectorStoreConfig("c", 0)
    assert info.value.field == "dimensions"
    with pytest.raises(ValidationError) as info:
        VectorStoreConfig("", 3)
    assert info.value.field == "collection_name"
    with pytest.raises(ValidationError) as info:
        VectorStoreConfig("c", 3, distance="hamming")  # type: ignore[arg-type]
    assert info.value.field == "distance"
    with pytest.raises(ValidationError) as info:
        HnswConfig(m=1)
    assert info.value.field == "hnsw.m"
    # Beyond what the backends take (hnswlib's C++ ints): refused here, not by the extension.
    for options, field in [
        ({"m": 10**30}, "hnsw.m"),
        ({"ef_search": 2**31}, "hnsw.ef_search"),
        ({"seed": 2**64}, "hnsw.seed"),
        ({"seed": -1}, "hnsw.seed"),
        ({"seed": True}, "hnsw.seed"),
    ]:
        with pytest.raises(ValidationError) as info:
            HnswConfig(**options)
        assert info.value.field == field
    for dimensions in (65_537, 10**29):
        with pytest.raises(ValidationError) as info:
            VectorStoreConfig("c", dimensions)
        assert info.value.field == "dimensions"
    with pytest.raises(ValidationError) as info:
        VectorStoreConfig("c", 3, initial_capacity=10**29)
    assert info.value.field == "initial_capacity"
    with pytest.raises(ValidationError) as info:
        CompressionConfig(precision="q4")  # type: ignore[arg-type]
    assert info.value.field == "compression.precision"
    with pytest.raises(ConfigError) as config_info:
        VectorStore.create("c", 3, index="annoy")
    assert config_info.value.key == "INFRA_PORTABLE_VECTOR_INDEX"


def test_hnswlib_cannot_hold_compressed_vectors() -> None:
    store = VectorStore.create("c", 4, "l2", compression=CompressionConfig(precision="int8"))
    assert store.index_name.startswith("hnsw/")  # the default choice steps aside
    with pytest.raises(ConfigError, match="float32 only") as info:
        VectorStore.create("c", 4, "l2", index="hnswlib", compression=CompressionConfig("f16"))
    assert info.value.key == "vector.index"


def test_distance_aliases() -> None:
    assert Distance.parse("Euclidean") is Distance.L2
    assert Distance.parse("dot") is Distance.INNER_PRODUCT
    assert Distance.parse("inner-product") is Distance.INNER_PRODUCT


def test_normalizer() -> None:
    assert EmbeddingNormalizer.normalize([3.0, 4.0]) == pytest.approx([0.6, 0.8])
    assert EmbeddingNormalizer.normalize([0.0, 0.0]) == [0.0, 0.0]
    batch = EmbeddingNormalizer.normalize_batch([[1.0, 0.0], [0.0, 2.0]])
    assert batch == [[1.0, 0.0], [0.0, 1.0]]


def test_numpy_vectors_are_checked_like_lists(backend: Backend) -> None:
    np = pytest.importorskip("numpy", reason="numpy input needs numpy")
    store = backend.store(3, "cosine")
    store.insert("list", [1.0, 2.0, 3.0])
    store.insert("array", np.array([3.0, 2.0, 1.0]))
    store.insert("ints", np.array([1, 0, 0], dtype=np.int64))
    query = np.array([1.0, 2.0, 3.1], dtype=np.float32)
    assert [r.id for r in store.search(query, 3)] == [r.id for r in store.search(query.tolist(), 3)]
    assert store.search(query, 1)[0].id == "list"
    bad = [
        (np.array([1.0, np.nan, 0.0]), "not finite"),
        (np.array([1.0, 1e39, 0.0]), "f32 range"),
        (np.array([[1.0, 2.0, 3.0]]), "one-dimensional"),
        (np.array([True, False, True]), "not a number"),
        (np.array([1.0, 2.0]), "dimension mismatch"),
        (np.zeros(3), "zero vector"),
    ]
    for vector, fragment in bad:
        with pytest.raises(VectorError, match=fragment):
            store.search(vector, 1)
    result = store.add(["m1", "m2"], np.array([[1.0, np.inf, 0.0], [0.0, 1.0, 0.0]]))
    assert result.inserted == 1
    assert [id for id, _ in result.failed] == ["m1"]
    result = store.add(["big", "m3"], np.array([[1.0, 1e39, 0.0], [0.0, 0.0, 1.0]]))
    assert result.inserted == 1
    assert [id for id, _ in result.failed] == ["big"]


def test_progress_callback_may_use_the_store(backend: Backend) -> None:
    store = backend.store(DIM, "l2", hnsw=HnswConfig(m=4, ef_construction=8))
    rows = clustered(1500, DIM, seed=6)
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(len(store.search(rows[0], 3)))  # would deadlock under a held lock

    store.add([f"q{i}" for i in range(len(rows))], rows, progress=progress)
    assert seen == [3, 3]


def test_a_failing_index_loses_nothing(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    store = backend.store(2, "l2")
    store.insert("keep", [1.0, 1.0], {"v": 1})

    def broken(*args: object) -> None:
        raise MemoryError("no room")

    monkeypatch.setattr(store._index, "add", broken)
    with pytest.raises(VectorError, match="MemoryError") as info:
        store.upsert("keep", [9.0, 9.0], {"v": 2})
    assert info.value.operation == "insert"
    with pytest.raises(VectorError):
        store.insert("new", [2.0, 2.0])
    result = store.add(["a", "b"], [[1.0, 2.0], [3.0, 4.0]])
    assert result.inserted == 0
    assert [id for id, _ in result.failed] == ["a", "b"]
    record = store.get("keep")
    assert record is not None
    assert record.vector == pytest.approx((1.0, 1.0))
    assert record.metadata == {"v": 1}
    assert len(store) == 1
    assert [r.id for r in store.search([1.0, 1.0], 5)] == ["keep"]


def test_compression_tiers_keep_recall_and_save_memory(our_backend: Backend) -> None:
    rows = clustered(400, DIM, seed=13)
    data = {f"c{i}": r for i, r in enumerate(rows)}
    queries = clustered(10, DIM, seed=14)
    sizes: dict[tuple[str, bool], float] = {}
    for precision in ("f32", "f16", "int8"):
        for rescore in (True, False):
            store = our_backend.store(
                DIM,
                "l2",
                hnsw=HnswConfig(m=8, ef_construction=64),
                compression=CompressionConfig(precision=precision, rescore=rescore),
            )
            store.add(list(data), rows)
            sizes[(precision, rescore)] = store.stats().bytes_per_vector
            assert store.stats().precision == precision
            total = 0.0
            for q in queries:
                found = [r.id for r in store.search(q, 10, ef=64)]
                total += recall(found, [i for _, i in brute_force(data, q, 10, "l2")])
            assert total / len(queries) >= 0.9, (precision, rescore)
            if rescore or precision == "f32":
                # Rescored distances are the exact float32 ones.
                hit = store.search(queries[0], 1)[0]
                assert hit.distance**2 == pytest.approx(
                    distance(data[hit.id], queries[0], "l2"), rel=1e-4
                )
    assert sizes[("f16", False)] < sizes[("f16", True)]
    # int8 ranges are calibrated on the first 1024 vectors; until then rows stay float32.
    assert sizes[("int8", False)] == sizes[("int8", True)]
    big = clustered(1100, DIM, seed=15)
    for rescore in (True, False):
        store = our_backend.store(
            DIM,
            "l2",
            hnsw=HnswConfig(m=4, ef_construction=8),
            compression=CompressionConfig(precision="int8", rescore=rescore),
        )
        store.add([f"b{i}" for i in range(len(big))], big)
        sizes[("int8", rescore)] = store.stats().bytes_per_vector
    assert sizes[("int8", False)] < sizes[("int8", True)]
    if our_backend.math == "numpy":  # the pure backend keeps decoded rows as float32
        assert sizes[("int8", False)] < sizes[("f16", False)] < sizes[("f32", True)]


def test_from_config_reads_the_seed_keys() -> None:
    from infra_portable.config import ConfigLoader

    config = (
        ConfigLoader()
        .with_dict(
            {
                "vector": {
                    "collection": "memories",
                    "dimensions": 4,
                    "distance": "l2",
                    "hnsw": {"m": 6, "ef_construction": 50, "ef_search": 20},
                    "compression": {"precision": "f16", "rescore": False},
                    "math": "pure",
                }
            }
        )
        .load()
    )
    store = VectorStore.from_config(config)
    assert store.config.collection_name == "memories"
    assert store.distance is Distance.L2
    assert (store.config.hnsw.m, store.config.hnsw.ef_construction) == (6, 50)
    assert store.config.hnsw.ef_search == 20
    assert store.config.compression == CompressionConfig("f16", rescore=False)
    assert store.index_name == "hnsw/pure"
    store.insert("a", [1.0, 2.0, 3.0, 4.0])
    assert store.search([1.0, 2.0, 3.0, 4.0], 1)[0].id == "a"
    defaults = VectorStore.from_config(
        ConfigLoader().with_dict({"vector": {"collection": "c", "dimensions": 3}}).load()
    )
    assert defaults.distance is Distance.COSINE
    assert defaults.config.hnsw == HnswConfig(m=16, ef_construction=200, ef_search=100)
    with pytest.raises(InfraError) as info:
        VectorStore.from_config(ConfigLoader().with_dict({"vector": {"dimensions": 3}}).load())
    assert "vector.collection" in str(info.value)


def test_huge_but_finite_float32_components_are_accepted(backend: Backend) -> None:
    np = pytest.importorskip("numpy", reason="numpy input needs numpy")
    store = backend.store(3, "l2")
    store.insert("big", np.array([1e20, 1.0, 1.0], np.float32))
    record = store.get("big")
    assert record is not None
    assert record.vector[0] == pytest.approx(1e20, rel=1e-6)
