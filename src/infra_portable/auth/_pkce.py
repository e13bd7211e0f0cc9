"""PKCE (RFC 7636): the code verifier and its S256 challenge.

The verifier is 32 random bytes as unpadded base64url (43 characters, the
RFC's recommendation, §4.1); the challenge is
``BASE64URL(SHA256(ASCII(verifier)))`` (§4.2). Only S256 is offered: ``plain``
exists for clients that cannot hash, which every runtime here can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from infra_portable.crypto import b64url_encode, sha256, token_urlsafe
from infra_portable.errors import ValidationError

__all__ = ["Pkce", "pkce_challenge"]

# RFC 7636 §4.1: 43-128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def pkce_challenge(verifier: str) -> str:
    """The S256 challenge of ``verifier`` (ValidationError if it breaks RFC 7636 §4.1)."""
    if not isinstance(verifier, str) or not _VERIFIER.fullmatch(verifier):
        raise ValidationError(
            "a PKCE code verifier is 43-128 characters of A-Z a-z 0-9 - . _ ~",
            field="code_verifier",
            actual=f"{len(verifier)} characters" if isinstance(verifier, str) else repr(verifier),
        )
    return b64url_encode(sha256(verifier.encode("ascii")))


@dataclass(frozen=True, slots=True)
class Pkce:
    """A verifier (kept by the client, out of ``repr``) and the challenge it sends."""

    verifier: str = field(repr=False)
    challenge: str
    method: str = "S256"

    @classmethod
    def generate(cls) -> Pkce:
        verifier = token_urlsafe(32)
        return cls(verifier, pkce_challenge(verifier))

    @classmethod
    def from_verifier(cls, verifier: str) -> Pkce:
        return cls(verifier, pkce_challenge(verifier))
