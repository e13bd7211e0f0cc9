// Page side of tests/browser/run_pyodide.py. The Python driver calls
// `harness.start(stage, arg)` and then polls `harness.state[stage].done`, so a
// stage that hangs (or blocks this thread) is caught by Playwright's timeout
// instead of an `evaluate` that never returns.
//
// Console lines are tagged so the driver can tell them from browser noise:
//   "py:out|<text>"   Python stdout        "py:err|<text>"   Python stderr
//   "py:evt|<json>"   a harness event (test started, outcome) from the runner
import { fetchBytes, installWheels, listWheels, loadPyodideFrom } from "/browser/loader.mjs";

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

  async run({ runnerURL, args, env, projectDir }) {
    const runnerDir = "/tmp/infra_harness";
    pyodide.FS.mkdirTree(runnerDir);
    const source = new Uint8Array(await fetchBytes(runnerURL));
    pyodide.FS.writeFile(`${runnerDir}/_pyodide_runner.py`, source);
    const scope = pyodide.toPy({ ARGS: args, ENV: env, PROJECT_DIR: projectDir, RUNNER_DIR: runnerDir });
    try {
      // runPythonAsync enters Python through a promising call, so tests may block on
      // JS promises with pyodide.ffi.run_sync (JSPI) just as library code would.
      const result = await pyodide.runPythonAsync(
        [
          "import sys",
          "sys.path.insert(0, RUNNER_DIR)",
          "import _pyodide_runner",
          "_pyodide_runner.run_pytest(list(ARGS), dict(ENV), PROJECT_DIR)",
        ].join("\n"),
        { globals: scope },
      );
      const counts = result.toJs({ dict_converter: Object.fromEntries });
      result.destroy();
      return counts;
    } finally {
      scope.destroy();
    }
  },
};

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

const state = {};

function start(name, arg) {
  state[name] = { done: false };
  stages[name](arg).then(
    (value) => {
      state[name] = { done: true, ok: true, value };
    },
    (error) => {
      state[name] = { done: true, ok: false, error: String(error?.stack ?? error) };
    },
  );
}

window.harness = { start, state };
