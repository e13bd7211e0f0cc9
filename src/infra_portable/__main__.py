"""``python -m infra_portable doctor [--json]``: report the runtime and capabilities."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra_portable")
    sub = parser.add_subparsers(dest="command", required=True)
    doc = sub.add_parser("doctor", help="which runtime, which implementation per capability")
    doc.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    if args.command == "doctor":
        from infra_portable.runtime import doctor

        report = doctor()
        if args.json:
            import json

            print(json.dumps(report.to_dict(), indent=2))
        else:
            print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
