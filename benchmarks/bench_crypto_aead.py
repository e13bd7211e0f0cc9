"""AEAD: our Aes256Gcm / ChaCha20Poly1305 vs calling the libraries directly.

Groups with a compiled backend compare our API (per-key cipher cached in the
instance) with raw ``cryptography`` and pycryptodome on the same 1 KB message:
the target is that our per-call overhead costs under 20%. The pure-Python
groups have no installed peer; their target is absolute (ops/s), reported in
the note.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from _harness import Group, ops_per_second

PURE_TARGET_OPS = 5_000


def _peers(algorithm: str, key: bytes, nonce: bytes, data: bytes) -> dict[str, Callable[[], Any]]:
    peers: dict[str, Callable[[], Any]] = {}
    try:
        from cryptography.hazmat.primitives.ciphers import aead

        raw = aead.AESGCM(key) if algorithm == "aes" else aead.ChaCha20Poly1305(key)
        peers["cryptography"] = lambda: raw.encrypt(nonce, data, b"")
    except ImportError:
        pass
    try:
        from Crypto.Cipher import AES, ChaCha20_Poly1305

        def pycryptodome() -> Any:
            if algorithm == "aes":
                cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
            else:
                cipher = ChaCha20_Poly1305.new(key=key, nonce=nonce)
            return cipher.encrypt_and_digest(data)

        peers["pycryptodome"] = pycryptodome
    except ImportError:
        pass
    return peers


def run(quick: bool) -> list[Group]:
    from infra_portable.crypto._aead import Aes256Gcm, ChaCha20Poly1305
    from infra_portable.errors import ConfigError

    min_time = 0.05 if quick else 0.25
    key, nonce = os.urandom(32), os.urandom(12)
    kilobyte = os.urandom(1024)
    groups: list[Group] = []
    for algorithm, cls in (("aes", Aes256Gcm), ("chacha", ChaCha20Poly1305)):
        label = "AES-256-GCM" if algorithm == "aes" else "ChaCha20-Poly1305"
        group = Group(f"aead {label} encrypt 1 KB", target=0.8)
        for backend in ("cryptography", "pycryptodome"):
            try:
                ours = cls(key, backend=backend)
            except ConfigError:
                continue
            group.ours[f"infra_portable ({backend})"] = ops_per_second(
                lambda ours=ours: ours.encrypt(nonce, kilobyte), min_time=min_time
            )
        if group.ours:
            for name, fn in _peers(algorithm, key, nonce, kilobyte).items():
                group.peers[name] = ops_per_second(fn, min_time=min_time)
            groups.append(group)
        pure = cls(key, backend="pure")
        for size in (64, 1024):
            data = os.urandom(size)
            sealed = pure.encrypt(nonce, data)
            for verb, call in (
                ("encrypt", lambda pure=pure, data=data: pure.encrypt(nonce, data)),
                ("decrypt", lambda pure=pure, sealed=sealed: pure.decrypt(nonce, sealed)),
            ):
                pure_group = Group(f"aead {label} pure {verb} {size} B", target=0.0)
                ops = ops_per_second(call, min_time=min_time)
                pure_group.ours["infra_portable (pure)"] = ops
                verdict = "met" if ops >= PURE_TARGET_OPS else "MISSED"
                pure_group.note = (
                    f"absolute target {PURE_TARGET_OPS:,} ops/s: {verdict} ({ops:,.0f})"
                )
                groups.append(pure_group)
    return groups
