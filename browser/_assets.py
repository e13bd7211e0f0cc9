"""Assets shared by the browser demo (``browser/serve.py``) and the Pyodide test harness
(``tests/browser/run_pyodide.py``): Pyodide from npm, the library's wheel, pinned
pure-Python wheels from PyPI, a local static server and headless Chromium.

Everything this module writes goes to ``tests/browser/node_modules`` (npm),
``tests/browser/.cache`` (wheels) and the system temp dir: never into ``src/``.
Servers bind 127.0.0.1 only (on a free port unless a caller asks for one).
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import importlib.util
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

__all__ = [
    "BROWSER_DIR",
    "CACHE_DIR",
    "NPM_DIR",
    "PYODIDE_DIST",
    "REPO_ROOT",
    "AssetError",
    "AssetServer",
    "Chromium",
    "PhaseTimer",
    "build_library_wheel",
    "download_pinned_wheels",
    "ensure_pyodide",
    "log",
    "serve_wheels",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
BROWSER_DIR = REPO_ROOT / "browser"
# The npm project pinning `pyodide` lives with the harness; the demo reuses it.
NPM_DIR = REPO_ROOT / "tests" / "browser"
PYODIDE_DIST = NPM_DIR / "node_modules" / "pyodide"
CACHE_DIR = NPM_DIR / ".cache"
LIBRARY_WHEEL_DIR = CACHE_DIR / "build"
PINNED_WHEEL_DIR = CACHE_DIR / "wheels"

# Playwright cannot download its own browser here: use the system Chromium.
CHROMIUM_ENV_VAR = "CHROMIUM_EXECUTABLE"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # What Playwright's own launcher adds: no first-run UI, and no throttling of a
    # page that runs a long suite without ever being "visible".
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--mute-audio",
)


MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css",
    ".py": "text/x-python; charset=utf-8",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".tar": "application/x-tar",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
}


class AssetError(RuntimeError):
    """A setup step (npm, pip, wheel build) failed; the message says how to fix it."""


def log(message: str) -> None:
    """One progress line, tagged with the running script's name (run_pyodide, serve)."""
    print(f"[{Path(sys.argv[0]).stem or 'browser'}] {message}", flush=True)


@dataclass
class PhaseTimer:
    """Wall time per named phase, printed as each ends and summarised at the end."""

    durations: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self.durations[name] = self.durations.get(name, 0.0) + elapsed
            log(f"{name}: {elapsed:.1f}s")

    def summary(self) -> str:
        parts = [f"{name} {seconds:.1f}s" for name, seconds in self.durations.items()]
        return "timings: " + ", ".join(parts) + f" (total {sum(self.durations.values()):.1f}s)"


# -- npm: the Pyodide distribution ---------------------------------------------------------


def _pinned_pyodide_version() -> str:
    manifest = json.loads((NPM_DIR / "package.json").read_text(encoding="utf-8"))
    return str(manifest["dependencies"]["pyodide"])


def _installed_pyodide_version() -> str | None:
    manifest = PYODIDE_DIST / "package.json"
    if not (manifest.is_file() and (PYODIDE_DIST / "pyodide.asm.wasm").is_file()):
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])


def pyodide_python_version() -> str:
    """The CPython version inside the installed Pyodide, as ``major.minor``."""
    lock = json.loads((PYODIDE_DIST / "pyodide-lock.json").read_text(encoding="utf-8"))
    major, minor = str(lock["info"]["python"]).split(".")[:2]
    return f"{major}.{minor}"


def ensure_pyodide() -> Path:
    """The Pyodide dist folder, running ``npm ci`` first when it is missing or stale."""
    pinned = _pinned_pyodide_version()
    if _installed_pyodide_version() == pinned:
        return PYODIDE_DIST
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError("npm is needed to fetch Pyodide: apt-get install npm")
    # `npm ci` reproduces the lock exactly; `npm install` only when no lock exists yet.
    verb = "ci" if (NPM_DIR / "package-lock.json").is_file() else "install"
    log(f"npm {verb} (pyodide {pinned}) in {NPM_DIR}")
    cmd = [npm, verb, "--no-audit", "--no-fund", "--loglevel=error"]
    _run(cmd, cwd=NPM_DIR, what=f"npm {verb}")
    installed = _installed_pyodide_version()
    if installed != pinned:
        raise AssetError(f"npm installed pyodide {installed}, package.json pins {pinned}")
    return PYODIDE_DIST


def _run(cmd: Sequence[str], *, cwd: Path, what: str) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip()
        raise AssetError(f"{what} failed (exit {proc.returncode}):\n{output}")


# -- wheels --------------------------------------------------------------------------------


def _source_fingerprint() -> str:
    """A hash of everything that goes into the wheel: unchanged sources, same wheel."""
    digest = hashlib.sha256()
    files = [REPO_ROOT / "pyproject.toml", REPO_ROOT / "README.md"]
    files += sorted(
        path
        for path in (REPO_ROOT / "src").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(REPO_ROOT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_library_wheel() -> Path:
    """infra_portable's wheel for the working tree, rebuilt only when a source changed."""
    LIBRARY_WHEEL_DIR.mkdir(parents=True, exist_ok=True)
    fingerprint = _source_fingerprint()
    stamp = LIBRARY_WHEEL_DIR / "fingerprint.txt"
    existing = sorted(LIBRARY_WHEEL_DIR.glob("infra_portable-*.whl"))
    if len(existing) == 1 and stamp.is_file() and stamp.read_text().strip() == fingerprint:
        return existing[0]
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "--disable-pip-version-check"]
    # Without build isolation the build is offline and takes a second; it needs hatchling
    # importable here, else pip fetches it into an isolated env from PyPI.
    if importlib.util.find_spec("hatchling") is not None:
        cmd.append("--no-build-isolation")
    with tempfile.TemporaryDirectory(prefix="wheel-", dir=LIBRARY_WHEEL_DIR) as tmp:
        _run([*cmd, "-w", tmp, str(REPO_ROOT)], cwd=REPO_ROOT, what="building the wheel")
        built = sorted(Path(tmp).glob("infra_portable-*.whl"))
        if len(built) != 1:
            raise AssetError(f"expected one infra_portable wheel, pip built {built}")
        for stale in existing:
            stale.unlink(missing_ok=True)
        # Replace atomically so a concurrent reader never sees half a wheel.
        target = LIBRARY_WHEEL_DIR / built[0].name
        os.replace(built[0], target)
    stamp.write_text(fingerprint + "\n")
    return target


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _read_pins(requirements: Path) -> list[tuple[str, str]]:
    pins = []
    for raw in requirements.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep:
            raise AssetError(f"{requirements}: pin every wheel exactly (name==version): {line!r}")
        pins.append((name.strip(), version.strip()))
    return pins


def _find_wheel(name: str, version: str) -> Path | None:
    prefix = f"{_normalize(name)}-{version}-".lower()
    for path in PINNED_WHEEL_DIR.glob("*.whl"):
        if path.name.lower().startswith(prefix) and path.name.endswith("-none-any.whl"):
            return path
    return None


def download_pinned_wheels(requirements: Path) -> list[Path]:
    """Pure-Python wheels for every ``name==version`` pin, downloaded once into the cache."""
    pins = _read_pins(requirements)
    missing = [f"{name}=={version}" for name, version in pins if not _find_wheel(name, version)]
    if missing:
        PINNED_WHEEL_DIR.mkdir(parents=True, exist_ok=True)
        log(f"pip download {' '.join(missing)}")
        # Only py3-none-any wheels can load in Pyodide without its CDN: ask pip for exactly
        # those, for Pyodide's Python (ensure_pyodide() ran first), whatever the host's is.
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--disable-pip-version-check",
            "--only-binary=:all:",
            "--no-deps",
            "--python-version",
            pyodide_python_version(),
            "--implementation",
            "py",
            "--abi",
            "none",
            "--platform",
            "any",
            "-d",
            str(PINNED_WHEEL_DIR),
            *missing,
        ]
        _run(cmd, cwd=CACHE_DIR, what="pip download")
    wheels = []
    for name, version in pins:
        wheel = _find_wheel(name, version)
        if wheel is None:
            raise AssetError(f"no pure-Python wheel for {name}=={version} in {PINNED_WHEEL_DIR}")
        wheels.append(wheel)
    return wheels


# -- the static server ---------------------------------------------------------------------


@dataclass
class _Routes:
    dirs: dict[str, Path] = field(default_factory=dict)
    files: dict[str, Path | bytes] = field(default_factory=dict)

    def lookup(self, url_path: str) -> Path | bytes | None:
        if url_path in self.files:
            return self.files[url_path]
        # Longest prefix first, so /pyodide/ wins over /.
        for prefix in sorted(self.dirs, key=len, reverse=True):
            if url_path.startswith(prefix):
                return _inside(self.dirs[prefix], url_path[len(prefix) :])
        return None


def _inside(root: Path, relative: str) -> Path | None:
    """The file ``relative`` names under ``root``; None if missing or outside it."""
    candidate = (root / relative).resolve()
    if candidate.is_dir():
        candidate = candidate / "index.html"
    if not candidate.is_file() or not candidate.is_relative_to(root.resolve()):
        return None
    return candidate


def _content_type(url_path: str) -> str:
    return MIME_TYPES.get(Path(url_path).suffix.lower(), "application/octet-stream")


class _Handler(BaseHTTPRequestHandler):
    routes: _Routes  # set on the per-server subclass

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, *, send_body: bool) -> None:
        url_path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        source = self.routes.lookup(url_path)
        if source is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        name = url_path if not isinstance(source, Path) else source.name
        size = len(source) if isinstance(source, bytes) else source.stat().st_size
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", _content_type(name))
        self.send_header("Content-Length", str(size))
        # The library wheel is rebuilt every run under the same name: never cache.
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not send_body:
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if isinstance(source, bytes):
                self.wfile.write(source)
            else:
                with source.open("rb") as body:
                    shutil.copyfileobj(body, self.wfile, 1 << 20)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # A page load makes dozens of requests; only failures are worth a line.
        if str(int(code) if isinstance(code, HTTPStatus) else code).startswith(("4", "5")):
            log(f"http {code} {self.requestline}")

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: log_request reports the failures."""


class AssetServer:
    """A threaded static server on 127.0.0.1 for directories and blobs.

    ``port=0`` (the default) picks a free port; ``url`` says which.
    """

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self._routes = _Routes()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def add_dir(self, prefix: str, root: Path) -> None:
        if not (prefix.startswith("/") and prefix.endswith("/")):
            raise ValueError(f"directory prefix must start and end with '/': {prefix!r}")
        self._routes.dirs[prefix] = root

    def add_file(self, url_path: str, source: Path | bytes) -> None:
        self._routes.files[url_path] = source

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the server is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def __enter__(self) -> AssetServer:
        handler = type("Handler", (_Handler,), {"routes": self._routes})
        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="asset-server", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def serve_wheels(server: AssetServer, wheels: Sequence[Path], prefix: str = "/wheels/") -> None:
    """Serve each wheel under ``prefix`` plus ``index.json`` listing them, in install order."""
    for wheel in wheels:
        server.add_file(prefix + wheel.name, wheel)
    index = json.dumps([wheel.name for wheel in wheels]).encode()
    server.add_file(prefix + "index.json", index)


# -- the browser ---------------------------------------------------------------------------


def chromium_executable() -> str:
    configured = os.environ.get(CHROMIUM_ENV_VAR)
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise AssetError(f"no Chromium found: apt-get install chromium, or set {CHROMIUM_ENV_VAR}")


class Chromium:
    """Headless Chromium as this process's own child, driven by Playwright over CDP.

    Owning the process is what makes a hard timeout possible: Python code spinning on
    the page's main thread stalls every Playwright wait (their timeouts included), but
    killing the process ends them all at once with an error.
    """

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._endpoint: queue.Queue[str | None] = queue.Queue()
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self.killed = threading.Event()

    def __enter__(self) -> Chromium:
        self._profile = tempfile.TemporaryDirectory(prefix="infra-portable-chromium-")
        cmd = [
            chromium_executable(),
            "--headless",
            *CHROMIUM_ARGS,
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={self._profile.name}",
            "about:blank",
        ]
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        reader = threading.Thread(
            target=self._read_stderr, args=(self._proc.stderr,), name="chromium-stderr", daemon=True
        )
        reader.start()
        return self

    def _read_stderr(self, stderr: Iterable[str]) -> None:
        # Chromium prints its CDP endpoint on stderr; keep draining after it so a chatty
        # browser never blocks on a full pipe.
        for line in stderr:
            self._stderr_tail.append(line.rstrip())
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                self._endpoint.put(found.group(1))
        self._endpoint.put(None)

    def connect(self, playwright: Playwright, timeout_s: float = 30) -> Browser:
        try:
            endpoint = self._endpoint.get(timeout=timeout_s)
        except queue.Empty:
            endpoint = None
        if endpoint is None:
            tail = "\n".join(self._stderr_tail)
            raise AssetError(f"Chromium did not start (no CDP endpoint):\n{tail}")
        return playwright.chromium.connect_over_cdp(endpoint)

    def kill_after(self, seconds: float) -> threading.Timer:
        """Kill the browser in ``seconds`` unless the returned timer is cancelled."""
        timer = threading.Timer(max(seconds, 0.0), self.kill)
        timer.daemon = True
        timer.start()
        return timer

    def kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self.killed.set()
            self._proc.kill()

    def __exit__(self, *exc_info: object) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._profile is not None:
            self._profile.cleanup()
