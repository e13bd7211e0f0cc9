"""WebCrypto vs pure Python for infra_portable.crypto, measured inside Pyodide in Chromium.

    python benchmarks/browser_crypto.py [--quick] [--json FILE] [--timeout SECONDS]

Builds the library's wheel, serves it with the pinned Pyodide on 127.0.0.1, opens a
page in headless Chromium (browser/_assets.py's helpers, as browser/serve.py does),
and runs this same file inside Pyodide: for each operation it times the ``*_async``
method (WebCrypto, awaited in a loop inside one coroutine under ``runPythonAsync``'s
top-level await) against the sync call (the registry's backend: ``pure`` in the
browser; for SHA-256 that is ``hashlib``, whose HACL* C code is compiled into
Pyodide). Each figure is the best of 3 timed loops of at least 0.2 s (0.05 s with
--quick) after a calibration run. Before timing, each WebCrypto result is checked
against the sync path (same bytes, or a signature the other path verifies).

Prints ``operation, webcrypto ops/s, pure ops/s, webcrypto/pure`` and, with --json,
writes the same rows plus the versions and settings. The last note line gives the
cost floor of the async path: a loop awaiting an already-resolved JS promise.
"""

from __future__ import annotations

import sys
from typing import Any

if sys.platform != "emscripten":  # the host side; inside Pyodide only the bench code runs
    import argparse
    import json
    from collections.abc import Sequence
    from pathlib import Path

    # The shared helpers live in browser/_assets.py; importing them must not leave a
    # __pycache__ in the repo.
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))

    from _assets import (  # (after the two lines above, on purpose)
        BROWSER_DIR,
        AssetError,
        AssetServer,
        Chromium,
        PhaseTimer,
        build_library_wheel,
        ensure_pyodide,
        log,
        serve_wheels,
    )

MIN_TIME_S = 0.2
QUICK_MIN_TIME_S = 0.05
REPEATS = 3
DEFAULT_TIMEOUT_S = 240
PAGE_MODULE = "browser_crypto_page"  # this file's name inside Pyodide

# =========================================================================================
# Inside Pyodide
# =========================================================================================


async def _loop_async(fn: Any, n: int) -> float:
    import time

    start = time.perf_counter()
    for _ in range(n):
        await fn()
    return time.perf_counter() - start


async def _loop_sync(fn: Any, n: int) -> float:
    import time

    start = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - start


async def _measure(fn: Any, is_async: bool, min_time: float) -> tuple[float, int]:
    """(best ops/s of REPEATS loops of >= min_time seconds, iterations per loop)."""
    loop = _loop_async if is_async else _loop_sync
    n = 1
    while True:  # calibration (and warm-up: key imports are cached on first use)
        elapsed = await loop(fn, n)
        if elapsed >= min_time:
            break
        scaled = int(n * min_time * 1.1 / elapsed) + 1 if elapsed > 0 else n * 10
        n = min(max(n * 2, scaled), n * 100)
    best = 0.0
    for _ in range(REPEATS):
        elapsed = await loop(fn, n)
        best = max(best, n / elapsed)
    return best, n


async def _rsa_private_key() -> Any:
    """An RSA-2048 key made by WebCrypto (pure-Python generation takes far too long)."""
    import json

    import js
    from pyodide.ffi import to_js

    from infra_portable.crypto import RsaPrivateKey

    algorithm = to_js(
        {
            "name": "RSASSA-PKCS1-v1_5",
            "modulusLength": 2048,
            "publicExponent": js.Uint8Array.new(to_js([1, 0, 1])),
            "hash": "SHA-256",
        },
        dict_converter=js.Object.fromEntries,
    )
    pair = await js.crypto.subtle.generateKey(algorithm, True, to_js(["sign", "verify"]))
    jwk = json.loads(js.JSON.stringify(await js.crypto.subtle.exportKey("jwk", pair.privateKey)))
    return RsaPrivateKey.from_jwk(
        {k: jwk[k] for k in ("kty", "n", "e", "d", "p", "q", "dp", "dq", "qi")}
    )


async def _operations() -> list[dict[str, Any]]:
    """Each operation's two callables, checked to agree, and whether WebCrypto is used."""
    import os

    from infra_portable import crypto
    from infra_portable.crypto import _eddsa_webcrypto, _hash_webcrypto, _pkey_base

    data_1k = os.urandom(1024)
    data_64 = os.urandom(64)
    message = b"a 64-byte message to sign, roughly a JWS signing input: x.y.z!!"
    nonce, aad = os.urandom(12), b"header"
    ops: list[dict[str, Any]] = []

    # SHA-256 of 1 KB
    sync_sha = crypto.digest(data_1k, "sha256")
    assert await crypto.digest_async(data_1k, "sha256") == sync_sha
    ops.append(
        {
            "operation": "SHA-256 1 KB",
            "webcrypto": lambda: crypto.digest_async(data_1k, "sha256"),
            "pure": lambda: crypto.digest(data_1k, "sha256"),
            "sync_backend": "hashlib (HACL* C in wasm)",
            "webcrypto_used": _hash_webcrypto.uses_webcrypto(),
        }
    )

    # AES-256-GCM encrypt (the nonce is reused: fine for timing, never for real data)
    cipher = crypto.Aes256Gcm(os.urandom(32))
    for size, pt in (("1 KB", data_1k), ("64 B", data_64)):
        expected = cipher.encrypt(nonce, pt, aad)
        assert await cipher.encrypt_async(nonce, pt, aad) == expected
        ops.append(
            {
                "operation": f"AES-256-GCM encrypt {size}",
                "webcrypto": lambda pt=pt: cipher.encrypt_async(nonce, pt, aad),
                "pure": lambda pt=pt: cipher.encrypt(nonce, pt, aad),
                "sync_backend": cipher.backend,
                "webcrypto_used": cipher._use_webcrypto(),
            }
        )

    # Ed25519 (deterministic: both paths give the same signature)
    ed_private = crypto.Ed25519PrivateKey.generate()
    ed_public = ed_private.public_key()
    ed_sig = ed_private.sign(message)
    assert await ed_private.sign_async(message) == ed_sig
    await ed_public.verify_async(ed_sig, message)
    ed_webcrypto = await _eddsa_webcrypto.available()
    ops.append(
        {
            "operation": "Ed25519 sign",
            "webcrypto": lambda: ed_private.sign_async(message),
            "pure": lambda: ed_private.sign(message),
            "sync_backend": ed_private.backend,
            "webcrypto_used": ed_webcrypto,
        }
    )
    ops.append(
        {
            "operation": "Ed25519 verify",
            "webcrypto": lambda: ed_public.verify_async(ed_sig, message),
            "pure": lambda: ed_public.verify(ed_sig, message),
            "sync_backend": ed_public.backend,
            "webcrypto_used": ed_webcrypto,
        }
    )

    # ECDSA P-256 (randomised nonces in WebCrypto: check each path verifies the other's)
    pkey_backend = _pkey_base.resolve_backend(None).name
    pkey_webcrypto = _pkey_base.uses_webcrypto(None)
    ec_private = crypto.EcdsaP256PrivateKey.generate()
    ec_public = ec_private.public_key()
    ec_sig = ec_private.sign(message)
    await ec_public.verify_async(ec_sig, message)
    ec_public.verify(await ec_private.sign_async(message), message)
    ops.append(
        {
            "operation": "ECDSA P-256 sign",
            "webcrypto": lambda: ec_private.sign_async(message),
            "pure": lambda: ec_private.sign(message),
            "sync_backend": pkey_backend,
            "webcrypto_used": pkey_webcrypto,
        }
    )
    ops.append(
        {
            "operation": "ECDSA P-256 verify",
            "webcrypto": lambda: ec_public.verify_async(ec_sig, message),
            "pure": lambda: ec_public.verify(ec_sig, message),
            "sync_backend": pkey_backend,
            "webcrypto_used": pkey_webcrypto,
        }
    )

    # RSA-2048 PKCS#1 v1.5 verify (deterministic signature: both paths agree)
    rsa_private = await _rsa_private_key()
    rsa_public = rsa_private.public_key()
    rsa_sig = rsa_private.sign_pkcs1v15(message)
    assert await rsa_private.sign_pkcs1v15_async(message) == rsa_sig
    await rsa_public.verify_pkcs1v15_async(rsa_sig, message)
    rsa_public.verify_pkcs1v15(rsa_sig, message)
    ops.append(
        {
            "operation": "RSA-2048 PKCS#1 v1.5 verify",
            "webcrypto": lambda: rsa_public.verify_pkcs1v15_async(rsa_sig, message),
            "pure": lambda: rsa_public.verify_pkcs1v15(rsa_sig, message),
            "sync_backend": pkey_backend,
            "webcrypto_used": pkey_webcrypto,
        }
    )
    return ops


async def run_in_pyodide(config_json: str) -> str:
    """The benchmark, run inside Pyodide; returns its results as JSON."""
    import json
    import sys

    import js

    config = json.loads(config_json)
    min_time = float(config["min_time"])
    ops = await _operations()
    results = []
    for op in ops:
        webcrypto, webcrypto_n = await _measure(op["webcrypto"], True, min_time)
        pure, pure_n = await _measure(op["pure"], False, min_time)
        row = {
            "operation": op["operation"],
            "webcrypto_ops_per_s": round(webcrypto, 1),
            "pure_ops_per_s": round(pure, 1),
            "ratio": round(webcrypto / pure, 3),
            "sync_backend": op["sync_backend"],
            "webcrypto_used": op["webcrypto_used"],
            "iterations": {"webcrypto": webcrypto_n, "pure": pure_n},
        }
        print(
            f"{row['operation']}: webcrypto {webcrypto:,.0f}/s ({webcrypto_n} per loop), "
            f"{row['sync_backend']} {pure:,.0f}/s ({pure_n} per loop)",
            flush=True,
        )
        results.append(row)
    # The async path's floor: one await of an already-resolved JS promise per iteration.
    floor, _ = await _measure(lambda: js.Promise.resolve(0), True, min_time)
    return json.dumps(
        {
            "python": sys.version.split()[0],
            "results": results,
            "await_resolved_promise_ops_per_s": round(floor, 1),
        }
    )


# =========================================================================================
# On the host
# =========================================================================================

PAGE_HTML = """<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>infra_portable crypto benchmark</title>
<script type="module">
import { installWheels, listWheels, loadPyodideFrom } from "/browser/loader.mjs";

const RUN = `
import sys
sys.path.insert(0, MODULE_DIR)
import @MODULE@
await @MODULE@.run_in_pyodide(CONFIG)
`;
let pyodide = null;

window.bench = {
  async load() {
    pyodide = await loadPyodideFrom("/pyodide/");
    pyodide.setStdout({ batched: (line) => console.log("py:out|" + line) });
    pyodide.setStderr({ batched: (line) => console.log("py:err|" + line) });
    return pyodide.version;
  },
  async install() {
    return await installWheels(pyodide, await listWheels("/wheels/"));
  },
  async run({ moduleURL, config }) {
    const dir = "/tmp/bench";
    pyodide.FS.mkdirTree(dir);
    const response = await fetch(moduleURL);
    if (!response.ok) throw new Error(`GET ${moduleURL}: HTTP ${response.status}`);
    pyodide.FS.writeFile(`${dir}/@MODULE@.py`, await response.text());
    const scope = pyodide.toPy({ MODULE_DIR: dir, CONFIG: config });
    try {
      return await pyodide.runPythonAsync(RUN, { globals: scope });
    } finally {
      scope.destroy();
    }
  },
};
window.benchReady = true;
</script>
""".replace("@MODULE@", PAGE_MODULE)

COLUMNS = ("operation", "webcrypto ops/s", "pure ops/s", "webcrypto/pure")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="browser_crypto.py", description=__doc__.split("\n")[0] if __doc__ else None
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"loops of {QUICK_MIN_TIME_S} s instead of {MIN_TIME_S} s",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help=f"wall-clock budget for the browser part (default {DEFAULT_TIMEOUT_S} s)",
    )
    return parser.parse_args(argv)


def _print_console(message: Any) -> None:
    tag, sep, rest = message.text.partition("|")
    if sep and tag in {"py:out", "py:err"}:
        log(f"pyodide: {rest}")
    elif message.type in {"error", "warning"}:
        log(f"[browser {message.type}] {message.text}")


def run_in_browser(
    server: AssetServer, config: dict[str, Any], timeout_s: float, timer: PhaseTimer
) -> dict[str, Any]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, Chromium() as chromium:
        # The hard limit: a sync loop spinning the page's main thread stalls every
        # Playwright wait, but killing the browser ends them (see Chromium).
        watchdog = chromium.kill_after(timeout_s)
        try:
            with timer.phase("browser start"):
                browser = chromium.connect(playwright)
                page = browser.contexts[0].new_page()
                page.on("console", _print_console)
                page.on("pageerror", lambda error: log(f"page error: {error}"))
                page.goto(server.url + "bench/index.html")
                page.wait_for_function("() => window.benchReady === true")
            with timer.phase("pyodide load"):
                pyodide_version = page.evaluate("() => window.bench.load()")
            with timer.phase("install"):
                installed = page.evaluate("() => window.bench.install()")
            log(
                f"pyodide {pyodide_version}, chromium {browser.version}, installed {', '.join(installed)}"
            )
            with timer.phase("benchmark"):
                raw = page.evaluate(
                    "(arg) => window.bench.run(arg)",
                    {"moduleURL": "/bench/browser_crypto.py", "config": json.dumps(config)},
                )
        except PlaywrightError as exc:
            if chromium.killed.is_set():
                raise AssetError(
                    f"timed out after {timeout_s:.0f}s; the browser was killed"
                ) from exc
            raise
        finally:
            watchdog.cancel()
    document: dict[str, Any] = json.loads(raw)
    document["pyodide"] = pyodide_version
    document["chromium"] = browser.version
    return document


def format_table(results: list[dict[str, Any]]) -> str:
    rows = [COLUMNS]
    for row in results:
        name = row["operation"]
        if not row["webcrypto_used"]:
            name += " (NO WebCrypto: fell back)"
        rows.append(
            (
                name,
                f"{row['webcrypto_ops_per_s']:,.0f}",
                f"{row['pure_ops_per_s']:,.0f}",
                f"{row['ratio']:.2f}x",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = []
    for i, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    min_time = QUICK_MIN_TIME_S if args.quick else MIN_TIME_S
    config = {"min_time": min_time}
    timer = PhaseTimer()
    try:
        with timer.phase("assets"):
            dist = ensure_pyodide()
            wheel = build_library_wheel()
        with AssetServer() as server:  # 127.0.0.1, a free port
            server.add_dir("/pyodide/", dist)
            server.add_file("/browser/loader.mjs", BROWSER_DIR / "loader.mjs")
            server.add_file("/bench/index.html", PAGE_HTML.encode())
            server.add_file("/bench/browser_crypto.py", Path(__file__).resolve())
            serve_wheels(server, [wheel])
            document = run_in_browser(server, config, args.timeout, timer)
    except Exception as exc:  # one clear line rather than a Playwright traceback
        log(f"FAILED: {type(exc).__name__}: {exc}")
        return 1
    log(timer.summary())
    document.update({"quick": args.quick, "min_time_s": min_time, "repeats": REPEATS})
    sync_backends = sorted({row["sync_backend"] for row in document["results"]})
    print(
        f"\ninfra_portable.crypto in Pyodide {document['pyodide']} (Python {document['python']}), "
        f"Chromium {document['chromium']}; best of {REPEATS} loops of >= {min_time} s"
    )
    print(format_table(document["results"]))
    print(
        f"\npure = the sync call's backend here: {', '.join(sync_backends)}. "
        f"Async floor (await of a resolved JS promise): "
        f"{document['await_resolved_promise_ops_per_s']:,.0f}/s."
    )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        log(f"wrote {args.json}")
    fallbacks = [row["operation"] for row in document["results"] if not row["webcrypto_used"]]
    if fallbacks:
        log(f"WARNING: no WebCrypto for {', '.join(fallbacks)}: the async path fell back")
    return 0


if __name__ == "__main__":
    sys.exit(main())
