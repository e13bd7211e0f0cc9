"""A real HTTP/1.1 server on 127.0.0.1 for the portable suite's client tests.

Every runtime's harness starts one (``serving()``) and passes its URL to the
tests as ``INFRA_PORTABLE_TEST_HTTP_URL``: CPython reaches it over a socket,
Pyodide through Chromium's fetch (so every answer carries CORS headers), WASI
through the host's HTTP bridge. Standard library only; bounded: handlers never
sleep more than 5 s and bodies are capped at 16 MiB.

Endpoints (any method unless noted):
  /echo                 the request as JSON: method, path, query, headers, body
  /status/<code>        that status; ?retry_after=S adds Retry-After
  /bytes/<n>            n bytes: i % 256 (with Content-Length)
  /chunked/<n>          n bytes, chunked, no Content-Length
  /redirect/<n>         302 to /redirect/<n-1>, and /redirect/0 to /echo; ?status=307
  /redirect-to?url=U    302 to U
  /sse?n=N&delay_ms=D   N server-sent events, then "data: [DONE]"
  /slow?ms=M            answers after M ms (at most 5000)
  /fail-times/<key>/<n> 503 (Retry-After: 0, or ?retry_after=S) for the first n calls per key, then 200
  /flaky/<key>?rate=R&seed=S  503 with probability R, decided by (seed, key, call number)
  /count/<key>          how many calls /fail-times and /flaky saw for key
  /headers?name=value   those response headers (repeat a name for several values)

    python tests/support/loopback_http.py   # serves until killed, prints the URL
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ENV = "INFRA_PORTABLE_TEST_HTTP_URL"
MAX_BODY = 16 * 1024 * 1024


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}

    def bump(self, key: str) -> int:
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            return self.counts[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "infra-loopback/1"
    disable_nagle_algorithm = True  # else keep-alive exchanges wait ~40 ms on delayed ACKs
    state: _State

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    # -- plumbing -------------------------------------------------------------
    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "*")

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        self.send_response(status)
        self._cors()
        self.send_header("Content-Type", content_type)
        for name, value in headers or []:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(
        self, status: int, value: object, headers: list[tuple[str, str]] | None = None
    ) -> None:
        self._send(status, json.dumps(value).encode(), headers=headers)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, MAX_BODY)) if length else b""

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    # -- methods ----------------------------------------------------------------
    def do_OPTIONS(self) -> None:
        if self.headers.get("Access-Control-Request-Method"):
            self.send_response(204)
            self._cors()
            self.send_header(
                "Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
            )
            self.send_header(
                "Access-Control-Allow-Headers",
                self.headers.get("Access-Control-Request-Headers") or "*",
            )
            self.send_header("Access-Control-Max-Age", "600")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._route()

    def do_GET(self) -> None:
        self._route()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _route(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        segments = [s for s in parts.path.split("/") if s]
        body = self._body()
        head = segments[0] if segments else ""
        try:
            handler = getattr(self, f"_h_{head.replace('-', '_')}", None)
            if handler is None:
                self._json(404, {"error": f"no route {parts.path}"})
                return
            handler(segments[1:], query, body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # -- endpoints --------------------------------------------------------------
    def _h_echo(self, args: list[str], query: dict[str, list[str]], body: bytes) -> None:
        parts = urlsplit(self.path)
        try:
            text: str | None = body.decode()
        except UnicodeDecodeError:
            text = None
        self._json(200, {
            "method": self.command,
            "path": parts.path,
            "query": {k: v if len(v) > 1 else v[0] for k, v in query.items()},
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": text,
            "body_b64": base64.b64encode(body).decode(),
            "body_sha256": hashlib.sha256(body).hexdigest(),
        })  # fmt: skip

    def _h_status(self, args: list[str], query: dict[str, list[str]], body: bytes) -> None:
        code = int(args[0]) if args and args[0].isdigit() else 400
        headers = [("Retry-After", query["retry_after"][0])] if "retry_after" in query else []
        self._json(code, {"status": code}, headers)

    def _h_bytes(self, args: list[str], query: dict[str, list[str]], body: bytes) -> None:
        n = min(int(args[0]), MAX_BODY)
        self._send(200, bytes(i % 256 for i in range(n)), "application/octet-stream")

    def _h_chunked(self, args: list[str], query: dict[str, list[str]], body: bytes) -> None:
        n = min(int(args[0]), MAX_BODY)
        data = bytes(i % 256 for i in range(n))
        self.send_response(200)
        self._cors()
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for start in range(0, n, 8192):
            self._chunk(data[start : start + 8192])
        self.wfile.write(b"0\r\n\r\n")

    def _h_redirect(self, args: list[str], query: dict[str, list[str]], body: bytes) -> None:
        n = int(args[0]) if args else 0
        status = int(query.get("status", ["302"])[0])
        target = "/echo" if n <= 0 else f"/redirect/{n - 1}?status={status}"
        self._send(status, b"", "text/plain", [("Location", target)])

    def _h_redirect_to(self, args: list[str], query: dict[str, list[str]], body: bytes) -> None:
        status = int(query.get("status", ["302"])[0])
        self._send(status, b"", "text/plain", [("Location", query["url"][0])])

    def _h_sse(self, args: list[str], query: dict[str, list[str]], body: bytes) -> None:
        n = min(int(query.get("n", ["3"])[0]), 1000)
        delay = min(int(query.get("delay_ms", ["0"])[0]), 200) / 1000
        self.send_response(200)
        self._cors()
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._chunk(b": stream opened\n\n")
        for i in range(n):
            if delay:
                time.sleep(delay)
            self._chunk(
                f"id: {i}\nevent: token\ndata: {json.dumps({'i': i, 'text': f'tok{i}'})}\n\n".encode()
            )
        self._chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def _h_slow(self, args: list[str], query: dict[str, list[str]], body: bytes) -> None:
        time.sleep(min(int(query.get("ms", ["100"])[0]), 5000) / 1000)
        self._json(200, {"slow": True})

    def _h_fail_times(self, args: list[str], query: dict[str, list[str]], body: bytes) -> None:
        key, n = args[0], int(args[1])
        count = self.state.bump(key)
        if count <= n:
            self._json(
                503, {"attempt": count}, [("Retry-After", query.get("retry_after", ["0"])[0])]
            )
        else:
            self._json(200, {"attempt": count})

    def _h_flaky(self, args: list[str], query: dict[str, list[str]], body: bytes) -> None:
        key = args[0]
        rate = float(query.get("rate", ["0.3"])[0])
        seed = query.get("seed", ["0"])[0]
        count = self.state.bump(key)
        draw = (
            int.from_bytes(hashlib.sha256(f"{seed}/{key}/{count}".encode()).digest()[:8], "big")
            / 2**64
        )
        if draw < rate:
            self._json(503, {"attempt": count, "failed": True}, [("Retry-After", "0")])
        else:
            self._json(200, {"attempt": count, "failed": False})

    def _h_count(self, args: list[str], query: dict[str, list[str]], body: bytes) -> None:
        with self.state.lock:
            self._json(200, {"count": self.state.counts.get(args[0], 0)})

    def _h_headers(self, args: list[str], query: dict[str, list[str]], body: bytes) -> None:
        self._send(200, b"{}", headers=[(k, v) for k, values in query.items() for v in values])


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up is normal
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serving(port: int = 0) -> Iterator[str]:
    """Serve on 127.0.0.1 in a background thread; yields the base URL (no trailing slash)."""
    handler = type("BoundHandler", (Handler,), {"state": _State()})
    server = LoopbackServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, name="loopback-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def serving_unless(given: str | None) -> Iterator[str]:
    """``given`` (a harness's server, from ``ENV``) when set, else a server started here."""
    if given:
        yield given.rstrip("/")
        return
    with serving() as url:
        yield url


if __name__ == "__main__":
    with serving() as url:
        print(url, flush=True)
        with suppress(KeyboardInterrupt):
            threading.Event().wait()
