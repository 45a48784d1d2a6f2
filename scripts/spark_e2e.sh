#!/usr/bin/env bash
# End to end with Apache Spark (local mode): the queries of `reident sql --dialect spark` run in
# Spark, their output goes to reident, and every figure must equal reident's on the raw file.
#
#   cargo build --release
#   scripts/spark_e2e.sh [BIG.parquet ...]
#
# Cases on the shipped Adult sample: all 9 QIs; 8 QIs with occupation sensitive (hierarchical
# t-closeness, population models); 7 QIs with two sensitive columns (GROUPING SETS); and the
# apply query of a 5-anonymity transformation against `reident anonymize`'s output; and the
# people-level query (`--entity`, multiset and set) on a visit-level table drawn from Adult
# (6,000 patients with 1-8 visits, repeats, nulls in two QIs). Each extra file is checked over
# its 9 Adult columns. Installs pyspark from PyPI when missing (needs Java 17).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bin=${REIDENT:-$here/target/release/reident}
python3 -c "import pyspark" 2>/dev/null || pip install -q "pyspark==4.3.0"
python3 -c "import pyarrow" 2>/dev/null || pip install -q pyarrow
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
adult=datasets/adult/adult.parquet
qi9=sex,age,race,marital-status,education,native-country,workclass,occupation,salary-class
qi8=sex,age,race,marital-status,education,native-country,workclass,salary-class
qi7=sex,age,race,marital-status,education,native-country,workclass

# Awkward names (a space, both quotes, a backtick) and an integer weight, for quoting and the
# weighted GROUPING SETS form.
python3 - "$adult" "$work/awkward.parquet" <<'PY'
import sys, pyarrow as pa, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
names = {"sex": "se x", "race": "ra'ce", "marital-status": 'marital "status"', "native-country": "native`country"}
t = t.rename_columns([names.get(n, n) for n in t.column_names])
t = t.append_column("w", pa.array(t["age"].to_numpy() % 5 + 1))
pq.write_table(t, sys.argv[2])
PY
awkward_qi="se x,age,ra'ce,marital \"status\",native\`country,education,workclass"
# Visits: each patient's usual Adult record, sometimes another; rows shuffled; nulls.
python3 - "$adult" "$work/visits.parquet" <<'PY'
import sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1], columns=["sex", "age", "race", "occupation"])
rng = np.random.default_rng(13)
rows, pid = [], []
for p in range(6000):
    usual, other = rng.integers(0, t.num_rows, 2)
    for _ in range(rng.integers(1, 9)):
        rows.append(other if rng.integers(0, 6) == 0 else usual)
        pid.append(p)
order = rng.permutation(len(rows))
v = t.take(pa.array(np.array(rows)[order]))
def nulls(col):
    return pa.array([None if rng.random() < 0.03 else x for x in col.to_pylist()], col.type)
pq.write_table(pa.table({"patient_id": pa.array(np.array(pid)[order]), "sex": nulls(v["sex"]),
                         "age": nulls(v["age"]), "race": v["race"], "occupation": v["occupation"]}), sys.argv[2])
PY
views=(--view "adult=$adult" --view "awkward=$work/awkward.parquet" --view "visits=$work/visits.parquet")
files=()
case_sql() { # name view qi [sensitive]
  local name=$1 view=$2 qi=$3 s=${4:-}
  local roles=(--qi "$qi"); [ -n "$s" ] && roles+=(--sensitive "$s")
  "$bin" sql --dialect spark --table "$view" "${roles[@]}" --copy-to "$work/$name.classes" > "$work/$name.sql"
  files+=(--file "$work/$name.sql")
}
case_sql adult9 adult "$qi9"
case_sql adult8 adult "$qi8" occupation
case_sql adult7 adult "$qi7" occupation,salary-class
"$bin" sql --dialect spark --table awkward --qi "$awkward_qi" --sensitive occupation,salary-class --weight w \
  --copy-to "$work/awkward.classes" > "$work/awkward.sql"
files+=(--file "$work/awkward.sql")
for sig in multiset set; do
  "$bin" sql --dialect spark --table visits --entity patient_id --entity-signature "$sig" --qi sex,age,race \
    --sensitive occupation --copy-to "$work/people_$sig.classes" > "$work/people_$sig.sql"
  files+=(--file "$work/people_$sig.sql")
done
"$bin" --quiet anonymize "$adult" --qi "$qi8" --hierarchies datasets/adult --k 5 --suppression-limit 0.05 \
  -o "$work/anon.parquet" --json > "$work/anon.json"
"$bin" sql --dialect spark --table adult --transformation "$work/anon.json" --hierarchies datasets/adult \
  --copy-to "$work/anon_spark" > "$work/apply.sql"
files+=(--file "$work/apply.sql")
i=0
for big in "$@"; do
  i=$((i + 1))
  views+=(--view "big$i=$big")
  case_sql "big$i" "big$i" "$qi9"
done
python3 scripts/spark_sql.py "${views[@]}" "${files[@]}"

check() { # name data qi [sensitive] [extra...]
  local name=$1 data=$2 qi=$3 s=${4:-}; shift 4 || shift $#
  local roles=(--qi "$qi"); [ -n "$s" ] && roles+=(--sensitive "$s")
  "$bin" --quiet analyze "$data" "${roles[@]}" "$@" --json > "$work/$name.raw.json"
  "$bin" --quiet analyze --classes "$work/$name.classes" "${roles[@]}" "$@" --json > "$work/$name.cls.json"
  echo -n "$name ($(ls "$work/$name.classes" | grep -c '^part-') part files): "
  python3 scripts/compare_reports.py "$work/$name.raw.json" "$work/$name.cls.json"
}
check adult9 "$adult" "$qi9" "" --sampling-fraction 0.1
check adult8 "$adult" "$qi8" occupation --hierarchies datasets/adult --population usa
check adult7 "$adult" "$qi7" occupation,salary-class
check awkward "$work/awkward.parquet" "$awkward_qi" occupation,salary-class --weight w
for sig in multiset set; do
  check "people_$sig" "$work/visits.parquet" sex,age,race occupation --entity patient_id --entity-signature "$sig" \
    --sampling-fraction 0.1
done
i=0
for big in "$@"; do
  i=$((i + 1))
  check "big$i" "$big" "$qi9" "" --sampling-fraction 0.1
done
# The release: Spark's part files joined into one file, then analysed like anonymize's output.
python3 -c "import pyarrow.parquet as pq, sys; pq.write_table(pq.read_table(sys.argv[1]), sys.argv[2])" \
  "$work/anon_spark" "$work/anon_spark.parquet"
"$bin" --quiet analyze "$work/anon.parquet" --qi "$qi8" --sensitive occupation --json > "$work/anon.a.json"
"$bin" --quiet analyze "$work/anon_spark.parquet" --qi "$qi8" --sensitive occupation --json > "$work/anon.b.json"
echo -n "apply query (5-anonymity, 5% suppression) vs anonymize: "
python3 scripts/compare_reports.py "$work/anon.a.json" "$work/anon.b.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('  release:', d['dataset']['records'], 'records,', d['classes']['classes'], 'classes, k =', d['classes']['smallest'])" "$work/anon.b.json"
