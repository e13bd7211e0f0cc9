"""Properties of the store over generated data, on every backend this runtime has."""

from __future__ import annotations

import math
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vector_support import Backend, distance

from infra_portable.errors import InfraError
from infra_portable.vector import Eq, HnswConfig, Lt, VectorStore

# The backend fixture is a plain parameter, the same for every example.
fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

# Small integers make exact ties common, which is where orderings go wrong.
components = st.integers(min_value=-4, max_value=4).map(float)


@st.composite
def datasets(draw: st.DrawFn) -> tuple[int, str, list[list[float]], list[float]]:
    dim = draw(st.integers(min_value=1, max_value=4))
    metric = draw(st.sampled_from(["l2", "ip", "cosine"]))
    vector = st.lists(components, min_size=dim, max_size=dim)
    if metric == "cosine":
        vector = vector.filter(any)
    rows = draw(st.lists(vector, min_size=1, max_size=30))
    return dim, metric, rows, draw(vector)


def _store(backend: Backend, dim: int, metric: str, **options: Any) -> VectorStore:
    return backend.store(dim, metric, hnsw=HnswConfig(m=4, ef_construction=16), **options)


@fixture_ok
@given(data=datasets(), k=st.integers(min_value=1, max_value=35))
def test_exact_search_agrees_with_brute_force(backend: Backend, data: Any, k: int) -> None:
    dim, metric, rows, query = data
    store = _store(backend, dim, metric)
    store.add([f"r{i}" for i in range(len(rows))], rows)
    results = store.search(query, k, exact=True)
    truth = sorted(distance(r, query, metric) for r in rows)[:k]
    assert len(results) == min(k, len(rows))
    got = [r.distance**2 if metric == "l2" else r.distance for r in results]
    assert got == pytest.approx(truth, abs=1e-4)
    assert got == sorted(got)  # nearest first


@fixture_ok
@given(
    data=datasets(),
    tags=st.lists(st.integers(min_value=0, max_value=4), min_size=30, max_size=30),
    wanted=st.integers(min_value=0, max_value=4),
    k=st.integers(min_value=1, max_value=10),
)
def test_filtered_results_match_and_fill_k(
    backend: Backend, data: Any, tags: list[int], wanted: int, k: int
) -> None:
    dim, metric, rows, query = data
    store = _store(backend, dim, metric)
    store.add([f"r{i}" for i in range(len(rows))], rows, [{"t": t} for t in tags[: len(rows)]])
    for f, test in (
        (Eq("t", wanted), lambda t: t == wanted),
        (Lt("t", wanted), lambda t: t < wanted),
    ):
        matching = [i for i in range(len(rows)) if test(tags[i])]
        results = store.search(query, k, f)
        assert len(results) == min(k, len(matching))
        assert all(test(r.metadata["t"]) for r in results)  # type: ignore[index]


operations = st.lists(
    st.tuples(
        st.sampled_from(["insert", "upsert", "delete", "meta"]),
        st.integers(min_value=0, max_value=12),
        st.lists(components, min_size=3, max_size=3),
    ),
    max_size=40,
)


@fixture_ok
@given(ops=operations)
def test_store_behaves_like_a_dict(backend: Backend, ops: list[Any]) -> None:
    store = _store(backend, 3, "l2")
    model: dict[str, tuple[list[float], Any]] = {}
    for op, key, vector in ops:
        id = f"k{key}"
        if op == "insert":
            if id in model:
                with pytest.raises(InfraError):
                    store.insert(id, vector)
            else:
                store.insert(id, vector, {"n": key})
                model[id] = (vector, {"n": key})
        elif op == "upsert":
            store.upsert(id, vector, {"u": key})
            model[id] = (vector, {"u": key})
        elif op == "delete":
            assert store.delete(id) == (id in model)
            model.pop(id, None)
        elif id in model:
            store.update_metadata(id, {"m": vector[0]})
            model[id] = (model[id][0], {"m": vector[0]})
        assert len(store) == len(model)
    assert sorted(store.ids()) == sorted(model)
    for id, (vector, meta) in model.items():
        record = store.get(id)
        assert record is not None
        assert record.vector == pytest.approx(tuple(vector))
        assert record.metadata == meta
    if model:
        results = store.search([0.0, 0.0, 0.0], len(model) + 3)
        assert sorted(r.id for r in results) == sorted(model)
    loaded = VectorStore.from_bytes(store.to_bytes(), index=backend.index, math=backend.math)
    assert sorted(loaded.ids()) == sorted(model)


@pytest.mark.native_only(reason="needs real threads")
def test_concurrent_inserts_searches_and_deletes(backend: Backend) -> None:
    store = _store(backend, 4, "l2")
    errors: list[BaseException] = []

    def worker(w: int) -> None:
        try:
            for i in range(150):
                id = f"w{w}-{i}"
                store.insert(id, [w, i, math.sin(i), math.cos(w)])
                store.search([w, i, 0.0, 0.0], 5)
                if i % 3 == 0:
                    assert store.delete(id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert len(store) == 4 * 100
    assert len(store.search([0.0, 0.0, 0.0, 0.0], 1000, exact=True)) == 400
