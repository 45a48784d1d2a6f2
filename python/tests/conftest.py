"""Shared fixtures: the shipped Adult sample and the CLI binary the results are compared with."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADULT = ROOT / "datasets" / "adult"
QI9 = [
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


def cli_binary() -> Path:
    """The CLI to compare with: $REIDENT_BIN, else the build of this checkout."""
    env = os.environ.get("REIDENT_BIN")
    candidates = [Path(env)] if env else [ROOT / "target" / p / "reident" for p in ("debug", "release")]
    if not env and os.environ.get("CARGO_TARGET_DIR"):
        candidates += [Path(os.environ["CARGO_TARGET_DIR"]) / p / "reident" for p in ("debug", "release")]
    for c in candidates:
        if c.is_file():
            return c
    which = shutil.which("reident")
    if which and not env:
        return Path(which)
    pytest.fail(
        "no reident CLI to compare with: run `cargo build` (or set REIDENT_BIN); "
        "scripts/test.sh does both"
    )


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI; returns (exit status, stdout, stderr)."""
    binary = cli_binary()

    def run(*args, cwd=None):
        p = subprocess.run(
            [str(binary), "--quiet", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
        )
        return p.returncode, p.stdout, p.stderr

    return run


@pytest.fixture(scope="session")
def cli_json(cli):
    def run(*args):
        code, out, err = cli(*args, "--json")
        assert code in (0, 1), err
        return json.loads(out)

    return run
