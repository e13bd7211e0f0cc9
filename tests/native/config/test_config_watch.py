"""Hot reload: polling driven by an injected clock, events, broken edits, async iteration."""

from __future__ import annotations

import importlib.util
import io
import logging
import shutil
import tempfile
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from infra_portable.config import MASK, ConfigChange, ConfigLoader, ConfigWatcher
from infra_portable.errors import ConfigError, InfraError


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A fresh folder, removed afterwards.

    Replaces pytest's ``tmp_path``, whose base folder is named after
    ``os.getuid()``, which WASI does not have.
    """
    folder = Path(tempfile.mkdtemp(prefix="infra-config-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


T = TypeVar("T")
Drive = Callable[[Coroutine[Any, Any, T]], T]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    base = tmp_path / "config.toml"
    base.write_text('[http]\ntimeout_secs = 30\nretries = 2\n[db]\npassword = "p1"\n')
    local = tmp_path / "local.json"
    local.write_text('{"http": {"retries": 5}, "feature": {"beta": true}}')
    return base, local


def watcher_for(files: tuple[Path, Path], clock: FakeClock, **kwargs: Any) -> ConfigWatcher:
    base, local = files
    loader = ConfigLoader().with_file(base).with_file(local, required=False)
    return loader.watch(interval=1.0, backend="poll", clock=clock, **kwargs)


def kinds(changes: list[ConfigChange]) -> list[tuple[str, str | None]]:
    return [(c.kind, c.key) for c in changes]


def test_edit_reports_key_changes_then_reloaded(files: tuple[Path, Path], clock: FakeClock) -> None:
    watcher = watcher_for(files, clock)
    seen: list[ConfigChange] = []
    watcher.on_change(seen.append)
    old_checksum = watcher.config.checksum
    files[0].write_text(
        '[http]\ntimeout_secs = 10\nretries = 2\nproxy = "p"\n[db]\npassword = "p1"\n'
    )
    changes = watcher.poll(force=True)
    assert kinds(changes) == [
        ("updated", "http.proxy"),
        ("updated", "http.timeout_secs"),
        ("reloaded", None),
    ]
    assert changes[0].old is None
    assert changes[0].new == "p"
    assert (changes[1].old, changes[1].new) == (30, 10)
    reloaded = changes[-1]
    assert (reloaded.old, reloaded.new) == (old_checksum, watcher.config.checksum)
    assert reloaded.config is watcher.config
    assert seen == changes
    assert watcher.config.get("http.timeout_secs") == 10
    assert watcher.poll(force=True) == []  # nothing new


def test_polls_at_most_once_per_interval_of_the_clock(
    files: tuple[Path, Path], clock: FakeClock
) -> None:
    watcher = watcher_for(files, clock)
    files[0].write_text("[http]\ntimeout_secs = 1\n")
    assert watcher.poll() == []  # not due yet
    clock.advance(0.5)
    assert watcher.poll() == []
    clock.advance(0.5)
    assert ("updated", "http.timeout_secs") in kinds(watcher.poll())
    files[0].write_text("[http]\ntimeout_secs = 2\n")
    assert watcher.poll() == []  # the last poll reset the interval
    clock.advance(1.0)
    assert watcher.config.get("http.timeout_secs") == 1
    watcher.poll()
    assert watcher.config.get("http.timeout_secs") == 2


def test_same_size_edit_and_rewrite_with_same_content(
    files: tuple[Path, Path], clock: FakeClock
) -> None:
    watcher = watcher_for(files, clock)
    text = files[1].read_text()
    files[1].write_text(text.replace("true", "TRUE".lower()))  # same bytes: no events
    assert watcher.poll(force=True) == []
    files[1].write_text(text.replace('"retries": 5', '"retries": 6'))  # same size
    assert kinds(watcher.poll(force=True))[0] == ("updated", "http.retries")


def test_deleting_an_optional_file_deletes_its_keys(
    files: tuple[Path, Path], clock: FakeClock
) -> None:
    watcher = watcher_for(files, clock)
    files[1].unlink()
    changes = watcher.poll(force=True)
    assert kinds(changes) == [
        ("deleted", "feature.beta"),
        ("updated", "http.retries"),
        ("reloaded", None),
    ]
    assert changes[0].old is True
    assert changes[0].new is None
    assert (changes[1].old, changes[1].new) == (5, 2)
    files[1].write_text('{"feature": {"beta": false}}')
    assert ("updated", "feature.beta") in kinds(watcher.poll(force=True))


def test_broken_edit_keeps_the_last_good_config_and_reports_once(
    files: tuple[Path, Path], clock: FakeClock
) -> None:
    watcher = watcher_for(files, clock)
    errors: list[InfraError] = []
    watcher.on_error(errors.append)
    good = watcher.config
    files[0].write_text("[http\ntimeout_secs = 1\n")
    assert watcher.poll(force=True) == []
    assert watcher.config is good
    assert len(errors) == 1
    assert isinstance(errors[0], ConfigError)
    assert "line 1" in errors[0].message
    assert watcher.last_error is errors[0]
    assert watcher.poll(force=True) == []
    assert len(errors) == 1  # the same broken state is not reported again
    files[0].write_text("[http]\ntimeout_secs = 1\n")
    assert ("updated", "http.timeout_secs") in kinds(watcher.poll(force=True))
    assert watcher.last_error is None


def test_deleting_a_required_file_keeps_the_last_good_config(
    files: tuple[Path, Path], clock: FakeClock
) -> None:
    watcher = watcher_for(files, clock)  # no on_error callback: the failure is logged
    stream = io.StringIO()  # our own handler: WASI runs pytest without caplog
    handler = logging.StreamHandler(stream)
    logging.getLogger("infra_portable.config").addHandler(handler)
    files[0].unlink()
    try:
        assert watcher.poll(force=True) == []
    finally:
        logging.getLogger("infra_portable.config").removeHandler(handler)
    assert watcher.config.get("http.timeout_secs") == 30
    assert isinstance(watcher.last_error, ConfigError)
    assert watcher.last_error.key == str(files[0])
    assert "keeping the last good config" in stream.getvalue()


def test_a_failing_callback_is_reported_and_others_still_run(
    files: tuple[Path, Path], clock: FakeClock
) -> None:
    watcher = watcher_for(files, clock)
    errors: list[InfraError] = []
    seen: list[ConfigChange] = []

    def broken(change: ConfigChange) -> None:
        raise RuntimeError("handler bug")

    watcher.on_change(broken)
    unsubscribe = watcher.on_change(seen.append)
    watcher.on_error(errors.append)
    files[0].write_text("[http]\ntimeout_secs = 1\n")
    changes = watcher.poll(force=True)
    assert seen == changes
    assert len(errors) == len(changes)
    assert isinstance(errors[0].__cause__, RuntimeError)
    unsubscribe()
    files[0].write_text("[http]\ntimeout_secs = 2\n")
    watcher.poll(force=True)
    assert len(seen) == len(changes)


def test_secret_values_are_masked_in_events(files: tuple[Path, Path], clock: FakeClock) -> None:
    pytest.importorskip("infra_portable.crypto._aead")
    base, local = files
    loader = ConfigLoader().with_file(base).with_file(local).with_secret_keys("db.password")
    watcher = loader.watch(interval=1.0, backend="poll", clock=clock)
    base.write_text('[http]\ntimeout_secs = 30\nretries = 2\n[db]\npassword = "p2-new"\n')
    changes = watcher.poll(force=True)
    assert kinds(changes) == [("updated", "db.password"), ("reloaded", None)]
    assert (changes[0].old, changes[0].new) == (MASK, MASK)
    assert "p1" not in repr(changes)
    assert "p2-new" not in repr(changes)
    assert watcher.config.reveal("db.password") == "p2-new"


def test_reload_rereads_every_source(clock: FakeClock) -> None:
    version = {"n": 1}
    loader = ConfigLoader().with_source(lambda: {"remote": {"version": version["n"]}})
    watcher = loader.watch(interval=1.0, backend="poll", clock=clock)
    assert watcher.poll(force=True) == []  # no files: polling alone sees nothing
    version["n"] = 2
    assert kinds(watcher.reload()) == [("updated", "remote.version"), ("reloaded", None)]


def test_async_iteration_is_driven_by_the_injected_sleep(
    files: tuple[Path, Path], clock: FakeClock, run_coro: Drive[list[ConfigChange]]
) -> None:
    slept: list[float] = []
    edits = iter(
        [
            lambda: None,
            lambda: files[0].write_text(
                "[http]\ntimeout_secs = 7\nretries = 2\n[db]\npassword = 'p1'\n"
            ),
        ]
    )

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)
        next(edits, lambda: None)()

    watcher = watcher_for(files, clock, sleep=fake_sleep)

    async def collect() -> list[ConfigChange]:
        got: list[ConfigChange] = []
        async for change in watcher:
            got.append(change)
            if change.kind == "reloaded":
                watcher.close()
        return got

    changes = run_coro(collect())
    assert kinds(changes) == [("updated", "http.timeout_secs"), ("reloaded", None)]
    assert slept == [1.0, 1.0]


def test_closed_watcher_stops_iteration(
    files: tuple[Path, Path], clock: FakeClock, run_coro: Drive[list[ConfigChange]]
) -> None:
    watcher = watcher_for(files, clock)
    watcher.close()

    async def collect() -> list[ConfigChange]:
        return [change async for change in watcher]

    assert run_coro(collect()) == []
    assert watcher.poll(force=True) == []


def test_bad_arguments_and_a_failing_first_load(tmp_path: Path) -> None:
    loader = ConfigLoader().with_dict({})
    with pytest.raises(ConfigError):
        loader.watch(interval=0)
    with pytest.raises(ConfigError):
        loader.watch(backend="inotify")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        ConfigLoader().with_file(tmp_path / "missing.toml").watch()


@pytest.mark.skip_runtime("native", reason="native runtimes have threads")
def test_no_background_thread_without_threads(files: tuple[Path, Path], clock: FakeClock) -> None:
    watcher = watcher_for(files, clock)
    assert watcher.backend == "poll"
    with pytest.raises(ConfigError, match="threads"):
        watcher.start()


def _watchfiles_available() -> bool:
    try:
        return importlib.util.find_spec("watchfiles") is not None
    except ImportError:  # blocked by INFRA_PORTABLE_BLOCK_NATIVE
        return False


WAIT = 10.0  # seconds: the bound on each real-time test below


@pytest.mark.native_only(reason="a background thread and real file events")
@pytest.mark.parametrize("backend", ["poll", "watchfiles"])
def test_background_thread_reloads_on_a_real_edit(files: tuple[Path, Path], backend: str) -> None:
    if backend == "watchfiles" and not _watchfiles_available():
        pytest.skip("watchfiles (extra config-watch) is not installed or is blocked")
    loader = ConfigLoader().with_file(files[0])
    got = threading.Event()
    with loader.watch(interval=0.05, backend=backend) as watcher:  # type: ignore[arg-type]
        assert watcher.backend == backend
        watcher.on_change(lambda change: got.set() if change.kind == "reloaded" else None)
        watcher.start()
        files[0].write_text("[http]\ntimeout_secs = 3\n")
        assert got.wait(WAIT), "no reload within the bound"
        assert watcher.config.get("http.timeout_secs") == 3


@pytest.mark.native_only(reason="asyncio event loop and real file events")
def test_async_iteration_with_watchfiles(files: tuple[Path, Path]) -> None:
    if not _watchfiles_available():
        pytest.skip("watchfiles (extra config-watch) is not installed or is blocked")
    import asyncio

    async def main() -> ConfigChange:
        watcher = ConfigLoader().with_file(files[0]).watch(interval=0.2, backend="watchfiles")
        async with watcher:
            iterator = aiter(watcher)

            async def first_reload() -> ConfigChange:
                async for change in iterator:
                    if change.kind == "reloaded":
                        return change
                raise AssertionError("iteration ended")

            task = asyncio.ensure_future(first_reload())
            await asyncio.sleep(0.05)
            files[0].write_text("[http]\ntimeout_secs = 4\n")
            return await asyncio.wait_for(task, WAIT)

    change = asyncio.run(main())
    assert change.config is not None
    assert change.config.get("http.timeout_secs") == 4
