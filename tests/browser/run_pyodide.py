"""Run the portable suite (``tests/native``) inside Pyodide in headless Chromium.

    python tests/browser/run_pyodide.py [--summary FILE] [--timeout SECONDS]
                                        [--tests-dir DIR] [--env KEY=VALUE] [-- pytest args]

Paths after ``--`` inside the suite (``-- tests/native/http``) run just those tests.

Steps: ``npm ci`` for the pinned Pyodide (when missing), build infra_portable's wheel,
download the pinned pure-Python wheels (requirements-pyodide.txt, once), serve them
with Pyodide and a zip of the suite on 127.0.0.1, start the loopback HTTP server the
client tests call (tests/support/loopback_http.py) on another port, so the page reaches
it cross-origin and CORS is exercised, and pass its URL into Pyodide's environment as
INFRA_PORTABLE_TEST_HTTP_URL (when that is set already, that server is used instead),
then in Chromium: load Pyodide, unpack the wheels into site-packages (no micropip: it
needs Pyodide's CDN), unpack the suite and run pytest. Python's output streams here as it arrives.

Tests are counted by ``tests/support/pytest_counts.py`` (shared with the other
runtimes: each test once, by its worst phase). The last line printed is
``pyodide: N passed, N failed, N skipped`` (expected failures count as passed,
collection errors as failed, as scripts/run_suites.py adds them); ``--summary``
writes pytest_counts' JSON plus ``runtime``, ``errors`` (tests whose setup or
teardown failed, already in ``failed``), ``harness_exit_code``, ``timed_out`` and
``seconds``.

Exit status: 0 all passed; 1 a test failed or errored, or collection failed; 2 the
run did not finish (a harness error, or Pyodide died); 3 timeout (the browser is
killed and the running test counts as failed); 5 no test ran.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The shared helpers live in browser/_assets.py; importing them must not leave a
# __pycache__ in the repo.
sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "browser"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "support"))

import loopback_http  # noqa: E402 (after the lines above, on purpose)
import oauth_server  # noqa: E402 (after the lines above, on purpose)
from _assets import (  # noqa: E402 (after the lines above, on purpose)
    REPO_ROOT,
    AssetServer,
    Chromium,
    PhaseTimer,
    build_library_wheel,
    download_pinned_wheels,
    ensure_pyodide,
    log,
    serve_wheels,
)

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements-pyodide.txt"
PROJECT_DIR = "/home/pyodide/project"  # in Pyodide's in-memory FS
# Python modules copied into Pyodide to run the suite: the runner, and the counting
# plugin every runtime's harness shares.
RUNNER_MODULES = {
    "_pyodide_runner.py": HERE / "_pyodide_runner.py",
    "pytest_counts.py": REPO_ROOT / "tests" / "support" / "pytest_counts.py",
}
DEFAULT_TIMEOUT_S = 20 * 60
# Env vars forwarded from the host into Pyodide when set (a smaller example count
# for a quick run, say); others go through --env.
# The loopback server's URL is one of them: set, it replaces the server started here.
FORWARDED_ENV = ("INFRA_PORTABLE_HYPOTHESIS_EXAMPLES", loopback_http.ENV, oauth_server.ENV)
EXIT_OK, EXIT_FAILED, EXIT_HARNESS, EXIT_TIMEOUT, EXIT_NO_TESTS = 0, 1, 2, 3, 5
SKIP_IN_ZIP = {"__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache"}


class HarnessTimeout(Exception):
    """The run's wall-clock budget ran out."""


# pytest_counts' rule: each test counts once, by its worst phase.
_RANK = {"passed": 0, "xpassed": 1, "xfailed": 1, "skipped": 2, "failed": 3}


@dataclass
class Progress:
    """What the page has reported so far: enough to explain a hang or a timeout."""

    outcomes: dict[str, str] = field(default_factory=dict)
    collection_errors: int = 0
    running: str | None = None

    def on_event(self, event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "start":
            self.running = event["nodeid"]
        elif kind == "finish":
            self.running = None
        elif kind == "collection_error":
            self.collection_errors += 1
        elif kind == "outcome":
            self._merge(event["nodeid"], event["outcome"], event["when"])

    def _merge(self, nodeid: str, outcome: str, when: str) -> None:
        previous = self.outcomes.get(nodeid)
        if previous == "failed":
            return
        if previous is not None and when != "call" and outcome in {"passed", "xpassed"}:
            return
        if previous is None or when == "call" or _RANK[outcome] > _RANK[previous]:
            self.outcomes[nodeid] = outcome

    def counts(self) -> dict[str, Any]:
        """Partial counts in pytest_counts' shape, for a run that never finished.

        The test that was running when it stopped (it hung, or crashed Pyodide) failed.
        """
        outcomes = dict(self.outcomes)
        if self.running is not None:
            outcomes[self.running] = "failed"
        counts: dict[str, Any] = dict.fromkeys(_RANK, 0)
        for outcome in outcomes.values():
            counts[outcome] += 1
        counts["collection_errors"] = self.collection_errors
        return counts


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
            skipped = SKIP_IN_ZIP.intersection(relative.parts) or path.suffix == ".pyc"
            if path.is_file() and not skipped:
                archive.write(path, f"{inner}/{relative.as_posix()}")
        # The suite's support modules (the OAuth server's address type, say), where the
        # tests look for them: tests/support beside the suite folder.
        support = REPO_ROOT / "tests" / "support"
        for path in sorted(support.glob("*.py")):
            archive.write(path, f"{Path(inner).parent.as_posix()}/support/{path.name}")
    return buffer.getvalue(), inner


def pytest_arguments(inner: str, extra: list[str]) -> list[str]:
    """pytest's arguments: the suite folder, unless ``extra`` names tests inside it.

    ``-- tests/native/http`` (or a node id under it) runs just those, as under WASI.
    """
    named = any(arg == inner or arg.startswith(f"{inner}/") for arg in extra)
    return [*([] if named else [inner]), "-p", "no:cacheprovider", "-q", "-rs", *extra]


def print_console(message: ConsoleMessage, progress: Progress) -> None:
    """Route one page console message: Python output, a harness event, or browser noise."""
    text = message.text
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


@contextmanager
def test_servers(opts: Options) -> Iterator[Options]:
    """``opts`` with the loopback HTTP server's URL and the Authlib server's address in the
    suite's env; each started here (the OAuth one in its own process) unless given."""
    given = oauth_server.from_env(opts.env.get(oauth_server.ENV, ""))
    with (
        loopback_http.serving_unless(opts.env.get(loopback_http.ENV)) as url,
        oauth_server.subprocess_unless(given) as authorization,
    ):
        log(f"loopback HTTP server: {url}; OAuth authorization server: {authorization.base_url}")
        env = {loopback_http.ENV: url, oauth_server.ENV: oauth_server.to_env(authorization)}
        yield replace(opts, env={**opts.env, **env})


def run_stage(page: Page, name: str, arg: dict[str, Any]) -> Any:
    """Await one stage of harness.mjs; its JS exception surfaces as a Playwright Error."""
    return page.evaluate(f"(arg) => window.harness.{name}(arg)", arg)


def open_harness(page: Page, url: str, progress: Progress) -> None:
    page.on("console", lambda message: print_console(message, progress))
    page.on("pageerror", lambda error: log(f"page error: {error}"))
    page.on("crash", lambda _page: log("the page crashed (out of memory?)"))
    page.goto(url + "harness/harness.html")
    page.wait_for_function("() => window.harness !== undefined")


def run_suite_in_page(page: Page, opts: Options, timer: PhaseTimer, inner: str) -> dict[str, Any]:
    with timer.phase("pyodide load"):
        version = run_stage(page, "load", {"indexURL": "/pyodide/"})
    log(f"pyodide {version}")
    with timer.phase("install"):
        install_arg = {
            "wheelsURL": "/wheels/",
            "testsZipURL": "/suite.zip",
            "projectDir": PROJECT_DIR,
        }
        installed = run_stage(page, "install", install_arg)
    log(f"installed {', '.join(installed)}")
    args = pytest_arguments(inner, opts.pytest_args)
    log(f"pytest {' '.join(args)}")
    with timer.phase("test run"):
        run_arg = {
            "modules": {name: f"/harness/{name}" for name in RUNNER_MODULES},
            "args": args,
            "env": opts.env,
            "projectDir": PROJECT_DIR,
        }
        result: dict[str, Any] = run_stage(page, "run", run_arg)
    return result


def run_in_browser(
    server: AssetServer,
    opts: Options,
    timer: PhaseTimer,
    progress: Progress,
    inner: str,
    deadline: float,
) -> dict[str, Any]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, Chromium() as chromium:
        # Armed before anything can block: it is the only timeout that holds when a
        # test spins the page's main thread (Playwright's own waits stall with it).
        watchdog = chromium.kill_after(deadline - time.monotonic())
        try:
            with timer.phase("browser start"):
                browser = chromium.connect(playwright)
                page = browser.contexts[0].new_page()
                open_harness(page, server.url, progress)
            return run_suite_in_page(page, opts, timer, inner)
        except PlaywrightError as exc:
            if chromium.killed.is_set():
                raise HarnessTimeout from exc
            raise
        finally:
            watchdog.cancel()


def serve_assets(server: AssetServer, wheels: list[Path], dist: Path, suite: bytes) -> None:
    server.add_dir("/pyodide/", dist)
    server.add_file("/browser/loader.mjs", REPO_ROOT / "browser" / "loader.mjs")
    for name in ("harness.html", "harness.mjs"):
        server.add_file(f"/harness/{name}", HERE / name)
    for name, path in RUNNER_MODULES.items():
        server.add_file(f"/harness/{name}", path)
    serve_wheels(server, wheels)
    server.add_file("/suite.zip", suite)


def exit_status(result: dict[str, Any], timed_out: bool) -> int:
    if timed_out:
        return EXIT_TIMEOUT
    if result.get("exit_code") is None:
        return EXIT_HARNESS
    if result["failed"] or result["collection_errors"]:
        return EXIT_FAILED
    if result["passed"] + result["xfailed"] + result["xpassed"] == 0:
        return EXIT_NO_TESTS
    # pytest may still fail the session (an internal error, a usage error...).
    return EXIT_OK if result["exit_code"] == 0 else EXIT_FAILED


def closing_counts(result: dict[str, Any]) -> tuple[int, int, int]:
    """(passed, failed, skipped) as scripts/run_suites.py adds them up for every runtime.

    An expected failure counts as passed; a collection error as failed.
    """
    passed = result.get("passed", 0) + result.get("xfailed", 0) + result.get("xpassed", 0)
    failed = result.get("failed", 0) + result.get("collection_errors", 0)
    return passed, failed, result.get("skipped", 0)


def report(result: dict[str, Any], status: int, summary: Path | None, seconds: float) -> None:
    """Write the JSON summary and print the closing line."""
    if summary is not None:
        document = {
            "runtime": "pyodide",
            **dict.fromkeys(_RANK, 0),
            "collection_errors": 0,
            "errors": 0,
            **result,
            "harness_exit_code": status,
            "timed_out": status == EXIT_TIMEOUT,
            "seconds": round(seconds, 1),
        }
        if document.get("exit_code") is None:  # pytest never finished: say why
            document["exit_code"] = status
        summary.parent.mkdir(parents=True, exist_ok=True)
        summary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    passed, failed, skipped = closing_counts(result)
    print(f"pyodide: {passed} passed, {failed} failed, {skipped} skipped", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    timer = PhaseTimer()
    progress = Progress()
    result: dict[str, Any] = {}
    timed_out = False
    started = time.monotonic()
    deadline = started + opts.timeout_s
    try:
        with timer.phase("npm"):
            dist = ensure_pyodide()
        with timer.phase("wheels"):
            wheels = [*download_pinned_wheels(REQUIREMENTS), build_library_wheel()]
        suite, inner = suite_zip(opts.tests_dir)
        with AssetServer() as server, test_servers(opts) as opts_with_server:
            serve_assets(server, wheels, dist, suite)
            result = run_in_browser(server, opts_with_server, timer, progress, inner, deadline)
    except HarnessTimeout:
        timed_out = True
        where = f" while running {progress.running}" if progress.running else ""
        log(f"TIMEOUT after {opts.timeout_s:.0f}s{where}; the browser was killed")
        result = progress.counts()
    except Exception as exc:  # report any harness failure as one clear line, not a hang
        where = f" while running {progress.running}" if progress.running else ""
        log(f"harness error{where}: {type(exc).__name__}: {exc}")
        result = progress.counts()
    status = exit_status(result, timed_out)
    log(timer.summary())
    report(result, status, opts.summary, time.monotonic() - started)
    return status


if __name__ == "__main__":
    sys.exit(main())
