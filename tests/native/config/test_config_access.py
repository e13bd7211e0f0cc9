"""Config reads: dotted keys, typed getters and their conversions, sections, immutability."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from infra_portable.config import Config, ConfigLoader, parse_duration, parse_env_value
from infra_portable.errors import ConfigError, ValidationError


@pytest.fixture
def config() -> Config:
    return (
        ConfigLoader()
        .with_dict(
            {
                "http": {"timeout": "1.5s", "retries": "3", "verify": "yes", "hosts": "a, b,c"},
                "limits": {"rpm": 600, "ratio": 0.5, "burst": 10.0, "flag": True},
                "db": {"url": "postgres://x", "pool": {"max": 10}},
                "empty": None,
                "list": [1, {"x": 2}],
            }
        )
        .load()
    )


def test_dotted_get_default_and_mapping_protocol(config: Config) -> None:
    assert config.get("db.pool.max") == 10
    assert config.get("db.pool.min") is None
    assert config.get("db.pool.min", 1) == 1
    assert config.get_or("db.nothing", "fallback") == "fallback"
    assert config.get("db.url.deeper") is None  # through a scalar: missing, not an error
    assert config["db.pool"] == {"max": 10}
    assert "db.pool.max" in config
    assert "db.pool.min" not in config
    assert set(config) == {"http", "limits", "db", "empty", "list"}
    assert len(config) == 5
    with pytest.raises(KeyError):
        config["nope.nope"]


def test_require_missing_and_null(config: Config) -> None:
    assert config.require("db.url") == "postgres://x"
    for key in ("db.password", "empty"):
        with pytest.raises(ConfigError) as info:
            config.require(key)
        assert info.value.key == key


@pytest.mark.parametrize("key", ["", ".a", "a.", "a..b"])
def test_malformed_keys_are_config_errors(config: Config, key: str) -> None:
    with pytest.raises(ConfigError):
        config.get(key)


def test_reads_are_copies(config: Config) -> None:
    pool = config.get("db.pool")
    pool["max"] = 99
    items = config["list"]
    items[1]["x"] = 3
    assert config.get("db.pool.max") == 10
    assert config.get("list") == [1, {"x": 2}]
    exported = config.to_dict()
    exported["db"]["url"] = "changed"
    assert config.get("db.url") == "postgres://x"


@pytest.mark.parametrize(
    ("key", "target", "expected"),
    [
        ("http.retries", int, 3),
        ("limits.rpm", int, 600),
        ("limits.burst", int, 10),
        ("limits.rpm", float, 600.0),
        ("http.retries", float, 3.0),
        ("http.verify", bool, True),
        ("limits.flag", bool, True),
        ("limits.rpm", str, "600"),
        ("limits.flag", str, "true"),
        ("http.hosts", list, ["a", "b", "c"]),
        ("list", list, [1, {"x": 2}]),
        ("db.pool", dict, {"max": 10}),
        ("http.timeout", dt.timedelta, dt.timedelta(seconds=1.5)),
        ("limits.rpm", dt.timedelta, dt.timedelta(minutes=10)),
    ],
)
def test_generic_get_with_type_coerces(
    config: Config, key: str, target: type, expected: Any
) -> None:
    value = config.get(key, type=target)
    assert value == expected
    assert type(value) is type(expected)


def test_typed_getters(config: Config) -> None:
    assert config.get_int("http.retries") == 3
    assert config.get_float("limits.ratio") == 0.5
    assert config.get_bool("http.verify") is True
    assert config.get_str("db.url") == "postgres://x"
    assert config.get_list("http.hosts") == ["a", "b", "c"]
    assert config.get_duration("http.timeout") == dt.timedelta(milliseconds=1500)
    assert config.get_int("missing", 7) == 7
    assert config.get_duration("missing", dt.timedelta(0)) == dt.timedelta(0)
    with pytest.raises(ConfigError) as info:
        config.get_int("missing")
    assert info.value.key == "missing"
    assert config.get("missing", None, type=int) is None


@pytest.mark.parametrize(
    ("value", "target", "actual"),
    [
        ("eighty", int, "str"),
        (1.5, int, "float"),
        (True, int, "bool"),
        ([1], int, "list"),
        ("fast", float, "str"),
        ("nan", float, "str"),
        (False, float, "bool"),
        ("maybe", bool, "str"),
        (2, bool, "int"),
        ({"a": 1}, str, "dict"),
        ([1], str, "list"),
        (5, list, "int"),
        ('["unterminated', list, "str"),
        ("[1] trailing", list, "str"),
        ("x", dict, "str"),
        ("soon", dt.timedelta, "str"),
        ("5 parsecs", dt.timedelta, "str"),
        (True, dt.timedelta, "bool"),
    ],
)
def test_bad_values_give_a_clear_validation_error(value: Any, target: type, actual: str) -> None:
    config = Config({"section": {"value": value}})
    with pytest.raises(ValidationError) as info:
        config.get("section.value", type=target)
    error = info.value
    assert error.field == "section.value"
    assert error.expected == target.__name__
    assert error.actual == actual
    assert "section.value" in str(error)


def test_unsupported_target_type_is_a_validation_error(config: Config) -> None:
    with pytest.raises(ValidationError, match="unsupported configuration type"):
        config.get("limits.rpm", type=complex)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5", 5.0),
        ("1.5s", 1.5),
        ("250ms", 0.25),
        ("2m", 120.0),
        ("1h30m", 5400.0),
        ("1h 30m 15s", 5415.0),
        ("500us", 0.0005),
        ("1d", 86400.0),
        (" 0.5S ", 0.5),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "5 s x", "1x", "ms5", "--1s"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5", 5),
        ("-12", -12),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("true", True),
        ("false", False),
        ("null", None),
        ("007", "007"),
        ("True", "True"),
        ("1,5", "1,5"),
        ("", ""),
        ("hello", "hello"),
        ("1e999", "1e999"),
    ],
)
def test_env_values_parse_as_json_scalars_only(text: str, value: Any) -> None:
    parsed = parse_env_value(text)
    assert parsed == value
    assert type(parsed) is type(value)


def test_sections(config: Config) -> None:
    db = config.section("db")
    assert db.get("pool.max") == 10
    assert db.source_of("url") is not None
    assert config.section("nothing").to_dict() == {}
    with pytest.raises(ConfigError) as info:
        config.section("db.url")
    assert info.value.key == "db.url"


def test_repr_shows_the_masked_tree() -> None:
    assert repr(Config({"a": 1})) == "Config({'a': 1})"


def test_dotted_top_level_names_stay_reachable() -> None:
    config = Config({"a.b": 1, "a": {"b": 2}})
    assert config["a.b"] == 1
    assert config == {"a.b": 1, "a": {"b": 2}}
