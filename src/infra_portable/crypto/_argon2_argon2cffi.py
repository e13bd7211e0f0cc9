"""Argon2id through argon2-cffi (the reference C implementation, one thread per lane).

Native CPython only: a compiled extension that WASI cannot load and that
Pyodide does not ship. Plain hashing uses ``argon2.low_level.hash_secret_raw``;
that function has no secret key or associated data parameters, so with either
of them the backend fills the reference ``argon2_context`` itself and calls
``argon2.low_level.core``, the route argon2-cffi documents for them.
"""

from __future__ import annotations

from typing import Any

from argon2 import low_level
from argon2.exceptions import HashingError
from argon2.low_level import ARGON2_VERSION, Type, core, error_to_str, ffi, hash_secret_raw

from infra_portable.crypto._argon2_base import Argon2Backend
from infra_portable.errors import CryptoError, CryptoOperation

__all__ = ["BACKEND", "Argon2CffiArgon2"]

# The bindings' constants: argon2.low_level imports them but does not re-export them.
_OK: int = low_level.lib.ARGON2_OK  # type: ignore[attr-defined]
_DEFAULT_FLAGS: int = low_level.lib.ARGON2_DEFAULT_FLAGS  # type: ignore[attr-defined]


def _buffer(data: bytes) -> Any:
    return ffi.new("uint8_t[]", data) if data else ffi.NULL


class Argon2CffiArgon2:
    """Argon2id via argon2-cffi's low-level API."""

    name = "argon2cffi"

    def argon2id(
        self,
        password: bytes,
        salt: bytes,
        *,
        time_cost: int,
        memory_cost_kib: int,
        parallelism: int,
        hash_len: int,
        secret: bytes = b"",
        associated_data: bytes = b"",
    ) -> bytes:
        if not secret and not associated_data:
            try:
                return hash_secret_raw(
                    password, salt, time_cost, memory_cost_kib, parallelism, hash_len, Type.ID
                )
            except HashingError as exc:
                raise CryptoError(f"argon2-cffi: {exc}", operation=CryptoOperation.HASH) from exc
        # cffi does not keep buffers assigned to struct fields alive: hold them here.
        buffers = [_buffer(v) for v in (password, salt, secret, associated_data)]
        out = ffi.new("uint8_t[]", hash_len)
        context = ffi.new(
            "argon2_context *",
            {
                "version": ARGON2_VERSION,
                "out": out,
                "outlen": hash_len,
                "pwd": buffers[0],
                "pwdlen": len(password),
                "salt": buffers[1],
                "saltlen": len(salt),
                "secret": buffers[2],
                "secretlen": len(secret),
                "ad": buffers[3],
                "adlen": len(associated_data),
                "t_cost": time_cost,
                "m_cost": memory_cost_kib,
                "lanes": parallelism,
                "threads": parallelism,
                "allocate_cbk": ffi.NULL,
                "free_cbk": ffi.NULL,
                "flags": _DEFAULT_FLAGS,
            },
        )
        code = core(context, Type.ID.value)
        if code != _OK:
            raise CryptoError(f"argon2-cffi: {error_to_str(code)}", operation=CryptoOperation.HASH)
        return bytes(ffi.buffer(out, hash_len))


BACKEND = Argon2CffiArgon2()
_: Argon2Backend = BACKEND
