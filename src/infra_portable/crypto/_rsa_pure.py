"""RSA signatures (RFC 8017) and key generation in pure Python, SHA-256 only.

* PKCS#1 v1.5 verification re-encodes the expected block and compares it whole,
  rather than parsing the decrypted one (parsing is how Bleichenbacher's 2006
  forgery got through lenient verifiers).
* Signing uses the CRT exponents, blinds the input with a random ``r^e`` and
  checks the result with the public exponent before releasing it (a fault in
  one CRT half would otherwise leak a factor of n).
* Key generation: random odd candidates with the top two bits set (so p·q has
  exactly ``bits`` bits), trial division, then Miller-Rabin with the rounds of
  FIPS 186-5 Table B.1 for an error probability ≤ 2^-100 (5 rounds for 1024-bit
  primes, 4 from 1536 bits), plus the §A.1.3 checks |p-q| > 2^(bits/2-100) and
  d > 2^(bits/2).

Python integers are not constant-time: this backend is for runtimes without a
native one.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os

from infra_portable.crypto._pkey_base import RsaPrivateNumbers

__all__ = [
    "generate",
    "private_numbers",
    "private_op",
    "sign_pkcs1v15",
    "sign_pss",
    "verify_pkcs1v15",
    "verify_pss",
]

_HASH_LEN = 32
# DER of DigestInfo { sha256, NULL } minus the digest (RFC 8017 §9.2 note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_SMALL_PRIMES = [p for p in range(3, 2000, 2) if all(p % q for q in range(3, math.isqrt(p) + 1, 2))]


def _byte_len(n: int) -> int:
    return (n.bit_length() + 7) // 8


def _mgf1(seed: bytes, length: int) -> bytes:
    out = b"".join(
        hashlib.sha256(seed + i.to_bytes(4, "big")).digest()
        for i in range((length + _HASH_LEN - 1) // _HASH_LEN)
    )
    return out[:length]


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


def _pkcs1v15_block(message: bytes, k: int) -> bytes:
    t = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    # k >= 62 for any modulus we accept, so the padding is always >= 8 bytes.
    return b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t


def private_op(key: RsaPrivateNumbers, m: int) -> int:
    """m^d mod n through the CRT, blinded, checked with e before it is returned."""
    n = key.n
    while True:
        r = int.from_bytes(os.urandom(_byte_len(n)), "big") % n
        if r > 1 and math.gcd(r, n) == 1:
            break
    blinded = m * pow(r, key.e, n) % n
    m1 = pow(blinded, key.dp, key.p)
    m2 = pow(blinded, key.dq, key.q)
    h = key.qi * (m1 - m2) % key.p
    s = (m2 + h * key.q) * pow(r, -1, n) % n
    if pow(s, key.e, n) != m:
        raise ArithmeticError("RSA CRT self-check failed (inconsistent key or fault)")
    return s


def sign_pkcs1v15(key: RsaPrivateNumbers, message: bytes) -> bytes:
    k = _byte_len(key.n)
    m = int.from_bytes(_pkcs1v15_block(message, k), "big")
    return private_op(key, m).to_bytes(k, "big")


def verify_pkcs1v15(n: int, e: int, signature: bytes, message: bytes) -> bool:
    """The caller has checked len(signature) == k and the value < n."""
    k = _byte_len(n)
    em = pow(int.from_bytes(signature, "big"), e, n).to_bytes(k, "big")
    return hmac.compare_digest(em, _pkcs1v15_block(message, k))


def _pss_encode(m_hash: bytes, em_bits: int, salt: bytes) -> bytes:
    em_len = (em_bits + 7) // 8
    if em_len < _HASH_LEN + len(salt) + 2:
        raise ValueError("salt too long for this modulus")
    h = hashlib.sha256(b"\x00" * 8 + m_hash + salt).digest()
    db = b"\x00" * (em_len - len(salt) - _HASH_LEN - 2) + b"\x01" + salt
    masked = bytearray(_xor(db, _mgf1(h, em_len - _HASH_LEN - 1)))
    masked[0] &= 0xFF >> (8 * em_len - em_bits)
    return bytes(masked) + h + b"\xbc"


def sign_pss(key: RsaPrivateNumbers, message: bytes, salt_length: int) -> bytes:
    em_bits = key.n.bit_length() - 1
    em = _pss_encode(hashlib.sha256(message).digest(), em_bits, os.urandom(salt_length))
    return private_op(key, int.from_bytes(em, "big")).to_bytes(_byte_len(key.n), "big")


def verify_pss(n: int, e: int, signature: bytes, message: bytes, salt_length: int | None) -> bool:
    """EMSA-PSS-VERIFY (RFC 8017 §9.1.2); ``salt_length=None`` reads it from the block."""
    em_bits = n.bit_length() - 1
    em_len = (em_bits + 7) // 8
    m = pow(int.from_bytes(signature, "big"), e, n)
    if m.bit_length() > em_bits:
        return False
    em = m.to_bytes(em_len, "big")
    if em_len < _HASH_LEN + 2 or em[-1] != 0xBC:
        return False
    masked, h = em[: em_len - _HASH_LEN - 1], em[em_len - _HASH_LEN - 1 : -1]
    db = bytearray(_xor(masked, _mgf1(h, len(masked))))
    db[0] &= 0xFF >> (8 * em_len - em_bits)
    if salt_length is None:
        start = next((i for i, byte in enumerate(db) if byte), len(db))
    else:
        if salt_length < 0 or em_len < _HASH_LEN + salt_length + 2:
            return False
        start = em_len - _HASH_LEN - salt_length - 2
        if any(db[:start]):
            return False
    if start >= len(db) or db[start] != 0x01:
        return False
    salt = bytes(db[start + 1 :])
    expected = hashlib.sha256(b"\x00" * 8 + hashlib.sha256(message).digest() + salt).digest()
    return hmac.compare_digest(h, expected)


# -- key generation --------------------------------------------------------


def _miller_rabin_rounds(prime_bits: int) -> int:
    return 4 if prime_bits >= 1536 else 5


def _is_probable_prime(n: int, rounds: int) -> bool:
    if any(n % p == 0 for p in _SMALL_PRIMES):
        return n in _SMALL_PRIMES
    d, s = n - 1, 0
    while not d & 1:
        d >>= 1
        s += 1
    for _ in range(rounds):
        a = 2 + int.from_bytes(os.urandom(_byte_len(n)), "big") % (n - 3)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _random_prime(bits: int, e: int) -> int:
    rounds = _miller_rabin_rounds(bits)
    while True:
        size = (bits + 7) // 8
        candidate = int.from_bytes(os.urandom(size), "big") >> (8 * size - bits)
        candidate |= (0b11 << (bits - 2)) | 1
        if math.gcd(candidate - 1, e) == 1 and _is_probable_prime(candidate, rounds):
            return candidate


def private_numbers(n: int, e: int, d: int, p: int, q: int) -> RsaPrivateNumbers:
    """Complete a key with its CRT values (p is the larger prime, as OpenSSL orders them)."""
    if p < q:
        p, q = q, p
    return RsaPrivateNumbers(
        n=n, e=e, d=d, p=p, q=q, dp=d % (p - 1), dq=d % (q - 1), qi=pow(q, -1, p)
    )


def generate(bits: int, e: int) -> RsaPrivateNumbers:
    """A fresh key with a modulus of exactly ``bits`` bits (the caller checks >= 2048)."""
    half = bits // 2
    while True:
        p = _random_prime(half, e)
        q = _random_prime(bits - half, e)
        if abs(p - q) <= 1 << (half - 100):
            continue
        lam = math.lcm(p - 1, q - 1)
        d = pow(e, -1, lam)
        if d <= 1 << half:
            continue
        return private_numbers(p * q, e, d, p, q)
