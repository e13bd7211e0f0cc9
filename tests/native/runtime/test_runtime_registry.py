"""Runtime detection, the capability registry's choice order, and doctor."""

from __future__ import annotations

import sys

import pytest

import infra_portable
from infra_portable.__main__ import main
from infra_portable.errors import ConfigError, ValidationError
from infra_portable.runtime import (
    REGISTRY,
    Capability,
    Implementation,
    Registry,
    Runtime,
    current,
    env_var,
    has_jspi,
    in_node,
    in_worker,
    interpreter,
)


def test_detection_follows_sys_platform() -> None:
    expected = {"emscripten": Runtime.PYODIDE, "wasi": Runtime.WASI}.get(
        sys.platform, Runtime.NATIVE
    )
    assert current() is expected
    assert sys.platform in interpreter()
    if current() is not Runtime.PYODIDE:
        assert (in_node(), in_worker(), has_jspi()) == (False, False, False)


@pytest.mark.pyodide_only(reason="probes of the JS host")
def test_pyodide_probes_in_the_browser_harness() -> None:
    assert not in_node()  # the harness runs in Chromium
    assert isinstance(has_jspi(), bool)
    assert "Pyodide" in interpreter()


def make_registry() -> Registry:
    return Registry(
        [
            Capability(
                name="thing",
                summary="a test capability",
                implementations=(
                    Implementation(
                        "fast",
                        "infra_portable_missing_module:Fast",
                        "needs a missing module",
                        extra="fast",
                        compiled=True,
                    ),
                    Implementation(
                        "wasi-only",
                        "json:dumps",
                        "only for wasi",
                        runtimes=frozenset({Runtime.WASI}),
                        runtime_note="host bridge",
                    ),
                    Implementation("pure", "json:loads", "always there"),
                    Implementation("also", "json:dumps", "also there"),
                ),
            )
        ]
    )


def test_best_available_implementation_is_chosen_and_cached() -> None:
    registry = make_registry()
    import json

    first = registry.resolve("thing")
    if current() is Runtime.WASI:
        assert first is json.dumps
        assert registry.chosen_name("thing") == "wasi-only"
    else:
        assert first is json.loads
        assert registry.chosen_name("thing") == "pure"
    assert registry.resolve("thing") is first


def test_explicit_argument_beats_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    registry = make_registry()
    monkeypatch.setenv("INFRA_PORTABLE_THING", "pure")
    assert registry.resolve("thing") is json.loads
    assert registry.resolve("thing", "also") is json.dumps
    assert registry.chosen_name("thing") == "pure"


def test_missing_dependency_is_one_clear_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = make_registry()
    with pytest.raises(ConfigError) as info:
        registry.resolve("thing", "fast")
    error = info.value
    assert error.key == "INFRA_PORTABLE_THING"
    text = str(error)
    assert "'thing'" in text
    assert "'fast'" in text
    assert current().value in text
    assert "infra_portable_missing_module" in text
    if current() is Runtime.NATIVE:
        assert "pip install 'infra-portable[fast]'" in text
    # The environment variable is as binding as the argument: no silent fallback.
    monkeypatch.setenv("INFRA_PORTABLE_THING", "fast")
    with pytest.raises(ConfigError, match="requested by INFRA_PORTABLE_THING"):
        registry.resolve("thing")


def test_unknown_names_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = make_registry()
    with pytest.raises(ValidationError) as info:
        registry.resolve("nope")
    assert info.value.field == "capability"
    monkeypatch.setenv("INFRA_PORTABLE_THING", "bogus")
    with pytest.raises(ConfigError, match="choose one of fast, wasi-only, pure, also"):
        registry.resolve("thing")


def test_runtime_bound_implementation_says_why_not() -> None:
    registry = make_registry()
    reasons = {c.name: c for c in registry.explain("thing")}
    if current() is not Runtime.WASI:
        assert not reasons["wasi-only"].available
        assert "not for the" in reasons["wasi-only"].reason
        assert "host bridge" in reasons["wasi-only"].reason
    assert not reasons["fast"].available
    assert sum(c.chosen for c in reasons.values()) == 1


def test_no_implementation_at_all() -> None:
    registry = Registry(
        [
            Capability(
                "void",
                "nothing loads",
                (Implementation("x", "infra_portable_missing_module", "missing"),),
            )
        ]
    )
    with pytest.raises(ConfigError, match="no implementation available"):
        registry.resolve("void")
    candidates = registry.explain("void")
    assert [c.chosen for c in candidates] == [False]


def test_env_var_names() -> None:
    assert env_var("json") == "INFRA_PORTABLE_JSON"
    assert env_var("http-client") == "INFRA_PORTABLE_HTTP_CLIENT"


def test_reset_rereads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from infra_portable import json as ij

    monkeypatch.setenv("INFRA_PORTABLE_JSON", "stdlib")
    REGISTRY.reset()
    assert ij.codec().name == "stdlib"


def test_doctor_reports_runtime_and_every_capability() -> None:
    report = infra_portable.doctor()
    assert report.runtime == current().value
    names = {c.name for c in report.capabilities}
    assert {"json", "random"} <= names
    for capability in report.capabilities:
        assert capability.chosen is not None
        assert sum(c.chosen for c in capability.candidates) == 1
    text = str(report)
    assert f"runtime      {current().value}" in text
    assert "INFRA_PORTABLE_JSON" in text
    data = report.to_dict()
    assert data["capabilities"]["json"]["chosen"] == infra_portable.json.codec().name


def test_doctor_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 0
    assert "CHOSEN" in capsys.readouterr().out
    assert main(["doctor", "--json"]) == 0
    import json

    assert json.loads(capsys.readouterr().out)["runtime"] == current().value


def test_lazy_top_level_attributes() -> None:
    assert infra_portable.json.loads("1") == 1
    with pytest.raises(AttributeError):
        _ = infra_portable.not_a_module  # type: ignore[attr-defined]


@pytest.mark.native_only(reason="starts a fresh interpreter in a subprocess")
def test_importing_the_library_imports_no_optional_dependency() -> None:
    import subprocess

    code = (
        "import sys, infra_portable, infra_portable.json, infra_portable.id, infra_portable.errors;"
        "import infra_portable.vector, infra_portable.crypto, infra_portable.config;"
        "heavy = {'orjson', 'ujson', 'numpy', 'cryptography', 'httpx', 'hnswlib'} & set(sys.modules);"
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.native_only(reason="starts a fresh interpreter in a subprocess")
def test_encoding_json_imports_no_jsonpath_nor_asyncio() -> None:
    import subprocess

    # auth and the HTTP server import infra_portable.json only to encode: JSONPath,
    # diff and the stream parsers load on first use, asyncio when retry_async runs.
    code = (
        "import sys, infra_portable.json as j; j.dumpb({});"
        "loaded = {'infra_portable.json._jsonpath', 'infra_portable.json._diff',"
        " 'infra_portable.json._stream', 'infra_portable.json._partial', 'asyncio'} & set(sys.modules);"
        "print(sorted(loaded)); print(j.query({'a': 1}, '$.a'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "[1]"]


def test_every_lazy_json_name_resolves() -> None:
    for name in infra_portable.json.__all__:
        assert getattr(infra_portable.json, name) is not None
    with pytest.raises(AttributeError):
        _ = infra_portable.json.not_a_name  # type: ignore[attr-defined]


def test_default_choice_is_remembered_until_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    registry = make_registry()
    first = registry.resolve("thing")
    monkeypatch.setenv("INFRA_PORTABLE_THING", "also")
    assert registry.resolve("thing") is first  # the environment is read once...
    registry.reset()
    assert registry.resolve("thing") is json.dumps  # ...and again after reset()


def test_requested_name_says_what_was_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = make_registry()
    monkeypatch.delenv("INFRA_PORTABLE_THING", raising=False)
    assert registry.requested_name("thing") is None
    assert registry.requested_name("thing", "also") == "also"
    monkeypatch.setenv("INFRA_PORTABLE_THING", " fast ")
    assert registry.requested_name("thing") == "fast"
    assert registry.requested_name("thing", "also") == "also"  # the argument wins
