"""Run every benchmark and print ops/s of ours vs the best peer measured in the same run.

    python benchmarks/run.py            # all groups
    python benchmarks/run.py --quick    # shorter timings (smoke test)
    python benchmarks/run.py json id    # only these modules (bench_<name>.py)

Targets are ratios (ours / best peer); a row says ``met`` or ``MISSED``. Results
depend on the machine: numbers are only comparable within one run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Group

HERE = Path(__file__).resolve().parent
MODULES = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=MODULES)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    args = parser.parse_args()

    groups: list[Group] = []
    for name in args.modules:
        module = importlib.import_module(f"bench_{name}")
        groups += module.run(args.quick)

    print(f"{'benchmark':44} {'ours ops/s':>14} {'best peer':>24} {'ratio':>7} {'target':>7}")
    rows = []
    for g in groups:
        _, ours = g.best_ours
        peer = g.best_peer
        peer_text = f"{peer[0]} {peer[1]:,.0f}" if peer else "-"
        ratio = g.ratio
        ratio_text = f"{ratio:.2f}x" if ratio is not None else "-"
        if g.target <= 0 or g.met is None:
            # A group without a peer (or without a ratio target) is for information.
            target_text, verdict = "    -", "info"
        else:
            target_text, verdict = f"{g.target:>5.1f}x", "met" if g.met else "MISSED"
        print(f"{g.name:44} {ours:>14,.0f} {peer_text:>24} {ratio_text:>7} {target_text} {verdict}")
        if g.note:
            print(f"    note: {g.note}")
        for name, value in {**g.ours, **g.peers}.items():
            print(f"    {name:40} {value:>14,.0f}")
        rows.append(
            {
                "name": g.name,
                "ours": g.ours,
                "peers": g.peers,
                "ratio": ratio,
                "target": g.target,
                "met": g.met,
            }
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
