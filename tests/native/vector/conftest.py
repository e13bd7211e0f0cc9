"""Fixtures for the vector tests: every index backend this runtime has.

``backend`` runs a test once per backend: ``hnswlib`` (native), our ``hnsw`` on
``numpy`` (native, WASI) and on ``pure`` (everywhere). One that cannot load here
is skipped with the registry's reason, so each runtime's skip list says which.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from vector_support import BACKENDS, DATA, Backend

from infra_portable.runtime import REGISTRY, current


def _available(capability: str, name: str) -> str | None:
    for candidate in REGISTRY.explain(capability):
        if candidate.name == name:
            return None if candidate.available else candidate.reason
    return "unknown"


@pytest.fixture(params=BACKENDS, ids=lambda b: b.label)
def backend(request: pytest.FixtureRequest) -> Backend:
    chosen: Backend = request.param
    reason = _available("vector-index", chosen.index)
    if reason is None and chosen.math is not None:
        reason = _available("vector-math", chosen.math)
    if reason is not None:
        pytest.skip(f"{chosen.label} unavailable on {current().value}: {reason}")
    return chosen


@pytest.fixture(params=[b for b in BACKENDS if b.index == "hnsw"], ids=lambda b: b.label)
def our_backend(request: pytest.FixtureRequest) -> Backend:
    """Our HNSW only (compression tiers, graph internals)."""
    chosen: Backend = request.param
    reason = _available("vector-math", chosen.math or "")
    if reason is not None:
        pytest.skip(f"{chosen.label} unavailable on {current().value}: {reason}")
    return chosen


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / "expected.json").read_text())
    return loaded
