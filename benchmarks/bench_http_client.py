"""HTTP client overhead: our HttpClient/AsyncHttpClient (httpx transport) vs raw httpx.

Both talk to the same uvicorn server (a raw ASGI app, in a child process) over
loopback with keep-alive, one request at a time. Target (issue 4): ours costs
at most 1.1x raw httpx per request, i.e. an ops/s ratio of at least 0.91.
Batches alternate ours/peer so drift in the machine affects both alike;
the median batch rate is reported.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Group
from _loopback_asgi import serving

PAYLOAD = {"model": "m-1", "messages": [{"role": "user", "content": "hello " * 20}]}


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def interleaved(
    calls: dict[str, Callable[[], object]], batch: int, rounds: int
) -> dict[str, float]:
    """Median requests/s per implementation over ``rounds`` batches, taking turns batch by
    batch so load from elsewhere on the machine falls on all of them alike."""
    rates: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():
        for _ in range(20):  # warm the connection and caches
            call()
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.perf_counter()
            for _ in range(batch):
                call()
            rates[name].append(batch / (time.perf_counter() - start))
    return {name: _median(r) for name, r in rates.items()}


async def ainterleaved(
    calls: dict[str, Callable[[], Awaitable[object]]], batch: int, rounds: int
) -> dict[str, float]:
    rates: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():
        for _ in range(20):
            await call()
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.perf_counter()
            for _ in range(batch):
                await call()
            rates[name].append(batch / (time.perf_counter() - start))
    return {name: _median(r) for name, r in rates.items()}


def run(quick: bool) -> list[Group]:
    import httpx

    from infra_portable.http import AsyncHttpClient, HttpClient, HttpClientConfig

    batch, rounds = (50, 5) if quick else (200, 21)
    config = HttpClientConfig(max_retries=0)
    groups = []
    with serving() as url:
        raw = httpx.Client()
        ours = HttpClient(config, transport="httpx")
        cases = {
            "GET (sync, keep-alive)": (
                lambda: raw.get(f"{url}/v1/models").content,
                lambda: ours.get(f"{url}/v1/models").content,
            ),
            "POST json (sync)": (
                lambda: raw.post(f"{url}/v1/chat", json=PAYLOAD).json(),
                lambda: ours.post(f"{url}/v1/chat", json=PAYLOAD).json(),
            ),
        }
        for label, (peer, mine) in cases.items():
            rates = interleaved({"httpx.Client": peer, "HttpClient": mine}, batch, rounds)
            group = Group(f"http client {label}", target=0.91)
            group.peers["httpx.Client"] = rates["httpx.Client"]
            group.ours["HttpClient"] = rates["HttpClient"]
            groups.append(group)
        raw.close()
        ours.close()

        async def both() -> dict[str, float]:
            araw = httpx.AsyncClient()
            aours = AsyncHttpClient(config, transport="httpx")

            async def peer() -> bytes:
                return (await araw.get(f"{url}/v1/models")).content

            async def mine() -> bytes:
                return (await aours.get(f"{url}/v1/models")).content

            try:
                return await ainterleaved(
                    {"httpx.AsyncClient": peer, "AsyncHttpClient": mine}, batch, rounds
                )
            finally:
                await araw.aclose()
                await aours.aclose()

        rates = asyncio.run(both())
        group = Group("http client GET (async, sequential)", target=0.91)
        group.peers["httpx.AsyncClient"] = rates["httpx.AsyncClient"]
        group.ours["AsyncHttpClient"] = rates["AsyncHttpClient"]
        groups.append(group)
    for group in groups:
        group.note = f"median of {rounds} interleaved batches of {batch} requests; 0.91 = at most 1.1x the time"
    return groups
