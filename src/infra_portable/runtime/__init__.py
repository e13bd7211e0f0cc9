"""Runtime detection, the capability registry and ``doctor``.

Sits between ``errors`` (layer 0) and the layer-1 modules: every module finds
its implementation through ``REGISTRY``.
"""

from __future__ import annotations

from infra_portable.runtime._capabilities import REGISTRY
from infra_portable.runtime._detect import (
    Runtime,
    current,
    has_jspi,
    in_node,
    in_worker,
    interpreter,
    is_native,
    is_pyodide,
    is_wasi,
)
from infra_portable.runtime._doctor import CapabilityReport, DoctorReport, doctor
from infra_portable.runtime._registry import (
    ENV_PREFIX,
    Candidate,
    Capability,
    Implementation,
    Registry,
    env_var,
)

__all__ = [
    "Runtime",
    "current",
    "is_native",
    "is_pyodide",
    "is_wasi",
    "in_node",
    "in_worker",
    "has_jspi",
    "interpreter",
    "REGISTRY",
    "Registry",
    "Capability",
    "Implementation",
    "Candidate",
    "ENV_PREFIX",
    "env_var",
    "doctor",
    "DoctorReport",
    "CapabilityReport",
]
