"""Helpers shared by the vector tests (data sets, reference distances, backends).

Data sets are made with ``random.Random`` so they are the same in every runtime.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra_portable.vector import VectorStore

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Backend:
    index: str
    math: str | None

    @property
    def label(self) -> str:
        return self.index if self.math is None else f"{self.index}/{self.math}"

    def store(self, dimensions: int = 8, distance: str = "cosine", **options: Any) -> VectorStore:
        options.setdefault("exact_threshold", 0)
        return VectorStore.create(
            "test", dimensions, distance, index=self.index, math=self.math, **options
        )


BACKENDS = [Backend("hnswlib", None), Backend("hnsw", "numpy"), Backend("hnsw", "pure")]


def clustered(n: int, dim: int, seed: int = 1, clusters: int = 12) -> list[list[float]]:
    """Points around random centres: structured like embeddings, unlike uniform noise."""
    rng = random.Random(seed)
    centres = [[rng.gauss(0, 1) for _ in range(dim)] for _ in range(clusters)]
    return [[c + 0.35 * rng.gauss(0, 1) for c in rng.choice(centres)] for _ in range(n)]


def distance(a: list[float], b: list[float], metric: str) -> float:
    """The reference distance (double precision) the stores must agree with."""
    if metric == "l2":
        return sum((x - y) ** 2 for x, y in zip(a, b, strict=True))
    if metric == "cosine":
        na = math.sqrt(sum(x * x for x in a))
        nb = math.sqrt(sum(x * x for x in b))
        return 1.0 - sum(x * y for x, y in zip(a, b, strict=True)) / (na * nb)
    return 1.0 - sum(x * y for x, y in zip(a, b, strict=True))


def brute_force(
    data: dict[str, list[float]], query: list[float], k: int, metric: str
) -> list[tuple[float, str]]:
    return sorted((distance(v, query, metric), i) for i, v in data.items())[:k]


def recall(found: list[str], truth: list[str]) -> float:
    return len(set(found) & set(truth)) / max(len(truth), 1)
