"""Ed25519 / X25519: our key classes vs the raw libraries, and the pure backend.

- Through our API on the ``cryptography`` backend vs raw ``cryptography``
  (target 0.9x): the key objects cache OpenSSL's key handles, so only the
  argument checks and the shared strictness rules are extra.
- The pure backend has no installed pure-Python peer here; its groups report
  ops/s against an absolute target (verify >= 1,500/s natively) in the note.
  "one-shot" verifies with a fresh key object each call (Straus's method);
  "same key" reuses one key object, as a service checking tokens does (after
  a few calls the verifier switches to a per-key comb table).
"""

from __future__ import annotations

import os

from _harness import Group, ops_per_second

PURE_VERIFY_TARGET = 1500.0


def _cryptography_groups(min_time: float) -> list[Group]:
    from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

    from infra_portable.crypto._eddsa import (
        Ed25519PrivateKey,
        X25519PrivateKey,
        X25519PublicKey,
    )

    seed, message = os.urandom(32), os.urandom(256)
    ours = Ed25519PrivateKey.from_bytes(seed, backend="cryptography")
    ours_public = ours.public_key()
    raw = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    raw_public = raw.public_key()
    signature = raw.sign(message)

    sign = Group("ed25519 sign 256 B (cryptography backend)", target=0.9)
    sign.ours["infra_portable"] = ops_per_second(lambda: ours.sign(message), min_time=min_time)
    sign.peers["cryptography"] = ops_per_second(lambda: raw.sign(message), min_time=min_time)

    verify = Group("ed25519 verify 256 B (cryptography backend)", target=0.9)
    verify.ours["infra_portable"] = ops_per_second(
        lambda: ours_public.verify(signature, message), min_time=min_time
    )
    verify.peers["cryptography"] = ops_per_second(
        lambda: raw_public.verify(signature, message), min_time=min_time
    )

    peer_raw = os.urandom(32)
    ours_x = X25519PrivateKey.from_bytes(seed, backend="cryptography")
    ours_peer = X25519PublicKey.from_bytes(peer_raw)
    raw_x = x25519.X25519PrivateKey.from_private_bytes(seed)
    raw_peer = x25519.X25519PublicKey.from_public_bytes(peer_raw)
    exchange = Group("x25519 exchange (cryptography backend)", target=0.9)
    exchange.ours["infra_portable"] = ops_per_second(
        lambda: ours_x.exchange(ours_peer), min_time=min_time
    )
    exchange.peers["cryptography"] = ops_per_second(
        lambda: raw_x.exchange(raw_peer), min_time=min_time
    )
    return [sign, verify, exchange]


def _pure_groups(min_time: float) -> list[Group]:
    from infra_portable.crypto._eddsa import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
        X25519PrivateKey,
        X25519PublicKey,
    )

    seed, message = os.urandom(32), os.urandom(256)
    key = Ed25519PrivateKey.from_bytes(seed, backend="pure")
    public = key.public_key()
    public_raw = public.to_bytes()
    signature = key.sign(message)
    key.sign(message)  # builds the base-point table outside the timing
    for _ in range(8):
        public.verify(signature, message)  # past the switch to the per-key comb

    sign = Group("ed25519 sign 256 B (pure)", target=1.0, note="no pure peer installed")
    sign.ours["pure, same key"] = ops_per_second(lambda: key.sign(message), min_time=min_time)

    verify = Group(
        "ed25519 verify 256 B (pure)",
        target=1.0,
        note=f"target >= {PURE_VERIFY_TARGET:,.0f} ops/s natively (absolute)",
    )
    verify.ours["pure, same key"] = ops_per_second(
        lambda: public.verify(signature, message), min_time=min_time
    )
    verify.ours["pure, one-shot"] = ops_per_second(
        lambda: Ed25519PublicKey.from_bytes(public_raw, backend="pure").verify(signature, message),
        min_time=min_time,
    )

    x_key = X25519PrivateKey.from_bytes(seed, backend="pure")
    x_peer = X25519PublicKey.from_bytes(os.urandom(32))
    exchange = Group("x25519 exchange (pure)", target=1.0, note="no pure peer installed")
    exchange.ours["pure"] = ops_per_second(lambda: x_key.exchange(x_peer), min_time=min_time)
    return [sign, verify, exchange]


def run(quick: bool) -> list[Group]:
    min_time = 0.05 if quick else 0.3
    groups: list[Group] = []
    try:
        import cryptography  # noqa: F401
    except ImportError:
        pass
    else:
        groups += _cryptography_groups(min_time)
    groups += _pure_groups(min_time)
    return groups
