"""NanoID (github.com/ai/nanoid): short random IDs, 21 URL-safe characters by default.

Uniform over the alphabet by the reference's mask-and-reject method: each random
byte is masked to the smallest all-ones bit mask that covers the alphabet, and
values past the end of the alphabet are dropped, never reduced modulo its size
(which would favour the first characters). Reading the same stream of random
bytes, it produces what the Python ``nanoid`` package produces; its default
alphabet (``_-0-9a-zA-Z``, 64 characters) is ours too.

``bytes.translate`` does the masking, the rejection (its ``delete`` argument) and
the lookup in C, so an ID costs one call for random bytes and a few C calls.

Runs unchanged on CPython, Pyodide and WASI (randomness from ``os.urandom``).
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from infra_portable.errors import ConfigError, ValidationError
from infra_portable.id._base import IdGenerator, RandBytes, check_callable

__all__ = ["NANOID_ALPHABET", "NANOID_SIZE", "NanoIdGenerator", "nanoid"]

NANOID_ALPHABET = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
NANOID_SIZE = 21


class NanoIdGenerator:
    """Makes random IDs of ``size`` characters drawn uniformly from ``alphabet``.

    The alphabet has 2 to 256 distinct characters; ``randbytes(n)`` returns ``n``
    random bytes (inject it for reproducible IDs). Bad arguments raise
    ValidationError. Holds no state between IDs, so it is safe to share.
    """

    __slots__ = (
        "_alphabet",
        "_fast",
        "_latin1",
        "_randbytes",
        "_reject",
        "_size",
        "_step",
        "_table",
    )

    def __init__(
        self,
        *,
        alphabet: str = NANOID_ALPHABET,
        size: int = NANOID_SIZE,
        randbytes: RandBytes = os.urandom,
    ) -> None:
        if not isinstance(alphabet, str) or not 2 <= len(alphabet) <= 256:
            raise ValidationError(
                "bad NanoID alphabet",
                field="alphabet",
                expected="a string of 2 to 256 distinct characters",
                actual=repr(alphabet)[:40],
            )
        if len(set(alphabet)) != len(alphabet):
            repeated = sorted({c for c in alphabet if alphabet.count(c) > 1})
            raise ValidationError(
                "NanoID alphabet repeats characters",
                field="alphabet",
                expected="a string of 2 to 256 distinct characters",
                actual=f"repeats {''.join(repeated)[:20]!r}",
            )
        if type(size) is not int or size < 1:
            raise ValidationError(
                "bad NanoID size",
                field="size",
                expected="an integer >= 1",
                actual=repr(size)[:40],
            )
        check_callable(randbytes, "randbytes")
        self._alphabet = alphabet
        self._size = size
        self._randbytes = randbytes
        length = len(alphabet)
        mask = (2 << (((length - 1) | 1).bit_length() - 1)) - 1  # all ones, covering length - 1
        # The reference's batch size: enough bytes for one ID in most rounds.
        self._step = -(-8 * mask * size // (5 * length))
        self._latin1 = max(alphabet) <= "\xff"
        # byte -> its character (Latin-1 alphabets) or its alphabet index.
        self._table = bytes(
            (ord(alphabet[b & mask]) if self._latin1 else b & mask) if b & mask < length else 0
            for b in range(256)
        )
        self._reject = bytes(b for b in range(256) if b & mask >= length)
        self._fast = self._latin1 and not self._reject

    @property
    def alphabet(self) -> str:
        return self._alphabet

    @property
    def size(self) -> int:
        return self._size

    def generate(self) -> str:
        """A new ID of ``size`` characters."""
        try:
            if self._fast:
                return self._randbytes(self._size).translate(self._table).decode("latin-1")
            return self._generate_with_rejects()
        except (TypeError, AttributeError) as exc:
            raise ConfigError(
                "randbytes returned a value of the wrong type", key="randbytes"
            ) from exc

    def _generate_with_rejects(self) -> str:
        size = self._size
        picked = b""
        barren = 0
        while len(picked) < size:
            accepted = self._randbytes(self._step).translate(self._table, self._reject)
            # Random bytes leave a round empty with odds of at most about 1 in 10; 64
            # in a row means a broken source, which would otherwise loop for ever.
            barren = 0 if accepted else barren + 1
            if barren == 64:
                raise ConfigError(
                    "randbytes keeps returning bytes outside the alphabet; it is not random",
                    key="randbytes",
                )
            picked += accepted
        picked = picked[:size]
        if self._latin1:
            return picked.decode("latin-1")
        alphabet = self._alphabet
        return "".join([alphabet[i] for i in picked])


_DEFAULT = NanoIdGenerator()


@functools.lru_cache(maxsize=32)
def _generator_for(size: int, alphabet: str) -> NanoIdGenerator:
    return NanoIdGenerator(alphabet=alphabet, size=size)


def nanoid(size: int = NANOID_SIZE, alphabet: str = NANOID_ALPHABET) -> str:
    """A new NanoID (21 URL-safe characters unless told otherwise).

    Raises ValidationError for a size below 1 or an alphabet that is not 2 to 256
    distinct characters.
    """
    if alphabet is NANOID_ALPHABET and size == NANOID_SIZE and type(size) is int:
        return _DEFAULT.generate()
    if type(size) is int and type(alphabet) is str:
        return _generator_for(size, alphabet).generate()
    return NanoIdGenerator(alphabet=alphabet, size=size).generate()


if TYPE_CHECKING:
    _conforms: type[IdGenerator] = NanoIdGenerator
