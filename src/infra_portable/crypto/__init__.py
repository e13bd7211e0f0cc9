"""Layer 1: cryptography that gives byte-identical results in every runtime (seed 002 §2.7).

Being written (issue 3); the public names are re-exported here as each part lands.
"""

from __future__ import annotations

__all__: list[str] = []
