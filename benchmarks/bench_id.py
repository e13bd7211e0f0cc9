"""IDs: our UUIDv7, ULID, NanoID and Snowflake generators vs the installed peers.

Peers (each skipped when not installed): ``uuid6.uuid7`` and the standard
library's ``uuid.uuid7`` (3.14+), with ``uuid.uuid4`` as a reference point;
``python-ulid``'s ``ulid.ULID``; the ``nanoid`` package. Every call makes one
new ID with the system clock and system randomness, as an application would.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from _harness import Group, ops_per_second

TARGET = 1.2


def _peers_uuid7() -> dict[str, Callable[[], uuid.UUID]]:
    peers: dict[str, Callable[[], uuid.UUID]] = {}
    try:
        import uuid6

        peers["uuid6.uuid7"] = uuid6.uuid7
    except ImportError:
        pass
    stdlib_uuid7 = getattr(uuid, "uuid7", None)
    if stdlib_uuid7 is not None:
        peers["stdlib uuid.uuid7"] = stdlib_uuid7
    peers["stdlib uuid.uuid4 (reference)"] = uuid.uuid4
    return peers


def _peer_ulid() -> Callable[[], object] | None:
    try:
        import ulid
    except ImportError:
        return None
    made: Callable[[], object] | None = getattr(ulid, "ULID", None)  # python-ulid, not ulid-py
    return made


def _peer_nanoid() -> Callable[..., str] | None:
    try:
        import nanoid
    except ImportError:
        return None
    made: Callable[..., str] = nanoid.generate
    return made


def run(quick: bool) -> list[Group]:
    from infra_portable import id as ids

    min_time = 0.05 if quick else 0.25

    def timed(fn: Callable[[], object]) -> float:
        return ops_per_second(fn, min_time=min_time)

    groups: list[Group] = []

    uuid_peers = _peers_uuid7()
    as_uuid = Group("id uuid7 -> uuid.UUID", target=TARGET)
    as_uuid.ours["infra_portable uuid7()"] = timed(ids.uuid7)
    as_text = Group("id uuid7 -> str", target=TARGET)
    as_text.ours["infra_portable UuidV7Generator.generate"] = timed(ids.UuidV7Generator().generate)
    for name, fn in uuid_peers.items():
        as_uuid.peers[name] = timed(fn)
        as_text.peers[f"str({name}())"] = timed(lambda fn=fn: str(fn()))
    groups += [as_uuid, as_text]

    ulid_text = Group("id ulid -> str", target=TARGET)
    ulid_text.ours["infra_portable ulid()"] = timed(ids.ulid)
    ulid_object = Group("id ulid -> object", target=TARGET)
    ulid_object.ours["infra_portable UlidGenerator.next_ulid"] = timed(
        ids.UlidGenerator().next_ulid
    )
    peer_ulid = _peer_ulid()
    if peer_ulid is not None:
        ulid_text.peers["str(python-ulid ULID())"] = timed(lambda: str(peer_ulid()))
        ulid_object.peers["python-ulid ULID()"] = timed(peer_ulid)
    else:
        ulid_text.note = ulid_object.note = "python-ulid not installed"
    groups += [ulid_text, ulid_object]

    # 64 characters (no rejection) and 36 (mask 63: 44% of bytes rejected).
    lower36 = "0123456789abcdefghijklmnopqrstuvwxyz"
    nano_default = Group("id nanoid 21 chars, default alphabet", target=TARGET)
    nano_default.ours["infra_portable nanoid()"] = timed(ids.nanoid)
    nano_custom = Group("id nanoid 16 chars, 36-char alphabet", target=TARGET)
    nano_custom.ours["infra_portable NanoIdGenerator.generate"] = timed(
        ids.NanoIdGenerator(alphabet=lower36, size=16).generate
    )
    peer_nanoid = _peer_nanoid()
    if peer_nanoid is not None:
        nano_default.peers["nanoid.generate"] = timed(peer_nanoid)
        nano_custom.peers["nanoid.generate"] = timed(lambda: peer_nanoid(lower36, 16))
    else:
        nano_default.note = nano_custom.note = "nanoid not installed"
    groups += [nano_default, nano_custom]

    flake = Group("id snowflake -> int", target=TARGET, note="no pure-Python peer to compare")
    flake.ours["infra_portable snowflake()"] = timed(ids.snowflake)
    groups.append(flake)
    return groups
