"""Authorization: role- and attribute-based rules, deny by default, deny wins, wildcards."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra_portable.auth import (
    Authorizer,
    Decision,
    Effect,
    Identity,
    Policy,
    PolicyAuthorizer,
    Resource,
    Rule,
    allow,
    deny,
    wildcard_match,
)
from infra_portable.errors import AuthError, AuthErrorKind, ValidationError

RunCoro = Callable[[Coroutine[Any, Any, Any]], Any]

POLICY: dict[str, Any] = {
    "inherits": {"admin": ["editor"], "editor": ["reader"]},
    "roles": {
        "reader": [{"actions": ["read", "list"], "resources": ["models/*"]}],
        "editor": [{"actions": "write", "resources": "models/*"}],
        "admin": [{"actions": ["*"], "resources": ["*"]}],
    },
    "rules": [
        {
            "name": "no-secrets",
            "effect": "deny",
            "actions": ["*"],
            "resources": ["models/secret-*"],
            "roles": ["*"],
        },
        {
            "name": "owners-write-projects",
            "actions": ["write", "delete"],
            "resources": ["projects/**"],
            "when": {"resource.attributes.owner": "${identity.subject}"},
        },
    ],
}


def _who(subject: str = "alice", *roles: str, **kwargs: Any) -> Identity:
    return Identity(subject, roles=roles, **kwargs)


@pytest.fixture
def authorizer() -> PolicyAuthorizer:
    return PolicyAuthorizer(POLICY)


def test_roles_grant_what_they_list(authorizer: PolicyAuthorizer) -> None:
    reader = _who("r", "reader")
    assert authorizer.allows(reader, "models/gpt-4", "read")
    assert authorizer.allows(reader, Resource("models/gpt-4"), "list")
    assert not authorizer.allows(reader, "models/gpt-4", "write")
    assert not authorizer.allows(reader, "models/gpt-4/versions/2", "read")  # * is one segment
    assert not authorizer.allows(reader, "datasets/x", "read")


def test_roles_inherit_transitively(authorizer: PolicyAuthorizer) -> None:
    admin = _who("a", "admin")
    assert authorizer.policy.roles_of(admin) == {"admin", "editor", "reader"}
    assert authorizer.allows(admin, "anything/at/all", "shutdown")
    assert authorizer.allows(_who("e", "editor"), "models/x", "read")
    assert not authorizer.allows(_who("e", "editor"), "datasets/x", "read")


def test_deny_by_default(authorizer: PolicyAuthorizer) -> None:
    assert not authorizer.allows(_who("nobody"), "models/x", "read")
    assert not authorizer.allows(_who("x", "unknown-role"), "models/x", "read")
    assert not PolicyAuthorizer([]).allows(_who("a", "admin"), "x", "read")


def test_an_explicit_deny_wins_over_every_allow(authorizer: PolicyAuthorizer) -> None:
    decision = authorizer.decide(_who("a", "admin"), "models/secret-plans", "read")
    assert decision == Decision(False, decision.rule, "denied by rule 'no-secrets'")
    assert decision.rule is not None
    assert decision.rule.effect is Effect.DENY
    assert not decision
    assert not authorizer.allows(_who("r", "reader"), "models/secret-x", "read")


def test_attribute_conditions(authorizer: PolicyAuthorizer) -> None:
    mine = Resource("projects/p1/files/a", {"owner": "alice"})
    theirs = Resource("projects/p1/files/a", {"owner": "bob"})
    unowned = Resource("projects/p1")
    alice = _who("alice")
    assert authorizer.allows(alice, mine, "write")
    assert not authorizer.allows(alice, theirs, "write")
    assert not authorizer.allows(alice, unowned, "write")  # a missing attribute never holds
    decision = authorizer.decide(alice, mine, "delete")
    assert decision.reason == "allowed by rule 'owners-write-projects'"


@pytest.mark.parametrize(
    ("when", "identity", "resource", "expected"),
    [
        ({"identity.attributes.tenant": "acme"}, {"tenant": "acme"}, {}, True),
        ({"identity.attributes.tenant": "acme"}, {"tenant": "other"}, {}, False),
        ({"identity.attributes.tenant": ["acme", "beta"]}, {"tenant": "beta"}, {}, True),
        ({"identity.attributes.groups": "ops"}, {"groups": ["dev", "ops"]}, {}, True),
        ({"identity.attributes.org.id": 7}, {"org": {"id": 7}}, {}, True),
        ({"identity.attributes.org.id": 7}, {"org": {"id": 7.0}}, {}, True),
        ({"identity.attributes.admin": True}, {"admin": 1}, {}, False),  # JSON: true is not 1
        ({"identity.attributes.admin": True}, {"admin": True}, {}, True),
        (
            {"resource.attributes.tenant": "${identity.attributes.tenant}"},
            {"tenant": "a"},
            {"tenant": "a"},
            True,
        ),
        (
            {"resource.attributes.tenant": "${identity.attributes.tenant}"},
            {},
            {"tenant": "a"},
            False,
        ),
        ({"resource.type": "models"}, {}, {}, True),
        ({"action": ["read", "list"]}, {}, {}, True),
        ({"identity.roles": "auditor"}, {}, {}, True),
        ({"identity.method": "api_key"}, {}, {}, False),
    ],
)
def test_when_conditions(
    when: dict[str, Any],
    identity: dict[str, Any],
    resource: dict[str, Any],
    expected: bool,
) -> None:
    authorizer = PolicyAuthorizer([allow("read", "models/**", when=when)])
    who = Identity("alice", roles={"auditor"}, attributes=identity)
    assert authorizer.allows(who, Resource("models/m", resource), "read") is expected


def test_scopes_subjects_and_conditions_narrow_rules() -> None:
    authorizer = PolicyAuthorizer(
        [
            allow("invoke", "models/*", scopes=["models:invoke"]),
            allow("read", "logs/*", subjects="svc-*"),
            allow(
                "read", "reports/*", condition=lambda who, res, act: who.subject.endswith("@corp")
            ),
            deny("invoke", "models/*", subjects=["svc-banned"]),
        ]
    )
    assert authorizer.allows(Identity("u", scopes={"models:invoke"}), "models/a", "invoke")
    assert not authorizer.allows(Identity("u", scopes={"models:read"}), "models/a", "invoke")
    assert authorizer.allows(Identity("svc-logs"), "logs/today", "read")
    assert not authorizer.allows(Identity("human"), "logs/today", "read")
    assert authorizer.allows(Identity("bob@corp"), "reports/q1", "read")
    assert not authorizer.allows(Identity("bob@home"), "reports/q1", "read")
    banned = Identity("svc-banned", scopes={"models:invoke"})
    assert not authorizer.allows(banned, "models/a", "invoke")


def test_a_raising_condition_propagates_and_grants_nothing() -> None:
    def broken(who: Identity, res: Resource, act: str) -> bool:
        raise RuntimeError("bug")

    authorizer = PolicyAuthorizer([allow("read", "*", condition=broken)])
    with pytest.raises(RuntimeError):
        authorizer.allows(Identity("a"), "x", "read")


def test_check_and_require_name_what_was_denied(
    authorizer: PolicyAuthorizer, run_coro: RunCoro
) -> None:
    reader = _who("alice", "reader")
    assert authorizer.check(reader, "models/a", "read").allowed
    with pytest.raises(AuthError) as info:
        authorizer.check(reader, "models/a", "write")
    error = info.value
    assert error.auth_kind is AuthErrorKind.INSUFFICIENT_PERMISSIONS
    assert error.http_status == 403
    assert error.identity == "alice"
    assert "'alice' may not 'write' 'models/a': no rule allows it" in error.message
    with pytest.raises(AuthError, match="denied by rule 'no-secrets'"):
        run_coro(authorizer.require(_who("a", "admin"), "models/secret-1", "read"))
    assert run_coro(authorizer.authorize(reader, "models/a", "read")) is True
    assert run_coro(authorizer.authorize(reader, "models/a", "write")) is False
    assert isinstance(authorizer, Authorizer)


def test_bad_inputs_to_decide(authorizer: PolicyAuthorizer) -> None:
    with pytest.raises(ValidationError):
        authorizer.allows("alice", "models/a", "read")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        authorizer.allows(_who(), "models/a", "")
    with pytest.raises(ValidationError):
        authorizer.allows(_who(), "", "read")


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ({"rolez": {}}, "rolez"),
        ({"roles": []}, "roles"),
        ({"roles": {"r": {"actions": "a"}}}, "roles.r"),
        ({"roles": {"r": [{"resources": ["x"]}]}}, "roles.r[0].actions"),
        ({"roles": {"r": [{"actions": ["a"], "resources": []}]}}, "roles.r[0].resources"),
        (
            {"roles": {"r": [{"actions": ["a"], "resources": ["x"], "roles": ["y"]}]}},
            "roles.r[0].roles",
        ),
        ({"rules": {}}, "rules"),
        ({"rules": ["allow all"]}, "rules[0]"),
        ({"rules": [{"actions": ["a"], "resources": ["x"], "effect": "maybe"}]}, "rules[0].effect"),
        ({"rules": [{"actions": [""], "resources": ["x"]}]}, "rules[0].actions[0]"),
        ({"rules": [{"actions": [1], "resources": ["x"]}]}, "rules[0].actions[0]"),
        (
            {"rules": [{"name": "named", "actions": "a", "resources": [""]}]},
            "rules[0].resources[0]",
        ),
        (
            {"rules": [{"actions": "a", "resources": "x", "when": {"user.id": 1}}]},
            "rules[0].when.user.id",
        ),
        (
            {"rules": [{"actions": "a", "resources": "x", "when": {"identity.password": 1}}]},
            "rules[0].when.identity.password",
        ),
        (
            {"rules": [{"actions": "a", "resources": "x", "when": {"action": {"a": 1}}}]},
            "rules[0].when.action",
        ),
        (
            {"rules": [{"actions": "a", "resources": "x", "when": {"action": "${nope}"}}]},
            "rules[0].when.action",
        ),
        ({"rules": [{"actions": "a", "resources": "x", "when": []}]}, "rules[0].when"),
        ({"rules": [{"actions": "a", "resources": "x", "roles": {"a": 1}}]}, "rules[0].roles"),
        ({"rules": [{"actions": "a", "resources": "x", "scopes": [None]}]}, "rules[0].scopes"),
        ({"rules": [{"actions": "a", "resources": "x", "name": ""}]}, "rules[0].name"),
        ({"inherits": {"a": ["b"], "b": ["a"]}}, "inherits.a"),
        ({"inherits": {"a": "b"}}, "inherits.a"),
        ({"inherits": []}, "inherits"),
    ],
)
def test_malformed_policies_name_the_field(policy: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Policy.from_mapping(policy)
    assert info.value.field == field, info.value


def test_other_policy_forms() -> None:
    with pytest.raises(ValidationError):
        PolicyAuthorizer(42)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        PolicyAuthorizer(["not a rule"])  # type: ignore[list-item]
    with pytest.raises(ValidationError):
        Policy.from_mapping([])  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Rule(Effect.ALLOW, ("a",), ("x",), condition="yes")  # type: ignore[arg-type]
    policy = Policy([allow("read", "a"), deny("read", "b")])
    assert PolicyAuthorizer(policy).policy is policy
    assert repr(policy) == "Policy(1 allow rules, 1 deny rules)"
    assert "allow ['read'] on ['a']" in allow("read", "a").describe()


# -- wildcard matching ------------------------------------------------------------------------


def _reference(pattern: str, value: str) -> bool:
    """A direct recursive reading of the documented semantics."""
    if pattern == "*":
        return True

    def match(p: str, v: str) -> bool:
        if not p:
            return not v
        if p.startswith("**"):
            rest = p.lstrip("*")
            return any(match(rest, v[i:]) for i in range(len(v) + 1))
        if p[0] == "*":
            for i in range(len(v) + 1):
                if "/" in v[:i]:
                    break
                if match(p[1:], v[i:]):
                    return True
            return False
        return bool(v) and v[0] == p[0] and match(p[1:], v[1:])

    return match(pattern, value)


PATTERNS = st.text(alphabet="ab/*.", max_size=8)
VALUES = st.text(alphabet="ab/.", max_size=10)


@given(pattern=PATTERNS, value=VALUES)
def test_wildcards_match_the_reference_semantics(pattern: str, value: str) -> None:
    assert wildcard_match(pattern, value) is _reference(pattern, value)


@given(value=VALUES, other=VALUES)
def test_a_literal_pattern_matches_only_itself(value: str, other: str) -> None:
    assert wildcard_match(value, value)
    assert wildcard_match(value, other) is (value == other)
    assert wildcard_match("*", value)
    assert wildcard_match("**", value)


@given(
    segments=st.lists(st.text(alphabet="abc-.", max_size=4), min_size=1, max_size=4), data=st.data()
)
def test_a_star_stands_for_any_one_segment(segments: list[str], data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(segments) - 1))
    value = "/".join(segments)
    pattern = "/".join("*" if i == index else s for i, s in enumerate(segments))
    assert wildcard_match(pattern, value)
    if pattern != "*":  # a star never spans two segments ("*" alone is everything)
        assert not wildcard_match(pattern, value + "/extra")
