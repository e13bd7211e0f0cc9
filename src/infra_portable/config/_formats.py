"""Parsing configuration files: TOML (stdlib), JSON (``infra_portable.json``), YAML (PyYAML).

Each parser returns a table (a top-level array or scalar is an error) and turns
its library's errors into SerializationError with a 1-based line and column;
the loader wraps that in a ConfigError naming the file.
"""

from __future__ import annotations

import re
from typing import Any

from infra_portable.errors import ConfigError, SerializationError, SerializationFormat

__all__ = ["FORMATS", "format_for", "parse"]

FORMATS: dict[str, SerializationFormat] = {
    ".toml": SerializationFormat.TOML,
    ".json": SerializationFormat.JSON,
    ".yaml": SerializationFormat.YAML,
    ".yml": SerializationFormat.YAML,
}
_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")


def format_for(path: str, explicit: str | None = None) -> SerializationFormat:
    """The format named ``explicit``, or the one the file extension says."""
    if explicit is not None:
        try:
            return SerializationFormat(explicit.lower().lstrip("."))
        except ValueError:
            pass
    else:
        for suffix, fmt in FORMATS.items():
            if path.lower().endswith(suffix):
                return fmt
    raise ConfigError(
        f"unknown config format (use one of {', '.join(sorted(FORMATS))})",
        key=path,
    )


def parse(text: str, fmt: SerializationFormat, name: str) -> dict[str, Any]:
    """The table in ``text``; SerializationError (line/column) when it does not parse."""
    if fmt is SerializationFormat.TOML:
        data: Any = _parse_toml(text)
    elif fmt is SerializationFormat.JSON:
        from infra_portable.json import loads

        data = loads(text)
    elif fmt is SerializationFormat.YAML:
        data = _parse_yaml(text, name)
    else:  # pragma: no cover - format_for only returns the three above
        raise ConfigError(f"unsupported config format {fmt.value}", key=name)
    if data is None and fmt is SerializationFormat.YAML:
        return {}  # an empty YAML document
    if not isinstance(data, dict):
        raise SerializationError(
            f"the top level must be a table, not {type(data).__name__}", format=fmt
        )
    return data


def _parse_toml(text: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        match = _TOML_WHERE.search(message)
        if match:
            message = message[: match.start()]
            if line is None and match.group(1):
                line, column = int(match.group(1)), int(match.group(2))
        if line is None:  # "at end of document"
            line = text.count("\n") + 1
            column = len(text) - (text.rfind("\n") + 1) + 1
        raise SerializationError(
            message, format=SerializationFormat.TOML, line=line, column=column
        ) from None


def _parse_yaml(text: str, name: str) -> Any:
    try:
        import yaml  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise ConfigError(
            "YAML config files need PyYAML: pip install 'infra-portable[config-yaml]'",
            key=name,
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise SerializationError(
            str(problem),
            format=SerializationFormat.YAML,
            line=None if mark is None else mark.line + 1,
            column=None if mark is None else mark.column + 1,
        ) from None
    return _string_keys(data)


def _string_keys(value: Any) -> Any:
    # YAML allows `1: x` or `yes: x`; configuration keys are always text.
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value
