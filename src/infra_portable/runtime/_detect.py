"""Which runtime is this, and what can it do? Each probe is defined once and cached.

``sys.platform`` tells the runtime: ``"emscripten"`` is Pyodide, ``"wasi"`` is
WASI (wasmtime), anything else is a native CPython. The Pyodide probes look at
the JS global scope through the FFI; objects from there are named ``js_...``.
"""

from __future__ import annotations

import functools
import sys
from enum import StrEnum

__all__ = [
    "Runtime",
    "current",
    "has_jspi",
    "in_node",
    "in_worker",
    "interpreter",
    "is_native",
    "is_pyodide",
    "is_wasi",
]


class Runtime(StrEnum):
    NATIVE = "native"
    PYODIDE = "pyodide"
    WASI = "wasi"


@functools.cache
def current() -> Runtime:
    """The runtime this interpreter is running in."""
    if sys.platform == "emscripten":
        return Runtime.PYODIDE
    if sys.platform == "wasi":
        return Runtime.WASI
    return Runtime.NATIVE


def is_native() -> bool:
    return current() is Runtime.NATIVE


def is_pyodide() -> bool:
    return current() is Runtime.PYODIDE


def is_wasi() -> bool:
    return current() is Runtime.WASI


@functools.cache
def in_node() -> bool:
    """Pyodide hosted by Node.js rather than a browser."""
    if not is_pyodide():
        return False
    import js

    js_process = getattr(js, "process", None)
    return js_process is not None and getattr(js_process, "release", None) is not None


@functools.cache
def in_worker() -> bool:
    """Pyodide running in a web worker (no DOM; synchronous XHR allowed)."""
    if not is_pyodide() or in_node():
        return False
    import js

    return getattr(js, "WorkerGlobalScope", None) is not None and not hasattr(js, "document")


@functools.cache
def has_jspi() -> bool:
    """Whether JS promise integration lets synchronous Python wait on JS promises."""
    if not is_pyodide():
        return False
    try:
        from pyodide.ffi import can_run_sync
    except ImportError:
        return False
    try:
        return bool(can_run_sync())
    except Exception:
        return False


@functools.cache
def interpreter() -> str:
    """A one-line description of the interpreter, e.g. ``CPython 3.11.7 (linux)``."""
    impl = sys.implementation.name
    name = {"cpython": "CPython"}.get(impl, impl)
    version = ".".join(str(p) for p in sys.version_info[:3])
    extra = ""
    if is_pyodide():
        try:
            import pyodide

            extra = f", Pyodide {pyodide.__version__}"
        except ImportError:  # pragma: no cover - emscripten without pyodide
            pass
    return f"{name} {version} ({sys.platform}{extra})"
