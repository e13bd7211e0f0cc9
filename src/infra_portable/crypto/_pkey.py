"""Public-key signatures: ECDSA P-256 (ES256) and RSA PKCS#1 v1.5 / PSS (RS256, PS256).

Every class takes ``backend=`` to pick a ``crypto-pkey`` implementation
(``cryptography``, ``pycryptodome``, ``pure``); the default is the best one this
runtime has. All backends produce signatures the others verify; only ``pure``
makes deterministic ECDSA signatures (RFC 6979). ``*_async`` methods use
WebCrypto in Pyodide and the chosen backend elsewhere. For loading any key
format without knowing its type, see ``load_private_key``/``load_public_key``.
"""

from __future__ import annotations

from infra_portable.crypto._ecdsa import EcdsaP256PrivateKey, EcdsaP256PublicKey, SignatureEncoding
from infra_portable.crypto._keys import load_private_key, load_public_key
from infra_portable.crypto._pkey_base import PkeyBackend, RsaPrivateNumbers
from infra_portable.crypto._rsa import RsaPrivateKey, RsaPublicKey

__all__ = [
    "EcdsaP256PrivateKey",
    "EcdsaP256PublicKey",
    "PkeyBackend",
    "RsaPrivateKey",
    "RsaPrivateNumbers",
    "RsaPublicKey",
    "SignatureEncoding",
    "load_private_key",
    "load_public_key",
]
