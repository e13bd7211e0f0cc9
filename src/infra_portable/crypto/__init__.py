"""Layer 1: cryptography with byte-identical results in every runtime (seed 002 §2.7).

Every primitive has a compiled implementation natively (``cryptography``, then
``pycryptodome``; ``argon2-cffi``; the ``blake3`` package) and a pure-Python one
that works everywhere, chosen through the capability registry
(``INFRA_PORTABLE_CRYPTO_AEAD``, ``..._EDDSA``, ``..._PKEY``, ``..._PASSWORD``,
``INFRA_PORTABLE_BLAKE3``). In Pyodide the ``*_async`` methods use WebCrypto.
Known-answer vectors from the RFCs and NIST run against every implementation in
every runtime, so a signature, a ciphertext under a given nonce or a hash is the
same bytes wherever it is computed.

* hashing: ``sha256``/``sha384``/``sha512``/``sha3_256``/``blake2b``/``blake3``,
  ``digest``/``hexdigest``/``new_hash``, ``Hasher`` classes, ``digest_async``
* MACs and key derivation: ``hmac_sha256``..., ``verify_hmac``, ``hkdf``,
  ``pbkdf2_hmac``, ``argon2id_raw``
* AEAD: ``Aes256Gcm``, ``ChaCha20Poly1305`` (explicit nonce + AAD, or the seed's
  ``seal``/``open`` with ``nonce || ciphertext || tag``)
* signatures and key exchange: ``Ed25519PrivateKey``..., ``X25519PrivateKey``...,
  ``EcdsaP256PrivateKey``..., ``RsaPrivateKey``...; ``load_private_key`` /
  ``load_public_key`` read PEM, DER and JWK
* passwords: ``PasswordHasher`` (Argon2id PHC strings; verifies bcrypt)
* JOSE: ``JwtSigner``, ``JwtVerifier``, ``Claims``, ``jws_sign``, ``jws_verify``,
  ``Jwk``, ``JwkSet``, ``jwk_thumbprint``
* encodings and randomness: ``b64url_encode``..., ``constant_time_equals``,
  ``random_bytes``, ``token_urlsafe``

Errors: tampering, bad signatures and wrong keys raise ``CryptoError``; bad
arguments ``ValidationError``; JWT problems ``AuthError`` (invalid or expired token).
"""

from __future__ import annotations

from infra_portable.crypto._aead import Aes256Gcm, ChaCha20Poly1305
from infra_portable.crypto._ecdsa import EcdsaP256PrivateKey, EcdsaP256PublicKey
from infra_portable.crypto._eddsa import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
    X25519PrivateKey,
    X25519PublicKey,
)
from infra_portable.crypto._encoding import (
    b64url_decode,
    b64url_encode,
    constant_time_equals,
    hex_decode,
    hex_encode,
)
from infra_portable.crypto._hash import (
    Blake2bHasher,
    Blake3Hasher,
    Hasher,
    Sha3_256Hasher,
    Sha256Hasher,
    Sha384Hasher,
    Sha512Hasher,
    blake2b,
    blake3,
    blake3_derive_key,
    digest,
    hasher,
    hexdigest,
    new_hash,
    sha3_256,
    sha256,
    sha384,
    sha512,
)
from infra_portable.crypto._hash_webcrypto import digest_async
from infra_portable.crypto._hmac import (
    hmac_digest,
    hmac_sha256,
    hmac_sha384,
    hmac_sha512,
    verify_hmac,
)
from infra_portable.crypto._jwk import Jwk, JwkSet, jwk_thumbprint, parse_jwk
from infra_portable.crypto._jws import jws_sign, jws_verify
from infra_portable.crypto._jwt import Claims, JwtSigner, JwtVerifier
from infra_portable.crypto._kdf import hkdf, hkdf_expand, hkdf_extract, pbkdf2_hmac
from infra_portable.crypto._keys import load_private_key, load_public_key
from infra_portable.crypto._password import PasswordHasher, argon2id_raw
from infra_portable.crypto._random import random_bytes, random_int_below, token_urlsafe
from infra_portable.crypto._rsa import RsaPrivateKey, RsaPublicKey

__all__ = [
    # hashing
    "sha256",
    "sha384",
    "sha512",
    "sha3_256",
    "blake2b",
    "blake3",
    "blake3_derive_key",
    "digest",
    "hexdigest",
    "new_hash",
    "digest_async",
    "Hasher",
    "hasher",
    "Sha256Hasher",
    "Sha384Hasher",
    "Sha512Hasher",
    "Sha3_256Hasher",
    "Blake2bHasher",
    "Blake3Hasher",
    # MACs and key derivation
    "hmac_digest",
    "hmac_sha256",
    "hmac_sha384",
    "hmac_sha512",
    "verify_hmac",
    "hkdf",
    "hkdf_extract",
    "hkdf_expand",
    "pbkdf2_hmac",
    "argon2id_raw",
    # AEAD
    "Aes256Gcm",
    "ChaCha20Poly1305",
    # signatures and key exchange
    "Ed25519PrivateKey",
    "Ed25519PublicKey",
    "X25519PrivateKey",
    "X25519PublicKey",
    "EcdsaP256PrivateKey",
    "EcdsaP256PublicKey",
    "RsaPrivateKey",
    "RsaPublicKey",
    "load_private_key",
    "load_public_key",
    # passwords
    "PasswordHasher",
    # JOSE
    "JwtSigner",
    "JwtVerifier",
    "Claims",
    "jws_sign",
    "jws_verify",
    "Jwk",
    "JwkSet",
    "jwk_thumbprint",
    "parse_jwk",
    # encodings and randomness
    "b64url_encode",
    "b64url_decode",
    "hex_encode",
    "hex_decode",
    "constant_time_equals",
    "random_bytes",
    "random_int_below",
    "token_urlsafe",
]
