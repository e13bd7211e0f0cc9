"""Password hashing: our Argon2id and bcrypt verification vs argon2-cffi and the bcrypt package.

* ``PasswordHasher().hash`` on the argon2-cffi backend vs argon2-cffi's own
  ``PasswordHasher().hash`` at the same parameters (OWASP's m=19 MiB, t=2, p=1);
  the wrapper should cost nothing measurable (target 0.9x).
* Pure-Python Argon2id at small parameters (m=64 KiB, t=1), reported against
  argon2-cffi for scale: it is orders of magnitude slower, hence no target.
* bcrypt verification at cost 4: pure Python vs the ``bcrypt`` package.
"""

from __future__ import annotations

from _harness import Group, ops_per_second

STORED_BCRYPT = "$2b$04$abcdefghijklmnopqrstuuGspVVDvTz38hS7RBjIMQOom7jxHAiA."
BCRYPT_PASSWORD = "~!@#$%^&*()      ~!@#$%^&*()PNBFRD"


def _owasp_hash(min_time: float) -> Group | None:
    from infra_portable.crypto._password import PasswordHasher

    try:
        import argon2
    except ImportError:
        return None
    ours = PasswordHasher(backend="argon2cffi")
    theirs = argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
    group = Group("argon2id hash (OWASP m=19MiB t=2 p=1)", target=0.9)
    group.ours["infra_portable (argon2cffi)"] = ops_per_second(
        lambda: ours.hash("correct horse"), min_time=min_time
    )
    group.peers["argon2-cffi PasswordHasher"] = ops_per_second(
        lambda: theirs.hash("correct horse"), min_time=min_time
    )
    return group


def _pure_small(min_time: float) -> Group:
    from infra_portable.crypto._password import PasswordHasher

    group = Group(
        "argon2id hash pure (m=64KiB t=1 p=1)",
        target=0.0,
        note="pure Python for runtimes without argon2-cffi; the peer shows the scale",
    )
    pure = PasswordHasher(time_cost=1, memory_cost_kib=64, backend="pure")
    group.ours["infra_portable (pure)"] = ops_per_second(
        lambda: pure.hash("correct horse"), min_time=min_time, repeats=3
    )
    try:
        import argon2
    except ImportError:
        return group
    theirs = argon2.PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    group.peers["argon2-cffi PasswordHasher"] = ops_per_second(
        lambda: theirs.hash("correct horse"), min_time=min_time
    )
    return group


def _bcrypt_verify(min_time: float) -> list[Group]:
    from infra_portable.crypto._password import PasswordHasher

    pure_group = Group(
        "bcrypt verify pure (cost 4)",
        target=0.0,
        note="pure Python verifies legacy hashes where the bcrypt package is missing",
    )
    pure = PasswordHasher(bcrypt_backend="pure")
    pure_group.ours["infra_portable (pure)"] = ops_per_second(
        lambda: pure.verify(BCRYPT_PASSWORD, STORED_BCRYPT), min_time=min_time, repeats=3
    )
    try:
        import bcrypt
    except ImportError:
        return [pure_group]
    password, stored = BCRYPT_PASSWORD.encode(), STORED_BCRYPT.encode()
    checkpw = ops_per_second(lambda: bcrypt.checkpw(password, stored), min_time=min_time)
    pure_group.peers["bcrypt.checkpw"] = checkpw
    native_group = Group("bcrypt verify native (cost 4)", target=0.9)
    native = PasswordHasher(bcrypt_backend="native")
    native_group.ours["infra_portable (native)"] = ops_per_second(
        lambda: native.verify(BCRYPT_PASSWORD, STORED_BCRYPT), min_time=min_time
    )
    native_group.peers["bcrypt.checkpw"] = checkpw
    return [pure_group, native_group]


def run(quick: bool) -> list[Group]:
    min_time = 0.3 if quick else 1.0
    owasp = _owasp_hash(min_time)
    return [*([owasp] if owasp else []), _pure_small(min_time), *_bcrypt_verify(min_time)]
