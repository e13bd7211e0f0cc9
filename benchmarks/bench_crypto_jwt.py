"""JWT: HS256 sign + verify with every registered claim checked, ours vs joserfc and PyJWT.

Each round signs a fresh token (``iat``/``nbf``/``exp`` from the clock, ``iss``,
``aud``, ``sub``, ``jti`` and two private claims), then verifies it: signature,
algorithm allow-list, ``exp``, ``nbf``, ``iat``, ``iss`` and ``aud``. Signing
and verifying are also timed on their own (verification of one fixed token).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from _harness import Group, ops_per_second

SECRET = b"0123456789abcdef0123456789abcdef-benchmark-secret"
ISSUER = "https://auth.example.com"
AUDIENCE = "llm-gateway"
BASE = {"sub": "user-42", "jti": "b7c1e3a2", "scope": "chat:write", "tenant": "acme"}


def _ours() -> tuple[Callable[[], str], Callable[[str], Any]]:
    from infra_portable.crypto._jwt import JwtSigner, JwtVerifier

    signer = JwtSigner(SECRET, "HS256")
    verifier = JwtVerifier(SECRET, algorithms=["HS256"], issuer=ISSUER, audience=AUDIENCE)

    def sign() -> str:
        return signer.sign(
            BASE, expires_in=600, not_before=int(time.time()), issuer=ISSUER, audience=AUDIENCE
        )

    return sign, verifier.verify


def _claims() -> dict[str, Any]:
    now = int(time.time())
    return {**BASE, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + 600}


def _joserfc() -> tuple[Callable[[], str], Callable[[str], Any]] | None:
    try:
        from joserfc import jwt
        from joserfc.jwk import OctKey
    except ImportError:
        return None
    key = OctKey.import_key(SECRET)
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": AUDIENCE},
        exp={"essential": True},
        nbf={"essential": True},
        iat={"essential": True},
    )

    def sign() -> str:
        return jwt.encode({"alg": "HS256"}, _claims(), key)

    def verify(token: str) -> Any:
        decoded = jwt.decode(token, key, algorithms=["HS256"])
        registry.validate(decoded.claims)
        return decoded.claims

    return sign, verify


def _pyjwt() -> tuple[Callable[[], str], Callable[[str], Any]] | None:
    try:
        import jwt
    except ImportError:
        return None

    def sign() -> str:
        return jwt.encode(_claims(), SECRET, algorithm="HS256")

    def verify(token: str) -> Any:
        return jwt.decode(
            token,
            SECRET,
            algorithms=["HS256"],
            issuer=ISSUER,
            audience=AUDIENCE,
            options={"require": ["exp", "nbf", "iat", "iss", "aud"]},
        )

    return sign, verify


def _measure(side: dict[str, float], name: str, fn: Callable[[], object], min_time: float) -> None:
    # Keep the best of several turns: other load on the machine only slows a run down.
    side[name] = max(side.get(name, 0.0), ops_per_second(fn, min_time=min_time, repeats=3))


def run(quick: bool) -> list[Group]:
    min_time = 0.05 if quick else 0.2
    turns = 1 if quick else 3
    ours = _ours()
    peers = {name: impl for name, impl in (("joserfc", _joserfc()), ("PyJWT", _pyjwt())) if impl}
    groups: list[Group] = []
    for peer_name, peer in peers.items():
        target = 1.2 if peer_name == "joserfc" else 1.0
        impls = {"infra_portable": ours, peer_name: peer}
        round_trip = Group(f"jwt HS256 sign+verify vs {peer_name}", target=target)
        sign_only = Group(f"jwt HS256 sign vs {peer_name}", target=target)
        verify_only = Group(f"jwt HS256 verify vs {peer_name}", target=target)
        tokens = {name: sign() for name, (sign, _) in impls.items()}
        for name, (_, verify) in impls.items():
            verify(tokens[name])  # every implementation must accept its own token
        # Alternate ours and the peer so a burst of load hits both alike.
        for _ in range(turns):
            for name, (sign, verify) in impls.items():
                ours_side = name == "infra_portable"
                token = tokens[name]
                for group, fn in (
                    (round_trip, lambda sign=sign, verify=verify: verify(sign())),
                    (sign_only, sign),
                    (verify_only, lambda verify=verify, token=token: verify(token)),
                ):
                    side = group.ours if ours_side else group.peers
                    _measure(side, name, fn, min_time)
        groups += [round_trip, sign_only, verify_only]
    return groups
