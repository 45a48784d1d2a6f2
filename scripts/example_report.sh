#!/usr/bin/env bash
# Regenerates reports/example-adult/: the report of the README's main command (analyze on the
# shipped Adult sample, all 9 columns as QIs), and docs/report-summary.png, a picture of its
# HTML summary rendered by headless Chromium (see scripts/render_report.sh).
#
#   scripts/example_report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
out=reports/example-adult
rm -rf "$out"
target/release/reident analyze datasets/adult/adult.parquet \
  --qi sex,age,race,marital-status,education,native-country,workclass,occupation,salary-class \
  --report "$out" >/dev/null
target/release/reident verify "$out/report.json" datasets/adult/adult.parquet
scripts/render_report.sh "$out/report.html" docs/report-summary.png 1000 1500
