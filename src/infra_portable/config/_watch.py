"""Hot reload: ``ConfigWatcher`` reloads when a source file changes and reports what changed.

How changes are noticed:

* ``poll()`` (every runtime): compares each file's mtime, size and SHA-256 with
  the last look, at most once per ``interval`` of the injected clock
  (``poll(force=True)`` looks now). Synchronous and deterministic.
* ``async for change in watcher`` (every runtime): polls, then waits. Natively
  with ``watchfiles`` installed it waits for a filesystem event (at most
  ``interval``); otherwise it awaits the injected ``sleep``.
* ``start()`` (native only): a daemon thread that waits on ``watchfiles`` (or
  sleeps ``interval``) and polls; callbacks then run on that thread. Pyodide and
  WASI have no threads, so there ``start()`` is a ConfigError.

A reload that fails (a syntax error mid-edit, a deleted required file) keeps the
last good config and goes to the ``on_error`` callbacks (logged when there are
none); the watcher itself never raises from polling. Secret values in events
show as ``"***"``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Self

from infra_portable.config._config import Config
from infra_portable.config._secret import MASK, Secret
from infra_portable.config._sources import file_state
from infra_portable.errors import ConfigError, InfraError
from infra_portable.runtime import is_native

if TYPE_CHECKING:
    from infra_portable.config._loader import ConfigLoader

__all__ = ["ChangeKind", "ConfigChange", "ConfigWatcher", "diff_configs"]

ChangeKind = Literal["updated", "deleted", "reloaded"]
_log = logging.getLogger("infra_portable.config")


@dataclass(frozen=True, slots=True)
class ConfigChange:
    """One change: a key ``updated`` (added keys have ``old=None``) or ``deleted``,
    then one ``reloaded`` per reload (``key=None``, ``old``/``new`` the checksums,
    ``config`` the new Config)."""

    kind: ChangeKind
    key: str | None
    old: Any = None
    new: Any = None
    config: Config | None = field(default=None, repr=False, compare=False)


def _shown(value: Any) -> Any:
    return MASK if isinstance(value, Secret) else value


def _same(a: Any, b: Any) -> bool:
    # 1, 1.0 and True compare equal in Python but are different settings.
    return type(a) is type(b) and a == b


def diff_configs(old: Config, new: Config) -> list[ConfigChange]:
    """The key-level changes from ``old`` to ``new`` (sorted by key), then ``reloaded``."""
    before, after = old.flat(), new.flat()
    changes: list[ConfigChange] = []
    for key in sorted(before.keys() | after.keys()):
        if key not in after:
            changes.append(ConfigChange("deleted", key, _shown(before[key]), None))
        elif key not in before or not _same(before[key], after[key]):
            changes.append(
                ConfigChange("updated", key, _shown(before.get(key)), _shown(after[key]))
            )
    if changes or old.checksum != new.checksum:
        changes.append(ConfigChange("reloaded", None, old.checksum, new.checksum, new))
    return changes


class ConfigWatcher:
    """The current config of a loader, kept up to date; see the module docstring."""

    def __init__(
        self,
        loader: ConfigLoader,
        *,
        interval: float = 1.0,
        backend: Literal["auto", "poll", "watchfiles"] = "auto",
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> None:
        if interval <= 0:
            raise ConfigError("the watch interval must be positive", key="interval")
        self.interval = float(interval)
        self.backend: Literal["poll", "watchfiles"] = _choose_backend(backend)
        self._loader = loader
        self._clock = clock or time.monotonic
        self._sleep = sleep
        self._paths = [os.path.abspath(p) for p in loader.files]
        self._lock = threading.Lock()
        # Look at the files before loading: an edit racing the load is then
        # seen by the next poll instead of being lost.
        self._states = self._look()
        self._config = loader.load()
        self._next_due = self._clock() + self.interval
        self._on_change: list[Callable[[ConfigChange], object]] = []
        self._on_error: list[Callable[[InfraError], object]] = []
        self._pending: deque[ConfigChange] = deque()
        self._iterating = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.last_error: InfraError | None = None

    @property
    def config(self) -> Config:
        """The last config that loaded successfully."""
        return self._config

    @property
    def paths(self) -> list[str]:
        """The absolute paths of the watched files."""
        return list(self._paths)

    # -- subscribing ---------------------------------------------------------------
    def on_change(self, callback: Callable[[ConfigChange], object]) -> Callable[[], None]:
        """Call ``callback`` with each change; returns a function that unsubscribes."""
        self._on_change.append(callback)
        return lambda: self._on_change.remove(callback)

    def on_error(self, callback: Callable[[InfraError], object]) -> Callable[[], None]:
        """Call ``callback`` with each failed reload; returns a function that unsubscribes."""
        self._on_error.append(callback)
        return lambda: self._on_error.remove(callback)

    # -- polling -------------------------------------------------------------------
    def _look(self) -> dict[str, tuple[int, int, str] | None]:
        return {path: file_state(path) for path in self._paths}

    def poll(self, *, force: bool = False) -> list[ConfigChange]:
        """Reload if a file changed since the last look; returns the changes delivered.

        Looks at most once per ``interval`` of the clock unless ``force``.
        """
        if self._closed:
            return []
        now = self._clock()
        if not force and now < self._next_due:
            return []
        self._next_due = now + self.interval
        with self._lock:
            states = self._look()
            if states == self._states:
                return []
            # Remember the new state even if the reload fails, so a broken edit
            # is reported once rather than at every poll.
            self._states = states
            return self._reload_locked()

    def reload(self) -> list[ConfigChange]:
        """Reload every source now (remote and environment ones included)."""
        with self._lock:
            self._states = self._look()
            return self._reload_locked()

    def _reload_locked(self) -> list[ConfigChange]:
        try:
            new = self._loader.load()
        except InfraError as exc:
            self._report(exc)
            return []
        except Exception as exc:  # a source's own bug must not stop the watcher
            error = ConfigError(f"reload failed: {type(exc).__name__}: {exc}")
            error.__cause__ = exc
            self._report(error)
            return []
        changes = diff_configs(self._config, new)
        self._config = new
        self.last_error = None
        for change in changes:
            if self._iterating:
                self._pending.append(change)
            for callback in list(self._on_change):
                try:
                    callback(change)
                except Exception as exc:
                    error = ConfigError(f"an on_change callback failed: {exc!r}")
                    error.__cause__ = exc
                    self._report(error)
        return changes

    def _report(self, error: InfraError) -> None:
        self.last_error = error
        if not self._on_error:
            _log.warning("config reload failed; keeping the last good config: %s", error)
        for callback in list(self._on_error):
            try:
                callback(error)
            except Exception:
                _log.exception("a config on_error callback failed")

    # -- async iteration -------------------------------------------------------------
    def __aiter__(self) -> Self:
        self._iterating = True
        return self

    async def __anext__(self) -> ConfigChange:
        while True:
            if self._pending:
                return self._pending.popleft()
            if self._closed:
                raise StopAsyncIteration
            self.poll()
            if not self._pending and not self._closed:
                await self._wait()

    async def _wait(self) -> None:
        delay = max(0.0, self._next_due - self._clock())
        if self._sleep is not None:
            await self._sleep(delay)
            return
        if self.backend == "watchfiles" and self._thread is None:
            from infra_portable.config._watchfiles import wait_for_change

            if await wait_for_change(self._paths, self.interval):
                self._next_due = self._clock()
            return
        import asyncio

        await asyncio.sleep(delay)

    # -- background thread (native only) -------------------------------------------------
    def start(self) -> Self:
        """Watch on a daemon thread (native only); callbacks run on that thread."""
        if not is_native():
            raise ConfigError(
                "background watching needs threads; drive the watcher with poll() or async for"
            )
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="infra-portable-config-watch", daemon=True
            )
            self._thread.start()
        return self

    def _run(self) -> None:
        try:
            if self.backend == "watchfiles":
                from infra_portable.config._watchfiles import watch_in_thread

                watch_in_thread(self._paths, self.interval, self._stop, self._wake)
            else:
                while not self._stop.wait(self.interval):
                    self.poll(force=True)
        except Exception as exc:
            error = ConfigError(f"the config watch thread stopped: {exc!r}")
            error.__cause__ = exc
            self._report(error)

    def _wake(self) -> None:
        self.poll(force=True)

    def close(self) -> None:
        """Stop watching: ends async iteration and the background thread."""
        self._closed = True
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.interval + 5.0)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


def _choose_backend(requested: str) -> Literal["poll", "watchfiles"]:
    if requested == "poll":
        return "poll"
    if requested not in ("auto", "watchfiles"):
        raise ConfigError("the watch backend is 'auto', 'poll' or 'watchfiles'", key="backend")
    available = False
    if is_native():
        try:
            import watchfiles  # noqa: F401

            available = True
        except ImportError:
            pass
    if requested == "watchfiles" and not available:
        raise ConfigError(
            "the watchfiles backend needs watchfiles (native only): "
            "pip install 'infra-portable[config-watch]'",
            key="backend",
        )
    return "watchfiles" if available else "poll"
