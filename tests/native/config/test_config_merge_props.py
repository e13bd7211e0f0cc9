"""Deep-merge properties (hypothesis): identity, later wins, no aliasing, flatten agreement."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from infra_portable.config import ConfigLoader, deep_merge

names = st.text(alphabet="abcdef_", min_size=1, max_size=4)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(names, children, max_size=4),
    max_leaves=12,
)
tables = st.dictionaries(names, values, max_size=5)


def leaves(tree: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    found: dict[tuple[str, ...], Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            found.update(leaves(value, (*prefix, key)))
        else:
            found[(*prefix, key)] = value
    return found


def lookup(tree: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        tree = tree[part]
    return tree


@given(tables)
def test_merging_with_an_empty_table_is_identity(a: dict[str, Any]) -> None:
    assert deep_merge(a, {}) == a
    assert deep_merge({}, a) == a


@given(tables, tables)
def test_later_source_wins_for_every_leaf_it_sets(a: dict[str, Any], b: dict[str, Any]) -> None:
    merged = deep_merge(a, b)
    for path, value in leaves(b).items():
        if value == {}:
            continue  # an empty table merges into a table: it sets nothing
        assert lookup(merged, path) == value


@given(tables, tables)
def test_earlier_leaves_survive_unless_overridden(a: dict[str, Any], b: dict[str, Any]) -> None:
    merged = deep_merge(a, b)
    for path, value in leaves(a).items():
        # Untouched unless b sets this very path, or a prefix of it to something
        # that is not a table (which replaces the whole subtree).
        blocked = False
        node: Any = b
        for part in path:
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
            if not isinstance(node, dict):
                blocked = True
                break
        else:
            blocked = True
        if not blocked:
            assert lookup(merged, path) == value


def replaces_a_value_with_a_table(b: dict[str, Any], c: dict[str, Any]) -> bool:
    """Whether ``c`` puts a table where ``b`` has a value that is not one."""
    return any(
        key in b
        and isinstance(value, dict)
        and (not isinstance(b[key], dict) or replaces_a_value_with_a_table(b[key], value))
        for key, value in c.items()
    )


@given(tables, tables, tables)
def test_merge_is_associative_when_the_sources_agree_on_tables(
    a: dict[str, Any], b: dict[str, Any], c: dict[str, Any]
) -> None:
    assume(not replaces_a_value_with_a_table(b, c))
    assert deep_merge(deep_merge(a, b), c) == deep_merge(a, deep_merge(b, c))


def test_merge_is_not_associative_when_a_value_turns_back_into_a_table() -> None:
    # b replaces a's table with a value; c's table then starts afresh on top of
    # a + b, but merges into a's table when b + c is merged first. Loading
    # sources in order (what ConfigLoader does) is the left fold.
    a, b, c = {"k": {"x": 1}}, {"k": None}, {"k": {"y": 2}}
    assert deep_merge(deep_merge(a, b), c) == {"k": {"y": 2}}
    assert deep_merge(a, deep_merge(b, c)) == {"k": {"x": 1, "y": 2}}


@given(tables, tables)
def test_inputs_are_never_modified_or_aliased(a: dict[str, Any], b: dict[str, Any]) -> None:
    a_before, b_before = copy.deepcopy(a), copy.deepcopy(b)
    merged = deep_merge(a, b)
    assert (a, b) == (a_before, b_before)
    for path in leaves(merged):
        parent = lookup(merged, path[:-1])
        if isinstance(parent, dict):
            parent[path[-1]] = "mutated"
    assert (a, b) == (a_before, b_before)


@given(tables, tables)
def test_loader_agrees_with_deep_merge(a: dict[str, Any], b: dict[str, Any]) -> None:
    config = ConfigLoader().with_dict(a).with_dict(b).load()
    assert config.to_dict() == deep_merge(a, b)
    assert set(config.sources) == set(config.flat())
