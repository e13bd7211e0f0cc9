"""Router.from_config: a whole configuration, and every bad value naming its field."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from router_support import ScriptedTransport, chat, client_for

from infra_portable.config import Config, ConfigLoader
from infra_portable.errors import ConfigError, ValidationError
from infra_portable.http import Request
from infra_portable.router import Endpoint, HealthStatus, Router

GOOD: dict[str, Any] = {
    "router": {
        "strategy": "weighted",
        "seed": 7,
        "tiers": ["primary", "backup"],
        "max_attempts": 2,
        "failure_threshold": 2,
        "recovery_timeout": 0.5,
        "endpoints": [
            {
                "name": "a",
                "url": "http://a/v1",
                "weight": 5,
                "tier": "primary",
                "models": ["gpt-*"],
            },
            {"name": "b", "url": "http://b/v1", "tier": 0, "labels": ["gpt"], "health_path": "/h"},
            {"name": "c", "url": "http://c/v1", "tier": "backup", "labels": ["claude"]},
        ],
        "rules": [
            {"name": "claude", "match": {"model": "claude-*"}, "labels": ["claude"]},
            {
                "name": "streaming",
                "match": {
                    "json_path": "$.stream",
                    "json_equals": True,
                    "headers": {"x-team": "r*"},
                },
                "endpoints": ["b"],
            },
        ],
        "default": {"endpoints": ["a", "b"]},
    }
}


def test_a_whole_configuration() -> None:
    router = Router.from_config(GOOD)
    assert [e.name for e in router.endpoints] == ["a", "b", "c"]
    a, b, c = router.endpoints
    assert (a.weight, a.tier, a.models) == (5, 0, ("gpt-*",))
    assert (b.labels, b.health_path, c.tier) == (frozenset({"gpt"}), "/h", 1)
    assert router.settings.max_attempts == 2
    assert router.settings.recovery_timeout == 0.5
    assert [r.name for r in router.rules] == ["claude", "streaming"]
    assert router.route(chat("claude-3")).name == "c"
    assert [router.route(chat("gpt-4o")).name for _ in range(7)] == list("aaabaaa")
    streaming = (
        Request.post("http://r/v1/chat").header("X-Team", "research").json({"stream": True}).build()
    )
    assert router.pool_for(streaming) == "streaming"
    router.set_health("a", HealthStatus.UNHEALTHY)
    router.set_health("b", HealthStatus.UNHEALTHY)
    # The default pool holds only tier-0 endpoints here: no fallback to c.
    from infra_portable.errors import ExternalError

    with pytest.raises(ExternalError):
        router.route(chat("gpt-4o"))


def test_from_a_loaded_config_and_without_prefix() -> None:
    config = ConfigLoader().with_dict(GOOD).load()
    assert isinstance(config, Config)
    router = Router.from_config(config)
    assert [e.name for e in router.endpoints] == ["a", "b", "c"]
    bare = Router.from_config(GOOD["router"], prefix=None)
    assert [e.url for e in bare.endpoints] == [e.url for e in router.endpoints]
    nested = Router.from_config({"gateway": GOOD}, prefix="gateway.router")
    assert len(nested.endpoints) == 3


def test_the_configured_router_sends() -> None:
    transport = ScriptedTransport()
    transport.host("a").status = 503
    router = Router.from_config(GOOD)
    response = router.send(chat("gpt-4o"), client_for(transport))
    assert response.json()["host"] == "b"
    assert transport.requests[-1].url == "http://b/v1/v1/chat/completions"


def test_same_seed_in_config_same_choices() -> None:
    def run() -> list[str]:
        config = copy.deepcopy(GOOD)
        config["router"]["strategy"] = "random"
        router = Router.from_config(config)
        return [router.route(chat("gpt-4o")).name for _ in range(30)]

    assert run() == run()


def test_missing_section_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        Router.from_config({"other": {}})
    assert caught.value.key == "router"


def _with(path: str, value: Any) -> dict[str, Any]:
    """GOOD with one value replaced; path like "endpoints.1.weight" (a DELETE value removes)."""
    config = copy.deepcopy(GOOD)
    node: Any = config["router"]
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return config


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("strategy", "fastest", "router.strategy"),
        ("strategy", 3, "router.strategy"),
        ("seed", 1.5, "router.seed"),
        ("endpoints", [], "router.endpoints"),
        ("endpoints", {"name": "a"}, "router.endpoints"),
        ("endpoints.1.weight", 0, "router.endpoints[1].weight"),
        ("endpoints.1.weight", -2, "router.endpoints[1].weight"),
        ("endpoints.1.weight", 1.5, "router.endpoints[1].weight"),
        ("endpoints.1.weight", True, "router.endpoints[1].weight"),
        ("endpoints.1.name", "a", "router.endpoints[1].name"),
        ("endpoints.1.name", DELETE, "router.endpoints[1].name"),
        ("endpoints.0.url", "ftp://a", "router.endpoints[0].url"),
        ("endpoints.0.url", "http://a/v1?key=1", "router.endpoints[0].url"),
        ("endpoints.0.url", DELETE, "router.endpoints[0].url"),
        ("endpoints.0.tier", "gold", "router.endpoints[0].tier"),
        ("endpoints.0.tier", -1, "router.endpoints[0].tier"),
        ("endpoints.0.wieght", 3, "router.endpoints[0].wieght"),
        ("endpoints.0.labels", "gpt", "router.endpoints[0].labels"),
        ("endpoints.0.models", [3], "router.endpoints[0].models"),
        ("endpoints.0.health_path", "health", "router.endpoints[0].health_path"),
        ("endpoints.2", "c", "router.endpoints[2]"),
        ("tiers", ["x", "x"], "router.tiers[1]"),
        ("rules.0.match", {}, "router.rules[0].match"),
        ("rules.0.match", {"modle": "x"}, "router.rules[0].match.modle"),
        ("rules.1.match.json_path", "$.stream[", "router.rules[1].match.json_path"),
        ("rules.1.match.headers", ["x"], "router.rules[1].match.headers"),
        ("rules.0.labels", ["gpu"], "router.rules[0].labels"),
        ("rules.0.endpoints", ["zz"], "router.rules[0].endpoints"),
        ("rules.1.name", "claude", "router.rules[1].name"),
        ("rules.0.pool", "x", "router.rules[0].pool"),
        ("rules", {"name": "x"}, "router.rules"),
        ("default", {"endpoints": ["nope"]}, "router.default.endpoints"),
        ("default", {"names": ["a"]}, "router.default.names"),
        ("max_attempts", 0, "router.max_attempts"),
        ("failure_threshold", "many", "router.failure_threshold"),
        ("recovery_timeout", -1, "router.recovery_timeout"),
        ("ewma_decay_s", 0, "router.ewma_decay_s"),
        ("model_path", "$[", "router.model_path"),
        ("stratgy", "weighted", "router.stratgy"),
    ],
)
def test_bad_configuration_names_the_field(path: str, value: Any, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Router.from_config(_with(path, value))
    assert caught.value.field == field


def test_direct_construction_checks() -> None:
    with pytest.raises(ValidationError) as caught:
        Router([])
    assert caught.value.field == "endpoints"
    with pytest.raises(ValidationError) as caught:
        Router([Endpoint("a", "http://a"), Endpoint("a", "http://b")])
    assert caught.value.field == "endpoints[1].name"
    with pytest.raises(ValidationError) as caught:
        Router(["http://a"])  # type: ignore[list-item]
    assert caught.value.field == "endpoints[0]"
    with pytest.raises(ValidationError) as caught:
        Endpoint(" ", "http://a")
    assert caught.value.field == "name"
    with pytest.raises(ValidationError) as caught:
        Endpoint("a", "http://[::1")
    assert caught.value.field == "url"
