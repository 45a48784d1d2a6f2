#!/usr/bin/env python3
"""Runs SQL statements in a local Apache Spark (pyspark, Java 17), for scripts/spark_e2e.sh.

    python3 scripts/spark_sql.py --view adult=datasets/adult/adult.parquet --file a.sql --file b.sql

Each --view NAME=PATH becomes a temporary view of that Parquet file; each --file holds one
statement (as `reident sql --dialect spark --copy-to DIR` prints it), run in order in one Spark
session (its start-up takes most of the time). Prints the wall time of each statement.
"""

import argparse
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--view", action="append", default=[], help="NAME=FILE.parquet")
    ap.add_argument("--file", action="append", default=[], help="SQL file (repeatable)")
    ap.add_argument("--cores", default="2")
    ap.add_argument("--memory", default="4g", help="driver memory (local mode)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(f"local[{args.cores}]")
        .appName("reident-e2e")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", args.memory)
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    print(f"spark {spark.version}: session started in {time.perf_counter() - t0:.1f} s", flush=True)
    for v in args.view:
        name, path = v.split("=", 1)
        spark.read.parquet(os.path.abspath(path)).createOrReplaceTempView(name)
    for f in args.file:
        # spark.sql() takes one statement without the `;` that spark-sql's shell wants.
        sql = open(f, encoding="utf-8").read().strip().rstrip(";")
        t = time.perf_counter()
        spark.sql(sql).collect()
        print(f"spark: {os.path.basename(f)} {time.perf_counter() - t:.2f} s", flush=True)
    spark.stop()


if __name__ == "__main__":
    sys.exit(main())
