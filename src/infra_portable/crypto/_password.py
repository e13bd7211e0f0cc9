"""Password hashing: Argon2id PHC strings, plus verification of legacy bcrypt hashes.

    hasher = PasswordHasher()                    # OWASP: m=19 MiB, t=2, p=1
    stored = hasher.hash("correct horse")        # "$argon2id$v=19$m=19456,t=2,p=1$..."
    hasher.verify("correct horse", stored)       # True
    hasher.needs_rehash(stored)                  # False until the parameters change

Argon2id runs on the ``crypto-password`` capability (argon2-cffi, then
cryptography, then pure Python; ``backend=`` or ``INFRA_PORTABLE_CRYPTO_PASSWORD``
picks one). Every backend gives the same bytes. bcrypt strings (``$2a$``,
``$2b$``, ``$2y$``) are verified with the ``bcrypt`` package when it imports,
else in pure Python. Comparisons are constant-time.

Passwords are ``str`` (encoded as UTF-8) or bytes. A password containing a NUL
byte never matches a bcrypt hash: C implementations stop reading at the NUL, so
accepting it would let ``"a\\0anything"`` match the hash of ``"a"``.
"""

from __future__ import annotations

import hmac
from typing import Any

from infra_portable.crypto._argon2_base import Argon2Backend, check_params
from infra_portable.crypto._bcrypt_base import BcryptBackend, parse_bcrypt
from infra_portable.crypto._phc import PhcArgon2id, format_phc, parse_phc
from infra_portable.errors import ValidationError
from infra_portable.runtime import REGISTRY

__all__ = ["PasswordHasher", "argon2id_raw", "argon2_backend", "bcrypt_backend"]

CAPABILITY = "crypto-password"
BCRYPT_CAPABILITY = "crypto-bcrypt"


def argon2_backend(name: str | None = None) -> Argon2Backend:
    """The Argon2id backend named ``name``, or the one chosen for this runtime."""
    backend: Argon2Backend = REGISTRY.resolve(CAPABILITY, name)
    return backend


def bcrypt_backend(name: str | None = None) -> BcryptBackend:
    """The bcrypt backend named ``name`` (``native``, ``pure``), or the one chosen here."""
    backend: BcryptBackend = REGISTRY.resolve(BCRYPT_CAPABILITY, name)
    return backend


def _password_bytes(password: str | bytes) -> bytes:
    if isinstance(password, str):
        try:
            return password.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(
                "password is not valid Unicode (lone surrogate)",
                field="password",
                expected="str encodable as UTF-8",
                actual="str with a lone surrogate",
            ) from None
    if isinstance(password, bytes | bytearray | memoryview):
        return bytes(password)
    raise ValidationError(
        "password must be str or bytes",
        field="password",
        expected="str | bytes",
        actual=type(password).__name__,
    )


def _bytes(value: bytes, field: str) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise ValidationError(
            f"{field} must be bytes", field=field, expected="bytes", actual=type(value).__name__
        )
    return bytes(value)


def argon2id_raw(
    password: str | bytes,
    salt: bytes,
    *,
    time_cost: int = 2,
    memory_cost_kib: int = 19456,
    parallelism: int = 1,
    hash_len: int = 32,
    secret: bytes = b"",
    associated_data: bytes = b"",
    backend: str | None = None,
) -> bytes:
    """The raw Argon2id (v0x13) tag of RFC 9106, e.g. to derive a key from a passphrase.

    ``salt`` must be at least 8 bytes; ``secret`` (a pepper) and
    ``associated_data`` are optional. Out-of-range parameters raise ValidationError.
    """
    data = _password_bytes(password)
    salt, secret = _bytes(salt, "salt"), _bytes(secret, "secret")
    associated_data = _bytes(associated_data, "associated_data")
    check_params(
        time_cost=time_cost,
        memory_cost_kib=memory_cost_kib,
        parallelism=parallelism,
        hash_len=hash_len,
        salt_len=len(salt),
    )
    return argon2_backend(backend).argon2id(
        data,
        salt,
        time_cost=time_cost,
        memory_cost_kib=memory_cost_kib,
        parallelism=parallelism,
        hash_len=hash_len,
        secret=secret,
        associated_data=associated_data,
    )


class PasswordHasher:
    """Hash passwords as Argon2id PHC strings; verify those and legacy bcrypt hashes.

    The defaults are OWASP's current Argon2id recommendation (19 MiB, 2 passes,
    1 lane). ``backend`` names the Argon2id implementation (``argon2cffi``,
    ``cryptography``, ``pure``), ``bcrypt_backend`` the bcrypt one (``native``,
    ``pure``); by default the best available is used.
    """

    __slots__ = (
        "_argon2_name",
        "_bcrypt_name",
        "hash_len",
        "memory_cost_kib",
        "parallelism",
        "salt_len",
        "time_cost",
    )

    def __init__(
        self,
        *,
        time_cost: int = 2,
        memory_cost_kib: int = 19456,
        parallelism: int = 1,
        hash_len: int = 32,
        salt_len: int = 16,
        backend: str | None = None,
        bcrypt_backend: str | None = None,
    ) -> None:
        check_params(
            time_cost=time_cost,
            memory_cost_kib=memory_cost_kib,
            parallelism=parallelism,
            hash_len=hash_len,
            salt_len=salt_len,
        )
        self.time_cost = time_cost
        self.memory_cost_kib = memory_cost_kib
        self.parallelism = parallelism
        self.hash_len = hash_len
        self.salt_len = salt_len
        self._argon2_name = backend
        self._bcrypt_name = bcrypt_backend
        if backend is not None:  # an unavailable explicit choice fails here, not at first use
            argon2_backend(backend)

    @classmethod
    def argon2id(cls, **params: Any) -> PasswordHasher:
        """Seed 002's ``PasswordHasher::argon2id()``: the same as ``PasswordHasher(**params)``."""
        return cls(**params)

    def __repr__(self) -> str:
        return (
            f"PasswordHasher(time_cost={self.time_cost}, memory_cost_kib={self.memory_cost_kib}, "
            f"parallelism={self.parallelism}, hash_len={self.hash_len}, salt_len={self.salt_len})"
        )

    @property
    def backend_name(self) -> str:
        """The Argon2id backend this hasher uses now."""
        return argon2_backend(self._argon2_name).name

    def _argon2(self, password: bytes, phc: PhcArgon2id) -> bytes:
        return argon2_backend(self._argon2_name).argon2id(
            password,
            phc.salt,
            time_cost=phc.time_cost,
            memory_cost_kib=phc.memory_cost_kib,
            parallelism=phc.parallelism,
            hash_len=len(phc.hash),
        )

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        """A PHC string of ``password`` with a fresh random salt (or ``salt``, for tests)."""
        data = _password_bytes(password)
        if salt is None:
            salt = bytes(REGISTRY.resolve("random")(self.salt_len))
        else:
            salt = _bytes(salt, "salt")
            check_params(
                time_cost=self.time_cost,
                memory_cost_kib=self.memory_cost_kib,
                parallelism=self.parallelism,
                hash_len=self.hash_len,
                salt_len=len(salt),
            )
        tag = argon2_backend(self._argon2_name).argon2id(
            data,
            salt,
            time_cost=self.time_cost,
            memory_cost_kib=self.memory_cost_kib,
            parallelism=self.parallelism,
            hash_len=self.hash_len,
        )
        return format_phc(
            PhcArgon2id(self.memory_cost_kib, self.time_cost, self.parallelism, salt, tag)
        )

    def verify(self, password: str | bytes, hash: str) -> bool:
        """Whether ``password`` matches an Argon2id PHC string or a bcrypt hash.

        False on a mismatch; a malformed or unsupported ``hash`` raises
        ValidationError naming ``hash``.
        """
        data = _password_bytes(password)
        if isinstance(hash, str) and hash.startswith("$2"):
            parsed = parse_bcrypt(hash)
            if b"\0" in data:
                return False
            computed = bcrypt_backend(self._bcrypt_name).checksum(data, parsed.cost, parsed.salt)
            return hmac.compare_digest(computed, parsed.checksum)
        phc = parse_phc(hash)
        check_params(
            time_cost=phc.time_cost,
            memory_cost_kib=phc.memory_cost_kib,
            parallelism=phc.parallelism,
            hash_len=len(phc.hash),
            salt_len=len(phc.salt),
            field="hash",
        )
        return hmac.compare_digest(self._argon2(data, phc), phc.hash)

    def needs_rehash(self, hash: str) -> bool:
        """Whether ``hash`` was made with other parameters than this hasher's (bcrypt: always)."""
        if isinstance(hash, str) and hash.startswith("$2"):
            parse_bcrypt(hash)
            return True
        phc = parse_phc(hash)
        return (
            phc.memory_cost_kib,
            phc.time_cost,
            phc.parallelism,
            len(phc.hash),
            len(phc.salt),
        ) != (
            self.memory_cost_kib,
            self.time_cost,
            self.parallelism,
            self.hash_len,
            self.salt_len,
        )
