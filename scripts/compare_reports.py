#!/usr/bin/env python3
"""Compares two `reident analyze --json` reports figure by figure, as tests/engines.rs does.

    python3 scripts/compare_reports.py raw.json classes.json

The fields that must differ between the raw file and a class table (dataset path, column count,
the class-table mark) are left out. Strings, booleans and integers must be equal; other numbers
equal to 1e-12 relative (sums whose order follows the order of the classes). Exit status 1 on
any difference, with the path of the first one.
"""

import json
import sys


def strip(doc):
    d = doc.get("dataset", {})
    for k in ("path", "columns", "class_table"):
        d.pop(k, None)
    return doc


def compare(a, b, at, stats):
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            raise SystemExit(f"keys differ at {at}: {list(a)} vs {list(b)}")
        for k in a:
            compare(a[k], b[k], f"{at}.{k}", stats)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            raise SystemExit(f"lengths differ at {at}: {len(a)} vs {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            compare(x, y, f"{at}[{i}]", stats)
    elif isinstance(a, float) or isinstance(b, float):
        if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
            raise SystemExit(f"differ at {at}: {a!r} vs {b!r}")
        stats["floats"] += 1
        tol = 1e-12 * max(abs(a), abs(b), 1.0)
        if abs(a - b) > tol:
            raise SystemExit(f"differ at {at}: {a!r} vs {b!r}")
        if a != b:
            stats["inexact"] += 1
    else:
        stats["other"] += 1
        if a != b or type(a) is not type(b):
            raise SystemExit(f"differ at {at}: {a!r} vs {b!r}")


def main():
    a, b = (strip(json.load(open(p))) for p in sys.argv[1:3])
    stats = {"floats": 0, "inexact": 0, "other": 0}
    compare(a, b, "report", stats)
    print(
        f"equal: {stats['other']} exact values and {stats['floats']} floats compared, "
        f"{stats['inexact']} floats differ in the last digits (summation order)"
    )


if __name__ == "__main__":
    main()
