"""Content-based routing: rules that send a request to a pool of endpoints.

A :class:`Rule` matches on what a request says: the model it asks for (read
from the JSON body, ``$.model`` by default), header values, an RFC 9535
JSONPath into the JSON body, the URL path's prefix. Every condition a rule
names must hold; the router tries its rules in order and the first match picks
the :class:`Pool`; a request no rule matches goes to the default pool.

Patterns for models and header values are shell-style globs (``"gpt-4*"``),
matched case-sensitively with :func:`fnmatch.fnmatchcase` so the result is the
same on every platform. A body that is not JSON simply has no model and matches
no JSONPath condition; it is not an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import suppress
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

from infra_portable.errors import InfraError, ValidationError
from infra_portable.http import Request
from infra_portable.json import JsonPath, compile_path, json_equal
from infra_portable.router._endpoint import Endpoint, string_tuple

__all__ = ["ANY_VALUE", "Pool", "RequestView", "Rule"]


class _AnyValue:
    """The default of ``Rule.json_equals``: any selected value matches."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ANY_VALUE"


ANY_VALUE: Any = _AnyValue()
_NO_JSON: Any = object()
_UNPARSED: Any = object()


@dataclass(frozen=True, slots=True)
class Pool:
    """The endpoints a rule routes to: those named, and those carrying every label listed.

    A pool that names nothing and lists no labels holds every endpoint.
    ``endpoints`` is stored as a tuple and ``labels`` as a frozenset.
    """

    endpoints: Sequence[str] = ()
    labels: AbstractSet[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "endpoints", string_tuple("endpoints", self.endpoints))
        object.__setattr__(self, "labels", frozenset(string_tuple("labels", self.labels)))

    def selects(self, endpoint: Endpoint) -> bool:
        if not self.endpoints and not self.labels:
            return True
        if endpoint.name in self.endpoints:
            return True
        return bool(self.labels) and self.labels <= endpoint.labels

    def describe(self) -> str:
        parts = []
        if self.endpoints:
            parts.append("endpoints " + ", ".join(self.endpoints))
        if self.labels:
            parts.append("labels " + ", ".join(sorted(self.labels)))
        return "; ".join(parts) or "all endpoints"


class RequestView:
    """A request as rules see it: its path, headers and (parsed once) JSON body."""

    __slots__ = ("_body", "_model_path", "request")

    def __init__(self, request: Request, model_path: JsonPath | None) -> None:
        self.request = request
        self._model_path = model_path
        self._body: Any = _UNPARSED

    @property
    def path(self) -> str:
        return urlsplit(self.request.url).path or "/"

    def body(self) -> Any:
        """The decoded JSON body, or ``_NO_JSON`` when there is none or it is not JSON."""
        if self._body is _UNPARSED:
            self._body = _NO_JSON
            # A body that is not JSON has no model and matches no JSONPath.
            with suppress(InfraError):
                if self.request.body:
                    self._body = self.request.json()
        return self._body

    @property
    def model(self) -> str | None:
        """The requested model: ``$.model`` of the JSON body by default, when a string."""
        if self._model_path is None:
            return None
        body = self.body()
        if body is _NO_JSON:
            return None
        value = self._model_path.query_one(body)
        return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Rule:
    """Route requests matching every given condition to ``pool``.

    ``model`` is a glob on the requested model; ``headers`` maps a header name
    (any case) to a glob its value must match (``"*"``: the header is present);
    ``json_path`` must select at least one node of the JSON body, and when
    ``json_equals`` is given one selected value must equal it (as JSON: ``1``
    is not ``true``); ``path_prefix`` must start the URL path. A rule needs at
    least one condition.
    """

    name: str
    pool: Pool
    model: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    json_path: str | None = None
    json_equals: Any = ANY_VALUE
    path_prefix: str | None = None
    _compiled: JsonPath | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValidationError("a rule needs a non-empty name", field="name")
        if not isinstance(self.pool, Pool):
            raise ValidationError(
                "a rule's pool must be a router.Pool",
                field="pool",
                actual=type(self.pool).__name__,
            )
        for name in ("model", "path_prefix"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise ValidationError(
                    f"{name} must be a non-empty string", field=name, actual=repr(value)
                )
        if self.path_prefix is not None and not self.path_prefix.startswith("/"):
            raise ValidationError(
                "path_prefix must start with '/'",
                field="path_prefix",
                actual=repr(self.path_prefix),
            )
        object.__setattr__(self, "headers", _header_patterns(self.headers))
        if self.json_path is not None:
            object.__setattr__(self, "_compiled", compile_path(self.json_path))
        elif self.json_equals is not ANY_VALUE:
            raise ValidationError("json_equals needs json_path", field="json_equals")
        if (
            self.model is None
            and not self.headers
            and self.json_path is None
            and self.path_prefix is None
        ):
            raise ValidationError(
                "a rule needs at least one condition",
                field="match",
                expected="model, headers, json_path or path_prefix",
            )

    def matches(self, view: RequestView) -> bool:
        if self.path_prefix is not None and not view.path.startswith(self.path_prefix):
            return False
        for name, pattern in self.headers.items():
            values = view.request.headers.get_all(name)
            if not any(fnmatchcase(value, pattern) for value in values):
                return False
        if self.model is not None:
            model = view.model
            if model is None or not fnmatchcase(model, self.model):
                return False
        if self._compiled is not None:
            body = view.body()
            if body is _NO_JSON:
                return False
            found = self._compiled.query(body)
            if self.json_equals is ANY_VALUE:
                return bool(found)
            return any(json_equal(value, self.json_equals) for value in found)
        return True


def _header_patterns(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    patterns: dict[str, str] = {}
    try:
        for name, pattern in pairs:
            if not isinstance(name, str) or not name or not isinstance(pattern, str):
                raise ValidationError(
                    "headers maps header names to glob patterns (strings)",
                    field="headers",
                    actual=repr((name, pattern)),
                )
            patterns[name.lower()] = pattern
    except (TypeError, ValueError):
        raise ValidationError(
            "headers must be a mapping of header name to pattern",
            field="headers",
            actual=type(headers).__name__,
        ) from None
    return patterns
