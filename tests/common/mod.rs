#![allow(dead_code)]
//! Helpers shared by the integration tests.

use std::path::PathBuf;
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
