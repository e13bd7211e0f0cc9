"""JSONPath as RFC 9535 defines it, in pure Python.

    compile_path("$.store.book[?@.price < 10].title").query(document)
    query(document, "$..author")                  # values
    query_paths(document, "$..author")            # ["$['store']['book'][0]['author']", ...]
    query_nodes(document, "$..author")            # Node(path, location, value)
    query_one(document, "$.store.bicycle.color")  # first value or a default

Everything in the RFC is here: all selectors and segments, filters with the
exact comparison rules (``1 == 1.0``, ``true != 1``, deep equality), the function
extensions ``length``, ``count``, ``match``, ``search`` and ``value`` with their
type checks, I-Regexp (RFC 9485) and Normalized Paths. The JSONPath Compliance
Test Suite passes in full.

Invalid queries raise :class:`~infra_portable.errors.ValidationError` with
``field="path"`` and the offset of the problem; no other exception leaves this
package. Documents are the plain values a JSON decoder gives (see ``_eval`` for
how tuples, non-string keys and other Python objects are treated).

Module map: ``_lexer``/``_parser`` (text -> ``_ast``), ``_eval`` (selection and
comparison), ``_functions``/``_iregexp`` (function extensions), ``_normalized``
(paths), ``_api`` (this public surface).
"""

from __future__ import annotations

from infra_portable.json._jsonpath._api import (
    JsonPath,
    Node,
    compile_path,
    query,
    query_nodes,
    query_one,
    query_paths,
)
from infra_portable.json._jsonpath._normalized import normalized_path
from infra_portable.json._jsonpath._parser import MAX_NESTING

__all__ = [
    "compile_path",
    "JsonPath",
    "Node",
    "query",
    "query_paths",
    "query_nodes",
    "query_one",
    "normalized_path",
    "MAX_NESTING",
]
