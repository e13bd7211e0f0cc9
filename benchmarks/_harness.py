"""Tiny timing harness shared by the benchmark modules.

Each ``bench_*.py`` module exposes ``run(quick: bool) -> list[Group]``. A group
times our implementation and its peers in the same process, one after another,
and reports ops/s and the ratio of ours to the best peer against a target.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def ops_per_second(fn: Callable[[], object], *, min_time: float = 0.2, repeats: int = 5) -> float:
    """Best of ``repeats`` runs of a loop calling ``fn`` for at least ``min_time`` seconds."""
    # Calibrate the loop count so one run lasts about min_time.
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time / 10 or n >= 1 << 24:
            break
        n *= 2
    loops = max(1, int(n * (min_time / max(elapsed, 1e-9))))
    best = 0.0
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(loops):
                fn()
            elapsed = time.perf_counter() - start
            best = max(best, loops / elapsed)
    finally:
        if gc_was_enabled:
            gc.enable()
    return best


@dataclass
class Group:
    """One operation, ours vs peers. ``target`` is the minimum ours/best-peer ratio."""

    name: str
    target: float
    ours: dict[str, float] = field(default_factory=dict)
    peers: dict[str, float] = field(default_factory=dict)
    note: str = ""

    @property
    def best_ours(self) -> tuple[str, float]:
        return max(self.ours.items(), key=lambda kv: kv[1])

    @property
    def best_peer(self) -> tuple[str, float] | None:
        return max(self.peers.items(), key=lambda kv: kv[1]) if self.peers else None

    @property
    def ratio(self) -> float | None:
        peer = self.best_peer
        return None if peer is None else self.best_ours[1] / peer[1]

    @property
    def met(self) -> bool | None:
        ratio = self.ratio
        return None if ratio is None else ratio >= self.target
