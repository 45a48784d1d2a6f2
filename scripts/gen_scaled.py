#!/usr/bin/env python3
"""Generate a scaled-up Adult data set as Parquet, plus matching ARX hierarchies.

Used for benchmarks only; the generated files are NOT committed.

Usage:
    python3 scripts/gen_scaled.py --rows 10000000 --out /work/bench-data/adult_10M.parquet
    python3 scripts/gen_scaled.py --rows 100000000 --out /work/bench-data/adult_100M.parquet --seed 7

Inputs (override with --source):
    <source>/adult.csv            30,162 rows, ';'-separated, CRLF, header
                                  sex;age;race;marital-status;education;native-country;
                                  workclass;occupation;salary-class
    <source>/hierarchy_<col>.csv  ARX hierarchies: no header, ';'-separated, column 0 the
                                  original value, column i its generalization at level i

Generation rule
---------------
The output rows are the concatenation of "copies" of the original data, truncated to
--rows:

  * copy 0 is the original 30,162 rows, unchanged and in file order;
  * every further copy c >= 1 is the original rows, each record perturbed independently:
      - age += d, d uniform in {-2, ..., 2}, then clipped to 1..100 (the range covered by
        the age hierarchy; Adult's ages are 17..90 so the clip never actually bites);
      - exactly ONE of the 8 string columns, chosen uniformly, gets the suffix "~v", with
        v uniform in {1, 2, 3, 4} (e.g. "Private" -> "Private~3").

Every perturbation is drawn relative to the original record (perturbations do not
accumulate across copies), so the set of distinct 9-column tuples is bounded
(<= 30,162 * 5 * (1 + 8*4) originals x age shifts x suffix choices): the number of
equivalence classes keeps growing with the row count but saturates, and the classes
themselves keep growing.

Randomness: row group g (rows [g*R, (g+1)*R), R = --row-group-size) uses
numpy.random.default_rng([seed, g]), so the output is deterministic for a given seed
and a file with fewer rows is a prefix of one with more rows (same seed, same R).

Output
------
  * the Parquet file: the same 9 columns in the same order; `age` int64, the 8 others
    plain Arrow strings (utf8), which pyarrow dictionary-encodes in Parquet by default;
    snappy compression; one row group per --row-group-size rows (default 1,000,000), so
    a 10M-row file has 10 row groups and can be read in parallel. Written row group by
    row group: memory stays bounded whatever --rows is.
  * next to it, the folder <stem>_hierarchies/ (e.g. adult_10M_hierarchies/) with
    hierarchy_<col>.csv for all 9 columns in ARX format (no header, ';', '\\n'):
      - age: a copy of the original hierarchy (covers 1..100);
      - string columns: each original line "X;g1;...;gn" followed by the lines
        "X~v;g1;...;gn" for v = 1..4, i.e. X~v has exactly the same generalizations as X
        at every level >= 1, and the hierarchy keeps the original depth. Every value
        that can appear in the generated data is covered.
"""

import argparse
import os
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

DEFAULT_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datasets", "adult")
DEFAULT_SEED = 20240601
COLUMNS = [
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
STRING_COLUMNS = [c for c in COLUMNS if c != "age"]
N_SUFFIX = 4  # v in {1, ..., N_SUFFIX}
AGE_DELTA = 2  # d in {-AGE_DELTA, ..., AGE_DELTA}
AGE_MIN, AGE_MAX = 1, 100


def read_hierarchy(path):
    """ARX hierarchy -> list of rows (lists of strings). Tolerates CRLF and a missing final newline."""
    rows = []
    with open(path, "r", encoding="utf-8", newline="") as f:
        for line in f.read().splitlines():
            if line == "":
                continue
            rows.append(line.split(";"))
    return rows


def write_hierarchy(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(";".join(r))
            f.write("\n")


def load_source(source):
    """Returns (ages int64 ndarray, {col: (codes int32 ndarray, dictionary list)}, hierarchies)."""
    table = pacsv.read_csv(
        os.path.join(source, "adult.csv"),
        parse_options=pacsv.ParseOptions(delimiter=";"),
        convert_options=pacsv.ConvertOptions(
            column_types={c: (pa.int64() if c == "age" else pa.string()) for c in COLUMNS},
            strings_can_be_null=False,
        ),
    )
    if table.column_names != COLUMNS:
        sys.exit(f"unexpected header in adult.csv: {table.column_names}")
    hierarchies = {c: read_hierarchy(os.path.join(source, f"hierarchy_{c}.csv")) for c in COLUMNS}

    ages = table.column("age").to_numpy()
    if ages.min() < AGE_MIN or ages.max() > AGE_MAX:
        sys.exit(f"ages outside {AGE_MIN}..{AGE_MAX} in source")
    age_keys = {int(r[0]) for r in hierarchies["age"]}
    if not set(range(AGE_MIN, AGE_MAX + 1)) <= age_keys:
        sys.exit(f"age hierarchy does not cover {AGE_MIN}..{AGE_MAX}")

    strings = {}
    for c in STRING_COLUMNS:
        keys = [r[0] for r in hierarchies[c]]
        if len(set(keys)) != len(keys):
            sys.exit(f"duplicate values in hierarchy_{c}.csv")
        if any("~" in k or ";" in k for k in keys):
            sys.exit(f"hierarchy_{c}.csv already contains '~'")
        codes = pc.index_in(table.column(c), value_set=pa.array(keys, pa.string()))
        if codes.null_count:
            missing = pc.unique(pc.filter(table.column(c), pc.is_null(codes))).to_pylist()
            sys.exit(f"values of {c} not in its hierarchy: {missing[:10]}")
        strings[c] = (codes.to_numpy().astype(np.int32), keys)
    return ages, strings, hierarchies


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, required=True, help="number of rows to generate")
    ap.add_argument("--out", required=True, help="output .parquet path")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"RNG seed (default {DEFAULT_SEED})")
    ap.add_argument("--source", default=DEFAULT_SOURCE, help=f"folder with adult.csv and hierarchies (default {DEFAULT_SOURCE})")
    ap.add_argument("--row-group-size", type=int, default=1_000_000, help="rows per row group (default 1,000,000)")
    ap.add_argument("--people", action="store_true",
                    help="add a person_id column first: runs of 1-8 consecutive rows (uniform) share a person"
                         " (a visit-level table: about rows / 4.5 people)")
    args = ap.parse_args()
    if args.rows <= 0 or args.row_group_size <= 0:
        sys.exit("--rows and --row-group-size must be positive")

    t0 = time.perf_counter()
    ages0, strings, hierarchies = load_source(args.source)
    n0 = len(ages0)

    # Dictionary of each string column: original values (code k), then X~1 (k + n), ..., X~4 (k + 4n).
    dictionaries = {}
    for c in STRING_COLUMNS:
        keys = strings[c][1]
        values = list(keys)
        for v in range(1, N_SUFFIX + 1):
            values.extend(f"{k}~{v}" for k in keys)
        dictionaries[c] = pa.array(values, pa.string())

    out = os.path.abspath(args.out)
    out_dir = os.path.dirname(out)
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.splitext(os.path.basename(out))[0]
    hier_dir = os.path.join(out_dir, f"{stem}_hierarchies")
    os.makedirs(hier_dir, exist_ok=True)

    # Hierarchies.
    write_hierarchy(os.path.join(hier_dir, "hierarchy_age.csv"), hierarchies["age"])
    for c in STRING_COLUMNS:
        rows = []
        for r in hierarchies[c]:
            rows.append(r)
            for v in range(1, N_SUFFIX + 1):
                rows.append([f"{r[0]}~{v}"] + r[1:])
        write_hierarchy(os.path.join(hier_dir, f"hierarchy_{c}.csv"), rows)

    fields = [pa.field(c, pa.int64() if c == "age" else pa.string(), nullable=False) for c in COLUMNS]
    if args.people:
        fields.insert(0, pa.field("person_id", pa.string(), nullable=False))
    schema = pa.schema(fields)
    # Person ids: runs of 1-8 rows, drawn in order across row groups.
    person, left = -1, 0
    tmp = out + ".tmp"
    rg_size = args.row_group_size
    n_groups = (args.rows + rg_size - 1) // rg_size
    with pq.ParquetWriter(tmp, schema, compression="snappy", use_dictionary=True) as writer:
        for g in range(n_groups):
            start = g * rg_size
            m = min(rg_size, args.rows - start)
            idx = np.arange(start, start + m, dtype=np.int64)
            rec = idx % n0
            is_copy0 = idx < n0  # copy 0 = the original rows

            rng = np.random.default_rng([args.seed, g])
            d = rng.integers(-AGE_DELTA, AGE_DELTA + 1, size=m, dtype=np.int64)
            which = rng.integers(0, len(STRING_COLUMNS), size=m, dtype=np.int8)
            v = rng.integers(1, N_SUFFIX + 1, size=m, dtype=np.int32)
            d[is_copy0] = 0
            v[is_copy0] = 0

            arrays = []
            for c in COLUMNS:
                if c == "age":
                    a = np.clip(ages0[rec] + d, AGE_MIN, AGE_MAX)
                    arrays.append(pa.array(a, pa.int64()))
                    continue
                j = STRING_COLUMNS.index(c)
                codes0, keys = strings[c]
                codes = codes0[rec] + np.where(which == j, v, 0).astype(np.int32) * np.int32(len(keys))
                # Decode to plain utf8 so the stored Arrow schema says "string" (Parquet still
                # dictionary-encodes the column chunk).
                arrays.append(dictionaries[c].take(pa.array(codes, pa.int32())))
            if args.people:
                prng = np.random.default_rng([args.seed, g, 1])
                ids = np.empty(m, dtype=np.int64)
                i = 0
                while i < m:
                    if left == 0:
                        person += 1
                        left = int(prng.integers(1, 9))
                    take = min(left, m - i)
                    ids[i:i + take] = person
                    i += take
                    left -= take
                arrays.insert(0, pa.array([f"P{x:08d}" for x in ids], pa.string()))
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema), row_group_size=rg_size)
            del arrays
    os.replace(tmp, out)

    elapsed = time.perf_counter() - t0
    meta = pq.ParquetFile(out).metadata
    size = os.path.getsize(out)
    print(f"wrote {out}")
    print(f"rows:        {meta.num_rows:,}")
    print(f"row groups:  {meta.num_row_groups}")
    print(f"file size:   {size:,} bytes ({size / 2**20:.1f} MiB)")
    print(f"hierarchies: {hier_dir}")
    print(f"seed:        {args.seed}")
    print(f"elapsed:     {elapsed:.1f} s")


if __name__ == "__main__":
    main()
