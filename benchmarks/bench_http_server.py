"""HTTP server: a JSON endpoint on our App vs a bare hand-written ASGI app, same uvicorn, same load.

Each app runs in its own uvicorn process (one worker, the same ``uvicorn.Config``
options for both: 127.0.0.1, access log off, lifespan off) and is loaded by the
same generator in another process: ``wrk`` when it is installed (``apt-get
install wrk``), else a keep-alive HTTP/1.1 load generator written on asyncio
streams here (lighter than an httpx client, so the generator is less of the
bottleneck). Fixed concurrency, a fixed duration per measurement, the apps
measured in alternating order, the best repetition kept.

* ``bare ASGI``: a raw ASGI callable that sends the same JSON, encoded once
  at import (no routing, no request object, no encoding per request): the
  floor under any ASGI framework on this server.
* ``App``: our App with one ``@app.get("/v1/models/{name}")`` route returning
  the dict with the path parameter in it (routing, the request object, JSON
  encoding through :mod:`infra_portable.json` on every request).
* ``App + middleware``: the same with RequestIdMiddleware, CorsMiddleware and
  TimeoutMiddleware (what a service would run), for information.

Run alone: ``python benchmarks/bench_http_server.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Group
from _loopback_asgi import serving

TARGET = 0.8
CONNECTIONS = 32
PATH = "/v1/models/llama-3-8b"
PAYLOAD = {
    "id": "llama-3-8b",
    "object": "model",
    "owned_by": "infra",
    "ready": True,
    "context_window": 8192,
    "tags": ["chat", "instruct"],
}
KINDS = ("bare", "ours", "stack")
LABELS = {"bare": "bare ASGI", "ours": "App", "stack": "App + request-id, CORS, timeout"}


# -- the apps ---------------------------------------------------------------------


BARE_BODY = json.dumps(PAYLOAD, separators=(",", ":")).encode()


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = BARE_BODY
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def our_app(with_middleware: bool) -> Any:
    from infra_portable.http.server import (
        App,
        CorsMiddleware,
        RequestIdMiddleware,
        ServerRequest,
        TimeoutMiddleware,
    )

    app = App()

    @app.get("/v1/models/{name}")
    async def model(request: ServerRequest) -> Any:
        return {**PAYLOAD, "id": request.path_params["name"]}

    if with_middleware:
        app.add_middleware(TimeoutMiddleware, timeout=30)
        app.add_middleware(CorsMiddleware, allow_origins=["https://app.example"])
        app.add_middleware(RequestIdMiddleware)
    return app


# The import target each kind is served from (a factory for ours).
TARGETS = {
    "bare": ("bench_http_server:bare_app", False),
    "ours": ("bench_http_server:plain_app", True),
    "stack": ("bench_http_server:stack_app", True),
}


def plain_app() -> Any:
    return our_app(False)


def stack_app() -> Any:
    return our_app(True)


# -- the load generators ----------------------------------------------------------------


def _wrk(url: str, seconds: float) -> float:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failures:\n{out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if found is None:
        raise RuntimeError(f"no Requests/sec in wrk's output:\n{out}")
    return float(found.group(1))


async def _asyncio_load(host: str, port: int, path: str, seconds: float) -> float:
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(f"unexpected answer: {head[:60]!r}")
                length = re.search(rb"(?i)content-length:\s*(\d+)", head)
                await reader.readexactly(int(length.group(1)) if length else 0)
                done += 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return done / (time.perf_counter() - start)


def _python_load(url: str, seconds: float) -> float:
    """Runs the asyncio generator in its own process, like wrk, off the server's core."""
    out = subprocess.run(
        [sys.executable, __file__, "--load", url, "--seconds", str(seconds)],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    return float(out.strip().splitlines()[-1])


def load_generator() -> tuple[str, Any]:
    if shutil.which("wrk"):
        return f"wrk -t1 -c{CONNECTIONS}", _wrk
    return f"asyncio keep-alive x{CONNECTIONS}", _python_load


# -- measuring ----------------------------------------------------------------------------


def measure(kind: str, seconds: float, generate: Any) -> float:
    target, factory = TARGETS[kind]
    with serving(target, factory=factory, probe_path=PATH) as base:
        url = base + PATH
        generate(url, 0.5 if seconds < 3 else 1.0)  # warm-up
        return float(generate(url, seconds))


def run(quick: bool) -> list[Group]:
    try:
        import uvicorn  # noqa: F401
    except ImportError:
        return [Group("http server JSON GET", target=0.0, note="uvicorn not installed: skipped")]
    seconds, repeats = (2.0, 1) if quick else (5.0, 3)
    generator_name, generate = load_generator()
    best = dict.fromkeys(KINDS, 0.0)
    for repeat in range(repeats):
        order = KINDS if repeat % 2 == 0 else tuple(reversed(KINDS))
        for kind in order:
            best[kind] = max(best[kind], measure(kind, seconds, generate))
    try:
        import httptools  # noqa: F401

        protocol = "httptools"
    except ImportError:
        protocol = "h11"
    setup = f"uvicorn {protocol}, 1 worker, {generator_name}, {seconds:g} s x {repeats}"
    plain = Group(
        "http server JSON GET: App",
        target=TARGET,
        ours={LABELS["ours"]: best["ours"]},
        peers={LABELS["bare"]: best["bare"]},
        note=setup,
    )
    stack = Group(
        "http server JSON GET: App + middleware",
        target=0.0,
        ours={LABELS["stack"]: best["stack"]},
        peers={LABELS["bare"]: best["bare"]},
        note="for information: three middleware layers on every request",
    )
    return [plain, stack]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=5.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        from urllib.parse import urlsplit

        parts = urlsplit(args.load)
        rate = asyncio.run(
            _asyncio_load(parts.hostname or "127.0.0.1", parts.port or 80, parts.path, args.seconds)
        )
        print(f"{rate:.1f}")
        return 0
    for group in run(args.quick):
        ratio = group.ratio
        print(
            f"{group.name}: ratio {ratio:.2f}x (target {group.target:g}x)" if ratio else group.name
        )
        for name, value in {**group.ours, **group.peers}.items():
            print(f"    {name:40} {value:>10,.0f} req/s")
        if group.note:
            print(f"    note: {group.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
