"""Secrets: sealed in memory, masked everywhere text is made, revealed only on request."""

from __future__ import annotations

import base64
import copy
import io
import logging
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("infra_portable.crypto._aead")

from infra_portable import json as ij
from infra_portable.config import (
    MASK,
    Config,
    ConfigLoader,
    EnvKeyProvider,
    KeyProvider,
    RandomKeyProvider,
    Secret,
    SecretBox,
    StaticKeyProvider,
)
from infra_portable.errors import ConfigError, CryptoError, ValidationError


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A fresh folder, removed afterwards.

    Replaces pytest's ``tmp_path``, whose base folder is named after
    ``os.getuid()``, which WASI does not have.
    """
    folder = Path(tempfile.mkdtemp(prefix="infra-config-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


PASSWORD = "hunter2-correct-horse"
API_KEY = "sk-live-0123456789abcdef"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "config.json"
    path.write_text(
        ij.dumps(
            {
                "db": {"url": "postgres://db", "password": PASSWORD},
                "openai": {"api_key": API_KEY, "org": "acme"},
                "vault": {"token": {"$secret": "s.vault-token"}, "port": {"$secret": 8200}},
            }
        )
    )
    return (
        ConfigLoader()
        .with_file(path)
        .with_secret_keys("*.API_KEY", "db.password")
        .with_env_prefix("T_", environ={"T_ANTHROPIC__API_KEY": "sk-ant-env"})
        .load()
    )


def test_secret_values_are_sealed_and_reveal_on_request(config: Config) -> None:
    for key in ("db.password", "openai.api_key", "anthropic.api_key", "vault.token", "vault.port"):
        assert config.is_secret(key), key
        assert isinstance(config.get(key), Secret)
    assert not config.is_secret("openai.org")
    assert config.reveal("db.password") == PASSWORD
    assert config.get("openai.api_key").reveal() == API_KEY
    assert config.reveal("anthropic.api_key") == "sk-ant-env"
    assert config.reveal("vault.token") == "s.vault-token"
    assert config.reveal("vault.port") == "8200"  # non-text secrets reveal their JSON text
    assert config.reveal("openai.org") == "acme"  # plain text reveals as itself
    with pytest.raises(ValidationError):
        Config({"n": 1}).reveal("n")


def test_secrets_never_leak_as_text(config: Config) -> None:
    secret = config.get("db.password")
    texts = [
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!r}",
        f"{secret:>30}",
        f"{secret:d}",
        "%s %r" % (secret, secret),  # noqa: UP031 - the logging style on purpose
        "{}".format(secret),  # noqa: UP032
        repr(config),
        str(config.to_dict()),
        ij.dumps(config.to_dict()),
        repr(config.section("db")),
        repr(config.get("db")),
        str(config.flat()),
    ]
    # A handler of our own: WASI runs pytest without its logging plugin (no caplog).
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("test.config.secrets")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("password is %s, repr %r", secret, secret)
    finally:
        logger.removeHandler(handler)
    texts.append(stream.getvalue())
    assert "password is ***, repr Secret('***')" in texts[-1]
    for text in texts:
        assert PASSWORD not in text
        assert API_KEY not in text
        assert "hunter2" not in text
    assert str(secret) == MASK
    assert config.to_dict()["db"] == {"url": "postgres://db", "password": MASK}
    assert config.to_dict()["vault"] == {"token": MASK, "port": MASK}
    assert secret.sealed
    assert PASSWORD.encode() not in secret.sealed


def test_typed_getters_refuse_secrets(config: Config) -> None:
    with pytest.raises(ValidationError) as info:
        config.get_str("db.password")
    assert info.value.field == "db.password"
    assert PASSWORD not in str(info.value)


def test_tampered_or_moved_sealed_values_fail() -> None:
    loader = ConfigLoader().with_dict({"db": {"password": PASSWORD}}).with_secret_keys("db.*")
    secret = loader.load().get("db.password")
    box = loader.secret_box
    sealed = bytearray(secret.sealed)
    sealed[len(sealed) // 2] ^= 0x01
    with pytest.raises(CryptoError):
        box.open(secret.name, bytes(sealed))
    with pytest.raises(CryptoError):
        Secret.from_sealed(box, secret.name, bytes(sealed))
    with pytest.raises(CryptoError):  # the key name is the associated data
        box.open("openai.api_key", secret.sealed)
    restored = Secret.from_sealed(box, secret.name, secret.sealed)
    assert restored.reveal() == PASSWORD
    assert restored == secret


def test_secrets_cannot_be_pickled_but_copy_safely(config: Config) -> None:
    secret = config.get("db.password")
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    assert copy.deepcopy(secret) is secret
    assert copy.copy(secret) is secret


def test_secret_equality_and_checksum_follow_the_value() -> None:
    provider = StaticKeyProvider(bytes(range(32)))

    def load(password: str) -> Config:
        return (
            ConfigLoader()
            .with_key_provider(provider)
            .with_dict({"db": {"password": password}})
            .with_secret_keys("db.password")
            .load()
        )

    first, again, other = load("a"), load("a"), load("b")
    assert first.get("db.password") == again.get("db.password")
    assert first.get("db.password") != other.get("db.password")
    assert first.get("db.password").sealed != again.get("db.password").sealed  # fresh nonces
    assert first.checksum == again.checksum != other.checksum
    plain = ConfigLoader().with_dict({"db": {"password": "a"}}).load()
    assert plain.checksum != first.checksum  # the checksum never hashes the bare value


def test_a_secret_stays_secret_when_a_later_source_overrides_it() -> None:
    config = (
        ConfigLoader()
        .with_dict({"token": {"$secret": "first"}})
        .with_dict({"token": "second"})
        .load()
    )
    assert config.is_secret("token")
    assert config.reveal("token") == "second"


def test_a_table_matched_by_a_pattern_seals_every_leaf() -> None:
    config = (
        ConfigLoader()
        .with_dict({"creds": {"user": "u", "pass": "p", "none": None}})
        .with_secret_keys("creds")
        .load()
    )
    assert config.is_secret("creds.user")
    assert config.is_secret("creds.pass")
    assert config.get("creds.none") is None


def test_key_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(RandomKeyProvider(), KeyProvider)
    assert RandomKeyProvider().get_key() == RandomKeyProvider().get_key()
    assert len(RandomKeyProvider().get_key()) == 32
    key = os.urandom(32)
    encoded = base64.urlsafe_b64encode(key).decode().rstrip("=")
    assert EnvKeyProvider("K", environ={"K": encoded}).get_key() == key
    monkeypatch.setenv("INFRA_PORTABLE_CONFIG_KEY", encoded)
    assert EnvKeyProvider().get_key() == key
    for environ in ({}, {"K": "!!!"}, {"K": base64.urlsafe_b64encode(b"short").decode()}):
        with pytest.raises(ConfigError) as info:
            EnvKeyProvider("K", environ=environ).get_key()
        assert info.value.key == "K"
    with pytest.raises(ConfigError):
        StaticKeyProvider(b"short")
    assert repr(StaticKeyProvider(key)) == "StaticKeyProvider(***)"


def test_env_key_provider_makes_checksums_agree_across_boxes() -> None:
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()

    def load() -> Config:
        return (
            ConfigLoader()
            .with_key_provider(EnvKeyProvider("K", environ={"K": key}))
            .with_dict({"api_key": "x"})
            .with_secret_keys("api_key")
            .load()
        )

    assert load().checksum == load().checksum


def test_a_bad_key_fails_the_load_with_a_config_error() -> None:
    loader = (
        ConfigLoader()
        .with_key_provider(EnvKeyProvider("MISSING_KEY_VAR", environ={}))
        .with_dict({"api_key": "x"})
        .with_secret_keys("api_key")
    )
    with pytest.raises(ConfigError) as info:
        loader.load()
    assert info.value.key == "MISSING_KEY_VAR"


def test_box_fingerprints_are_keyed() -> None:
    one, two = (
        SecretBox(StaticKeyProvider(b"\x01" * 32)),
        SecretBox(StaticKeyProvider(b"\x02" * 32)),
    )
    assert one.fingerprint("x") == one.fingerprint("x") != two.fingerprint("x")
    assert repr(one) == "SecretBox(StaticKeyProvider(***))"
