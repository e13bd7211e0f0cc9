"""Router.from_config: a router from a Config or a plain mapping, checked field by field.

The shape (TOML shown; JSON, YAML and dicts are the same tree)::

    [router]
    strategy = "weighted"          # weighted | round_robin | least_connections | latency | random
    seed = 7
    tiers = ["primary", "backup"]  # optional names for tier numbers (first is 0)
    max_attempts = 3               # and every other RouterSettings field
    failure_threshold = 5
    recovery_timeout = 30.0

    [[router.endpoints]]
    name = "openai"
    url = "https://api.openai.com/v1"
    weight = 3
    tier = "primary"               # a tier name or number
    labels = ["gpt"]
    models = ["gpt-4*"]
    health_path = "/health"

    [[router.rules]]
    name = "claude"
    match = { model = "claude-*", headers = { x-team = "research" } }
    labels = ["anthropic"]         # the pool: labels and/or endpoints = [...]

    [router.default]
    endpoints = ["openai"]

Unknown keys are errors (a typo must not silently change routing); every error
is a ValidationError whose ``field`` is the full dotted path of the bad value,
``router.endpoints[1].weight``, so a user can find it in the file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from infra_portable.errors import ConfigError, ValidationError
from infra_portable.router._balancers import make_balancer_factory
from infra_portable.router._endpoint import Endpoint
from infra_portable.router._rules import ANY_VALUE, Pool, Rule
from infra_portable.router._settings import RouterSettings

__all__ = ["join_field", "relocated", "router_arguments"]

_TOP = frozenset({"endpoints", "strategy", "seed", "tiers", "rules", "default"})
_ENDPOINT = frozenset({"name", "url", "weight", "tier", "labels", "models", "health_path"})
_RULE = frozenset({"name", "match", "endpoints", "labels"})
_MATCH = frozenset({"model", "headers", "json_path", "json_equals", "path_prefix"})
_POOL = frozenset({"endpoints", "labels"})


def relocated(exc: ValidationError, where: Callable[[str | None], str]) -> ValidationError:
    """The same error with its field moved under a configuration path."""
    moved = ValidationError(
        exc.message, field=where(exc.field), expected=exc.expected, actual=exc.actual
    )
    moved.context = list(exc.context)
    return moved


def join_field(prefix: str, name: str | None) -> str:
    if not name:
        return prefix
    if not prefix:
        return name
    return f"{prefix}{name}" if name.startswith("[") else f"{prefix}.{name}"


def _section(config: Mapping[str, Any], prefix: str | None) -> Mapping[str, Any]:
    if not isinstance(config, Mapping):
        raise ValidationError(
            "router configuration must be a mapping or a Config",
            field=prefix or "config",
            actual=type(config).__name__,
        )
    if not prefix:
        return config
    node: Any
    if prefix in config:
        node = config[prefix]
    else:
        node = config
        for part in prefix.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise ConfigError("no router configuration here", key=prefix)
            node = node[part]
    if not isinstance(node, Mapping):
        raise ValidationError(
            "router configuration must be a table", field=prefix, actual=type(node).__name__
        )
    return node


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            "must be a table/mapping", field=where, expected="mapping", actual=type(value).__name__
        )
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise ValidationError(
            "must be a list", field=where, expected="list", actual=type(value).__name__
        )
    return list(value)


def _known(table: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ValidationError(
                "unknown key",
                field=join_field(where, str(key)),
                expected=", ".join(sorted(allowed)),
                actual=repr(key),
            )


def _tiers(value: Any, where: str) -> dict[str, int]:
    names: dict[str, int] = {}
    for index, name in enumerate(_list(value, where)):
        if not isinstance(name, str) or not name or name in names:
            raise ValidationError(
                "tier names must be unique non-empty strings",
                field=f"{where}[{index}]",
                actual=repr(name),
            )
        names[name] = index
    return names


def _endpoint(value: Any, where: str, tiers: dict[str, int]) -> Endpoint:
    table = _mapping(value, where)
    _known(table, _ENDPOINT, where)
    options = dict(table)
    tier = options.get("tier", 0)
    if isinstance(tier, str):
        if tier not in tiers:
            raise ValidationError(
                "unknown tier name",
                field=join_field(where, "tier"),
                expected=", ".join(tiers) or "a tier number (no tiers are named)",
                actual=repr(tier),
            )
        options["tier"] = tiers[tier]
    for key in ("name", "url"):
        if key not in options:
            raise ValidationError("required", field=join_field(where, key))
    try:
        return Endpoint(**options)
    except ValidationError as exc:
        raise relocated(exc, lambda f: join_field(where, f)) from None


def _pool(table: Mapping[str, Any], where: str) -> Pool:
    try:
        return Pool(endpoints=table.get("endpoints", ()), labels=table.get("labels", frozenset()))
    except ValidationError as exc:
        raise relocated(exc, lambda f: join_field(where, f)) from None


def _rule(value: Any, where: str, index: int) -> Rule:
    table = _mapping(value, where)
    _known(table, _RULE, where)
    match = _mapping(table.get("match", {}), join_field(where, "match"))
    _known(match, _MATCH, join_field(where, "match"))
    pool = _pool(table, where)

    def field_of(name: str | None) -> str:
        if name == "path":  # compile_path's name for the query
            name = "json_path"
        if name in _MATCH:
            return join_field(where, f"match.{name}")
        return join_field(where, name)

    headers = _mapping(match.get("headers", {}), join_field(where, "match.headers"))
    try:
        return Rule(
            name=table.get("name", f"rule{index}"),
            pool=pool,
            model=match.get("model"),
            headers=headers,
            json_path=match.get("json_path"),
            json_equals=match.get("json_equals", ANY_VALUE),
            path_prefix=match.get("path_prefix"),
        )
    except ValidationError as exc:
        raise relocated(exc, field_of) from None


def router_arguments(config: Mapping[str, Any], prefix: str | None) -> dict[str, Any]:
    """Router constructor arguments from the ``prefix`` section of ``config``."""
    root = _section(config, prefix)
    base = prefix or ""
    settings_keys = frozenset(RouterSettings.field_names())
    _known(root, _TOP | settings_keys, base)

    tiers = _tiers(root["tiers"], join_field(base, "tiers")) if "tiers" in root else {}
    where = join_field(base, "endpoints")
    endpoint_list = _list(root.get("endpoints", []), where)
    if not endpoint_list:
        raise ValidationError("at least one endpoint is required", field=where)
    endpoints = [_endpoint(e, f"{where}[{i}]", tiers) for i, e in enumerate(endpoint_list)]

    strategy = root.get("strategy", "weighted")
    if not isinstance(strategy, str):
        raise ValidationError(
            "strategy must be a name", field=join_field(base, "strategy"), actual=repr(strategy)
        )
    make_balancer_factory(strategy, field=join_field(base, "strategy"))
    seed = root.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | str)):
        raise ValidationError(
            "seed must be an integer or a string", field=join_field(base, "seed"), actual=repr(seed)
        )

    where = join_field(base, "rules")
    rules = [
        _rule(r, f"{where}[{i}]", i) for i, r in enumerate(_list(root.get("rules", []), where))
    ]
    default = None
    if "default" in root:
        where = join_field(base, "default")
        table = _mapping(root["default"], where)
        _known(table, _POOL, where)
        default = _pool(table, where)

    try:
        settings = RouterSettings(**{k: root[k] for k in settings_keys if k in root})
    except ValidationError as exc:
        raise relocated(exc, lambda f: join_field(base, f)) from None
    return {
        "endpoints": endpoints,
        "strategy": strategy,
        "rules": rules,
        "default_pool": default,
        "settings": settings,
        "seed": seed,
    }
