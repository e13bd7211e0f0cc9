"""API keys: format, issue, verify, revoke, expire, and every way a key is refused."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from auth_support import FakeClock, drive
from hypothesis import given
from hypothesis import strategies as st

from infra_portable.auth import (
    ApiKeyAuthenticator,
    ApiKeyRecord,
    ApiKeyStore,
    AuthMethod,
    Credentials,
    InMemoryApiKeyStore,
    generate_api_key,
    parse_api_key,
)
from infra_portable.auth._apikey_format import _checksum
from infra_portable.crypto import sha256
from infra_portable.errors import AuthError, AuthErrorKind, ValidationError

RunCoro = Callable[[Coroutine[Any, Any, Any]], Any]
INVALID = AuthErrorKind.INVALID_CREDENTIALS


def _kind(run_coro: RunCoro, coro: Coroutine[Any, Any, Any]) -> AuthError:
    with pytest.raises(AuthError) as info:
        run_coro(coro)
    return info.value


def _with_secret(key: str, secret: str) -> str:
    """The same key id with another secret, and a valid checksum (a well-formed wrong key)."""
    prefix, key_id, _ = key.split("_")
    body = f"{prefix}_{key_id}_{secret}"
    return body + _checksum(body)


def test_generated_keys_have_the_documented_shape() -> None:
    key, parts = generate_api_key("sk")
    prefix, key_id, tail = key.split("_")
    assert (prefix, key_id, tail[:43]) == ("sk", parts.key_id, parts.secret)
    assert len(key_id) == 17
    assert len(tail) == 49
    assert key_id.isalnum()
    assert tail.isalnum()
    assert parse_api_key(key, prefix="sk") == parts
    assert parts.secret not in repr(parts)
    keys = {generate_api_key()[0] for _ in range(50)}
    assert len(keys) == 50


def test_create_and_verify(run_coro: RunCoro) -> None:
    clock = FakeClock(1000.0)
    auth = ApiKeyAuthenticator(clock=clock)
    issued = run_coro(
        auth.create(
            "svc-billing",
            roles=["reader"],
            scopes=["models:read"],
            name="billing prod",
            attributes={"tenant": "acme"},
        )
    )
    assert issued.key.startswith("ipk_")
    assert issued.key not in repr(issued)
    identity = run_coro(auth.verify(issued.key))
    assert identity.subject == "svc-billing"
    assert identity.method == AuthMethod.API_KEY
    assert identity.roles == {"reader"}
    assert identity.scopes == {"models:read"}
    assert identity.attributes == {
        "key_id": issued.key_id,
        "tenant": "acme",
        "key_name": "billing prod",
    }
    record = run_coro(auth.store.get(issued.key_id))
    assert record is not None
    assert record.created_at == 1000.0
    # Only a hash is stored: neither the key nor its secret appear in the record.
    stored = json.dumps(record.to_dict())
    secret = parse_api_key(issued.key).secret
    assert secret not in stored
    assert issued.key not in stored
    assert record.secret_hash == sha256(f"{issued.key_id}.{secret}")


def test_keys_arrive_through_every_credential_kind(run_coro: RunCoro) -> None:
    auth = ApiKeyAuthenticator()
    key = run_coro(auth.create("alice")).key
    for credentials in (
        Credentials.api_key(key),
        Credentials.bearer(key),
        Credentials.basic("anyone", key),
        Credentials.basic(key, ""),
    ):
        assert auth.accepts(credentials)
        assert run_coro(auth.authenticate(credentials)).subject == "alice"
    assert not auth.accepts(Credentials.bearer("eyJ.a.b"))
    error = _kind(run_coro, auth.authenticate(Credentials.basic("", "")))
    assert error.auth_kind is INVALID
    missing = _kind(run_coro, auth.authenticate("ipk_x"))  # type: ignore[arg-type]
    assert missing.auth_kind is AuthErrorKind.MISSING_CREDENTIALS


def test_a_wrong_secret_or_unknown_id_is_invalid(run_coro: RunCoro) -> None:
    auth = ApiKeyAuthenticator()
    key = run_coro(auth.create("alice")).key
    other_secret = generate_api_key()[1].secret
    wrong = _kind(run_coro, auth.verify(_with_secret(key, other_secret)))
    unknown = _kind(run_coro, auth.verify(generate_api_key()[0]))
    assert wrong.auth_kind is unknown.auth_kind is INVALID
    # The same answer for both: a caller cannot tell which ids exist.
    assert wrong.message == unknown.message == "invalid API key"


def test_revoked_keys_are_refused(run_coro: RunCoro) -> None:
    clock = FakeClock(10.0)
    auth = ApiKeyAuthenticator(clock=clock)
    first = run_coro(auth.create("alice"))
    second = run_coro(auth.create("alice"))
    assert run_coro(auth.revoke(first.key_id)) is True
    assert run_coro(auth.revoke(first.key_id)) is False  # already revoked
    assert run_coro(auth.revoke("nope")) is False
    assert run_coro(auth.revoke(second.key)) is True  # by the full key too
    for issued in (first, second):
        error = _kind(run_coro, auth.verify(issued.key))
        assert error.auth_kind is INVALID
        assert "revoked" in error.message
    record = run_coro(auth.store.get(first.key_id))
    assert record.is_revoked
    assert record.revoked_at == 10.0


def test_a_wrong_secret_does_not_learn_about_revocation(run_coro: RunCoro) -> None:
    auth = ApiKeyAuthenticator()
    issued = run_coro(auth.create("alice"))
    run_coro(auth.revoke(issued.key_id))
    error = _kind(run_coro, auth.verify(_with_secret(issued.key, generate_api_key()[1].secret)))
    assert "revoked" not in error.message


def test_keys_expire(run_coro: RunCoro) -> None:
    clock = FakeClock(0.0)
    auth = ApiKeyAuthenticator(clock=clock)
    issued = run_coro(auth.create("alice", expires_in=3600))
    clock.advance(3599)
    assert run_coro(auth.verify(issued.key)).expires_at == 3600
    clock.advance(1)
    error = _kind(run_coro, auth.verify(issued.key))
    assert error.auth_kind is AuthErrorKind.TOKEN_EXPIRED
    for bad in (0, -5, True, "1h", float("nan")):
        with pytest.raises(ValidationError):
            run_coro(auth.create("alice", expires_in=bad))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "key",
    [
        "",
        "ipk",
        "ipk__",
        "sk_0123456789abcdefg_" + "a" * 49,  # another prefix
        "ipk_0123456789abcdef_" + "a" * 49,  # a 16-character id
        "ipk_0123456789abcdefg_" + "a" * 48,  # a short secret
        "ipk_0123456789abcdef-_" + "a" * 49,  # not base62
        "ipk_0123456789abcdefg_" + "a" * 49,  # a checksum that does not match
        "ipk_0123456789abcdefg_" + "a" * 49 + "_x",
        "ipk_" + "a" * 500,
    ],
)
def test_malformed_keys_are_refused_before_any_lookup(run_coro: RunCoro, key: str) -> None:
    class CountingStore(InMemoryApiKeyStore):
        lookups = 0

        async def get(self, key_id: str) -> ApiKeyRecord | None:
            CountingStore.lookups += 1
            return await super().get(key_id)

    auth = ApiKeyAuthenticator(CountingStore())
    error = _kind(run_coro, auth.verify(key))
    assert error.auth_kind is INVALID
    assert error.message.startswith("malformed API key")
    assert CountingStore.lookups == 0


def test_a_non_string_key_is_malformed(run_coro: RunCoro) -> None:
    error = _kind(run_coro, ApiKeyAuthenticator().verify(b"ipk_x"))  # type: ignore[arg-type]
    assert error.auth_kind is INVALID


@given(position=st.integers(min_value=0), replacement=st.sampled_from("0aZ9_-x"))
def test_any_one_character_change_is_refused(position: int, replacement: str) -> None:
    auth = ApiKeyAuthenticator()
    key = drive(auth.create("alice")).key
    index = position % len(key)
    changed = key[:index] + replacement + key[index + 1 :]
    if changed == key:
        return
    with pytest.raises(AuthError) as info:
        drive(auth.verify(changed))
    assert info.value.auth_kind is INVALID


def test_a_pepper_binds_keys_to_the_server(run_coro: RunCoro) -> None:
    store = InMemoryApiKeyStore()
    peppered = ApiKeyAuthenticator(store, pepper=b"p" * 32)
    key = run_coro(peppered.create("alice")).key
    assert run_coro(peppered.verify(key)).subject == "alice"
    # The same store read by a server without (or with another) pepper rejects it.
    for other in (ApiKeyAuthenticator(store), ApiKeyAuthenticator(store, pepper="q" * 32)):
        assert _kind(run_coro, other.verify(key)).auth_kind is INVALID
    with pytest.raises(ValidationError):
        ApiKeyAuthenticator(pepper=b"short")


def test_the_prefix_is_checked() -> None:
    for bad in ("", "a", "Ipk", "ip_k", "1pk", "x" * 17):
        with pytest.raises(ValidationError):
            ApiKeyAuthenticator(prefix=bad)
    with pytest.raises(ValidationError):
        generate_api_key("bad_prefix")


def test_records_round_trip_and_reject_bad_data(run_coro: RunCoro) -> None:
    auth = ApiKeyAuthenticator()
    issued = run_coro(auth.create("alice", roles=["a"], expires_in=5, attributes={"t": 1}))
    record = issued.record
    assert ApiKeyRecord.from_dict(json.loads(json.dumps(record.to_dict()))) == record
    data = record.to_dict()
    for broken in (
        {k: v for k, v in data.items() if k != "subject"},
        {**data, "secret_hash": "zz"},
        {**data, "roles": [1]},
        {**data, "expires_at": "soon"},
        "not a mapping",
    ):
        with pytest.raises(ValidationError):
            ApiKeyRecord.from_dict(broken)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        ApiKeyRecord("id", b"", "alice")


def test_the_in_memory_store_meets_the_protocol(run_coro: RunCoro) -> None:
    store = InMemoryApiKeyStore()
    assert isinstance(store, ApiKeyStore)
    auth = ApiKeyAuthenticator(store)
    run_coro(auth.create("alice"))
    run_coro(auth.create("bob"))
    assert len(store) == 2
    assert [r.subject for r in run_coro(store.records("bob"))] == ["bob"]
    assert len(run_coro(store.records())) == 2
    with pytest.raises(ValidationError):
        run_coro(store.put({"key_id": "x"}))  # type: ignore[arg-type]
