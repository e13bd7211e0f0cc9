"""ConfigLoader: layering, env overrides, formats, parse errors, required keys, metadata."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra_portable import json as ij
from infra_portable.config import Config, ConfigLoader, ConfigSource
from infra_portable.errors import ConfigError, SerializationError, ValidationError
from infra_portable.runtime import current


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A fresh folder, removed afterwards.

    Replaces pytest's ``tmp_path``, whose base folder is named after
    ``os.getuid()``, which WASI does not have.
    """
    folder = Path(tempfile.mkdtemp(prefix="infra-config-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def base_toml(tmp_path: Path) -> Path:
    return write(
        tmp_path / "config.toml",
        """
name = "gateway"
tags = ["a", "b"]

[http]
timeout_secs = 30
retries = 2

[db]
url = "postgres://db/app"
pool = { min = 1, max = 10 }
""",
    )


# -- layering ------------------------------------------------------------------------


def test_later_sources_win_tables_merge_lists_replace(base_toml: Path, tmp_path: Path) -> None:
    local = write(tmp_path / "local.json", '{"http": {"retries": 5}, "tags": ["c"]}')
    config = (
        ConfigLoader()
        .with_file(base_toml)
        .with_file(local)
        .with_dict({"db": {"pool": {"max": 20}}, "extra": True})
        .load()
    )
    assert config.get("http.timeout_secs") == 30  # kept from the TOML file
    assert config.get("http.retries") == 5  # the JSON file wins
    assert config.get("tags") == ["c"]  # lists replace, never concatenate
    assert config.get("db.pool") == {"min": 1, "max": 20}  # tables merge recursively
    assert config.get("extra") is True


def test_order_of_sources_decides(tmp_path: Path) -> None:
    first = ConfigLoader().with_dict({"a": 1}).with_dict({"a": 2}).load()
    second = ConfigLoader().with_dict({"a": 2}).with_dict({"a": 1}).load()
    assert (first["a"], second["a"]) == (2, 1)


def test_scalar_replaces_table_and_table_replaces_scalar() -> None:
    config = ConfigLoader().with_dict({"a": {"b": 1}, "c": 1}).with_dict({"a": 5, "c": {"d": 2}})
    loaded = config.load()
    assert loaded.to_dict() == {"a": 5, "c": {"d": 2}}
    assert set(loaded.sources) == {"a", "c.d"}


def test_optional_missing_file_is_skipped_required_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    config = ConfigLoader().with_file(missing, required=False).with_dict({"a": 1}).load()
    assert config.to_dict() == {"a": 1}
    with pytest.raises(ConfigError) as info:
        ConfigLoader().with_file(missing).load()
    assert info.value.key == str(missing)
    assert "not found" in info.value.message


def test_dict_source_is_read_at_each_load_and_not_aliased() -> None:
    data: dict[str, Any] = {"a": {"b": [1]}}
    loader = ConfigLoader().with_dict(data)
    config = loader.load()
    data["a"]["b"].append(2)
    assert config.get("a.b") == [1]
    assert loader.load().get("a.b") == [1, 2]


def test_remote_source_hook_and_its_failures() -> None:
    calls: list[int] = []

    def fetch() -> dict[str, Any]:
        calls.append(1)
        return {"model": {"name": "gpt", "max_tokens": 512}}

    config = ConfigLoader().with_dict({"model": {"name": "x"}}).with_source(fetch).load()
    assert config.get("model.name") == "gpt"
    assert config.source_of("model.max_tokens") == ConfigSource("remote", "remote")
    assert len(calls) == 1

    def broken() -> dict[str, Any]:
        raise RuntimeError("connection refused")

    with pytest.raises(ConfigError) as info:
        ConfigLoader().with_source(broken, name="config-service").load()
    assert info.value.key == "config-service"
    assert isinstance(info.value.__cause__, RuntimeError)

    with pytest.raises(ConfigError, match="not a table"):
        ConfigLoader().with_source(lambda: [1, 2]).load()  # type: ignore[arg-type, return-value]


# -- environment ---------------------------------------------------------------------


def test_env_prefix_nesting_and_json_scalars(base_toml: Path) -> None:
    environ = {
        "LLM_HTTP__TIMEOUT_SECS": "5",
        "LLM_HTTP__PROXY": "http://proxy:8080",
        "LLM_DB__POOL__MAX": "50",
        "LLM_FEATURES__STREAMING": "true",
        "LLM_FEATURES__RATIO": "0.25",
        "LLM_FEATURES__LEGACY": "null",
        "LLM_FEATURES__CODE": "007",
        "OTHER_HTTP__RETRIES": "9",
    }
    config = ConfigLoader().with_file(base_toml).with_env_prefix("LLM_", environ=environ).load()
    assert config.get("http.timeout_secs") == 5
    assert config.get("http.proxy") == "http://proxy:8080"
    assert config.get("http.retries") == 2  # other prefixes are ignored
    assert config.get("db.pool") == {"min": 1, "max": 50}
    assert config.get("features.streaming") is True
    assert config.get("features.ratio") == 0.25
    assert "features.legacy" in config
    assert config.get("features.legacy") is None
    assert config.get("features.code") == "007"  # not a JSON number: stays text
    assert config.source_of("http.timeout_secs") == ConfigSource("env", "LLM_HTTP__TIMEOUT_SECS")
    assert str(config.source_of("db.url")) == f"file:{base_toml}"


def test_env_overrides_apply_after_every_source_whatever_the_call_order() -> None:
    config = (
        ConfigLoader()
        .with_env_prefix("APP_", environ={"APP_A": "1"})
        .with_dict({"a": 0, "b": 0})
        .load()
    )
    assert config.to_dict() == {"a": 1, "b": 0}


def test_env_keys_match_existing_keys_in_any_case() -> None:
    environ = {"app_Http__TimeoutSecs": "9", "APP_NEW__Key": "x"}
    config = (
        ConfigLoader()
        .with_dict({"http": {"timeoutSecs": 1}})
        .with_env_prefix("APP_", environ=environ)
        .load()
    )
    assert config.to_dict() == {"http": {"timeoutSecs": 9}, "new": {"key": "x"}}


def test_env_empty_parts_are_ignored_and_nesting_under_a_scalar_fails() -> None:
    config = ConfigLoader().with_env_prefix("P_", environ={"P_A____B": "1", "P_": "2"}).load()
    assert config.to_dict() == {}
    with pytest.raises(ConfigError) as info:
        ConfigLoader().with_dict({"a": 1}).with_env_prefix("P_", environ={"P_A__B": "2"}).load()
    assert info.value.key == "a.b"


def test_env_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRA_PORTABLE_TEST_CFG_HTTP__PORT", "8081")
    config = ConfigLoader().with_env_prefix("INFRA_PORTABLE_TEST_CFG_").load()
    assert config.get("http.port") == 8081


def test_no_env_prefix_means_no_env_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_SHOULD_NOT_APPEAR", "1")
    assert "should_not_appear" not in ConfigLoader().load()


# -- formats and parse errors -----------------------------------------------------------


def test_toml_and_json_files(tmp_path: Path) -> None:
    toml = write(tmp_path / "a.toml", 'x = 1\n[t]\ny = "z"\n')
    jsn = write(tmp_path / "b.json", '{"t": {"w": [1, 2.5, null]}}')
    config = ConfigLoader().with_file(toml).with_file(jsn).load()
    assert config.to_dict() == {"x": 1, "t": {"y": "z", "w": [1, 2.5, None]}}


def test_explicit_format_and_unknown_extension(tmp_path: Path) -> None:
    conf = write(tmp_path / "settings.conf", "a = 1\n")
    assert ConfigLoader().with_file(conf, format="toml").load().get("a") == 1
    with pytest.raises(ConfigError, match="unknown config format") as info:
        ConfigLoader().with_file(conf).load()
    assert info.value.key == str(conf)


@pytest.mark.parametrize(
    ("name", "text", "line", "column"),
    [
        ("bad.toml", 'a = 1\nb = "ok"\nc = [1, 2\nd = 4\n', 4, 1),
        ("bad2.toml", "a = 1\nb = nope\n", 2, 5),
        ("bad.json", '{\n  "a": 1,\n  "b": ,\n}', 3, 8),
    ],
)
def test_parse_errors_name_file_line_and_column(
    tmp_path: Path, name: str, text: str, line: int, column: int
) -> None:
    path = write(tmp_path / name, text)
    with pytest.raises(ConfigError) as info:
        ConfigLoader().with_file(path).load()
    error = info.value
    cause = error.__cause__
    assert isinstance(cause, SerializationError)
    assert (cause.line, cause.column) == (line, column)
    assert error.key == str(path)
    assert str(path) in error.message
    assert f"line {line} column {column}" in error.message


def test_toml_error_at_end_of_document_has_a_position(tmp_path: Path) -> None:
    path = write(tmp_path / "eof.toml", "a = 1\nb = [")
    with pytest.raises(ConfigError) as info:
        ConfigLoader().with_file(path).load()
    cause = info.value.__cause__
    assert isinstance(cause, SerializationError)
    assert cause.line == 2


def test_top_level_must_be_a_table(tmp_path: Path) -> None:
    path = write(tmp_path / "list.json", "[1, 2]")
    with pytest.raises(ConfigError, match="top level must be a table"):
        ConfigLoader().with_file(path).load()


def test_unreadable_text_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'a = "\xe9"\n')
    with pytest.raises(ConfigError) as info:
        ConfigLoader().with_file(path).load()
    assert info.value.key == str(path)


YAML_REASON = (
    "PyYAML (extra config-yaml) is not installed here, or is blocked by INFRA_PORTABLE_BLOCK_NATIVE"
    if current().value == "native"
    else "PyYAML (extra config-yaml) is a pure-Python wheel but is not loaded in the "
    "Pyodide and WASI test environments"
)


def _yaml_available() -> bool:
    try:
        return importlib.util.find_spec("yaml") is not None
    except ImportError:  # blocked by INFRA_PORTABLE_BLOCK_NATIVE
        return False


@pytest.mark.skipif(not _yaml_available(), reason=YAML_REASON)
def test_yaml_files_and_positions(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", "http:\n  timeout_secs: 5\n  hosts: [a, b]\n1: one\n")
    config = ConfigLoader().with_file(path).with_file(write(tmp_path / "e.yml", "")).load()
    assert config.to_dict() == {"http": {"timeout_secs": 5, "hosts": ["a", "b"]}, "1": "one"}
    bad = write(tmp_path / "bad.yaml", "a: 1\nb: [1, 2\nc: 3\n")
    with pytest.raises(ConfigError) as info:
        ConfigLoader().with_file(bad).load()
    cause = info.value.__cause__
    assert isinstance(cause, SerializationError)
    assert cause.format.value == "yaml"
    assert cause.line is not None
    assert cause.column is not None
    assert f"line {cause.line} column {cause.column}" in info.value.message


@pytest.mark.skipif(_yaml_available(), reason="PyYAML is importable here")
def test_yaml_without_pyyaml_names_the_file_and_the_extra(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", "a: 1\n")
    with pytest.raises(ConfigError) as info:
        ConfigLoader().with_file(path).load()
    assert info.value.key == str(path)
    assert "config-yaml" in info.value.message


# -- required keys, metadata ------------------------------------------------------------------


def test_required_keys_are_all_listed_in_one_error(base_toml: Path) -> None:
    loader = ConfigLoader().with_file(base_toml).with_dict({"api": {"token": None}})
    loader.require("db.url", "db.password", "api.token", "cache.url")
    with pytest.raises(ConfigError) as info:
        loader.load()
    assert info.value.key == "db.password, api.token, cache.url"
    for key in ("db.password", "api.token", "cache.url"):
        assert key in info.value.message
    ok = ConfigLoader().with_file(base_toml).require("db.url", "http").load()
    assert ok.require("db.url") == "postgres://db/app"


def test_require_rejects_malformed_keys() -> None:
    with pytest.raises(ConfigError):
        ConfigLoader().require("a..b")


def test_checksum_is_sha256_of_canonical_json() -> None:
    data = {"b": {"y": [1, 2], "x": "é"}, "a": 1.5}
    config = ConfigLoader().with_dict(data).load()
    expected = hashlib.sha256(ij.dumpb(data, sort_keys=True)).hexdigest()
    assert config.checksum == expected
    same = ConfigLoader().with_dict({"a": 1.5, "b": {"x": "é", "y": [1, 2]}}).load()
    assert same.checksum == config.checksum
    assert ConfigLoader().with_dict({"a": 1.5}).load().checksum != config.checksum


def test_sources_record_the_last_setter_of_each_leaf(base_toml: Path) -> None:
    config = (
        ConfigLoader()
        .with_file(base_toml)
        .with_dict({"http": {"retries": 3}}, name="defaults-override")
        .with_env_prefix("X_", environ={"X_NAME": "router"})
        .load()
    )
    sources = config.sources
    assert sources["http.timeout_secs"].kind == "file"
    assert sources["http.retries"] == ConfigSource("dict", "defaults-override")
    assert sources["name"] == ConfigSource("env", "X_NAME")
    assert set(sources) == set(config.flat())
    assert config.loaded_at > 0


def test_config_from_a_plain_dict_is_a_copy() -> None:
    data: dict[str, Any] = {"a": {"b": 1}}
    config = Config(data)
    data["a"]["b"] = 2
    assert config["a.b"] == 1
    assert config == {"a": {"b": 1}}


def test_validation_errors_are_infra_errors_not_foreign() -> None:
    config = ConfigLoader().with_dict({"port": "eighty"}).load()
    with pytest.raises(ValidationError):
        config.get_int("port")


def test_paths_may_be_pathlike_or_str(base_toml: Path) -> None:
    assert (
        ConfigLoader().with_file(os.fspath(base_toml)).load()
        == ConfigLoader().with_file(base_toml).load().to_dict()
    )
