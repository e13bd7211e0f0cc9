"""ES256 and RS256 through our key classes (cryptography backend) vs raw cryptography.

The peer is the same operation written directly against ``cryptography`` (a
DER ECDSA signature, as it produces natively), so the ratio is our overhead:
range checks, r‖s conversion and the backend lookup. The pure backend's P-256
and RSA-2048 verification rates are reported alone (no target), since they are
what Pyodide and WASI get.
"""

from __future__ import annotations

from _harness import Group, ops_per_second

_MESSAGE = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ"


def run(quick: bool) -> list[Group]:
    from infra_portable.crypto._pkey import EcdsaP256PrivateKey, RsaPrivateKey

    min_time = 0.05 if quick else 0.25
    groups: list[Group] = []
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, padding
        from cryptography.hazmat.primitives.serialization import load_der_private_key
    except ImportError:
        ec = None  # type: ignore[assignment]

    if ec is not None:
        ours_ec = EcdsaP256PrivateKey.generate(backend="cryptography")
        ours_ec_pub = ours_ec.public_key()
        raw_ec = load_der_private_key(ours_ec.to_der(), password=None)
        assert isinstance(raw_ec, ec.EllipticCurvePrivateKey)
        raw_ec_pub = raw_ec.public_key()
        algorithm = ec.ECDSA(hashes.SHA256())
        sig = ours_ec.sign(_MESSAGE)
        der_sig = raw_ec.sign(_MESSAGE, algorithm)

        sign = Group("ES256 sign (cryptography backend)", target=0.9)
        sign.ours["infra_portable"] = ops_per_second(
            lambda: ours_ec.sign(_MESSAGE), min_time=min_time
        )
        sign.peers["cryptography"] = ops_per_second(
            lambda: raw_ec.sign(_MESSAGE, algorithm), min_time=min_time
        )
        verify = Group("ES256 verify (cryptography backend)", target=0.9)
        verify.ours["infra_portable"] = ops_per_second(
            lambda: ours_ec_pub.verify(sig, _MESSAGE), min_time=min_time
        )
        verify.peers["cryptography"] = ops_per_second(
            lambda: raw_ec_pub.verify(der_sig, _MESSAGE, algorithm), min_time=min_time
        )

        ours_rsa = RsaPrivateKey.generate(2048, backend="cryptography")
        ours_rsa_pub = ours_rsa.public_key()
        raw_rsa = load_der_private_key(ours_rsa.to_der(), password=None)
        raw_rsa_pub = raw_rsa.public_key()
        pkcs1 = padding.PKCS1v15()
        sha256 = hashes.SHA256()
        rsa_sig = ours_rsa.sign_pkcs1v15(_MESSAGE)
        rs_sign = Group("RS256 sign (cryptography backend)", target=0.9)
        rs_sign.ours["infra_portable"] = ops_per_second(
            lambda: ours_rsa.sign_pkcs1v15(_MESSAGE), min_time=min_time
        )
        rs_sign.peers["cryptography"] = ops_per_second(
            lambda: raw_rsa.sign(_MESSAGE, pkcs1, sha256),  # type: ignore[call-arg, union-attr]
            min_time=min_time,
        )
        rs_verify = Group("RS256 verify (cryptography backend)", target=0.9)
        rs_verify.ours["infra_portable"] = ops_per_second(
            lambda: ours_rsa_pub.verify_pkcs1v15(rsa_sig, _MESSAGE), min_time=min_time
        )
        rs_verify.peers["cryptography"] = ops_per_second(
            lambda: raw_rsa_pub.verify(rsa_sig, _MESSAGE, pkcs1, sha256),  # type: ignore[call-arg, union-attr]
            min_time=min_time,
        )
        groups += [sign, verify, rs_sign, rs_verify]

    pure_ec = EcdsaP256PrivateKey.generate(backend="pure")
    pure_ec_pub = pure_ec.public_key()
    pure_sig = pure_ec.sign(_MESSAGE)
    pure_ec_pub.verify(pure_sig, _MESSAGE)  # builds the comb table outside the timing
    pure_verify = Group("ES256 verify (pure backend)", target=0.0, note="no peer")
    pure_verify.ours["infra_portable pure"] = ops_per_second(
        lambda: pure_ec_pub.verify(pure_sig, _MESSAGE), min_time=min_time
    )
    pure_sign = Group("ES256 sign (pure backend, RFC 6979)", target=0.0, note="no peer")
    pure_sign.ours["infra_portable pure"] = ops_per_second(
        lambda: pure_ec.sign(_MESSAGE), min_time=min_time
    )
    rsa_jwk = RsaPrivateKey.generate(2048, backend="cryptography" if ec is not None else "pure")
    pure_rsa = RsaPrivateKey(rsa_jwk.numbers, backend="pure")
    pure_rsa_pub = pure_rsa.public_key()
    pure_rsa_sig = pure_rsa.sign_pkcs1v15(_MESSAGE)
    pure_rs_verify = Group("RS256 verify RSA-2048 (pure backend)", target=0.0, note="no peer")
    pure_rs_verify.ours["infra_portable pure"] = ops_per_second(
        lambda: pure_rsa_pub.verify_pkcs1v15(pure_rsa_sig, _MESSAGE), min_time=min_time
    )
    pure_rs_sign = Group("RS256 sign RSA-2048 (pure backend)", target=0.0, note="no peer")
    pure_rs_sign.ours["infra_portable pure"] = ops_per_second(
        lambda: pure_rsa.sign_pkcs1v15(_MESSAGE), min_time=min_time
    )
    groups += [pure_verify, pure_sign, pure_rs_verify, pure_rs_sign]
    return groups
