"""Ed25519 and X25519 through the browser's WebCrypto (``crypto.subtle``), Pyodide only.

Used by the ``*_async`` methods of the key classes. Chromium 137+ and recent
Firefox/Safari implement both algorithms; :func:`available` probes once
(importing a known public key) and the callers fall back to the synchronous
backend when it answers False. ``JsException`` never leaves this module: a
rejected X25519 derivation (small-order peer) becomes an all-zero secret like
the other backends, anything else CryptoError.
"""

from __future__ import annotations

import sys
from typing import Any

from infra_portable.errors import CryptoError, CryptoOperation

__all__ = ["available", "ed25519_sign", "ed25519_verify", "x25519"]

_probe: bool | None = None
# RFC 8032 §7.1 TEST 1 public key: any valid key would do for the probe.
_PROBE_KEY = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def _subtle() -> Any:
    import js

    return js.crypto.subtle


def _u8(data: bytes) -> Any:
    from pyodide.ffi import to_js

    return to_js(data)


def _algorithm(name: str, **extra: Any) -> Any:
    import js
    from pyodide.ffi import to_js

    return to_js({"name": name, **extra}, dict_converter=js.Object.fromEntries)


async def available() -> bool:
    """Whether this page's WebCrypto implements Ed25519 and X25519 (probed once)."""
    global _probe
    if _probe is None:
        if sys.platform != "emscripten":
            _probe = False
        else:
            try:
                subtle = _subtle()
                await subtle.importKey(
                    "raw", _u8(_PROBE_KEY), _algorithm("Ed25519"), False, _js_list("verify")
                )
                await subtle.importKey(
                    "raw", _u8(_PROBE_KEY), _algorithm("X25519"), False, _js_list()
                )
                _probe = True
            except Exception:  # any JsException: the algorithms are missing here
                _probe = False
    return _probe


def _js_list(*items: str) -> Any:
    from pyodide.ffi import to_js

    return to_js(list(items))


def _bytes(js_buffer: Any) -> bytes:
    import js

    return bytes(js.Uint8Array.new(js_buffer).to_py())


# Imported CryptoKeys by (format, algorithm, usage, key bytes): importing costs
# a second round trip through the JS event loop, as much as the operation itself.
# Bounded, and only holds key material the caller's key objects already hold.
_KEY_CACHE: dict[tuple[str, str, str, bytes], Any] = {}
_KEY_CACHE_SIZE = 64


async def _import(fmt: str, data: bytes, algorithm: str, usage: str) -> Any:
    cache_key = (fmt, algorithm, usage, data)
    key = _KEY_CACHE.get(cache_key)
    if key is None:
        usages = _js_list(usage) if usage else _js_list()
        key = await _subtle().importKey(fmt, _u8(data), _algorithm(algorithm), False, usages)
        if len(_KEY_CACHE) >= _KEY_CACHE_SIZE:
            _KEY_CACHE.pop(next(iter(_KEY_CACHE)))
        _KEY_CACHE[cache_key] = key
    return key


async def ed25519_sign(pkcs8: bytes, message: bytes) -> bytes:
    """Sign with a PKCS#8 private key."""
    subtle = _subtle()
    try:
        key = await _import("pkcs8", pkcs8, "Ed25519", "sign")
        return _bytes(await subtle.sign(_algorithm("Ed25519"), key, _u8(message)))
    except Exception as exc:
        raise CryptoError(
            f"WebCrypto Ed25519 signing failed: {exc}", operation=CryptoOperation.SIGN
        ) from exc


async def ed25519_verify(public: bytes, signature: bytes, message: bytes) -> bool:
    """Whether the signature is valid (the caller applied the shared input rules)."""
    subtle = _subtle()
    try:
        key = await _import("raw", public, "Ed25519", "verify")
        return bool(await subtle.verify(_algorithm("Ed25519"), key, _u8(signature), _u8(message)))
    except Exception:
        # Chromium refuses to import some off-curve keys; every backend says False.
        return False


async def x25519(pkcs8: bytes, peer_public: bytes) -> bytes:
    """The raw shared secret; all zeros when WebCrypto refuses a small-order peer."""
    subtle = _subtle()
    try:
        private = await _import("pkcs8", pkcs8, "X25519", "deriveBits")
        peer = await _import("raw", peer_public, "X25519", "")
    except Exception as exc:
        raise CryptoError(
            f"WebCrypto X25519 key import failed: {exc}", operation=CryptoOperation.KEY_GENERATION
        ) from exc
    try:
        bits = await subtle.deriveBits(_algorithm("X25519", public=peer), private, 256)
    except Exception:
        # WebCrypto rejects an all-zero result (OperationError), as OpenSSL does.
        return bytes(32)
    return _bytes(bits)
