#![allow(dead_code)]
//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::Output;

use reident::analyze::AnalyzeReport;
use reident::classes::Source;
use reident::progress::Progress;
use reident::{ClassTable, Input, InputOptions, Policy, Roles};

pub const ADULT_QI: [&str; 9] = [
    "sex",
    "age",
    "race",
    "marital-status",
    "education",
    "native-country",
    "workclass",
    "occupation",
    "salary-class",
];

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

pub fn adult(name: &str) -> PathBuf {
    root().join("datasets/adult").join(name)
}

pub fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Builds the class table and the analyze report of a file, as `reident analyze` does.
pub fn analyze(
    path: &std::path::Path,
    qi: &[String],
    sensitive: &[String],
) -> (ClassTable, AnalyzeReport) {
    let input = Source::Records(Input::open(path, &InputOptions::default()).expect("open"));
    let policy = Policy::default().override_with(qi, sensitive, &[]);
    let roles = Roles::resolve(&policy, input.columns()).expect("roles");
    let table = input
        .class_table(&roles, &Progress::hidden())
        .expect("class table");
    let report = AnalyzeReport::new(&input, &roles, &table);
    (table, report)
}

/// Every column of a file.
pub fn all_columns(path: &std::path::Path) -> Vec<String> {
    Input::open(path, &InputOptions::default())
        .expect("open")
        .columns()
        .to_vec()
}

pub fn run_cli(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run reident")
}

/// Runs reident, which must succeed, and returns its stdout.
pub fn cli_stdout(args: &[&str]) -> String {
    let out = run_cli(args);
    assert!(
        out.status.success(),
        "reident {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs reident, which must succeed, and parses its stdout (`--json`).
pub fn cli_json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&cli_stdout(args)).expect("JSON")
}

/// Fails (never skips) when DuckDB is missing: CI must install it.
pub fn require_duckdb() {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "python3 cannot import duckdb: run `pip install -r tests/requirements.txt`"
    );
}

/// Runs SQL statements in DuckDB (`scripts/duckdb_sql.py`) with the given Parquet files as
/// views.
pub fn duckdb(sql: &str, views: &[(&str, &Path)]) {
    require_duckdb();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.sql");
    std::fs::write(&file, sql).unwrap();
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(root().join("scripts/duckdb_sql.py"))
        .arg("--file")
        .arg(&file);
    for (name, path) in views {
        cmd.arg("--view").arg(format!("{name}={}", path.display()));
    }
    let out = cmd.output().expect("run python3");
    assert!(
        out.status.success(),
        "DuckDB failed: {}\n{sql}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every row of a table (Parquet or CSV) as reident's canonical texts, with its header.
pub fn read_all(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let input = Input::open(path, &InputOptions::default()).unwrap();
    let cols: Vec<usize> = (0..input.columns().len()).collect();
    let chunks = input.map_chunks(&cols, &Progress::hidden(), |c| c).unwrap();
    let mut rows = Vec::new();
    for ch in chunks {
        for r in 0..ch.rows {
            rows.push(
                ch.columns
                    .iter()
                    .map(|c| c.dict[c.codes[r] as usize].clone())
                    .collect(),
            );
        }
    }
    (input.columns().to_vec(), rows)
}

/// One column of a table as canonical texts.
pub fn column(path: &Path, name: &str) -> Vec<String> {
    let (header, rows) = read_all(path);
    let c = header.iter().position(|h| h == name).unwrap();
    rows.into_iter().map(|r| r[c].clone()).collect()
}
