"""Hashing: one-shot functions, ``Hasher`` objects and incremental hash states.

SHA-2, SHA-3 and BLAKE2 come from ``hashlib``, whose HACL* builds exist in all
three runtimes (no OpenSSL needed). BLAKE3 is the ``blake3`` capability: the
``blake3`` package natively, pure Python elsewhere; both give the same bytes.

Inputs are bytes-like or ``str`` (hashed as UTF-8, like the seed's
``hash_str``); anything else is a ValidationError naming the argument. The
``sha256``-style functions call ``hashlib`` directly and only inspect the input
when it refuses it, so they cost one Python call more than ``hashlib``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any, Protocol, Self, runtime_checkable

from infra_portable.crypto._encoding import BytesLike, hex_decode, to_bytes
from infra_portable.errors import ValidationError
from infra_portable.runtime import REGISTRY

__all__ = [
    "HASH_ALGORITHMS",
    "Blake2bHasher",
    "Blake3Backend",
    "Blake3Hasher",
    "Blake3State",
    "HashState",
    "Hasher",
    "Sha256Hasher",
    "Sha384Hasher",
    "Sha3_256Hasher",
    "Sha512Hasher",
    "blake2b",
    "blake3",
    "blake3_backend",
    "blake3_derive_key",
    "digest",
    "hasher",
    "hexdigest",
    "new_hash",
    "normalize_algorithm",
    "sha256",
    "sha384",
    "sha3_256",
    "sha512",
]

Data = BytesLike | str

# Canonical name -> hashlib constructor. BLAKE3 is handled separately (a capability).
_HASHLIB: dict[str, Callable[..., Any]] = {
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
    "sha3_256": hashlib.sha3_256,
    "sha3_384": hashlib.sha3_384,
    "sha3_512": hashlib.sha3_512,
    "blake2b": hashlib.blake2b,
    "blake2s": hashlib.blake2s,
}
HASH_ALGORITHMS: tuple[str, ...] = (*_HASHLIB, "blake3")
# Spellings used by WebCrypto, JOSE and hashlib, mapped to ours.
_ALIASES = {
    "sha-256": "sha256",
    "sha-384": "sha384",
    "sha-512": "sha512",
    "sha3-256": "sha3_256",
    "sha3-384": "sha3_384",
    "sha3-512": "sha3_512",
    "blake2b512": "blake2b",
    "blake2s256": "blake2s",
}


def normalize_algorithm(algorithm: object, allowed: tuple[str, ...] = HASH_ALGORITHMS) -> str:
    """The canonical name (``"sha256"``) of ``algorithm`` (``"SHA-256"``...), if allowed."""
    if isinstance(algorithm, str):
        name = algorithm.strip().lower()
        name = _ALIASES.get(name, name)
        if name in allowed:
            return name
    raise ValidationError(
        "unsupported hash algorithm",
        field="algorithm",
        expected=", ".join(allowed),
        actual=repr(algorithm),
    )


# -- BLAKE3 backend ---------------------------------------------------------------------


@runtime_checkable
class Blake3State(Protocol):
    """An incremental BLAKE3 computation."""

    def update(self, data: bytes | bytearray | memoryview) -> None:
        """Absorb more input."""
        ...

    def digest(self, length: int = 32) -> bytes:
        """``length`` bytes of (extendable) output, leaving the state unchanged."""
        ...

    def copy(self) -> Self:
        """An independent state with the same input so far."""
        ...


@runtime_checkable
class Blake3Backend(Protocol):
    """One implementation of the ``blake3`` capability; all give identical bytes."""

    name: str

    def hash(
        self,
        data: bytes | bytearray | memoryview,
        *,
        key: bytes | bytearray | memoryview | None = None,
        length: int = 32,
    ) -> bytes:
        """BLAKE3 (keyed when ``key``, exactly 32 bytes, is given) with ``length`` bytes out."""
        ...

    def derive_key(
        self, context: str, material: bytes | bytearray | memoryview, length: int = 32
    ) -> bytes:
        """BLAKE3 key derivation: ``length`` bytes for ``context`` from ``material``."""
        ...

    def new(
        self, *, key: bytes | bytearray | memoryview | None = None, context: str | None = None
    ) -> Blake3State:
        """An incremental state: plain, keyed (``key``) or derive-key (``context``)."""
        ...


def blake3_backend(name: str | None = None) -> Blake3Backend:
    """The BLAKE3 implementation named ``name``, or the best one this runtime has."""
    backend: Blake3Backend = REGISTRY.resolve("blake3", name)
    return backend


# -- one-shot functions -----------------------------------------------------------------


def _sha(constructor: Callable[..., Any], name: str) -> Callable[[Data], bytes]:
    def one_shot(data: Data) -> bytes:
        try:
            return constructor(data).digest()  # type: ignore[no-any-return]
        except (TypeError, BufferError):
            # str or a non-bytes object: coerce (or reject with a clear error).
            return constructor(to_bytes(data, "data")).digest()  # type: ignore[no-any-return]

    one_shot.__name__ = one_shot.__qualname__ = name
    one_shot.__doc__ = f"The {name.upper().replace('_', '-')} digest of ``data`` (str as UTF-8)."
    return one_shot


sha256 = _sha(hashlib.sha256, "sha256")
sha384 = _sha(hashlib.sha384, "sha384")
sha512 = _sha(hashlib.sha512, "sha512")
sha3_256 = _sha(hashlib.sha3_256, "sha3_256")


def _blake2b_params(digest_size: object, key: object) -> tuple[int, bytes]:
    if not isinstance(digest_size, int) or isinstance(digest_size, bool):
        raise ValidationError(
            "digest_size must be an integer",
            field="digest_size",
            expected="int 1..64",
            actual=type(digest_size).__name__,
        )
    if not 1 <= digest_size <= hashlib.blake2b.MAX_DIGEST_SIZE:
        raise ValidationError(
            "BLAKE2b digest_size is 1 to 64 bytes",
            field="digest_size",
            expected="1..64",
            actual=str(digest_size),
        )
    raw_key = to_bytes(key, "key")
    if len(raw_key) > hashlib.blake2b.MAX_KEY_SIZE:
        raise ValidationError(
            "a BLAKE2b key is at most 64 bytes",
            field="key",
            expected="0..64 bytes",
            actual=f"{len(raw_key)} bytes",
        )
    return digest_size, raw_key


def blake2b(data: Data, *, digest_size: int = 64, key: Data = b"") -> bytes:
    """BLAKE2b of ``data``: ``digest_size`` bytes (1-64), keyed (MAC) when ``key`` is given."""
    size, raw_key = _blake2b_params(digest_size, key)
    return hashlib.blake2b(to_bytes(data, "data"), digest_size=size, key=raw_key).digest()


def _blake3_key(key: Data | None) -> bytes | None:
    return None if key is None else to_bytes(key, "key")


def blake3(data: Data, *, key: Data | None = None, length: int = 32) -> bytes:
    """BLAKE3 of ``data``: ``length`` bytes (extendable output), keyed by a 32-byte ``key``."""
    return blake3_backend().hash(to_bytes(data, "data"), key=_blake3_key(key), length=length)


def blake3_derive_key(context: str, material: Data, length: int = 32) -> bytes:
    """BLAKE3 key derivation: a ``length``-byte key for a hardcoded ``context`` string."""
    if not isinstance(context, str):
        raise ValidationError(
            "the derive-key context must be a str",
            field="context",
            expected="str",
            actual=type(context).__name__,
        )
    to_bytes(context, "context")  # rejects lone surrogates before a backend meets them
    return blake3_backend().derive_key(context, to_bytes(material, "material"), length)


def digest(data: Data, algorithm: str = "sha256") -> bytes:
    """The digest of ``data`` with ``algorithm`` (any of ``HASH_ALGORITHMS``, default length)."""
    name = normalize_algorithm(algorithm)
    if name == "blake3":
        return blake3(data)
    return _HASHLIB[name](to_bytes(data, "data")).digest()  # type: ignore[no-any-return]


def hexdigest(data: Data, algorithm: str = "sha256") -> str:
    """:func:`digest` as lowercase hex (the seed's ``hash_str``)."""
    return digest(data, algorithm).hex()


# -- incremental states -----------------------------------------------------------------


@runtime_checkable
class HashState(Protocol):
    """An incremental hash (``hashlib``-like); ``digest`` may be called at any point."""

    name: str
    digest_size: int

    def update(self, data: Data) -> None:
        """Absorb more input (str as UTF-8)."""
        ...

    def digest(self) -> bytes:
        """The digest of everything absorbed so far."""
        ...

    def hexdigest(self) -> str:
        """:meth:`digest` as lowercase hex."""
        ...

    def copy(self) -> Self:
        """An independent state with the same input so far."""
        ...


class _HashlibState:
    __slots__ = ("_state", "digest_size", "name")

    def __init__(self, name: str, state: Any) -> None:
        self.name = name
        self._state = state
        self.digest_size: int = state.digest_size

    def update(self, data: Data) -> None:
        self._state.update(to_bytes(data, "data"))

    def digest(self) -> bytes:
        return self._state.digest()  # type: ignore[no-any-return]

    def hexdigest(self) -> str:
        return self._state.hexdigest()  # type: ignore[no-any-return]

    def copy(self) -> Self:
        return type(self)(self.name, self._state.copy())


class _Blake3HashState:
    __slots__ = ("_state", "digest_size", "name")

    def __init__(self, state: Blake3State, length: int) -> None:
        self.name = "blake3"
        self._state = state
        self.digest_size = length

    def update(self, data: Data) -> None:
        self._state.update(to_bytes(data, "data"))

    def digest(self) -> bytes:
        return self._state.digest(self.digest_size)

    def hexdigest(self) -> str:
        return self.digest().hex()

    def copy(self) -> Self:
        return type(self)(self._state.copy(), self.digest_size)


def new_hash(algorithm: str = "sha256", data: Data = b"") -> HashState:
    """An incremental hash state for ``algorithm``, optionally primed with ``data``."""
    name = normalize_algorithm(algorithm)
    state: HashState
    if name == "blake3":
        state = _Blake3HashState(blake3_backend().new(), 32)
    else:
        state = _HashlibState(name, _HASHLIB[name]())
    if data:
        state.update(data)
    return state


# -- Hasher objects (the seed's Hasher trait) -------------------------------------------


@runtime_checkable
class Hasher(Protocol):
    """Hashes data and checks digests (the seed's ``Hasher``)."""

    algorithm: str

    def hash(self, data: Data) -> bytes:
        """The digest of ``data``."""
        ...

    def hash_hex(self, data: Data) -> str:
        """The digest of ``data`` as lowercase hex."""
        ...

    def verify(self, data: Data, expected: BytesLike | str) -> bool:
        """Whether ``data`` hashes to ``expected`` (bytes, or hex text), in constant time."""
        ...


class _BaseHasher:
    algorithm: str = ""

    def hash(self, data: Data) -> bytes:
        raise NotImplementedError  # pragma: no cover - every subclass overrides it

    def hash_hex(self, data: Data) -> str:
        return self.hash(data).hex()

    def verify(self, data: Data, expected: BytesLike | str) -> bool:
        if isinstance(expected, str):
            # A hex digest; compare as bytes so case does not matter and timing stays flat.
            try:
                wanted = hex_decode(expected)
            except ValidationError:
                return False
        else:
            wanted = to_bytes(expected, "expected", allow_str=False)
        return hmac.compare_digest(self.hash(data), wanted)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sha256Hasher(_BaseHasher):
    """SHA-256 (32 bytes)."""

    algorithm = "sha256"

    def hash(self, data: Data) -> bytes:
        return sha256(data)


class Sha384Hasher(_BaseHasher):
    """SHA-384 (48 bytes)."""

    algorithm = "sha384"

    def hash(self, data: Data) -> bytes:
        return sha384(data)


class Sha512Hasher(_BaseHasher):
    """SHA-512 (64 bytes)."""

    algorithm = "sha512"

    def hash(self, data: Data) -> bytes:
        return sha512(data)


class Sha3_256Hasher(_BaseHasher):
    """SHA3-256 (32 bytes)."""

    algorithm = "sha3_256"

    def hash(self, data: Data) -> bytes:
        return sha3_256(data)


class Blake2bHasher(_BaseHasher):
    """BLAKE2b with a chosen digest size and optional key."""

    algorithm = "blake2b"

    def __init__(self, *, digest_size: int = 64, key: Data = b"") -> None:
        self._digest_size, self._key = _blake2b_params(digest_size, key)

    def hash(self, data: Data) -> bytes:
        return hashlib.blake2b(
            to_bytes(data, "data"), digest_size=self._digest_size, key=self._key
        ).digest()

    def __repr__(self) -> str:
        return f"Blake2bHasher(digest_size={self._digest_size}, keyed={bool(self._key)})"


class Blake3Hasher(_BaseHasher):
    """BLAKE3, optionally keyed (32-byte key) and with extended output."""

    algorithm = "blake3"

    def __init__(self, *, key: Data | None = None, length: int = 32) -> None:
        self._key = _blake3_key(key)
        self._length = length
        # Validate now, so a bad key fails where the hasher is made, not at first use.
        self.hash(b"")

    def hash(self, data: Data) -> bytes:
        return blake3(data, key=self._key, length=self._length)

    def __repr__(self) -> str:
        return f"Blake3Hasher(length={self._length}, keyed={self._key is not None})"


_HASHERS: dict[str, Callable[[], Hasher]] = {
    "sha256": Sha256Hasher,
    "sha384": Sha384Hasher,
    "sha512": Sha512Hasher,
    "sha3_256": Sha3_256Hasher,
    "blake2b": Blake2bHasher,
    "blake3": Blake3Hasher,
}


def hasher(algorithm: str = "sha256") -> Hasher:
    """A :class:`Hasher` for ``algorithm`` with its default parameters."""
    return _HASHERS[normalize_algorithm(algorithm, tuple(_HASHERS))]()
