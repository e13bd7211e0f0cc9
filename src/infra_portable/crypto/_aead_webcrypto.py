"""AES-256-GCM through the browser's WebCrypto (``crypto.subtle``); Pyodide only.

Used by the ``*_async`` methods of :class:`~infra_portable.crypto.Aes256Gcm` in
Pyodide: WebCrypto runs in native code and never blocks the page, but it is
promise-based, so there is no synchronous form. WebCrypto has no
ChaCha20-Poly1305, so that cipher's async methods use the sync backend.

``js`` objects are named ``js_...``; any ``JsException`` (WebCrypto's
``OperationError`` on a bad tag) is translated to CryptoError.
"""

from __future__ import annotations

from typing import Any

from infra_portable.crypto._aead_base import TAG_SIZE, authentication_failed
from infra_portable.errors import CryptoError, CryptoOperation

__all__ = ["available", "decrypt", "encrypt", "import_key"]


def available() -> bool:
    """Whether ``crypto.subtle`` exists here (Pyodide in a secure context)."""
    try:
        import js
    except ImportError:
        return False
    js_crypto = getattr(js, "crypto", None)
    return js_crypto is not None and getattr(js_crypto, "subtle", None) is not None


def _u8(data: bytes) -> Any:
    from pyodide.ffi import to_js

    return to_js(bytes(data))


def _params(nonce: bytes, aad: bytes) -> Any:
    import js
    from pyodide.ffi import to_js

    return to_js(
        {"name": "AES-GCM", "iv": _u8(nonce), "additionalData": _u8(aad), "tagLength": 128},
        dict_converter=js.Object.fromEntries,
    )


async def import_key(key: bytes) -> Any:
    """A non-extractable WebCrypto AES-GCM key (a ``CryptoKey`` proxy)."""
    import js
    from pyodide.ffi import JsException, to_js

    try:
        return await js.crypto.subtle.importKey(
            "raw", _u8(key), "AES-GCM", False, to_js(["encrypt", "decrypt"])
        )
    except JsException as exc:
        raise CryptoError(
            f"WebCrypto rejected the key: {exc}", operation=CryptoOperation.KEY_GENERATION
        ) from exc


async def encrypt(js_key: Any, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """``ciphertext || tag``, as WebCrypto returns it."""
    import js
    from pyodide.ffi import JsException

    try:
        js_buffer = await js.crypto.subtle.encrypt(_params(nonce, aad), js_key, _u8(plaintext))
    except JsException as exc:
        raise CryptoError(
            f"WebCrypto encryption failed: {exc}", operation=CryptoOperation.ENCRYPT
        ) from exc
    return bytes(js.Uint8Array.new(js_buffer).to_bytes())


async def decrypt(js_key: Any, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    """The plaintext; CryptoError(operation=DECRYPT) when the tag does not verify."""
    import js
    from pyodide.ffi import JsException

    if len(data) < TAG_SIZE:
        raise authentication_failed("the input is shorter than the tag")
    try:
        js_buffer = await js.crypto.subtle.decrypt(_params(nonce, aad), js_key, _u8(data))
    except JsException as exc:
        raise authentication_failed() from exc
    return bytes(js.Uint8Array.new(js_buffer).to_bytes())
