"""Runs inside Pyodide (loaded by harness.mjs): pytest over the unpacked suite.

The counts come from ``tests/support/pytest_counts.py``, the plugin every runtime's
harness uses, so a test counts the same way here as on CPython and WASI (once, by
its worst phase). This module adds a second plugin that streams each test's start,
outcome and finish to the driver as it happens (``console.log("py:evt|{json}")``,
which bypasses pytest's capture), so a hang names the test that hung and a timeout
still reports partial counts.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

EVENT_PREFIX = "py:evt|"
COUNTS_KEYS = ("passed", "failed", "skipped", "xfailed", "xpassed", "collection_errors")


def emit(event: str, **fields: object) -> None:
    """Send one event to the driver through the browser console."""
    import js

    js.console.log(EVENT_PREFIX + json.dumps({"event": event, **fields}))


def outcome_of(report: pytest.TestReport) -> str:
    """One report's outcome in pytest_counts' vocabulary."""
    if report.passed:
        return "xpassed" if hasattr(report, "wasxfail") else "passed"
    if report.skipped:
        return "xfailed" if hasattr(report, "wasxfail") else "skipped"
    return "failed"


class ProgressEvents:
    """A pytest plugin object streaming progress, and counting setup/teardown errors."""

    def __init__(self) -> None:
        self.errored: set[str] = set()

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        emit("start", nodeid=nodeid)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        emit("finish", nodeid=nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed and report.when != "call":
            self.errored.add(report.nodeid)
        emit("outcome", nodeid=report.nodeid, outcome=outcome_of(report), when=report.when)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            emit("collection_error", nodeid=report.nodeid)


def run_pytest(args: list[str], env: dict[str, str], project_dir: str) -> dict[str, Any]:
    """Run pytest with ``args`` from ``project_dir``; return the counts and exit code.

    ``pytest_counts.py`` must sit next to this file (harness.mjs writes both).
    """
    here = Path(__file__).resolve().parent
    counts_file = here / "counts.json"
    os.environ.update(env)
    os.environ["INFRA_PORTABLE_COUNTS_FILE"] = str(counts_file)
    # Same rootdir layout as the repo (pyproject.toml + tests/...), so the suite's pytest
    # config and node ids are exactly the native ones.
    os.chdir(project_dir)
    sys.dont_write_bytecode = True
    events = ProgressEvents()
    started = time.perf_counter()
    exit_code = pytest.main([*args, "-p", "pytest_counts"], plugins=[events])
    if counts_file.exists():
        counts: dict[str, Any] = json.loads(counts_file.read_text(encoding="utf-8"))
    else:  # pytest stopped before the session ended (a usage error): count it as broken
        counts = dict.fromkeys(COUNTS_KEYS, 0) | {"collection_errors": 1}
    counts["errors"] = len(events.errored)
    counts["exit_code"] = int(exit_code)
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return counts
