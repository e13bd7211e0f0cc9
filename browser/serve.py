"""Serve the browser demo: infra_portable running in Pyodide in a web page.

    python browser/serve.py [--port N]              serve until Ctrl+C, print the URL
    python browser/serve.py --headless-check        open it in headless Chromium, print
                                                    the doctor report, exit 0 if it ran

Fetches the pinned Pyodide from npm (into tests/browser/node_modules) and builds the
library's wheel from this checkout (into tests/browser/.cache), then serves the page,
Pyodide and the wheel on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# The shared helpers live in browser/_assets.py; importing them must not leave a
# __pycache__ in the repo.
sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _assets import (  # noqa: E402 (after the two lines above, on purpose)
    BROWSER_DIR,
    AssetError,
    AssetServer,
    Chromium,
    build_library_wheel,
    ensure_pyodide,
    log,
    serve_wheels,
)

DEMO_FILES = ("index.html", "main.mjs", "loader.mjs")
SAMPLE_JSON = '{"b": [1, 2.5, null], "a": "héllo"}'


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="serve.py", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument(
        "--headless-check",
        action="store_true",
        help="load the page in headless Chromium, print the doctor report, and exit",
    )
    parser.add_argument(
        "--timeout", type=float, default=120, help="seconds the headless check may take"
    )
    return parser.parse_args(argv)


def serve_demo(server: AssetServer, dist: Path, wheel: Path) -> None:
    for name in DEMO_FILES:
        server.add_file(f"/{name}", BROWSER_DIR / name)
    server.add_file("/", BROWSER_DIR / "index.html")
    server.add_dir("/pyodide/", dist)
    serve_wheels(server, [wheel])


def check_in_chromium(url: str, timeout_s: float) -> int:
    """Open the demo headless; print the doctor report and the JSON example's output."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, Chromium() as chromium:
        # The hard limit: killing the browser ends any Playwright wait (see Chromium).
        watchdog = chromium.kill_after(timeout_s)
        try:
            page = chromium.connect(playwright).contexts[0].new_page()
            page.on("pageerror", lambda error: log(f"page error: {error}"))
            page.goto(url)
            page.wait_for_function(
                "() => document.querySelector('#doctor').dataset.state !== 'loading'",
                polling=250,
                timeout=timeout_s * 1000,
            )
            return report_page(page)
        except PlaywrightError as exc:
            reason = "timed out" if chromium.killed.is_set() else str(exc)
            log(f"headless check failed: {reason}")
            return 1
        finally:
            watchdog.cancel()


def report_page(page: Any) -> int:
    doctor = page.locator("#doctor")
    print(doctor.text_content())
    if doctor.get_attribute("data-state") != "done":
        return 1
    # The interactive example, when this build has infra_portable.json.
    page.fill("#json-in", SAMPLE_JSON)
    page.click("#json-format")
    page.wait_for_function("() => document.querySelector('#json-out').dataset.state !== 'idle'")
    print(f"\ninfra_portable.json formats {SAMPLE_JSON}:")
    print(page.locator("#json-out").text_content())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    try:
        dist = ensure_pyodide()
        wheel = build_library_wheel()
    except AssetError as exc:
        log(str(exc))
        return 2
    port = 0 if args.headless_check else args.port
    with AssetServer(port) as server:
        serve_demo(server, dist, wheel)
        if args.headless_check:
            status = check_in_chromium(server.url, args.timeout)
            log(
                f"headless check {'passed' if status == 0 else 'FAILED'} in {time.monotonic() - started:.1f}s"
            )
            return status
        print(f"infra_portable demo at {server.url} (Ctrl+C to stop)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
