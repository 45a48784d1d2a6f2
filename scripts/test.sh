#!/usr/bin/env bash
# The test suite, with everything it needs installed first: the README's test command, and
# exactly what .ci/run runs on a clean clone.
set -euo pipefail
cd "$(dirname "$0")/.."
# tests/engines.rs drives DuckDB through python3 (it runs the SQL that `reident sql` writes).
python3 -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
# tests/trust_signatures.rs checks reident's signatures with Debian's minisign, and minisign's
# with reident's verify.
if ! command -v minisign >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq minisign >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null && apt-get install -y -qq minisign >/dev/null; }
fi
cargo test --locked
# The Python package (python/): built from this checkout and installed, then its tests, which
# compare it with the CLI that cargo test just built.
python3 -m pip install --quiet --disable-pip-version-check ./python -r python/tests/requirements.txt && python3 -m pytest -q python/tests
