// Page side of tests/browser/run_pyodide.py: the driver awaits each stage in turn
// (`harness.load`, `harness.install`, `harness.run`) with page.evaluate. pytest runs
// on this page's main thread, like a user's page would run the library; a test that
// hangs it is cut off by the driver killing the browser at the deadline.
//
// Console lines are tagged so the driver can tell them from browser noise:
//   "py:out|<text>"   Python stdout        "py:err|<text>"   Python stderr
//   "py:evt|<json>"   a harness event (test started, outcome) from the runner
import { fetchBytes, installWheels, listWheels, loadPyodideFrom } from "/browser/loader.mjs";

const RUN_PYTEST = `
import sys
sys.path.insert(0, RUNNER_DIR)
import _pyodide_runner
_pyodide_runner.run_pytest(list(ARGS), dict(ENV), PROJECT_DIR)
`;

let pyodide = null;

const stages = {
  async load({ indexURL }) {
    pyodide = await loadPyodideFrom(indexURL);
    // Raw writes, not Pyodide's line batching: pytest's progress dots arrive as written.
    pyodide.setStdout({ write: streamTo("py:out") });
    pyodide.setStderr({ write: streamTo("py:err") });
    return pyodide.version;
  },

  async install({ wheelsURL, testsZipURL, projectDir }) {
    const installed = await installWheels(pyodide, await listWheels(wheelsURL));
    // The suite is copied into the in-memory FS unchanged (pyproject.toml + tests/...).
    pyodide.unpackArchive(await fetchBytes(testsZipURL), "zip", { extractDir: projectDir });
    return installed;
  },

  async run({ modules, args, env, projectDir }) {
    // The runner and the shared counting plugin, importable from one folder.
    const runnerDir = "/tmp/infra_harness";
    pyodide.FS.mkdirTree(runnerDir);
    for (const [name, url] of Object.entries(modules)) {
      pyodide.FS.writeFile(`${runnerDir}/${name}`, new Uint8Array(await fetchBytes(url)));
    }
    const scope = pyodide.toPy({
      ARGS: args,
      ENV: env,
      PROJECT_DIR: projectDir,
      RUNNER_DIR: runnerDir,
    });
    try {
      // runPythonAsync enters Python through a promising call, so tests may block on
      // JS promises with pyodide.ffi.run_sync (JSPI) just as library code would.
      const running = pyodide.runPythonAsync(RUN_PYTEST, { globals: scope });
      const result = await unlessPyodideDies(running);
      const counts = result.toJs({ dict_converter: Object.fromEntries });
      result.destroy();
      return counts;
    } finally {
      try {
        scope.destroy();
      } catch {
        // Pyodide failed fatally and refuses every call: keep the run's own error.
      }
    }
  },
};

/**
 * `promise`, or a rejection once Pyodide has failed fatally (a JS stack overflow in
 * deep recursion, say): such a failure can leave the pending Python call unsettled
 * forever. The check runs on a timer, so only while Python is not running, which is
 * exactly when a dead Pyodide would leave the run hanging.
 */
function unlessPyodideDies(promise) {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (pyodideIsDead()) {
        reject(new Error("Pyodide failed fatally (its error is in the console above)"));
      }
    }, 500);
    promise.then(resolve, reject).finally(() => clearInterval(timer));
  });
}

/** After a fatal error Pyodide turns each API method into a getter that throws. */
function pyodideIsDead() {
  const descriptor = Object.getOwnPropertyDescriptor(pyodide, "runPython");
  return typeof descriptor?.get === "function";
}

/** A Pyodide raw-write handler forwarding decoded text to the console under `tag`. */
function streamTo(tag) {
  const decoder = new TextDecoder();
  return (bytes) => {
    // stream: true keeps a UTF-8 sequence split across two writes intact.
    const text = decoder.decode(bytes, { stream: true });
    if (text) {
      console.log(`${tag}|${text}`);
    }
    return bytes.length;
  };
}

window.harness = stages;
