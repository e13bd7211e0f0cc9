// Load Pyodide from a served dist folder and install pure-Python wheels into it,
// without micropip: micropip resolves through Pyodide's CDN, and this loader must
// work offline from files served next to the page (the demo and the test harness
// both use it).

/** Start Pyodide from `indexURL` (a folder holding pyodide.mjs, pyodide.asm.wasm...). */
export async function loadPyodideFrom(indexURL, { stdout, stderr } = {}) {
  const base = new URL(indexURL, location.href).href;
  const { loadPyodide } = await import(new URL("pyodide.mjs", base).href);
  return await loadPyodide({ indexURL: base, stdout, stderr });
}

/** The wheel URLs listed, in install order, by `<wheelsURL>/index.json`. */
export async function listWheels(wheelsURL) {
  const base = new URL(wheelsURL, location.href);
  const names = await (await fetchOk(new URL("index.json", base))).json();
  return names.map((name) => new URL(name, base).href);
}

/** Unpack each wheel into site-packages; returns the installed file names. */
export async function installWheels(pyodide, wheelURLs) {
  const sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
  // Download in parallel; unpack in order (unpacking is synchronous and quick).
  const buffers = await Promise.all(wheelURLs.map(fetchBytes));
  wheelURLs.forEach((url, i) => {
    pyodide.unpackArchive(buffers[i], "wheel", { extractDir: sitePackages });
  });
  // New files on sys.path: drop the import system's stale directory listings.
  pyodide.runPython("import importlib; importlib.invalidate_caches()");
  return wheelURLs.map((url) => new URL(url).pathname.split("/").pop());
}

/** Fetch `url` as an ArrayBuffer, failing loudly on an HTTP error. */
export async function fetchBytes(url) {
  return await (await fetchOk(url)).arrayBuffer();
}

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`GET ${url}: HTTP ${response.status}`);
  }
  return response;
}
