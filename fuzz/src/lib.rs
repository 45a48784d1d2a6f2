//! What each fuzz target does with one input, shared by the fuzz binaries (`fuzz_targets/`) and
//! by the regression tests (`tests/fuzz_regressions.rs` includes this file), so that every input
//! that ever failed is replayed by `cargo test` through the same code.
//!
//! Each function takes the bytes of one file, writes them where reident reads them (a private
//! temporary folder, one per process), and runs the parser and the pipeline behind it. Errors are
//! the expected outcome of most inputs; a panic, a hang or a blow-up of memory is a finding.
//! Only reident's public API is used.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use reident::options::{Flags, Settings, TableSource};

/// The folder this process writes its inputs into (removed by nobody: it lives in the temporary
/// folder and is small).
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = std::env::var_os("REIDENT_FUZZ_TMP")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let dir = base.join(format!("reident-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        dir
    })
}

/// Writes `bytes` to the scratch file `name` and returns its path.
fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let p = scratch().join(name);
    std::fs::write(&p, bytes).expect("write the input");
    p
}

/// A small data table the policy, scan-rules and report targets run against.
fn sample_data() -> PathBuf {
    file(
        "sample.csv",
        b"sex;age;zip;disease;weight\nm;34;02134;flu;1.5\nf;34;02134;cold;2\nm;51;02139;flu;1\nf;29;NULL;flu;3\nm;34;02134;cold;1\n",
    )
}

fn settings(qi: &[String]) -> Option<Settings> {
    Settings::resolve(&Flags {
        qi: qi.to_vec(),
        ..Flags::default()
    })
    .ok()
}

/// The figures of `path` over up to `max` of its columns: the whole reading pipeline (chunks,
/// canonical texts, the class table) and every figure of `analyze`.
fn analyze_columns(path: &Path, max: usize) {
    let Ok(input) = reident::Input::open(path, &reident::InputOptions::default()) else {
        return;
    };
    let qi: Vec<String> = input.columns().iter().take(max).cloned().collect();
    drop(input);
    if qi.is_empty() {
        return;
    }
    if let Some(s) = settings(&qi) {
        let _ = reident::analyze::run(&reident::analyze::Options::new(TableSource::data(path), s));
    }
}

/// CSV: the reader (delimiter detection, quoting, the one-column form, UTF-8) and `analyze`.
pub fn csv(data: &[u8]) {
    let p = file("input.csv", data);
    analyze_columns(&p, 6);
}

/// Parquet bytes: the footer, the pages, every supported type, and `analyze`.
pub fn parquet(data: &[u8]) {
    let p = file("input.parquet", data);
    analyze_columns(&p, 8);
}

/// A class table (Parquet): its format checks, counts, histograms and weights, then `analyze`,
/// `gate`, `combos` and `suda` on it.
pub fn class_table(data: &[u8]) {
    let p = file("classes.parquet", data);
    let Ok(file) = reident::classes::io::ClassFile::open(&p) else {
        return;
    };
    let qi: Vec<String> = file
        .metadata
        .as_ref()
        .map(|m| m.quasi_identifiers.clone())
        .filter(|q| !q.is_empty())
        .unwrap_or_else(|| vec!["a".into(), "b".into()]);
    let sensitive: Vec<String> = file
        .metadata
        .as_ref()
        .map(|m| m.sensitive.clone())
        .unwrap_or_default();
    drop(file);
    let table = TableSource {
        classes: Some(p.clone()),
        ..TableSource::default()
    };
    let Ok(s) = Settings::resolve(&Flags {
        qi: qi.clone(),
        sensitive,
        ..Flags::default()
    }) else {
        return;
    };
    let _ = reident::analyze::run(&reident::analyze::Options::new(table.clone(), s.clone()));
    let mut combos = reident::combos::Options::new(table.clone(), s.clone());
    combos.max_size = Some(2);
    let _ = reident::combos::run(&combos);
    let mut suda = reident::suda::Options::new(table.clone(), s.clone());
    suda.max_size = Some(2);
    let _ = reident::suda::run(&suda);
    if let Ok(g) = Settings::resolve(&Flags {
        qi,
        targets: reident::criteria::targets::TargetSpec {
            k: Some(5),
            max_risk: Some(0.2),
            max_average_risk: Some(0.1),
            ..Default::default()
        },
        ..Flags::default()
    }) {
        let _ = reident::gate::run(&reident::gate::Options::new(table, g));
    }
}

/// A hierarchy file: the ARX-format reader and its checks, then the hierarchy applied by
/// `anonymize` to the sample's `age` column.
pub fn hierarchy(data: &[u8]) {
    let p = file("hierarchy_age.csv", data);
    if reident::hierarchy::Hierarchy::load(&p).is_err() {
        return;
    }
    let Some(s) = settings(&["age".to_string()]) else {
        return;
    };
    let mut o = reident::anonymize::Options::new(TableSource::data(sample_data()), s);
    o.hierarchies = reident::anonymize::QiHierarchies {
        files: vec![("age".into(), p)],
        ..Default::default()
    };
    o.time_limit = 1.0;
    let _ = reident::anonymize::run(&o);
}

/// A policy file: its schema, roles and targets, then `analyze` and `anonymize` with it.
pub fn policy(data: &[u8]) {
    let p = file("policy.json", data);
    let Ok(s) = Settings::resolve(&Flags {
        policy: Some(p),
        ..Flags::default()
    }) else {
        return;
    };
    let table = TableSource::data(sample_data());
    let _ = reident::analyze::run(&reident::analyze::Options::new(table.clone(), s.clone()));
    let mut o = reident::anonymize::Options::new(table, s);
    o.time_limit = 1.0;
    let _ = reident::anonymize::run(&o);
}

/// A scan rules file: its schema and regular expressions, then `scan` with it.
pub fn scan_rules(data: &[u8]) {
    let p = file("rules.json", data);
    let mut o = reident::scan::Options::new(sample_data());
    o.rules = Some(p);
    let _ = reident::scan::run(&o);
}

/// A report.json given to `verify`: the parser, the seal, the renderings, and a re-run of the
/// options it records on the sample data.
pub fn report(data: &[u8]) {
    let dir = scratch().join("report");
    let _ = std::fs::create_dir_all(&dir);
    let p = dir.join("report.json");
    std::fs::write(&p, data).expect("write the report");
    if let Ok((r, _)) = reident::report::Report::parse(data, &p) {
        let _ = r.render();
    }
    let _ = reident::verify::run(&reident::verify::Options {
        report: Some(p),
        data: Some(sample_data()),
        ..Default::default()
    });
}

/// Runs the target named `name` on `data` (the regression tests' entry point).
pub fn run(name: &str, data: &[u8]) {
    match name {
        "csv" => csv(data),
        "parquet" => parquet(data),
        "class_table" => class_table(data),
        "hierarchy" => hierarchy(data),
        "policy" => policy(data),
        "scan_rules" => scan_rules(data),
        "report" => report(data),
        other => panic!("no fuzz target {other:?}"),
    }
}

/// Installs the panic hook of a fuzz run: a panic that reident catches at a reader boundary (and
/// turns into an error) is let through; any other panic aborts, which libFuzzer reports as a
/// crash with its input.
pub fn init() {
    std::panic::set_hook(Box::new(|info| {
        if reident::error::catching_panics() {
            return;
        }
        eprintln!("panic: {info}");
        std::process::abort();
    }));
}

/// An unaltered Parquet data file: read, and each column alone has `distinct[c]` classes (its
/// number of distinct values, null one of them): no two values merge, none splits.
pub fn lossless(data: &[u8], distinct: &[usize]) {
    let p = file("lossless.parquet", data);
    let input = reident::Input::open(&p, &reident::InputOptions::default())
        .expect("a file written by the parquet crate opens");
    let names = input.columns().to_vec();
    drop(input);
    for (name, &want) in names.iter().zip(distinct) {
        let s = settings(std::slice::from_ref(name)).expect("settings");
        let out = reident::analyze::run(&reident::analyze::Options::new(TableSource::data(&p), s))
            .expect("a file written by the parquet crate is read");
        assert_eq!(
            out.report.classes.classes as usize, want,
            "column {name}: distinct values and classes differ"
        );
    }
}
