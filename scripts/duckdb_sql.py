#!/usr/bin/env python3
"""Runs SQL statements in DuckDB, for the engine tests and scripts.

    python3 scripts/duckdb_sql.py --view adult=datasets/adult/adult.parquet --file query.sql

Each --view NAME=FILE.parquet becomes a view of that Parquet file; the file's statements (as
`reident sql --copy-to` prints them) then run in order in one in-memory database. --threads
limits DuckDB's threads (default 2). --time prints the wall time of the statements on stderr.
"""

import argparse
import sys
import time

try:
    import duckdb
except ImportError:
    sys.exit("the duckdb Python package is missing: pip install -r tests/requirements.txt")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--view", action="append", default=[], help="NAME=FILE.parquet")
    ap.add_argument("--file", required=True, help="SQL file ('-' for stdin)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--time", action="store_true")
    args = ap.parse_args()
    sql = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8").read()
    con = duckdb.connect(database=":memory:")
    con.execute(f"SET threads = {int(args.threads)}")
    for v in args.view:
        name, path = v.split("=", 1)
        con.execute(
            f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet(?)'.replace("?", "'" + path.replace("'", "''") + "'")
        )
    t0 = time.perf_counter()
    con.execute(sql)
    if args.time:
        print(f"duckdb: {time.perf_counter() - t0:.3f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
