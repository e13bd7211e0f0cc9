"""infra_portable: LLM-ops infrastructure that runs the same on CPython, Pyodide and WASI.

Modules are imported on first attribute access, so ``import infra_portable``
costs almost nothing and pulls in no optional dependency::

    import infra_portable as ip
    ip.doctor()                     # which runtime, which implementation per capability
    ip.json.loads('{"a": 1}')
    ip.id.uuid7()
    ip.vector.VectorStore.create("docs", 384)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from infra_portable.errors import InfraError

if TYPE_CHECKING:
    from infra_portable import config, crypto, errors, id, json, runtime, vector
    from infra_portable.runtime import DoctorReport

__version__ = "0.1.0"

__all__ = [
    "InfraError",
    "__version__",
    "config",
    "crypto",
    "doctor",
    "errors",
    "id",
    "json",
    "runtime",
    "vector",
]

_SUBMODULES = frozenset({"config", "crypto", "errors", "id", "json", "runtime", "vector"})


def doctor() -> DoctorReport:
    """Report the runtime and the implementation each capability chose, and why."""
    from infra_portable.runtime import doctor as _doctor

    return _doctor()


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"infra_portable.{name}")
    raise AttributeError(f"module 'infra_portable' has no attribute {name!r}")
