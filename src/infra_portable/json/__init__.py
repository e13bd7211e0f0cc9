"""Layer 1: JSON that behaves the same in every runtime (seed 002 §2.4).

* ``loads``/``dumps``/``dumpb`` through the ``json`` codec capability (orjson or
  ujson natively when installed, the standard library everywhere) with one
  canonical output: see ``_codec_base``.
* JSONPath (RFC 9535, the full standard): ``query``/``query_paths``/
  ``query_nodes``/``query_one``, ``compile_path`` for reuse.
* JSON Pointer (RFC 6901): ``pointer_get``/``pointer_set``/``pointer_remove``.
* ``diff`` (Added/Removed/Changed by pointer), ``make_patch``/``to_json_patch``
  and ``apply_patch`` (RFC 6902), ``merge_patch`` (RFC 7396).
* ``JsonStreamParser``/``iter_json_values``: complete values from arbitrary
  chunks (NDJSON, concatenated values, split UTF-8), with depth/size limits;
  ``parse_partial``/``PartialJsonParser``: the best-effort value of an
  unfinished document, for LLM token streams.

The seed's ``Json`` wrapper maps onto plain Python values here: ``Json::parse`` is
``loads``, ``to_string``/``to_string_pretty``/``to_bytes`` are ``dumps``,
``dumps(pretty=True)`` and ``dumpb``; ``query``/``query_all`` are ``query_one``/
``query``; ``set`` is ``pointer_set``; the type checks are ``isinstance``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infra_portable.json._codec import codec, dumpb, dumps, loads
from infra_portable.json._codec_base import JsonCodec, to_json_compatible
from infra_portable.json._pointer import (
    format_pointer,
    parse_pointer,
    pointer_get,
    pointer_remove,
    pointer_set,
)
from infra_portable.json._values import copy_json, json_equal

if TYPE_CHECKING:
    from infra_portable.json._diff import (
        Added,
        Changed,
        JsonDiff,
        Removed,
        diff,
        make_patch,
        to_json_patch,
    )
    from infra_portable.json._jsonpath import (
        JsonPath,
        Node,
        compile_path,
        query,
        query_nodes,
        query_one,
        query_paths,
    )
    from infra_portable.json._partial import PartialJsonParser, parse_partial
    from infra_portable.json._patch import apply_patch, merge_patch
    from infra_portable.json._stream import JsonStreamParser, aiter_json_values, iter_json_values

# JSONPath, diff/patch and the streaming parsers are imported on first use: they
# cost ~60 ms at start-up, and most importers (auth, the HTTP server) only encode.
_LAZY = {
    **dict.fromkeys(
        ("Added", "Changed", "JsonDiff", "Removed", "diff", "make_patch", "to_json_patch"),
        "_diff",
    ),
    **dict.fromkeys(
        ("JsonPath", "Node", "compile_path", "query", "query_nodes", "query_one", "query_paths"),
        "_jsonpath",
    ),
    **dict.fromkeys(("PartialJsonParser", "parse_partial"), "_partial"),
    **dict.fromkeys(("apply_patch", "merge_patch"), "_patch"),
    **dict.fromkeys(("JsonStreamParser", "aiter_json_values", "iter_json_values"), "_stream"),
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'infra_portable.json' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"infra_portable.json.{module}"), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


__all__ = [
    # encoding and decoding
    "loads",
    "dumps",
    "dumpb",
    "codec",
    "JsonCodec",
    "to_json_compatible",
    # JSONPath (RFC 9535)
    "query",
    "query_paths",
    "query_nodes",
    "query_one",
    "compile_path",
    "JsonPath",
    "Node",
    # JSON Pointer (RFC 6901)
    "pointer_get",
    "pointer_set",
    "pointer_remove",
    "parse_pointer",
    "format_pointer",
    # diff, JSON Patch (RFC 6902), merge patch (RFC 7396)
    "diff",
    "JsonDiff",
    "Added",
    "Removed",
    "Changed",
    "to_json_patch",
    "make_patch",
    "apply_patch",
    "merge_patch",
    # streaming: complete values from chunks, best-effort values from LLM tokens
    "JsonStreamParser",
    "iter_json_values",
    "aiter_json_values",
    "parse_partial",
    "PartialJsonParser",
    # values
    "json_equal",
    "copy_json",
]
