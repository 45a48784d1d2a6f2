#!/usr/bin/env bash
# The engine equality check on any Parquet file, with DuckDB: the class-table query of
# `reident sql` runs in DuckDB, `reident analyze --classes` reads its output, and every figure
# must equal `reident analyze` on the raw file (scripts/compare_reports.py). Prints the times.
#
#   cargo build --release
#   scripts/engine_equality.sh /work/bench-data/adult_10M.parquet [QIS] [SENSITIVE]
#
# QIS defaults to the 9 Adult columns; with SENSITIVE (e.g. occupation), leave it out of QIS.
# Needs python3 with duckdb (pip install -r tests/requirements.txt).
set -euo pipefail
file=$1
qi=${2:-sex,age,race,marital-status,education,native-country,workclass,occupation,salary-class}
sensitive=${3:-}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${REIDENT:-$here/target/release/reident}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
roles=(--qi "$qi")
[ -n "$sensitive" ] && roles+=(--sensitive "$sensitive")
"$bin" sql --dialect duckdb --table t "${roles[@]}" --copy-to "$work/classes.parquet" > "$work/q.sql"
t0=$(date +%s.%N)
python3 "$here/scripts/duckdb_sql.py" --view t="$file" --file "$work/q.sql" --threads 2
t1=$(date +%s.%N)
"$bin" --quiet analyze --classes "$work/classes.parquet" "${roles[@]}" --sampling-fraction 0.1 --json > "$work/classes.json"
t2=$(date +%s.%N)
"$bin" --quiet analyze "$file" "${roles[@]}" --sampling-fraction 0.1 --json > "$work/raw.json"
t3=$(date +%s.%N)
python3 - "$work/raw.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"records {d['dataset']['records']:,}, classes {d['classes']['classes']:,}, k {d['classes']['smallest']}, "
      f"sample uniques {d['sample_uniques']['records']:,}, Dankar {d['population_uniqueness']['dankar']['estimate']['share']}")
PY
python3 "$here/scripts/compare_reports.py" "$work/raw.json" "$work/classes.json"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {printf "duckdb class table %.2f s, analyze --classes %.2f s, analyze raw %.2f s\n", b-a, c-b, d-c}'
