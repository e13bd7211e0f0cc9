"""A pytest plugin that writes outcome counts as JSON (used by every runtime's harness).

Enable with ``-p pytest_counts`` (this folder on ``sys.path``) and set
``INFRA_PORTABLE_COUNTS_FILE`` to the output path. Each test is counted once,
by its worst phase: an error in setup or teardown counts as failed.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

_outcomes: dict[str, str] = {}
_collect_errors: list[str] = []
_RANK = {"passed": 0, "xpassed": 1, "xfailed": 1, "skipped": 2, "failed": 3}


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _collect_errors.append(report.nodeid)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.passed:
        outcome = "xpassed" if hasattr(report, "wasxfail") else "passed"
        if report.when != "call" and report.nodeid in _outcomes:
            return
    elif report.skipped:
        outcome = "xfailed" if hasattr(report, "wasxfail") else "skipped"
    else:
        outcome = "failed"
    previous = _outcomes.get(report.nodeid)
    if previous is None or _RANK[outcome] > _RANK[previous] or report.when == "call":
        if previous == "failed":
            return
        _outcomes[report.nodeid] = outcome


def counts(exit_code: int) -> dict[str, Any]:
    result: dict[str, Any] = dict.fromkeys(("passed", "failed", "skipped", "xfailed", "xpassed"), 0)
    for outcome in _outcomes.values():
        result[outcome] += 1
    result["collection_errors"] = len(_collect_errors)
    result["exit_code"] = exit_code
    return result


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = os.environ.get("INFRA_PORTABLE_COUNTS_FILE")
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(counts(int(exitstatus)), fh)
