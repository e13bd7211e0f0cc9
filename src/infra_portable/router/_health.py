"""Active health checks: GET each endpoint's health path, flip its status on streaks.

An endpoint turns UNHEALTHY after ``unhealthy_threshold`` failed checks in a
row and HEALTHY again after ``healthy_threshold`` good ones (a never-checked
endpoint after one: there was nothing to distrust). A check is good when the
answer is 2xx; any other status and any HttpError (refused, timed out) are bad.
There is no background thread: the caller decides when to check, or awaits
:func:`run_health_checks` as a task. Health is independent of the breakers,
which learn from real traffic.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

from infra_portable.errors import InfraError, check_int, check_number
from infra_portable.http import Response
from infra_portable.router._endpoint import EndpointState, HealthStatus
from infra_portable.router._settings import RouterSettings

__all__ = ["AsyncGetter", "SyncGetter", "check_all", "check_all_async", "run_health_checks"]


class SyncGetter(Protocol):
    def get(self, url: str, **kwargs: Any) -> Response: ...


class AsyncGetter(Protocol):
    def get(self, url: str, **kwargs: Any) -> Awaitable[Response]: ...


def apply_result(
    state: EndpointState, healthy: bool, settings: RouterSettings, lock: threading.Lock
) -> None:
    with lock:
        if healthy:
            state.health_failures = 0
            state.health_successes += 1
            if (
                state.health is not HealthStatus.UNHEALTHY
                or state.health_successes >= settings.healthy_threshold
            ):
                state.health = HealthStatus.HEALTHY
        else:
            state.health_successes = 0
            state.health_failures += 1
            if state.health_failures >= settings.unhealthy_threshold:
                state.health = HealthStatus.UNHEALTHY


def _targets(states: Iterable[EndpointState]) -> list[tuple[EndpointState, str]]:
    return [(s, url) for s in states if (url := s.endpoint.health_url) is not None]


def check_all(
    states: Iterable[EndpointState],
    client: SyncGetter,
    settings: RouterSettings,
    lock: threading.Lock,
) -> None:
    for state, url in _targets(states):
        try:
            response = client.get(url)
        except InfraError:
            apply_result(state, False, settings, lock)
            continue
        response.close()
        apply_result(state, response.is_success, settings, lock)


async def check_all_async(
    states: Iterable[EndpointState],
    client: AsyncGetter,
    settings: RouterSettings,
    lock: threading.Lock,
) -> None:
    # One endpoint after another: no event-loop primitives, so it runs the
    # same when driven by hand (WASI) as under asyncio.
    for state, url in _targets(states):
        try:
            response = await client.get(url)
        except InfraError:
            apply_result(state, False, settings, lock)
            continue
        await response.aclose()
        apply_result(state, response.is_success, settings, lock)


async def run_health_checks(
    check: Callable[[], Awaitable[object]],
    *,
    interval_s: float,
    rounds: int | None,
    sleep: Callable[[float], Awaitable[Any]] | None,
) -> int:
    """Await ``check()`` ``rounds`` times (None: until cancelled), ``interval_s`` apart."""
    if rounds is not None:
        check_int("rounds", rounds, minimum=1)
    check_number("interval_s", interval_s, strict=True, allow_infinity=True)
    if sleep is None:
        import asyncio

        sleep = asyncio.sleep
    done = 0
    while rounds is None or done < rounds:
        await check()
        done += 1
        if rounds is None or done < rounds:
            await sleep(interval_s)
    return done
