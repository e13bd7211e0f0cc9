"""``doctor()``: what runtime is this and which implementation each capability uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra_portable.runtime._capabilities import REGISTRY
from infra_portable.runtime._detect import current, has_jspi, in_node, in_worker, interpreter
from infra_portable.runtime._registry import Candidate, Registry

__all__ = ["CapabilityReport", "DoctorReport", "doctor"]


@dataclass(frozen=True, slots=True)
class CapabilityReport:
    name: str
    summary: str
    env_var: str
    chosen: str | None
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True, slots=True)
class DoctorReport:
    runtime: str
    interpreter: str
    probes: dict[str, bool] = field(default_factory=dict)
    capabilities: tuple[CapabilityReport, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "runtime": self.runtime,
            "interpreter": self.interpreter,
            "probes": dict(self.probes),
            "capabilities": {
                c.name: {
                    "chosen": c.chosen,
                    "env_var": c.env_var,
                    "candidates": [
                        {
                            "name": k.name,
                            "chosen": k.chosen,
                            "available": k.available,
                            "reason": k.reason,
                        }
                        for k in c.candidates
                    ],
                }
                for c in self.capabilities
            },
        }

    def __str__(self) -> str:
        lines = [
            f"runtime      {self.runtime}",
            f"interpreter  {self.interpreter}",
        ]
        if self.probes:
            lines.append(
                "probes       "
                + ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in self.probes.items())
            )
        rows = [("capability", "implementation", "status", "why")]
        for cap in self.capabilities:
            for cand in cap.candidates:
                status = "CHOSEN" if cand.chosen else ("available" if cand.available else "missing")
                rows.append((cap.name, cand.name, status, cand.reason))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines.append("")
        for i, row in enumerate(rows):
            lines.append(
                "  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)) + "  " + row[3]
            )
            if i == 0:
                lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 3)
        overrides = ", ".join(c.env_var for c in self.capabilities)
        lines.append("")
        lines.append(f"override with an argument, or the environment: {overrides}")
        return "\n".join(lines)


def doctor(registry: Registry = REGISTRY) -> DoctorReport:
    """Probe the runtime and every registered capability (imports each candidate)."""
    reports = []
    for cap in registry.capabilities():
        candidates = tuple(registry.explain(cap.name))
        chosen = next((c.name for c in candidates if c.chosen), None)
        reports.append(CapabilityReport(cap.name, cap.summary, cap.env_var, chosen, candidates))
    runtime = current()
    probes = {}
    if runtime.value == "pyodide":
        probes = {"node": in_node(), "worker": in_worker(), "jspi": has_jspi()}
    return DoctorReport(runtime.value, interpreter(), probes, tuple(reports))
