#!/usr/bin/env python3
"""Baseline: DuckDB doing the GROUP BY that `reident analyze --qi <all 9 columns>` does.

Usage:
    python3 scripts/bench_duckdb.py FILE.parquet [--threads 2] [--runs 3]
    /usr/bin/time -v python3 scripts/bench_duckdb.py FILE.parquet --once   # one run, for peak RSS

The query groups the Parquet file by all quasi-identifiers (default: the 9 Adult columns
sex, age, race, marital-status, education, native-country, workclass, occupation,
salary-class) and reports
  * classes  - the number of equivalence classes,
  * k        - the size of the smallest class,
  * uniques  - the number of records in classes of size 1,
  * records  - the total number of records (sanity check).

Timing is the wall time of executing the query and fetching its one-row result, in a
fresh in-memory DuckDB connection (Parquet metadata is not cached across runs by
default). Without --once it runs --runs times (default 3) and prints the first run and
the best run. The process' own peak RSS (getrusage) is printed too; under --once it is
what `/usr/bin/time -v` reports as "Maximum resident set size".
"""

import argparse
import os
import resource
import sys
import time

import duckdb

ADULT_QI = [
    "sex",
    "age",
    "race",
    "marital-status",
    "education",
    "native-country",
    "workclass",
    "occupation",
    "salary-class",
]


def quote_ident(name):
    return '"' + name.replace('"', '""') + '"'


def build_query(columns):
    cols = ", ".join(quote_ident(c) for c in columns)
    return f"""
        WITH classes AS (
            SELECT count(*) AS n
            FROM read_parquet($file)
            GROUP BY {cols}
        )
        SELECT count(*)                                   AS classes,
               min(n)                                     AS k,
               coalesce(sum(n) FILTER (WHERE n = 1), 0)   AS uniques,
               coalesce(sum(n), 0)                        AS records
        FROM classes
    """


def run_once(path, query, threads, memory_limit):
    con = duckdb.connect(database=":memory:")
    con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    t0 = time.perf_counter()
    row = con.execute(query, {"file": path}).fetchone()
    elapsed = time.perf_counter() - t0
    con.close()
    return row, elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", help="Parquet file")
    ap.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    ap.add_argument("--runs", type=int, default=3, help="number of runs (default 3)")
    ap.add_argument("--once", action="store_true", help="a single run (for /usr/bin/time -v)")
    ap.add_argument("--qi", default=",".join(ADULT_QI), help="comma-separated quasi-identifiers (default: the 9 Adult columns)")
    ap.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 8GB (default: DuckDB's own)")
    args = ap.parse_args()

    if not os.path.exists(args.file):
        sys.exit(f"no such file: {args.file}")
    runs = 1 if args.once else max(1, args.runs)
    query = build_query([c for c in args.qi.split(",") if c])

    times = []
    result = None
    for _ in range(runs):
        row, elapsed = run_once(args.file, query, args.threads, args.memory_limit)
        if result is not None and row != result:
            sys.exit(f"runs disagree: {result} vs {row}")
        result = row
        times.append(elapsed)

    classes, k, uniques, records = result
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"file:     {args.file}")
    print(f"duckdb:   {duckdb.__version__}, threads={args.threads}")
    print(f"records:  {records:,}")
    print(f"classes:  {classes:,}")
    print(f"k:        {k}")
    print(f"uniques:  {uniques:,}")
    if args.once:
        print(f"time:     {times[0]:.3f} s (single run)")
    else:
        print(f"time:     best {min(times):.3f} s, first {times[0]:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in times)})")
    print(f"peak RSS: {peak_kib / 1024:.0f} MiB (this process)")


if __name__ == "__main__":
    main()
