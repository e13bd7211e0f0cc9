"""ECDSA P-256 and RSA signatures through the browser's WebCrypto (Pyodide only).

Used by the ``*_async`` methods of the key classes in Pyodide. Keys are imported
from their JWK once and the ``CryptoKey`` is kept by the key object. WebCrypto
ECDSA signatures are raw r‖s and randomised. Any JavaScript error becomes a
:class:`CryptoError`; nothing from ``js`` escapes.
"""

from __future__ import annotations

from typing import Any

from infra_portable.errors import CryptoError, CryptoOperation

__all__ = ["import_key", "sign", "verify"]


def _algorithm(name: str, salt_length: int | None = None) -> Any:
    import js
    from pyodide.ffi import to_js

    params: dict[str, Any] = {"name": name}
    if name == "ECDSA":
        params["namedCurve"] = "P-256"
        params["hash"] = "SHA-256"
    elif name in ("RSASSA-PKCS1-v1_5", "RSA-PSS"):
        params["hash"] = "SHA-256"
    if salt_length is not None:
        params["saltLength"] = salt_length
    return to_js(params, dict_converter=js.Object.fromEntries)


def _bytes(data: bytes) -> Any:
    from pyodide.ffi import to_js

    return to_js(data)


async def import_key(jwk: dict[str, str], algorithm: str) -> Any:
    """A WebCrypto ``CryptoKey`` for ``algorithm`` from a public or private JWK."""
    import js
    from pyodide.ffi import JsException, to_js

    private = "d" in jwk
    usages = to_js(["sign"] if private else ["verify"])
    js_jwk = to_js(dict(jwk, ext=True), dict_converter=js.Object.fromEntries)
    try:
        return await js.crypto.subtle.importKey("jwk", js_jwk, _algorithm(algorithm), False, usages)
    except JsException as exc:
        operation = CryptoOperation.SIGN if private else CryptoOperation.VERIFY
        raise CryptoError(f"WebCrypto rejected the key: {exc}", operation=operation) from None


async def sign(
    js_key: Any, algorithm: str, message: bytes, salt_length: int | None = None
) -> bytes:
    import js
    from pyodide.ffi import JsException

    try:
        buffer = await js.crypto.subtle.sign(
            _algorithm(algorithm, salt_length), js_key, _bytes(message)
        )
    except JsException as exc:
        raise CryptoError(f"WebCrypto sign failed: {exc}", operation=CryptoOperation.SIGN) from None
    return bytes(js.Uint8Array.new(buffer).to_py())


async def verify(
    js_key: Any, algorithm: str, signature: bytes, message: bytes, salt_length: int | None = None
) -> bool:
    import js
    from pyodide.ffi import JsException

    try:
        ok = await js.crypto.subtle.verify(
            _algorithm(algorithm, salt_length), js_key, _bytes(signature), _bytes(message)
        )
    except JsException as exc:
        raise CryptoError(
            f"WebCrypto verify failed: {exc}", operation=CryptoOperation.VERIFY
        ) from None
    return bool(ok)
