"""Shared setup for the portable suite (runs unchanged on CPython, WASI and Pyodide).

Runtime markers (see pyproject's marker list):

    @pytest.mark.native_only(reason="needs sockets")
    @pytest.mark.skip_runtime("wasi", "pyodide", reason="no threads")

A test marked for other runtimes is skipped here with its reason, so every
runtime's skip list says exactly what it cannot do and why.
"""

from __future__ import annotations

import importlib.abc
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar, cast

import pytest

from infra_portable.runtime import REGISTRY, current

RUNTIME = current().value
T = TypeVar("T")

try:  # hypothesis is a test dependency, but keep the suite importable without it
    from hypothesis import HealthCheck, settings

    # WASI and Pyodide are several times slower than CPython: same examples, no deadline.
    settings.register_profile(
        "portable",
        deadline=None,
        max_examples=int(os.environ.get("INFRA_PORTABLE_HYPOTHESIS_EXAMPLES", "100")),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    settings.load_profile("portable")
except ImportError:  # pragma: no cover
    pass


def _skip_reason(item: pytest.Item) -> str | None:
    for mark in item.iter_markers("native_only"):
        if RUNTIME != "native":
            return f"native only: {mark.kwargs.get('reason', '')}"
    for mark in item.iter_markers("pyodide_only"):
        if RUNTIME != "pyodide":
            return f"pyodide only: {mark.kwargs.get('reason', '')}"
    for mark in item.iter_markers("wasi_only"):
        if RUNTIME != "wasi":
            return f"wasi only: {mark.kwargs.get('reason', '')}"
    for mark in item.iter_markers("skip_runtime"):
        if RUNTIME in mark.args:
            return f"not on {RUNTIME}: {mark.kwargs.get('reason', '')}"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        reason = _skip_reason(item)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_report_header(config: pytest.Config) -> str:
    return f"infra_portable runtime: {RUNTIME}"


@pytest.fixture(autouse=True)
def _fresh_registry() -> None:
    """Each test sees capability choices made from the current environment."""
    REGISTRY.reset()


def _drive(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never waits on a real event (fake clocks and sleeps).

    Pyodide's ``asyncio.run`` cannot block the browser's main thread, so the
    portable suite drives such coroutines by hand, the same way in every runtime.
    """
    try:
        while True:
            coro.send(None)
    except StopIteration as done:
        return cast(T, done.value)


@pytest.fixture
def run_coro() -> Callable[[Coroutine[Any, Any, T]], T]:
    return _drive


def _run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that may await real events (JS promises in Pyodide).

    Native: ``asyncio.run``. Pyodide: ``pyodide.ffi.run_sync`` (JSPI), because
    the browser's main thread cannot block. WASI: driven by hand (no JS there,
    so the library's async paths never wait on a real event).
    """
    if RUNTIME == "pyodide":
        from pyodide.ffi import run_sync

        return cast(T, run_sync(coro))
    if RUNTIME == "wasi":
        return _drive(coro)
    import asyncio

    return asyncio.run(coro)


@pytest.fixture
def run_async() -> Callable[[Coroutine[Any, Any, T]], T]:
    return _run_async


# -- blocking native dependencies: proves every fallback path on CPython --------

BLOCK_ENV = "INFRA_PORTABLE_BLOCK_NATIVE"
NATIVE_DEPENDENCIES = frozenset(
    {
        "orjson",
        "ujson",
        "numpy",
        "cryptography",
        "Crypto",
        "hnswlib",
        "httpx",
        "blake3",
        "argon2",
        "bcrypt",
        "_cffi_backend",
        "nacl",
        "jsonschema",
        "redis",
        "nats",
        "watchfiles",
        "yaml",
    }
)


class NativeImportBlocker(importlib.abc.MetaPathFinder):
    """Makes the native dependencies look uninstalled (like urllib3's no-ssl test)."""

    def __init__(self, blocked: frozenset[str]) -> None:
        self.blocked = blocked

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.partition(".")[0] in self.blocked:
            raise ModuleNotFoundError(f"{fullname} is blocked by {BLOCK_ENV}", name=fullname)


BLOCKED_NATIVE = os.environ.get(BLOCK_ENV) == "1"
if BLOCKED_NATIVE:
    already = sorted(m for m in sys.modules if m.partition(".")[0] in NATIVE_DEPENDENCIES)
    if already:
        raise RuntimeError(f"{BLOCK_ENV}=1 but already imported: {already}")
    sys.meta_path.insert(0, NativeImportBlocker(NATIVE_DEPENDENCIES))
