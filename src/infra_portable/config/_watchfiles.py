"""Native file-change notification through ``watchfiles`` (Rust ``notify``).

Only a wake-up signal: the watcher still decides what changed by comparing file
states, so a missed or spurious event costs at most one ``interval`` of delay.
The parent folders are watched (not the files) because editors often replace a
file by renaming a new one over it; folders that do not exist yet are left to
the timeout-driven poll.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["wait_for_change", "watch_in_thread"]

# watchfiles waits this long (ms) for more events before yielding a batch.
_DEBOUNCE_MS = 50


def _targets(paths: list[str]) -> tuple[list[str], Callable[[Any, str], bool]]:
    wanted = set(paths)
    folders = sorted({os.path.dirname(p) for p in paths if os.path.isdir(os.path.dirname(p))})

    def only_ours(_change: Any, path: str) -> bool:
        return os.path.abspath(path) in wanted

    return folders, only_ours


async def wait_for_change(paths: list[str], interval: float) -> bool:
    """Wait up to ``interval`` seconds for one of ``paths`` to change; True if one did."""
    import asyncio

    import watchfiles

    folders, only_ours = _targets(paths)
    if not folders:
        await asyncio.sleep(interval)
        return False
    changes = watchfiles.awatch(
        *folders,
        watch_filter=only_ours,
        debounce=_DEBOUNCE_MS,
        rust_timeout=max(1, int(interval * 1000)),
        yield_on_timeout=True,
        recursive=False,
    )
    try:
        batch = await changes.__anext__()
    finally:
        await changes.aclose()
    return bool(batch)


def watch_in_thread(
    paths: list[str], interval: float, stop: threading.Event, wake: Callable[[], None]
) -> None:
    """Call ``wake`` after each batch of changes, and at least every ``interval``, until ``stop``."""
    import watchfiles

    folders, only_ours = _targets(paths)
    if not folders:
        while not stop.wait(interval):
            wake()
        return
    for _batch in watchfiles.watch(
        *folders,
        watch_filter=only_ours,
        debounce=_DEBOUNCE_MS,
        rust_timeout=max(1, int(interval * 1000)),
        yield_on_timeout=True,
        stop_event=stop,
        recursive=False,
    ):
        if stop.is_set():
            return
        wake()
