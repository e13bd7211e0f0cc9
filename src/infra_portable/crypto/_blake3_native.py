"""BLAKE3 through the ``blake3`` package (Rust, SIMD): the fast implementation.

Runtime caveats: a compiled extension, so native CPython only (``pip install
'infra-portable[blake3]'``); Pyodide and WASI use the pure implementation.
Single-threaded (the package's default), so results and timing do not depend
on the machine's core count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

import blake3 as _blake3

# The argument checks are shared so both backends reject exactly the same inputs.
from infra_portable.crypto._blake3_pure import check_context, check_key, check_length
from infra_portable.errors import ValidationError

if TYPE_CHECKING:
    from infra_portable.crypto._hash import Blake3Backend, Blake3State

__all__ = ["BACKEND", "NativeBlake3", "NativeBlake3State"]


def _not_bytes(data: object) -> ValidationError:
    return ValidationError(
        "BLAKE3 input must be bytes-like",
        field="data",
        expected="bytes, bytearray or memoryview",
        actual=type(data).__name__,
    )


class NativeBlake3State:
    """An incremental BLAKE3 hasher wrapping ``blake3.blake3``."""

    __slots__ = ("_hasher",)

    def __init__(self, hasher: _blake3.blake3) -> None:
        self._hasher = hasher

    def update(self, data: bytes | bytearray | memoryview) -> None:
        """Absorb more input."""
        try:
            self._hasher.update(data)
        except TypeError:
            raise _not_bytes(data) from None

    def digest(self, length: int = 32) -> bytes:
        """``length`` bytes of output; the state is unchanged."""
        return self._hasher.digest(length=check_length(length))

    def copy(self) -> Self:
        """An independent hasher in the same state."""
        return type(self)(self._hasher.copy())


class NativeBlake3:
    """The ``blake3`` capability backed by the ``blake3`` package."""

    name = "native"

    def new(
        self, *, key: bytes | bytearray | memoryview | None = None, context: str | None = None
    ) -> NativeBlake3State:
        """An incremental hasher: plain, keyed (``key``) or key-derivation (``context``)."""
        if key is not None and context is not None:
            raise ValidationError(
                "BLAKE3 takes a key or a derive-key context, not both",
                field="key",
                expected="key or context",
                actual="both",
            )
        if key is not None:
            return NativeBlake3State(_blake3.blake3(key=check_key(key)))
        if context is not None:
            check_context(context)
            return NativeBlake3State(_blake3.blake3(derive_key_context=context))
        return NativeBlake3State(_blake3.blake3())

    def hash(
        self,
        data: bytes | bytearray | memoryview,
        *,
        key: bytes | bytearray | memoryview | None = None,
        length: int = 32,
    ) -> bytes:
        """BLAKE3 of ``data`` (keyed when ``key`` is given), ``length`` bytes long."""
        if data is None:  # the package reads None as "no input yet"
            raise _not_bytes(data)
        try:
            if key is None and length == 32:
                # The common case, kept to one call into the package (the 1 KB benchmark).
                return _blake3.blake3(data).digest()
            length = check_length(length)
            if key is None:
                return _blake3.blake3(data).digest(length)
            return _blake3.blake3(data, key=check_key(key)).digest(length)
        except TypeError:
            raise _not_bytes(data) from None

    def derive_key(
        self, context: str, material: bytes | bytearray | memoryview, length: int = 32
    ) -> bytes:
        """BLAKE3's key derivation mode: a key for ``context`` from ``material``."""
        length = check_length(length)
        check_context(context)
        if material is None:
            raise _not_bytes(material)
        try:
            return _blake3.blake3(material, derive_key_context=context).digest(length)
        except TypeError:
            raise _not_bytes(material) from None


BACKEND = NativeBlake3()

if TYPE_CHECKING:
    _conforms: Blake3Backend = BACKEND
    _state_conforms: Blake3State = NativeBlake3State(_blake3.blake3())
