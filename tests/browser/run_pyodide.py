"""Run the portable suite (``tests/native``) inside Pyodide in headless Chromium.

    python tests/browser/run_pyodide.py [--summary FILE] [--timeout SECONDS]
                                        [--tests-dir DIR] [--env KEY=VALUE] [-- pytest args]

Steps: ``npm ci`` for the pinned Pyodide (when missing), build infra_portable's wheel,
download the pinned pure-Python wheels (requirements-pyodide.txt, once), serve them
with Pyodide and a zip of the suite on 127.0.0.1, then in Chromium: load Pyodide,
unpack the wheels into site-packages (no micropip: it needs Pyodide's CDN), unpack
the suite and run pytest. Python's output streams here as it arrives.

The last line printed is ``pyodide: N passed, N failed, N skipped``; ``--summary``
writes the same counts as JSON. Exit status: 0 all passed; 1 a test failed or
errored, or collection failed; 2 the harness itself failed; 3 timeout; 5 no test ran.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "browser"))

from _assets import (
    NPM_DIR,
    REPO_ROOT,
    AssetError,
    AssetServer,
    PhaseTimer,
    build_library_wheel,
    download_pinned_wheels,
    ensure_pyodide,
    launch_chromium,
    log,
    serve_wheels,
)

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements-pyodide.txt"
PROJECT_DIR = "/home/pyodide/project"  # in Pyodide's in-memory FS
DEFAULT_TIMEOUT_S = 20 * 60
# Env vars forwarded from the host into Pyodide when set (a smaller example count
# for a quick run, say); others go through --env.
FORWARDED_ENV = ("INFRA_PORTABLE_HYPOTHESIS_EXAMPLES",)
EXIT_OK, EXIT_FAILED, EXIT_HARNESS, EXIT_TIMEOUT, EXIT_NO_TESTS = 0, 1, 2, 3, 5
SKIP_IN_ZIP = {"__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache"}


class HarnessTimeout(Exception):
    """The run's wall-clock budget ran out."""


@dataclass
class Progress:
    """What the page has reported so far: enough to explain a hang or a timeout."""

    counts: Counter[str] = field(default_factory=Counter)
    running: str | None = None

    def on_event(self, event: dict[str, Any]) -> None:
        if event["event"] == "start":
            self.running = event["nodeid"]
        elif event["event"] == "finish":
            self.running = None
        elif event["event"] == "outcome":
            self.counts[event["outcome"]] += 1


@dataclass(frozen=True, slots=True)
class Options:
    summary: Path | None
    timeout_s: float
    tests_dir: Path
    env: dict[str, str]
    pytest_args: list[str]


def parse_args(argv: Sequence[str]) -> Options:
    own, extra = _split_at_double_dash(list(argv))
    parser = argparse.ArgumentParser(
        prog="run_pyodide.py",
        description="Run tests/native inside Pyodide in headless Chromium.",
        epilog="Arguments after -- go to pytest.",
    )
    parser.add_argument("--summary", type=Path, help="write the counts as JSON to this file")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help=f"wall-clock budget in seconds for the whole run (default {DEFAULT_TIMEOUT_S})",
    )
    parser.add_argument(
        "--tests-dir",
        type=Path,
        default=REPO_ROOT / "tests" / "native",
        help="the test folder to copy into Pyodide (default: tests/native)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set an environment variable inside Pyodide (repeatable)",
    )
    ns = parser.parse_args(own)
    env = {key: os.environ[key] for key in FORWARDED_ENV if key in os.environ}
    for item in ns.env:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--env wants KEY=VALUE, got {item!r}")
        env[key] = value
    tests_dir = ns.tests_dir.resolve()
    if not tests_dir.is_dir():
        parser.error(f"--tests-dir {tests_dir} is not a folder")
    return Options(ns.summary, ns.timeout, tests_dir, env, extra)


def _split_at_double_dash(argv: list[str]) -> tuple[list[str], list[str]]:
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1 :]
    return argv, []


def suite_zip(tests_dir: Path) -> tuple[bytes, str]:
    """A zip of pyproject.toml and the test folder, laid out as in the repo.

    Returns the zip and the folder's path inside it (what pytest is pointed at).
    """
    try:
        inner = tests_dir.relative_to(REPO_ROOT).as_posix()
    except ValueError:  # a folder outside the repo (a scratch suite): put it under tests/
        inner = f"tests/{tests_dir.name}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # pyproject.toml carries the suite's pytest config: markers, strict, warnings.
        archive.write(REPO_ROOT / "pyproject.toml", "pyproject.toml")
        for path in sorted(tests_dir.rglob("*")):
            relative = path.relative_to(tests_dir)
            if path.is_file() and not SKIP_IN_ZIP.intersection(relative.parts):
                if path.suffix not in {".pyc", ".pyo"}:
                    archive.write(path, f"{inner}/{relative.as_posix()}")
    return buffer.getvalue(), inner


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining_ms(self) -> float:
        left = self._end - time.monotonic()
        if left <= 0:
            raise HarnessTimeout
        return left * 1000


def print_console(message: Any, progress: Progress) -> None:
    """Route one page console message: Python output, a harness event, or browser noise."""
    text: str = message.text
    tag, sep, rest = text.partition("|")
    # Python's writes are forwarded verbatim, newlines included.
    if sep and tag == "py:out":
        print(rest, end="", flush=True)
    elif sep and tag == "py:err":
        print(rest, end="", file=sys.stderr, flush=True)
    elif sep and tag == "py:evt":
        progress.on_event(json.loads(rest))
    else:
        print(f"[browser {message.type}] {text}", file=sys.stderr, flush=True)


def run_stage(page: Any, name: str, arg: dict[str, Any], deadline: Deadline) -> Any:
    """Start a page stage and wait for it, bounded by the deadline (see harness.mjs)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.evaluate("([name, arg]) => window.harness.start(name, arg)", [name, arg])
    try:
        # Poll on a timer: rAF polling stalls in a background page, and a stage that
        # blocks the main thread is still cut off by the driver-side timeout.
        page.wait_for_function(
            f"() => window.harness.state[{json.dumps(name)}].done",
            polling=250,
            timeout=deadline.remaining_ms(),
        )
    except PlaywrightTimeout as exc:
        raise HarnessTimeout from exc
    state = page.evaluate(f"() => window.harness.state[{json.dumps(name)}]")
    if not state["ok"]:
        raise AssetError(f"page stage {name!r} failed:\n{state['error']}")
    return state["value"]


def run_in_browser(
    server: AssetServer, opts: Options, timer: PhaseTimer, progress: Progress, inner: str
) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    deadline = Deadline(opts.timeout_s - sum(timer.durations.values()))
    with sync_playwright() as playwright:
        with timer.phase("browser start"):
            browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            page.on("console", lambda message: print_console(message, progress))
            page.on("pageerror", lambda error: log(f"page error: {error}"))
            page.on("crash", lambda _page: log("the page crashed (out of memory?)"))
            page.goto(server.url + "harness/harness.html", timeout=deadline.remaining_ms())
            page.wait_for_function("() => window.harness", timeout=deadline.remaining_ms())
            with timer.phase("pyodide load"):
                version = run_stage(page, "load", {"indexURL": "/pyodide/"}, deadline)
            log(f"pyodide {version}")
            with timer.phase("install"):
                installed = run_stage(
                    page,
                    "install",
                    {
                        "wheelsURL": "/wheels/",
                        "testsZipURL": "/suite.zip",
                        "projectDir": PROJECT_DIR,
                    },
                    deadline,
                )
            log(f"installed {', '.join(installed)}")
            args = [inner, "-p", "no:cacheprovider", "-q", "-rs", *opts.pytest_args]
            log(f"pytest {' '.join(args)}")
            with timer.phase("test run"):
                run_arg = {
                    "runnerURL": "/harness/_pyodide_runner.py",
                    "args": args,
                    "env": opts.env,
                    "projectDir": PROJECT_DIR,
                }
                result: dict[str, Any] = run_stage(page, "run", run_arg, deadline)
            return result
        finally:
            # On a timeout the page may be wedged in a test; closing kills the renderer.
            browser.close()


def serve_assets(server: AssetServer, wheels: list[Path], dist: Path, suite: bytes) -> None:
    server.add_dir("/pyodide/", dist)
    server.add_dir("/browser/", REPO_ROOT / "browser")
    for name in ("harness.html", "harness.mjs", "_pyodide_runner.py"):
        server.add_file(f"/harness/{name}", HERE / name)
    serve_wheels(server, wheels)
    server.add_file("/suite.zip", suite)


def exit_status(result: dict[str, Any], timed_out: bool) -> int:
    if timed_out:
        return EXIT_TIMEOUT
    if result.get("exit_code") is None:
        return EXIT_HARNESS
    if result["failed"] or result["errors"] or result["collection_errors"]:
        return EXIT_FAILED
    if result["passed"] + result["xpassed"] == 0:
        return EXIT_NO_TESTS
    # pytest may still fail the session (an internal error, usage error, -x...).
    return EXIT_OK if result["exit_code"] == 0 else EXIT_FAILED


def report(result: dict[str, Any], status: int, summary: Path | None) -> None:
    """Print the closing line and write the JSON summary."""
    passed = result.get("passed", 0) + result.get("xpassed", 0)
    errors = result.get("errors", 0) + result.get("collection_errors", 0)
    failed = result.get("failed", 0) + errors
    skipped = result.get("skipped", 0) + result.get("xfailed", 0)
    if summary is not None:
        document = {
            "runtime": "pyodide",
            "passed": passed,
            "failed": failed,
            "skipped": skipped,
            "errors": errors,
            "exit_code": status,
            "pytest_exit_code": result.get("exit_code"),
            "xfailed": result.get("xfailed", 0),
            "xpassed": result.get("xpassed", 0),
            "timed_out": status == EXIT_TIMEOUT,
        }
        summary.parent.mkdir(parents=True, exist_ok=True)
        summary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"pyodide: {passed} passed, {failed} failed, {skipped} skipped", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    timer = PhaseTimer()
    progress = Progress()
    result: dict[str, Any] = {}
    timed_out = False
    try:
        with timer.phase("npm"):
            dist = ensure_pyodide()
        with timer.phase("wheels"):
            wheels = [*download_pinned_wheels(REQUIREMENTS), build_library_wheel()]
        suite, inner = suite_zip(opts.tests_dir)
        with AssetServer() as server:
            serve_assets(server, wheels, dist, suite)
            result = run_in_browser(server, opts, timer, progress, inner)
    except HarnessTimeout:
        timed_out = True
        where = f" while running {progress.running}" if progress.running else ""
        log(f"TIMEOUT after {opts.timeout_s:.0f}s{where}; the browser was closed")
        result = dict(progress.counts)
    except Exception as exc:  # report any harness failure as one clear line, not a hang
        log(f"harness error: {type(exc).__name__}: {exc}")
        result = dict(progress.counts)
    status = exit_status(result, timed_out)
    log(timer.summary())
    report(result, status, opts.summary)
    return status


if __name__ == "__main__":
    sys.exit(main())
