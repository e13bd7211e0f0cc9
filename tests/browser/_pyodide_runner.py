"""Runs inside Pyodide (loaded by harness.mjs): pytest over the unpacked suite.

The counts come from a plugin watching every report, not from parsing pytest's
terminal output, and each test's start and outcome is sent to the driver as it
happens (``console.log("py:evt|{json}")``) so a hang names the test that hung
and a timeout still reports the partial counts.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from typing import Any

import pytest

EVENT_PREFIX = "py:evt|"
# The keys the driver reads; every run reports all of them, zero or not.
OUTCOMES = ("passed", "failed", "errors", "skipped", "xfailed", "xpassed", "collection_errors")


def emit(event: str, **fields: object) -> None:
    """Send one event to the driver through the console, bypassing pytest's capture."""
    import js

    js.console.log(EVENT_PREFIX + json.dumps({"event": event, **fields}))


def classify(report: pytest.TestReport) -> str | None:
    """The outcome one report adds to the counts (pytest's own categories), if any."""
    if report.when == "call":
        if hasattr(report, "wasxfail"):
            return "xfailed" if report.skipped else "xpassed"
        return report.outcome
    if report.failed:
        return "errors"  # setup or teardown
    if report.when == "setup" and report.skipped:
        return "xfailed" if hasattr(report, "wasxfail") else "skipped"
    return None


class OutcomeCounter:
    """A pytest plugin object counting outcomes and streaming progress events."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        emit("start", nodeid=nodeid)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        emit("finish", nodeid=nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = classify(report)
        if outcome is not None:
            self.counts[outcome] += 1
            emit("outcome", nodeid=report.nodeid, outcome=outcome, when=report.when)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # A module that fails to import is an error; one skipped at import counts as a skip.
        outcome = {"failed": "collection_errors", "skipped": "skipped"}.get(report.outcome)
        if outcome is not None:
            self.counts[outcome] += 1
            emit("outcome", nodeid=report.nodeid, outcome=outcome, when="collect")


def run_pytest(args: list[str], env: dict[str, str], project_dir: str) -> dict[str, Any]:
    """Run pytest with ``args`` from ``project_dir``; return the counts and exit code."""
    os.environ.update(env)
    # Same rootdir layout as the repo (pyproject.toml + tests/...), so the suite's pytest
    # config and node ids are exactly the native ones.
    os.chdir(project_dir)
    sys.dont_write_bytecode = True
    counter = OutcomeCounter()
    started = time.perf_counter()
    exit_code = pytest.main(args, plugins=[counter])
    result: dict[str, Any] = {name: counter.counts[name] for name in OUTCOMES}
    result["exit_code"] = int(exit_code)
    result["duration_s"] = round(time.perf_counter() - started, 2)
    return result
