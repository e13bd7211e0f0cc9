"""PolicyAuthorizer: the seed's ``Authorizer`` over a :class:`~._policy.Policy`.

Role-based and attribute-based rules are one mechanism (a rule may name roles,
attribute conditions, or both), evaluated deny-by-default with deny winning.
``authorize``/``allows`` answer with a bool; ``check``/``require`` raise
``AuthError(INSUFFICIENT_PERMISSIONS)`` whose message names the subject, the
action, the resource and the rule (or the absence of one) that decided.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from infra_portable.auth._base import Action, Identity, Resource
from infra_portable.auth._policy import Decision, Policy
from infra_portable.auth._rules import Rule
from infra_portable.errors import AuthError, AuthErrorKind, ValidationError

__all__ = ["PolicyAuthorizer", "denied"]


def denied(identity: Identity, resource: Resource | str, action: Action, reason: str) -> AuthError:
    """The AuthError(INSUFFICIENT_PERMISSIONS) for a refused (identity, resource, action)."""
    name = resource.name if isinstance(resource, Resource) else resource
    return AuthError(
        f"{identity.subject!r} may not {action!r} {name!r}: {reason}",
        auth_kind=AuthErrorKind.INSUFFICIENT_PERMISSIONS,
        identity=identity.subject,
    )


class PolicyAuthorizer:
    """Authorizes against a policy: a :class:`Policy`, its mapping form, or rules."""

    __slots__ = ("policy",)

    def __init__(self, policy: Policy | Mapping[str, Any] | Iterable[Rule]) -> None:
        if isinstance(policy, Policy):
            self.policy = policy
        elif isinstance(policy, Mapping):
            self.policy = Policy.from_mapping(policy)
        else:
            self.policy = Policy(policy)

    def decide(self, identity: Identity, resource: Resource | str, action: Action) -> Decision:
        """The decision with the rule that made it."""
        if not isinstance(identity, Identity):
            raise ValidationError(
                "authorize an Identity", field="identity", actual=type(identity).__name__
            )
        return self.policy.decide(identity, resource, action)

    def allows(self, identity: Identity, resource: Resource | str, action: Action) -> bool:
        """Whether the policy allows it (synchronous)."""
        return self.decide(identity, resource, action).allowed

    def check(self, identity: Identity, resource: Resource | str, action: Action) -> Decision:
        """The allowing decision, or AuthError(INSUFFICIENT_PERMISSIONS) saying what was denied."""
        decision = self.decide(identity, resource, action)
        if not decision.allowed:
            raise denied(identity, resource, action, decision.reason)
        return decision

    async def authorize(self, identity: Identity, resource: Resource | str, action: Action) -> bool:
        return self.allows(identity, resource, action)

    async def require(
        self, identity: Identity, resource: Resource | str, action: Action
    ) -> Decision:
        """``check`` for async callers."""
        return self.check(identity, resource, action)
