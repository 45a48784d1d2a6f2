#!/usr/bin/env python3
"""`reident.analyze` on an in-memory pyarrow Table against the CLI on the same Parquet file.

Side by side, alternating (both see the same machine load): the CLI's whole-process wall time
and peak RSS (`/usr/bin/time -v`; it reads the Parquet file itself), and the Python call on a
table already in memory (plain strings, as `pyarrow.parquet.read_table` gives them, and
dictionary-encoded strings). Then, each in a fresh process: the peak RSS of the Python process
before and after one call (`getrusage`), against the table's size, which shows whether the
columns were copied; and a pandas DataFrame's conversion cost (`pyarrow.Table.from_pandas`),
timed apart from the call (pandas' default string columns, pyarrow-backed in pandas 3, and
NumPy object columns).

    pip install ./python          # a release build of the extension (what pip builds)
    cargo build --release         # or give --cli /work/bin/reident-new
    python3 scripts/gen_scaled.py --rows 10000000 --out /work/bench-data/adult_10M.parquet
    python3 scripts/bench_python.py /work/bench-data/adult_10M.parquet --runs 5
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

QI = "sex,age,race,marital-status,education,native-country,workclass,occupation,salary-class"


def cli_run(cli, path):
    """(wall seconds, peak RSS KB, classes) of one CLI run."""
    p = subprocess.run(
        ["/usr/bin/time", "-v", cli, "--quiet", "analyze", path, "--qi", QI, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = kb = None
    for line in p.stderr.splitlines():
        if "Elapsed (wall clock)" in line:
            t = line.rsplit(": ", 1)[1].split(":")
            wall = float(t[-1]) + 60 * float(t[-2]) + (3600 * float(t[-3]) if len(t) > 2 else 0)
        if "Maximum resident set size" in line:
            kb = int(line.rsplit(": ", 1)[1])
    return wall, kb, json.loads(p.stdout)["classes"]["classes"]


def peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss_kb():
    return status_kb("VmRSS")


def reset_peak():
    """Resets the process's peak RSS (VmHWM) to its current RSS (Linux: clear_refs 5)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def child(kind, path):
    """One fresh process: load, then one call; prints JSON figures."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    import reident

    out = {"kind": kind}
    t0 = time.perf_counter()
    if kind == "dictionary":
        names = [f.name for f in pq.read_schema(path) if pa.types.is_string(f.type)]
        table = pq.read_table(path, read_dictionary=names)
    else:
        table = pq.read_table(path)
    out["load_s"] = time.perf_counter() - t0
    data = table
    if kind in ("pandas", "pandas-object"):
        data = table.to_pandas()
        if kind == "pandas-object":
            data = data.astype({c: object for c in data.columns if data[c].dtype != "int64"})
        del table
        t0 = time.perf_counter()
        converted = pa.Table.from_pandas(data, preserve_index=False)
        out["conversion_s"] = time.perf_counter() - t0
        out["converted_bytes"] = converted.nbytes
        del converted
        out["data_bytes"] = int(data.memory_usage(deep=True).sum())
    else:
        out["data_bytes"] = table.nbytes
    out["peak_before_kb"] = peak_kb()
    reset_peak()
    out["rss_before_kb"] = rss_kb()
    t0 = time.perf_counter()
    r = reident.analyze(data, qi=QI, no_scan=False)
    out["call_s"] = time.perf_counter() - t0
    out["peak_after_kb"] = peak_kb()
    out["peak_during_kb"] = status_kb("VmHWM")
    out["rss_after_kb"] = rss_kb()
    out["classes"] = r.classes
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("parquet")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cli", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "reident"))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        return child(a.child, a.parquet)

    import pyarrow as pa
    import pyarrow.parquet as pq

    import reident

    plain = pq.read_table(a.parquet)
    names = [f.name for f in plain.schema if pa.types.is_string(f.type)]
    dictionary = pq.read_table(a.parquet, read_dictionary=names)
    print(f"table: {plain.num_rows:,} rows, {plain.num_columns} columns, {plain.column(0).num_chunks} chunks, "
          f"{plain.nbytes / 2**20:.0f} MiB plain, {dictionary.nbytes / 2**20:.0f} MiB dictionary-encoded")
    reident.analyze(plain.slice(0, 100_000), qi=QI)  # warm-up (pool start, page faults)
    times = {"cli": [], "plain": [], "dictionary": []}
    for i in range(a.runs):
        wall, kb, classes = cli_run(a.cli, a.parquet)
        times["cli"].append(wall)
        line = f"run {i + 1}: CLI {wall:.2f} s ({kb / 1024:.0f} MiB peak)"
        for name, t in (("plain", plain), ("dictionary", dictionary)):
            t0 = time.perf_counter()
            r = reident.analyze(t, qi=QI)
            dt = time.perf_counter() - t0
            assert r.classes == classes, (r.classes, classes)
            times[name].append(dt)
            line += f" | python {name} {dt:.2f} s"
        print(line, flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    # The load of a shared machine swings from run to run: the ratio of each run's pair (the
    # same moment) is the fairer comparison; its median is the figure to quote.
    paired = {k: statistics.median(t / c for t, c in zip(times[k], times["cli"])) for k in ("plain", "dictionary")}
    print(f"median: CLI {med['cli']:.2f} s, python on the plain table {med['plain']:.2f} s "
          f"(ratio {med['plain'] / med['cli']:.2f}), dictionary-encoded {med['dictionary']:.2f} s "
          f"(ratio {med['dictionary'] / med['cli']:.2f})")
    print(f"median of the runs' ratios (python / CLI): plain {paired['plain']:.2f}, "
          f"dictionary-encoded {paired['dictionary']:.2f}")
    for kind in ("plain", "dictionary", "pandas", "pandas-object"):
        p = subprocess.run([sys.executable, __file__, a.parquet, "--child", kind],
                           capture_output=True, text=True, check=True)
        d = json.loads(p.stdout.strip().splitlines()[-1])
        mib = lambda kb: kb / 1024  # noqa: E731
        line = (f"{kind}: data {d['data_bytes'] / 2**20:.0f} MiB; RSS before the call "
                f"{mib(d['rss_before_kb']):.0f} MiB, peak during it {mib(d['peak_during_kb']):.0f} MiB "
                f"(+{mib(d['peak_during_kb'] - d['rss_before_kb']):.0f} MiB), after it "
                f"{mib(d['rss_after_kb']):.0f} MiB; process peak (getrusage) before "
                f"{mib(d['peak_before_kb']):.0f} MiB, after {mib(d['peak_after_kb']):.0f} MiB; "
                f"call {d['call_s']:.2f} s")
        if kind.startswith("pandas"):
            line += (f" (of which pyarrow.Table.from_pandas {d['conversion_s']:.2f} s, "
                     f"{d['converted_bytes'] / 2**20:.0f} MiB)")
        print(line, flush=True)


if __name__ == "__main__":
    main()
