"""Fixtures for the json tests: every codec the registry knows, skipped where it cannot load."""

from __future__ import annotations

import pytest

from infra_portable.json import JsonCodec
from infra_portable.runtime import REGISTRY, current

CODEC_NAMES = [impl.name for impl in REGISTRY.capability("json").implementations]


@pytest.fixture(params=CODEC_NAMES)
def any_codec(request: pytest.FixtureRequest) -> JsonCodec:
    """Each JSON codec in turn; one that cannot load here is skipped with the reason."""
    name: str = request.param
    capability = REGISTRY.capability("json")
    impl = capability.implementation(name)
    assert impl is not None
    candidates = {c.name: c for c in REGISTRY.explain("json")}
    if not candidates[name].available:
        pytest.skip(f"{name} unavailable on {current().value}: {candidates[name].reason}")
    codec: JsonCodec = REGISTRY.resolve("json", name)
    return codec
