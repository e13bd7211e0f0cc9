"""Fake LLM "providers" for the native router tests: real HTTP servers on 127.0.0.1.

Each :class:`Provider` is a standard-library ``ThreadingHTTPServer`` in a daemon
thread answering ``{"provider": name}``; a test flips it to fail (503), slow
down (bounded at 2 s) or recover between requests. ``GET /health`` answers 200,
or 503 while failing, and is not counted as traffic. Native only: sockets and
threads.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_DELAY_S = 2.0


class Provider:
    """One provider's switches and counters (read and written under its lock)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.url = ""
        self._lock = threading.Lock()
        self._failing = False
        self._delay_s = 0.0
        self._hits = 0

    def fail(self) -> None:
        with self._lock:
            self._failing = True

    def recover(self) -> None:
        with self._lock:
            self._failing = False
            self._delay_s = 0.0

    def slow(self, seconds: float) -> None:
        with self._lock:
            self._delay_s = min(seconds, MAX_DELAY_S)

    @property
    def hits(self) -> int:
        with self._lock:
            return self._hits

    def answer(self, path: str) -> tuple[int, float]:
        with self._lock:
            if path == "/health":
                return (503 if self._failing else 200), 0.0
            self._hits += 1
            return (503 if self._failing else 200), self._delay_s


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes: without this, Nagle's
        # algorithm and delayed ACKs add ~40 ms to every keep-alive exchange.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(min(length, 1 << 20))
            status, delay = provider.answer(self.path.split("?")[0])
            if delay:
                time.sleep(delay)
            body = json.dumps({"provider": provider.name, "status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = _serve
        do_POST = _serve

    return Handler


@contextmanager
def providers(*names: str) -> Iterator[dict[str, Provider]]:
    """Start one server per name on an ephemeral 127.0.0.1 port; stop them all after."""
    started: list[tuple[ThreadingHTTPServer, threading.Thread]] = []
    result: dict[str, Provider] = {}
    try:
        for name in names:
            provider = Provider(name)
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
            server.daemon_threads = True
            thread = threading.Thread(target=server.serve_forever, name=f"provider-{name}")
            thread.daemon = True
            thread.start()
            started.append((server, thread))
            provider.url = f"http://127.0.0.1:{server.server_address[1]}"
            result[name] = provider
        yield result
    finally:
        for server, thread in started:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
