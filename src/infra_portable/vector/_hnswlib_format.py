"""hnswlib's own saved-index format, read and written in pure Python (every runtime).

This is how an index built natively by hnswlib (``Index.save_index``) is
searched by our HNSW under WASI or in the browser, and how a portable
collection is handed back to hnswlib natively. The layout is hnswlib 0.8's
``HierarchicalNSW::saveIndex`` (little-endian, ``size_t`` = 8 bytes)::

    header      offsetLevel0, max_elements, cur_element_count,
                size_data_per_element, label_offset, offsetData   (6 x u64)
                maxlevel (i32), enterpoint_node (u32),
                maxM, maxM0, M (3 x u64), mult (f64), ef_construction (u64)
    level 0     cur_element_count records of size_data_per_element bytes:
                u16 link count, u8 flags (bit 0: deleted), u8 unused,
                maxM0 x u32 links, dim x f32 vector, u64 label
    upper       per element: u32 byte size (level x (4 + 4 maxM)), then per
                layer: u32 link count, maxM x u32 links

The file does not record the space or the dimension; the caller supplies them
(hnswlib's ``load_index`` needs them too). hnswlib's "cosine" space stores
unit vectors, so it reads as our cosine collection.
"""

from __future__ import annotations

import math
import struct
from array import array

from infra_portable.errors import VectorError, VectorOperation
from infra_portable.vector._base import Distance, Precision
from infra_portable.vector._graph import GraphData, int32_array, int32_bytes

__all__ = ["read_hnswlib", "write_hnswlib"]

_HEADER = struct.Struct("<6QiI3QdQ")
_DELETED = 0x01


def _error(message: str, dimensions: int | None = None) -> VectorError:
    return VectorError(
        f"not a readable hnswlib index: {message}",
        operation=VectorOperation.INDEX,
        dimensions=dimensions,
    )


def read_hnswlib(data: bytes, dimensions: int, distance: Distance) -> tuple[GraphData, list[int]]:
    """The graph in an hnswlib file and each node's hnswlib label (node i = internal id i)."""
    if len(data) < _HEADER.size:
        raise _error(f"{len(data)} bytes is shorter than the header", dimensions)
    (
        offset_level0,
        _max_elements,
        count,
        record_size,
        label_offset,
        data_offset,
        max_level,
        entry_point,
        max_m,
        max_m0,
        m,
        _mult,
        ef_construction,
    ) = _HEADER.unpack_from(data, 0)
    links_size = 4 + 4 * max_m0
    if offset_level0 != 0 or data_offset != links_size:
        raise _error("unexpected level-0 layout", dimensions)
    if label_offset - data_offset != 4 * dimensions:
        stored = (label_offset - data_offset) // 4
        raise VectorError(
            f"the hnswlib index holds {stored}-dimensional vectors, not {dimensions}",
            operation=VectorOperation.INDEX,
            dimensions=stored,
        )
    if record_size != label_offset + 8 or max_m0 != 2 * m or max_m != m:
        raise _error("unexpected record size or M", dimensions)
    body = _HEADER.size
    if len(data) < body + count * record_size + 4 * count:
        raise _error("truncated level-0 data", dimensions)

    vectors = bytearray()
    links0 = array("i")
    deleted = bytearray(count)
    labels: list[int] = []
    pad = [-1] * max_m0
    for node in range(count):
        start = body + node * record_size
        n_links, flags = struct.unpack_from("<HB", data, start)
        if n_links > max_m0:
            raise _error(f"node {node} has {n_links} links (max {max_m0})", dimensions)
        links = int32_array(data[start + 4 : start + 4 + 4 * n_links])
        links0.extend(links)
        links0.extend(pad[n_links:])
        deleted[node] = 1 if flags & _DELETED else 0
        vectors += data[start + data_offset : start + label_offset]
        labels.append(struct.unpack_from("<Q", data, start + label_offset)[0])

    position = body + count * record_size
    level_size = 4 + 4 * max_m
    levels = array("i")
    upper = array("i")
    for node in range(count):
        if position + 4 > len(data):
            raise _error("truncated upper layers", dimensions)
        (size,) = struct.unpack_from("<I", data, position)
        position += 4
        if size % level_size or position + size > len(data):
            raise _error(f"node {node}: upper-layer block of {size} bytes", dimensions)
        level = size // level_size
        levels.append(level)
        for layer in range(level):
            block = position + layer * level_size
            (n_links,) = struct.unpack_from("<H", data, block)
            if n_links > max_m:
                raise _error(f"node {node} layer {layer + 1}: {n_links} links", dimensions)
            upper.extend(int32_array(data[block + 4 : block + 4 + 4 * n_links]))
            upper.extend(pad[: max_m - n_links])
        position += size
    if count and max_level != max(levels):
        raise _error("maximum level disagrees with the nodes", dimensions)

    graph = GraphData(
        dimensions=dimensions,
        distance=distance,
        precision=Precision.F32,
        m=m,
        m0=max_m0,
        ef_construction=ef_construction,
        count=count,
        entry_point=entry_point if count else -1,
        max_level=max_level if count else -1,
        vectors=bytes(vectors),
        levels=int32_bytes(levels),
        links0=int32_bytes(links0),
        upper=int32_bytes(upper),
        deleted=bytes(deleted),
    )
    graph.validate()
    return graph, labels


def write_hnswlib(
    graph: GraphData, labels: list[int] | None = None, max_elements: int | None = None
) -> bytes:
    """hnswlib's file for ``graph`` (float32 vectors only); labels default to node ids."""
    if graph.precision is not Precision.F32:
        raise VectorError(
            "hnswlib stores float32 vectors only",
            operation=VectorOperation.INDEX,
            dimensions=graph.dimensions,
        )
    count, dim, m, m0 = graph.count, graph.dimensions, graph.m, graph.m0
    labels = labels if labels is not None else list(range(count))
    links_size = 4 + 4 * m0
    label_offset = links_size + 4 * dim
    record_size = label_offset + 8
    out = bytearray(
        _HEADER.pack(
            0,
            max(max_elements or count, count, 1),
            count,
            record_size,
            label_offset,
            links_size,
            graph.max_level if count else -1,
            max(graph.entry_point, 0) if count else 0xFFFFFFFF,
            m,
            m0,
            m,
            1.0 / math.log(m),
            graph.ef_construction,
        )
    )
    links0 = int32_array(graph.links0)
    vector_size = 4 * dim
    for node in range(count):
        row = [i for i in links0[node * m0 : (node + 1) * m0] if i >= 0]
        out += struct.pack("<HBB", len(row), _DELETED if graph.deleted[node] else 0, 0)
        out += int32_bytes([*row, *([0] * (m0 - len(row)))])
        out += graph.vectors[node * vector_size : (node + 1) * vector_size]
        out += struct.pack("<Q", labels[node])
    levels = int32_array(graph.levels)
    upper = int32_array(graph.upper)
    position = 0
    for level in levels:
        out += struct.pack("<I", level * (4 + 4 * m))
        for _ in range(level):
            row = [i for i in upper[position : position + m] if i >= 0]
            out += struct.pack("<I", len(row)) + int32_bytes([*row, *([0] * (m - len(row)))])
            position += m
    return bytes(out)
