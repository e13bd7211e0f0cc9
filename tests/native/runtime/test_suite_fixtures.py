"""The portable suite's own plumbing works in every runtime (tmp_path, async drivers)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any


def test_tmp_path_is_writable(tmp_path: Path) -> None:
    # WASI has no os.getuid, which pytest's default temp root needs: the WASI
    # runner passes --basetemp so that this fixture works there too.
    target = tmp_path / "nested" / "file.txt"
    target.parent.mkdir()
    target.write_text("héllo", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "héllo"


def test_run_async_runs_a_coroutine(run_async: Callable[[Coroutine[Any, Any, int]], int]) -> None:
    async def add(a: int, b: int) -> int:
        return a + b

    assert run_async(add(2, 3)) == 5
