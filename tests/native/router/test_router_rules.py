"""Content rules: model, headers, JSONPath, path prefix; pools; models served."""

from __future__ import annotations

import pytest
from router_support import chat

from infra_portable.errors import ValidationError
from infra_portable.http import Request
from infra_portable.router import (
    DEFAULT_POOL,
    ContentRouter,
    Endpoint,
    HealthStatus,
    Pool,
    Router,
    RouterSettings,
    Rule,
)

ENDPOINTS = [
    Endpoint("openai", "http://openai/v1", labels={"gpt", "chat"}, models=["gpt-*", "o1*"]),
    Endpoint("azure", "http://azure/v1", labels={"gpt"}, models=["gpt-4o"]),
    Endpoint("anthropic", "http://anthropic/v1", labels={"claude", "chat"}),
    Endpoint("embedder", "http://embedder", labels={"embeddings"}),
    Endpoint("batch", "http://batch", labels={"batch"}),
]


def make(*rules: Rule, default: Pool | None = None, **kwargs: object) -> Router:
    return Router(ENDPOINTS, rules=rules, default_pool=default, **kwargs)  # type: ignore[arg-type]


def test_model_rule_picks_the_pool() -> None:
    router = make(Rule("claude", Pool(labels={"claude"}), model="claude-*"))
    assert router.pool_for(chat("claude-3-5-sonnet")) == "claude"
    assert router.route(chat("claude-3-5-sonnet")).name == "anthropic"
    assert router.pool_for(chat("gpt-4o")) == DEFAULT_POOL


def test_header_rule_case_insensitive_name_glob_value() -> None:
    rule = Rule("batch", Pool(endpoints=("batch",)), headers={"X-Priority": "low*"})
    router = make(rule)
    low = Request.post("http://r/v1/chat").header("x-priority", "lowest").json({}).build()
    high = Request.post("http://r/v1/chat").header("X-Priority", "high").json({}).build()
    none = Request.post("http://r/v1/chat").json({}).build()
    assert router.route(low).name == "batch"
    assert router.pool_for(high) == DEFAULT_POOL
    assert router.pool_for(none) == DEFAULT_POOL


def test_header_presence_with_star() -> None:
    router = make(Rule("traced", Pool(endpoints=("batch",)), headers={"traceparent": "*"}))
    traced = Request.get("http://r/x").header("traceparent", "00-abc").build()
    assert router.pool_for(traced) == "traced"
    assert router.pool_for(Request.get("http://r/x").build()) == DEFAULT_POOL


def test_jsonpath_rule_exists_and_equals() -> None:
    streaming = Rule("stream", Pool(endpoints=("openai",)), json_path="$.stream", json_equals=True)
    tools = Rule(
        "tools", Pool(endpoints=("anthropic",)), json_path="$.tools[?@.type == 'function']"
    )
    router = make(streaming, tools)
    assert router.pool_for(chat(stream=True)) == "stream"
    # JSON equality: 1 is not true.
    assert router.pool_for(chat(stream=1)) == DEFAULT_POOL
    assert router.pool_for(chat(stream=False)) == DEFAULT_POOL
    assert router.pool_for(chat(tools=[{"type": "function", "name": "f"}])) == "tools"
    assert router.pool_for(chat(tools=[{"type": "retrieval"}])) == DEFAULT_POOL


def test_path_prefix_rule() -> None:
    router = make(Rule("embed", Pool(labels={"embeddings"}), path_prefix="/v1/embeddings"))
    request = Request.post("http://r/v1/embeddings?x=1").json({"input": "hi"}).build()
    assert router.route(request).name == "embedder"
    assert router.pool_for(chat(path="/v1/chat/completions")) == DEFAULT_POOL


def test_all_conditions_of_a_rule_must_hold_and_the_first_match_wins() -> None:
    both = Rule("both", Pool(endpoints=("batch",)), model="gpt-*", headers={"x-batch": "yes"})
    any_gpt = Rule("gpt", Pool(labels={"gpt"}), model="gpt-*")
    router = make(both, any_gpt)
    batch = (
        Request.post("http://r/v1/chat").header("x-batch", "yes").json({"model": "gpt-4o"}).build()
    )
    assert router.pool_for(batch) == "both"
    assert router.pool_for(chat("gpt-4o")) == "gpt"
    reversed_router = make(any_gpt, both)
    assert reversed_router.pool_for(batch) == "gpt"


def test_pool_selects_by_names_or_all_labels() -> None:
    router = make(Rule("chat", Pool(labels={"chat", "gpt"}), model="*"))
    assert {router.route(chat("gpt-4o")).name for _ in range(4)} == {"openai"}
    router = make(Rule("two", Pool(endpoints=("azure", "batch")), model="*"))
    names = {router.route(chat("gpt-4o")).name for _ in range(4)}
    assert names == {"azure", "batch"}


def test_default_pool_takes_what_no_rule_matched() -> None:
    router = make(
        Rule("claude", Pool(labels={"claude"}), model="claude-*"),
        default=Pool(endpoints=("openai",)),
    )
    assert {router.route(chat("gpt-4o")).name for _ in range(3)} == {"openai"}


def test_endpoints_only_get_models_they_serve() -> None:
    router = make(default=Pool(labels={"gpt"}))
    # azure serves only gpt-4o; openai serves gpt-* and o1*.
    assert {router.route(chat("gpt-4o")).name for _ in range(4)} == {"openai", "azure"}
    assert {router.route(chat("gpt-3.5-turbo")).name for _ in range(4)} == {"openai"}
    assert {router.route(chat("o1-mini")).name for _ in range(4)} == {"openai"}


def test_a_model_no_endpoint_serves_is_a_validation_error() -> None:
    router = make(default=Pool(labels={"gpt"}))
    with pytest.raises(ValidationError) as caught:
        router.route(chat("llama-3"))
    assert caught.value.field == "model"
    assert "'llama-3'" in (caught.value.actual or "")
    assert "gpt-*" in (caught.value.expected or "")


def test_not_json_body_has_no_model_and_matches_no_jsonpath() -> None:
    router = make(
        Rule("stream", Pool(endpoints=("openai",)), json_path="$.stream"),
        Rule("claude", Pool(labels={"claude"}), model="claude-*"),
    )
    garbage = Request.post("http://r/v1/chat").body(b"{not json").build()
    empty = Request.get("http://r/v1/models").build()
    assert router.pool_for(garbage) == DEFAULT_POOL
    assert router.pool_for(empty) == DEFAULT_POOL
    # No model known: every endpoint of the pool is eligible.
    assert router.route(garbage).name in {e.name for e in ENDPOINTS}


def test_model_path_is_configurable_and_can_be_off() -> None:
    nested = make(
        Rule("claude", Pool(labels={"claude"}), model="claude-*"),
        settings=RouterSettings(model_path="$.params.model"),
    )
    request = Request.post("http://r/x").json({"params": {"model": "claude-3"}}).build()
    assert nested.pool_for(request) == "claude"
    off = make(
        Rule("claude", Pool(labels={"claude"}), model="claude-*"),
        settings=RouterSettings(model_path=None),
    )
    assert off.pool_for(chat("claude-3")) == DEFAULT_POOL
    with pytest.raises(ValidationError) as caught:
        make(settings=RouterSettings(model_path="$[?"))
    assert caught.value.field == "model_path"


def test_unavailable_pool_does_not_borrow_from_other_pools() -> None:
    router = make(Rule("claude", Pool(labels={"claude"}), model="claude-*"))
    router.set_health("anthropic", HealthStatus.UNHEALTHY)
    from infra_portable.errors import ExternalError

    with pytest.raises(ExternalError) as caught:
        router.route(chat("claude-3"))
    assert "pool 'claude'" in caught.value.message


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Rule("r", Pool()), "match"),
        (lambda: Rule("", Pool(), model="x"), "name"),
        (lambda: Rule("r", Pool(), json_path="$[?"), "path"),
        (lambda: Rule("r", Pool(), json_equals=1, model="x"), "json_equals"),
        (lambda: Rule("r", Pool(), path_prefix="v1"), "path_prefix"),
        (lambda: Rule("r", Pool(), headers={"x": 1}), "headers"),  # type: ignore[dict-item]
        (lambda: Rule("r", "pool", model="x"), "pool"),  # type: ignore[arg-type]
        (lambda: Pool(endpoints="a"), "endpoints"),
        (lambda: Pool(labels={""}), "labels"),
    ],
)
def test_bad_rules_name_the_field(build: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        build()  # type: ignore[operator]
    assert caught.value.field == field


def test_router_level_pool_checks() -> None:
    with pytest.raises(ValidationError) as caught:
        make(Rule("x", Pool(endpoints=("nope",)), model="*"))
    assert caught.value.field == "rules[0].endpoints"
    with pytest.raises(ValidationError) as caught:
        make(Rule("x", Pool(labels={"gpu"}), model="*"))
    assert caught.value.field == "rules[0].labels"
    with pytest.raises(ValidationError) as caught:
        make(Rule("x", Pool(), model="a"), Rule("x", Pool(), model="b"))
    assert caught.value.field == "rules[1].name"
    with pytest.raises(ValidationError) as caught:
        make(Rule(DEFAULT_POOL, Pool(), model="a"))
    assert caught.value.field == "rules[0].name"
    with pytest.raises(ValidationError) as caught:
        ContentRouter(ENDPOINTS, rules=[])
    assert caught.value.field == "rules"
