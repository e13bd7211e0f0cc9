"""Router: choose an endpoint for a request, send it there, learn from the outcome.

Choosing (``route``) goes: the first matching rule's pool (else the default
pool) -> the endpoints in it that serve the requested model -> those
available (not marked unhealthy, breaker not open) -> the lowest tier among
them -> the pool's balancer. Nothing available raises ExternalError (see
:meth:`Router.route` for why that kind).

Sending (``send``/``send_async``) moves the request onto the chosen
endpoint's base URL, sends it with the caller's client, and records latency and
outcome. A retryable failure (an HttpError without an answer or with a
retryable status, or a 429/5xx response) counts against the endpoint's
breaker, and the request is tried on the next endpoint (never one already
tried this time) up to ``max_attempts``. The router retries across endpoints,
so give it a client with ``HttpClientConfig(max_retries=0)``: a client that
retries by itself would hammer a failing endpoint before the router can move on.

State changes happen under one lock, so a router may be shared by threads.
"""

from __future__ import annotations

import inspect
import random
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from infra_portable.errors import (
    CircuitState,
    ExternalError,
    InfraError,
    ValidationError,
    check_items,
    check_seed,
    default_is_failure,
)
from infra_portable.http import Request, Response
from infra_portable.json import JsonPath, compile_path
from infra_portable.router._balancers import Balancer, BalancerFactory, make_balancer_factory
from infra_portable.router._endpoint import Endpoint, EndpointState, EndpointStats, HealthStatus
from infra_portable.router._health import check_all, check_all_async, run_health_checks
from infra_portable.router._pools import DEFAULT_POOL, build_pools, build_states
from infra_portable.router._rules import Pool, RequestView, Rule
from infra_portable.router._settings import RouterSettings

__all__ = ["ENDPOINT_EXTENSION", "AsyncSender", "Router", "SyncSender", "is_failure_status"]

# The chosen endpoint's name, in the extensions of the request the router sends.
ENDPOINT_EXTENSION = "router.endpoint"


class SyncSender(Protocol):
    """What :meth:`Router.send` sends with: an :class:`~infra_portable.http.HttpClient`."""

    def send(self, request: Request, *, stream: bool = False) -> Response: ...

    def get(self, url: str, **kwargs: Any) -> Response: ...


class AsyncSender(Protocol):
    """What :meth:`Router.send_async` sends with: an :class:`~infra_portable.http.AsyncHttpClient`."""

    def send(self, request: Request, *, stream: bool = False) -> Awaitable[Response]: ...

    def get(self, url: str, **kwargs: Any) -> Awaitable[Response]: ...


def _model_path(path: str | None) -> JsonPath | None:
    if path is None:
        return None
    try:
        return compile_path(path)
    except ValidationError as exc:
        raise ValidationError(
            f"model_path is not a valid JSONPath: {exc.message}",
            field="model_path",
            actual=repr(path),
        ) from None


def _check_client(client: object, *, asynchronous: bool, method: str = "send") -> None:
    """The ``client`` must have ``method`` (an HttpClient or alike); a synchronous
    call refuses an async client (its coroutines would never run).

    Checked before the first attempt: calling a wrong one inside the attempt
    loop would count the caller's mistake as the endpoint's failure.
    """
    bound = getattr(client, method, None)
    if callable(bound) and (asynchronous or not inspect.iscoroutinefunction(bound)):
        return
    expected = "AsyncHttpClient" if asynchronous else "HttpClient"
    raise ValidationError(
        f"client must be an http.{expected} (or have its {method} method)",
        field="client",
        expected=expected,
        actual=type(client).__name__,
    )


def is_failure_status(status: int) -> bool:
    """429 and 5xx say the endpoint could not serve the request now."""
    return status == 429 or status >= 500


class _Attempts:
    """The bookkeeping of one send: endpoints tried, skipped, and the last outcome."""

    __slots__ = ("error", "refused", "response", "tried")

    def __init__(self) -> None:
        self.tried: list[str] = []
        self.refused: set[str] = set()
        self.response: Response | None = None
        self.error: InfraError | None = None

    @property
    def excluded(self) -> set[str]:
        return set(self.tried) | self.refused


class Router:
    """Routes requests over endpoints (seed 002 §2.8's ``Router``).

    ``strategy`` is a name from :data:`~infra_portable.router.STRATEGIES` or a
    factory taking the router's ``random.Random``; ``seed`` makes its random
    choices repeatable. ``rules`` are tried in order; ``default_pool`` (every
    endpoint unless given) takes the rest. ``clock`` (seconds, monotonic) drives
    latency measurement and the breakers, so tests can pass a fake one.
    """

    def __init__(
        self,
        endpoints: Iterable[Endpoint],
        *,
        strategy: str | BalancerFactory = "weighted",
        rules: Sequence[Rule] = (),
        default_pool: Pool | None = None,
        settings: RouterSettings | None = None,
        seed: int | str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if settings is not None and not isinstance(settings, RouterSettings):
            raise ValidationError(
                "settings must be a router.RouterSettings",
                field="settings",
                actual=type(settings).__name__,
            )
        self.settings = settings if settings is not None else RouterSettings()
        if not callable(clock):
            raise ValidationError("clock must be callable", field="clock", actual=repr(clock))
        self._clock = clock
        self._rng = random.Random(check_seed("seed", seed, allow_none=True))
        self._factory = make_balancer_factory(strategy)
        self._lock = threading.Lock()
        self._states = build_states(check_items("endpoints", endpoints), self.settings, clock)
        self._rules: tuple[Rule, ...] = check_items("rules", rules)
        self._pools = build_pools(
            self._states, self._rules, Pool() if default_pool is None else default_pool
        )
        self._balancers: dict[str, Balancer] = {}
        self._model_path = _model_path(self.settings.model_path)

    # -- construction -----------------------------------------------------------
    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        prefix: str | None = "router",
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> Router:
        """A router from a :class:`~infra_portable.config.Config` or mapping.

        Keys under ``prefix`` (the whole mapping when None): ``endpoints``
        (list of {name, url, weight, tier, labels, models, health_path}),
        ``strategy``, ``seed``, ``tiers`` (names for tier numbers, first is 0),
        ``rules`` (list of {name, match: {model, headers, json_path,
        json_equals, path_prefix}, endpoints, labels}), ``default`` ({endpoints,
        labels}) and every :class:`RouterSettings` field. A bad value raises
        ValidationError naming its field (``router.endpoints[1].weight``).
        """
        from infra_portable.router._config import join_field, relocated, router_arguments

        arguments = router_arguments(config, prefix)
        try:
            return cls(**arguments, clock=clock)
        except ValidationError as exc:  # checks across values: name them in the file
            raise relocated(exc, lambda f: join_field(prefix or "", f)) from None

    # -- reading ------------------------------------------------------------------
    @property
    def endpoints(self) -> tuple[Endpoint, ...]:
        return tuple(s.endpoint for s in self._states.values())

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self._rules

    def _state(self, endpoint: Endpoint | str) -> EndpointState:
        name = endpoint.name if isinstance(endpoint, Endpoint) else endpoint
        state = self._states.get(name)
        if state is None:
            raise ValidationError(
                "no such endpoint",
                field="endpoint",
                expected=", ".join(self._states),
                actual=repr(name),
            )
        return state

    def stats(self) -> dict[str, EndpointStats]:
        """A snapshot per endpoint, in configuration order."""
        now = self._clock()
        with self._lock:
            return {name: state.snapshot(now) for name, state in self._states.items()}

    # -- choosing -----------------------------------------------------------------
    def _view(self, request: Request) -> RequestView:
        if not isinstance(request, Request):
            raise ValidationError(
                "the router takes an http.Request", field="request", actual=type(request).__name__
            )
        return RequestView(request, self._model_path)

    def pool_for(self, request: Request) -> str:
        """The name of the pool ``request`` goes to: the first matching rule's, else "default"."""
        return self._pool_of(self._view(request))

    def _pool_of(self, view: RequestView) -> str:
        for rule in self._rules:
            if rule.matches(view):
                return rule.name
        return DEFAULT_POOL

    def route(self, request: Request, *, exclude: Iterable[str] = ()) -> Endpoint:
        """The endpoint ``request`` should go to now (``exclude``: names not to use).

        Raises ValidationError (field ``model``) when no endpoint of the pool
        serves the requested model at all: the caller asked for something this
        router does not offer. Raises ExternalError (service ``router``,
        operation ``route``, the pool named in the message) when endpoints
        exist but none is available: that is an unavailable dependency, the
        same kind an open CircuitBreaker raises, so one retry policy handles
        both; its ``retry_after`` is the time until the first open breaker
        half-opens, when breakers are the reason. (An HttpError would claim an
        upstream answered, which none did.)

        ``route`` does not reserve the endpoint; report how the call went with
        :meth:`record`, or let :meth:`send` do all of it.
        """
        return self._choose(self._view(request), set(exclude)).endpoint

    def _choose(self, view: RequestView, exclude: set[str]) -> EndpointState:
        pool = self._pool_of(view)
        members = self._pools[pool]
        model = view.model
        serving = [s for s in members if s.endpoint.serves(model)]
        if not serving:
            offered = sorted({m for s in members for m in s.endpoint.models})
            raise ValidationError(
                f"no endpoint in pool '{pool}' serves model {model!r}",
                field="model",
                expected=", ".join(offered),
                actual=repr(model),
            )
        now = self._clock()
        with self._lock:
            candidates = [s for s in serving if s.name not in exclude and s.available()]
            if not candidates:
                raise self._unavailable(pool, serving, exclude, now)
            tier = min(s.endpoint.tier for s in candidates)
            in_tier = [s for s in candidates if s.endpoint.tier == tier]
            balancer = self._balancers.get(pool)
            if balancer is None:
                balancer = self._balancers[pool] = self._factory(self._rng)
            return balancer.choose(in_tier, now)

    def _unavailable(
        self, pool: str, serving: list[EndpointState], exclude: set[str], now: float
    ) -> ExternalError:
        reasons = []
        waits = []
        for state in serving:
            if state.name in exclude:
                reasons.append(f"{state.name}: excluded")
            elif state.health is HealthStatus.UNHEALTHY:
                reasons.append(f"{state.name}: unhealthy")
            else:
                reasons.append(f"{state.name}: circuit open")
                opened = state.opened_at if state.opened_at is not None else now
                waits.append(max(self.settings.recovery_timeout - (now - opened), 0.0))
        return ExternalError(
            f"no endpoint available in pool '{pool}' ({'; '.join(reasons)})",
            service="router",
            operation="route",
            retry_after_s=min(waits) if waits else None,
        )

    # -- learning -----------------------------------------------------------------
    def record(
        self,
        endpoint: Endpoint | str,
        *,
        latency_s: float | None = None,
        status: int | None = None,
        error: BaseException | None = None,
    ) -> bool:
        """Report a call made to ``endpoint`` after :meth:`route`; True when it counted as failed.

        It failed when ``error`` is the endpoint's fault (a retryable
        InfraError or a foreign exception) or ``status`` is 429 or 5xx.
        """
        state = self._state(endpoint)
        return self._finish(state, latency_s, status, error, reserved=False)

    def _finish(
        self,
        state: EndpointState,
        latency_s: float | None,
        status: int | None,
        error: BaseException | None,
        *,
        reserved: bool,
    ) -> bool:
        failed = (error is not None and default_is_failure(error)) or (
            status is not None and is_failure_status(status)
        )
        now = self._clock()
        with self._lock:
            if reserved:
                state.in_flight -= 1
            state.requests += 1
            if failed:
                state.failures += 1
            else:
                state.successes += 1
            if latency_s is not None:
                sample = max(latency_s, 0.0) * 1000.0
                if failed:
                    sample = max(sample, self.settings.failure_penalty_ms)
                state.ewma.observe(sample, now)
        breaker = state.breaker
        if failed:
            before = breaker.state
            breaker.record_failure()
            if before is not CircuitState.OPEN and breaker.state is CircuitState.OPEN:
                state.opened_at = now
        else:
            breaker.record_success()
        return failed

    def _abandon(self, state: EndpointState) -> None:
        """A send cancelled or interrupted mid-flight: it says nothing about the endpoint;
        a half-open breaker gets its probe slot back."""
        with self._lock:
            state.in_flight -= 1
        state.breaker.release()

    def set_health(self, endpoint: Endpoint | str, status: HealthStatus | str) -> None:
        """Mark an endpoint's health by hand (draining one for maintenance, say)."""
        state = self._state(endpoint)
        try:
            health = HealthStatus(status)
        except ValueError:
            raise ValidationError(
                "unknown health status",
                field="status",
                expected=", ".join(h.value for h in HealthStatus),
                actual=repr(status),
            ) from None
        with self._lock:
            state.health = health
            state.health_successes = state.health_failures = 0

    def reset(self) -> None:
        """Forget everything learned: counts, latency, breakers, health, rotations."""
        with self._lock:
            for state in self._states.values():
                state.clear()
            self._balancers.clear()

    # -- sending ------------------------------------------------------------------
    def _next(self, view: RequestView, attempts: _Attempts) -> EndpointState | None:
        """The next endpoint to try, reserved (breaker acquired, in flight counted).

        None when every endpoint has been tried or is unavailable after at
        least one attempt; before any attempt that raises the routing error.
        """
        while True:
            try:
                state = self._choose(view, attempts.excluded)
            except ExternalError:
                if not attempts.tried:
                    raise
                return None
            try:
                state.breaker.acquire()
            except ExternalError:
                # Half-open with its probes out: not an attempt, just skip it.
                attempts.refused.add(state.name)
                continue
            with self._lock:
                state.in_flight += 1
            attempts.tried.append(state.name)
            return state

    def _outbound(self, request: Request, endpoint: Endpoint) -> Request:
        headers = request.headers.copy()
        headers.remove("host")
        extensions = dict(request.extensions)
        extensions[ENDPOINT_EXTENSION] = endpoint.name
        return request.copy(
            url=endpoint.url_for(request.url), headers=headers, extensions=extensions
        )

    def _failed(
        self, state: EndpointState, started: float, exc: Exception, attempts: _Attempts
    ) -> bool:
        """Record a send that raised; True when the next endpoint should be tried."""
        self._finish(state, self._clock() - started, None, exc, reserved=True)
        if isinstance(exc, InfraError):
            exc.add_context(f"sending to endpoint '{state.name}'")
            if exc.is_retryable:
                attempts.error, attempts.response = exc, None
                return True
        return False

    def _answered(
        self,
        state: EndpointState,
        started: float,
        response: Response,
        attempts: _Attempts,
        stream: bool,
    ) -> bool:
        """Record a response; True when it is the answer (not a 429/5xx to retry).

        A streamed answer stays in flight until its body is closed (an LLM token
        stream keeps the endpoint busy long after the headers arrive)."""
        failed = is_failure_status(response.status)
        hold = stream and not failed
        self._finish(state, self._clock() - started, response.status, None, reserved=not hold)
        if hold:
            response.on_close(lambda: self._release(state))
        if failed:
            attempts.response, attempts.error = response, None
        return not failed

    def _release(self, state: EndpointState) -> None:
        with self._lock:
            state.in_flight -= 1

    def _give_up(self, attempts: _Attempts, view: RequestView) -> Response:
        if attempts.response is not None:
            return attempts.response
        error = attempts.error
        if error is None:  # pragma: no cover - every attempt leaves one or the other
            raise ExternalError("no attempt was made", service="router", operation="send")
        pool = self._pool_of(view)
        raise error.add_context(f"routing in pool '{pool}', tried {', '.join(attempts.tried)}")

    def send(self, request: Request, client: SyncSender, *, stream: bool = False) -> Response:
        """Route ``request``, send it with ``client`` and retry on the next endpoint.

        Returns the first response that is not a failure, or the last
        failure's response (429/5xx) when attempts run out; raises the last
        error when the last attempt got no response, and at once for an error
        that is not retryable. ``client`` should not retry by itself
        (``HttpClientConfig(max_retries=0)``). With ``stream=True`` the
        request counts as in flight until the response is closed.
        """
        view = self._view(request)
        _check_client(client, asynchronous=False)
        attempts = _Attempts()
        while len(attempts.tried) < self.settings.max_attempts:
            state = self._next(view, attempts)
            if state is None:
                break
            if attempts.response is not None:
                attempts.response.close()
            started = self._clock()
            try:
                response = client.send(self._outbound(request, state.endpoint), stream=stream)
            except Exception as exc:
                if self._failed(state, started, exc, attempts):
                    continue
                raise
            except BaseException:
                self._abandon(state)
                raise
            if self._answered(state, started, response, attempts, stream):
                return response
        return self._give_up(attempts, view)

    async def send_async(
        self, request: Request, client: AsyncSender, *, stream: bool = False
    ) -> Response:
        """:meth:`send` with an :class:`~infra_portable.http.AsyncHttpClient`."""
        view = self._view(request)
        _check_client(client, asynchronous=True)
        attempts = _Attempts()
        while len(attempts.tried) < self.settings.max_attempts:
            state = self._next(view, attempts)
            if state is None:
                break
            if attempts.response is not None:
                await attempts.response.aclose()
            started = self._clock()
            try:
                response = await client.send(self._outbound(request, state.endpoint), stream=stream)
            except Exception as exc:
                if self._failed(state, started, exc, attempts):
                    continue
                raise
            except BaseException:
                self._abandon(state)
                raise
            if self._answered(state, started, response, attempts, stream):
                return response
        return self._give_up(attempts, view)

    # -- health checks --------------------------------------------------------------
    def health(self) -> dict[str, HealthStatus]:
        """Every endpoint's health-check status."""
        with self._lock:
            return {name: state.health for name, state in self._states.items()}

    def check_health(self, client: SyncSender) -> dict[str, HealthStatus]:
        """GET every endpoint's ``health_path`` once and return every endpoint's health.

        2xx is a good check, anything else a bad one; streaks of
        ``healthy_threshold``/``unhealthy_threshold`` flip the status (see
        ``_health``). The caller schedules checks; no thread is started.
        """
        _check_client(client, asynchronous=False, method="get")
        check_all(self._states.values(), client, self.settings, self._lock)
        return self.health()

    async def check_health_async(self, client: AsyncSender) -> dict[str, HealthStatus]:
        """:meth:`check_health` with an :class:`~infra_portable.http.AsyncHttpClient`."""
        _check_client(client, asynchronous=True, method="get")
        await check_all_async(self._states.values(), client, self.settings, self._lock)
        return self.health()

    async def run_health_checks(
        self,
        client: AsyncSender,
        *,
        interval_s: float,
        rounds: int | None = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
    ) -> int:
        """Check health every ``interval_s`` seconds, ``rounds`` times (None: until cancelled).

        Run it as a task beside the server; ``sleep`` defaults to
        ``asyncio.sleep``. Returns the number of rounds done.
        """
        _check_client(client, asynchronous=True, method="get")
        return await run_health_checks(
            lambda: self.check_health_async(client),
            interval_s=interval_s,
            rounds=rounds,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        return f"Router({', '.join(self._states)})"
