#!/usr/bin/env bash
# Runs every command of two reident binaries on the same inputs and compares what they print and
# write, byte for byte: the `--json` documents (timing fields aside), the text output (the time
# in anonymize's summary line aside), the files written (transformed data, class tables,
# per-record risk, hierarchies, converted files) and the figures, thresholds and verdict of the
# reports. It is the check that a change of structure changed no behaviour.
#
#   scripts/compare_outputs.sh OLD_BINARY NEW_BINARY
#   ONLY='^(scan|safe-harbor)' scripts/compare_outputs.sh OLD NEW   # the cases whose names match
#
# Inputs: the shipped Adult sample (CSV and Parquet, its policy and hierarchies), a copy of Adult
# with a sampling-weight column and a population table made here, and the scan fixtures.
# Exit status 0 when everything is identical, 1 when anything differs (each difference listed).
set -euo pipefail
OLD=$(realpath "$1")
NEW=$(realpath "$2")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT; echo "work folder: $WORK" >&2
cd "$ROOT"
A=datasets/adult
QI9=sex,age,race,marital-status,education,native-country,workclass,occupation,salary-class
QI8=sex,age,race,marital-status,education,native-country,workclass,salary-class
QI5=sex,age,race,marital-status,education

# A weighted copy of Adult and a population table over two of its QIs (deterministic).
python3 - "$WORK" <<'EOF'
import csv, sys
work = sys.argv[1]
rows = list(csv.reader(open("datasets/adult/adult.csv"), delimiter=";"))
with open(f"{work}/weighted.csv", "w", newline="") as f:
    w = csv.writer(f, delimiter=";")
    w.writerow(rows[0] + ["w"])
    for i, r in enumerate(rows[1:]):
        w.writerow(r + [str(5 + (i * 7919) % 200 + (i % 3) * 0.25)])
counts = {}
for r in rows[1:]:
    key = (r[0], r[2])
    counts[key] = counts.get(key, 0) + 1
with open(f"{work}/population.csv", "w", newline="") as f:
    w = csv.writer(f, delimiter=";")
    w.writerow(["sex", "race", "count"])
    for (s, race), n in sorted(counts.items()):
        w.writerow([s, race, n * 40 + 3])
EOF
W=$WORK/weighted.csv

# Each case: a name and the arguments. OUT in an argument is the case's own output folder.
CASES=(
  "analyze-parquet|analyze $A/adult.parquet --qi $QI9 --json"
  "analyze-text|analyze $A/adult.parquet --qi $QI9"
  "analyze-policy|analyze $A/adult.csv --policy $A/policy.json --json"
  "analyze-policy-text|analyze $A/adult.csv --policy $A/policy.json"
  "analyze-weighted|analyze $W --qi $QI5 --sensitive occupation,salary-class --weight w --sampling-fraction 0.05 --l 3 --c 2 --t 0.15 --hierarchies $A --json"
  "analyze-weighted-text|analyze $W --qi $QI5 --sensitive occupation,salary-class --weight w --sampling-fraction 0.05 --l 3 --c 2 --t 0.15 --hierarchies $A"
  "analyze-poptable|analyze $W --qi sex,race --weight w --population-table $WORK/population.csv --json"
  "analyze-targets|analyze $W --qi $QI5 --population usa --k 5 --max-risk 0.2 --max-average-risk 0.1 --l-diversity occupation:entropy:2 --t-closeness occupation:ordered:0.3 --max-population-uniqueness 0.01 --preset k11-cms --snb published --json"
  "analyze-targets-text|analyze $W --qi $QI5 --population usa --k 5 --max-risk 0.2 --l-diversity occupation:recursive:2:3 --t-closeness occupation:hierarchical:0.3 --hierarchies $A"
  "analyze-record-risk|analyze $W --qi $QI5 --weight w --record-risk OUT/risk.parquet --json"
  "analyze-report|analyze $A/adult.csv --policy $A/policy.json --report OUT/report --audit-log OUT/audit.log --json"
  "analyze-report-values|analyze $A/adult.csv --qi $QI5 --k 3 --report OUT/report --show-values --audit-log OUT/audit.log --json"
  "gate-fail|gate $A/adult.csv --policy $A/policy.json --json --audit-log OUT/audit.log"
  "gate-text|gate $W --qi sex,race --k 2 --max-risk 0.5 --weight w --audit-log OUT/audit.log --report OUT/report"
  "anonymize-policy|anonymize $A/adult.csv --policy $A/policy.json --json"
  "anonymize-policy-text|anonymize $A/adult.csv --policy $A/policy.json -o OUT/out.csv --report OUT/report --audit-log OUT/audit.log"
  "anonymize-rank|anonymize $A/adult.parquet --qi $QI8 --hierarchies $A --k 5 --suppression-limit 0.05 --metric loss-rank --top 3 --json -o OUT/out.parquet"
  "anonymize-built|anonymize $W --qi sex,age,race,education --hierarchy sex=$A/hierarchy_sex.csv --interval age:5,10,20@18..90 --suppress race --hierarchies $A --k 10 --suppression-limit 0.02 --suppressed star --json -o OUT/out.csv"
  "anonymize-ldiv|anonymize $A/adult.parquet --qi sex,age,race --hierarchies $A --l-diversity occupation:distinct:3 --t-closeness salary-class:equal:0.2 --metric discernibility --json"
  "anonymize-entropy|anonymize $A/adult.parquet --qi sex,age,race,marital-status --hierarchies $A --k 3 --max-average-risk 0.05 --metric entropy --suppression-limit 0.1 --json"
  "anonymize-heuristic|anonymize $A/adult.parquet --qi $QI8 --hierarchies $A --k 5 --heuristic --time-limit 1 --metric aecs --json"
  "combos|combos $A/adult.parquet --qi $QI9 --json"
  "combos-text|combos $A/adult.parquet --qi $QI9 --threshold 1:1,2:2,3:3 --population 1000000 --top 8"
  "combos-pop|combos $W --qi $QI5 --threshold 2:1 --sampling-fraction 0.1 --snb published --json"
  "combos-report|combos $A/adult.parquet --qi $QI5 --report OUT/report --audit-log OUT/audit.log --json"
  "suda|suda $A/adult.parquet --qi $QI5 --json"
  "suda-text|suda $A/adult.parquet --qi $QI9 --max-size 3 --dis 0.05 --top 5"
  "suda-risk|suda $A/adult.csv --qi $QI5 --record-risk OUT/suda.parquet --report OUT/report --audit-log OUT/audit.log --json"
  "scan|scan tests/fixtures/scan/categories.csv --json"
  "scan-text|scan tests/fixtures/scan/categories.parquet"
  "scan-adult|scan $A/adult.csv --json --fail-on-identifying --report OUT/report --audit-log OUT/audit.log"
  "scan-decoys|scan tests/fixtures/scan/decoys.csv --sample 500"
  "safe-harbor|safe-harbor tests/fixtures/scan/categories.csv -o OUT/sh.csv --reference-year 2025 --json"
  "safe-harbor-text|safe-harbor tests/fixtures/scan/categories.parquet -o OUT/sh.parquet --reference-year 2025 --no-scan --zips zip --ages age --dates admission_date --birth-dates dob --drop patient_name,ssn --report OUT/report --audit-log OUT/audit.log"
  "analyze-report-pop|analyze $W --qi $QI5 --sensitive occupation --weight w --sampling-fraction 0.05 --k 5 --max-risk 0.2 --max-population-uniqueness 0.01 --report OUT/report --audit-log OUT/audit.log"
  "analyze-report-usa-values|analyze $W --qi sex,race --population usa --k 20 --show-values --report OUT/report --audit-log OUT/audit.log"
  "gate-report-fail|gate $A/adult.csv --policy $A/policy.json --report OUT/report --audit-log OUT/audit.log"
  "anonymize-report-values|anonymize $A/adult.parquet --qi sex,age,race --hierarchies $A --k 5 --show-values -o OUT/out.csv --report OUT/report --audit-log OUT/audit.log"
  "combos-report-values|combos $W --qi $QI5 --threshold 2:1 --sampling-fraction 0.1 --show-values --report OUT/report --audit-log OUT/audit.log"
  "suda-report-values|suda $A/adult.parquet --qi $QI9 --max-size 3 --top 5 --show-values --report OUT/report --audit-log OUT/audit.log"
  "scan-report-values|scan tests/fixtures/scan/categories.csv --show-values --report OUT/report --audit-log OUT/audit.log"
  "safe-harbor-report|safe-harbor tests/fixtures/scan/categories.csv -o OUT/sh.csv --reference-year 2025 --report OUT/report --audit-log OUT/audit.log"
  "classes|classes $W --qi $QI5 --sensitive occupation --weight w -o OUT/classes.parquet --json"
  "classes-text|classes $A/adult.parquet --qi $QI9 -o OUT/classes.parquet"
  "hierarchy-interval|hierarchy $A/adult.csv --column age --interval 5,10,20@20..80 -o OUT/h.csv"
  "hierarchy-mask|hierarchy $A/adult.csv --column education --mask 1,2,3 -o OUT/h.csv"
  "hierarchy-suppress|hierarchy $A/adult.parquet --column race --suppress -o OUT/h.csv"
  "convert-parquet|convert $A/adult.csv OUT/adult.parquet"
  "convert-csv|convert $A/adult.parquet OUT/adult.csv --output-delimiter ,"
  "sql|sql --dialect duckdb --table adult --qi $QI5 --sensitive occupation --weight w"
  "sql-spark|sql --dialect spark --from \"parquet.\\\`/data\\\`\" --policy $A/policy.json --copy-to /tmp/x"
  "error-column|analyze $A/adult.csv --qi nope"
  "error-policy|anonymize $A/adult.csv --qi sex --k 5"
)

status=0
run_case() { # binary, side, name, args
  local bin=$1 side=$2 name=$3 args=$4
  local out=$WORK/$side/$name
  mkdir -p "$out"
  args=${args//OUT/$out}
  # shellcheck disable=SC2086
  (cd "$ROOT" && eval "\"$bin\" --quiet $args" >"$out/stdout" 2>"$out/stderr"; echo $? >"$out/status") || true
}
normalize() { # folder, binary: strips what legitimately differs between runs
  local d=$1
  python3 - "$d" "$2" <<'EOF'
import json, os, re, sys
d, binary = sys.argv[1], sys.argv[2]
def strip(v):
    if isinstance(v, dict):
        for k in ("seconds",):
            v.pop(k, None)
        for x in v.values():
            strip(x)
    elif isinstance(v, list):
        for x in v:
            strip(x)
    return v
p = os.path.join(d, "stdout")
text = open(p).read().replace(d, "OUT")
try:
    doc = json.loads(text)
    strip(doc)
    if "run" in doc:  # a gate --json report: keep what is not about this run
        doc = {k: doc[k] for k in ("figures", "thresholds", "verdict", "dataset", "disclosure_k", "kind", "population")}
        doc["dataset"].pop("path", None)
    text = json.dumps(doc, indent=1)
except ValueError:
    text = re.sub(r"evaluated, [0-9.]+ s\)", "evaluated, T s)", text)
open(p + ".norm", "w").write(text)
rep = os.path.join(d, "report", "report.json")
if os.path.exists(rep):
    r = json.loads(open(rep).read().replace(d, "OUT"))
    keep = {k: r.get(k) for k in ("figures", "thresholds", "verdict", "disclosure_k", "kind", "shows_values", "notice", "population", "hierarchies")}
    keep["dataset"] = {k: v for k, v in r["dataset"].items() if k != "path"}
    strip(keep["figures"])
    open(rep + ".norm", "w").write(json.dumps(keep, indent=1, sort_keys=True))
    for f in ("report.md", "report.html"):
        t = open(os.path.join(d, "report", f)).read()
        # The run section names the time, the command line and the run's folder.
        t = re.sub(r"\d{4}-\d\d-\d\dT[0-9:.]+Z", "TIME", t)
        t = re.sub(r"[0-9.]+ s\b", "T s", t)
        t = t.replace(d, "OUT")
        # The provenance names the report's own hash, which covers the time of the run.
        t = t.replace(r["integrity"]["sha256"], "REPORT-SHA256").replace(binary, "BINARY")
        open(os.path.join(d, "report", f + ".norm"), "w").write(t)
EOF
}
for c in "${CASES[@]}"; do
  name=${c%%|*}
  args=${c#*|}
  [[ $name =~ ${ONLY:-.} ]] || continue
  run_case "$OLD" old "$name" "$args"
  run_case "$NEW" new "$name" "$args"
  normalize "$WORK/old/$name" "$OLD"
  normalize "$WORK/new/$name" "$NEW"
  diffs=()
  for f in status stdout.norm stderr; do
    if [ "$f" = stderr ]; then
      # stderr names the temporary folder of the run
      a=$(sed "s#$WORK/old/$name#OUT#g" "$WORK/old/$name/$f")
      b=$(sed "s#$WORK/new/$name#OUT#g" "$WORK/new/$name/$f")
      [ "$a" = "$b" ] || diffs+=("$f")
    else
      cmp -s "$WORK/old/$name/$f" "$WORK/new/$name/$f" || diffs+=("$f")
    fi
  done
  for f in $(cd "$WORK/old/$name" && find . -type f ! -name 'stdout*' ! -name stderr ! -name status ! -name audit.log ! -name 'report.*' | sort) \
           report/report.json.norm report/report.md.norm report/report.html.norm; do
    [ -e "$WORK/old/$name/$f" ] || [ -e "$WORK/new/$name/$f" ] || continue
    cmp -s "$WORK/old/$name/$f" "$WORK/new/$name/$f" 2>/dev/null || diffs+=("$f")
  done
  if [ ${#diffs[@]} -eq 0 ]; then
    echo "same  $name"
  else
    echo "DIFF  $name: ${diffs[*]}"
    for f in "${diffs[@]}"; do
      diff <(sed "s#$WORK/old/$name#OUT#g" "$WORK/old/$name/$f" 2>/dev/null) \
           <(sed "s#$WORK/new/$name#OUT#g" "$WORK/new/$name/$f" 2>/dev/null) | head -${DIFF_LINES:-10} | sed 's/^/      /' || true
    done
    status=1
  fi
done
exit $status
