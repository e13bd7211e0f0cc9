"""Policies: rules (``_rules``) plus role inheritance, evaluated deny-by-default.

Evaluation (``Policy.decide``): deny by default; any matching deny rule wins
over every allow rule; otherwise the first matching allow rule allows.

From a mapping (JSON, TOML, YAML: ``Policy.from_mapping``)::

    inherits: {admin: [editor], editor: [reader]}
    roles:
      reader: [{actions: [read, list], resources: ["models/*"]}]
      editor: [{actions: [write], resources: ["models/*"]}]
      admin:  [{actions: ["*"], resources: ["*"]}]
    rules:
      - {effect: deny, actions: ["*"], resources: ["models/secret-*"], roles: ["*"]}
      - effect: allow
        actions: [write]
        resources: ["projects/*"]
        when: {resource.attributes.owner: "${identity.subject}"}

Role entries are rules without ``roles`` (the role is implied). Every
malformed entry is a ValidationError whose ``field`` is its path
(``roles.reader[0].actions``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from infra_portable.auth._base import Action, Identity, Resource, names
from infra_portable.auth._rules import Effect, Rule
from infra_portable.errors import ValidationError

__all__ = ["Decision", "Policy"]

_STATEMENT_KEYS = frozenset(
    {"effect", "actions", "resources", "scopes", "subjects", "when", "name"}
)
_RULE_KEYS = _STATEMENT_KEYS | {"roles"}


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of an authorization and the rule that decided it (None: no rule applied)."""

    allowed: bool
    rule: Rule | None
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def _or(value: Any, empty: Any) -> Any:
    """``value``, or ``empty`` when it is absent (None: an empty YAML key)."""
    return empty if value is None else value


def _statement(data: object, where: str, *, role: str | None) -> Rule:
    if not isinstance(data, Mapping):
        raise ValidationError("a rule must be a mapping", field=where, actual=type(data).__name__)
    allowed_keys = _STATEMENT_KEYS if role is not None else _RULE_KEYS
    for key in data:
        if key not in allowed_keys:
            raise ValidationError(
                "unknown rule key",
                field=f"{where}.{key}",
                expected=", ".join(sorted(allowed_keys)),
                actual=repr(key),
            )
    for required in ("actions", "resources"):
        if required not in data:
            raise ValidationError(f"a rule needs {required!r}", field=f"{where}.{required}")
    effect_text = data.get("effect", "allow")
    try:
        effect = Effect(str(effect_text).lower())
    except ValueError:
        raise ValidationError(
            "unknown effect",
            field=f"{where}.effect",
            expected="allow, deny",
            actual=repr(effect_text),
        ) from None
    name = data.get("name", where)
    if not isinstance(name, str) or not name:
        raise ValidationError("a rule name must be a non-empty string", field=f"{where}.name")

    def listed(key: str) -> tuple[str, ...]:
        value = data.get(key, ())
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list | tuple):
            raise ValidationError(
                f"{key!r} must be a string or a list of strings",
                field=f"{where}.{key}",
                actual=type(value).__name__,
            )
        return tuple(value)

    roles = (role,) if role is not None else listed("roles")
    try:
        return Rule(
            effect,
            listed("actions"),
            listed("resources"),
            frozenset(roles),
            listed("subjects"),
            frozenset(listed("scopes")),
            _or(data.get("when"), {}),
            None,
            name,
        )
    except TypeError:
        raise ValidationError("roles and scopes must be strings", field=where) from None
    except ValidationError as exc:
        # The rule names its fields after itself; the caller wants the position.
        if exc.field is not None and exc.field.startswith(name) and name != where:
            exc.field = where + exc.field[len(name) :]
        raise


def _closure(inherits: Mapping[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """Every role with all the roles it inherits, transitively; cycles are refused."""
    done: dict[str, frozenset[str]] = {}

    def visit(role: str, path: tuple[str, ...]) -> frozenset[str]:
        if role in done:
            return done[role]
        if role in path:
            cycle = " -> ".join((*path[path.index(role) :], role))
            raise ValidationError(f"role inheritance cycle: {cycle}", field=f"inherits.{role}")
        reached = {role}
        for parent in inherits.get(role, ()):
            reached |= visit(parent, (*path, role))
        done[role] = frozenset(reached)
        return done[role]

    for role in inherits:
        visit(role, ())
    return done


class Policy:
    """Rules plus role inheritance (``inherits``: role -> the roles whose rights it also has)."""

    __slots__ = ("_allows", "_closure", "_denies", "rules")

    def __init__(
        self, rules: Iterable[Rule] = (), *, inherits: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        try:
            self.rules: tuple[Rule, ...] = tuple(rules)
        except TypeError:
            raise ValidationError(
                "a policy is a Policy, a mapping or rules",
                field="policy",
                actual=type(rules).__name__,
            ) from None
        for index, rule in enumerate(self.rules):
            if not isinstance(rule, Rule):
                raise ValidationError(
                    "a policy holds Rule objects",
                    field=f"rules[{index}]",
                    actual=type(rule).__name__,
                )
        self._denies = tuple(r for r in self.rules if r.effect is Effect.DENY)
        self._allows = tuple(r for r in self.rules if r.effect is Effect.ALLOW)
        parents = {
            role: names(list(of), f"inherits.{role}") for role, of in (inherits or {}).items()
        }
        self._closure = _closure(parents)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Policy:
        """A policy from plain data (see the module docstring for the format)."""
        if not isinstance(data, Mapping):
            raise ValidationError("a policy must be a mapping", field="policy")
        for key in data:
            if key not in ("roles", "rules", "inherits"):
                raise ValidationError(
                    "unknown policy key", field=str(key), expected="roles, rules, inherits"
                )
        rules: list[Rule] = []
        roles = _or(data.get("roles"), {})
        if not isinstance(roles, Mapping):
            raise ValidationError("'roles' maps a role to its rules", field="roles")
        for role, statements in roles.items():
            where = f"roles.{role}"
            if not isinstance(role, str) or not role:
                raise ValidationError("role names are non-empty strings", field="roles")
            if not isinstance(statements, list):
                raise ValidationError("a role's rules are a list", field=where)
            rules.extend(
                _statement(s, f"{where}[{i}]", role=role) for i, s in enumerate(statements)
            )
        listed = _or(data.get("rules"), [])
        if not isinstance(listed, list):
            raise ValidationError("'rules' is a list", field="rules")
        rules.extend(_statement(s, f"rules[{i}]", role=None) for i, s in enumerate(listed))
        inherits = _or(data.get("inherits"), {})
        if not isinstance(inherits, Mapping):
            raise ValidationError(
                "'inherits' maps a role to the roles it inherits", field="inherits"
            )
        for role, parents in inherits.items():
            if not isinstance(parents, list | tuple):
                raise ValidationError("inherited roles are a list", field=f"inherits.{role}")
        return cls(rules, inherits=inherits)

    def roles_of(self, identity: Identity) -> frozenset[str]:
        """The identity's roles with every role they inherit."""
        expanded: set[str] = set()
        for role in identity.roles:
            expanded |= self._closure.get(role, frozenset((role,)))
        return frozenset(expanded)

    def decide(self, identity: Identity, resource: Resource | str, action: Action) -> Decision:
        """Deny by default; a matching deny rule wins; else the first matching allow rule."""
        if not isinstance(action, str) or not action:
            raise ValidationError("an action is a non-empty string", field="action")
        target = Resource.of(resource)
        roles = self.roles_of(identity)
        for rule in self._denies:
            if rule.applies(identity, roles, target, action):
                return Decision(False, rule, f"denied by {rule.describe()}")
        for rule in self._allows:
            if rule.applies(identity, roles, target, action):
                return Decision(True, rule, f"allowed by {rule.describe()}")
        return Decision(False, None, "no rule allows it")

    def __repr__(self) -> str:
        return f"Policy({len(self._allows)} allow rules, {len(self._denies)} deny rules)"
