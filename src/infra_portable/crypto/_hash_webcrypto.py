"""SHA-2 digests as coroutines: the browser's WebCrypto in Pyodide, ``hashlib`` elsewhere.

In Pyodide ``digest_async`` hands the bytes to ``crypto.subtle.digest``, which
runs off the main thread and is fastest for large inputs; the result is the same
as ``hashlib``'s. Pages that are not a secure context have no ``crypto.subtle``:
there (and natively, and under WASI, which has no JavaScript) the digest is
computed with ``hashlib`` and the coroutine never waits.
``JsException`` never leaves this module: it becomes CryptoError.
"""

from __future__ import annotations

from typing import Any

from infra_portable.crypto._encoding import BytesLike, to_bytes
from infra_portable.crypto._hash import digest, normalize_algorithm
from infra_portable.errors import CryptoError, CryptoOperation
from infra_portable.runtime import is_pyodide

__all__ = ["WEBCRYPTO_ALGORITHMS", "digest_async", "uses_webcrypto"]

# Our names -> WebCrypto's. SubtleCrypto has no SHA-3 or BLAKE digests.
_WEBCRYPTO_NAMES = {"sha256": "SHA-256", "sha384": "SHA-384", "sha512": "SHA-512"}
WEBCRYPTO_ALGORITHMS: tuple[str, ...] = tuple(_WEBCRYPTO_NAMES)


def _js_subtle() -> Any | None:
    """``crypto.subtle`` when this is Pyodide in a secure context, else None."""
    if not is_pyodide():
        return None
    import js

    js_crypto = getattr(js, "crypto", None)
    return getattr(js_crypto, "subtle", None) if js_crypto is not None else None


def uses_webcrypto() -> bool:
    """Whether :func:`digest_async` calls WebCrypto here (Pyodide in a secure context)."""
    return _js_subtle() is not None


async def _subtle_digest(js_subtle: Any, js_name: str, raw: bytes) -> bytes:
    import js
    from pyodide.ffi import JsException

    try:
        # Copy into JS memory: a view on the wasm heap could move if the heap grows
        # while the promise is pending.
        js_data = js.Uint8Array.new(len(raw))
        js_data.assign(raw)
        js_buffer = await js_subtle.digest(js_name, js_data)
        return bytes(js.Uint8Array.new(js_buffer).to_bytes())
    except JsException as exc:
        raise CryptoError(
            f"WebCrypto {js_name} digest failed: {exc}", operation=CryptoOperation.HASH
        ) from exc


async def digest_async(data: BytesLike | str, algorithm: str = "sha256") -> bytes:
    """The SHA-256/384/512 digest of ``data`` (str as UTF-8), via WebCrypto in Pyodide."""
    name = normalize_algorithm(algorithm, WEBCRYPTO_ALGORITHMS)
    raw = to_bytes(data, "data")
    js_subtle = _js_subtle()
    if js_subtle is None:
        return digest(raw, name)
    return await _subtle_digest(js_subtle, _WEBCRYPTO_NAMES[name], raw)
