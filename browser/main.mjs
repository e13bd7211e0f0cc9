// The demo page: load Pyodide, install infra_portable's wheel (no micropip, no CDN:
// both come from the server that serves this page), print the doctor report, and
// offer a small interactive infra_portable.json example.
//
// Where things are fetched from can be changed with query parameters:
//   index.html?pyodide=<Pyodide dist folder URL>&wheels=<folder with index.json>
import { installWheels, listWheels, loadPyodideFrom } from "./loader.mjs";

const params = new URLSearchParams(location.search);
const PYODIDE_URL = params.get("pyodide") ?? "./pyodide/";
const WHEELS_URL = params.get("wheels") ?? "./wheels/";

const statusLine = document.querySelector("#status");
const doctorOut = document.querySelector("#doctor");
const jsonIn = document.querySelector("#json-in");
const jsonButton = document.querySelector("#json-format");
const jsonOut = document.querySelector("#json-out");

// Guarded: the json module may be missing from an older wheel; the doctor is enough.
const FORMAT_JSON = `
def format_json(text):
    try:
        from infra_portable import json as ip_json
    except ImportError as exc:
        return False, f"infra_portable.json is not in this build: {exc}"
    try:
        return True, ip_json.dumps(ip_json.loads(text), pretty=True)
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
`;

function show(element, text, state) {
  element.textContent = text;
  element.dataset.state = state;
}

async function printDoctor(pyodide) {
  const lines = [];
  pyodide.setStdout({ batched: (line) => lines.push(line) });
  try {
    // runPythonAsync lets capability probes wait on JS promises (JSPI) if they need to.
    await pyodide.runPythonAsync("import infra_portable\nprint(infra_portable.doctor())");
  } finally {
    pyodide.setStdout();
  }
  return lines.join("\n");
}

function enableJsonExample(pyodide) {
  const scope = pyodide.globals.get("dict")();
  pyodide.runPython(FORMAT_JSON, { globals: scope });
  const formatJson = scope.get("format_json");
  jsonButton.addEventListener("click", () => {
    const result = formatJson(jsonIn.value);
    const [ok, text] = result.toJs();
    result.destroy();
    show(jsonOut, text, ok ? "done" : "error");
  });
  jsonButton.disabled = false;
}

async function main() {
  statusLine.textContent = "Loading Pyodide…";
  const pyodide = await loadPyodideFrom(PYODIDE_URL);
  statusLine.textContent = "Installing infra_portable…";
  const wheels = await installWheels(pyodide, await listWheels(WHEELS_URL));
  show(doctorOut, await printDoctor(pyodide), "done");
  enableJsonExample(pyodide);
  statusLine.textContent = `Ready: Pyodide ${pyodide.version}, ${wheels.join(", ")}.`;
}

main().catch((error) => {
  statusLine.textContent = "Failed.";
  show(doctorOut, String(error?.stack ?? error), "error");
});
