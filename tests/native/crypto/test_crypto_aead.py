"""AES-256-GCM and ChaCha20-Poly1305: known answers, tampering, sizes, backends agreeing.

Every test that takes ``backend`` runs once per implementation of ``crypto-aead``;
one that cannot load in this runtime is skipped with the reason. Vectors:

* AES-256-GCM: test cases 13-16 of McGrew & Viega, "The Galois/Counter Mode of
  Operation (GCM)" (the 96-bit-IV ones), and NIST CAVP ``gcmEncryptExtIV256.rsp``
  (96-bit IVs: empty plaintext with and without AAD, 128-bit plaintext, and a
  408-bit plaintext with 720-bit AAD).
* ChaCha20-Poly1305: RFC 8439 §2.8.2 and Appendix A.5.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra_portable.crypto import _aead_pure
from infra_portable.crypto._aead import Aes256Gcm, ChaCha20Poly1305
from infra_portable.crypto._aead_base import AeadBackend
from infra_portable.errors import ConfigError, CryptoError, CryptoOperation, ValidationError
from infra_portable.runtime import REGISTRY, current

RUNTIME = current().value
CAPABILITY = "crypto-aead"
BACKEND_NAMES = [impl.name for impl in REGISTRY.capability(CAPABILITY).implementations]
CIPHERS = {"aes-gcm": Aes256Gcm, "chacha": ChaCha20Poly1305}
# Pure AES is several times slower under WASI: fewer random examples there.
EXAMPLES = 20 if RUNTIME == "wasi" else 60
RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]

# name, key, nonce, aad, plaintext, ciphertext, tag (hex)
GCM_VECTORS = [
    ("gcm-spec-13", "00" * 32, "00" * 12, "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"),
    (
        "gcm-spec-14",
        "00" * 32,
        "00" * 12,
        "",
        "00" * 16,
        "cea7403d4d606b6e074ec5d3baf39d18",
        "d0d1c8a799996bf0265b98b5d48ab919",
    ),
    (
        "gcm-spec-15",
        "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
        "cafebabefacedbaddecaf888",
        "",
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
        "b094dac5d93471bdec1a502270e3cc6c",
    ),
    (
        "gcm-spec-16",
        "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
        "cafebabefacedbaddecaf888",
        "feedfacedeadbeeffeedfacedeadbeefabaddad2",
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        "76fc6ece0f4e1768cddf8853bb2d551b",
    ),
    (
        "cavp-pt0-aad0-count0",
        "b52c505a37d78eda5dd34f20c22540ea1b58963cf8e5bf8ffa85f9f2492505b4",
        "516c33929df5a3284ff463d7",
        "",
        "",
        "",
        "bdc1ac884d332457a1d2664f168c76f0",
    ),
    (
        "cavp-pt0-aad0-count1",
        "5fe0861cdc2690ce69b3658c7f26f8458eec1c9243c5ba0845305d897e96ca0f",
        "770ac1a5a3d476d5d96944a1",
        "",
        "",
        "",
        "196d691e1047093ca4b3d2ef4baba216",
    ),
    (
        "cavp-pt0-aad128-count0",
        "78dc4e0aaf52d935c3c01eea57428f00ca1fd475f5da86a49c8dd73d68c8e223",
        "d79cf22d504cc793c3fb6c8a",
        "b96baa8c1c75a671bfb2d08d06be5f36",
        "",
        "",
        "3e5d486aa2e30b22e040b85723a06e76",
    ),
    (
        "cavp-pt128-aad0-count0",
        "31bdadd96698c204aa9ce1448ea94ae1fb4a9a0b3c9d773b51bb1822666b8f22",
        "0d18e06c7c725ac9e362e1ce",
        "",
        "2db5168e932556f8089a0622981d017d",
        "fa4362189661d163fcd6a56d8bf0405a",
        "d636ac1bbedd5cc3ee727dc2ab4a9489",
    ),
    (
        "cavp-pt128-aad128-count0",
        "92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b",
        "ac93a1a6145299bde902f21a",
        "1e0889016f67601c8ebea4943bc23ad6",
        "2d71bcfa914e4ac045b2aa60955fad24",
        "8995ae2e6df3dbf96fac7b7137bae67f",
        "eca5aa77d51d4a0a14d9c51e1da474ab",
    ),
    (
        "cavp-pt408-aad720-count2",
        "c277df045d0a1a3956958f271055c229d2634427b1d73e99d54920da69f72e01",
        "79e24f84bc77a21a6cb14ee2",
        "ca09282238d492029afbd30ea9b4aa9d448d77b4b41a791c35ebe3f8e5034ac71210117a843fae647cea02"
        "0712c27e5c8f85acf933d5e28430c7770862d8dbb197cbbcfe49dd63f6aa05fbd13e32c459342698dfee59"
        "35c7c321",
        "5ca68d858cc30b1cb0514c4e9de98e1a1a835df401f69e9ec6f1bcb1158f09114dff551683b3827457f77e"
        "17a7097b1ea69eac",
        "5c5223c8eda59a8dc28b08e6c21482a46e5d84d32c7050bf144fc57f4e8094de133198da7b4b8398b16720"
        "4aff837da15d9ab2",
        "378885950a4491bee3cd681d3c957b9a",
    ),
]

_A5_PLAINTEXT = (
    "Internet-Drafts are draft documents valid for a maximum of six months and may be "
    "updated, replaced, or obsoleted by other documents at any time. It is inappropriate to "
    "use Internet-Drafts as reference material or to cite them other than as "
    "/\u201cwork in progress./\u201d"
)
CHACHA_VECTORS = [
    (
        "rfc8439-2.8.2",
        "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
        "070000004041424344454647",
        "50515253c0c1c2c3c4c5c6c7",
        b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
        b"the future, sunscreen would be it.".hex(),
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
        "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
        "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
        "3ff4def08e4b7a9de576d26586cec64b6116",
        "1ae10b594f09e26a7e902ecbd0600691",
    ),
    (
        "rfc8439-A.5",
        "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0",
        "000000000102030405060708",
        "f33388860000000000004e91",
        _A5_PLAINTEXT.encode().hex(),
        "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
        "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
        "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
        "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
        "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
        "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
        "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
        "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
        "a6ad5cb4022b02709b",
        "eead9d67890cbb22392336fea1851f38",
    ),
]
VECTORS = [("aes-gcm", *v) for v in GCM_VECTORS] + [("chacha", *v) for v in CHACHA_VECTORS]


def _available() -> list[str]:
    return [c.name for c in REGISTRY.explain(CAPABILITY) if c.available]


@pytest.fixture(params=BACKEND_NAMES)
def backend(request: pytest.FixtureRequest) -> str:
    """Each implementation in turn; one that cannot load here is skipped with the reason."""
    name: str = request.param
    candidates = {c.name: c for c in REGISTRY.explain(CAPABILITY)}
    if not candidates[name].available:
        pytest.skip(f"{name} unavailable on {RUNTIME}: {candidates[name].reason}")
    return name


def _hex(*values: str) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def _assert_auth_failure(excinfo: pytest.ExceptionInfo[CryptoError]) -> None:
    error = excinfo.value
    assert type(error) is CryptoError
    assert error.operation is CryptoOperation.DECRYPT
    assert "authentication failed" in error.message


# -- known answers -------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v[1])
def test_known_answer(backend: str, vector: tuple[str, ...]) -> None:
    algorithm, _name, *hexes = vector
    key, nonce, aad, plaintext, ciphertext, tag = _hex(*hexes)
    cipher = CIPHERS[algorithm](key, backend=backend)
    assert cipher.backend == backend
    assert cipher.encrypt(nonce, plaintext, aad) == ciphertext + tag
    assert cipher.decrypt(nonce, ciphertext + tag, aad) == plaintext
    sealed = nonce + ciphertext + tag
    assert cipher.open(sealed, aad) == plaintext


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v[1])
def test_known_answer_stateless(backend: str, vector: tuple[str, ...]) -> None:
    algorithm, _name, *hexes = vector
    key, nonce, aad, plaintext, ciphertext, tag = _hex(*hexes)
    impl: AeadBackend = REGISTRY.resolve(CAPABILITY, backend)
    assert isinstance(impl, AeadBackend)
    if algorithm == "aes-gcm":
        assert impl.aes_gcm_encrypt(key, nonce, plaintext, aad) == ciphertext + tag
        assert impl.aes_gcm_decrypt(key, nonce, ciphertext + tag, aad) == plaintext
    else:
        assert impl.chacha20_poly1305_encrypt(key, nonce, plaintext, aad) == ciphertext + tag
        assert impl.chacha20_poly1305_decrypt(key, nonce, ciphertext + tag, aad) == plaintext


# -- tampering: every byte of every input matters -------------------------------


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@pytest.mark.parametrize("algorithm", sorted(CIPHERS))
def test_every_flipped_byte_fails(backend: str, algorithm: str) -> None:
    cipher = CIPHERS[algorithm](bytes(range(32)), backend=backend)
    nonce, aad = bytes(range(100, 112)), b"header:v1"
    sealed = cipher.encrypt(nonce, b"attack at dawn, bring snacks", aad)
    for i in range(len(sealed)):  # ciphertext and tag
        with pytest.raises(CryptoError) as excinfo:
            cipher.decrypt(nonce, _flip(sealed, i), aad)
        _assert_auth_failure(excinfo)
    for i in range(len(aad)):
        with pytest.raises(CryptoError) as excinfo:
            cipher.decrypt(nonce, sealed, _flip(aad, i))
        _assert_auth_failure(excinfo)
    for i in range(len(nonce)):
        with pytest.raises(CryptoError) as excinfo:
            cipher.decrypt(_flip(nonce, i), sealed, aad)
        _assert_auth_failure(excinfo)


@pytest.mark.parametrize("algorithm", sorted(CIPHERS))
def test_wrong_key_missing_aad_and_truncation_fail(backend: str, algorithm: str) -> None:
    cls = CIPHERS[algorithm]
    cipher = cls(bytes(32), backend=backend)
    nonce = bytes(12)
    sealed = cipher.encrypt(nonce, b"secret", b"aad")
    cases = [
        lambda: cls(bytes(31) + b"\x01", backend=backend).decrypt(nonce, sealed, b"aad"),
        lambda: cipher.decrypt(nonce, sealed),  # associated data left out
        lambda: cipher.decrypt(nonce, sealed + b"\x00", b"aad"),  # extended
        lambda: cipher.decrypt(nonce, sealed[:-1], b"aad"),  # truncated tag
    ]
    # Anything shorter than a tag, including nothing at all.
    cases += [lambda n=n: cipher.decrypt(nonce, sealed[:n], b"aad") for n in range(17)]
    # A sealed message shorter than nonce + tag.
    cases += [lambda n=n: cipher.open(bytes(n)) for n in (0, 11, 12, 27)]
    for case in cases:
        with pytest.raises(CryptoError) as excinfo:
            case()
        _assert_auth_failure(excinfo)


def test_pure_checks_the_tag_before_decrypting(monkeypatch: pytest.MonkeyPatch) -> None:
    """No keystream for the data is generated (so no plaintext exists) for a bad tag."""
    data_blocks: list[int] = []
    real = _aead_pure.ctr_keystream

    def spy(round_keys: Any, prefix: int, first: int, count: int) -> bytes:
        if first >= 2:
            data_blocks.append(count)
        return real(round_keys, prefix, first, count)

    monkeypatch.setattr(_aead_pure, "ctr_keystream", spy)
    cipher = Aes256Gcm(bytes(32), backend="pure")
    sealed = cipher.encrypt(bytes(12), b"x" * 40)
    data_blocks.clear()
    with pytest.raises(CryptoError):
        cipher.decrypt(bytes(12), _flip(sealed, len(sealed) - 1))
    assert data_blocks == []
    assert cipher.decrypt(bytes(12), sealed) == b"x" * 40
    assert data_blocks == [3]


# -- argument checking -----------------------------------------------------------


@pytest.mark.parametrize("algorithm", sorted(CIPHERS))
@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_key_must_be_32_bytes(backend: str, algorithm: str, size: int) -> None:
    with pytest.raises(ValidationError) as excinfo:
        CIPHERS[algorithm](bytes(size), backend=backend)
    error = excinfo.value
    assert (error.field, error.expected, error.actual) == ("key", "32 bytes", f"{size} bytes")


@pytest.mark.parametrize("algorithm", sorted(CIPHERS))
@pytest.mark.parametrize("size", [0, 8, 11, 13, 16])
def test_nonce_must_be_12_bytes(backend: str, algorithm: str, size: int) -> None:
    cipher = CIPHERS[algorithm](bytes(32), backend=backend)
    impl: AeadBackend = REGISTRY.resolve(CAPABILITY, backend)
    calls = [
        lambda: cipher.encrypt(bytes(size), b"data"),
        lambda: cipher.decrypt(bytes(size), bytes(32)),
        lambda: impl.aes_gcm_encrypt(bytes(32), bytes(size), b"data", b""),
        lambda: impl.chacha20_poly1305_decrypt(bytes(32), bytes(size), bytes(32), b""),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as excinfo:
            call()
        error = excinfo.value
        assert (error.field, error.expected, error.actual) == ("nonce", "12 bytes", f"{size} bytes")


@pytest.mark.parametrize("algorithm", sorted(CIPHERS))
def test_wrong_types_are_validation_errors(backend: str, algorithm: str) -> None:
    cls = CIPHERS[algorithm]
    cipher = cls(bytes(32), backend=backend)
    wrong: list[tuple[str, Callable[[], object]]] = [
        ("key", lambda: cls("k" * 32, backend=backend)),  # type: ignore[arg-type]
        ("nonce", lambda: cipher.encrypt("n" * 12, b"")),  # type: ignore[arg-type]
        ("plaintext", lambda: cipher.encrypt(bytes(12), "text")),  # type: ignore[arg-type]
        ("aad", lambda: cipher.encrypt(bytes(12), b"", aad=42)),  # type: ignore[arg-type]
        ("ciphertext", lambda: cipher.decrypt(bytes(12), None)),  # type: ignore[arg-type]
        ("sealed", lambda: cipher.open("x" * 40)),  # type: ignore[arg-type]
    ]
    for field, call in wrong:
        with pytest.raises(ValidationError) as excinfo:
            call()
        assert excinfo.value.field == field


def test_bytes_like_inputs_are_accepted(backend: str) -> None:
    cipher = Aes256Gcm(bytearray(32), backend=backend)
    out = cipher.encrypt(memoryview(bytes(12)), bytearray(b"data"), bytearray(b"aad"))
    assert out == Aes256Gcm(bytes(32), backend=backend).encrypt(bytes(12), b"data", b"aad")
    assert cipher.decrypt(bytearray(12), bytearray(out), memoryview(b"aad")) == b"data"


def test_unknown_backend_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        Aes256Gcm(bytes(32), backend="rot13")


def test_default_backend() -> None:
    chosen = Aes256Gcm.generate().backend
    assert chosen == REGISTRY.chosen_name(CAPABILITY)
    if RUNTIME != "native" or os.environ.get("INFRA_PORTABLE_BLOCK_NATIVE") == "1":
        assert chosen == "pure"


# -- the seed's Cipher API: generate, seal, open ---------------------------------


@pytest.mark.parametrize("algorithm", sorted(CIPHERS))
def test_generate_seal_open(backend: str, algorithm: str) -> None:
    cls = CIPHERS[algorithm]
    first, second = cls.generate(backend=backend), cls.generate(backend=backend)
    assert len(first.key) == 32
    assert first.key != second.key
    assert first.key.hex() not in repr(first)
    sealed = first.seal(b"hello", b"ctx")
    assert len(sealed) == 12 + 5 + 16
    assert sealed[:12] != first.seal(b"hello", b"ctx")[:12]  # a fresh nonce each time
    assert first.open(sealed, b"ctx") == b"hello"
    assert first.decrypt(sealed[:12], sealed[12:], b"ctx") == b"hello"
    assert cls(first.key, backend=backend).open(sealed, b"ctx") == b"hello"
    with pytest.raises(CryptoError):
        second.open(sealed, b"ctx")
    assert first.open(first.seal(b"")) == b""


# -- async variants (WebCrypto for AES-GCM in Pyodide) ----------------------------


@pytest.mark.parametrize("algorithm", sorted(CIPHERS))
def test_async_matches_sync(run_async: RunAsync, algorithm: str) -> None:
    cls = CIPHERS[algorithm]
    cipher = cls(bytes(range(32)))  # no backend named: WebCrypto in Pyodide for AES-GCM
    nonce, plaintext, aad = bytes(range(12)), b"async payload" * 5, b"aad"
    expected = cls(bytes(range(32)), backend="pure").encrypt(nonce, plaintext, aad)

    async def scenario() -> None:
        assert await cipher.encrypt_async(nonce, plaintext, aad) == expected
        assert await cipher.decrypt_async(nonce, expected, aad) == plaintext
        sealed = await cipher.seal_async(plaintext, aad)
        assert await cipher.open_async(sealed, aad) == plaintext
        assert cipher.open(sealed, aad) == plaintext
        for bad in (_flip(expected, 0), _flip(expected, len(expected) - 1), expected[:10]):
            with pytest.raises(CryptoError) as excinfo:
                await cipher.decrypt_async(nonce, bad, aad)
            _assert_auth_failure(excinfo)
        with pytest.raises(CryptoError):
            await cipher.decrypt_async(nonce, expected, b"other aad")
        with pytest.raises(CryptoError):
            await cipher.open_async(bytes(27))
        with pytest.raises(ValidationError):
            await cipher.encrypt_async(bytes(8), plaintext)

    run_async(scenario())


@pytest.mark.pyodide_only(reason="WebCrypto is the browser's")
@pytest.mark.parametrize("vector", [v for v in VECTORS if v[0] == "aes-gcm"], ids=lambda v: v[1])
def test_webcrypto_known_answer(run_async: RunAsync, vector: tuple[str, ...]) -> None:
    from infra_portable.crypto import _aead_webcrypto as webcrypto

    assert webcrypto.available()
    _algorithm, _name, *hexes = vector
    key, nonce, aad, plaintext, ciphertext, tag = _hex(*hexes)

    async def scenario() -> None:
        js_key = await webcrypto.import_key(key)
        assert await webcrypto.encrypt(js_key, nonce, plaintext, aad) == ciphertext + tag
        assert await webcrypto.decrypt(js_key, nonce, ciphertext + tag, aad) == plaintext

    run_async(scenario())


# -- every backend agrees, on random inputs ---------------------------------------


@settings(max_examples=EXAMPLES)
@given(
    key=st.binary(min_size=32, max_size=32),
    nonce=st.binary(min_size=12, max_size=12),
    plaintext=st.binary(max_size=200),
    aad=st.binary(max_size=40),
)
def test_backends_agree(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> None:
    for cls in CIPHERS.values():
        outputs = {}
        for name in _available():
            cipher = cls(key, backend=name)
            outputs[name] = cipher.encrypt(nonce, plaintext, aad)
            assert cipher.decrypt(nonce, outputs[name], aad) == plaintext
        assert len(set(outputs.values())) == 1, outputs
        assert len(outputs["pure"]) == len(plaintext) + 16


@pytest.mark.pyodide_only(reason="WebCrypto is the browser's")
@settings(
    max_examples=EXAMPLES,
    # run_async is a plain function: nothing in it is reset between examples.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(
    key=st.binary(min_size=32, max_size=32),
    nonce=st.binary(min_size=12, max_size=12),
    plaintext=st.binary(max_size=200),
    aad=st.binary(max_size=40),
)
def test_webcrypto_agrees_with_pure(
    run_async: RunAsync, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes
) -> None:
    expected = Aes256Gcm(key, backend="pure").encrypt(nonce, plaintext, aad)
    cipher = Aes256Gcm(key)

    async def scenario() -> None:
        assert await cipher.encrypt_async(nonce, plaintext, aad) == expected
        assert await cipher.decrypt_async(nonce, expected, aad) == plaintext

    run_async(scenario())
