"""A readers-writer lock: many searches at once, or one write.

Threads exist natively; in Pyodide and under WASI ``threading`` still works
(with one thread), so the same code runs everywhere. The guards are small
classes rather than generator context managers: a search takes the read lock
on every call, so its cost is part of every query.
"""

from __future__ import annotations

import threading
from types import TracebackType

__all__ = ["RWLock"]


class RWLock:
    """Many readers or one writer (``with lock.read:`` / ``with lock.write:``)."""

    def __init__(self) -> None:
        # ``with`` on the bare mutex is C code; the condition is only for waiting.
        self._mutex = threading.Lock()
        self._cond = threading.Condition(self._mutex)
        self._readers = 0
        self._writer = False
        self._waiting = 0  # writers waiting for the readers to leave
        self.read = _Read(self)
        self.write = _Write(self)


class _Guard:
    __slots__ = ("_lock",)

    def __init__(self, lock: RWLock) -> None:
        self._lock = lock


class _Read(_Guard):
    __slots__ = ()

    def __enter__(self) -> None:
        lock = self._lock
        with lock._mutex:
            while lock._writer:
                lock._cond.wait()
            lock._readers += 1

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        lock = self._lock
        with lock._mutex:
            lock._readers -= 1
            if not lock._readers and lock._waiting:
                lock._cond.notify_all()


class _Write(_Guard):
    __slots__ = ()

    def __enter__(self) -> None:
        lock = self._lock
        with lock._mutex:
            lock._waiting += 1
            while lock._writer or lock._readers:
                lock._cond.wait()
            lock._waiting -= 1
            lock._writer = True

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        lock = self._lock
        with lock._mutex:
            lock._writer = False
            lock._cond.notify_all()
