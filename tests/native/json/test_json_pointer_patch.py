"""JSON Pointer (RFC 6901), JSON Patch (RFC 6902), Merge Patch (RFC 7396) and diff.

The fixed cases are the RFCs' own examples (RFC 6901 §5, RFC 6902 Appendix A,
RFC 7396 Appendix A); the properties check diff/patch on random documents.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra_portable.errors import ValidationError
from infra_portable.json import (
    Added,
    Changed,
    Removed,
    apply_patch,
    diff,
    format_pointer,
    json_equal,
    make_patch,
    merge_patch,
    parse_pointer,
    pointer_get,
    pointer_remove,
    pointer_set,
)

RFC6901_DOC = {
    "foo": ["bar", "baz"],
    "": 0,
    "a/b": 1,
    "c%d": 2,
    "e^f": 3,
    "g|h": 4,
    "i\\j": 5,
    'k"l': 6,
    " ": 7,
    "m~n": 8,
}


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("", RFC6901_DOC),
        ("/foo", ["bar", "baz"]),
        ("/foo/0", "bar"),
        ("/", 0),
        ("/a~1b", 1),
        ("/c%d", 2),
        ("/e^f", 3),
        ("/g|h", 4),
        ("/i\\j", 5),
        ('/k"l', 6),
        ("/ ", 7),
        ("/m~0n", 8),
    ],
)
def test_rfc6901_examples(pointer: str, expected: Any) -> None:
    assert pointer_get(RFC6901_DOC, pointer) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "foo",
        "/foo/01",
        "/foo/-",
        "/foo/2",
        "/foo/x",
        "/nope",
        "/~2",
        "/a~",
        "/foo/0/deeper",
        "/foo/+1",
        "/foo/\u0661",  # an Arabic-Indic digit one is not an array index
    ],
)
def test_bad_or_missing_pointers(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        pointer_get(RFC6901_DOC, bad)
    assert info.value.field == "pointer"


@pytest.mark.parametrize("missing", ["/foo/2", "/nope", "/foo/0/deeper"])
def test_default_is_returned_only_for_missing_values(missing: str) -> None:
    assert pointer_get(RFC6901_DOC, missing, default="dflt") == "dflt"
    with pytest.raises(ValidationError):
        pointer_get(RFC6901_DOC, "no-slash", default="dflt")  # syntax errors always raise


def test_pointer_tokens_round_trip() -> None:
    tokens = ["a/b", "m~n", "", "0"]
    assert parse_pointer(format_pointer(tokens)) == tokens
    with pytest.raises(ValidationError):
        parse_pointer(5)  # type: ignore[arg-type]


def test_pointer_set_and_remove() -> None:
    doc: Any = {"a": [1, 3]}
    pointer_set(doc, "/a/1", 2)
    pointer_set(doc, "/a/-", 4)
    pointer_set(doc, "/b", {"c": 1})
    assert doc == {"a": [1, 2, 3, 4], "b": {"c": 1}}
    assert pointer_remove(doc, "/a/0") == 1
    assert pointer_remove(doc, "/b") == {"c": 1}
    assert doc == {"a": [2, 3, 4]}
    assert pointer_set(doc, "", "whole") == "whole"
    with pytest.raises(ValidationError):
        pointer_remove(doc, "")
    with pytest.raises(ValidationError):
        pointer_set(doc, "/a/9", 0)
    with pytest.raises(ValidationError):
        pointer_set("scalar", "/x", 0)


# RFC 6902 Appendix A: (document, patch, expected result or None for an error).
RFC6902_CASES: list[tuple[str, Any, list[dict[str, Any]], Any]] = [
    (
        "A.1",
        {"foo": "bar"},
        [{"op": "add", "path": "/baz", "value": "qux"}],
        {"baz": "qux", "foo": "bar"},
    ),
    (
        "A.2",
        {"foo": ["bar", "baz"]},
        [{"op": "add", "path": "/foo/1", "value": "qux"}],
        {"foo": ["bar", "qux", "baz"]},
    ),
    ("A.3", {"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    (
        "A.4",
        {"foo": ["bar", "qux", "baz"]},
        [{"op": "remove", "path": "/foo/1"}],
        {"foo": ["bar", "baz"]},
    ),
    (
        "A.5",
        {"baz": "qux", "foo": "bar"},
        [{"op": "replace", "path": "/baz", "value": "boo"}],
        {"baz": "boo", "foo": "bar"},
    ),
    (
        "A.6",
        {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
        [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
        {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
    ),
    (
        "A.7",
        {"foo": ["all", "grass", "cows", "eat"]},
        [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
        {"foo": ["all", "cows", "eat", "grass"]},
    ),
    (
        "A.8",
        {"baz": "qux", "foo": ["a", 2, "c"]},
        [
            {"op": "test", "path": "/baz", "value": "qux"},
            {"op": "test", "path": "/foo/1", "value": 2},
        ],
        {"baz": "qux", "foo": ["a", 2, "c"]},
    ),
    ("A.9", {"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}], None),
    (
        "A.10",
        {"foo": "bar"},
        [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
        {"foo": "bar", "child": {"grandchild": {}}},
    ),
    (
        "A.11",
        {"foo": "bar"},
        [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}],
        {"foo": "bar", "baz": "qux"},
    ),
    ("A.12", {"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}], None),
    ("A.14", {"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    ("A.15", {"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}], None),
    (
        "A.16",
        {"foo": ["bar"]},
        [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
        {"foo": ["bar", ["abc", "def"]]},
    ),
    (
        "copy",
        {"a": {"b": 1}},
        [{"op": "copy", "from": "/a", "path": "/c"}],
        {"a": {"b": 1}, "c": {"b": 1}},
    ),
    ("root", {"a": 1}, [{"op": "replace", "path": "", "value": [1]}], [1]),
    ("test-num", {"a": 1}, [{"op": "test", "path": "/a", "value": 1.0}], {"a": 1}),
    ("test-bool", {"a": 1}, [{"op": "test", "path": "/a", "value": True}], None),
    ("move-into-child", {"a": {"b": 1}}, [{"op": "move", "from": "/a", "path": "/a/b/c"}], None),
    ("replace-missing", {"a": 1}, [{"op": "replace", "path": "/b", "value": 2}], None),
    ("unknown-op", {"a": 1}, [{"op": "frobnicate", "path": "/a"}], None),
    ("no-path", {"a": 1}, [{"op": "add", "value": 2}], None),
    ("no-value", {"a": 1}, [{"op": "add", "path": "/b"}], None),
]


@pytest.mark.parametrize(
    ("name", "doc", "patch", "expected"), RFC6902_CASES, ids=[c[0] for c in RFC6902_CASES]
)
def test_rfc6902(name: str, doc: Any, patch: list[dict[str, Any]], expected: Any) -> None:
    before = repr(doc)
    if expected is None:
        with pytest.raises(ValidationError) as info:
            apply_patch(doc, patch)
        assert info.value.field is not None
        assert info.value.field.startswith("patch[")
    else:
        assert apply_patch(doc, patch) == expected
    assert repr(doc) == before  # atomic: the input is never modified


def test_patch_must_be_a_list_of_objects() -> None:
    with pytest.raises(ValidationError):
        apply_patch({}, {"op": "add"})  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        apply_patch({}, ["add"])  # type: ignore[list-item]


RFC7396_CASES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "expected"), RFC7396_CASES)
def test_rfc7396(target: Any, patch: Any, expected: Any) -> None:
    before = repr(target)
    assert merge_patch(target, patch) == expected
    assert repr(target) == before


def test_diff_reports_added_removed_changed_by_pointer() -> None:
    a = {"name": "x", "tags": ["a", "b", "c"], "cfg": {"n": 1, "old": True}, "flag": 1}
    b = {"name": "y", "tags": ["a"], "cfg": {"n": 1, "new/key": None}, "flag": True}
    assert diff(a, b) == [
        Changed("/name", "x", "y"),
        Removed("/tags/2", "c"),
        Removed("/tags/1", "b"),
        Added("/cfg/new~1key", None),
        Removed("/cfg/old", True),
        Changed("/flag", 1, True),
    ]
    assert diff(a, a) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=4), c, max_size=4),
    max_leaves=20,
)


@given(a=json_values, b=json_values)
def test_apply_patch_of_diff_gives_b(a: Any, b: Any) -> None:
    patched = apply_patch(a, make_patch(a, b))
    assert json_equal(patched, b)


@given(a=json_values)
def test_diff_with_itself_is_empty(a: Any) -> None:
    assert diff(a, a) == []


@given(a=json_values, b=json_values)
def test_merge_patch_is_idempotent(a: Any, b: Any) -> None:
    once = merge_patch(a, b)
    assert merge_patch(once, b) == once
