"""Rules: allow or deny actions on resources, for some identities, under some conditions.

A :class:`Rule` says *effect* (allow or deny) for *actions* on *resources*
(wildcard patterns, see ``_match``), optionally only for identities with one
of ``roles`` (``"*"``: any identity), a ``subjects`` pattern or one of
``scopes``, and only when its attribute conditions (``when``, see
``_conditions``) and its ``condition`` callable hold. A ``condition`` that
raises propagates: an authorization that cannot be evaluated is not granted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from infra_portable.auth._base import Action, Identity, Resource, names
from infra_portable.auth._checks import check_strings
from infra_portable.auth._conditions import AttributeCheck
from infra_portable.auth._match import check_pattern, match_pattern
from infra_portable.errors import ValidationError

__all__ = ["Condition", "Effect", "Rule", "allow", "deny"]

Condition = Callable[[Identity, Resource, Action], bool]


class Effect(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


def _patterns(value: object, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise ValidationError("give one pattern or a non-empty list of them", field=where)
    return tuple(check_pattern(p, f"{where}[{i}]") for i, p in enumerate(items))


@dataclass(frozen=True, slots=True)
class Rule:
    """One statement of a policy. Build with :func:`allow`/:func:`deny` or a mapping."""

    effect: Effect
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    roles: frozenset[str] = frozenset()
    subjects: tuple[str, ...] = ()
    scopes: frozenset[str] = frozenset()
    when: Mapping[str, Any] = field(default_factory=dict, hash=False)
    condition: Condition | None = field(default=None, compare=False)
    name: str | None = None
    _checks: tuple[AttributeCheck, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.name is not None and (not isinstance(self.name, str) or not self.name):
            raise ValidationError(
                "a rule's name must be a non-empty string or None",
                field="rule.name",
                actual=repr(self.name),
            )
        where = self.name or "rule"
        object.__setattr__(self, "effect", Effect(self.effect))
        object.__setattr__(self, "actions", _patterns(self.actions, f"{where}.actions"))
        object.__setattr__(self, "resources", _patterns(self.resources, f"{where}.resources"))
        object.__setattr__(self, "roles", names(self.roles, f"{where}.roles"))
        object.__setattr__(self, "scopes", names(self.scopes, f"{where}.scopes"))
        subjects = () if not self.subjects else _patterns(self.subjects, f"{where}.subjects")
        object.__setattr__(self, "subjects", subjects)
        if not isinstance(self.when, Mapping):
            raise ValidationError(
                "'when' must be a mapping of path to value", field=f"{where}.when"
            )
        checks = tuple(
            AttributeCheck.parse(path, value, f"{where}.when.{path}")
            for path, value in self.when.items()
        )
        object.__setattr__(self, "_checks", checks)
        if self.condition is not None and not callable(self.condition):
            raise ValidationError("'condition' must be callable", field=f"{where}.condition")

    def describe(self) -> str:
        """How messages name this rule."""
        if self.name:
            return f"rule {self.name!r}"
        return f"{self.effect.value} {list(self.actions)} on {list(self.resources)}"

    def applies(
        self, identity: Identity, roles: frozenset[str], resource: Resource, action: str
    ) -> bool:
        """Whether this rule covers (identity with its expanded ``roles``, resource, action)."""
        if not any(match_pattern(p, action) for p in self.actions):
            return False
        if not any(match_pattern(p, resource.name) for p in self.resources):
            return False
        if self.roles and "*" not in self.roles and self.roles.isdisjoint(roles):
            return False
        if self.subjects and not any(match_pattern(p, identity.subject) for p in self.subjects):
            return False
        if self.scopes and self.scopes.isdisjoint(identity.scopes):
            return False
        if not all(check.holds(identity, resource, action) for check in self._checks):
            return False
        return self.condition is None or bool(self.condition(identity, resource, action))


def allow(
    actions: str | Iterable[str],
    resources: str | Iterable[str],
    *,
    roles: str | Iterable[str] = (),
    subjects: str | Iterable[str] = (),
    scopes: str | Iterable[str] = (),
    when: Mapping[str, Any] | None = None,
    condition: Condition | None = None,
    name: str | None = None,
) -> Rule:
    """An allow rule (strings or lists of patterns)."""
    return _rule(Effect.ALLOW, actions, resources, roles, subjects, scopes, when, condition, name)


def deny(
    actions: str | Iterable[str],
    resources: str | Iterable[str],
    *,
    roles: str | Iterable[str] = (),
    subjects: str | Iterable[str] = (),
    scopes: str | Iterable[str] = (),
    when: Mapping[str, Any] | None = None,
    condition: Condition | None = None,
    name: str | None = None,
) -> Rule:
    """A deny rule: it wins over every allow rule it overlaps."""
    return _rule(Effect.DENY, actions, resources, roles, subjects, scopes, when, condition, name)


def _when(value: object, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(
            "'when' must be a mapping of path to value, or None",
            field=f"{where}.when",
            expected="mapping",
            actual=repr(value),
        )
    return dict(value)


def _rule(
    effect: Effect,
    actions: str | Iterable[str],
    resources: str | Iterable[str],
    roles: str | Iterable[str],
    subjects: str | Iterable[str],
    scopes: str | Iterable[str],
    when: Mapping[str, Any] | None,
    condition: Condition | None,
    name: str | None,
) -> Rule:
    # None is refused rather than read as "no restriction": in a security rule,
    # roles=None could as well mean "no one" as "anyone".
    where = name if isinstance(name, str) and name else "rule"
    return Rule(
        effect,
        check_strings(f"{where}.actions", actions),
        check_strings(f"{where}.resources", resources),
        frozenset(check_strings(f"{where}.roles", roles)),
        check_strings(f"{where}.subjects", subjects),
        frozenset(check_strings(f"{where}.scopes", scopes)),
        _when(when, where),
        condition,
        name,
    )
