"""The id package as a whole: exports, the IdGenerator protocol, fork reseeding, threads."""

from __future__ import annotations

import os
import threading
import uuid

import pytest

import infra_portable.id as ids
from infra_portable.id import (
    IdGenerator,
    NanoIdGenerator,
    SnowflakeGenerator,
    UlidGenerator,
    UuidV7Generator,
    parse_ulid,
    parse_uuid7,
)
from infra_portable.id._base import RandomPool, _after_fork_in_child


class FakeClock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


class Counting:
    """Random bytes that differ on every call, and a log of the requests."""

    def __init__(self) -> None:
        self.calls = 0
        self.requests: list[int] = []

    def __call__(self, n: int) -> bytes:
        self.calls += 1
        self.requests.append(n)
        return bytes([self.calls % 256]) * n


def test_every_exported_name_exists() -> None:
    for name in ids.__all__:
        assert hasattr(ids, name), name
    assert len(set(ids.__all__)) == len(ids.__all__)


def test_the_package_is_reachable_lazily_from_the_top() -> None:
    import infra_portable

    assert infra_portable.id.uuid7().version == 7


@pytest.mark.parametrize(
    "generator",
    [UuidV7Generator(), UlidGenerator(), SnowflakeGenerator(), NanoIdGenerator()],
    ids=lambda g: type(g).__name__,
)
def test_every_generator_is_an_id_generator(generator: IdGenerator) -> None:
    assert isinstance(generator, IdGenerator)
    first, second = generator.generate(), generator.generate()
    assert isinstance(first, str)
    assert first != second


def test_module_functions() -> None:
    assert isinstance(ids.uuid7(), uuid.UUID)
    assert parse_ulid(ids.ulid()).timestamp_ms > 0
    assert isinstance(ids.snowflake(), int)
    assert len(ids.nanoid()) == 21


def test_system_clock_is_unix_milliseconds() -> None:
    # 2020-01-01 and 2200-01-01: a plausible wall clock, in milliseconds.
    assert 1_577_836_800_000 < ids.system_clock_ms() < 7_258_118_400_000


# -- what a forked child does (simulated: the hook os.register_at_fork runs) ----


def test_uuid7_generator_reseeds_after_fork() -> None:
    feed = Counting()
    gen = UuidV7Generator(clock=FakeClock(1_000), randbytes=feed)
    before = gen.next_int()
    _after_fork_in_child()
    after = gen.next_int()
    assert feed.requests == [10, 10]  # a fresh 74-bit seed, not counter + 1
    assert after > before


def test_ulid_generator_reseeds_after_fork() -> None:
    feed = Counting()
    gen = UlidGenerator(clock=FakeClock(1_000), randbytes=feed)
    before = gen.next_ulid()
    _after_fork_in_child()
    after = gen.next_ulid()
    assert feed.requests == [10, 10]
    assert after > before
    assert after.randomness != before.randomness + 1


def test_random_pool_hands_out_fresh_bytes_and_forgets_them_after_fork() -> None:
    pool = RandomPool()
    taken = [pool.take(10) for _ in range(100)]  # several refills
    assert all(len(chunk) == 10 for chunk in taken)
    assert len(set(taken)) == len(taken)
    assert len(pool.take(RandomPool.SIZE + 1)) == RandomPool.SIZE + 1
    _after_fork_in_child()
    assert pool._buffer == b""


def test_default_generators_pool_system_randomness_but_injected_sources_are_called_directly() -> (
    None
):
    feed = Counting()
    UuidV7Generator(clock=FakeClock(1), randbytes=feed).next_int()
    assert feed.requests == [10]
    assert UuidV7Generator(randbytes=os.urandom).generate() != ""


@pytest.mark.native_only(reason="fork")
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")
def test_a_real_forked_child_does_not_continue_the_parents_sequence() -> None:
    clock = FakeClock(1_000)  # frozen: parent and child share the millisecond
    ulids, uuids = UlidGenerator(clock=clock), UuidV7Generator(clock=clock)
    ulids.generate()
    uuids.generate()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next IDs and leave at once
        try:
            os.write(write_end, f"{ulids.generate()} {uuids.generate()}".encode())
        finally:
            os._exit(0)
    os.close(write_end)
    child_ulid, child_uuid = os.read(read_end, 200).decode().split()
    os.close(read_end)
    os.waitpid(pid, 0)
    parent_ulid = ulids.generate()
    assert child_ulid != parent_ulid
    assert parse_ulid(child_ulid).randomness != parse_ulid(parent_ulid).randomness
    assert child_uuid != uuids.generate()


# -- threads (only where they exist) --------------------------------------------


@pytest.mark.native_only(reason="threads")
@pytest.mark.parametrize(
    "generator",
    [UuidV7Generator(), UlidGenerator(), SnowflakeGenerator(), NanoIdGenerator()],
    ids=lambda g: type(g).__name__,
)
def test_threaded_bursts_never_repeat(generator: IdGenerator) -> None:
    results: list[list[str]] = [[] for _ in range(8)]

    def work(out: list[str]) -> None:
        out.extend(generator.generate() for _ in range(2000))

    threads = [threading.Thread(target=work, args=(out,)) for out in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = [value for out in results for value in out]
    assert len(set(made)) == len(made) == 16_000
    for out in results:  # each thread sees its own IDs in increasing order
        if isinstance(generator, UuidV7Generator):
            assert [parse_uuid7(v) for v in out] == sorted(parse_uuid7(v) for v in out)
        elif isinstance(generator, UlidGenerator):
            assert out == sorted(out)
        elif isinstance(generator, SnowflakeGenerator):
            assert [int(v) for v in out] == sorted(int(v) for v in out)
