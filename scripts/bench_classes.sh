#!/usr/bin/env bash
# Times `reident classes` (release build) against DuckDB computing the same class table with the
# query of `reident sql --dialect duckdb` and writing it with COPY ... TO (FORMAT PARQUET),
# alternating the two so that both see the same machine load. Whole-process wall time and peak
# RSS from /usr/bin/time -v; prints each run and the medians; then checks that the two class
# files give the same figures (analyze --classes on each).
#
#   cargo build --release
#   scripts/bench_classes.sh /work/bench-data/adult_100M.parquet [runs]
set -euo pipefail
file=$1
runs=${2:-3}
qi=${QI:-sex,age,race,marital-status,education,native-country,workclass,occupation,salary-class}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/target/release/reident
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" sql --dialect duckdb --table t --qi "$qi" --copy-to "$work/duckdb.parquet" > "$work/q.sql"
measure() { # prints "seconds kilobytes"
  /usr/bin/time -v "$@" >/dev/null 2>"$work/time" || { cat "$work/time"; exit 1; }
  awk -F': ' '/Elapsed/ {n=split($2,t,":"); s=(n==3 ? t[1]*3600+t[2]*60+t[3] : t[1]*60+t[2])} /Maximum resident/ {k=$2} END {print s, k}' "$work/time"
}
r_t=(); d_t=()
for i in $(seq "$runs"); do
  r=$(measure "$bin" --quiet classes "$file" --qi "$qi" -o "$work/reident.parquet")
  d=$(measure python3 "$here/scripts/duckdb_sql.py" --view t="$file" --file "$work/q.sql" --threads 2)
  echo "run $i: reident classes ${r% *} s ${r#* } KB | duckdb GROUP BY + COPY ${d% *} s ${d#* } KB"
  r_t+=("$r"); d_t+=("$d")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }
rm=$(median "${r_t[@]}"); dm=$(median "${d_t[@]}")
echo "median: reident ${rm% *} s (${rm#* } KB peak RSS), duckdb ${dm% *} s (${dm#* } KB), ratio duckdb/reident $(awk -v a="${dm% *}" -v b="${rm% *}" 'BEGIN {printf "%.2f", a/b}')"
ls -l "$work/reident.parquet" "$work/duckdb.parquet" | awk '{print $5, $9}'
"$bin" --quiet analyze --classes "$work/reident.parquet" --qi "$qi" --json > "$work/a.json"
"$bin" --quiet analyze --classes "$work/duckdb.parquet" --qi "$qi" --json > "$work/b.json"
echo -n "the two class tables: "
python3 "$here/scripts/compare_reports.py" "$work/a.json" "$work/b.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('records', d['dataset']['records'], 'classes', d['classes']['classes'])" "$work/a.json"
