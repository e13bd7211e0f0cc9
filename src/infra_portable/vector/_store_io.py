"""Reading and writing collections for ``VectorStore`` (formats: ``_persist``, ``_hnswlib_format``).

Files are written atomically (a ``.partial`` file, then a rename) so a crash
never leaves half a collection; OS errors become IoError with the path.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import Any

from infra_portable.errors import IoOperation, VectorError, VectorOperation, translate_errors
from infra_portable.vector._base import CompressionConfig, HnswConfig, VectorStoreConfig
from infra_portable.vector._graph import GraphData

__all__ = ["decode", "encode", "from_hnswlib", "read", "write_atomic"]

Records = list[list[Any] | None]


def read(path: str | os.PathLike[str]) -> bytes:
    target = os.fspath(path)
    with translate_errors(path=target, operation=IoOperation.READ), open(target, "rb") as fh:
        return fh.read()


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    target = os.fspath(path)
    partial = f"{target}.partial"
    with translate_errors(path=target, operation=IoOperation.WRITE):
        with open(partial, "wb") as fh:
            fh.write(data)
        os.replace(partial, target)


def encode(config: VectorStoreConfig, graph: GraphData, records: Records) -> bytes:
    from infra_portable.vector._persist import CollectionFile
    from infra_portable.vector._persist import encode as encode_file

    settings = {
        "collection_name": config.collection_name,
        "exact_threshold": config.exact_threshold,
        "ef_search": config.hnsw.ef_search,
        "seed": config.hnsw.seed,
        "rescore": config.compression.rescore,
        "oversample": config.compression.oversample,
    }
    return encode_file(CollectionFile(settings, graph, records))


def decode(
    data: bytes, index: str | None, math: str | None
) -> tuple[VectorStoreConfig, GraphData, Records]:
    from infra_portable.vector._persist import decode as decode_file

    content = decode_file(data)
    return (
        _config_from(content.settings, content.graph, index, math),
        content.graph,
        content.records,
    )


def from_hnswlib(
    data: bytes,
    config: VectorStoreConfig,
    ids: Mapping[int, str] | Sequence[str] | None,
    metadata: Mapping[int, Mapping[str, Any]] | None,
) -> tuple[VectorStoreConfig, GraphData, Records]:
    """The graph in an hnswlib file, with records named after its labels."""
    from infra_portable.vector._hnswlib_format import read_hnswlib

    graph, labels = read_hnswlib(data, config.dimensions, config.distance)
    records: Records = []
    for node, label in enumerate(labels):
        if graph.deleted[node]:
            records.append(None)
            continue
        try:
            name = str(label) if ids is None else ids[label]
        except (KeyError, IndexError):
            raise VectorError(
                f"no id given for hnswlib label {label}", operation=VectorOperation.INDEX
            ) from None
        records.append([name, (metadata or {}).get(label), 0.0, 0.0])
    hnsw = HnswConfig(
        m=graph.m,
        ef_construction=graph.ef_construction,
        ef_search=config.hnsw.ef_search,
        seed=config.hnsw.seed,
    )
    return dataclasses.replace(config, hnsw=hnsw), graph, records


def _config_from(
    settings: Mapping[str, Any], graph: Any, index: str | None, math: str | None
) -> VectorStoreConfig:
    try:
        return VectorStoreConfig(
            collection_name=str(settings["collection_name"]),
            dimensions=graph.dimensions,
            distance=graph.distance,
            hnsw=HnswConfig(
                m=graph.m,
                ef_construction=graph.ef_construction,
                ef_search=int(settings.get("ef_search", 100)),
                seed=int(settings.get("seed", 100)),
            ),
            compression=CompressionConfig(
                precision=graph.precision,
                rescore=bool(settings.get("rescore", True)) and graph.originals is not None,
                oversample=int(settings.get("oversample", 4)),
            ),
            index=index,
            math=math,
            exact_threshold=int(settings.get("exact_threshold", 2048)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise VectorError(
            f"not a readable collection file: bad settings ({exc})", operation=VectorOperation.INDEX
        ) from exc
