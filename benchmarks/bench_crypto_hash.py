"""Hashing and MACs: our one-shot functions vs the standard library and the blake3 package.

Inputs are 1 KB, a typical token, request body or cache key. SHA-256 and
HMAC-SHA256 must stay within 10% of calling ``hashlib``/``hmac`` directly (our
extra cost is one Python call). BLAKE3 native is compared with the ``blake3``
package it wraps; pure BLAKE3 has no peer and is reported for information.
"""

from __future__ import annotations

import hashlib
import hmac

from _harness import Group, ops_per_second

DATA = bytes(range(256)) * 4  # 1 KB
KEY = b"k" * 32


def run(quick: bool) -> list[Group]:
    from infra_portable.crypto._hash import blake3, sha256
    from infra_portable.crypto._hmac import hmac_sha256
    from infra_portable.runtime import REGISTRY

    min_time = 0.05 if quick else 0.25
    groups: list[Group] = []

    group = Group("crypto sha256 1 KB", target=0.9)
    group.ours["infra_portable sha256"] = ops_per_second(lambda: sha256(DATA), min_time=min_time)
    group.peers["hashlib.sha256"] = ops_per_second(
        lambda: hashlib.sha256(DATA).digest(), min_time=min_time
    )
    groups.append(group)

    group = Group("crypto hmac-sha256 1 KB", target=0.9)
    group.ours["infra_portable hmac_sha256"] = ops_per_second(
        lambda: hmac_sha256(KEY, DATA), min_time=min_time
    )
    group.peers["hmac.digest"] = ops_per_second(
        lambda: hmac.digest(KEY, DATA, "sha256"), min_time=min_time
    )
    groups.append(group)

    available = {c.name for c in REGISTRY.explain("blake3") if c.available}
    if "native" in available:
        import blake3 as blake3_package

        native = REGISTRY.resolve("blake3", "native")
        group = Group("crypto blake3 (native) 1 KB", target=0.9)
        group.ours["infra_portable blake3 native"] = ops_per_second(
            lambda: native.hash(DATA), min_time=min_time
        )
        group.ours["infra_portable blake3()"] = ops_per_second(
            lambda: blake3(DATA), min_time=min_time
        )
        group.peers["blake3 package"] = ops_per_second(
            lambda: blake3_package.blake3(DATA).digest(), min_time=min_time
        )
        groups.append(group)

    pure = REGISTRY.resolve("blake3", "pure")
    group = Group("crypto blake3 (pure) 1 KB", target=0.0, note="no peer; for information")
    group.ours["infra_portable blake3 pure"] = ops_per_second(
        lambda: pure.hash(DATA), min_time=min_time, repeats=3
    )
    groups.append(group)
    return groups
