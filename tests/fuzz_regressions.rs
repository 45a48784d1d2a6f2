//! Every input that ever failed a fuzz target (or was crafted against one), replayed through the
//! same code as the fuzz targets (`fuzz/src/lib.rs`, included here): each must give a result or
//! an error, never a panic. Inputs live in `tests/fuzz_regressions/<target>/`.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz;

#[test]
fn every_regression_input_runs_without_a_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let tmp = tempfile::tempdir().unwrap();
    std::env::set_var("REIDENT_FUZZ_TMP", tmp.path());
    let mut n = 0;
    let mut targets: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    targets.sort();
    for dir in targets {
        let target = dir.file_name().unwrap().to_str().unwrap().to_string();
        let mut inputs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        inputs.sort();
        for input in inputs {
            let bytes = std::fs::read(&input).unwrap();
            let r = std::panic::catch_unwind(|| fuzz::run(&target, &bytes));
            // A panic that reident catches at a reader boundary does not reach here.
            assert!(r.is_ok(), "{target}: {} panicked", input.display());
            n += 1;
        }
    }
    assert!(n >= 10, "only {n} regression inputs");
}

/// The `(name, version)` pairs of a Cargo.lock.
fn locked(path: &std::path::Path) -> std::collections::BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = std::collections::BTreeSet::new();
    let mut name = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            out.insert((n, v.trim_matches('"').to_string()));
        }
    }
    out
}

/// The fuzz targets are built with their own Cargo.lock: every package they share with reident
/// must be at reident's version, or the fuzzing tests another parquet than the one shipped (it
/// did: parquet 60.2.0 under the fuzzer, 60.1.0 in the tool).
#[test]
fn the_fuzz_targets_build_the_versions_reident_ships() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = locked(&root.join("Cargo.lock"));
    let fuzzed = locked(&root.join("fuzz/Cargo.lock"));
    let names: std::collections::BTreeSet<&String> = shipped.iter().map(|(n, _)| n).collect();
    let other: Vec<_> = fuzzed
        .iter()
        .filter(|p| names.contains(&p.0) && !shipped.contains(p))
        .collect();
    assert!(
        other.is_empty(),
        "fuzz/Cargo.lock differs from Cargo.lock: {other:?}; copy Cargo.lock to fuzz/ and run `cargo tree` there"
    );
    assert!(fuzzed.iter().any(|(n, _)| n == "parquet"));
}
