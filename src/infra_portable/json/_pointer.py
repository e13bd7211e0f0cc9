"""JSON Pointer (RFC 6901): ``/a/0/b~1c`` addresses one value in a document.

``~1`` stands for ``/`` and ``~0`` for ``~`` inside a reference token. Array
indexes are ``0`` or digits without a leading zero; ``-`` names the slot past
the end (only meaningful when adding).
"""

from __future__ import annotations

from typing import Any, Final

from infra_portable.errors import ValidationError

__all__ = [
    "format_pointer",
    "parse_pointer",
    "pointer_get",
    "pointer_remove",
    "pointer_set",
]


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Final = _Missing()


def parse_pointer(pointer: str, *, field: str = "pointer") -> list[str]:
    """The unescaped reference tokens of ``pointer`` (``""`` is the whole document)."""
    if not isinstance(pointer, str):
        raise ValidationError(
            "a JSON pointer must be a string", field=field, actual=type(pointer).__name__
        )
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValidationError(
            "a JSON pointer must be empty or start with '/'",
            field=field,
            expected="'' or '/...'",
            actual=repr(pointer)[:60],
        )
    tokens = pointer[1:].split("/")
    for token in tokens:
        tilde = token.find("~")
        while tilde != -1:
            if token[tilde + 1 : tilde + 2] not in ("0", "1"):
                raise ValidationError(
                    "'~' must be followed by '0' or '1'", field=field, actual=repr(pointer)[:60]
                )
            tilde = token.find("~", tilde + 2)
    return [t.replace("~1", "/").replace("~0", "~") for t in tokens]


def format_pointer(tokens: list[str | int] | tuple[str | int, ...]) -> str:
    """Join tokens into a pointer, escaping ``~`` and ``/``."""
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


def _index(token: str, length: int, *, pointer: str, field: str, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return length
    if not token.isdigit() or not token.isascii() or (len(token) > 1 and token[0] == "0"):
        raise ValidationError(
            f"'{token}' is not an array index",
            field=field,
            expected="0, or digits without a leading zero" + (", or '-'" if allow_end else ""),
            actual=pointer,
        )
    index = int(token)
    limit = length if allow_end else length - 1
    if index > limit:
        raise ValidationError(
            f"array index {index} is out of range (length {length})", field=field, actual=pointer
        )
    return index


def _walk(document: Any, tokens: list[str], pointer: str, field: str) -> Any:
    current = document
    for token in tokens:
        if isinstance(current, dict):
            if token not in current:
                raise ValidationError(f"no member '{token}'", field=field, actual=pointer)
            current = current[token]
        elif isinstance(current, list):
            current = current[
                _index(token, len(current), pointer=pointer, field=field, allow_end=False)
            ]
        else:
            raise ValidationError(
                f"cannot descend into a {type(current).__name__} with '{token}'",
                field=field,
                actual=pointer,
            )
    return current


def pointer_get(
    document: Any, pointer: str, default: Any = MISSING, *, field: str = "pointer"
) -> Any:
    """The value at ``pointer``; ``default`` if given and the value does not exist."""
    tokens = parse_pointer(pointer, field=field)
    try:
        return _walk(document, tokens, pointer, field)
    except ValidationError:
        if default is MISSING:
            raise
        return default


def pointer_set(document: Any, pointer: str, value: Any, *, field: str = "pointer") -> Any:
    """Set (or add) the value at ``pointer`` in place; returns the document.

    Setting ``""`` returns ``value`` itself (the new whole document). An array
    token inserts before that index, ``-`` appends: RFC 6902 ``add`` semantics.
    """
    tokens = parse_pointer(pointer, field=field)
    if not tokens:
        return value
    parent = _walk(document, tokens[:-1], pointer, field)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(
            _index(last, len(parent), pointer=pointer, field=field, allow_end=True), value
        )
    else:
        raise ValidationError(
            f"cannot set a member of a {type(parent).__name__}", field=field, actual=pointer
        )
    return document


def pointer_remove(document: Any, pointer: str, *, field: str = "pointer") -> Any:
    """Remove the value at ``pointer`` in place and return the removed value."""
    tokens = parse_pointer(pointer, field=field)
    if not tokens:
        raise ValidationError("cannot remove the whole document", field=field, actual="''")
    parent = _walk(document, tokens[:-1], pointer, field)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise ValidationError(f"no member '{last}'", field=field, actual=pointer)
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_index(last, len(parent), pointer=pointer, field=field, allow_end=False))
    raise ValidationError(
        f"cannot remove a member of a {type(parent).__name__}", field=field, actual=pointer
    )
