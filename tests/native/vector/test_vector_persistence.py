"""Saving and loading collections, and searching graphs that hnswlib built.

The fixtures in ``data/`` were written natively by hnswlib (see
``data/make_fixtures.py``): every runtime's HNSW must load them and return what
hnswlib itself returned for the same queries at the same ``ef``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from vector_support import DATA, Backend, clustered

from infra_portable.errors import InfraError, IoError, VectorError
from infra_portable.vector import CompressionConfig, Eq, HnswConfig, VectorStore
from infra_portable.vector._graph import int32_array
from infra_portable.vector._hnswlib_format import read_hnswlib, write_hnswlib

DIM = 8


def _overlap(a: list[list[Any]], b: list[list[Any]]) -> float:
    same = sum(len(set(x) & set(y)) for x, y in zip(a, b, strict=True))
    return same / max(sum(len(y) for y in b), 1)


# -- hnswlib's own file format ---------------------------------------------------


def test_hnswlib_file_is_searched_like_hnswlib(backend: Backend, expected: dict[str, Any]) -> None:
    case = expected["hnswlib_l2"]
    store = VectorStore.from_hnswlib(
        DATA / "hnswlib_l2.bin",
        dimensions=expected["dimensions"],
        distance="l2",
        index=backend.index,
        math=backend.math,
        exact_threshold=0,  # the graph, not an exact scan
    )
    assert len(store) == 1000 - len(case["deleted"])
    assert store.stats().deleted_vectors == len(case["deleted"])
    for label in case["deleted"]:
        assert str(label) not in store
    got, got_d = [], []
    for query in case["queries"]:
        results = store.search(query, expected["k"], ef=expected["ef"])
        got.append([int(r.id) for r in results])
        got_d.append([r.distance**2 for r in results])
    # The same graph, the same walk: the same neighbours, up to float ties.
    assert _overlap(got, case["labels"]) >= 0.99
    for ours, theirs in zip(got_d, case["distances"], strict=True):
        assert ours == pytest.approx(theirs, rel=1e-4, abs=1e-4)


def test_hnswlib_file_round_trips_through_our_writer(expected: dict[str, Any]) -> None:
    data = (DATA / "hnswlib_l2.bin").read_bytes()
    graph, labels = read_hnswlib(data, expected["dimensions"], "l2")  # type: ignore[arg-type]
    again, labels_again = read_hnswlib(
        write_hnswlib(graph, labels), graph.dimensions, graph.distance
    )
    assert labels_again == labels
    for field in ("vectors", "levels", "links0", "upper", "deleted"):
        assert getattr(again, field) == getattr(graph, field), field
    assert (again.entry_point, again.max_level, again.m, again.m0) == (
        graph.entry_point,
        graph.max_level,
        graph.m,
        graph.m0,
    )
    levels = int32_array(graph.levels)
    assert levels[graph.entry_point] == graph.max_level


@pytest.mark.native_only(reason="hnswlib itself runs only natively")
def test_hnswlib_loads_what_we_write(tmp_path: Path, expected: dict[str, Any]) -> None:
    hnswlib = pytest.importorskip("hnswlib")
    case = expected["hnswlib_l2"]
    graph, labels = read_hnswlib((DATA / "hnswlib_l2.bin").read_bytes(), 16, "l2")  # type: ignore[arg-type]
    path = tmp_path / "ours.bin"
    path.write_bytes(write_hnswlib(graph, labels))
    index = hnswlib.Index(space="l2", dim=16)
    index.load_index(str(path))
    index.set_ef(expected["ef"])
    found, _ = index.knn_query(case["queries"], k=expected["k"], num_threads=1)
    assert found.tolist() == case["labels"]


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda b: b[:50], "shorter than the header"),
        (lambda b: b[: len(b) // 2], "truncated"),
        (lambda b: (7).to_bytes(8, "little") + b[8:], "unexpected level-0 layout"),
        (lambda b: b[:100] + (10**6).to_bytes(4, "little") + b[104:], "outside"),
        (lambda b: b[:96] + (999).to_bytes(2, "little") + b[98:], "links"),
        # Cut inside an upper-layer block of this file (it used to raise struct.error).
        (lambda b: b[:145332], "upper-layer block"),
    ],
)
def test_bad_hnswlib_files(mutate: Any, fragment: str) -> None:
    data = (DATA / "hnswlib_l2.bin").read_bytes()
    with pytest.raises(VectorError, match=fragment) as info:
        VectorStore.from_hnswlib(mutate(data), dimensions=16, distance="l2")
    assert info.value.operation == "index"


def test_hnswlib_file_with_the_wrong_dimensions() -> None:
    data = (DATA / "hnswlib_l2.bin").read_bytes()
    with pytest.raises(VectorError, match="16-dimensional") as info:
        VectorStore.from_hnswlib(data, dimensions=32, distance="l2")
    assert info.value.dimensions == 16


def test_missing_file_is_an_io_error(tmp_path: Path) -> None:
    with pytest.raises(IoError):
        VectorStore.from_hnswlib(tmp_path / "nope.bin", dimensions=16, distance="l2")
    with pytest.raises(IoError):
        VectorStore.load(tmp_path / "nope.ipvec")


# -- the portable collection file ----------------------------------------------------


def test_collection_saved_natively_by_hnswlib_loads_everywhere(
    backend: Backend, expected: dict[str, Any]
) -> None:
    case = expected["hnswlib_cosine"]
    store = VectorStore.load(DATA / "hnswlib_cosine.ipvec", index=backend.index, math=backend.math)
    assert len(store) == 1498
    assert "doc-10" not in store
    record = store.get("doc-7")
    assert record is not None
    assert record.metadata == {"i": 7, "lang": "de"}
    got = [[r.id for r in store.search(q, expected["k"])] for q in case["queries"]]
    assert _overlap(got, case["ids"]) >= 0.99
    lang = Eq("lang", "de")
    filtered = [[r.id for r in store.search(q, expected["k"], lang)] for q in case["queries"]]
    assert _overlap(filtered, case["ids_lang_de"]) >= 0.95
    assert all(store.get(i).metadata["lang"] == "de" for row in filtered for i in row)  # type: ignore[union-attr]


def test_save_load_round_trip(backend: Backend, tmp_path: Path) -> None:
    store = backend.store(DIM, "cosine", hnsw=HnswConfig(m=6, ef_construction=40, ef_search=33))
    rows = clustered(400, DIM, seed=17)
    store.add([f"r{i}" for i in range(400)], rows, [{"i": i} for i in range(400)])
    store.delete("r5")
    store.update_metadata("r6", {"changed": True})
    path = tmp_path / "c.ipvec"
    store.save(path)
    assert not (tmp_path / "c.ipvec.partial").exists()
    loaded = VectorStore.load(path, index=backend.index, math=backend.math)
    assert loaded.config.hnsw.ef_search == 33
    assert loaded.config.collection_name == "test"
    assert len(loaded) == 399
    assert loaded.get("r6").metadata == {"changed": True}  # type: ignore[union-attr]
    assert loaded.get("r6").created_at == store.get("r6").created_at  # type: ignore[union-attr]
    for q in clustered(10, DIM, seed=18):
        assert [r.id for r in loaded.search(q, 10)] == [r.id for r in store.search(q, 10)]
    # A loaded collection keeps working.
    loaded.insert("new", rows[0])
    assert loaded.search(rows[0], 2)[0].id in {"new", "r0"}


def test_every_backend_reads_every_other(backend: Backend) -> None:
    rows = clustered(300, DIM, seed=23)
    store = backend.store(DIM, "l2", hnsw=HnswConfig(m=6, ef_construction=40))
    store.add([f"x{i}" for i in range(300)], rows)
    data = store.to_bytes()
    queries = clustered(8, DIM, seed=24)
    reference = [[r.id for r in store.search(q, 10, ef=40)] for q in queries]
    for index, math_ in (("hnswlib", None), ("hnsw", "numpy"), ("hnsw", "pure")):
        try:
            other = VectorStore.from_bytes(data, index=index, math=math_)
        except InfraError:  # that backend is not in this runtime
            continue
        got = [[r.id for r in other.search(q, 10, ef=40)] for q in queries]
        assert _overlap(got, reference) >= 0.99, (index, math_)


def test_compressed_collections_round_trip(our_backend: Backend) -> None:
    for precision in ("f16", "int8"):
        for rescore in (True, False):
            store = our_backend.store(
                DIM,
                "l2",
                hnsw=HnswConfig(m=6, ef_construction=40),
                compression=CompressionConfig(precision=precision, rescore=rescore),
            )
            rows = clustered(300, DIM, seed=29)
            store.add([f"c{i}" for i in range(300)], rows)
            loaded = VectorStore.from_bytes(store.to_bytes(), math=our_backend.math)
            assert loaded.config.compression.precision == precision
            assert loaded.config.compression.rescore == rescore
            for q in clustered(5, DIM, seed=30):
                a = [r.id for r in store.search(q, 5)]
                b = [r.id for r in loaded.search(q, 5)]
                assert a == b, (precision, rescore)


def _valid_file() -> bytes:
    store = VectorStore.create("c", 2, "l2", index="hnsw", math="pure")
    store.insert("a", [1.0, 2.0], {"k": "v"})
    store.insert("b", [2.0, 1.0])
    return store.to_bytes()


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda b: b"NOTAFILE" + b[8:], "signature"),
        (lambda b: b[:8] + (9).to_bytes(4, "little") + b[12:], "version 9"),
        (lambda b: b[:-1] + bytes([b[-1] ^ 1]), "checksum"),
        (lambda b: b[:100] + bytes([b[100] ^ 0x20]) + b[101:], "checksum"),
        (lambda b: b[: len(b) // 2], "checksum"),
        (lambda b: b"", "signature"),
    ],
)
def test_corrupt_collection_files_are_refused(mutate: Any, fragment: str) -> None:
    with pytest.raises(VectorError, match=fragment) as info:
        VectorStore.from_bytes(mutate(_valid_file()))
    assert info.value.operation == "index"


def test_load_can_replace_search_settings(tmp_path: Path) -> None:
    store = VectorStore.create("c", 2, "l2", index="hnsw", math="pure", exact_threshold=5)
    store.insert("a", [1.0, 2.0])
    path = tmp_path / "c.ipvec"
    store.save(path)
    assert VectorStore.load(path).config.exact_threshold == 5
    loaded = VectorStore.load(path, ef_search=7, exact_threshold=0)
    assert (loaded.config.hnsw.ef_search, loaded.config.exact_threshold) == (7, 0)
    assert loaded.search([1.0, 2.0], 1)[0].id == "a"
