"""Wrong argument types to Router fail as ValidationErrors naming the argument.

Found by throwing junk values at the public API: ``Router(None)``,
``rules=None``, ``seed=[]`` and ``send(request, None)`` used to escape as
TypeError or AttributeError. A wrong client must also not count against the
endpoint it was about to be sent to: the mistake is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from router_support import ScriptedTransport, async_client_for, chat, client_for, endpoints

from infra_portable.errors import ValidationError
from infra_portable.router import Router


def _router(**overrides: Any) -> Router:
    return Router(endpoints("a", "b"), **overrides)


CONSTRUCTION_CASES: list[tuple[str, Callable[[], object], str]] = [
    ("endpoints None", lambda: Router(None), "endpoints"),  # type: ignore[arg-type]
    ("endpoints int", lambda: Router(-1), "endpoints"),  # type: ignore[arg-type]
    ("endpoints str", lambda: Router("ab"), "endpoints"),  # type: ignore[arg-type]
    ("endpoints mapping", lambda: Router({"a": endpoints("a")[0]}), "endpoints"),  # type: ignore[dict-item]
    ("rules None", lambda: _router(rules=None), "rules"),
    ("rules int", lambda: _router(rules=-1), "rules"),
    ("seed list", lambda: _router(seed=[]), "seed"),
    ("seed float", lambda: _router(seed=1.5), "seed"),
    ("seed bool", lambda: _router(seed=True), "seed"),
    ("seed object", lambda: _router(seed=object()), "seed"),
    ("clock", lambda: _router(clock=None), "clock"),
    ("default_pool falsy", lambda: _router(default_pool=0), "default"),
]


@pytest.mark.parametrize(
    ("call", "field"),
    [pytest.param(call, field, id=name) for name, call, field in CONSTRUCTION_CASES],
)
def test_bad_constructor_argument_is_a_validation_error(
    call: Callable[[], object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        call()
    assert caught.value.field == field


@pytest.mark.parametrize("seed", [None, 0, 7, 10**100, "seed", b"seed"])
def test_documented_seed_types_are_accepted_and_repeatable(seed: object) -> None:
    def picks() -> list[str]:
        router = Router(endpoints("a", "b", "c"), strategy="random", seed=seed)  # type: ignore[arg-type]
        return [router.route(chat()).name for _ in range(12)]

    first = picks()
    assert set(first) <= {"a", "b", "c"}
    if seed is not None:
        assert picks() == first


@pytest.mark.parametrize(
    "client",
    [None, -1, "client", object()],
    ids=["None", "int", "str", "object"],
)
def test_send_with_something_that_is_not_a_client(client: object) -> None:
    router = _router()
    with pytest.raises(ValidationError) as caught:
        router.send(chat(), client)  # type: ignore[arg-type]
    assert caught.value.field == "client"
    assert all(s.requests == 0 and s.in_flight == 0 for s in router.stats().values())


def test_sync_send_refuses_an_async_client() -> None:
    router = _router()
    with pytest.raises(ValidationError) as caught:
        router.send(chat(), async_client_for(ScriptedTransport()))  # type: ignore[arg-type]
    assert caught.value.field == "client"
    assert caught.value.expected == "HttpClient"
    assert all(s.failures == 0 for s in router.stats().values())


@pytest.mark.parametrize("client", [None, 3], ids=["None", "int"])
def test_send_async_with_something_that_is_not_a_client(
    client: object, run_coro: Callable[..., Any]
) -> None:
    router = _router()
    with pytest.raises(ValidationError) as caught:
        run_coro(router.send_async(chat(), client))  # type: ignore[arg-type]
    assert caught.value.field == "client"


def test_health_checks_with_something_that_is_not_a_client(
    run_coro: Callable[..., Any],
) -> None:
    router = _router()
    with pytest.raises(ValidationError) as caught:
        router.check_health(None)  # type: ignore[arg-type]
    assert caught.value.field == "client"
    with pytest.raises(ValidationError) as caught:
        run_coro(router.check_health_async(None))  # type: ignore[arg-type]
    assert caught.value.field == "client"


def test_a_real_client_still_sends() -> None:
    router = _router()
    response = router.send(chat(), client_for(ScriptedTransport()))
    assert response.status == 200
    assert sum(s.requests for s in router.stats().values()) == 1


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"interval_s": 0}, "interval_s"),
        ({"interval_s": "1"}, "interval_s"),
        ({"interval_s": float("nan")}, "interval_s"),
        ({"interval_s": 1.0, "rounds": 0}, "rounds"),
        ({"interval_s": 1.0, "rounds": True}, "rounds"),
    ],
)
def test_bad_health_check_schedule(options: dict[str, Any], field: str, run_coro: Any) -> None:
    router = _router()
    client = async_client_for(ScriptedTransport())
    with pytest.raises(ValidationError) as caught:
        run_coro(router.run_health_checks(client, **options))
    assert caught.value.field == field
