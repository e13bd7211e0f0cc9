"""The vector benchmarks' data set, shared by ``bench_vector.py`` and ``edge_vector.py``.

100k x 128 float32 is the issue's size; the rows are low-rank (a 16-d gaussian
latent projected to 128-d, plus noise) because uniform random 128-d data is a
poor test set: every point is almost equidistant from every other. Queries
are fresh draws from the same distribution. Ground truth is exact, by numpy.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

K = 10
DIMS = 128
LATENT = 16
NOISE = 0.25  # per-component noise std; the latent part has unit variance per component
SEED = 20240611


def low_rank(n: int, n_queries: int) -> tuple[Any, Any]:
    """Rows and queries: latent(., 16) @ proj(16, 128) + noise, float32, seeded."""
    rng = np.random.default_rng(SEED)
    proj = rng.standard_normal((LATENT, DIMS)) / math.sqrt(LATENT)

    def draw(count: int) -> Any:
        out = np.empty((count, DIMS), np.float32)
        for start in range(0, count, 16384):  # bounded float64 temporaries
            m = min(16384, count - start)
            latent = rng.standard_normal((m, LATENT))
            out[start : start + m] = latent @ proj + NOISE * rng.standard_normal((m, DIMS))
        return out

    return draw(n), draw(n_queries)


def unit(a: Any) -> Any:
    """Rows scaled to unit length (in float64, stored as float32)."""
    return (a / np.linalg.norm(a.astype(np.float64), axis=1, keepdims=True)).astype(np.float32)


def ground_truth(xn: Any, qn: Any) -> Any:
    """Exact top-K labels per query (cosine on unit rows), nearest first, in query blocks."""
    out = np.empty((len(qn), K), np.int64)
    for start in range(0, len(qn), 128):
        sims = qn[start : start + 128] @ xn.T
        top = np.argpartition(-sims, K - 1, axis=1)[:, :K]
        order = np.argsort(-np.take_along_axis(sims, top, axis=1), axis=1, kind="stable")
        out[start : start + 128] = np.take_along_axis(top, order, axis=1)
    return out
