"""``EmbeddingNormalizer``: L2 normalisation of embeddings (seed 002 §2.5)."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["EmbeddingNormalizer"]


class EmbeddingNormalizer:
    """Unit-length copies of vectors; a zero vector stays zero (it has no direction)."""

    @staticmethod
    def normalize(vector: Sequence[float]) -> list[float]:
        norm = math.sqrt(math.fsum(float(x) * float(x) for x in vector))
        if norm == 0.0:
            return [float(x) for x in vector]
        return [float(x) / norm for x in vector]

    @staticmethod
    def normalize_batch(vectors: Sequence[Sequence[float]]) -> list[list[float]]:
        return [EmbeddingNormalizer.normalize(v) for v in vectors]
