"""Shared setup for the portable suite (runs unchanged on CPython, WASI and Pyodide).

Runtime markers (see pyproject's marker list):

    @pytest.mark.native_only(reason="needs sockets")
    @pytest.mark.skip_runtime("wasi", "pyodide", reason="no threads")

A test marked for other runtimes is skipped here with its reason, so every
runtime's skip list says exactly what it cannot do and why.
"""

from __future__ import annotations

import os

import pytest

from infra_portable.runtime import REGISTRY, current

RUNTIME = current().value

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
