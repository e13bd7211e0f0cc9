"""The ``crypto-pkey`` capability: what an ECDSA P-256 / RSA backend provides.

Backends work on plain numbers and bytes; the public classes in ``_pkey`` own
parsing, range checks and encodings, so a backend only ever sees well-formed
input. A backend returns ``False`` for a signature that does not verify and
raises only :class:`~infra_portable.errors.CryptoError` — never its library's
exceptions. Signers and verifiers are created once per key and cached by the
key object, so a native backend can keep its parsed key handle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from infra_portable.runtime import REGISTRY, is_pyodide

__all__ = [
    "EcSigner",
    "EcVerifier",
    "PkeyBackend",
    "RsaPrivateNumbers",
    "RsaSigner",
    "RsaVerifier",
    "resolve_backend",
    "uses_webcrypto",
]

CAPABILITY = "crypto-pkey"


@dataclass(frozen=True, slots=True, repr=False)
class RsaPrivateNumbers:
    """An RSA private key with its CRT values (``qi`` is q⁻¹ mod p)."""

    n: int
    e: int
    d: int
    p: int
    q: int
    dp: int
    dq: int
    qi: int

    def __repr__(self) -> str:
        # Never print private numbers into logs.
        return f"RsaPrivateNumbers(<{self.n.bit_length()}-bit, private>)"


class EcSigner(Protocol):
    def sign(self, message: bytes) -> bytes:
        """An ECDSA signature over SHA-256(message) as raw r‖s (64 bytes, JWS form)."""
        ...


class EcVerifier(Protocol):
    def verify(self, r: int, s: int, message: bytes) -> bool:
        """Whether (r, s) signs SHA-256(message); r and s are already in [1, n-1]."""
        ...


class RsaSigner(Protocol):
    def sign_pkcs1v15(self, message: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 with SHA-256, k bytes long."""
        ...

    def sign_pss(self, message: bytes, salt_length: int) -> bytes:
        """RSASSA-PSS with SHA-256 and MGF1-SHA-256, k bytes long."""
        ...


class RsaVerifier(Protocol):
    def verify_pkcs1v15(self, signature: bytes, message: bytes) -> bool:
        """``signature`` is already k bytes and below n."""
        ...

    def verify_pss(self, signature: bytes, message: bytes, salt_length: int | None) -> bool:
        """``salt_length=None`` accepts any salt length (read from the block)."""
        ...


class PkeyBackend(Protocol):
    """One implementation of the ``crypto-pkey`` capability."""

    name: str

    def ec_generate(self) -> int:
        """A fresh private scalar d in [1, n-1]."""
        ...

    def ec_public(self, d: int) -> tuple[int, int]:
        """The affine public point d·G."""
        ...

    def ec_signer(self, d: int) -> EcSigner: ...

    def ec_verifier(self, x: int, y: int) -> EcVerifier:
        """(x, y) is already known to be on the curve."""
        ...

    def rsa_generate(self, bits: int, public_exponent: int) -> RsaPrivateNumbers: ...

    def rsa_signer(self, key: RsaPrivateNumbers) -> RsaSigner: ...

    def rsa_verifier(self, n: int, e: int) -> RsaVerifier: ...


def resolve_backend(name: str | None) -> PkeyBackend:
    """The backend named ``name``, or the one chosen for this runtime (cached by the
    registry; ``REGISTRY.reset()`` makes the next call choose again)."""
    backend: PkeyBackend = REGISTRY.resolve(CAPABILITY, name)
    return backend


def uses_webcrypto(backend: str | None) -> bool:
    """Whether async operations go to WebCrypto: in Pyodide, unless a backend was named."""
    return backend is None and is_pyodide()
