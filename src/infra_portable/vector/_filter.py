"""Metadata filters (seed 002 §2.5): Eq, Ne, Gt, Gte, Lt, Lte, In, Contains, And, Or, Not,
plus Like (SQL ``%``/``_`` patterns on strings) and Exists.

Fields are dotted paths into the metadata (``"source.kind"``); a key that itself
contains a dot is found first. Comparisons follow JSON, not Python: ``true`` is
not ``1``; numbers compare by value (``1 == 1.0``); ordering compares numbers
with numbers and strings with strings, anything else does not match. A missing
field matches only ``Ne`` and ``Not(...)`` of a positive test. ``Contains`` is a
substring test on a string and membership on a list.

Filters compose with ``&``, ``|`` and ``~`` and round-trip through plain dicts
(``to_dict``/``from_dict``: ``{"op": "eq", "field": "model", "value": "gpt-4"}``),
which is how JavaScript callers pass them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from infra_portable.errors import ValidationError

__all__ = [
    "And",
    "Contains",
    "Eq",
    "Exists",
    "Gt",
    "Gte",
    "In",
    "Like",
    "Lt",
    "Lte",
    "MetadataFilter",
    "Ne",
    "Not",
    "Or",
]

Predicate = Callable[[Mapping[str, Any] | None], bool]
_MISSING: Any = object()


def _lookup(metadata: Mapping[str, Any] | None, path: str, parts: tuple[str, ...]) -> Any:
    if metadata is None:
        return _MISSING
    value = metadata.get(path, _MISSING)
    if value is not _MISSING or len(parts) == 1:
        return value
    current: Any = metadata
    for part in parts:
        if not isinstance(current, Mapping):
            return _MISSING
        current = current.get(part, _MISSING)
        if current is _MISSING:
            return _MISSING
    return current


def _getter(field: str) -> Callable[[Mapping[str, Any] | None], Any]:
    """The field's value in a metadata mapping, or ``_MISSING``."""
    path, parts = field, tuple(field.split("."))
    return lambda md: _lookup(md, path, parts)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_finite(value: Any) -> bool:
    # not math.isfinite(value) on an int: a huge int overflows the conversion
    return not isinstance(value, float) or math.isfinite(value)


def _same(a: Any, b: Any) -> bool:
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def _check_field(field: object) -> str:
    if not isinstance(field, str) or not field:
        raise ValidationError(
            "a filter field must be a non-empty string",
            field="filter.field",
            expected="dotted metadata path",
            actual=repr(field),
        )
    return field


def _check_json(value: object, where: str) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(
                "JSON has no NaN or infinity",
                field=where,
                expected="finite number",
                actual=repr(value),
            )
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_json(item, where)
        return
    if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        for item in value.values():
            _check_json(item, where)
        return
    raise ValidationError(
        "filter values must be JSON values",
        field=where,
        expected="null, bool, number, string, list or object",
        actual=type(value).__name__,
    )


class MetadataFilter:
    """Base of every filter: ``matches(metadata)`` and ``compile()`` for hot loops."""

    op: ClassVar[str] = ""
    _ops: ClassVar[dict[str, type[MetadataFilter]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.op:
            MetadataFilter._ops[cls.op] = cls

    def compile(self) -> Predicate:
        raise NotImplementedError

    def matches(self, metadata: Mapping[str, Any] | None) -> bool:
        return self.compile()(metadata)

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def __and__(self, other: MetadataFilter) -> And:
        return And([self, other])

    def __or__(self, other: MetadataFilter) -> Or:
        return Or([self, other])

    def __invert__(self) -> Not:
        return Not(self)

    # -- the seed's builders ------------------------------------------------
    @staticmethod
    def eq(field: str, value: Any) -> Eq:
        return Eq(field, value)

    @staticmethod
    def and_(filters: Sequence[MetadataFilter]) -> And:
        return And(filters)

    @staticmethod
    def or_(filters: Sequence[MetadataFilter]) -> Or:
        return Or(filters)

    @staticmethod
    def from_dict(data: Mapping[str, Any], where: str = "filter") -> MetadataFilter:
        """A filter from its dict form; bad input names the offending path."""
        if not isinstance(data, Mapping):
            raise ValidationError(
                "a filter must be an object", field=where, actual=type(data).__name__
            )
        op = data.get("op")
        cls = MetadataFilter._ops.get(op) if isinstance(op, str) else None
        if cls is None:
            raise ValidationError(
                "unknown filter op",
                field=f"{where}.op",
                expected=", ".join(sorted(MetadataFilter._ops)),
                actual=repr(op),
            )
        return cls._from_dict(data, where)

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any], where: str) -> MetadataFilter:
        raise NotImplementedError


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ValidationError(f"missing '{key}'", field=f"{where}.{key}")
    return data[key]


def _built(where: str, make: Callable[[], MetadataFilter]) -> MetadataFilter:
    """Run a constructor whose checks name ``filter.*``; name ``where`` instead.

    Only the constructor runs inside: fields from ``_require`` and nested
    ``from_dict`` calls already carry their full path.
    """
    try:
        return make()
    except ValidationError as error:
        field = error.field
        if where != "filter" and field is not None and field.startswith("filter."):
            error.field = where + field[len("filter") :]
        raise


@dataclass(frozen=True, slots=True)
class _FieldValue(MetadataFilter):
    field: str
    value: Any

    def __post_init__(self) -> None:
        _check_field(self.field)
        _check_json(self.value, "filter.value")

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "field": self.field, "value": self.value}

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any], where: str) -> MetadataFilter:
        field, value = _require(data, "field", where), _require(data, "value", where)
        return _built(where, lambda: cls(field, value))


class Eq(_FieldValue):
    op = "eq"

    def compile(self) -> Predicate:
        get, value = _getter(self.field), self.value
        return lambda md: (v := get(md)) is not _MISSING and _same(v, value)


class Ne(_FieldValue):
    op = "ne"

    def compile(self) -> Predicate:
        get, value = _getter(self.field), self.value
        return lambda md: (v := get(md)) is _MISSING or not _same(v, value)


class _Order(_FieldValue):
    @staticmethod
    def _test(a: Any, b: Any) -> bool:
        raise NotImplementedError

    def __post_init__(self) -> None:
        _check_field(self.field)
        if not ((_is_number(self.value) and _is_finite(self.value)) or isinstance(self.value, str)):
            raise ValidationError(
                f"'{self.op}' compares numbers or strings",
                field="filter.value",
                expected="number or string",
                actual=repr(self.value),
            )

    def compile(self) -> Predicate:
        get, value, test = _getter(self.field), self.value, type(self)._test
        numeric = _is_number(value)

        def check(md: Mapping[str, Any] | None) -> bool:
            v = get(md)
            if numeric:
                return _is_number(v) and test(v, value)
            return isinstance(v, str) and test(v, value)

        return check


class Gt(_Order):
    op = "gt"

    @staticmethod
    def _test(a: Any, b: Any) -> bool:
        return bool(a > b)


class Gte(_Order):
    op = "gte"

    @staticmethod
    def _test(a: Any, b: Any) -> bool:
        return bool(a >= b)


class Lt(_Order):
    op = "lt"

    @staticmethod
    def _test(a: Any, b: Any) -> bool:
        return bool(a < b)


class Lte(_Order):
    op = "lte"

    @staticmethod
    def _test(a: Any, b: Any) -> bool:
        return bool(a <= b)


class Contains(_FieldValue):
    """Substring of a string field, or an element of a list field."""

    op = "contains"

    def compile(self) -> Predicate:
        get, value = _getter(self.field), self.value

        def check(md: Mapping[str, Any] | None) -> bool:
            v = get(md)
            if isinstance(v, str):
                return isinstance(value, str) and value in v
            if isinstance(v, list | tuple):
                return any(_same(item, value) for item in v)
            return False

        return check


@dataclass(frozen=True, slots=True)
class In(MetadataFilter):
    """The field equals one of ``values``."""

    op = "in"
    field: str
    values: Sequence[Any]

    def __post_init__(self) -> None:
        _check_field(self.field)
        if isinstance(self.values, str | bytes) or not isinstance(self.values, Sequence):
            raise ValidationError(
                "'in' needs a list of values", field="filter.values", actual=repr(self.values)
            )
        _check_json(list(self.values), "filter.values")
        object.__setattr__(self, "values", tuple(self.values))

    def compile(self) -> Predicate:
        get, values = _getter(self.field), self.values
        hashable = {v for v in values if isinstance(v, str)}
        others = [v for v in values if not isinstance(v, str)]

        def check(md: Mapping[str, Any] | None) -> bool:
            v = get(md)
            if v is _MISSING:
                return False
            if isinstance(v, str):
                return v in hashable
            return any(_same(v, o) for o in others)

        return check

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "field": self.field, "values": list(self.values)}

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any], where: str) -> MetadataFilter:
        field, values = _require(data, "field", where), _require(data, "values", where)
        return _built(where, lambda: cls(field, values))


def _like_regex(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    """A regex for ``fullmatch``: the pattern's pieces between ``%`` in order.

    Each middle piece is taken at its first place and never retried (an atomic
    group). For LIKE that is always right, since the first place leaves the most
    text for the rest, and it keeps matching linear in the text per ``%``, where
    plain ``.*`` backtracks exponentially in the number of ``%``
    (``%a%a%a...%b`` against ``aaaa...``).
    """
    pieces: list[list[str]] = [[]]
    escaped = False
    for ch in pattern:
        if escaped:
            pieces[-1].append(re.escape(ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "%":
            pieces.append([])
        elif ch == "_":
            pieces[-1].append(".")
        else:
            pieces[-1].append(re.escape(ch))
    if escaped:
        pieces[-1].append(re.escape("\\"))
    texts = ["".join(piece) for piece in pieces]
    source = texts[0]
    if len(texts) > 1:
        source += "".join(f"(?>.*?{m})" for m in texts[1:-1] if m) + ".*" + texts[-1]
    flags = re.DOTALL | (0 if case_sensitive else re.IGNORECASE)
    return re.compile(source, flags)


@dataclass(frozen=True, slots=True)
class Like(MetadataFilter):
    """SQL LIKE on a string field: ``%`` any run, ``_`` one character, ``\\`` escapes."""

    op = "like"
    field: str
    pattern: str
    case_sensitive: bool = True

    def __post_init__(self) -> None:
        _check_field(self.field)
        if not isinstance(self.pattern, str):
            raise ValidationError(
                "'like' needs a string pattern", field="filter.pattern", actual=repr(self.pattern)
            )
        if not isinstance(self.case_sensitive, bool):
            raise ValidationError(
                "'like' case_sensitive must be a boolean",
                field="filter.case_sensitive",
                expected="boolean",
                actual=repr(self.case_sensitive),
            )

    def compile(self) -> Predicate:
        get = _getter(self.field)
        regex = _like_regex(self.pattern, self.case_sensitive)

        def check(md: Mapping[str, Any] | None) -> bool:
            v = get(md)
            return isinstance(v, str) and regex.fullmatch(v) is not None

        return check

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op": self.op, "field": self.field, "pattern": self.pattern}
        if not self.case_sensitive:
            out["case_sensitive"] = False
        return out

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any], where: str) -> MetadataFilter:
        field, pattern = _require(data, "field", where), _require(data, "pattern", where)
        case = data.get("case_sensitive", True)
        return _built(where, lambda: cls(field, pattern, case))


@dataclass(frozen=True, slots=True)
class Exists(MetadataFilter):
    op = "exists"
    field: str

    def __post_init__(self) -> None:
        _check_field(self.field)

    def compile(self) -> Predicate:
        get = _getter(self.field)
        return lambda md: get(md) is not _MISSING

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "field": self.field}

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any], where: str) -> MetadataFilter:
        field = _require(data, "field", where)
        return _built(where, lambda: cls(field))


def _check_filters(filters: object, where: str) -> tuple[MetadataFilter, ...]:
    if not isinstance(filters, Sequence) or isinstance(filters, str):
        raise ValidationError("needs a list of filters", field=where, actual=repr(filters))
    for i, item in enumerate(filters):
        if not isinstance(item, MetadataFilter):
            raise ValidationError(
                "not a MetadataFilter", field=f"{where}[{i}]", actual=type(item).__name__
            )
    return tuple(filters)


@dataclass(frozen=True, slots=True)
class _Combination(MetadataFilter):
    filters: Sequence[MetadataFilter]

    def __post_init__(self) -> None:
        object.__setattr__(self, "filters", _check_filters(self.filters, "filter.filters"))

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "filters": [f.to_dict() for f in self.filters]}

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any], where: str) -> MetadataFilter:
        items = _require(data, "filters", where)
        if not isinstance(items, list):
            raise ValidationError("must be a list", field=f"{where}.filters")
        return cls(
            [MetadataFilter.from_dict(f, f"{where}.filters[{i}]") for i, f in enumerate(items)]
        )


class And(_Combination):
    """Every filter matches (an empty And matches everything)."""

    op = "and"

    def compile(self) -> Predicate:
        tests = [f.compile() for f in self.filters]
        return lambda md: all(t(md) for t in tests)


class Or(_Combination):
    """Any filter matches (an empty Or matches nothing)."""

    op = "or"

    def compile(self) -> Predicate:
        tests = [f.compile() for f in self.filters]
        return lambda md: any(t(md) for t in tests)


@dataclass(frozen=True, slots=True)
class Not(MetadataFilter):
    op = "not"
    filter: MetadataFilter

    def __post_init__(self) -> None:
        if not isinstance(self.filter, MetadataFilter):
            raise ValidationError(
                "not a MetadataFilter", field="filter.filter", actual=type(self.filter).__name__
            )

    def compile(self) -> Predicate:
        test = self.filter.compile()
        return lambda md: not test(md)

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "filter": self.filter.to_dict()}

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any], where: str) -> MetadataFilter:
        return cls(MetadataFilter.from_dict(_require(data, "filter", where), f"{where}.filter"))
