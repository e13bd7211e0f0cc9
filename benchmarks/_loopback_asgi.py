"""Serving an ASGI app with uvicorn in a child process, for the HTTP benchmarks.

``serving(target)`` starts uvicorn on ``target`` (``"module:attribute"``, importable
from this folder; ``factory=True`` when the attribute builds the app) and yields
the base URL once the server answers ``probe_path`` with 200. The parent binds
the socket (port 0) and hands its descriptor to the child, so the port is known
without a race and the server runs on the other core. Every app measured gets
the same uvicorn options.

``app`` is the client benchmark's server: a raw ASGI callable that drains the
request body and sends a fixed JSON answer.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

BODY = b'{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hello"}}]}'
UVICORN_OPTIONS: dict[str, Any] = {"log_level": "warning", "access_log": False, "lifespan": "off"}
HERE = os.path.dirname(os.path.abspath(__file__))


async def app(scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def,type-arg]
    if scope["type"] != "http":
        return
    while True:  # drain the request body
        message = await receive()
        if not message.get("more_body"):
            break
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(BODY)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": BODY})


def _child(fd: int, target: str, factory: bool) -> None:
    import uvicorn

    uvicorn.run(target, fd=fd, factory=factory, **UVICORN_OPTIONS)


def _answers(port: int, path: str) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as probe:
            probe.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            return probe.recv(16).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


@contextmanager
def serving(
    target: str = "_loopback_asgi:app", *, factory: bool = False, probe_path: str = "/"
) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit it on Linux; uvicorn on a passed fd does not set it itself,
    # and without it every response (headers, then body) waits on a delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    port = sock.getsockname()[1]
    code = (
        f"import sys; sys.path.insert(0, {HERE!r}); import _loopback_asgi; "
        f"_loopback_asgi._child({sock.fileno()}, {target!r}, {factory!r})"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], pass_fds=[sock.fileno()])
    try:
        deadline = time.monotonic() + 20
        while not _answers(port, probe_path):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"the server for {target} did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        sock.close()
